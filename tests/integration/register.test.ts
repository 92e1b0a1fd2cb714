import ExcelJS from 'exceljs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../helpers/db';
import { AGENCIES, apiStory, binary, deskWorld, loginAgent, makeApp, type TestUser } from '../helpers/app';
import { readRegister } from '../../src/dossiers/register';
import { formatDateTime } from '../../src/shared/format';

// The desk's register (Sổ theo dõi hồ sơ, FORMS.md): the page a clerk or head prints, on both databases, from
// dossiers received, resolved, returned, withdrawn and transferred through the API.

const vn = (local: string) => new Date(`${local}:00+07:00`);
const HOURS = '2.000908'; // 4 working hours, handled by the commune desk that receives it
const LAND = '1.012756'; // 3 working days, handled by the land department

/** The register table's body rows, each as its cells' text. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...tr[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1].replace(/<[^>]+>/g, '').replace(/&#34;/g, '"').replace(/\s+/g, ' ').trim()),
  );
}

describe('the desk\'s register (Sổ theo dõi hồ sơ)', () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users: Record<string, TestUser> = {};
  const codes: Record<string, string> = {};
  const appointments: Record<string, string> = {};

  const { receive, act } = apiStory(() => harness, codes);

  beforeAll(async () => {
    ({ t, harness } = await deskWorld(users, '2026-02-02T08:00'));
    const { wardClerk, landClerk } = users;
    await receive('Trần Văn Một', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('Lê Thị Hai', '2026-02-02T08:30', wardClerk, LAND);
    await receive('Võ Văn Ba', '2026-02-02T09:00', wardClerk, HOURS);
    await receive('Phạm Văn Khác', '2026-02-02T09:10', landClerk, LAND);
    await receive('Đỗ Thị Bốn', '2026-02-03T07:45', wardClerk, HOURS);
    await act('Trần Văn Một', '2026-02-02T10:00', wardClerk, { action: 'resolve', outcome: 'approved' });
    await act('Trần Văn Một', '2026-02-02T10:30', wardClerk, { action: 'return' });
    await act('Võ Văn Ba', '2026-02-02T10:00', wardClerk, { action: 'withdraw', reason: 'Công dân xin rút' });
    await act('Đỗ Thị Bốn', '2026-02-03T08:00', wardClerk, { action: 'transfer', toAgencyCode: AGENCIES.otherWard.code, reason: 'Thuộc thẩm quyền phường khác' });
    await act('Lê Thị Hai', '2026-02-05T09:00', landClerk, { action: 'resolve', outcome: 'refused', reason: 'Không đủ điều kiện' });
    for (const name of Object.keys(codes)) {
      const res = await request(harness.app).get(`/api/v1/dossiers/${encodeURIComponent(codes[name])}`).set('Authorization', `Bearer ${users.admin.token}`);
      appointments[name] = formatDateTime(res.body.appointmentAt);
    }
    harness.clock.set(vn('2026-02-06T09:00'));
  });
  afterAll(() => t.destroy());

  /** The ward's register of 2–3 Feb as the tests above write it: a day's heading, then its lines' fourteen cells. */
  const wardRows = () => [
    ['Ngày 02/02/2026 (3 hồ sơ)'],
    ['1', codes['Trần Văn Một'], 'Chứng thực bản sao từ bản chính', '1', 'Trần Văn Một', '', 'Phường Ninh Kiều', '08:00 02/02/2026', appointments['Trần Văn Một'], '', '10:00 02/02/2026', '10:30 02/02/2026', '', ''],
    ['2', codes['Lê Thị Hai'], 'Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý', '1', 'Lê Thị Hai', '', 'Sở Nông nghiệp và Môi trường', '08:30 02/02/2026', appointments['Lê Thị Hai'], '08:30 02/02/2026', '09:00 05/02/2026', '', '', 'Từ chối: Không đủ điều kiện; Quá hạn'],
    ['3', codes['Võ Văn Ba'], 'Chứng thực bản sao từ bản chính', '1', 'Võ Văn Ba', '', 'Phường Ninh Kiều', '09:00 02/02/2026', appointments['Võ Văn Ba'], '', '', '', '', 'Công dân rút hồ sơ 10:00 02/02/2026'],
    ['Ngày 03/02/2026 (1 hồ sơ)'],
    ['1', codes['Đỗ Thị Bốn'], 'Chứng thực bản sao từ bản chính', '1', 'Đỗ Thị Bốn', '', 'Phường Cái Khế', '07:45 03/02/2026', appointments['Đỗ Thị Bốn'], '', '', '', '', 'Đang giải quyết; Chuyển Phường Cái Khế 08:00 03/02/2026; Quá hạn'],
  ];

  it('when the ward\'s head asks for 2–3 Feb, then each day lists the dossiers the ward received, numbered as their receipts, with the five dates and notes', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.head');
    const res = await agent.get('/ho-so/so-theo-doi?from=2026-02-02&to=2026-02-03');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Mẫu số 07 – Thông tư số 03/2025/TT-VPCP');
    expect(res.text).toContain('Từ ngày 02/02/2026 đến ngày 03/02/2026 · Quyển số: 2026');
    expect(res.text).toContain('Phường Ninh Kiều');
    expect(tableRows(res.text)).toEqual(wardRows());
    // The land department's own intake is in its book, not the ward's.
    expect(res.text).not.toContain(codes['Phạm Văn Khác']);
    const land = await (await loginAgent(harness.app, 'land.clerk')).agent.get('/ho-so/so-theo-doi?from=2026-02-02&to=2026-02-03');
    expect(tableRows(land.text).map((r) => r[1])).toEqual([undefined, codes['Phạm Văn Khác']]);
  });

  it('when the head downloads it for Excel, then the workbook holds the printed form\'s heading, head and the same lines', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.head');
    const page = await agent.get('/ho-so/so-theo-doi?from=2026-02-02&to=2026-02-03');
    expect(page.text).toContain('href="/ho-so/so-theo-doi.xlsx?from=2026-02-02&amp;to=2026-02-03"');
    const res = await agent.get('/ho-so/so-theo-doi.xlsx?from=2026-02-02&to=2026-02-03').buffer(true).parse(binary as never);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toContain(`so-theo-doi_${AGENCIES.ward.code}_2026-02-02_2026-02-03.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.worksheets[0];
    // A date cell read as its number format "hh:mm dd/mm/yyyy" shows it (exceljs gives the local clock as UTC fields).
    const shown = (v: ExcelJS.CellValue) => (v instanceof Date ? v.toISOString().replace(/^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d).*$/, '$4 $3/$2/$1') : String(v ?? ''));
    const text = (r: number) => {
      const cells = Array.from({ length: 14 }, (_, i) => shown(ws.getCell(r, i + 1).value));
      // a merged row repeats its text in every cell: once is how it reads
      return cells.every((c) => c === cells[0]) ? [cells[0]] : cells;
    };
    expect([1, 2, 3, 4, 5].map((r) => text(r)[0])).toEqual([
      'Mẫu số 07 – Thông tư số 03/2025/TT-VPCP',
      'ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ',
      'PHƯỜNG NINH KIỀU',
      'SỔ THEO DÕI HỒ SƠ',
      'Từ ngày 02/02/2026 đến ngày 03/02/2026 · Quyển số: 2026',
    ]);
    expect(text(8)).toEqual(['STT', 'Mã hồ sơ', 'Tên thủ tục hành chính', 'Số lượng hồ sơ (bộ)', 'Tên cá nhân, tổ chức', 'Địa chỉ, số điện thoại', 'Cơ quan chủ trì giải quyết', 'Nhận hồ sơ', 'Hẹn trả kết quả', 'Chuyển hồ sơ đến cơ quan giải quyết', 'Nhận kết quả từ cơ quan giải quyết', 'Trả kết quả', 'Ký nhận', 'Ghi chú']);
    expect(text(9)).toEqual(Array.from({ length: 14 }, (_, i) => `(${i + 1})`));
    expect([10, 11, 12, 13, 14, 15].map(text)).toEqual(wardRows());
    expect(ws.rowCount).toBe(15);
    // The five dates are dates to Excel (sorted and filtered by day), shown as on the page; an empty one is empty.
    expect(ws.getCell('H11').value).toEqual(new Date('2026-02-02T08:00:00Z'));
    expect(ws.getCell('H11').numFmt).toBe('hh:mm dd/mm/yyyy');
    expect(ws.getCell('L11').value).toEqual(new Date('2026-02-02T10:30:00Z'));
    expect(ws.getCell('J11').value).toBeNull();
    // A line whose cells wrap is as high as its longest, in lines of 10 pt (LibreOffice and Excel keep a generated row
    // at one line and draw the rest over the next): every code takes two ('000.01.92.H13-' / '260202-0001'), Lê Thị
    // Hai's procedure, agency and notes three, Đỗ Thị Bốn's notes six. The heads wrap over rows 7 and 8.
    expect([11, 12, 15].map((r) => ws.getRow(r).height)).toEqual([2, 3, 6].map((lines) => lines * 12.75));
    expect([7, 8].map((r) => ws.getRow(r).height)).toEqual([12.75, 4 * 12.75]);
    // Printed, every page repeats the column heads and their numbers, and says which page of how many it is.
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, fitToHeight: 0, printTitlesRow: '7:9' });
    // One page wide on A4 landscape (841.9 pt) between narrow margins, at 80% or more: LibreOffice prints a unit of
    // width 5.545 pt at 100%, so 176.5 units leave the table's 10 pt at 8 pt (at 260 units and 11 pt: 49%, 5.4 pt).
    expect(ws.pageSetup.margins).toMatchObject({ left: 0.25, right: 0.25, top: 0.5, bottom: 0.5 });
    const widths = Array.from({ length: 14 }, (_, i) => ws.getColumn(i + 1).width ?? 0);
    const room = 841.89 - (ws.pageSetup.margins!.left + ws.pageSetup.margins!.right) * 72;
    expect(room / (widths.reduce((a, b) => a + b) * 5.545)).toBeGreaterThanOrEqual(0.8);
    expect(ws.getCell('C11').font).toMatchObject({ name: 'Times New Roman', size: 10 });
    expect(ws.getCell('H8').font).toMatchObject({ name: 'Times New Roman', size: 10, bold: true });
    expect(ws.getCell('A4').font).toMatchObject({ size: 13, bold: true });
    // A date of 10 pt shows whole from 14 units (13 showed '###' in LibreOffice), with room for Excel's wider screen.
    expect(widths.slice(7, 12).every((w) => w >= 14.5)).toBe(true);
    expect(ws.headerFooter.oddFooter).toBe('&CTrang &P/&N');
    // Input it cannot use, or no desk chosen, is answered with the page that says so, not with a workbook.
    expect((await agent.get('/ho-so/so-theo-doi.xlsx?from=2026-02-30')).status).toBe(422);
    const admin = (await loginAgent(harness.app, 'admin')).agent;
    expect((await admin.get('/ho-so/so-theo-doi.xlsx?from=2026-02-02')).status).toBe(422);
    expect((await admin.get(`/ho-so/so-theo-doi?from=2026-02-02&agency=${AGENCIES.ward.code}`)).text).toContain(`so-theo-doi.xlsx?from=2026-02-02&amp;to=2026-02-02&amp;agency=${AGENCIES.ward.code.replace(/\./g, '.')}`);
  });

  it('when nothing is asked, then it is today\'s register; a day without intake says so', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const res = await agent.get('/ho-so/so-theo-doi');
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="2026-02-06"');
    expect(res.text).toContain('Ngày 06/02/2026 · Quyển số: 2026');
    expect(tableRows(res.text)).toEqual([['Không có hồ sơ nào được tiếp nhận trong ngày này.']]);
    // The list of dossiers links to it.
    expect((await agent.get('/ho-so')).text).toContain('href="/ho-so/so-theo-doi"');
  });

  it('when an admin has not chosen a desk, then the page asks for one; with one, it is that desk\'s book', async () => {
    const { agent } = await loginAgent(harness.app, 'admin');
    const ask = await agent.get('/ho-so/so-theo-doi?from=2026-02-02');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Chọn cơ quan có sổ cần in.');
    expect(ask.text).not.toContain('<table class="grid register-grid">');
    const ward = await agent.get(`/ho-so/so-theo-doi?from=2026-02-02&agency=${AGENCIES.ward.code}`);
    expect(tableRows(ward.text).map((r) => r[1])).toEqual([codes['Trần Văn Một'], codes['Lê Thị Hai'], codes['Võ Văn Ba']]);
    const unknown = await agent.get('/ho-so/so-theo-doi?from=2026-02-02&agency=000.99.99.H13');
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Không có cơ quan mã 000.99.99.H13.');
  });

  it('when the days are not days, in the wrong order or too many, then a Vietnamese message says which, and what was typed stays', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const cases: [string, string, string][] = [
      ['from=2026-02-30&to=2026-03-01', 'Từ ngày: ngày này không có trên lịch.', 'value="2026-02-30"'],
      ['from=2026-02-03&to=2026-02-02', 'Đến ngày phải từ &#34;Từ ngày&#34; trở về sau.', 'value="2026-02-03"'],
      ['from=02/02/2026', 'Từ ngày: nhập ngày dạng ngày/tháng/năm.', 'value="02/02/2026"'],
      ['from=2026-01-01&to=2026-02-01', 'Một lần in tối đa 31 ngày; chọn &#34;Đến ngày&#34; sớm hơn.', 'value="2026-02-01"'],
    ];
    for (const [query, message, kept] of cases) {
      const res = await agent.get(`/ho-so/so-theo-doi?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.text, query).toContain(message);
      expect(res.text, query).toContain(kept);
      expect(res.text, query).not.toContain('<table class="grid register-grid">');
    }
    // 31 days is allowed
    expect((await agent.get('/ho-so/so-theo-doi?from=2026-01-04&to=2026-02-03')).status).toBe(200);
  });

  it('when a register would be too long to print, then none of it is read', async () => {
    expect((await readRegister(t.db, AGENCIES.ward.code, '2026-02-02', '2026-02-03', 4)).rows).toHaveLength(4);
    expect(await readRegister(t.db, AGENCIES.ward.code, '2026-02-02', '2026-02-03', 3)).toEqual({ rows: [], transfers: [], more: true });
  });

  it('when another system asks the API for the ward\'s 2–3 Feb, then it gets the same lines with instants in +07:00', async () => {
    const get = (user: TestUser, query: string) => request(harness.app).get(`/api/v1/register?${query}`).set('Authorization', `Bearer ${user.token}`);
    const res = await get(users.wardHead, 'from=2026-02-02&to=2026-02-03');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agencyCode: AGENCIES.ward.code, agencyName: 'Phường Ninh Kiều', from: '2026-02-02', to: '2026-02-03', form: 'Mẫu số 07 – Thông tư số 03/2025/TT-VPCP' });
    expect(res.body.days.map((d: { date: string; lines: { code: string }[] }) => [d.date, d.lines.map((l) => l.code)])).toEqual([
      ['2026-02-02', [codes['Trần Văn Một'], codes['Lê Thị Hai'], codes['Võ Văn Ba']]],
      ['2026-02-03', [codes['Đỗ Thị Bốn']]],
    ]);
    const detail = await request(harness.app).get(`/api/v1/dossiers/${encodeURIComponent(codes['Lê Thị Hai'])}`).set('Authorization', `Bearer ${users.admin.token}`);
    expect(res.body.days[0].lines[1]).toEqual({
      number: 2,
      code: codes['Lê Thị Hai'],
      procedureName: 'Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý',
      sets: 1,
      applicant: { name: 'Lê Thị Hai', address: null, phone: null },
      handlingAgency: { code: AGENCIES.land.code, name: 'Sở Nông nghiệp và Môi trường' },
      receivedAt: '2026-02-02T08:30:00+07:00',
      appointmentAt: detail.body.appointmentAt,
      sentAt: '2026-02-02T08:30:00+07:00',
      resultAt: '2026-02-05T09:00:00+07:00',
      returnedAt: null,
      notes: ['Từ chối: Không đủ điều kiện', 'Quá hạn'],
    });
    expect(res.body.days[0].lines[0]).toMatchObject({ number: 1, sentAt: null, resultAt: '2026-02-02T10:00:00+07:00', returnedAt: '2026-02-02T10:30:00+07:00', notes: [] });
    // An admin names the desk; without one, or with bad days, a 422 names the field.
    const admin = await get(users.admin, `from=2026-02-02&to=2026-02-03&agencyCode=${AGENCIES.land.code}`);
    expect(admin.body.days.flatMap((d: { lines: { code: string }[] }) => d.lines.map((l) => l.code))).toEqual([codes['Phạm Văn Khác']]);
    const refused: [TestUser, string, Record<string, string>][] = [
      [users.admin, 'from=2026-02-02', { agencyCode: 'Quản trị viên cần chọn cơ quan có sổ (agencyCode).' }],
      [users.admin, 'agencyCode=000.99.99.H13', { agencyCode: 'Không có cơ quan mã 000.99.99.H13.' }],
      [users.wardClerk, 'from=2026-02-03&to=2026-02-02', { to: 'to phải từ from trở về sau.' }],
      [users.wardClerk, 'from=2026-01-01&to=2026-02-01', { to: 'Tối đa 31 ngày một lần: to cách from không quá 30 ngày.' }],
      [users.wardClerk, 'from=2026-02-30', { from: 'from: ngày này không có trên lịch.' }],
    ];
    for (const [user, query, fields] of refused) {
      const bad = await get(user, query);
      expect([query, bad.status, bad.body.error.fields]).toEqual([query, 422, fields]);
    }
    expect((await request(harness.app).get('/api/v1/register')).status).toBe(401);
    // another desk's book, asked by a clerk: refused as the report refuses it (it answered the clerk's own)
    const other = await get(users.wardClerk, `from=2026-02-02&agencyCode=${AGENCIES.land.code}`);
    expect([other.status, other.body.error.message]).toEqual([403, 'Bạn chỉ xem được sổ theo dõi của cơ quan mình.']);
    expect((await get(users.wardClerk, `from=2026-02-02&agencyCode=${AGENCIES.ward.code}`)).status).toBe(200);
  });

  it('when nobody is logged in, then it asks to log in', async () => {
    const res = await request(harness.app).get('/ho-so/so-theo-doi');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/dang-nhap?next=%2Fho-so%2Fso-theo-doi');
  });
});

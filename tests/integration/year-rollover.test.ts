import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../helpers/db';
import { deskWorld, loginAgent, makeApp, type TestUser } from '../helpers/app';

// The desks go from 2026 into 2027: the loaded calendar is 2026's (tests/helpers seedSmallCatalog), 2027 is counted on
// the provisional calendar of the Labour Code (1/1 off; Tết Đinh Mùi 5–9/2/2027 and the days for 6–7/2 on 10–11/2).
// What a clerk prints and reads on either side of 31/12/2026, on both databases.

const vn = (local: string) => new Date(`${local}:00+07:00`);
const HOURS = '2.000908'; // 4 working hours, handled by the commune desk that receives it
const LAND = '1.012756'; // 3 working days, handled by the land department

describe('the year rollover 2026 → 2027', () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users: Record<string, TestUser> = {};
  const codes: Record<string, string> = {};

  const receive = async (name: string, local: string, procedureCode: string, channel = 'in_person') => {
    harness.clock.set(vn(local));
    const res = await request(harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${users.wardClerk.token}`)
      .send({ procedureCode, channel, applicant: { name } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    codes[name] = res.body.code;
    return res.body;
  };

  beforeAll(async () => {
    ({ t, harness } = await deskWorld(users, '2026-12-30T08:00'));
    await receive('Ngô Văn Trước', '2026-12-30T08:00', HOURS);
    await receive('Trần Văn Cuối', '2026-12-31T16:30', HOURS);
    await receive('Lê Thị Cuối', '2026-12-31T16:45', HOURS);
    await receive('Võ Văn Giao Thừa', '2027-01-01T00:30', HOURS, 'online');
    await receive('Đỗ Thị Đầu', '2027-01-04T08:00', HOURS);
    await receive('Phạm Văn Tết', '2027-02-03T08:00', LAND);
    harness.clock.set(vn('2027-02-03T09:00'));
  });
  afterAll(() => t.destroy());

  it('when dossiers are received on 31/12/2026, on 1/1/2027 online and on 4/1/2027, then each day numbers its own from 0001 under its own date', () => {
    const ward = '000.01.92.H13';
    expect(codes['Trần Văn Cuối']).toBe(`${ward}-261231-0001`);
    expect(codes['Lê Thị Cuối']).toBe(`${ward}-261231-0002`);
    expect(codes['Võ Văn Giao Thừa']).toBe(`${ward}-270101-0001`);
    expect(codes['Đỗ Thị Đầu']).toBe(`${ward}-270104-0001`);
    expect(codes['Phạm Văn Tết']).toBe(`${ward}-270203-0001`);
  });

  it('when the desk refuses on 31/12/2026 at 23:50 and on 01/01/2027 at 00:10 (Vietnam\'s time), then each slip is numbered in its own year from 01', async () => {
    const refuse = async (local: string, name: string) => {
      harness.clock.set(vn(local));
      const res = await request(harness.app)
        .post('/api/v1/refusals')
        .set('Authorization', `Bearer ${users.wardClerk.token}`)
        .send({ procedureCode: HOURS, applicant: { name }, reason: 'Nộp tại nơi cư trú' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.number;
    };
    expect(await refuse('2026-12-31T17:00', 'Lý Văn Một')).toBe('01/2026/PTC');
    expect(await refuse('2026-12-31T23:50', 'Lý Văn Hai')).toBe('02/2026/PTC');
    expect(await refuse('2027-01-01T00:10', 'Lý Văn Ba')).toBe('01/2027/PTC');
    expect(await refuse('2027-01-04T08:30', 'Lý Văn Bốn')).toBe('02/2027/PTC');
  });

  it('when the head looks on 31/12/2026 at 16:50, then a dossier due Monday 04/01/2027 11:00 is due soon (1/1 and the weekend are not working days) and one due 30/12 is late', async () => {
    harness.clock.set(vn('2026-12-31T16:50'));
    const list = async (q: string) =>
      (await request(harness.app).get(`/api/v1/dossiers?${q}`).set('Authorization', `Bearer ${users.wardHead.token}`)).body.items.map((d: { code: string }) => d.code).sort();
    // (The dossiers this story receives later are in the database already: only the two of 31/12 are asked about.)
    const soon = await list('dueSoon=true');
    expect(soon).toEqual(expect.arrayContaining([codes['Trần Văn Cuối'], codes['Lê Thị Cuối']]));
    expect(soon).not.toContain(codes['Ngô Văn Trước']);
    expect(soon).not.toContain(codes['Phạm Văn Tết']);
    expect(await list('late=true')).toEqual([codes['Ngô Văn Trước']]);
    const { agent } = await loginAgent(harness.app, 'ward.head');
    const watch = await agent.get('/theo-doi');
    expect(watch.text).toContain('Thứ Hai 04/01/2027');
    harness.clock.set(vn('2027-02-03T09:00'));
  });

  it('when the ward prints its register from 28/12/2026 to 04/01/2027, then it names both books, 2026 and 2027, with their days, as the receipts do', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const page = await agent.get('/ho-so/so-theo-doi?from=2026-12-28&to=2027-01-04');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Từ ngày 28/12/2026 đến ngày 04/01/2027 · Quyển số: 2026 (28/12/2026 – 31/12/2026), 2027 (01/01/2027 – 04/01/2027)');
    // A register within one year names its one book, as before.
    const one = await agent.get('/ho-so/so-theo-doi?from=2027-01-01&to=2027-01-04');
    expect(one.text).toContain('Từ ngày 01/01/2027 đến ngày 04/01/2027 · Quyển số: 2027</div>');
    const receipt = await agent.get(`/ho-so/${encodeURIComponent(codes['Đỗ Thị Đầu'])}/giay-tiep-nhan`);
    expect(receipt.text).toMatch(/Quyển số: 2027, ngày 04\/01\/2027 &nbsp; Số thứ tự: 1</);
    const december = await agent.get(`/ho-so/${encodeURIComponent(codes['Lê Thị Cuối'])}/giay-tiep-nhan`);
    expect(december.text).toMatch(/Quyển số: 2026, ngày 31\/12\/2026 &nbsp; Số thứ tự: 2</);
  });

  it('when the register is downloaded for Excel across the new year, then its heading names both books', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const res = await agent
      .get('/ho-so/so-theo-doi.xlsx?from=2026-12-28&to=2027-01-04')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets[0].getCell(5, 1).value).toBe('Từ ngày 28/12/2026 đến ngày 04/01/2027 · Quyển số: 2026 (28/12/2026 – 31/12/2026), 2027 (01/01/2027 – 04/01/2027)');
  });

  it('when a dossier\'s deadline is counted over Tết 2027 on the provisional calendar, then its page and its receipt say the date may move, with why', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const api = await request(harness.app).get(`/api/v1/dossiers/${encodeURIComponent(codes['Phạm Văn Tết'])}`).set('Authorization', `Bearer ${users.wardClerk.token}`);
    // 3 working days from Wed 03/02 08:00: Thu 04/02, then 05–11/02 off (Tết and the days for 6–7/02), Fri 12/02, Mon 15/02.
    expect(api.body.dueAt).toBe('2027-02-15T08:00:00+07:00');
    expect(api.body.dueTrace.map((s: { text: string }) => s.text)).toContain('Năm 2027 chưa có lịch nghỉ chính thức: dùng lịch tạm tính theo Bộ luật Lao động 2019, Điều 112.');
    const page = await agent.get(`/ho-so/${encodeURIComponent(codes['Phạm Văn Tết'])}`);
    expect(page.text).toContain('<span class="badge provisional">tạm tính</span><span class="muted"> — năm 2027 chưa có lịch nghỉ chính thức');
    const receipt = await agent.get(`/ho-so/${encodeURIComponent(codes['Phạm Văn Tết'])}/giay-tiep-nhan`);
    expect(receipt.text).toContain('ngày 15 tháng 02 năm 2027</strong><em class="due-notice">Ngày hẹn tạm tính theo lịch nghỉ năm 2027 chưa chính thức; nếu đổi, xem khi tra cứu hồ sơ.</em>');
    // 4 working hours from 31/12/2026 16:30 run over 1/1/2027 (provisional) to 04/01/2027 11:00: said too.
    const lastDay = await agent.get(`/ho-so/${encodeURIComponent(codes['Trần Văn Cuối'])}/giay-tiep-nhan`);
    expect(lastDay.text).toContain('11 giờ 00 phút, ngày 04 tháng 01 năm 2027</strong><em class="due-notice">Ngày hẹn tạm tính theo lịch nghỉ năm 2027');
    // A dossier counted within 2026's official schedule says nothing of the kind.
    const december = await agent.get(`/ho-so/${encodeURIComponent(codes['Ngô Văn Trước'])}/giay-tiep-nhan`);
    const decemberPage = await agent.get(`/ho-so/${encodeURIComponent(codes['Ngô Văn Trước'])}`);
    expect(december.text).not.toContain('due-notice');
    expect(decemberPage.text).not.toContain('badge provisional');
  });

  it('when a dossier counted on the provisional calendar is resolved, then its page no longer says its deadline may move (a recompute moves open dossiers only)', async () => {
    const code = encodeURIComponent(codes['Lê Thị Cuối']);
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    expect((await agent.get(`/ho-so/${code}`)).text).toContain('<span class="badge provisional">tạm tính</span>');
    const before = await request(harness.app).get(`/api/v1/dossiers/${code}`).set('Authorization', `Bearer ${users.wardClerk.token}`);
    const res = await request(harness.app)
      .post(`/api/v1/dossiers/${code}/actions`)
      .set('Authorization', `Bearer ${users.wardClerk.token}`)
      .send({ action: 'resolve', outcome: 'approved', version: before.body.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('resolved');
    expect((await agent.get(`/ho-so/${code}`)).text).not.toContain('badge provisional');
  });

  it('when the official 2027 schedule is written in and an admin recomputes, then the deadline and the appointment the receipt gave move, and the notice is gone', async () => {
    // The announced Tết gives one more day (12/02/2027); the year's other provisional days come along as its rows.
    const put = await request(harness.app)
      .put('/api/v1/calendar/days/2027-02-12')
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ kind: 'day_off', name: 'Nghỉ Tết Nguyên đán Đinh Mùi', source: 'Thông báo của Bộ Nội vụ (thử nghiệm)' });
    expect(put.status).toBe(200);
    const code = encodeURIComponent(codes['Phạm Văn Tết']);
    const { agent: admin, csrf } = await loginAgent(harness.app, 'admin');
    const res = await admin.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf, year: '2027' });
    expect(res.status).toBe(303);
    const after = await request(harness.app).get(`/api/v1/dossiers/${code}`).set('Authorization', `Bearer ${users.wardClerk.token}`);
    expect(after.body.dueAt).toBe('2027-02-16T08:00:00+07:00');
    expect(after.body.appointmentAt).toBe('2027-02-16T08:00:00+07:00');
    expect(after.body.dueTrace.map((s: { text: string }) => s.text).join('\n')).not.toContain('chưa có lịch nghỉ chính thức');
    expect((await request(harness.app).get(`/api/v1/public/dossiers/${code}`)).body.appointmentAt).toBe('2027-02-16T08:00:00+07:00');
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const receipt = await agent.get(`/ho-so/${code}/giay-tiep-nhan`);
    expect(receipt.text).toContain('08 giờ 00 phút, ngày 16 tháng 02 năm 2027</strong></li>');
    expect((await agent.get(`/ho-so/${code}`)).text).not.toContain('badge provisional');
  });
});

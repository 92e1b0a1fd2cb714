import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog } from '../helpers/app';

// Fri 13/02/2026 10:00 in Vietnam.
const FRI_10 = '2026-02-13T03:00:00.000Z';
const FIRST_CODE = '000.00.05.H13-260213-0001';
const XSS = '<script>alert(1)</script>';
const XSS_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let clerk: Awaited<ReturnType<typeof loginAgent>>;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  await addUser(t.db, 'otherward.clerk', 'clerk', AGENCIES.otherWard.code);
  await addUser(t.db, 'city.admin', 'admin', null);
  await addUser(t.db, 'land.head', 'head', AGENCIES.land.code);
  harness = makeApp(t.db, FRI_10);
  clerk = await loginAgent(harness.app, 'land.clerk');
});
afterAll(() => t.destroy());

async function rowCounts(db: Knex) {
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
  return { dossiers: await count('dossiers'), events: await count('dossier_events'), sequences: await count('dossier_sequences') };
}

/** The intake form as a clerk fills it. */
const form = (fields: Record<string, string> = {}) => ({
  _csrf: clerk.csrf,
  procedureCode: '1.012756',
  channel: 'in_person',
  sets: '1',
  documents: 'Đơn đăng ký đất đai (bản chính)\nBản sao CCCD',
  applicantName: 'Huỳnh Thị Mai',
  applicantIdNumber: '092190007777',
  applicantPhone: '0939 123 456',
  applicantEmail: 'mai@example.vn',
  applicantAddress: '8 Trần Hưng Đạo, phường Ninh Kiều',
  ...fields,
});

const postIntake = (fields: Record<string, string> = {}) => clerk.agent.post('/ho-so').type('form').send(form(fields));

describe('the intake form', () => {
  it('when a land clerk opens the intake form, then procedures are grouped by field with "Đất đai" as a group', async () => {
    const res = await clerk.agent.get('/ho-so/moi');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<optgroup label="Đất đai">');
    expect(res.text).toContain('<optgroup label="Bồi thường, hỗ trợ, tái định cư">');
    const landGroup = res.text.slice(res.text.indexOf('<optgroup label="Đất đai">'));
    expect(landGroup.slice(0, landGroup.indexOf('</optgroup>'))).toContain('value="1.012756"');
    expect(res.text).toContain('(3 ngày làm việc)');
    // A province department's desk does not receive the communes' certification procedure.
    expect(res.text).not.toContain('value="2.000908"');
    expect(res.text).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
  });

  it('when a head opens the intake form or posts it, then 403', async () => {
    const { agent, csrf } = await loginAgent(harness.app, 'land.head');
    expect((await agent.get('/ho-so/moi')).status).toBe(403);
    const before = await rowCounts(t.db);
    const res = await agent.post('/ho-so').type('form').send({ ...form(), _csrf: csrf });
    expect(res.status).toBe(403);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when the form is sent with a bad phone and e-mail, then 422, the typed values are kept, the errors sit beside their fields and nothing is written', async () => {
    const before = await rowCounts(t.db);
    const res = await postIntake({ applicantName: 'Trần Thị Bình', applicantPhone: '12-34', applicantEmail: 'binh@' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Dữ liệu chưa hợp lệ, vui lòng kiểm tra các ô được đánh dấu.');
    expect(res.text).toMatch(/<input id="f-applicantName" name="applicantName" type="text" value="Trần Thị Bình"/);
    expect(res.text).toMatch(/<input id="f-applicantPhone" name="applicantPhone" type="tel" value="12-34"/);
    expect(res.text).toContain('<p class="field-error" id="applicantPhone-error">Số điện thoại không hợp lệ: di động 10 số (ví dụ 0912345678), cố định 11 số (ví dụ 02923820123).</p>');
    expect(res.text).toContain('<p class="field-error" id="applicantEmail-error">Địa chỉ e-mail không hợp lệ.</p>');
    expect(res.text).toMatch(/<option value="1\.012756" selected/);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when the applicant name is left empty, then 422 with "Không được để trống." beside the name and the phone kept', async () => {
    const before = await rowCounts(t.db);
    const res = await postIntake({ applicantName: '  ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="applicantName-error">Không được để trống.</p>');
    expect(res.text).toContain('value="0939 123 456"');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when no procedure is chosen, then 422 with an error beside the procedure list', async () => {
    const before = await rowCounts(t.db);
    const res = await postIntake({ procedureCode: '' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<p class="field-error" id="procedureCode-error">[^<]+<\/p>/);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when a clerk slips a past receipt date into the form, then 403 with the message and nothing is written', async () => {
    const before = await rowCounts(t.db);
    const res = await postIntake({ receivedDate: '2026-02-12', receivedTime: '15:00' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Chỉ quản trị viên được ghi thời điểm trong quá khứ.');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when "preview" is pressed, then 200 with the due date 10:00 25/02/2026 and its trace, and nothing is written', async () => {
    const before = await rowCounts(t.db);
    const res = await postIntake({ preview: '1' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Hẹn trả kết quả dự kiến: 10:00 25/02/2026 (Thứ Tư)');
    expect(res.text).toContain('Hạn giải quyết: 10:00 ngày 25/02/2026 (Thứ Tư)');
    expect(res.text).toContain('value="Huỳnh Thị Mai"');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when the due-date preview JSON is asked for, then it answers 25/02/2026 10:00 without writing', async () => {
    const before = await rowCounts(t.db);
    const res = await clerk.agent.get('/ho-so/han-du-kien?procedureCode=1.012756');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dueAt: '2026-02-25T03:00:00.000Z', dueText: '10:00 25/02/2026 (Thứ Tư)', statutoryDays: 17, duration: { value: 3, unit: 'working_days' } });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when the preview is asked for an instant of receipt that is not one the desk could have, then 422 and never a 500', async () => {
    // Year -1 parses as a date; the calendar's days then had no YYYY-MM-DD and the preview answered 500 (hostile sweep).
    for (const at of ['-000001-01-01T00:00:00Z', '1899-12-31T00:00:00Z', '2026-02-30T08:00:00+07:00', 'ngày mai']) {
      const res = await clerk.agent.get(`/ho-so/han-du-kien?procedureCode=1.012756&receivedAt=${encodeURIComponent(at)}`);
      expect([at, res.status]).toEqual([at, 422]);
    }
    const ok = await clerk.agent.get(`/ho-so/han-du-kien?procedureCode=1.012756&receivedAt=${encodeURIComponent('2026-02-13T10:00:00+07:00')}`);
    expect(ok.body.dueText).toBe('10:00 25/02/2026 (Thứ Tư)');
  });

  it('when a good form is sent, then 303 to the new dossier with ok=received', async () => {
    const res = await postIntake();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/ho-so/${FIRST_CODE}?ok=received`);
    const row = await t.db('dossiers').where({ code: FIRST_CODE }).first();
    expect(row).toMatchObject({ applicant_name: 'Huỳnh Thị Mai', applicant_phone: '0939123456', channel: 'in_person', sets: 1, status: 'processing' });
  });
});

describe('the dossier pages', () => {
  it('when the new dossier page is opened, then it shows the code, the due date, the trace and the timeline', async () => {
    const res = await clerk.agent.get(`/ho-so/${FIRST_CODE}?ok=received`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Đã tiếp nhận hồ sơ ${FIRST_CODE}. Hẹn trả kết quả 10:00 25/02/2026.`);
    expect(res.text).toContain(`<h1>Hồ sơ <span class="code">${FIRST_CODE}</span></h1>`);
    expect(res.text).toContain('<dt>Hạn giải quyết</dt><dd><strong>10:00 25/02/2026</strong> (Thứ Tư)</dd>');
    expect(res.text).toContain('<dt>Tiếp nhận lúc</dt><dd>10:00 13/02/2026 (Thứ Sáu)</dd>');
    expect(res.text).toContain('<li class="trace-due">Hạn giải quyết: 10:00 ngày 25/02/2026 (Thứ Tư)</li>');
    expect(res.text).toMatch(/<li class="trace-skip">Bỏ qua [^<]*16\/02\/2026/);
    expect(res.text).toMatch(/<strong>Tiếp nhận hồ sơ<\/strong> — Nguyễn Văn land\.clerk/);
    expect(res.text).toContain('Huỳnh Thị Mai');
  });

  it('when the receipt is printed, then it has the title, code, dates, form number, an SVG QR and the public lookup URL', async () => {
    const res = await clerk.agent.get(`/ho-so/${FIRST_CODE}/giay-tiep-nhan`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/iu);
    expect(res.text).toContain(FIRST_CODE);
    expect(res.text).toContain('10 giờ 00 phút, ngày 13 tháng 02 năm 2026');
    expect(res.text).toContain('10 giờ 00 phút, ngày 25 tháng 02 năm 2026');
    expect(res.text).toContain('Mẫu số 01 – Thông tư số 03/2025/TT-VPCP');
    expect(res.text).toContain('Thời gian giải quyết hồ sơ theo quy định là: <strong>17</strong> ngày làm việc (thành phố cam kết: 3 ngày làm việc)');
    expect(res.text).toContain('<svg');
    expect(res.text).toContain(`/tra-cuu/${FIRST_CODE}`);
    expect(res.text).toContain('Huỳnh Thị Mai');
    // the register numbers its lines from 1 each day: the receipt names the day
    expect(res.text).toContain('Vào Sổ theo dõi hồ sơ, Quyển số: 2026, ngày 13/02/2026 &nbsp; Số thứ tự: 1');
    // Reached by an inside address without PUBLIC_URL, the toolbar says the QR code is of no use to a citizen.
    expect(res.text).toContain('<strong class="lookup-note" id="lookup-inside">Mã QR trỏ tới địa chỉ nội bộ (127.0.0.1):');
    const outside = await clerk.agent.get(`/ho-so/${FIRST_CODE}/giay-tiep-nhan`).set('Host', 'motcua.cantho.gov.vn');
    expect(outside.text).toContain(`http://motcua.cantho.gov.vn/tra-cuu/${FIRST_CODE}`);
    expect(outside.text).not.toContain('id="lookup-inside"');
    // A Host header no address is made of: the receipt still prints, and says its QR code opens nothing.
    const broken = await clerk.agent.get(`/ho-so/${FIRST_CODE}/giay-tiep-nhan`).set('Host', 'a b');
    expect(broken.status).toBe(200);
    expect(broken.text).toContain('Mã QR trỏ tới địa chỉ nội bộ (a b):');
  });

  it('when the list is searched by the applicant name, then it shows the dossier with its due date', async () => {
    const res = await clerk.agent.get(`/ho-so?q=${encodeURIComponent('Huỳnh Thị')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<a href="/ho-so/${FIRST_CODE}">${FIRST_CODE}</a>`);
    expect(res.text).toContain('<td class="nowrap">10:00 25/02/2026</td>');
    expect(res.text).toContain('<td>Huỳnh Thị Mai</td>');
  });

  it('when the list has dossiers, then its table sits in a frame that scrolls sideways at 200 % zoom, so the page under the menu does not', async () => {
    const res = await clerk.agent.get('/ho-so');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<div class="list-scroll">\s*<table class="data dossiers">[\s\S]*<\/table>\s*<\/div>/);
  });

  it('when the list is searched for a name nobody has, then it says nothing matched', async () => {
    const res = await clerk.agent.get(`/ho-so?q=${encodeURIComponent('Không Ai Cả')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Không có hồ sơ nào khớp điều kiện lọc.');
    expect(res.text).not.toContain(FIRST_CODE);
  });

  it('when the clock passes the due date, then "Quá hạn" (late=1&status=open) lists the dossier with the late badge; before, it does not', async () => {
    const before = await clerk.agent.get('/ho-so?late=1&status=open');
    expect(before.text).toContain('<h1>Hồ sơ quá hạn <small class="muted">(0)</small></h1>');
    harness.clock.set('2026-02-25T03:01:00.000Z');
    try {
      const later = await loginAgent(harness.app, 'land.clerk'); // the session of 13/02 has expired by now
      const res = await later.agent.get('/ho-so?late=1&status=open');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Hồ sơ quá hạn <small class="muted">(1)</small></h1>');
      expect(res.text).toContain(`<a href="/ho-so/${FIRST_CODE}">${FIRST_CODE}</a>`);
      expect(res.text).toContain('<span class="badge late">Quá hạn</span>');
      const soon = await later.agent.get('/ho-so?dueSoon=1');
      expect(soon.text).toContain('<h1>Hồ sơ sắp đến hạn <small class="muted">(0)</small></h1>');
    } finally {
      harness.clock.set(FRI_10);
    }
  });

  it('when the clerk opens the start page, then the counters, the late dossier first among those due and the last received with its receipt link are there; a head sees no intake list', async () => {
    harness.clock.set('2026-02-25T03:01:00.000Z');
    try {
      const later = await loginAgent(harness.app, 'land.clerk');
      const home = await later.agent.get('/');
      expect(home.status).toBe(200);
      expect(home.text).toMatch(/<span class="num">1<\/span><span>Quá hạn, chưa giải quyết<\/span>/);
      const due = home.text.slice(home.text.indexOf('id="first-due"'), home.text.indexOf('id="recent"'));
      expect(due.match(/<a href="\/ho-so\/([^"]+)">/)?.[1]).toBe(FIRST_CODE);
      expect(due).toContain('<span class="badge late">Quá hạn</span>');
      const recent = home.text.slice(home.text.indexOf('id="recent"'));
      // The dossiers this clerk received (created_by), newest first — not the whole desk's.
      const clerkId = (await t.db('users').where({ username: 'land.clerk' }).first()).id;
      const mine = (await t.db('dossiers').where({ created_by: clerkId }).orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(8).pluck('code')) as string[];
      const newest = mine[0];
      expect(mine.length).toBeGreaterThan(0);
      expect([...recent.matchAll(/<a href="\/ho-so\/([^"/]+)">/g)].map((m) => decodeURIComponent(m[1]))).toEqual(mine);
      expect(recent).toContain(`href="/ho-so/${newest}/giay-tiep-nhan"`);
      const head = await loginAgent(harness.app, 'land.head');
      const headHome = await head.agent.get('/');
      expect(headHome.text).toContain('id="first-due"');
      expect(headHome.text).not.toContain('id="recent"');

      // Moved to another desk, the clerk's list holds none of the desk left (their pages answer 404 there).
      await t.db('users').where({ id: clerkId }).update({ agency_code: AGENCIES.ward.code });
      const moved = await loginAgent(harness.app, 'land.clerk');
      const movedHome = (await moved.agent.get('/')).text;
      expect(movedHome.slice(movedHome.indexOf('id="recent"'))).not.toContain(newest);
      expect((await moved.agent.get(`/ho-so/${newest}`)).status).toBe(404);
      await t.db('users').where({ id: clerkId }).update({ agency_code: AGENCIES.land.code });
    } finally {
      harness.clock.set(FRI_10);
    }
  });

  it('when a head opens the start page, then "Trong đó: chờ bổ sung" follows the open dossiers it is part of, not the late ones (it read "9 quá hạn — trong đó 34 chờ bổ sung")', async () => {
    const head = await loginAgent(harness.app, 'land.head');
    const home = (await head.agent.get('/')).text;
    const tiles = [...home.matchAll(/<a class="tile[^"]*" href="([^"]+)"><span class="num">([\d.]+)<\/span>/g)].map((m) => ({ href: m[1].replace(/&amp;/g, '&'), n: Number(m[2].replace(/\./g, '')) }));
    expect(tiles.map((t) => t.href)).toEqual(['/ho-so?status=open', '/ho-so?status=awaiting_supplement', '/ho-so?dueSoon=1', '/ho-so?late=1&status=open', '/ho-so?status=resolved']);
    const open = Number((await t.db('dossiers').whereIn('status', ['processing', 'awaiting_supplement', 'paused']).where({ agency_code: AGENCIES.land.code }).count({ n: '*' }).first())?.n);
    const awaiting = Number((await t.db('dossiers').where({ status: 'awaiting_supplement', agency_code: AGENCIES.land.code }).count({ n: '*' }).first())?.n);
    expect(tiles[0].n).toBe(open);
    expect(tiles[1].n).toBe(awaiting);
    expect(open).toBeGreaterThan(0);
  });

  it('when the list gets a search longer than 200 characters or a repeated q, then it answers with a page (200 or 422), never a 500', async () => {
    const before = harness.errors.length;
    for (const query of [`q=${'x'.repeat(201)}`, 'q=a&q=b', `fieldCode=${'x'.repeat(70)}`]) {
      const res = await clerk.agent.get(`/ho-so?${query}`);
      expect([200, 422], query.slice(0, 20)).toContain(res.status);
    }
    expect(harness.errors.length).toBe(before);
  });

  it('when a clerk of another agency opens the dossier or its receipt, then 404', async () => {
    const other = await loginAgent(harness.app, 'otherward.clerk');
    const detail = await other.agent.get(`/ho-so/${FIRST_CODE}`);
    expect(detail.status).toBe(404);
    expect(detail.text).not.toContain('Huỳnh Thị Mai');
    expect((await other.agent.get(`/ho-so/${FIRST_CODE}/giay-tiep-nhan`)).status).toBe(404);
    const list = await other.agent.get(`/ho-so?q=${encodeURIComponent('Huỳnh')}`);
    expect(list.text).not.toContain(FIRST_CODE);
  });

  it("when the header's quick search holds a dossier's code (any case, or the receipt's QR address a scanner types), then it opens the dossier; other text lists", async () => {
    const home = await clerk.agent.get('/');
    expect(home.text).toContain('<input type="hidden" name="go" value="1">');
    const lookupUrl = `https://motcua.cantho.gov.vn/tra-cuu/${encodeURIComponent(FIRST_CODE)}`;
    for (const q of [FIRST_CODE, FIRST_CODE.toLowerCase(), ` ${FIRST_CODE} `, lookupUrl, `${lookupUrl}/`]) {
      const res = await clerk.agent.get(`/ho-so?go=1&q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(303);
      expect(res.headers.location, q).toBe(`/ho-so/${FIRST_CODE}`);
    }
    // Text that finds one dossier opens it too (here an ID number); text that finds more lists them (a part of the
    // code both of the day's dossiers hold), as does a whole code in the list's own filter (no `go`).
    const second = `${FIRST_CODE.slice(0, -1)}2`;
    expect((await postIntake({ applicantName: 'Lâm Văn Tư', applicantIdNumber: '092190008888' })).headers.location).toBe(`/ho-so/${second}?ok=received`);
    const only = await clerk.agent.get('/ho-so?go=1&q=092190008888');
    expect(only.status).toBe(303);
    expect(only.headers.location).toBe(`/ho-so/${second}`);
    const part = await clerk.agent.get(`/ho-so?go=1&q=${encodeURIComponent(FIRST_CODE.slice(0, -1))}`);
    expect(part.status).toBe(200);
    expect(part.text).toContain(`<a href="/ho-so/${FIRST_CODE}">${FIRST_CODE}</a>`);
    expect(part.text).toContain(`<a href="/ho-so/${second}">${second}</a>`);
    expect(part.text).not.toContain('go=1');
    const listed = await clerk.agent.get(`/ho-so?q=${encodeURIComponent(lookupUrl)}`);
    expect(listed.status).toBe(200);
    expect(listed.text).toContain(`<a href="/ho-so/${FIRST_CODE}">${FIRST_CODE}</a>`);
    // Another desk's clerk gets an empty list for the code, not the dossier.
    const other = await loginAgent(harness.app, 'otherward.clerk');
    const hidden = await other.agent.get(`/ho-so?go=1&q=${encodeURIComponent(FIRST_CODE)}`);
    expect(hidden.status).toBe(200);
    expect(hidden.text).toContain('Không có hồ sơ nào khớp điều kiện lọc.');
    expect(hidden.text).not.toContain('Huỳnh Thị Mai');
    // An address that is not a receipt's, or is badly encoded, is searched for as it is.
    for (const q of ['https://example.vn/tin-tuc/1', 'http://x/tra-cuu/%E0%A4%A']) {
      const res = await clerk.agent.get(`/ho-so?go=1&q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.text, q).toContain('Không có hồ sơ nào khớp điều kiện lọc.');
    }
  });

  it('when an admin backdates a dossier through the form, then it gets the code of that day and a due date counted from it', async () => {
    const admin = await loginAgent(harness.app, 'city.admin');
    const res = await admin.agent
      .post('/ho-so')
      .type('form')
      .send({ ...form({ applicantName: 'Cao Văn Lộc' }), _csrf: admin.csrf, agencyCode: AGENCIES.land.code, receivedDate: '2026-02-12', receivedTime: '15:00' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/ho-so/000.00.05.H13-260212-0001?ok=received');
    const page = await admin.agent.get('/ho-so/000.00.05.H13-260212-0001');
    expect(page.text).toContain('<dt>Hạn giải quyết</dt><dd><strong>15:00 24/02/2026</strong> (Thứ Ba)</dd>');
  });

  it('when an admin backdates with only a date or only a time, then 422 says which is missing, the form keeps both and nothing is written', async () => {
    const admin = await loginAgent(harness.app, 'city.admin');
    const send = (extra: Record<string, string>) =>
      admin.agent.post('/ho-so').type('form').send({ ...form({ applicantName: 'Cao Văn Thiếu' }), _csrf: admin.csrf, agencyCode: AGENCIES.land.code, ...extra });
    const before = await rowCounts(t.db);
    // A date alone was taken as midnight; a time alone (the browser sends a half-typed date as empty) was dropped.
    let res = await send({ receivedDate: '2026-02-12', receivedTime: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="receivedTime-error">Nhập bù cần cả giờ: ghi giờ và phút.</p>');
    expect(res.text).toContain('value="2026-02-12"');
    res = await send({ receivedDate: '', receivedTime: '09:30' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="receivedDate-error">Nhập bù cần cả ngày: ghi ngày, tháng, năm (hoặc xóa giờ để lấy bây giờ).</p>');
    expect(res.text).toContain('value="09:30"');
    expect(res.text).toContain('value="Cao Văn Thiếu"');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when a phone and an identity number are typed in groups or with the country code, then they are kept as dialled and found as a citizen says them', async () => {
    const res = await postIntake({ applicantName: 'Lâm Thị Gọi', applicantPhone: '+84 939 555 777', applicantIdNumber: '092 185 001 234' });
    expect(res.status).toBe(303);
    const code = decodeURIComponent(res.headers.location.replace(/^\/ho-so\//, '').replace(/\?.*$/, ''));
    expect(await t.db('dossiers').where({ code }).first('applicant_phone', 'applicant_id_number')).toEqual({ applicant_phone: '0939555777', applicant_id_number: '092185001234' });
    for (const q of ['0939555777', '0939 555 777', '0939.555.777', '+84939555777', '092 185 001 234']) {
      const list = await clerk.agent.get(`/ho-so?q=${encodeURIComponent(q)}`);
      expect(list.text, q).toContain(code);
    }
  });
});

describe('HTML escaping', () => {
  let code: string;
  beforeAll(async () => {
    const res = await postIntake({ applicantName: XSS, applicantAddress: '<img src=x onerror=alert(2)>' });
    expect(res.status).toBe(303);
    code = decodeURIComponent(res.headers.location.replace(/^\/ho-so\//, '').replace(/\?.*$/, ''));
  });

  it('when an applicant is named <script>alert(1)</script>, then the list shows the name escaped', async () => {
    const res = await clerk.agent.get(`/ho-so?q=${encodeURIComponent('alert(1)')}`);
    expect(res.text).toContain(code);
    expect(res.text).toContain(XSS_ESCAPED);
    expect(res.text).not.toContain(XSS);
  });

  it('when that dossier is opened, then the detail page shows the name and the address escaped', async () => {
    const res = await clerk.agent.get(`/ho-so/${code}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(XSS_ESCAPED);
    expect(res.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(res.text).not.toContain(XSS);
    expect(res.text).not.toContain('<img src=x');
  });

  it('when its receipt is printed, then the name is escaped there too', async () => {
    const res = await clerk.agent.get(`/ho-so/${code}/giay-tiep-nhan`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(XSS_ESCAPED);
    expect(res.text).not.toContain(XSS);
    expect(res.text).not.toContain('<img src=x');
  });

  it('when the form with that name is re-shown after an error, then the typed value is escaped in the input', async () => {
    const res = await postIntake({ applicantName: XSS, applicantPhone: 'abc' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`value="${XSS_ESCAPED}"`);
    expect(res.text).not.toContain(XSS);
  });
});

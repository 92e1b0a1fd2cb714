import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { addUser, AGENCIES, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

/** A wall-clock reading in Vietnam (UTC+7) as an instant. */
const vn = (local: string) => new Date(`${local}:00+07:00`);
const bearer = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

let t: TestDb;
let app: ReturnType<typeof makeApp>['app'];
let clock: ReturnType<typeof makeApp>['clock'];
let errors: unknown[];
let landClerk: TestUser;
let centreClerk: TestUser;
let colleague: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  landClerk = await addUser(t.db, 'canbo_dat', 'clerk', AGENCIES.land.code);
  centreClerk = await addUser(t.db, 'canbo_tt', 'clerk', AGENCIES.centre.code);
  colleague = await addUser(t.db, 'canbo_dat2', 'clerk', AGENCIES.land.code);
  await addUser(t.db, 'lanhdao_dat', 'head', AGENCIES.land.code);
  await addUser(t.db, 'quantri', 'admin', null);
  ({ app, clock, errors } = makeApp(t.db, vn('2026-02-09T08:00').toISOString()));
});

afterAll(async () => {
  expect(errors).toEqual([]); // no request ended in an unhandled 500
  await t?.destroy();
});

async function receive(procedureCode: string, local: string) {
  clock.set(vn(local));
  const res = await request(app)
    .post('/api/v1/dossiers')
    .set(bearer(landClerk))
    .send({ procedureCode, channel: 'in_person', applicant: { name: 'Trần Thị Bích', phone: '0912345678', address: 'Số 12 đường 30/4, phường Ninh Kiều' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.code as string;
}

async function apiAct(local: string, user: TestUser, code: string, body: Record<string, unknown>) {
  clock.set(vn(local));
  const res = await request(app).post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`).set(bearer(user)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const page = (code: string) => `/ho-so/${encodeURIComponent(code)}`;

/** The hidden `action` values of the page's forms, in order. */
const offeredActions = (html: string) => [...html.matchAll(/name="action" value="([^"]+)"/g)].map((m) => m[1]);

/** Every table row of the page as the text of its cells (tags stripped, spaces collapsed). */
function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) =>
      cell[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(),
    ),
  );
}

async function eventCount(code: string) {
  const row = await t.db('dossiers').where({ code }).first();
  const n = await t.db('dossier_events').where({ dossier_id: row.id }).count({ n: '*' }).first();
  return { version: row.version as number, events: Number(n!.n) };
}

describe('the dossier page offers the actions of its state', () => {
  it('when a clerk opens a processing dossier, then exactly its five actions are offered, each form carrying the version', async () => {
    const code = await receive('1.012756', '2026-02-09T08:00');
    const { agent } = await loginAgent(app, 'canbo_dat');
    const res = await agent.get(page(code));
    expect(res.status).toBe(200);
    expect(offeredActions(res.text)).toEqual(['request_supplement', 'pause', 'transfer', 'resolve', 'withdraw']);
    // the five actions' forms and the correction's
    expect([...res.text.matchAll(/name="version" value="([^"]+)"/g)].map((m) => m[1])).toEqual(['1', '1', '1', '1', '1', '1']);
    expect(res.text).toContain('(trạng thái: Đang giải quyết)');
    expect(res.text).toContain(`href="/ho-so/${encodeURIComponent(code)}/phieu-kiem-soat"`);
  });

  it('when a head opens the same dossier, then no action is offered', async () => {
    const code = await receive('1.012756', '2026-02-09T08:05');
    const { agent } = await loginAgent(app, 'lanhdao_dat');
    const res = await agent.get(page(code));
    expect(res.status).toBe(200);
    expect(offeredActions(res.text)).toEqual([]);
    expect(res.text).not.toContain('/thao-tac');
  });
});

describe('supplement request through the page, and its print (Mẫu 02)', () => {
  it('when a clerk posts the request with items as textarea lines, then 303, the timeline lists them with a print link, and the print is Mẫu 02 with one row per item', async () => {
    const code = await receive('1.012756', '2026-02-09T08:10');
    clock.set(vn('2026-02-09T09:00'));
    const { agent, csrf } = await loginAgent(app, 'canbo_dat');
    const posted = await agent
      .post(`${page(code)}/thao-tac`)
      .type('form')
      .send({
        _csrf: csrf,
        action: 'request_supplement',
        version: '1',
        items: 'Bản sao giấy chứng nhận quyền sử dụng đất\r\n\r\n  Sơ đồ thửa đất  \r\nTờ khai đăng ký đất đai (01 bản chính, 1 bản photo)',
        reason: 'Hồ sơ chưa đủ thành phần theo quy định',
      });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe(`${page(code)}?ok=request_supplement`);

    const shown = await agent.get(posted.headers.location);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Đã ghi yêu cầu bổ sung');
    expect(shown.text).toContain('Cần bổ sung: Bản sao giấy chứng nhận quyền sử dụng đất; Sơ đồ thửa đất; Tờ khai đăng ký đất đai (01 bản chính, 1 bản photo)');
    expect(shown.text).toContain('Lý do: Hồ sơ chưa đủ thành phần theo quy định');
    expect(offeredActions(shown.text)).toEqual(['receive_supplement', 'withdraw']);
    // The deadline shown stands still until the papers come: the page says so beside it.
    expect(shown.text).toContain('<dd class="stopped-note">Đang dừng tính thời hạn (chờ bổ sung), còn 1.300 phút làm việc: hạn trên được tính lại khi nhận hồ sơ bổ sung.</dd>');
    // the due-date explanation gains the stop, with the minutes left (09:00 → 12/02 08:10: 1350 − 50)
    expect(shown.text).toContain('Yêu cầu bổ sung lúc 09:00 09/02/2026 (Thứ Hai): dừng tính thời hạn, còn 1.300 phút làm việc.');
    const link = shown.text.match(new RegExp(`href="(/ho-so/${encodeURIComponent(code).replace(/\./g, '\\.')}/phieu-bo-sung/(\\d+))"`));
    expect(link, 'a link to the supplement print').not.toBeNull();
    const event = await t.db('dossier_events').where({ id: Number(link![2]) }).first();
    expect(event.type).toBe('request_supplement');
    // The page's head offers the slip first, with the focus: Enter prints it.
    expect(shown.text).toContain(`<a class="button primary" href="${link![1]}" autofocus data-autofocus="1">In phiếu yêu cầu bổ sung</a>`);

    const print = await agent.get(link![1]);
    expect(print.status).toBe(200);
    expect(print.text.toUpperCase()).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(print.text).toContain('Mẫu số 02');
    expect(print.text).toContain('Lý do: Hồ sơ chưa đủ thành phần theo quy định');
    expect(print.text).toContain('Trần Thị Bích');
    expect(print.text.toUpperCase()).toContain('NGƯỜI HƯỚNG DẪN');
    const itemRows = tableRows(print.text).filter((cells) => /^\d+$/.test(cells[0] ?? ''));
    // The counts a line's brackets give fill the columns Bản chính / Bản chứng thực / Bản photo.
    expect(itemRows).toEqual([
      ['1', 'Bản sao giấy chứng nhận quyền sử dụng đất', '', '', ''],
      ['2', 'Sơ đồ thửa đất', '', '', ''],
      ['3', 'Tờ khai đăng ký đất đai', '01', '', '01'],
    ]);

    // The papers received, a second request is not offered: the law asks for them once (SUPPLEMENT_REQUESTS=once; under
    // `repeat` the panel is offered and says when they were asked before, tests/integration/lifecycle.test.ts).
    clock.set(vn('2026-02-09T10:00'));
    const back = await agent.post(`${page(code)}/thao-tac`).type('form').send({ _csrf: csrf, action: 'receive_supplement', version: '2' });
    expect(back.status).toBe(303);
    const received = (await agent.get(back.headers.location)).text;
    // The answer gives the new appointment (3 working days from 10:00 Mon 09/02: 10:00 Thu 12/02), and Enter reprints the receipt.
    expect(received).toContain('Đã nhận hồ sơ bổ sung. Hẹn trả kết quả 10:00 12/02/2026: in lại giấy tiếp nhận để giao cho công dân.');
    expect(received).toMatch(/id="print-receipt" href="[^"]+\/giay-tiep-nhan" autofocus data-autofocus="1"/);
    expect(received).not.toContain('action-request_supplement');
    expect(received).not.toContain('id="supplement-again"');
    expect(received).toContain('action-pause');
  });

  it('when a clerk corrects a mistyped phone and name, then the dossier holds the new ones, the history the old with the reason, and a bad value or a stale page is answered with what was typed', async () => {
    const code = await receive('1.012756', '2026-02-09T08:20');
    clock.set(vn('2026-02-09T09:30'));
    const { agent, csrf } = await loginAgent(app, 'canbo_dat');
    const shown = await agent.get(page(code));
    expect(shown.text).toContain('<summary>Sửa thông tin người nộp, thành phần hồ sơ</summary>');
    expect(shown.text).toContain('id="c-applicantPhone" name="applicantPhone" value="0912345678"');
    const url = `${page(code)}/sua-thong-tin`;
    const form = { _csrf: csrf, applicantName: 'Trần Thị Bích Ngọc', applicantPhone: '0918 000 11', applicantAddress: 'Số 12 đường 30/4, phường Ninh Kiều', sets: '1', reason: 'Nhập nhầm', version: '1' };
    const bad = await agent.post(url).type('form').send(form);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<details class="card correct-panel" id="correct" open>');
    expect(bad.text).toContain('value="0918 000 11"');
    expect(bad.text).toContain('id="c-applicantPhone-error">Số điện thoại không hợp lệ');
    expect((await t.db('dossiers').where({ code }).first()).applicant_name).toBe('Trần Thị Bích');

    const good = await agent.post(url).type('form').send({ ...form, applicantPhone: '0918 000 111' });
    expect(good.headers.location).toBe(`${page(code)}?ok=corrected`);
    const row = await t.db('dossiers').where({ code }).first();
    expect(row).toMatchObject({ applicant_name: 'Trần Thị Bích Ngọc', applicant_phone: '0918000111', version: 2 });
    const after = await agent.get(good.headers.location);
    expect(after.text).toContain('Sửa thông tin người nộp, thành phần hồ sơ</strong>');
    expect(after.text).toContain('<li>Họ tên: Trần Thị Bích → Trần Thị Bích Ngọc</li>');
    expect(after.text).toContain('<li>Điện thoại: 0912345678 → 0918000111</li>');
    expect(after.text).toContain('Lý do: Nhập nhầm');
    // The search finds the corrected name; the same form sent again from the stale page is refused.
    expect((await request(app).get(`/api/v1/dossiers?q=${encodeURIComponent('Bích Ngọc')}`).set(bearer(landClerk))).body.total).toBe(1);
    const stale = await agent.post(url).type('form').send({ ...form, applicantPhone: '0918 000 112' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('value="0918 000 112"');
    // A head reads the dossier and corrects nothing.
    const head = await loginAgent(app, 'lanhdao_dat');
    expect((await head.agent.get(page(code))).text).not.toContain('sua-thong-tin');
    expect((await head.agent.post(url).type('form').send({ ...form, applicantPhone: '0918000111', _csrf: head.csrf, version: '2' })).status).toBe(403);
  });

  it('when one paper asked for is longer than a line may be, then 422 says which one beside the list, keeps the text and writes nothing', async () => {
    const code = await receive('1.012756', '2026-02-09T08:15');
    const { agent, csrf } = await loginAgent(app, 'canbo_dat');
    const before = await eventCount(code);
    const items = `Đơn đề nghị\r\n${'Bản sao giấy tờ '.repeat(20)}`;
    const res = await agent.post(`${page(code)}/thao-tac`).type('form').send({ _csrf: csrf, action: 'request_supplement', version: '1', items, reason: 'Thiếu giấy tờ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="items-request_supplement-error">Giấy tờ thứ 2: Tối đa 300 ký tự cho mỗi giấy tờ: tách thành nhiều dòng.</p>');
    // read with its field by a screen reader
    expect(res.text).toContain('aria-describedby="items-request_supplement-hint items-request_supplement-error" aria-invalid="true"');
    expect(res.text).toContain('Bản sao giấy tờ Bản sao giấy tờ');
    expect(await eventCount(code)).toEqual(before);
  });

  it('when the print of an event that is not a supplement request is asked, then 404', async () => {
    const code = await receive('1.012756', '2026-02-09T08:20');
    const receiveEvent = await t.db('dossier_events').where({ type: 'receive' }).orderBy('id', 'desc').first();
    const { agent } = await loginAgent(app, 'canbo_dat');
    const res = await agent.get(`${page(code)}/phieu-bo-sung/${receiveEvent.id}`);
    expect(res.status).toBe(404);
  });
});

describe('errors on the action forms', () => {
  it('when a clerk posts with a stale version, then a 409 page says someone else updated it and keeps the typed reason', async () => {
    const code = await receive('1.012756', '2026-02-09T08:30');
    clock.set(vn('2026-02-09T09:00'));
    const { agent, csrf } = await loginAgent(app, 'canbo_dat');
    const before = await agent.get(page(code));
    expect(before.text).toContain('name="version" value="1"');
    // Meanwhile a colleague pauses and resumes: version 3, processing again
    await apiAct('2026-02-09T09:10', colleague, code, { action: 'pause', version: 1, reason: 'Chờ ý kiến' });
    await apiAct('2026-02-09T09:20', colleague, code, { action: 'resume', version: 2 });
    const written = await eventCount(code);

    clock.set(vn('2026-02-09T09:30'));
    const res = await agent
      .post(`${page(code)}/thao-tac`)
      .type('form')
      .send({ _csrf: csrf, action: 'pause', version: '1', reason: 'Chờ kết quả thẩm định giá đất' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('vừa được người khác cập nhật');
    expect(res.text).toMatch(/<textarea id="reason-pause"[^>]*>Chờ kết quả thẩm định giá đất<\/textarea>/);
    expect(res.text).toMatch(/<details class="action action-pause" open>/);
    // the page now carries the current version, so sending again works
    expect(res.text).toContain('name="version" value="3"');
    expect(await eventCount(code)).toEqual(written);
  });

  it('when a clerk posts an action the state does not allow, then a 409 page names the state and nothing is written', async () => {
    const code = await receive('1.012756', '2026-02-09T08:40');
    clock.set(vn('2026-02-09T09:40'));
    const { agent, csrf } = await loginAgent(app, 'canbo_dat');
    const res = await agent.post(`${page(code)}/thao-tac`).type('form').send({ _csrf: csrf, action: 'return', version: '1' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('khi hồ sơ đang ở trạng thái &#34;Đang giải quyết&#34;');
    expect(await eventCount(code)).toEqual({ version: 1, events: 1 });
  });

  it('when a clerk posts a pause without reason, then a 422 page shows the error beside the reason and nothing is written', async () => {
    const code = await receive('1.012756', '2026-02-09T08:50');
    clock.set(vn('2026-02-09T09:50'));
    const { agent, csrf } = await loginAgent(app, 'canbo_dat');
    const res = await agent.post(`${page(code)}/thao-tac`).type('form').send({ _csrf: csrf, action: 'pause', version: '1', reason: '' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<p class="field-error" id="reason-pause-error">Nhập lý do tạm dừng/);
    expect(res.text).toContain('<label for="reason-pause">Lý do *</label>');
    expect(res.text).toMatch(/<textarea id="reason-pause" name="reason" rows="2" maxlength="2000" required aria-describedby="reason-pause-error" aria-invalid="true">/);
    expect(await eventCount(code)).toEqual({ version: 1, events: 1 });
  });

  it('when a head posts an action form anyway, then 403 and nothing is written', async () => {
    const code = await receive('1.012756', '2026-02-09T08:55');
    clock.set(vn('2026-02-09T09:55'));
    const { agent, csrf } = await loginAgent(app, 'lanhdao_dat');
    const res = await agent.post(`${page(code)}/thao-tac`).type('form').send({ _csrf: csrf, action: 'pause', version: '1', reason: 'Chờ ý kiến' });
    expect(res.status).toBe(403);
    expect(await eventCount(code)).toEqual({ version: 1, events: 1 });
  });
});

describe('backdating through the page (admins only)', () => {
  it('when a clerk opens the page, then the forms have no date/time fields; an admin gets them', async () => {
    const code = await receive('1.012756', '2026-02-09T08:57');
    clock.set(vn('2026-02-09T10:00'));
    const clerk = await loginAgent(app, 'canbo_dat');
    expect((await clerk.agent.get(page(code))).text).not.toContain('name="atDate"');
    const admin = await loginAgent(app, 'quantri');
    expect((await admin.agent.get(page(code))).text).toContain('name="atDate"');
  });

  it('when an admin posts a pause dated 09:00 at 10:00, then the event is at 09:00 and the timeline says when it was recorded', async () => {
    const code = await receive('1.012756', '2026-02-09T08:58');
    clock.set(vn('2026-02-09T10:00'));
    const { agent, csrf } = await loginAgent(app, 'quantri');
    const res = await agent
      .post(`${page(code)}/thao-tac`)
      .type('form')
      .send({ _csrf: csrf, action: 'pause', version: '1', reason: 'Nhập bù: chờ thẩm định', atDate: '2026-02-09', atTime: '09:00' });
    expect(res.status).toBe(303);
    const event = await t.db('dossier_events').orderBy('id', 'desc').first();
    expect(event).toMatchObject({ type: 'pause', at: vn('2026-02-09T09:00').toISOString(), recorded_at: vn('2026-02-09T10:00').toISOString(), actor_name: 'Nguyễn Văn quantri' });
    const shown = await agent.get(res.headers.location);
    expect(shown.text).toContain('(ghi nhận lúc 10:00 09/02/2026)');
  });

  it('when an admin posts a date in the future, then a 422 page shows the error beside the date and nothing is written', async () => {
    const code = await receive('1.012756', '2026-02-09T08:59');
    clock.set(vn('2026-02-09T10:00'));
    const { agent, csrf } = await loginAgent(app, 'quantri');
    const res = await agent
      .post(`${page(code)}/thao-tac`)
      .type('form')
      .send({ _csrf: csrf, action: 'pause', version: '1', reason: 'Chờ thẩm định', atDate: '2026-02-09', atTime: '11:00' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<p class="field-error" id="atDate-[a-z_]+-error">Không được ghi thời điểm trong tương lai/);
    expect(res.text).toContain('value="2026-02-09"');
    expect(await eventCount(code)).toEqual({ version: 1, events: 1 });
  });
});

describe('the process-control slip', () => {
  it('when a dossier went receive → transfer → resolve → return, then each hand-over is a Giao/Nhận pair with its time and Trước hạn / Đúng hạn / Quá hạn', async () => {
    // received Mon 09/02/2026 08:00 + 3 working days → due Thu 12/02 08:00;
    // transfer 10/02 (earlier day: early), result 12/02 07:45 (same day, before 08:00: on time), return 12/02 09:00 (late)
    const code = await receive('1.012756', '2026-02-09T08:00');
    await apiAct('2026-02-10T09:00', landClerk, code, { action: 'transfer', version: 1, toAgencyCode: AGENCIES.centre.code });
    await apiAct('2026-02-12T07:45', centreClerk, code, { action: 'resolve', version: 2, outcome: 'approved' });
    await apiAct('2026-02-12T09:00', landClerk, code, { action: 'return', version: 3 });

    const { agent } = await loginAgent(app, 'canbo_dat');
    const res = await agent.get(`${page(code)}/phieu-kiem-soat`);
    expect(res.status).toBe(200);
    expect(res.text.toUpperCase()).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(res.text).toContain('Mẫu số 06'); // Thông tư 03/2025 for a dossier of 2026
    expect(res.text).toContain(`Mã hồ sơ: <strong>${code}</strong>`);
    // the centre resolves it; the land department, which had it first, co-ordinated (the line was missing)
    expect(res.text).toContain('<p>Cơ quan phối hợp giải quyết: Sở Nông nghiệp và Môi trường</p>');

    const rows = tableRows(res.text).filter((cells) => /^[12]\. (Giao|Nhận):/.test(cells[0] ?? ''));
    expect(rows).toEqual([
      ['1. Giao: Bộ phận tiếp nhận và trả kết quả (Sở Nông nghiệp và Môi trường)', '08 giờ 00 phút, ngày 09/02/2026 Nguyễn Văn canbo_dat', 'Trước hạn', ''],
      ['2. Nhận: Sở Nông nghiệp và Môi trường'],
      ['1. Giao: Sở Nông nghiệp và Môi trường', '09 giờ 00 phút, ngày 10/02/2026 Nguyễn Văn canbo_dat', 'Trước hạn', ''],
      ['2. Nhận: Trung tâm Phục vụ hành chính công thành phố Cần Thơ'],
      ['1. Giao: Trung tâm Phục vụ hành chính công thành phố Cần Thơ', '07 giờ 45 phút, ngày 12/02/2026 Nguyễn Văn canbo_tt', 'Đúng hạn', ''],
      ['2. Nhận: Bộ phận tiếp nhận và trả kết quả'],
      ['1. Giao: Bộ phận tiếp nhận và trả kết quả', '09 giờ 00 phút, ngày 12/02/2026 Nguyễn Văn canbo_dat', 'Quá hạn', ''],
      ['2. Nhận: Trần Thị Bích'],
    ]);
  });
});

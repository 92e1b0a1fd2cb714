import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { addUser, AGENCIES, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

/** A wall-clock reading in Vietnam (UTC+7) as an instant, and as the API writes it. */
const vn = (local: string) => new Date(`${local}:00+07:00`);
const api = (local: string) => `${local}:00+07:00`;
const bearer = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

let t: TestDb;
let app: ReturnType<typeof makeApp>['app'];
let clock: ReturnType<typeof makeApp>['clock'];
let errors: unknown[];
let landClerk: TestUser;
let centreClerk: TestUser;
let wardClerk: TestUser;
let landHead: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  landClerk = await addUser(t.db, 'canbo_dat', 'clerk', AGENCIES.land.code);
  centreClerk = await addUser(t.db, 'canbo_tt', 'clerk', AGENCIES.centre.code);
  wardClerk = await addUser(t.db, 'canbo_phuong', 'clerk', AGENCIES.ward.code);
  landHead = await addUser(t.db, 'lanhdao_dat', 'head', AGENCIES.land.code);
  admin = await addUser(t.db, 'quantri', 'admin', null);
  ({ app, clock, errors } = makeApp(t.db, vn('2026-01-05T08:00').toISOString()));
});

afterAll(async () => {
  expect(errors).toEqual([]); // no request ended in an unhandled 500
  await t?.destroy();
});

/** The clerk receives a dossier at a local instant (the clock is set there). */
async function receive(procedureCode: string, local: string, user = landClerk) {
  clock.set(vn(local));
  const res = await request(app)
    .post('/api/v1/dossiers')
    .set(bearer(user))
    .send({ procedureCode, channel: 'in_person', applicant: { name: 'Trần Thị Bích', phone: '0912345678' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { code: string; dueAt: string; version: number; status: string };
}

function act(user: TestUser, code: string, body: Record<string, unknown>) {
  return request(app).post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`).set(bearer(user)).send(body);
}

/** Moves the clock to a local instant and takes an action; the answer must be 200. */
async function actAt(local: string, user: TestUser, code: string, body: Record<string, unknown>) {
  clock.set(vn(local));
  const res = await act(user, code, body);
  expect(res.status, `${String(body.action)} at ${local}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** What the database holds for a dossier: its row and its events. */
async function snapshot(code: string) {
  const row = await t.db('dossiers').where({ code }).first();
  const events = await t.db('dossier_events').where({ dossier_id: row.id }).orderBy('id');
  return { row, events };
}

const lastEvent = (body: { events: Record<string, unknown>[] }) => body.events[body.events.length - 1];
const traceTexts = (body: { dueTrace: { text: string }[] }) => body.dueTrace.map((s) => s.text);

describe('full story on the pause procedure 1.012994 (10 working days)', () => {
  it('when paused, resumed, supplemented, transferred, resolved late and returned, then every deadline, version and event is exact', async () => {
    // Mon 05/01/2026 08:00 + 10 working days (Sat 10/01 is a make-up working day) → Fri 16/01 08:00
    const d = await receive('1.012994', '2026-01-05T08:00');
    expect(d).toMatchObject({ status: 'processing', version: 1, dueAt: api('2026-01-16T08:00'), appointmentAt: api('2026-01-16T08:00') });
    const code = d.code;

    // Wed 07/01 10:00: 1020 minutes used (420 + 450 + 150), 3480 left; the deadline does not move
    let b = await actAt('2026-01-07T10:00', landClerk, code, { action: 'pause', version: 1, reason: 'Chờ thực hiện nghĩa vụ tài chính' });
    expect(b).toMatchObject({ status: 'paused', version: 2, dueAt: api('2026-01-16T08:00'), late: false });
    expect(lastEvent(b)).toMatchObject({
      type: 'pause',
      at: api('2026-01-07T10:00'),
      actor: 'Nguyễn Văn canbo_dat',
      reason: 'Chờ thực hiện nghĩa vụ tài chính',
      remainingMinutes: 3480,
    });
    expect(traceTexts(b).at(-1)).toContain('Tạm dừng lúc 10:00 07/01/2026 (Thứ Tư)');
    expect(traceTexts(b).at(-1)).toContain('3.480 phút');

    // Mon 12/01 14:00 + 3480: 180, then 13–16/01 (1800), 19–21/01 (1350), Thu 22/01 07:30 + 150 → 10:00
    b = await actAt('2026-01-12T14:00', landClerk, code, { action: 'resume', version: 2 });
    expect(b).toMatchObject({ status: 'processing', version: 3, dueAt: api('2026-01-22T10:00'), appointmentAt: api('2026-01-22T10:00') });
    expect(lastEvent(b)).toMatchObject({ type: 'resume', at: api('2026-01-12T14:00') });
    expect(new Date(lastEvent(b).dueBefore as string)).toEqual(vn('2026-01-16T08:00'));
    expect(new Date(lastEvent(b).dueAt as string)).toEqual(vn('2026-01-22T10:00'));
    // The weekend the count passes over is told, as at intake.
    expect(traceTexts(b).slice(-4)).toEqual([
      expect.stringContaining('Tiếp tục giải quyết lúc 14:00 12/01/2026 (Thứ Hai)'),
      'Bỏ qua Thứ Bảy 17/01/2026',
      'Bỏ qua Chủ nhật 18/01/2026',
      'Hạn giải quyết mới: 10:00 22/01/2026 (Thứ Năm)',
    ]);

    // Tue 13/01 09:00: 270 more minutes used → 3210 left
    b = await actAt('2026-01-13T09:00', landClerk, code, {
      action: 'request_supplement',
      version: 3,
      reason: 'Hồ sơ thiếu giấy tờ',
      items: ['Bản sao quyết định thu hồi đất', 'Tờ khai có xác nhận'],
    });
    expect(b).toMatchObject({ status: 'awaiting_supplement', version: 4, dueAt: api('2026-01-22T10:00') });
    expect(lastEvent(b)).toMatchObject({
      type: 'request_supplement',
      remainingMinutes: 3210,
      items: ['Bản sao quyết định thu hồi đất', 'Tờ khai có xác nhận'],
      reason: 'Hồ sơ thiếu giấy tờ',
    });

    // Mon 19/01 08:30 + 3210 (pause procedure: the minutes left): 390, 20–23/01 (1800), 26–27/01 (900), Wed 28/01 07:30 + 120 → 09:30
    b = await actAt('2026-01-19T08:30', landClerk, code, { action: 'receive_supplement', version: 4 });
    expect(b).toMatchObject({ status: 'processing', version: 5, dueAt: api('2026-01-28T09:30') });

    // Tue 20/01 10:00: transfer to the centre; the deadline does not move
    b = await actAt('2026-01-20T10:00', landClerk, code, { action: 'transfer', version: 5, toAgencyCode: AGENCIES.centre.code });
    expect(b).toMatchObject({ status: 'processing', version: 6, agencyCode: AGENCIES.centre.code, receivedAgencyCode: AGENCIES.land.code, dueAt: api('2026-01-28T09:30') });
    expect(lastEvent(b)).toMatchObject({
      type: 'transfer',
      fromAgencyCode: AGENCIES.land.code,
      toAgencyCode: AGENCIES.centre.code,
      toAgencyName: AGENCIES.centre.name,
    });

    // Thu 29/01 08:00, after the deadline: resolved late by the centre's clerk
    b = await actAt('2026-01-29T08:00', centreClerk, code, { action: 'resolve', version: 6, outcome: 'approved' });
    expect(b).toMatchObject({ status: 'resolved', version: 7, outcome: 'approved', late: true, finishedAt: api('2026-01-29T08:00'), dueAt: api('2026-01-28T09:30') });
    expect(lastEvent(b)).toMatchObject({ type: 'resolve', actor: 'Nguyễn Văn canbo_tt', outcome: 'approved', late: true });

    b = await actAt('2026-01-30T09:00', landClerk, code, { action: 'return', version: 7 });
    expect(b).toMatchObject({ status: 'returned', version: 8, late: true, finishedAt: api('2026-01-29T08:00') });

    const full = await request(app).get(`/api/v1/dossiers/${encodeURIComponent(code)}`).set(bearer(landClerk));
    expect(full.status).toBe(200);
    expect(full.body.events.map((e: { type: string; actor: string; at: string }) => [e.type, e.actor, e.at])).toEqual([
      ['receive', 'Nguyễn Văn canbo_dat', api('2026-01-05T08:00')],
      ['pause', 'Nguyễn Văn canbo_dat', api('2026-01-07T10:00')],
      ['resume', 'Nguyễn Văn canbo_dat', api('2026-01-12T14:00')],
      ['request_supplement', 'Nguyễn Văn canbo_dat', api('2026-01-13T09:00')],
      ['receive_supplement', 'Nguyễn Văn canbo_dat', api('2026-01-19T08:30')],
      ['transfer', 'Nguyễn Văn canbo_dat', api('2026-01-20T10:00')],
      ['resolve', 'Nguyễn Văn canbo_tt', api('2026-01-29T08:00')],
      ['return', 'Nguyễn Văn canbo_dat', api('2026-01-30T09:00')],
    ]);

    // Who, when and what, for every event in the database
    const { events } = await snapshot(code);
    const ids = new Map([[landClerk.id, 'Nguyễn Văn canbo_dat'], [centreClerk.id, 'Nguyễn Văn canbo_tt']]);
    for (const e of events) {
      expect(ids.get(e.actor_id), e.type).toBe(e.actor_name);
      expect(e.recorded_at).toBe(e.at); // nothing was backdated here
      expect(() => JSON.parse(e.data)).not.toThrow();
    }
  });

  it('when a dossier is transferred, then a clerk of the receiving agency sees it in the list and one of an unrelated agency does not', async () => {
    const d = await receive('1.012994', '2026-01-06T09:00');
    await actAt('2026-01-06T10:00', landClerk, d.code, { action: 'transfer', version: 1, toAgencyCode: AGENCIES.centre.code });

    const codesFor = async (u: TestUser) => {
      const res = await request(app).get('/api/v1/dossiers?pageSize=500').set(bearer(u));
      expect(res.status).toBe(200);
      return res.body.items.map((i: { code: string }) => i.code) as string[];
    };
    expect(await codesFor(centreClerk)).toContain(d.code);
    expect(await codesFor(landClerk)).toContain(d.code); // the receiving desk keeps it
    expect(await codesFor(wardClerk)).not.toContain(d.code);
    const one = await request(app).get(`/api/v1/dossiers/${encodeURIComponent(d.code)}`).set(bearer(centreClerk));
    expect(one.status).toBe(200);
    expect(one.body.agencyCode).toBe(AGENCIES.centre.code);
    expect(one.body.events.map((e: { type: string }) => e.type)).toEqual(['receive', 'transfer']);
  });
});

describe('full story on the restart procedure 1.012756 (3 working days) across Tết 2026', () => {
  it('when a supplement is requested and received just before Tết, then the whole duration restarts from its receipt and a resolution that day is on time', async () => {
    // Mon 09/02/2026 08:00 + 1350 → Thu 12/02 08:00
    const d = await receive('1.012756', '2026-02-09T08:00');
    expect(d.dueAt).toBe(api('2026-02-12T08:00'));

    // Tue 10/02 10:00: 570 used, 780 left; the deadline stays until the supplement comes
    let b = await actAt('2026-02-10T10:00', landClerk, d.code, {
      action: 'request_supplement',
      version: 1,
      reason: 'Thiếu giấy tờ theo quy định',
      items: 'Bản sao giấy chứng nhận quyền sử dụng đất\nSơ đồ thửa đất',
    });
    expect(b).toMatchObject({ status: 'awaiting_supplement', version: 2, dueAt: api('2026-02-12T08:00') });
    expect(lastEvent(b)).toMatchObject({ remainingMinutes: 780, items: ['Bản sao giấy chứng nhận quyền sử dụng đất', 'Sơ đồ thửa đất'] });

    // Fri 13/02 15:00 + 1350 across Tết (14–22/02 off) → Wed 25/02 15:00
    b = await actAt('2026-02-13T15:00', landClerk, d.code, { action: 'receive_supplement', version: 2 });
    expect(b).toMatchObject({ status: 'processing', version: 3, dueAt: api('2026-02-25T15:00'), appointmentAt: api('2026-02-25T15:00'), late: false });
    const texts = traceTexts(b);
    expect(texts).toContainEqual(expect.stringContaining('Yêu cầu bổ sung lúc 10:00 10/02/2026 (Thứ Ba)'));
    // Then the nine days of Tết and its weekends the new count passes over (14–22/02).
    expect(texts.at(-11)).toContain('Nhận hồ sơ bổ sung lúc 15:00 13/02/2026 (Thứ Sáu)');
    expect(texts.slice(-10, -1).every((t) => t.startsWith('Bỏ qua '))).toBe(true);
    expect(texts.at(-10)).toBe('Bỏ qua Thứ Bảy 14/02/2026');
    expect(texts.at(-1)).toBe('Hạn giải quyết mới: 15:00 25/02/2026 (Thứ Tư)');

    b = await actAt('2026-02-25T14:00', landClerk, d.code, { action: 'resolve', version: 3, outcome: 'approved' });
    expect(b).toMatchObject({ status: 'resolved', version: 4, late: false, finishedAt: api('2026-02-25T14:00') });
    expect(lastEvent(b)).toMatchObject({ type: 'resolve', late: false });

    b = await actAt('2026-02-26T09:00', landClerk, d.code, { action: 'return', version: 4 });
    expect(b).toMatchObject({ status: 'returned', version: 5, late: false });
    expect(b.events.map((e: { type: string }) => e.type)).toEqual(['receive', 'request_supplement', 'receive_supplement', 'resolve', 'return']);
  });

  it('when resolved with a refusal and its reason, then the outcome and reason are kept', async () => {
    const d = await receive('1.012756', '2026-02-09T09:00');
    const b = await actAt('2026-02-10T09:00', landClerk, d.code, { action: 'resolve', version: 1, outcome: 'refused', reason: 'Không đủ điều kiện cấp giấy chứng nhận' });
    expect(b).toMatchObject({ status: 'resolved', outcome: 'refused', late: false, finishedAt: api('2026-02-10T09:00') });
    expect(lastEvent(b)).toMatchObject({ outcome: 'refused', reason: 'Không đủ điều kiện cấp giấy chứng nhận' });
    const { row } = await snapshot(d.code);
    expect(row.outcome_reason).toBe('Không đủ điều kiện cấp giấy chứng nhận');
  });

  it('when the citizen withdraws while a supplement is awaited, then the dossier is withdrawn and finishedAt is the withdrawal', async () => {
    const d = await receive('1.012756', '2026-02-09T10:00');
    await actAt('2026-02-10T10:00', landClerk, d.code, { action: 'request_supplement', version: 1, reason: 'Thiếu tờ khai', items: ['Tờ khai'] });
    const b = await actAt('2026-02-10T11:00', landClerk, d.code, { action: 'withdraw', version: 2, reason: 'Công dân có đơn xin rút hồ sơ' });
    expect(b).toMatchObject({ status: 'withdrawn', version: 3, finishedAt: api('2026-02-10T11:00'), late: false });
    expect(lastEvent(b)).toMatchObject({ type: 'withdraw', reason: 'Công dân có đơn xin rút hồ sơ' });
    // a finished dossier takes no more actions
    clock.set(vn('2026-02-10T11:30'));
    const again = await act(landClerk, d.code, { action: 'resume', version: 3 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('"Đã rút hồ sơ"');
  });

  it('when the citizen withdraws long after the old deadline while a supplement was awaited, then the dossier is not late (SPEC §5: late = open past dueAt or resolved after it; §6 counts withdrawals on time)', async () => {
    const d = await receive('1.012756', '2026-02-09T10:30');
    await actAt('2026-02-10T10:00', landClerk, d.code, { action: 'request_supplement', version: 1, reason: 'Thiếu tờ khai', items: ['Tờ khai'] });
    const b = await actAt('2026-03-02T09:00', landClerk, d.code, { action: 'withdraw', version: 2, reason: 'Công dân không bổ sung, xin rút' });
    expect(b).toMatchObject({ status: 'withdrawn', finishedAt: api('2026-03-02T09:00') });
    expect(b.late).toBe(false);
    const late = await request(app).get('/api/v1/dossiers?late=true&pageSize=500').set(bearer(landClerk));
    expect(late.body.items.map((i: { code: string }) => i.code)).not.toContain(d.code);
  });
});

describe('the papers are asked for once (Nghị định 118/2025/NĐ-CP, as 61/2018 before it: SUPPLEMENT_REQUESTS=once)', () => {
  // Land registration, 3 working days, restart. Received Mon 04/05/2026 08:00, due Thu 07/05 08:00 (Mon 07:30 + 1,350).
  async function askedAndBrought(received: string) {
    const d = await receive('1.012756', received);
    await actAt('2026-05-04T09:00', landClerk, d.code, { action: 'request_supplement', version: 1, reason: 'Thiếu tờ khai', items: ['Tờ khai'] });
    return actAt('2026-05-05T09:00', landClerk, d.code, { action: 'receive_supplement', version: 2 });
  }

  it('when a supplement is asked for a second time, then 409 supplement_already_requested names the first request, and nothing is written: the restart gave a whole new duration at each request', async () => {
    const brought = await askedAndBrought('2026-05-04T08:00');
    // the papers came Tue 05/05 09:00: a whole 3 working days again, due Fri 08/05 09:00
    expect(brought).toMatchObject({ status: 'processing', version: 3, dueAt: api('2026-05-08T09:00') });
    clock.set(vn('2026-05-07T16:00'));
    const before = await snapshot(brought.code);
    const again = await act(landClerk, brought.code, { action: 'request_supplement', version: 3, reason: 'Thiếu bản vẽ', items: ['Bản vẽ hiện trạng'] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('supplement_already_requested');
    expect(again.body.error.message).toContain('09:00 04/05/2026');
    expect(again.body.error.message).toContain('chỉ thực hiện một lần');
    const after = await snapshot(brought.code);
    expect(after.row).toEqual(before.row);
    expect(after.events).toHaveLength(before.events.length);
  });

  it("when the dossier's page is shown after the papers came, then it no longer offers to ask for them", async () => {
    const brought = await askedAndBrought('2026-05-04T08:10');
    const { agent } = await loginAgent(app, 'canbo_dat');
    const page = await agent.get(`/ho-so/${encodeURIComponent(brought.code)}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('action-request_supplement');
    expect(page.text).toContain('action-pause');
  });

  it('when SUPPLEMENT_REQUESTS=repeat, then a second request is taken and, the procedure restarting, the papers brought again give a whole new duration (SPEC §4 sets no limit)', async () => {
    const repeat = makeApp(t.db, vn('2026-05-04T08:20').toISOString(), { SUPPLEMENT_REQUESTS: 'repeat' });
    const go = (local: string, code: string, body: Record<string, unknown>) => {
      repeat.clock.set(vn(local));
      return request(repeat.app).post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`).set(bearer(landClerk)).send(body);
    };
    const brought = await askedAndBrought('2026-05-04T08:20');
    const second = await go('2026-05-07T16:00', brought.code, { action: 'request_supplement', version: 3, reason: 'Thiếu bản vẽ', items: ['Bản vẽ hiện trạng'] });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const back = await go('2026-05-11T09:00', brought.code, { action: 'receive_supplement', version: 4 });
    expect(back.body).toMatchObject({ status: 'processing', dueAt: api('2026-05-14T09:00') });
    const page = await (await loginAgent(repeat.app, 'canbo_dat')).agent.get(`/ho-so/${encodeURIComponent(brought.code)}`);
    // offered, with the warning that the law asks once
    expect(page.text).toContain('action-request_supplement');
    expect(page.text).toContain('<p class="flash warn" id="supplement-again">Hồ sơ đã được yêu cầu bổ sung 2 lần (lần gần nhất 16:00 07/05/2026). Việc yêu cầu bổ sung, hoàn thiện hồ sơ chỉ được thực hiện một lần');
    expect(repeat.errors).toEqual([]);
  });
});

describe('refused actions write nothing', () => {
  let code: string;

  beforeAll(async () => {
    // Mon 02/03/2026 08:00; paused and resumed → version 3, processing
    const d = await receive('1.012756', '2026-03-02T08:00');
    code = d.code;
    await actAt('2026-03-02T09:00', landClerk, code, { action: 'pause', version: 1, reason: 'Chờ thẩm định' });
    await actAt('2026-03-02T10:00', landClerk, code, { action: 'resume', version: 2 });
    clock.set(vn('2026-03-02T10:30'));
  });

  async function expectNothingWritten(send: () => Promise<request.Response>) {
    const before = await snapshot(code);
    const res = await send();
    const after = await snapshot(code);
    expect(after.row).toEqual(before.row);
    expect(after.events).toHaveLength(before.events.length);
    return res;
  }

  it('when the version is stale, then 409 says someone else just updated the dossier', async () => {
    const res = await expectNothingWritten(() => act(landClerk, code, { action: 'pause', version: 2, reason: 'Chờ thẩm định lần 2' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('stale_version');
    expect(res.body.error.message).toContain('vừa được người khác cập nhật');
  });

  it('when the version is not a whole number, then 422 says so and nothing is written (true acted as version 1, [3] as 3)', async () => {
    for (const version of [true, [3], 'abc']) {
      const res = await expectNothingWritten(() => act(landClerk, code, { action: 'pause', version, reason: 'Chờ thẩm định' }));
      expect(res.status, JSON.stringify(version)).toBe(422);
      expect(res.body.error.fields.version).toBe('version là số nguyên từ 1 (phiên bản hồ sơ).');
    }
    const missing = await expectNothingWritten(() => act(landClerk, code, { action: 'pause', reason: 'Chờ thẩm định' }));
    expect(missing.body.error.fields.version).toBe('Thiếu phiên bản hồ sơ (version).');
  });

  it('when the action is not allowed in the current state, then 409 names the state', async () => {
    const res = await expectNothingWritten(() => act(landClerk, code, { action: 'resume', version: 3 }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
    expect(res.body.error.message).toContain('"Đang giải quyết"');
  });

  it.each([
    ['an unknown action', { action: 'approve', version: 3 }, 'action'],
    ['a pause without reason', { action: 'pause', version: 3 }, 'reason'],
    ['a pause with a blank reason', { action: 'pause', version: 3, reason: '   ' }, 'reason'],
    ['a supplement request without reason', { action: 'request_supplement', version: 3, items: ['Tờ khai'] }, 'reason'],
    ['a supplement request without items', { action: 'request_supplement', version: 3, reason: 'Thiếu giấy tờ' }, 'items'],
    ['a supplement request with only blank lines', { action: 'request_supplement', version: 3, reason: 'Thiếu giấy tờ', items: '\n  \n' }, 'items'],
    ['a refusal without reason', { action: 'resolve', version: 3, outcome: 'refused' }, 'reason'],
    ['a resolution without outcome', { action: 'resolve', version: 3 }, 'outcome'],
    ['a resolution with an unknown outcome', { action: 'resolve', version: 3, outcome: 'maybe' }, 'outcome'],
    ['a transfer without agency', { action: 'transfer', version: 3 }, 'toAgencyCode'],
    ['a transfer to an unknown agency', { action: 'transfer', version: 3, toAgencyCode: '999.99.99.H13' }, 'toAgencyCode'],
    ['a transfer to the agency that holds it', { action: 'transfer', version: 3, toAgencyCode: AGENCIES.land.code }, 'toAgencyCode'],
    ['an action without version', { action: 'pause', reason: 'Chờ thẩm định' }, 'version'],
  ])('when the input is %s, then 422 in Vietnamese on that field', async (_name, body, field) => {
    const res = await expectNothingWritten(() => act(landClerk, code, body));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(VIETNAMESE);
    expect(res.body.error.fields[field]).toMatch(VIETNAMESE);
  });

  it('when a head tries an action, then 403 and nothing is written', async () => {
    const res = await expectNothingWritten(() => act(landHead, code, { action: 'pause', version: 3, reason: 'Chờ thẩm định' }));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(VIETNAMESE);
  });

  it("when a clerk of another agency acts on the dossier, then 404 and nothing is written", async () => {
    const res = await expectNothingWritten(() => act(wardClerk, code, { action: 'pause', version: 3, reason: 'Chờ thẩm định' }));
    expect(res.status).toBe(404);
  });

  it('when all those requests are over, then the dossier is still processing at version 3', async () => {
    const { row, events } = await snapshot(code);
    expect(row.status).toBe('processing');
    expect(row.version).toBe(3);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['receive', 'pause', 'resume']);
  });
});

describe('backdating with "at"', () => {
  let code: string;

  beforeAll(async () => {
    // Tue 03/03/2026 08:00 + 1350 → Fri 06/03 08:00; now is 11:00
    const d = await receive('1.012756', '2026-03-03T08:00');
    code = d.code;
    clock.set(vn('2026-03-03T11:00'));
  });

  it('when a clerk sends an instant one hour in the past, then 403 and nothing is written', async () => {
    const before = await snapshot(code);
    const res = await act(landClerk, code, { action: 'pause', version: 1, reason: 'Chờ thẩm định', at: api('2026-03-03T10:00') });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(VIETNAMESE);
    expect(await snapshot(code)).toEqual(before);
  });

  it('when anyone sends an instant one hour in the future, then 422 on "at" and nothing is written', async () => {
    const before = await snapshot(code);
    for (const user of [landClerk, admin]) {
      const res = await act(user, code, { action: 'pause', version: 1, reason: 'Chờ thẩm định', at: api('2026-03-03T12:00') });
      expect(res.status, user.username).toBe(422);
      expect(res.body.error.fields.at).toMatch(VIETNAMESE);
    }
    expect(await snapshot(code)).toEqual(before);
  });

  it('when an admin sends an instant before the previous event, then 422 on "at" and nothing is written', async () => {
    const before = await snapshot(code);
    const res = await act(admin, code, { action: 'pause', version: 1, reason: 'Chờ thẩm định', at: api('2026-03-03T07:59') });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.at).toMatch(VIETNAMESE);
    expect(await snapshot(code)).toEqual(before);
  });

  it('when an admin backdates a pause to 10:00, then the event is at 10:00, recorded at 11:00, and the minutes left count from 10:00', async () => {
    const res = await act(admin, code, { action: 'pause', version: 1, reason: 'Chờ thẩm định', at: api('2026-03-03T10:00') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // 03/03 10:00 → 06/03 08:00: 300 + 450 + 450 + 30
    expect(lastEvent(res.body)).toMatchObject({ type: 'pause', at: api('2026-03-03T10:00'), actor: 'Nguyễn Văn quantri', remainingMinutes: 1230 });
    const { events } = await snapshot(code);
    expect(events.at(-1)).toMatchObject({ at: vn('2026-03-03T10:00').toISOString(), recorded_at: vn('2026-03-03T11:00').toISOString(), actor_id: admin.id });
  });

  it('when an admin then backdates a resume before that pause, then 422', async () => {
    const before = await snapshot(code);
    const res = await act(admin, code, { action: 'resume', version: 2, at: api('2026-03-03T09:30') });
    expect(res.status).toBe(422);
    expect(await snapshot(code)).toEqual(before);
  });
});

describe('optimistic concurrency with truly concurrent requests', () => {
  it('when 20 clerks pause the same version at once, then exactly one wins, 19 get 409 and one pause event is written', async () => {
    const d = await receive('1.012756', '2026-03-04T08:00');
    clock.set(vn('2026-03-04T09:00'));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => act(landClerk, d.code, { action: 'pause', version: 1, reason: `Chờ thẩm định ${i + 1}` })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of responses.filter((x) => x.status === 409)) {
      expect(['stale_version', 'invalid_state']).toContain(r.body.error.code);
      expect(r.body.error.message).toMatch(VIETNAMESE);
    }
    const { row, events } = await snapshot(d.code);
    expect(row.version).toBe(2);
    expect(row.status).toBe('paused');
    expect(events.filter((e: { type: string }) => e.type === 'pause')).toHaveLength(1);
    const winner = responses.find((r) => r.status === 200)!;
    expect(JSON.parse(events.at(-1).data).reason).toBe(winner.body.events.at(-1).reason);
  });

  it('when 10 concurrent resumes race with 10 concurrent withdrawals on the same version, then exactly one action is recorded', async () => {
    const d = await receive('1.012756', '2026-03-04T09:30');
    await actAt('2026-03-04T10:00', landClerk, d.code, { action: 'pause', version: 1, reason: 'Chờ thẩm định' });
    clock.set(vn('2026-03-04T10:30'));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        act(landClerk, d.code, i % 2 ? { action: 'resume', version: 2 } : { action: 'withdraw', version: 2, reason: 'Công dân xin rút' }),
      ),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(19);
    const { row, events } = await snapshot(d.code);
    expect(row.version).toBe(3);
    expect(events).toHaveLength(3);
  });
});

describe('the history is append-only', () => {
  it('when a raw UPDATE of an event is tried, then the database refuses it and the row is unchanged', async () => {
    const first = await t.db('dossier_events').orderBy('id').first();
    await expect(t.db('dossier_events').where({ id: first.id }).update({ actor_name: 'Kẻ giả mạo' })).rejects.toThrow(/append-only/);
    await expect(t.db('dossier_events').update({ at: '2000-01-01T00:00:00.000Z' })).rejects.toThrow(/append-only/);
    expect(await t.db('dossier_events').where({ id: first.id }).first()).toEqual(first);
  });

  it('when a raw DELETE of events is tried, then the database refuses it and nothing is gone', async () => {
    const before = await t.db('dossier_events').count({ n: '*' }).first();
    const first = await t.db('dossier_events').orderBy('id').first();
    await expect(t.db('dossier_events').where({ id: first.id }).delete()).rejects.toThrow(/append-only/);
    await expect(t.db('dossier_events').delete()).rejects.toThrow(/append-only/);
    expect(await t.db('dossier_events').count({ n: '*' }).first()).toEqual(before);
  });

  it('when the application code is read, then no statement updates or deletes events', () => {
    const root = path.resolve(import.meta.dirname, '../../src');
    const offending: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          for (const statement of fs.readFileSync(p, 'utf8').split(';')) {
            if (!/dossier_events/i.test(statement)) continue;
            if (/\.(update|del|delete|truncate)\(|\bUPDATE\s+dossier_events\b|\bDELETE\s+FROM\s+dossier_events\b/i.test(statement)) {
              offending.push(`${path.relative(root, p)}: ${statement.trim().slice(0, 120)}`);
            }
          }
        }
      }
    };
    walk(root);
    expect(offending).toEqual([]);
  });
});

describe('API times', () => {
  it('when an event moved the deadline, then its dueBefore/dueAt are ISO-8601 with +07:00 like every time of the API (SPEC §7)', async () => {
    const d = await receive('1.012994', '2026-03-05T08:00');
    await actAt('2026-03-05T09:00', landClerk, d.code, { action: 'pause', version: 1, reason: 'Chờ thẩm định' });
    const b = await actAt('2026-03-05T10:00', landClerk, d.code, { action: 'resume', version: 2 });
    // 05/03 08:00 + 10 days → 19/03 08:00; paused 60 working minutes → 19/03 09:00
    expect(b.dueAt).toBe(api('2026-03-19T09:00'));
    expect(lastEvent(b)).toMatchObject({ dueBefore: api('2026-03-19T08:00'), dueAt: api('2026-03-19T09:00') });
  });
});

describe('a desk the dossier was transferred away from', () => {
  it('when the land department hands a dossier the centre received on to the ward, then it still reads it (its report counts it) but acts on it no more; a desk it never reached gets 404', async () => {
    const d = await receive('1.012756', '2026-03-09T08:00', centreClerk); // received by the centre, handled by land
    await actAt('2026-03-09T09:00', landClerk, d.code, { action: 'transfer', version: 1, toAgencyCode: AGENCIES.ward.code });
    const read = await request(app).get(`/api/v1/dossiers/${encodeURIComponent(d.code)}`).set(bearer(landClerk));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ agencyCode: AGENCIES.ward.code, receivedAgencyCode: AGENCIES.centre.code });
    const refused = await act(landClerk, d.code, { action: 'resolve', version: read.body.version, outcome: 'approved' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^Hồ sơ .+ đã chuyển sang .+ giải quyết: cơ quan của bạn chỉ xem, không thao tác được\.$/);
    expect((await t.db('dossiers').where({ code: d.code }).first()).status).toBe('processing');

    const { agent } = await loginAgent(app, landClerk.username);
    const page = await agent.get(`/ho-so/${encodeURIComponent(d.code)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('cơ quan của bạn chỉ xem, không thao tác trên hồ sơ này');
    expect(page.text).not.toContain('name="action"');

    const other = await addUser(t.db, 'canbo_khac', 'clerk', AGENCIES.otherWard.code);
    expect((await request(app).get(`/api/v1/dossiers/${encodeURIComponent(d.code)}`).set(bearer(other))).status).toBe(404);
    expect((await act(other, d.code, { action: 'resolve', version: read.body.version, outcome: 'approved' })).status).toBe(404);
  });
});

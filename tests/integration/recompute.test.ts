import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { draftMissingLetters } from '../../src/letters/service';

let t: TestDb;
let clerk: TestUser;
let admin: TestUser;
let harness: ReturnType<typeof makeApp>;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  admin = await addUser(t.db, 'city.admin', 'admin', null);
  harness = makeApp(t.db, '2026-02-13T03:00:00.000Z'); // Fri 13/02/2026 10:00 local
});
afterAll(() => t.destroy());

const api = (token: string) => ({
  post: (path: string, body: object) => request(harness.app).post(path).set('Authorization', `Bearer ${token}`).send(body),
  get: (path: string) => request(harness.app).get(path).set('Authorization', `Bearer ${token}`),
});

describe('recomputing open dossiers after a calendar change', () => {
  it('when an admin adds a day off and recomputes, then only open dossiers whose deadline crosses it move, each with an event', async () => {
    const open = await api(clerk.token).post('/api/v1/dossiers', { procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Lê Văn Mở' } });
    const done = await api(clerk.token).post('/api/v1/dossiers', { procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Lê Văn Xong' } });
    expect(open.body.dueAt).toBe('2026-02-25T10:00:00+07:00');
    harness.clock.set('2026-02-23T03:00:00.000Z');
    const resolved = await api(clerk.token).post(`/api/v1/dossiers/${done.body.code}/actions`, { action: 'resolve', version: 1, outcome: 'approved' });
    expect(resolved.status).toBe(200);

    // The calendar change alone moves nothing.
    const put = await request(harness.app)
      .put('/api/v1/calendar/days/2026-02-24')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ kind: 'day_off', name: 'Nghỉ đột xuất', source: 'Quyết định thử nghiệm' });
    expect(put.status).toBe(200);
    expect((await api(clerk.token).get(`/api/v1/dossiers/${open.body.code}`)).body.dueAt).toBe('2026-02-25T10:00:00+07:00');

    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const res = await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf, year: '2026' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('checked=1&moved=1');

    const after = await api(clerk.token).get(`/api/v1/dossiers/${open.body.code}`);
    expect(after.body.dueAt).toBe('2026-02-26T10:00:00+07:00');
    expect(after.body.appointmentAt).toBe('2026-02-26T10:00:00+07:00');
    expect(after.body.version).toBe(2);
    const last = after.body.events.at(-1);
    expect(last).toMatchObject({ type: 'recompute_due', dueBefore: '2026-02-25T10:00:00+07:00', dueAt: '2026-02-26T10:00:00+07:00' });
    const finished = await api(clerk.token).get(`/api/v1/dossiers/${done.body.code}`);
    expect(finished.body.dueAt).toBe('2026-02-25T10:00:00+07:00');
    expect(finished.body.events.map((e: { type: string }) => e.type)).toEqual(['receive', 'resolve']);

    // A second run finds nothing to move.
    const again = await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf, year: '2026' });
    expect(again.headers.location).toContain('checked=1&moved=0');
    const states = await t.db('dossier_states').where({ dossier_id: (await t.db('dossiers').where({ code: open.body.code }).first()).id }).orderBy('id');
    expect(states.map((s) => [s.due_at, s.valid_to === null])).toEqual([
      ['2026-02-25T03:00:00.000Z', false],
      ['2026-02-26T03:00:00.000Z', true],
    ]);
  });

  it('when a day off is added on the appointment an issued letter gave, then recomputing keeps the promise but names the dossier, and its page says so', async () => {
    const head = await addUser(t.db, 'land.head', 'head', AGENCIES.land.code);
    harness.clock.set('2026-02-26T03:00:00.000Z'); // Thu 26/02 10:00
    const late = await api(clerk.token).post('/api/v1/dossiers', { procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Trần Thị Hẹn' } });
    const dueAt = late.body.dueAt;
    harness.clock.set('2026-03-05T03:00:00.000Z'); // a week on: late
    expect(await draftMissingLetters(harness.app.locals.ctx, harness.app.locals.services, harness.clock.now())).toBeGreaterThan(0);
    const letter = await t.db('letters as l').join('dossiers as d', 'd.id', 'l.dossier_id').where('d.code', late.body.code).first('l.id');
    const issued = await request(harness.app)
      .post(`/api/v1/letters/${letter.id}/issue`)
      .set('Authorization', `Bearer ${head.token}`)
      .send({ reason: 'Chờ ý kiến cơ quan phối hợp', newAppointmentAt: '2026-03-10T17:00:00+07:00' });
    expect(issued.status).toBe(200);

    const put = await request(harness.app)
      .put('/api/v1/calendar/days/2026-03-10')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ kind: 'day_off', name: 'Nghỉ bù đột xuất', source: 'Quyết định thử nghiệm' });
    expect(put.status).toBe(200);
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const res = await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf, year: '2026' });
    expect(res.headers.location).toContain(`&off=1&offCodes=${encodeURIComponent(late.body.code)}`);
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain(
      `Lưu ý: 1 hồ sơ có ngày hẹn trả kết quả (theo văn bản xin lỗi đã phát hành) nay rơi vào ngày nghỉ: ${late.body.code}. Ngày hẹn không tự đổi; lãnh đạo cần hẹn lại bằng văn bản xin lỗi mới.`,
    );
    const after = await api(clerk.token).get(`/api/v1/dossiers/${late.body.code}`);
    expect(after.body).toMatchObject({ dueAt, appointmentAt: '2026-03-10T17:00:00+07:00' });
    const { agent: headAgent } = await loginAgent(harness.app, head.username);
    const shown = await headAgent.get(`/ho-so/${encodeURIComponent(late.body.code)}`);
    expect(shown.text).toContain('ngày 10/03/2026 nay là ngày nghỉ (Nghỉ bù đột xuất): cần hẹn lại bằng văn bản xin lỗi mới.');
    // A page the query names another way says nothing it was not asked: codes not of a dossier's form are dropped.
    const forged = await agent.get('/quan-tri/lich?year=2026&ok=recomputed&checked=1&moved=0&off=2&offCodes=%3Cb%3Ex%3C%2Fb%3E');
    expect(forged.text).toContain('Lưu ý: 2 hồ sơ có ngày hẹn trả kết quả (theo văn bản xin lỗi đã phát hành) nay rơi vào ngày nghỉ.');
    expect(forged.text).not.toContain('<b>x</b>');
  });

  it('when an admin enters a result signed before a recompute, then it is taken at its instant and the recompute\'s interval gives way; one before another action is still refused', async () => {
    harness.clock.set('2026-03-05T01:00:00.000Z'); // Thu 05/03 08:00
    const d = await api(clerk.token).post('/api/v1/dossiers', { procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Phạm Văn Giấy' } });
    await request(harness.app)
      .put('/api/v1/calendar/days/2026-03-06')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ kind: 'day_off', name: 'Nghỉ đột xuất', source: 'Quyết định thử nghiệm' });
    harness.clock.set('2026-03-09T03:00:00.000Z'); // Mon 09/03 10:00
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf, year: '2026' });
    const moved = await api(admin.token).get(`/api/v1/dossiers/${d.body.code}`);
    expect(moved.body.events.map((e: { type: string }) => e.type)).toEqual(['receive', 'recompute_due']);

    const early = { action: 'resolve', outcome: 'approved', version: moved.body.version };
    const resolved = await api(admin.token).post(`/api/v1/dossiers/${d.body.code}/actions`, { ...early, at: '2026-03-05T16:00:00+07:00' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', finishedAt: '2026-03-05T16:00:00+07:00', late: false });
    const id = (await t.db('dossiers').where({ code: d.body.code }).first('id')).id;
    const states = await t.db('dossier_states').where({ dossier_id: id }).orderBy('valid_from').select('valid_from', 'valid_to', 'status');
    expect(states).toEqual([
      { valid_from: '2026-03-05T01:00:00.000Z', valid_to: '2026-03-05T09:00:00.000Z', status: 'processing' },
      { valid_from: '2026-03-05T09:00:00.000Z', valid_to: null, status: 'resolved' },
    ]);
    expect((await t.db('dossiers').where({ id }).first('state_from')).state_from).toBe('2026-03-05T09:00:00.000Z');
    // Returned the next morning, an instant before the resolution is refused as ever.
    const back = await api(admin.token).post(`/api/v1/dossiers/${d.body.code}/actions`, { action: 'return', version: resolved.body.version, at: '2026-03-05T15:00:00+07:00' });
    expect(back.status).toBe(422);
    expect(back.body.error.fields.at).toBe('Thời điểm không được sớm hơn thao tác trước đó của hồ sơ.');
  });

  it('when a day off is taken back and recomputed, then the deadline moves earlier but the appointment on the citizen\'s receipt stays', async () => {
    harness.clock.set('2026-04-06T03:00:00.000Z'); // Mon 06/04 10:00
    const dayOff = await request(harness.app)
      .put('/api/v1/calendar/days/2026-04-08')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ kind: 'day_off', name: 'Nghỉ đột xuất', source: 'Quyết định thử nghiệm' });
    expect(dayOff.status).toBe(200);
    const d = await api(clerk.token).post('/api/v1/dossiers', { procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Võ Thị Phiếu' } });
    expect(d.body).toMatchObject({ dueAt: '2026-04-10T10:00:00+07:00', appointmentAt: '2026-04-10T10:00:00+07:00' });

    const back = await request(harness.app).delete('/api/v1/calendar/days/2026-04-08').set('Authorization', `Bearer ${admin.token}`);
    expect(back.status).toBe(204);
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf, year: '2026' });
    const after = await api(clerk.token).get(`/api/v1/dossiers/${d.body.code}`);
    expect(after.body).toMatchObject({ dueAt: '2026-04-09T10:00:00+07:00', appointmentAt: '2026-04-10T10:00:00+07:00' });
    expect(after.body.events.at(-1)).toMatchObject({ type: 'recompute_due', dueBefore: '2026-04-10T10:00:00+07:00', dueAt: '2026-04-09T10:00:00+07:00' });
  });

  it('when a clerk tries to recompute, then it is forbidden', async () => {
    const { agent, csrf } = await loginAgent(harness.app, clerk.username);
    const res = await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(403);
  });
});

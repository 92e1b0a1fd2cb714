import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

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

  it('when a clerk tries to recompute, then it is forbidden', async () => {
    const { agent, csrf } = await loginAgent(harness.app, clerk.username);
    const res = await agent.post('/quan-tri/tinh-lai-han').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(403);
  });
});

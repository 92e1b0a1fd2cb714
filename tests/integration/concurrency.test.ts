import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

// Optimistic concurrency under load (lifecycle.test.ts races 20 pauses): 50 different actions by different
// people on one version of one dossier, through the API, the page forms, and both at once.

const vn = (local: string) => new Date(`${local}:00+07:00`).toISOString();

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let clerkA: TestUser;
let clerkB: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerkA = await addUser(t.db, 'cc.clerk.a', 'clerk', AGENCIES.land.code);
  clerkB = await addUser(t.db, 'cc.clerk.b', 'clerk', AGENCIES.land.code);
  admin = await addUser(t.db, 'cc.admin', 'admin', null);
  harness = makeApp(t.db, vn('2026-03-02T08:00'));
});
afterAll(async () => {
  expect(harness.errors).toEqual([]);
  await t.destroy();
});

async function receive(): Promise<string> {
  const res = await request(harness.app)
    .post('/api/v1/dossiers')
    .set('Authorization', `Bearer ${clerkA.token}`)
    .send({ procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Ngô Văn Đồng Thời' } });
  expect(res.status).toBe(201);
  return res.body.code;
}

async function state(code: string) {
  const row = await t.db('dossiers').where({ code }).first();
  const events = await t.db('dossier_events').where({ dossier_id: row.id }).orderBy('id');
  const states = await t.db('dossier_states').where({ dossier_id: row.id }).orderBy('id');
  return { row, events, states };
}

/** Fifty different actions a processing dossier allows, each with what it needs. */
function fiftyActions(version: number) {
  const bodies = [
    { action: 'pause', reason: 'Chờ thẩm định' },
    { action: 'request_supplement', reason: 'Thiếu giấy tờ', items: ['Bản sao CCCD'] },
    { action: 'transfer', toAgencyCode: AGENCIES.centre.code },
    { action: 'resolve', outcome: 'approved' },
    { action: 'resolve', outcome: 'refused', reason: 'Không đủ điều kiện' },
    { action: 'withdraw', reason: 'Công dân xin rút' },
  ];
  return Array.from({ length: 50 }, (_, i) => ({ ...bodies[i % bodies.length], reason: `${bodies[i % bodies.length].reason ?? ''} #${i}`.trim(), version }));
}

/** The form fields of the page for an action body (items as textarea lines). */
function asForm(body: Record<string, unknown>, csrf: string): Record<string, string> {
  const out: Record<string, string> = { _csrf: csrf };
  for (const [k, v] of Object.entries(body)) out[k] = Array.isArray(v) ? v.join('\n') : String(v);
  return out;
}

describe('50 simultaneous actions on one dossier with the same version', () => {
  it('when 50 API actions by three people arrive at once, then exactly one succeeds, 49 get 409 stale_version and one event is added', async () => {
    const code = await receive();
    harness.clock.set(vn('2026-03-02T09:00'));
    const before = await state(code);
    const users = [clerkA, clerkB, admin];
    const responses = await Promise.all(
      fiftyActions(before.row.version).map((body, i) =>
        request(harness.app).post(`/api/v1/dossiers/${code}/actions`).set('Authorization', `Bearer ${users[i % 3].token}`).send(body),
      ),
    );
    const ok = responses.filter((r) => r.status === 200);
    const conflicts = responses.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    for (const r of conflicts) expect(r.body.error.code).toBe('stale_version');

    const after = await state(code);
    expect(after.row.version).toBe(before.row.version + 1);
    expect(after.events).toHaveLength(before.events.length + 1);
    expect(after.states).toHaveLength(before.states.length + 1);
    const event = after.events.at(-1);
    // The one event is the winner's, and the dossier says what the winner was told.
    expect(ok[0].body.events.at(-1).type).toBe(event.type);
    expect(ok[0].body.version).toBe(after.row.version);
    expect(ok[0].body.status).toBe(after.row.status);
    expect(after.states.filter((s: { valid_to: string | null }) => s.valid_to === null)).toHaveLength(1);
  });

  it('when 50 clerks post the page forms at once, then one is redirected to the dossier and 49 see the 409 page, with one event added', async () => {
    const code = await receive();
    harness.clock.set(vn('2026-03-02T10:00'));
    const [a, b] = await Promise.all([loginAgent(harness.app, clerkA.username), loginAgent(harness.app, clerkB.username)]);
    const before = await state(code);
    const responses = await Promise.all(
      fiftyActions(before.row.version).map((body, i) => {
        const s = i % 2 ? a : b;
        return s.agent.post(`/ho-so/${code}/thao-tac`).type('form').send(asForm(body, s.csrf));
      }),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.text).toContain('Hồ sơ vừa được người khác cập nhật');
    const after = await state(code);
    expect(after.row.version).toBe(before.row.version + 1);
    expect(after.events).toHaveLength(before.events.length + 1);
    expect(after.states).toHaveLength(before.states.length + 1);
  });

  it('when 25 API calls and 25 form posts race, then again exactly one wins and the history grows by one event', async () => {
    const code = await receive();
    harness.clock.set(vn('2026-03-02T11:00'));
    const page = await loginAgent(harness.app, clerkB.username);
    const before = await state(code);
    const responses = await Promise.all(
      fiftyActions(before.row.version).map((body, i) =>
        i % 2
          ? request(harness.app).post(`/api/v1/dossiers/${code}/actions`).set('Authorization', `Bearer ${clerkA.token}`).send(body)
          : page.agent.post(`/ho-so/${code}/thao-tac`).type('form').send(asForm(body, page.csrf)),
      ),
    );
    const won = responses.filter((r) => r.status === 200 || r.status === 303);
    expect(won).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(49);
    const after = await state(code);
    expect(after.events).toHaveLength(before.events.length + 1);
    expect(after.row.version).toBe(before.row.version + 1);
  });

  it('when the race is run five times in a row on one dossier, then every round adds exactly one event and versions go 1..6', async () => {
    const code = await receive();
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      harness.clock.set(vn(`2026-03-03T${String(8 + round).padStart(2, '0')}:00`));
      const { row } = await state(code);
      seen.push(row.version);
      // Moves that keep the dossier open, so the next round can race again.
      const bodies = Array.from({ length: 50 }, (_, i) =>
        row.status === 'processing'
          ? i % 2 ? { action: 'pause', reason: `r${round}-${i}`, version: row.version } : { action: 'request_supplement', reason: `r${round}-${i}`, items: ['Tờ khai'], version: row.version }
          : row.status === 'paused' ? { action: 'resume', version: row.version } : { action: 'receive_supplement', version: row.version },
      );
      const responses = await Promise.all(
        bodies.map((body, i) => request(harness.app).post(`/api/v1/dossiers/${code}/actions`).set('Authorization', `Bearer ${(i % 2 ? clerkA : clerkB).token}`).send(body)),
      );
      expect([round, responses.filter((r) => r.status === 200).length]).toEqual([round, 1]);
    }
    const { row, events } = await state(code);
    seen.push(row.version);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events).toHaveLength(6);
  });
});

describe('other races', () => {
  it('when two admins create the same user name at the same moment, then one account exists and the other form says the name is taken', async () => {
    const sessions = await Promise.all([loginAgent(harness.app, admin.username), loginAgent(harness.app, admin.username)]);
    const responses = await Promise.all(
      sessions.map(({ agent, csrf }, i) =>
        agent.post('/quan-tri/nguoi-dung').type('form').send({ _csrf: csrf, username: 'trung.ten', fullName: `Trùng Tên ${i}`, role: 'clerk', agencyCode: AGENCIES.ward.code, password: 'mat-khau-trung-ten' }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(responses.find((r) => r.status === 422)!.text).toContain('Tên đăng nhập này đã có người dùng.');
    expect(Number((await t.db('users').where({ username: 'trung.ten' }).count({ n: '*' }).first())!.n)).toBe(1);
  });
});

describe('admins at the same moment (found by the admin audit on PostgreSQL)', () => {
  it('when a second admin creates a user name differing in case alone at the same moment, then one account exists', async () => {
    const sessions = await Promise.all([loginAgent(harness.app, admin.username), loginAgent(harness.app, admin.username)]);
    const responses = await Promise.all(
      ['hoa.thuong', 'HOA.THUONG'].map((username, i) =>
        sessions[i].agent.post('/quan-tri/nguoi-dung').type('form').send({ _csrf: sessions[i].csrf, username, fullName: 'Hoa Thường', role: 'clerk', agencyCode: AGENCIES.ward.code, password: 'mat-khau-hoa-thuong' }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(Number((await t.db('users').whereRaw("lower(username) = 'hoa.thuong'").count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('when eight admins save days into one provisional year at once, then every day is saved with the year\'s provisional days off', async () => {
    const dates = Array.from({ length: 8 }, (_, i) => `2041-03-${String(10 + i).padStart(2, '0')}`);
    const responses = await Promise.all(
      dates.map((date) =>
        request(harness.app).put(`/api/v1/calendar/days/${date}`).set('Authorization', `Bearer ${admin.token}`).send({ kind: 'day_off', name: 'Nghỉ thử', source: 'Thử đồng thời' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(dates.map(() => 200));
    const saved = await t.db('calendar_days').where('date', 'like', '2041-%').orderBy('date').pluck('date');
    expect(saved).toEqual(expect.arrayContaining([...dates, '2041-04-30', '2041-05-01', '2041-09-02']));
    expect(saved.filter((d: string) => d === '2041-04-30')).toHaveLength(1);
  });

  it('when eight admins copy one provisional year at once, then one copies it and the others are told it is official already', async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, () => loginAgent(harness.app, admin.username)));
    const responses = await Promise.all(sessions.map(({ agent, csrf }) => agent.post('/quan-tri/lich/chep-tam-tinh').type('form').send({ _csrf: csrf, year: '2042' })));
    expect(responses.map((r) => r.status)).toEqual(sessions.map(() => 303));
    const answers = responses.map((r) => new URL(r.headers.location, 'http://x').searchParams);
    expect(answers.filter((q) => q.get('ok') === 'copied')).toHaveLength(1);
    expect(answers.filter((q) => q.get('err') === 'notProvisional')).toHaveLength(7);
  });

  it('when six admins create one procedure code at once, then one is created and the others are told the code exists', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(harness.app)
          .post('/api/v1/procedures')
          .set('Authorization', `Bearer ${admin.token}`)
          .send({ code: '9.777001', name: `Thủ tục đua ${i}`, fieldCode: 'DAT_DAI', level: 'province', statutoryDays: 10, duration: { value: 2 + i, unit: 'working_days' }, onSupplement: 'restart', active: true }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = responses.find((r) => r.status === 201)!.body;
    expect((await t.db('procedures').where({ code: '9.777001' }).first('name')).name).toBe(winner.name);
    expect(responses.find((r) => r.status === 409)!.body.error.message).toBe('Mã thủ tục 9.777001 đã tồn tại.');
  });
});

describe('instants of a real clock (found by the two-process stress test)', () => {
  it('when a clerk pauses at 09:00:30.250, then the working minutes left are kept as a whole number and resuming counts from them', async () => {
    harness.clock.set(vn('2026-03-04T08:00'));
    const code = await receive(); // due 3 working days later, 08:00 on Mon 09/03
    harness.clock.set(new Date(new Date(vn('2026-03-04T09:00')).getTime() + 30_250).toISOString());
    const paused = await request(harness.app)
      .post(`/api/v1/dossiers/${code}/actions`)
      .set('Authorization', `Bearer ${clerkA.token}`)
      .send({ action: 'pause', reason: 'Chờ thẩm định', version: 1 });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    const row = await t.db('dossiers').where({ code }).first();
    // Wed 09:00:30.25 → Mon 08:00: 359.5 + 450 + 450 + 30 = 1289.5 working minutes, kept as 1289.
    expect(row.remaining_minutes).toBe(1289);
    expect(Number.isInteger(Number(row.remaining_minutes))).toBe(true);
    harness.clock.set(vn('2026-03-05T08:00'));
    const resumed = await request(harness.app)
      .post(`/api/v1/dossiers/${code}/actions`)
      .set('Authorization', `Bearer ${clerkA.token}`)
      .send({ action: 'resume', version: 2 });
    expect(resumed.status).toBe(200);
    // 1289 minutes from Thu 08:00: Thu 420, Fri 450, Mon 419 (240 in the morning, 179 from 13:30) → 16:29.
    expect(resumed.body.dueAt).toBe('2026-03-09T16:29:00+07:00');
  });
});

// Another process's action commits between this one's read of the dossier and its check of the instant against the
// dossier's last event: the loser must hear that the dossier changed (409), not that its instant comes too early
// (422), as it did when the instant was checked before the update (seen once in the stress test with two servers).
describe.runIf(process.env.TEST_DB === 'pg')('an action that loses to another committed after it read the dossier (PostgreSQL)', () => {
  it('when the other commits a later event while this one waits, then this one answers 409 and writes nothing', async () => {
    harness.clock.set(vn('2026-03-06T08:00'));
    const code = await receive();
    const before = await state(code);
    // The other process: its action at 08:30 is written and holds the dossier's row and the events table until it commits.
    const other = await t.db.transaction();
    let answer: Promise<request.Response> | undefined;
    try {
      await other('dossiers').where({ code }).update({ version: before.row.version + 1, status: 'paused' });
      await other('dossier_events').insert({ dossier_id: before.row.id, type: 'pause', at: vn('2026-03-06T08:30'), recorded_at: vn('2026-03-06T08:30'), actor_id: clerkB.id, actor_name: 'B', data: '{}' });
      await other.raw('LOCK TABLE dossier_events IN ACCESS EXCLUSIVE MODE');
      // This process, at 08:00, reads version 1 (the other has not committed) and then waits on one of its locks.
      answer = request(harness.app).post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`).set('Authorization', `Bearer ${clerkA.token}`).send({ action: 'withdraw', reason: 'Công dân xin rút', version: before.row.version }).then((r) => r);
      for (let i = 0; i < 200; i++) {
        const waiting = await t.db.raw("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
        if (waiting.rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.commit();
    } finally {
      if (!other.isCompleted()) await other.rollback();
    }
    const res = await answer!;
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error.code).toBe('stale_version');
    const after = await state(code);
    expect(after.events).toHaveLength(before.events.length + 1);
    expect(after.row.version).toBe(before.row.version + 1);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, watchSqliteStatements, type TestDb } from '../helpers/db';
import { addDeskUsers, AGENCIES, apiStory, deskWorld, listAll, loginAgent, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';
import { listDossiers, listDossierSummaries } from '../../src/dossiers/repository';
import { isSqlite } from '../../src/db/dialect';
import { listQuerySchema } from '../../src/dossiers/schema';

// "Late" (SPEC §5) is open with the clock running past the deadline or stopped after it had passed, or finished after it. The lists ask it as the
// union of the two ways, each from its own index (src/dossiers/repository.ts lateIds), and as one way when the status
// filter leaves only one: under every status filter, for every kind of desk, the late list must be exactly the
// dossiers of the unfiltered list whose own late flag is set.

const vn = (local: string) => new Date(`${local}:00+07:00`);
const HOURS = '2.000908'; // 4 working hours, handled by the commune desk that receives it
const LAND = '1.012756'; // 3 working days, handled by the land department
const PAUSE = '1.012994'; // 10 working days, land department

const STATUS_FILTERS = ['', 'open', 'processing', 'awaiting_supplement', 'paused', 'resolved', 'returned', 'withdrawn'];

describe('the late filter', () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users: Record<string, TestUser> = {};
  const codes: Record<string, string> = {};

  const { receive, act } = apiStory(() => harness, codes);
  const list = (user: TestUser, query: string) => listAll(harness.app, user, query);
  const sorted = (items: { code: string }[]) => items.map((d) => d.code).sort();
  const named = (...names: string[]) => names.map((n) => codes[n]).sort();

  beforeAll(async () => {
    ({ t, harness } = await deskWorld(users, '2026-02-02T08:00'));
    const { wardClerk, landClerk } = users;
    // Mon 2 Feb 08:00: the ward's 4-hour dossiers are due at 14:00; the land ones on Thu 5 Feb.
    await receive('running late', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('returned late', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('resolved late', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('resolved on time', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('returned on time', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('withdrawn after the deadline', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('awaiting a supplement', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('ward for land, running late', '2026-02-02T08:00', wardClerk, LAND);
    await receive('land, returned late', '2026-02-02T08:00', landClerk, LAND);
    await receive('land, paused', '2026-02-02T08:00', landClerk, PAUSE);
    await receive('paused after its deadline', '2026-02-02T08:00', wardClerk, HOURS);
    await receive('awaiting a supplement after its deadline', '2026-02-02T08:00', wardClerk, HOURS);
    await act('awaiting a supplement', '2026-02-02T09:00', wardClerk, { action: 'request_supplement', reason: 'Thiếu bản chính', items: ['Bản chính'] });
    await act('resolved on time', '2026-02-02T10:00', wardClerk, { action: 'resolve', outcome: 'approved' });
    await act('returned on time', '2026-02-02T10:30', wardClerk, { action: 'resolve', outcome: 'approved' });
    await act('returned on time', '2026-02-02T11:00', wardClerk, { action: 'return' });
    await act('land, paused', '2026-02-02T11:00', landClerk, { action: 'pause', reason: 'Chờ thẩm định' });
    // Stopped after 14:00, the deadline: late while they wait (SPEC §5), though the report counts them within it.
    await act('paused after its deadline', '2026-02-02T15:00', wardClerk, { action: 'pause', reason: 'Chờ nghĩa vụ tài chính' });
    await act('awaiting a supplement after its deadline', '2026-02-02T16:00', wardClerk, { action: 'request_supplement', reason: 'Thiếu bản chính', items: ['Bản chính'] });
    await act('returned late', '2026-02-03T09:00', wardClerk, { action: 'resolve', outcome: 'approved' });
    await act('returned late', '2026-02-03T10:00', wardClerk, { action: 'return' });
    await act('resolved late', '2026-02-03T09:30', wardClerk, { action: 'resolve', outcome: 'refused', reason: 'Không đủ điều kiện' });
    await act('withdrawn after the deadline', '2026-02-03T10:00', wardClerk, { action: 'withdraw', reason: 'Công dân xin rút' });
    await act('land, returned late', '2026-02-06T09:00', landClerk, { action: 'resolve', outcome: 'approved' });
    await act('land, returned late', '2026-02-06T10:00', landClerk, { action: 'return' });
    await receive('land, not yet due', '2026-02-09T08:00', landClerk, LAND);
    harness.clock.set(vn('2026-02-10T10:00'));
  });
  afterAll(() => t.destroy());

  it('when each desk lists its late dossiers, then they are the named ones', async () => {
    const stoppedLate = ['paused after its deadline', 'awaiting a supplement after its deadline'];
    expect(sorted(await list(users.wardHead, 'late=1'))).toEqual(
      named('running late', 'returned late', 'resolved late', 'ward for land, running late', ...stoppedLate),
    );
    expect(sorted(await list(users.landHead, 'late=1'))).toEqual(named('ward for land, running late', 'land, returned late'));
    expect(sorted(await list(users.admin, 'late=1'))).toEqual(
      named('running late', 'returned late', 'resolved late', 'ward for land, running late', 'land, returned late', ...stoppedLate),
    );
    // The header's "Quá hạn" (open and late) holds them; each status filter its own.
    expect(sorted(await list(users.wardHead, 'late=1&status=open'))).toEqual(named('running late', 'ward for land, running late', ...stoppedLate));
    expect(sorted(await list(users.wardHead, 'late=1&status=paused'))).toEqual(named('paused after its deadline'));
    expect(sorted(await list(users.wardHead, 'late=1&status=awaiting_supplement'))).toEqual(named('awaiting a supplement after its deadline'));
    expect(sorted(await list(users.wardHead, 'late=1&status=processing'))).toEqual(named('running late', 'ward for land, running late'));
  });

  it('when the late filter meets any status filter, then it keeps exactly the dossiers flagged late', async () => {
    for (const user of [users.wardHead, users.wardClerk, users.landHead, users.admin]) {
      for (const status of STATUS_FILTERS) {
        const all = await list(user, status ? `status=${status}` : '');
        const late = await list(user, status ? `late=1&status=${status}` : 'late=1');
        expect(sorted(late), `${user.username} status=${status || '(any)'}`).toEqual(sorted(all.filter((d) => d.late)));
        expect(late.every((d) => d.late)).toBe(true);
      }
    }
  });

  it('when the late filter meets a deadline range, then the range applies to both ways of being late', async () => {
    // Due on Mon 2 Feb: the ward's 4-hour dossiers; due on Thu 5 Feb: the land ones received that Monday.
    expect(sorted(await list(users.admin, 'late=1&dueFrom=2026-02-02&dueTo=2026-02-02'))).toEqual(
      named('running late', 'returned late', 'resolved late', 'paused after its deadline', 'awaiting a supplement after its deadline'),
    );
    expect(sorted(await list(users.admin, 'late=1&dueFrom=2026-02-05&dueTo=2026-02-05'))).toEqual(named('ward for land, running late', 'land, returned late'));
    expect(sorted(await list(users.landHead, 'late=1&dueFrom=2026-02-03'))).toEqual(named('ward for land, running late', 'land, returned late'));
  });

  it('when the late list is paged, then the pages hold every late dossier once, by deadline', async () => {
    const pages = [];
    for (let page = 1; page <= 4; page++) {
      const res = await request(harness.app).get(`/api/v1/dossiers?late=1&pageSize=2&page=${page}`).set('Authorization', `Bearer ${users.admin.token}`);
      expect(res.body.total).toBe(7);
      pages.push(...(res.body.items as { code: string; dueAt: string }[]));
    }
    expect(sorted(pages)).toEqual(sorted(await list(users.admin, 'late=1')));
    expect(pages.map((d) => d.dueAt)).toEqual([...pages.map((d) => d.dueAt)].sort());
  });

  it('when the late list of both ways is paged one by one in either order, then the pages are the whole list in that order', async () => {
    // Its page is sorted from the deadlines the union's indexes hold (repository.ts latePage). Three of the ward's
    // late dossiers share a deadline (Mon 2 Feb 14:00): the id orders them.
    for (const user of [users.admin, users.wardHead, users.landHead]) {
      for (const sort of ['due', '-due']) {
        const whole = await list(user, `late=1&sort=${sort}`);
        const dues = whole.map((d) => d.dueAt);
        expect(dues).toEqual(sort === 'due' ? [...dues].sort() : [...dues].sort().reverse());
        const ids = await t.db('dossiers').whereIn('code', whole.map((d) => d.code)).select('id', 'code', 'due_at');
        const expected = [...ids].sort((a, b) => (a.due_at === b.due_at ? a.id - b.id : (a.due_at < b.due_at) === (sort === 'due') ? -1 : 1)).map((r) => r.code);
        expect(whole.map((d) => d.code), `${user.username} ${sort}`).toEqual(expected);
        const paged = [];
        for (let page = 1; page <= whole.length; page++) {
          const res = await request(harness.app).get(`/api/v1/dossiers?late=1&sort=${sort}&pageSize=1&page=${page}`).set('Authorization', `Bearer ${user.token}`);
          expect(res.body.total).toBe(whole.length);
          paged.push(...(res.body.items as { code: string }[]).map((d) => d.code));
        }
        expect(paged, `${user.username} ${sort}`).toEqual(expected);
      }
    }
  });

  it("when the pages list the dossiers in progress by deadline, then they hold the API's dossiers in its order, page by page", async () => {
    // The pages' late and due-soon lists read SQLite's index of the dossiers in progress in one walk (repository.ts
    // inProgressByDeadline); the API's lists read the page's ids first, then their rows.
    const scopes = [
      { agencyCode: AGENCIES.ward.code, label: 'ward' },
      { agencyCode: AGENCIES.land.code, label: 'land' },
      { agencyCode: null, label: 'admin' },
    ];
    const queries = ['late=1&status=open', 'late=1&status=processing', 'late=1&status=paused', 'dueSoon=1', 'dueSoon=1&status=open', 'late=1&status=open&sort=-due'];
    for (const { agencyCode, label } of scopes) {
      for (const [now, soon] of [['2026-02-02T13:00', '2026-02-03T13:00'], ['2026-02-04T09:00', '2026-02-05T09:00'], ['2026-02-10T10:00', '2026-02-11T10:00']]) {
        const scope = { agencyCode, now: vn(now), dueSoonUntil: vn(soon) };
        for (const q of queries) {
          const asked = Object.fromEntries(new URLSearchParams(q));
          const all = await listDossiers(t.db, listQuerySchema.parse({ ...asked, pageSize: '100' }), scope);
          const paged = [];
          for (let page = 1; page <= Math.max(1, all.total); page++) {
            const got = await listDossierSummaries(t.db, listQuerySchema.parse({ ...asked, pageSize: '1', page: String(page) }), scope);
            expect(got.total, `${label} ${q} at ${now}`).toBe(all.total);
            paged.push(...got.items.map((d) => d.code));
          }
          expect(paged, `${label} ${q} at ${now}`).toEqual(all.items.map((d) => d.code));
        }
      }
    }
    // Some of these lists hold dossiers: the comparison is not between empty lists.
    const lateAt = { agencyCode: null, now: vn('2026-02-10T10:00'), dueSoonUntil: vn('2026-02-11T10:00') };
    expect((await listDossierSummaries(t.db, listQuerySchema.parse({ late: '1', status: 'open' }), lateAt)).items.map((d) => d.code).sort()).toEqual(
      named('running late', 'ward for land, running late', 'paused after its deadline', 'awaiting a supplement after its deadline'),
    );
    const soonAt = { agencyCode: null, now: vn('2026-02-02T13:00'), dueSoonUntil: vn('2026-02-03T13:00') };
    expect((await listDossierSummaries(t.db, listQuerySchema.parse({ dueSoon: '1' }), soonAt)).items.map((d) => d.code)).toEqual(named('running late'));
  });

  it("when SQLite builds the late page's statement, then it reads the index of the dossiers in progress alone", async () => {
    if (!isSqlite(t.db)) return;
    const seen: string[] = [];
    const stop = await watchSqliteStatements(t.db, (sql) => seen.push(sql));
    try {
      const scope = { agencyCode: AGENCIES.ward.code, now: vn('2026-02-10T10:30'), dueSoonUntil: vn('2026-02-11T10:30') };
      await listDossierSummaries(t.db, listQuerySchema.parse({ late: '1', status: 'open' }), scope);
    } finally {
      stop();
    }
    const sql = seen.find((s) => s.includes('dossiers_open_due_idx'));
    expect(sql, seen.join('\n')).toBeDefined();
    const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${sql!.replace(/\?/g, "'x'")}`)).map((r: { detail: string }) => r.detail).join(' | ');
    expect(plan).toContain('USING COVERING INDEX dossiers_open_due_idx');
    expect(plan).not.toContain('TEMP B-TREE FOR ORDER BY');
    // Its count seeks the desk's indexes by "in progress" alone: with the open statuses given as well, SQLite sought
    // each one's range of past deadlines (every dossier awaiting a supplement) and dropped what it found.
    expect(sql).not.toMatch(/`d`\.`status` in \(/);
    expect(seen.filter((s) => /`d`\.`status` in \(/.test(s))).toEqual([]);
  });

  it('when a page of one late dossier is asked for, then its total still counts every late dossier of the desk', async () => {
    const res = await request(harness.app).get('/api/v1/dossiers?late=1&pageSize=1').set('Authorization', `Bearer ${users.wardHead.token}`);
    expect(res.body.total).toBe(6);
    expect(res.body.items).toHaveLength(1);
  });
});

describe('the same list asked again later', () => {
  // The lists asked most keep their SQL and bind the instant anew on each request (repository.ts keptStatement): a
  // dossier whose deadline passes between two requests of the same list must move from "due soon" to "late".
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  let users: Record<'wardClerk' | 'wardHead' | 'landClerk' | 'landHead', TestUser>;

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    users = await addDeskUsers(t.db);
    harness = makeApp(t.db, vn('2026-02-02T08:00').toISOString());
  });
  afterAll(() => t.destroy());

  it('when the clock passes a deadline between two requests of the same lists, then the dossier leaves "due soon" for "late" on the page and in the API', async () => {
    const code = await receiveAs(harness.app, users.wardClerk, HOURS, 'Trễ giữa hai lần xem'); // due Mon 2 Feb 14:00
    const { agent } = await loginAgent(harness.app, users.wardHead.username);
    const page = async (query: string) => {
      const res = await agent.get(`/ho-so?${query}`);
      expect(res.status).toBe(200);
      return res.text.includes(`/ho-so/${code}"`);
    };
    const api = async (query: string) => (await listAll(harness.app, users.wardHead, query)).map((d) => d.code);
    for (const [local, late] of [['2026-02-02T13:00', false], ['2026-02-02T15:00', true], ['2026-02-02T13:30', false]] as const) {
      harness.clock.set(vn(local));
      expect(await page('late=1&status=open'), `late page at ${local}`).toBe(late);
      expect(await page('dueSoon=1'), `due soon page at ${local}`).toBe(!late);
      expect(await api('late=1&status=open'), `late API at ${local}`).toEqual(late ? [code] : []);
      expect(await api('dueSoon=1'), `due soon API at ${local}`).toEqual(late ? [] : [code]);
    }
  });

  it('when the same list is asked with another end of "due soon", then that end applies', async () => {
    const [code] = await t.db('dossiers').where({ applicant_name: 'Trễ giữa hai lần xem' }).pluck('code'); // due 14:00
    const query = listQuerySchema.parse({ dueSoon: '1' });
    const at = (dueSoonUntil: string) => ({ agencyCode: AGENCIES.ward.code, now: vn('2026-02-02T08:00'), dueSoonUntil: vn(dueSoonUntil) });
    const codes = async (dueSoonUntil: string) => (await listDossierSummaries(t.db, query, at(dueSoonUntil))).items.map((d) => d.code);
    expect(await codes('2026-02-02T13:00')).toEqual([]);
    expect(await codes('2026-02-02T15:00')).toEqual([code]);
    expect(await codes('2026-02-02T13:59')).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addDeskUsers, addUser, listAll, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';
import { listPlanning } from '../../src/dossiers/repository';

// A desk sees the dossiers it received and those it handles. Its list's total is counted as two disjoint halves
// (received by it; handled by it but received elsewhere: src/dossiers/repository.ts countQuery), so each dossier
// must count once whichever way it belongs to the desk, under every filter.

const LAND = '1.012756'; // handled by the land department, whoever receives it
const HOURS = '2.000908'; // handled by the commune desk that receives it

describe("a desk's list holds each of its dossiers once", () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users: Record<string, TestUser> = {};
  const codes: Record<string, string> = {};

  const list = async (user: TestUser, query = '') => (await listAll(harness.app, user, query)).map((d) => d.code).sort();
  const named = (...names: string[]) => names.map((n) => codes[n]).sort();

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    Object.assign(users, await addDeskUsers(t.db));
    users.otherHead = await addUser(t.db, 'other.head', 'head', AGENCIES.otherWard.code);
    users.admin = await addUser(t.db, 'desk.admin', 'admin', null);
    harness = makeApp(t.db);
    const receive = async (name: string, by: TestUser, procedureCode: string) => {
      codes[name] = await receiveAs(harness.app, by, procedureCode, name);
    };
    const act = async (name: string, by: TestUser, action: Record<string, string>) => {
      const res = await request(harness.app)
        .post(`/api/v1/dossiers/${encodeURIComponent(codes[name])}/actions`)
        .set('Authorization', `Bearer ${by.token}`)
        .send({ ...action, version: 1 });
      expect(res.status, `${action.action} ${name}`).toBe(200);
    };
    await receive('Ward for ward', users.wardClerk, HOURS); // received and handled by the ward
    await receive('Ward for land', users.wardClerk, LAND); // received by the ward, handled by land
    await receive('Land for land', users.landClerk, LAND); // received and handled by land
    await receive('Ward for ward, done', users.wardClerk, HOURS);
    await act('Ward for ward, done', users.wardClerk, { action: 'resolve', outcome: 'approved' });
    // Paused: a third status, so the lists by deadline merge more than one status's run (repository.ts runsPage).
    await receive('Land for land, paused', users.landClerk, LAND);
    await act('Land for land, paused', users.landClerk, { action: 'pause', reason: 'Chờ nghĩa vụ tài chính' });
    const rows = await t.db('dossiers').select('code', 'agency_code', 'received_agency_code');
    const of = (name: string) => rows.find((r) => r.code === codes[name]);
    expect(of('Ward for land')).toMatchObject({ agency_code: AGENCIES.land.code, received_agency_code: AGENCIES.ward.code });
    expect(of('Ward for ward')).toMatchObject({ agency_code: AGENCIES.ward.code, received_agency_code: AGENCIES.ward.code });
  });
  afterAll(() => t.destroy());

  it('when the ward lists, then it sees what it received, whoever handles it, each once', async () => {
    expect(await list(users.wardHead)).toEqual(named('Ward for ward', 'Ward for land', 'Ward for ward, done'));
    expect(await list(users.wardClerk, 'status=processing')).toEqual(named('Ward for ward', 'Ward for land'));
    expect(await list(users.wardHead, 'status=resolved')).toEqual(named('Ward for ward, done'));
    expect(await list(users.wardHead, 'fieldCode=DAT_DAI')).toEqual(named('Ward for land'));
  });

  it('when land lists, then it sees what it handles, whoever received it, each once', async () => {
    expect(await list(users.landHead)).toEqual(named('Ward for land', 'Land for land', 'Land for land, paused'));
    expect(await list(users.landHead, 'status=open')).toEqual(named('Ward for land', 'Land for land', 'Land for land, paused'));
    expect(await list(users.landClerk, `q=${encodeURIComponent('for land')}`)).toEqual(named('Ward for land', 'Land for land', 'Land for land, paused'));
    expect(await list(users.landHead, 'agencyCode=' + AGENCIES.land.code)).toEqual(named('Ward for land', 'Land for land', 'Land for land, paused'));
  });

  it('when a desk with no dossier lists, then it sees none', async () => {
    expect(await list(users.otherHead)).toEqual([]);
  });

  it("when a desk's list is limited to a deadline's dates, then it holds the dossiers due on them, each counted once", async () => {
    // A deadline's range is counted per status (repository.ts countQuery); listAll checks the total against the rows.
    const localDate = (instant: string) => new Date(new Date(instant).getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    for (const user of [users.landHead, users.wardHead, users.admin]) {
      for (const status of ['', 'status=open&']) {
        const whole = await listAll(harness.app, user, status);
        const dates = [...new Set(whole.map((d) => localDate(d.dueAt)))].sort();
        // The ward's two procedures fall due on different dates.
        expect(dates.length, `${user.username} ${status}`).toBeGreaterThan(user === users.landHead ? 0 : 1);
        const due = (d: { dueAt: string }) => localDate(d.dueAt);
        for (const date of dates) {
          const on = (await listAll(harness.app, user, `${status}dueFrom=${date}&dueTo=${date}`)).map((d) => d.code).sort();
          expect(on, `${user.username} ${status}${date}`).toEqual(whole.filter((d) => due(d) === date).map((d) => d.code).sort());
          const from = (await listAll(harness.app, user, `${status}dueFrom=${date}`)).map((d) => d.code).sort();
          expect(from, `${user.username} ${status}from ${date}`).toEqual(whole.filter((d) => due(d) >= date).map((d) => d.code).sort());
        }
      }
    }
  });

  it("when a desk's list is paged in any order, then the pages are the whole list in that order, each dossier once", async () => {
    await checkPaging();
  });

  it("when SQLite walks the receipt index for a desk's list (as for a big desk), then the pages are the same", async () => {
    // repository.ts receiptWalk: a desk holding a large share of the dossiers reads its newest first from the
    // receipt index, checking each dossier's desk. Here every list by receipt is read that way.
    const saved = listPlanning.receiptWalkShare;
    listPlanning.receiptWalkShare = Infinity;
    try {
      await checkPaging();
    } finally {
      listPlanning.receiptWalkShare = saved;
    }
  });

  async function checkPaging() {
    // A page's ids are asked first, in order, then their rows, in the same order again (repository.ts listOf).
    // By deadline, the page's ids are merged from one run per status and way of belonging to the desk
    // (repository.ts runsPage): the ward both receives and handles its own dossiers, so they are in two runs. So are,
    // in the order of receipt, a desk's dossiers within a quarter's deadlines, and on PostgreSQL an admin's (every
    // deadline here falls in it).
    const queries = ['-received', 'received', 'due', '-due'].map((sort) => `sort=${sort}`);
    queries.push('status=open&sort=due', 'status=open&sort=-due', 'status=processing&sort=due');
    queries.push('dueFrom=2026-02-01&dueTo=2026-04-30&sort=-received', 'dueFrom=2026-02-01&sort=received', 'status=open&dueFrom=2026-02-01&dueTo=2026-04-30&sort=-received');
    queries.push('letter=not_issued&sort=-received');
    for (const user of [users.landHead, users.wardHead, users.admin]) {
      for (const query of queries) {
        const sort = /sort=([-a-z]+)/.exec(query)![1];
        const whole = await listAll(harness.app, user, query);
        expect(whole.length, `${user.username} ${query}`).toBeGreaterThan(0);
        const unlimited = query.replace(/due(From|To)=[-0-9]+&/g, '');
        if (unlimited !== query) expect(whole.length, query).toBe((await listAll(harness.app, user, unlimited)).length);
        const key = sort.endsWith('due') ? 'dueAt' : 'receivedAt';
        const keys = whole.map((d) => d[key]);
        expect(keys).toEqual(sort.startsWith('-') ? [...keys].sort().reverse() : [...keys].sort());
        for (const pageSize of [1, 2]) {
          const paged: string[] = [];
          for (let page = 1; page <= whole.length; page++) {
            const res = await request(harness.app).get(`/api/v1/dossiers?${query}&pageSize=${pageSize}&page=${page}`).set('Authorization', `Bearer ${user.token}`);
            expect(res.body.total).toBe(whole.length);
            paged.push(...(res.body.items as { code: string }[]).map((d) => d.code));
          }
          expect(paged, `${user.username} ${query} pageSize=${pageSize}`).toEqual(whole.map((d) => d.code));
        }
      }
    }
  }
});

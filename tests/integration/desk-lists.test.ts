import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addDeskUsers, addUser, listAll, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';

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
    harness = makeApp(t.db);
    const receive = async (name: string, by: TestUser, procedureCode: string) => {
      codes[name] = await receiveAs(harness.app, by, procedureCode, name);
    };
    await receive('Ward for ward', users.wardClerk, HOURS); // received and handled by the ward
    await receive('Ward for land', users.wardClerk, LAND); // received by the ward, handled by land
    await receive('Land for land', users.landClerk, LAND); // received and handled by land
    await receive('Ward for ward, done', users.wardClerk, HOURS);
    const done = await request(harness.app)
      .post(`/api/v1/dossiers/${encodeURIComponent(codes['Ward for ward, done'])}/actions`)
      .set('Authorization', `Bearer ${users.wardClerk.token}`)
      .send({ action: 'resolve', version: 1, outcome: 'approved' });
    expect(done.status).toBe(200);
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
    expect(await list(users.landHead)).toEqual(named('Ward for land', 'Land for land'));
    expect(await list(users.landHead, 'status=open')).toEqual(named('Ward for land', 'Land for land'));
    expect(await list(users.landClerk, `q=${encodeURIComponent('for land')}`)).toEqual(named('Ward for land', 'Land for land'));
    expect(await list(users.landHead, 'agencyCode=' + AGENCIES.land.code)).toEqual(named('Ward for land', 'Land for land'));
  });

  it('when a desk with no dossier lists, then it sees none', async () => {
    expect(await list(users.otherHead)).toEqual([]);
  });

  it("when a desk's list is paged in any order, then the pages are the whole list in that order, each dossier once", async () => {
    // A page's ids are asked first, in order, then their rows, in the same order again (repository.ts listOf).
    for (const user of [users.landHead, users.wardHead]) {
      for (const sort of ['-received', 'received', 'due', '-due']) {
        const whole = await listAll(harness.app, user, `sort=${sort}`);
        const key = sort.endsWith('due') ? 'dueAt' : 'receivedAt';
        const keys = whole.map((d) => (d as unknown as Record<string, string>)[key]);
        expect(keys).toEqual(sort.startsWith('-') ? [...keys].sort().reverse() : [...keys].sort());
        for (const pageSize of [1, 2]) {
          const paged: string[] = [];
          for (let page = 1; page <= whole.length; page++) {
            const res = await request(harness.app).get(`/api/v1/dossiers?sort=${sort}&pageSize=${pageSize}&page=${page}`).set('Authorization', `Bearer ${user.token}`);
            expect(res.body.total).toBe(whole.length);
            paged.push(...(res.body.items as { code: string }[]).map((d) => d.code));
          }
          expect(paged, `${user.username} sort=${sort} pageSize=${pageSize}`).toEqual(whole.map((d) => d.code));
        }
      }
    }
  });
});

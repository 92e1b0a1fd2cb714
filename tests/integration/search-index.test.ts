import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { addUser, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { mergeSearchIndexStep, settleSearchIndex, startSearchUpkeep } from '../../src/db/search-index';

// The server merges SQLite's search index (FTS5) while it is quiet instead of leaving the merging to later commits
// (src/db/search-index.ts). Here the index is given merging to do the way a busy desk or an import leaves it: many
// segments at one level, written while FTS5's own merging at each commit was off.

describe.skipIf(process.env.TEST_DB === 'pg')('upkeep of the search index on SQLite', () => {
  let t: TestDb;
  let admin: TestUser;
  let harness: ReturnType<typeof makeApp>;

  /** FTS5 writes one row of its term index per segment and leaf page at least: the distinct segment ids are its segments. */
  const segments = async () => Number((await t.db.raw('SELECT count(DISTINCT segid) AS n FROM dossier_search_idx'))[0].n);
  const search = async (text: string) => {
    const res = await request(harness.app).get(`/api/v1/dossiers?pageSize=500&q=${encodeURIComponent(text)}`).set('Authorization', `Bearer ${admin.token}`);
    expect(res.status, text).toBe(200);
    return (res.body.items as { code: string }[]).map((i) => i.code).sort();
  };
  /** Twelve intakes, each its own commit and so its own segment, with automerge off: twelve segments left to merge. */
  const receiveUnmerged = async (prefix: string) => {
    await t.db.raw("INSERT INTO dossier_search (dossier_search, rank) VALUES ('automerge', 0)");
    for (let i = 0; i < 12; i += 1) {
      const res = await request(harness.app)
        .post('/api/v1/dossiers')
        .set('Authorization', `Bearer ${admin.token}`)
        .send({ procedureCode: '1.012756', channel: 'in_person', applicant: { name: `${prefix} Thị Hạnh ${i}`, phone: `0913${String(200000 + i)}` } });
      expect(res.status).toBe(201);
    }
    await t.db.raw("INSERT INTO dossier_search (dossier_search, rank) VALUES ('automerge', 4)");
  };

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    admin = await addUser(t.db, 'city.admin', 'admin', null);
    harness = makeApp(t.db);
  });
  afterAll(() => t.destroy());

  it('when segments wait to be merged, then steps merge them, the last step says nothing was left, and every search finds the same dossiers', async () => {
    await receiveUnmerged('Phạm');
    const before = await segments();
    expect(before).toBeGreaterThanOrEqual(12);
    const found = { name: await search('phạm thị'), phone: await search('0913200'), one: await search('Hạnh 7') };
    expect([found.name.length, found.phone.length, found.one.length]).toEqual([12, 12, 1]);

    expect(await mergeSearchIndexStep(t.db, 64)).toBe(true);
    await settleSearchIndex(t.db, { pages: 64 });
    // A positive merge takes four or more segments of a level at a time (FTS5's usermerge): fewer are left.
    expect(await segments()).toBeLessThan(4);
    expect(await mergeSearchIndexStep(t.db, 64)).toBe(false);
    expect({ name: await search('phạm thị'), phone: await search('0913200'), one: await search('Hạnh 7') }).toEqual(found);
    // FTS5's own check of the index against the dossiers it was built from (rank 1: the content table too).
    await t.db.raw("INSERT INTO dossier_search (dossier_search, rank) VALUES ('integrity-check', 1)");
  });

  it('when nothing is left to merge, then a step changes nothing', async () => {
    await settleSearchIndex(t.db);
    const before = await segments();
    expect(await mergeSearchIndexStep(t.db, 1000)).toBe(false);
    expect(await segments()).toBe(before);
  });

  it('when the server starts with merging left, then its upkeep waits while the process is busy, merges in steps once it is quiet, and stops when told', async () => {
    await receiveUnmerged('Trần');
    const waiting = await segments();
    expect(waiting).toBeGreaterThanOrEqual(12);
    let busy = true;
    // One page per step: the merging takes several steps, with pauses between them.
    const stop = startSearchUpkeep(harness.app.locals.ctx, { pages: 1, pauseMs: 1, intervalMs: 60_000, busy: () => busy });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await segments()).toBe(waiting);
      busy = false;
      await vi.waitFor(async () => expect(await segments()).toBeLessThan(4), { timeout: 5000, interval: 20 });
    } finally {
      stop();
    }
    expect(await mergeSearchIndexStep(t.db, 1000)).toBe(false);
    expect(await search('trần thị')).toHaveLength(12);
  });

  it('when the upkeep is stopped while it waits for a quiet moment, then it never merges', async () => {
    await receiveUnmerged('Lý');
    const waiting = await segments();
    const stop = startSearchUpkeep(harness.app.locals.ctx, { pages: 1, pauseMs: 1, intervalMs: 60_000, busy: () => true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await segments()).toBe(waiting);
    expect(await mergeSearchIndexStep(t.db, 1000)).toBe(true);
  });

  it('when a step is asked for no pages, then it is refused before touching the index', async () => {
    await expect(mergeSearchIndexStep(t.db, 0)).rejects.toThrow('pages must be a positive integer');
  });
});

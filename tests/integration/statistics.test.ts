import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { seedIfEmpty } from '../../seeds/index';
import { analyzeAllowedAt, keepPlannerStatistics, plannerStatistics, startStatisticsUpkeep, statisticsNote, statisticsStale } from '../../src/db/statistics';
import { fixedClock } from '../../src/shared/clock';
import type { AppContext } from '../../src/shared/context';

// SQLite's planner statistics as the app keeps them (src/db/statistics.ts): the counts of ANALYZE, never histograms.
describe.skipIf(process.env.TEST_DB === 'pg')('SQLite planner statistics', () => {
  let t: TestDb;
  let dossiers: number;
  const rows = async (table: string) => Number((await t.db.raw(`SELECT count(*) AS n FROM ${table}`))[0].n);
  /** Statistics as if ANALYZE had run when the dossiers were a third of what they are. */
  const analyzedAtAThird = async () => {
    const third = Math.floor(dossiers / 3);
    await t.db.raw("UPDATE sqlite_stat1 SET stat = ? || ' 1' WHERE tbl = 'dossiers' AND idx = 'dossiers_code_unique'", [String(third)]);
    return third;
  };

  beforeAll(async () => {
    t = await createTestDb();
    await seedIfEmpty(t.db, { demo: true, now: new Date('2026-11-21T03:00:00Z') });
    dossiers = await rows('dossiers');
  });
  afterAll(() => t.destroy());

  it('when the database holds dossiers and no statistics, then they are made, with the dossiers counted and no histograms', async () => {
    expect(dossiers).toBeGreaterThan(1_000);
    expect(await plannerStatistics(t.db)).toEqual({ analyzedDossiers: null, dossiers, histograms: 0 });
    const upkeep = await keepPlannerStatistics(t.db);
    expect(upkeep).toMatchObject({ done: 'analyzed', dossiers });
    expect(await plannerStatistics(t.db)).toEqual({ analyzedDossiers: dossiers, dossiers, histograms: 0 });
    // Every index of the dossiers has its line, as a plain ANALYZE gives.
    const lines = await t.db.raw("SELECT idx FROM sqlite_stat1 WHERE tbl = 'dossiers' AND idx = 'dossiers_open_due_idx'");
    expect(lines).toHaveLength(1);
    expect(statisticsNote(upkeep)).toMatch(new RegExp(`^Đã cập nhật thống kê của SQLite .*\\(${dossiers.toLocaleString('vi-VN')} hồ sơ, \\d+,\\d giây\\)\\.$`));
  });

  it('when statistics describe the dossiers, then nothing is done and nothing is said', async () => {
    const before = await t.db.raw('SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx');
    expect(await keepPlannerStatistics(t.db)).toEqual({ done: 'nothing' });
    expect(await t.db.raw('SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx')).toEqual(before);
    expect(statisticsNote({ done: 'nothing' })).toBeNull();
  });

  it('when someone ran a plain ANALYZE, then its histograms are deleted and the counts kept', async () => {
    await t.db.raw('ANALYZE');
    const histograms = await rows('sqlite_stat4');
    expect(histograms).toBeGreaterThan(0);
    const counts = await t.db.raw('SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx');
    expect(await keepPlannerStatistics(t.db)).toEqual({ done: 'histograms dropped', histograms });
    expect(await rows('sqlite_stat4')).toBe(0);
    expect(await t.db.raw('SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx')).toEqual(counts);
  });

  it('when the dossiers have more than doubled since the statistics, then they are made again; when ANALYZE is not allowed now, only the histograms go', async () => {
    const third = await analyzedAtAThird();
    expect(await plannerStatistics(t.db)).toMatchObject({ analyzedDossiers: third, dossiers });
    expect(await keepPlannerStatistics(t.db, { mayAnalyze: () => false })).toEqual({ done: 'nothing' });
    expect(await keepPlannerStatistics(t.db)).toMatchObject({ done: 'analyzed', dossiers });
    expect(await plannerStatistics(t.db)).toEqual({ analyzedDossiers: dossiers, dossiers, histograms: 0 });
  });

  it('when the server runs and the statistics go stale, then its hourly upkeep makes them again', async () => {
    await analyzedAtAThird();
    const failures: unknown[] = [];
    const ctx = { db: t.db, config: {} as AppContext['config'], clock: fixedClock('2026-12-05T03:00:00Z'), log: (_: string, err?: unknown) => failures.push(err) };
    const stop = startStatisticsUpkeep(ctx, { intervalMs: 20 });
    try {
      await expect.poll(async () => (await plannerStatistics(t.db)).analyzedDossiers, { timeout: 5_000, interval: 20 }).toBe(dossiers);
    } finally {
      stop();
    }
    expect(failures).toEqual([]);
  });

  it('when the database holds fewer dossiers than the minimum, then no statistics are made; forced, they are', async () => {
    await t.db.raw('DELETE FROM sqlite_stat1');
    expect(await keepPlannerStatistics(t.db, { minDossiers: dossiers + 1 })).toEqual({ done: 'nothing' });
    expect(await rows('sqlite_stat1')).toBe(0);
    expect(await keepPlannerStatistics(t.db, { minDossiers: dossiers + 1, force: true })).toMatchObject({ done: 'analyzed' });
    expect(await plannerStatistics(t.db)).toEqual({ analyzedDossiers: dossiers, dossiers, histograms: 0 });
  });
});

describe('when planner statistics are stale', () => {
  const s = (analyzedDossiers: number | null, dossiers: number) => ({ analyzedDossiers, dossiers, histograms: 0 });
  it('then below 1,000 dossiers never; without statistics above; beyond twice or half the dossiers counted', () => {
    expect(statisticsStale(s(null, 999))).toBe(false);
    expect(statisticsStale(s(null, 1_000))).toBe(true);
    expect(statisticsStale(s(10_000, 20_000))).toBe(false);
    expect(statisticsStale(s(10_000, 20_001))).toBe(true);
    expect(statisticsStale(s(10_000, 5_000))).toBe(false);
    expect(statisticsStale(s(10_000, 4_999))).toBe(true);
  });

  it('then ANALYZE runs at any hour below 100,000 dossiers, and above only from midnight to 5:00 in Vietnam', () => {
    // 16:59 UTC is 23:59 in Vietnam, 17:00 UTC midnight, 21:59 UTC 04:59, 22:00 UTC 05:00.
    expect(analyzeAllowedAt(99_999, new Date('2026-12-05T03:00:00Z'))).toBe(true);
    expect(analyzeAllowedAt(100_000, new Date('2026-12-05T03:00:00Z'))).toBe(false);
    expect(analyzeAllowedAt(1_000_000, new Date('2026-12-05T16:59:00Z'))).toBe(false);
    expect(analyzeAllowedAt(1_000_000, new Date('2026-12-05T17:00:00Z'))).toBe(true);
    expect(analyzeAllowedAt(1_000_000, new Date('2026-12-05T21:59:00Z'))).toBe(true);
    expect(analyzeAllowedAt(1_000_000, new Date('2026-12-05T22:00:00Z'))).toBe(false);
  });
});

describe.skipIf(process.env.TEST_DB !== 'pg')('PostgreSQL planner statistics', () => {
  it('when asked on PostgreSQL, then nothing is done (its autovacuum keeps them)', async () => {
    const t = await createTestDb();
    try {
      expect(await keepPlannerStatistics(t.db)).toEqual({ done: 'nothing' });
    } finally {
      await t.destroy();
    }
  });
});

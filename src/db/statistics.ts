import type { Knex } from 'knex';
import type { AppContext } from '../shared/context';
import { isSqlite } from './dialect';

// SQLite's planner statistics, kept by the app.
//
// SQLite plans a statement from `sqlite_stat1` (how many rows each index holds, and how many share a key), which only
// ANALYZE writes. Without it the planner guesses, and on a city's data some of the app's statements took a wrong index:
// on the bench's 1,000,000 dossiers, a head's watch page took 0.25-0.59 s instead of 7-11 ms, a search for two
// letters no dossier holds 0.3-1.3 s instead of 2 ms, and the late list served 13 requests a second instead of 1,650
// (docs/SCALING.md, Planner statistics). So the server makes them itself, as the dossiers grow.
//
// The better-sqlite3 build of SQLite also keeps histograms (`sqlite_stat4`, SQLITE_ENABLE_STAT4). With them the plan of
// a statement may depend on the values bound to it, and SQLite then compiles the statement again every time a value is
// bound: every run of the late list compiled its statement anew (137 µs a run in a loop with the histograms, 83 µs
// without). The app's statements that need one index whatever their values name it (INDEXED BY), so the app keeps
// the counts and drops the histograms.

/** Below this many dossiers the planner's own guesses serve, and statistics would soon be out of date. */
export const STATISTICS_MIN_DOSSIERS = 1_000;
/** Statistics are made again when the dossiers have grown to more than this many times those counted, or shrunk as much. */
export const STATISTICS_DRIFT = 2;

/** What the statistics of an SQLite database say, against the dossiers it holds. */
export interface PlannerStatistics {
  /** The dossiers counted by the last ANALYZE (null: none). */
  analyzedDossiers: number | null;
  dossiers: number;
  /** Rows of histograms (sqlite_stat4). */
  histograms: number;
}

/** The statistics SQLite has for the dossiers, and the dossiers there are. SQLite only. */
export async function plannerStatistics(db: Knex): Promise<PlannerStatistics> {
  let analyzedDossiers: number | null = null;
  if (await db.schema.hasTable('sqlite_stat1')) {
    // The first number of an index's line is the rows it holds: the unique index of codes holds every dossier.
    const [row] = await db.raw("SELECT stat FROM sqlite_stat1 WHERE tbl = 'dossiers' AND idx = 'dossiers_code_unique'");
    if (row) analyzedDossiers = Number(String(row.stat).split(' ')[0]);
  }
  const histograms = (await db.schema.hasTable('sqlite_stat4')) ? Number((await db.raw('SELECT count(*) AS n FROM sqlite_stat4'))[0].n) : 0;
  const dossiers = Number((await db.raw('SELECT count(*) AS n FROM dossiers'))[0].n);
  return { analyzedDossiers, dossiers, histograms };
}

/** Whether the statistics no longer describe the dossiers (or there are none), for a database large enough to need them. */
export function statisticsStale(s: PlannerStatistics, minDossiers = STATISTICS_MIN_DOSSIERS): boolean {
  if (s.dossiers < minDossiers) return false;
  if (!s.analyzedDossiers) return true;
  const ratio = s.dossiers / s.analyzedDossiers;
  return ratio > STATISTICS_DRIFT || ratio < 1 / STATISTICS_DRIFT;
}

export type StatisticsUpkeep =
  | { done: 'analyzed'; dossiers: number; ms: number }
  | { done: 'histograms dropped'; histograms: number }
  | { done: 'nothing' };

/**
 * Makes SQLite's statistics describe the database without histograms: ANALYZE when they are stale (statisticsStale)
 * and `mayAnalyze` allows it, or when `force` asks (after migrations: new indexes), and the histograms deleted, whoever
 * made them (ANALYZE run by hand, a bench). ANALYZE reads every index: about 12 s for 1,000,000 dossiers, during which
 * the connection does nothing else. On PostgreSQL nothing (its autovacuum keeps its statistics).
 */
export async function keepPlannerStatistics(
  db: Knex,
  options: { minDossiers?: number; mayAnalyze?: (s: PlannerStatistics) => boolean; force?: boolean } = {},
): Promise<StatisticsUpkeep> {
  if (!isSqlite(db)) return { done: 'nothing' };
  const before = await plannerStatistics(db);
  const analyze = options.force || (statisticsStale(before, options.minDossiers) && (options.mayAnalyze?.(before) ?? true));
  if (!analyze && before.histograms === 0) return { done: 'nothing' };
  const started = performance.now();
  await db.transaction(async (trx) => {
    if (analyze) await trx.raw('ANALYZE');
    if (await trx.schema.hasTable('sqlite_stat4')) await trx.raw('DELETE FROM sqlite_stat4');
  });
  // The connection reads the statistics again (ANALYZE of a table without indexes reads them and changes nothing),
  // so that its planner forgets the histograms just deleted.
  await db.raw('ANALYZE sqlite_schema');
  if (analyze) return { done: 'analyzed', dossiers: before.dossiers, ms: performance.now() - started };
  return { done: 'histograms dropped', histograms: before.histograms };
}

/** The server's line about what keepPlannerStatistics did, or null when it did nothing. */
export function statisticsNote(upkeep: StatisticsUpkeep): string | null {
  if (upkeep.done === 'analyzed') {
    return `Đã cập nhật thống kê của SQLite cho bộ lập kế hoạch truy vấn (${upkeep.dossiers.toLocaleString('vi-VN')} hồ sơ, ${(upkeep.ms / 1000).toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} giây).`;
  }
  if (upkeep.done === 'histograms dropped') return 'Đã bỏ bảng phân bố giá trị (sqlite_stat4) của SQLite: với nó mỗi câu lệnh bị biên dịch lại mỗi lần chạy.';
  return null;
}

/** How often the server looks whether the statistics are stale (a count of the dossiers: 25 ms at 1,000,000). */
export const STATISTICS_CHECK_MS = 60 * 60_000;
/** Below this many dossiers ANALYZE takes about a second at most, and may run in working hours. */
export const STATISTICS_QUICK_DOSSIERS = 100_000;

/**
 * Whether stale statistics may be made again now: ANALYZE holds the server's one SQLite connection for its whole
 * length (about 1.2 s per 100,000 dossiers), so a large database waits for the night, between 00:00 and 05:00 in
 * Vietnam (UTC+7), when the desks are closed.
 */
export function analyzeAllowedAt(dossiers: number, now: Date): boolean {
  const hour = (now.getUTCHours() + 7) % 24;
  return dossiers < STATISTICS_QUICK_DOSSIERS || hour < 5;
}

/**
 * The server's upkeep of the statistics: every STATISTICS_CHECK_MS, keepPlannerStatistics, with ANALYZE only when it
 * is allowed now (analyzeAllowedAt). The server's start runs keepPlannerStatistics itself, before it listens
 * (src/server.ts). Returns a function that stops it; on PostgreSQL nothing runs.
 */
export function startStatisticsUpkeep(ctx: AppContext, options: { intervalMs?: number } = {}): () => void {
  if (!isSqlite(ctx.db)) return () => {};
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const upkeep = await keepPlannerStatistics(ctx.db, { mayAnalyze: (s) => analyzeAllowedAt(s.dossiers, ctx.clock.now()) });
      const note = statisticsNote(upkeep);
      if (note) console.log(note);
    } catch (err) {
      ctx.log('Planner statistics upkeep failed', err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), options.intervalMs ?? STATISTICS_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

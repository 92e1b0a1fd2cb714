import type { Knex } from 'knex';
import type { AppContext } from '../shared/context';
import { isSqlite } from './dialect';

// Upkeep of SQLite's search index (FTS5, migration 20261130001400_dossier_search). FTS5 keeps the index as segments
// in levels: each commit adds a small segment and merges a little (automerge). About once each time the index
// quadruples, and after a large import, it starts merging its largest segments, and until that merge is done every
// commit does part of it: on the bench's million dossiers, with four segments of ~11,600 pages being merged, 240-370
// intakes/s against 450-650 once done, for 15,000 intakes (a later session, on a faster machine, saw no such cost:
// SCALING.md). The server does that work itself while it is quiet, a few pages at a time; under load it leaves the
// merging to the commits, as before. PostgreSQL's index of words keeps itself (VACUUM).

/**
 * Leaf pages one step merges at most. better-sqlite3 is synchronous: a step holds the event loop and the write lock
 * for its whole length. On the bench's data set, finishing a merge of three segments of 15,500 pages: 437 steps, median
 * 5.2 ms, the slowest 65 ms (those that also wrote the WAL back to the file).
 */
export const UPKEEP_STEP_PAGES = 64;
/** Before each step the upkeep waits this long, serving the requests that come meanwhile. */
export const UPKEEP_PAUSE_MS = 50;
/** The wait is repeated while the event loop was busier than this during it (the share of the time it ran code). */
export const UPKEEP_BUSY_ABOVE = 0.5;
/** How often the server looks whether FTS5 has merging to do. */
export const UPKEEP_INTERVAL_MS = 5 * 60_000;

/**
 * One step of the merging FTS5 would do anyway at later commits (`merge` with a positive count: it goes on with a merge
 * under way, or starts one where a level holds as many segments as FTS5 merges at once). True when it changed the
 * index, false when nothing was left to merge. SQLite only.
 */
export async function mergeSearchIndexStep(db: Knex, pages: number): Promise<boolean> {
  if (!(Number.isInteger(pages) && pages > 0)) throw new Error('pages must be a positive integer');
  // total_changes() counts the connection's rows written: the command's own insert is one, merged pages are more.
  // One transaction, so that no other statement on the connection moves the count in between.
  return db.transaction(async (trx) => {
    const totalChanges = async () => Number((await trx.raw('SELECT total_changes() AS n'))[0].n);
    const before = await totalChanges();
    await trx.raw("INSERT INTO dossier_search (dossier_search, rank) VALUES ('merge', ?)", [pages]);
    return (await totalChanges()) - before > 1;
  });
}

/**
 * Merges in steps until FTS5 has nothing left to merge; gives back the steps that changed the index. `between` is
 * awaited before each step but the first. SQLite only.
 */
export async function settleSearchIndex(
  db: Knex,
  options: { pages?: number; between?: () => Promise<void>; stopped?: () => boolean } = {},
): Promise<number> {
  const { pages = UPKEEP_STEP_PAGES, between, stopped = () => false } = options;
  let steps = 0;
  while (!stopped() && (await mergeSearchIndexStep(db, pages))) {
    steps += 1;
    if (between) await between();
  }
  return steps;
}

/**
 * The server's upkeep: at start, then every UPKEEP_INTERVAL_MS, the search index is settled in small steps, each after
 * a pause in which the event loop was mostly idle (`busy` replaces that measure in tests). Returns a function that
 * stops it; on PostgreSQL nothing runs.
 */
export function startSearchUpkeep(
  ctx: AppContext,
  options: { intervalMs?: number; pages?: number; pauseMs?: number; busy?: () => boolean } = {},
): () => void {
  if (!isSqlite(ctx.db)) return () => {};
  const { intervalMs = UPKEEP_INTERVAL_MS, pages = UPKEEP_STEP_PAGES, pauseMs = UPKEEP_PAUSE_MS } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const quiet = async () => {
    for (;;) {
      const start = performance.eventLoopUtilization();
      await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
      const busy = options.busy ? options.busy() : performance.eventLoopUtilization(start).utilization > UPKEEP_BUSY_ABOVE;
      if (stopped || !busy) return;
    }
  };
  const run = async () => {
    try {
      await quiet();
      const started = performance.now();
      const steps = stopped ? 0 : await settleSearchIndex(ctx.db, { pages, between: quiet, stopped: () => stopped });
      if (steps > 1) {
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.log(`Đã gộp chỉ mục tìm kiếm hồ sơ: ${steps} bước, ${seconds} giây.`);
      }
    } catch (err) {
      ctx.log('Search index upkeep failed', err);
    }
    if (!stopped) timer = setTimeout(() => void run(), intervalMs).unref();
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

// Each bench run on PostgreSQL works on a copy of the generated database, as each run on SQLite works on a copy of
// the generated file. Without it every run's intakes (some 4,000, named alike), drafted letters and sessions stayed
// in the data set, and the centre's searches slowed run after run.
import { openDb } from '../../src/db/knex';

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The name of the database a postgres:// URL names. */
export const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** The server's `postgres` database, from which databases are made and dropped. */
function adminDb(url: string) {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return openDb({ client: 'pg', url: admin.toString() });
}

const serverVersion = async (db: ReturnType<typeof openDb>) => Number((await db.raw('SHOW server_version_num')).rows[0].server_version_num);

/** Drops a database, closing the connections left to it (PostgreSQL 13 and later). */
const dropSql = (name: string, version: number) => `DROP DATABASE IF EXISTS ${quoteIdent(name)}${version >= 130000 ? ' WITH (FORCE)' : ''}`;

/**
 * Makes `<name>_run` afresh from the database `url` names, as a template (an earlier run's copy is dropped first),
 * and gives its URL. The source must have no open connection; the server's `postgres` database is used to copy.
 */
export async function copyForRun(url: string): Promise<{ url: string; seconds: number }> {
  const source = databaseName(url);
  const target = `${source}_run`;
  const db = adminDb(url);
  const t0 = performance.now();
  try {
    const version = await serverVersion(db);
    await db.raw(dropSql(target, version));
    // FILE_COPY (PostgreSQL 15's other strategy, its only one before) copies the files after a checkpoint; the
    // default WAL_LOG writes the whole database through the WAL.
    const create = `CREATE DATABASE ${quoteIdent(target)} TEMPLATE ${quoteIdent(source)}${version >= 150000 ? ' STRATEGY FILE_COPY' : ''}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await db.raw(create);
        break;
      } catch (err) {
        // An autovacuum worker still connected to the source refuses the copy for a moment.
        if (attempt >= 10 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await db.destroy();
  }
  const run = new URL(url);
  run.pathname = `/${encodeURIComponent(target)}`;
  return { url: run.toString(), seconds: (performance.now() - t0) / 1000 };
}

/** Drops a run's copy made by copyForRun, closing any connection left to it: its 8 GB would crowd the page cache. */
export async function dropRunCopy(runUrl: string): Promise<void> {
  const target = databaseName(runUrl);
  if (!target.endsWith('_run')) throw new Error(`not a run's copy: ${target}`);
  const db = adminDb(runUrl);
  try {
    await db.raw(dropSql(target, await serverVersion(db)));
  } finally {
    await db.destroy();
  }
}

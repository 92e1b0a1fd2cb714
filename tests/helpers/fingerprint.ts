import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';

/** Tables a visit may write without changing anything of substance: sign-ins and their log. */
const VOLATILE = new Set(['sessions', 'login_attempts', 'audit_log', 'knex_migrations', 'knex_migrations_lock']);

const namesByDb = new WeakMap<Knex, Promise<string[]>>();

/** The tables of the database (read once per connection: no test adds a table). */
export function tableNames(db: Knex): Promise<string[]> {
  if (!namesByDb.has(db)) namesByDb.set(db, readTableNames(db));
  return namesByDb.get(db)!;
}

async function readTableNames(db: Knex): Promise<string[]> {
  const rows: { name: string }[] = isSqlite(db)
    ? await db.raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    : (await db.raw(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`)).rows;
  return rows.map((r) => r.name).sort();
}

/**
 * One hash per table of every row it holds (order-independent), so a test can tell that a refused request
 * wrote nothing at all — no insert, no update, no delete — in any table.
 */
export async function fingerprint(db: Knex, except: readonly string[] = []): Promise<Record<string, string>> {
  const tables = (await tableNames(db)).filter((table) => !VOLATILE.has(table) && !except.includes(table));
  const hashes = await Promise.all(
    tables.map(async (table) => {
      const rows = (await db(table).select()).map((r) => JSON.stringify(r)).sort();
      return `${rows.length}:${crypto.createHash('sha1').update(rows.join('\n')).digest('hex').slice(0, 12)}`;
    }),
  );
  return Object.fromEntries(tables.map((table, i) => [table, hashes[i]]));
}

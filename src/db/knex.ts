import knexFactory, { type Knex } from 'knex';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

/** Opens the database named by the config; SQLite gets WAL, a busy timeout and foreign keys. */
export function openDb(database: Config['database']): Knex {
  if (database.client === 'pg') {
    return knexFactory({
      client: 'pg',
      connection: database.url,
      pool: {
        min: 0,
        max: 10,
        // JIT compilation is meant for long analytic queries: on the settlement report (a large estimated cost,
        // a few tens of milliseconds of work) it spent ~700 ms compiling before the first row. Parallel workers
        // likewise: starting them cost more than they saved on a 2-core machine, where they also take the cores
        // the app's requests need (a year's report on the bench: 317–357 ms with them, 119–129 ms without).
        afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
          conn.query('SET jit = off; SET max_parallel_workers_per_gather = 0', (err) => done(err, conn));
        },
      },
    });
  }
  if (database.filename !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(database.filename)), { recursive: true });
  }
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: database.filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(
        conn: { pragma(sql: string): unknown; function(name: string, opts: object, fn: (s: unknown) => unknown): unknown; prepare(sql: string): unknown },
        done: (err: Error | null, conn: unknown) => void,
      ) {
        conn.prepare = cachedPrepare(conn.prepare.bind(conn));
        // SQLite's LOWER and LIKE fold only ASCII; Vietnamese needs the full Unicode folding.
        conn.function('vn_lower', { deterministic: true }, (s) => (typeof s === 'string' ? s.toLowerCase() : s));
        conn.pragma('journal_mode = WAL');
        // FULL unless the deployment chose NORMAL (src/config.ts SqliteDatabase): durable commits by default.
        conn.pragma(`synchronous = ${database.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  });
}

/** How many prepared statements an SQLite connection keeps (the app runs a few dozen distinct ones). */
const STATEMENT_CACHE_SIZE = 400;

/**
 * knex prepares every query anew on better-sqlite3; a page runs the same handful of statements each time, and
 * preparing was a tenth of a page's CPU. Statements are kept by their SQL text, least recently used dropped first.
 * Safe because better-sqlite3 runs a statement to completion synchronously (knex only calls all() and run()), and
 * SQLite prepares a kept statement again by itself when the schema changes.
 */
export function cachedPrepare<S>(prepare: (sql: string) => S, size = STATEMENT_CACHE_SIZE): (sql: string) => S {
  const kept = new Map<string, S>();
  return (sql) => {
    let statement = kept.get(sql);
    if (statement !== undefined) {
      kept.delete(sql); // re-inserted below: a Map iterates in insertion order, so the first key is the least recent
    } else {
      statement = prepare(sql);
      if (kept.size >= size) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, statement);
    return statement;
  };
}

import knexFactory, { type Knex } from 'knex';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { withoutMarks } from '../shared/marks';

/** Opens the database named by the config; SQLite gets WAL, a busy timeout and foreign keys. */
export function openDb(database: Config['database']): Knex {
  if (database.client === 'pg') {
    return knexFactory({
      client: 'pg',
      connection: database.url,
      // The pool logged a failed connection with its stack before the caller got the same error (which says it in
      // Vietnamese: src/db/connect-errors.ts); other warnings are knex's as before.
      log: {
        warn: (message: unknown) => {
          if (!String(message).startsWith('Acquire connection error')) console.warn(message);
        },
      },
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
        const prepare = conn.prepare.bind(conn) as (sql: string) => SqliteStatement;
        conn.prepare = cachedPrepare((sql: string) => rowsBuiltInJs(prepare(sql)));
        // SQLite's LOWER and LIKE fold only ASCII; Vietnamese needs the full Unicode folding.
        conn.function('vn_lower', { deterministic: true }, (s) => (typeof s === 'string' ? s.toLowerCase() : s));
        // The applicant's name without its marks, which the search index holds (migration 20261205003700).
        conn.function('vn_without_marks', { deterministic: true }, (s) => (typeof s === 'string' ? withoutMarks(s) : s));
        conn.pragma('journal_mode = WAL');
        // FULL unless the deployment chose NORMAL (src/config.ts SqliteDatabase): durable commits by default.
        conn.pragma(`synchronous = ${database.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
        conn.pragma('busy_timeout = 5000');
        // 32 MB of pages instead of SQLite's 2 MB, which the 1M data set's hot pages outgrow: the bench's dossier
        // pages (2,000 dossiers in turn) read theirs again from the file, a system call and a copy each. On the
        // bench, alternating with the 2 MB cache: dossier page +15%, late list +15% (req/s); the late list alone,
        // server CPU per request −11% ± 5% (floor-cpu.ts). The server's RSS grows by about as much.
        conn.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  });
}

/** SQLite's page cache per connection, in KiB. */
const SQLITE_CACHE_KIB = 32_768;

/** What rowsBuiltInJs uses of a better-sqlite3 statement. */
export interface SqliteStatement {
  readonly reader: boolean;
  raw(on: boolean): unknown;
  columns(): { name: string }[];
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

/**
 * A statement that reads rows answers all() and get() with objects built here from better-sqlite3's arrays (its raw
 * mode). better-sqlite3 builds each row object in C++, a property at a time, which V8 cannot do as fast as the same
 * assignments in JavaScript: for the late list's 50 rows of 14 columns (1M data set, in a loop) 300-318 µs as
 * objects, 212-215 µs as arrays, 219-240 µs as arrays made objects here. The objects are the same: the columns'
 * names in order, a later column of the same name overwriting an earlier one. The names are read once; if the
 * schema changes under a kept statement (SQLite prepares it again by itself) and its rows' width with it, they are
 * read again.
 */
export function rowsBuiltInJs<S extends SqliteStatement>(statement: S): S {
  if (!statement.reader) return statement;
  const all = statement.all;
  const get = statement.get;
  const namesNow = () => statement.columns().map((c) => c.name);
  let names = namesNow();
  let make = rowMaker(names);
  const toObject = (values: unknown[]): Record<string, unknown> => {
    if (values.length !== names.length) make = rowMaker((names = namesNow()));
    return make(values);
  };
  statement.raw(true);
  statement.all = function (this: S, ...params: unknown[]) {
    const rows = all.apply(this, params);
    for (let i = 0; i < rows.length; i++) rows[i] = toObject(rows[i] as unknown[]);
    return rows;
  };
  statement.get = function (this: S, ...params: unknown[]) {
    const values = get.apply(this, params) as unknown[] | undefined;
    return values === undefined ? undefined : toObject(values);
  };
  return statement;
}

/**
 * The function that makes a row object of a statement's values: one object literal of its columns, compiled once per
 * statement, so that every row gets the same shape at once. Setting the columns one by one under names read from a
 * list (`row[names[i]] = …`) is a keyed store V8 cannot specialise: the late list's 50 rows took ~40 µs that way
 * against ~20 (in a loop). A later column of the same name overwrites an earlier one in both. A column named
 * `__proto__` would set the literal's prototype, so such a statement's rows are made the slow way.
 */
export function rowMaker(names: readonly string[]): (values: readonly unknown[]) => Record<string, unknown> {
  if (names.includes('__proto__')) {
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i++) Object.defineProperty(row, names[i], { value: values[i], writable: true, enumerable: true, configurable: true });
      return row;
    };
  }
  // The only text compiled: the column names, quoted as JSON.
  return new Function('v', `return {${names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ')}};`) as (values: readonly unknown[]) => Record<string, unknown>;
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

import type { Knex } from 'knex';

/** Every difference between SQLite and PostgreSQL lives here. */
export function isSqlite(db: Knex): boolean {
  const client = db.client.config.client as string;
  return client === 'better-sqlite3' || client === 'sqlite3';
}

/**
 * The rows of one SQL statement (`?` placeholders), on both databases. The statements every page runs are written this
 * way rather than with knex's query builder, which compiles its SQL anew on each call: for the four statements of the
 * dossier page, about a sixth of the page's CPU.
 *
 * On SQLite, outside a transaction, the statement goes straight to the pool's connection, as its own prepared
 * statement (kept: db/knex.ts), without knex's runner (its query object, events, binding formatter and response
 * processing, all for the same rows): the dossier page, A/B on the demo data in 9 alternations, +6 to +19% req/s.
 * On PostgreSQL the same shortcut measured no different (437 against 436 req/s, 4 alternations): knex stays.
 */
export async function selectRows<Row>(db: Knex, sql: string, bindings: readonly Knex.Value[]): Promise<Row[]> {
  if (!onePoolConnection(db)) {
    const result = await db.raw(sql, bindings as Knex.Value[]);
    return Array.isArray(result) ? result : result.rows;
  }
  return onSqliteConnection(db, (connection) => rowsOn<Row>(connection, sql, bindings));
}

/** SQLite outside a knex transaction: the pool's one connection may be taken for a statement (a transaction holds it). */
const onePoolConnection = (db: Knex): boolean => isSqlite(db) && !(db as Knex & { isTransaction?: boolean }).isTransaction;

type SqliteConnection = { prepare(sql: string): { all(...values: unknown[]): unknown[]; run(...values: unknown[]): unknown } };

/** `fn` run synchronously on the pool's SQLite connection, taken for it and given back after. */
async function onSqliteConnection<T>(db: Knex, fn: (connection: SqliteConnection) => T): Promise<T> {
  const client = db.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(connection: SqliteConnection): unknown };
  const connection = await client.acquireConnection();
  try {
    return fn(connection);
  } finally {
    client.releaseConnection(connection);
  }
}

/** A statement's rows on an SQLite connection, its bindings as knex gives them (sqliteValue). */
const rowsOn = <Row>(connection: SqliteConnection, sql: string, bindings: readonly Knex.Value[]): Row[] =>
  connection.prepare(sql).all(...bindings.map(sqliteValue)) as Row[];

/** Rows at once, inside sqliteSnapshot: `?` placeholders, knex's binding conventions. */
export type SnapshotRead = <Row>(sql: string, bindings: readonly Knex.Value[]) => Row[];

/**
 * Several dependent reads on SQLite from one snapshot of the database, in one read transaction on the pool's
 * connection: `fn` is synchronous and gets `read`, which gives rows at once. The reads share one taking and releasing
 * of the file's lock instead of one each (two fcntl calls, microseconds each on these VMs): the dossier page's three statements,
 * rotating over 2,000 dossiers of the 1M data set, 65 → 53 µs in a loop. Not inside a knex transaction (it holds the
 * pool's one connection: this would wait for it forever), nor on PostgreSQL.
 */
export async function sqliteSnapshot<T>(db: Knex, fn: (read: SnapshotRead) => T): Promise<T> {
  if (!onePoolConnection(db)) throw new Error('sqliteSnapshot: SQLite outside a transaction only');
  return onSqliteConnection(db, (connection) => {
    connection.prepare('BEGIN').run();
    try {
      return fn((sql, bindings) => rowsOn(connection, sql, bindings));
    } finally {
      connection.prepare('COMMIT').run();
    }
  });
}

/**
 * SQLite's count of the commits other connections made to the database file (`PRAGMA data_version`): it moves when
 * another process (or another handle) commits, never for this handle's own writes. Outside a transaction only.
 */
export async function sqliteDataVersion(db: Knex): Promise<number> {
  if (!onePoolConnection(db)) throw new Error('sqliteDataVersion: SQLite outside a transaction only');
  return onSqliteConnection(db, (connection) => Number((rowsOn<{ data_version: number }>(connection, 'PRAGMA data_version', [])[0]).data_version));
}

/** A value as better-sqlite3 takes it, the way knex gives it: instants as milliseconds, booleans as 1 and 0. */
function sqliteValue(value: Knex.Value): unknown {
  if (value instanceof Date) return value.valueOf();
  if (typeof value === 'boolean') return Number(value);
  return value;
}

/** The text as the literal part of a LIKE pattern whose ESCAPE is a backslash: its %, _ and backslashes match only themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern (ESCAPE a backslash) of values that contain the text. */
export const containsPattern = (text: string): string => `%${escapeLike(text)}%`;

/**
 * Case-insensitive "contains" on a column, Vietnamese letters included: JavaScript's `toLowerCase` of the column
 * includes that of the text.
 */
export function whereContains(db: Knex, qb: Knex.QueryBuilder, column: string, text: string): Knex.QueryBuilder {
  const pattern = containsPattern(text);
  if (!isSqlite(db)) return qb.orWhereRaw(`?? ILIKE ? ESCAPE '\\'`, [column, pattern]);
  if (/^[\x00-\x7f]*$/.test(text)) {
    // SQLite's own LIKE folds the case of ASCII letters only, and a character outside ASCII never equals one inside:
    // for an ASCII text it is the same "contains", without a call into JavaScript for each row (for two letters over
    // the public service centre's 350,000 dossiers: 0.68 s instead of 1.2 s). Two characters lower to ASCII, İ (to i
    // and a dot above) and the Kelvin sign K (to k): the rows holding one are also asked the JavaScript way.
    if (!/[ik]/i.test(text)) return qb.orWhereRaw(`?? LIKE ? ESCAPE '\\'`, [column, pattern]);
    return qb.orWhereRaw(
      `(?? LIKE ? ESCAPE '\\' OR ((instr(??, 'İ') > 0 OR instr(??, '\u212A') > 0) AND vn_lower(??) LIKE ? ESCAPE '\\'))`,
      [column, pattern, column, column, column, pattern.toLowerCase()],
    );
  }
  // Outside ASCII, a value can contain the text in lower case only if it holds a character whose lower case holds the
  // text's first letter outside ASCII: SQLite's instr finds those few values before the JavaScript call (for "Tú" that
  // is ú or Ú; over the public service centre's dossiers 1.66 s instead of 2.3-2.5 s, asked in the same minutes).
  const letter = [...text.toLowerCase()].find((c) => c > '\x7f');
  const forms = letter === undefined ? null : lowerPreimages(letter);
  if (!forms) return qb.orWhereRaw(`vn_lower(??) LIKE vn_lower(?) ESCAPE '\\'`, [column, pattern]);
  return qb.orWhereRaw(`((${forms.map(() => 'instr(??, ?) > 0').join(' OR ')}) AND vn_lower(??) LIKE vn_lower(?) ESCAPE '\\')`, [
    ...forms.flatMap((f) => [column, f]),
    column,
    pattern,
  ]);
}

let preimages: Map<string, string[]> | null = null;

/**
 * The characters whose lower case (JavaScript's `toLowerCase`) holds `letter`, itself included; null for a letter
 * outside the Basic Multilingual Plane. Built once from the BMP (about 10 ms): no character beyond it lowers to one
 * inside it (checked over every code point, Node 20). Σ lowers to σ alone but to ς at a word's end, its one
 * context-dependent mapping.
 */
function lowerPreimages(letter: string): string[] | null {
  if (letter.length !== 1) return null;
  if (!preimages) {
    preimages = new Map();
    for (let code = 0x80; code < 0x10000; code++) {
      if (code >= 0xd800 && code < 0xe000) continue;
      const char = String.fromCharCode(code);
      for (const lower of new Set(char.toLowerCase())) {
        if (lower === char) continue;
        const list = preimages.get(lower) ?? [];
        list.push(char);
        preimages.set(lower, list);
      }
    }
    preimages.set('ς', [...(preimages.get('ς') ?? []), 'Σ']);
  }
  return [letter, ...(preimages.get(letter) ?? [])];
}

/** SQL that makes a table append-only: any UPDATE or DELETE of its rows fails. */
export function appendOnlyTriggers(db: Knex, table: string): string[] {
  if (isSqlite(db)) {
    return ['UPDATE', 'DELETE'].map(
      (op) =>
        `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} ` +
        `BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
    );
  }
  return [
    `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger AS $$ ` +
      `BEGIN RAISE EXCEPTION '${table} is append-only'; END; $$ LANGUAGE plpgsql`,
    `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} ` +
      `FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
  ];
}

export function dropAppendOnlyTriggers(db: Knex, table: string): string[] {
  if (isSqlite(db)) {
    return [`DROP TRIGGER IF EXISTS ${table}_no_update`, `DROP TRIGGER IF EXISTS ${table}_no_delete`];
  }
  return [`DROP TRIGGER IF EXISTS ${table}_no_change ON ${table}`, `DROP FUNCTION IF EXISTS ${table}_append_only()`];
}

/** Is this error a unique-constraint violation? */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Is this error a write conflict that is safe to retry (busy SQLite file, PG serialization)? better-sqlite3 gives
 * SQLite's extended codes: a transaction that read first and then writes after another process committed fails at
 * once with SQLITE_BUSY_SNAPSHOT (its snapshot is stale; waiting cannot help), which a new attempt resolves.
 */
export function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_BUSY_SNAPSHOT' || e?.code === 'SQLITE_BUSY_TIMEOUT' || e?.code === '40001' || e?.code === '40P01';
}

/** SQLite answers BUSY and PostgreSQL a serialization failure when writers collide: try again a few times. */
export async function withRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !isRetryableConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, 10 * i + Math.random() * 20));
    }
  }
}

/**
 * Takes the next value of a counter row (`last`) keyed by `key`, creating it at 1: one upsert, atomic on both
 * databases, and the row stays locked until the transaction ends, so numbers are never given twice.
 * `table` and the key's column names are the caller's constants, never input.
 */
export async function nextCounter(trx: Knex.Transaction, table: string, key: Record<string, string | number>): Promise<number> {
  const columns = Object.keys(key);
  const sql =
    `INSERT INTO ${table} (${columns.join(', ')}, last) VALUES (${columns.map(() => '?').join(', ')}, 1) ` +
    `ON CONFLICT (${columns.join(', ')}) DO UPDATE SET last = ${table}.last + 1 RETURNING last`;
  const [row] = await selectRows<{ last: number | string }>(trx, sql, Object.values(key));
  return Number(row.last);
}

/**
 * SQL for the UTC instant (ISO string, same format as the stored ones) of local midnight (UTC+7) of the
 * local date of an instant column: "on an earlier local date than X" is `t < localDayStart(X)`.
 */
export function localDayStart(db: Knex, column: string): string {
  if (!/^[a-z_][a-z0-9_.]*$/i.test(column)) throw new Error(`not a column: ${column}`);
  if (isSqlite(db)) return `strftime('%Y-%m-%dT%H:%M:%fZ', ${column}, '+7 hours', 'start of day', '-7 hours')`;
  return (
    `to_char(date_trunc('day', (${column})::timestamptz AT TIME ZONE 'UTC' + interval '7 hours') - interval '7 hours', ` +
    `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
  );
}

/** The SQL function giving the larger of its arguments: GREATEST on PostgreSQL, the scalar MAX on SQLite. */
export function greatestFn(db: Knex): 'GREATEST' | 'MAX' {
  return isSqlite(db) ? 'MAX' : 'GREATEST';
}

/** The file behind an SQLite connection, or null (PostgreSQL, or an in-memory database). */
export function sqliteFilename(db: Knex): string | null {
  if (!isSqlite(db)) return null;
  const filename = (db.client.config.connection as { filename?: string } | undefined)?.filename;
  return filename && filename !== ':memory:' ? filename : null;
}

interface SqliteStatement {
  run(params: unknown[]): unknown;
  all(params: unknown[]): Record<string, unknown>[];
}
const preparedByConnection = new WeakMap<object, Map<string, SqliteStatement>>();

/**
 * Many rows in multi-row `INSERT … VALUES (…), (…)` statements, as many rows each as the bound parameters
 * allow. Knex would write SQLite's multi-row inserts as a compound SELECT (at most 500 rows, slower) and
 * format every batch's bindings again, so on SQLite the statements are prepared once, on the
 * transaction's own connection. `rows` hold values in the order of `columns`.
 */
export async function insertRows(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  returning?: readonly string[],
): Promise<Record<string, unknown>[]> {
  const perStatement = Math.max(1, Math.min(1000, Math.floor(30_000 / columns.length)));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sqlFor = (n: number) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: n }, () => tuple).join(', ')}` +
    (returning ? ` RETURNING ${returning.join(', ')}` : '');
  const out: Record<string, unknown>[] = [];
  const sqlite = isSqlite(trx);
  const connection = sqlite ? ((await (trx.client as { acquireConnection(): Promise<object> }).acquireConnection()) as { prepare(sql: string): SqliteStatement }) : null;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    for (const row of chunk) for (const v of row) params.push(sqlite ? (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null)) : v);
    const sql = sqlFor(chunk.length);
    if (connection) {
      let cache = preparedByConnection.get(connection);
      if (!cache) preparedByConnection.set(connection, (cache = new Map()));
      let statement = cache.get(sql);
      if (!statement) {
        statement = connection.prepare(sql);
        if (cache.size > 50) cache.clear();
        cache.set(sql, statement);
      }
      if (returning) out.push(...statement.all(params));
      else statement.run(params);
    } else {
      const result = await trx.raw(sql, params as Knex.RawBinding[]);
      if (returning) out.push(...result.rows);
    }
  }
  return out;
}

/**
 * Columns the settlement report reads from the dossier row itself (src/reports/definitions.ts), kept by the
 * database whoever writes (service, seeds, imports):
 * - `due_day_start`: local midnight of the due date — "earlier local date than dueAt" is `finished_at < due_day_start`
 *   (triggers on SQLite, a stored generated column through an immutable function on PostgreSQL);
 * - `state_from`: when the current state interval began (triggers on dossier_states; NULL while unknown), so a
 *   report taken after it reads the state from the row instead of looking it up.
 */
export function reportColumnsSql(db: Knex): string[] {
  const dayStart = localDayStart(db, 'due_at');
  if (isSqlite(db)) {
    // A plain column kept by triggers: SQLite cannot add a stored generated column to a table, and a virtual
    // one would not be read from the report's covering index.
    const fromNew = localDayStart(db, 'NEW.due_at');
    return [
      `ALTER TABLE dossiers ADD COLUMN due_day_start varchar(30)`,
      `UPDATE dossiers SET due_day_start = ${dayStart}`,
      `CREATE TRIGGER dossiers_due_day_start_inserted AFTER INSERT ON dossiers ` +
        `BEGIN UPDATE dossiers SET due_day_start = ${fromNew} WHERE id = NEW.id; END`,
      `CREATE TRIGGER dossiers_due_day_start_updated AFTER UPDATE OF due_at ON dossiers ` +
        `BEGIN UPDATE dossiers SET due_day_start = ${fromNew} WHERE id = NEW.id; END`,
      `ALTER TABLE dossiers ADD COLUMN state_from varchar(30)`,
      ...stateOpenedSql(db, false),
      `CREATE TRIGGER dossier_states_current_closed AFTER UPDATE OF valid_to ON dossier_states ` +
        `WHEN OLD.valid_to IS NULL AND NEW.valid_to IS NOT NULL ` +
        `BEGIN UPDATE dossiers SET state_from = NULL WHERE id = NEW.dossier_id AND state_from = OLD.valid_from; END`,
    ];
  }
  return [
    `CREATE OR REPLACE FUNCTION onestop_local_day_start(due_at text) RETURNS varchar(30) IMMUTABLE LANGUAGE sql AS $$ SELECT ${dayStart} $$`,
    `ALTER TABLE dossiers ADD COLUMN due_day_start varchar(30) GENERATED ALWAYS AS (onestop_local_day_start(due_at)) STORED`,
    `ALTER TABLE dossiers ADD COLUMN state_from varchar(30)`,
    ...stateOpenedSql(db, false),
    `CREATE TRIGGER dossier_states_track_current AFTER INSERT OR UPDATE OF valid_to ON dossier_states ` +
      `FOR EACH ROW EXECUTE FUNCTION dossier_states_track_current()`,
  ];
}

/**
 * What sets `state_from` when a state interval opens (see reportColumnsSql). With `onlyWhenChanged` the dossier row
 * is written only when the value differs: intake inserts the dossier with it already set, and on PostgreSQL an
 * update of the row, even to the same value, writes a new version of it and an entry in each of its dozen indexes
 * (0.5 of the 1.7 ms an intake statement took).
 */
export function stateOpenedSql(db: Knex, onlyWhenChanged: boolean): string[] {
  if (isSqlite(db)) {
    return [
      `CREATE TRIGGER dossier_states_current_opened AFTER INSERT ON dossier_states WHEN NEW.valid_to IS NULL ` +
        `BEGIN UPDATE dossiers SET state_from = NEW.valid_from WHERE id = NEW.dossier_id${onlyWhenChanged ? ' AND state_from IS NOT NEW.valid_from' : ''}; END`,
    ];
  }
  return [
    `CREATE OR REPLACE FUNCTION dossier_states_track_current() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
       IF TG_OP = 'INSERT' THEN
         IF NEW.valid_to IS NULL THEN UPDATE dossiers SET state_from = NEW.valid_from WHERE id = NEW.dossier_id${onlyWhenChanged ? ' AND state_from IS DISTINCT FROM NEW.valid_from' : ''}; END IF;
       ELSIF OLD.valid_to IS NULL AND NEW.valid_to IS NOT NULL THEN
         UPDATE dossiers SET state_from = NULL WHERE id = NEW.dossier_id AND state_from = OLD.valid_from;
       END IF;
       RETURN NULL;
     END $$`,
  ];
}

export function dropReportColumnsSql(db: Knex): string[] {
  if (isSqlite(db)) {
    return [
      'DROP TRIGGER IF EXISTS dossier_states_current_closed',
      'DROP TRIGGER IF EXISTS dossier_states_current_opened',
      'DROP TRIGGER IF EXISTS dossiers_due_day_start_updated',
      'DROP TRIGGER IF EXISTS dossiers_due_day_start_inserted',
      'ALTER TABLE dossiers DROP COLUMN state_from',
      'ALTER TABLE dossiers DROP COLUMN due_day_start',
    ];
  }
  return [
    'DROP TRIGGER IF EXISTS dossier_states_track_current ON dossier_states',
    'DROP FUNCTION IF EXISTS dossier_states_track_current()',
    'ALTER TABLE dossiers DROP COLUMN state_from',
    'ALTER TABLE dossiers DROP COLUMN due_day_start',
    'DROP FUNCTION IF EXISTS onestop_local_day_start(text)',
  ];
}

/**
 * `pre_finish_from` on the dossier row: when the state interval that the finish (resolve or withdraw) closed began,
 * kept by a trigger on dossier_states. A resolved dossier was processing from then until its finish, with the
 * row's own deadline and agency, so a report whose end falls in that stretch reads the state at its end from the
 * row instead of looking the interval up (most dossiers finished after the end of a recent period).
 */
export function finishStateSql(db: Knex): string[] {
  const before = (alias: string) =>
    `(SELECT MAX(s.valid_from) FROM dossier_states s WHERE s.dossier_id = ${alias}.dossier_id AND s.valid_to = ${alias}.valid_from ` +
    `AND s.status IN ('processing', 'awaiting_supplement', 'paused'))`;
  if (isSqlite(db)) {
    return [
      `ALTER TABLE dossiers ADD COLUMN pre_finish_from varchar(30)`,
      `CREATE TRIGGER dossier_states_finish_opened AFTER INSERT ON dossier_states WHEN NEW.status IN ('resolved', 'withdrawn') ` +
        `BEGIN UPDATE dossiers SET pre_finish_from = ${before('NEW')} WHERE id = NEW.dossier_id; END`,
    ];
  }
  return [
    `ALTER TABLE dossiers ADD COLUMN pre_finish_from varchar(30)`,
    `CREATE OR REPLACE FUNCTION dossier_states_track_finish() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
       UPDATE dossiers SET pre_finish_from = ${before('NEW')} WHERE id = NEW.dossier_id;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER dossier_states_track_finish AFTER INSERT ON dossier_states ` +
      `FOR EACH ROW WHEN (NEW.status IN ('resolved', 'withdrawn')) EXECUTE FUNCTION dossier_states_track_finish()`,
  ];
}

export function dropFinishStateSql(db: Knex): string[] {
  if (isSqlite(db)) return ['DROP TRIGGER IF EXISTS dossier_states_finish_opened', 'ALTER TABLE dossiers DROP COLUMN pre_finish_from'];
  return [
    'DROP TRIGGER IF EXISTS dossier_states_track_finish ON dossier_states',
    'DROP FUNCTION IF EXISTS dossier_states_track_finish()',
    'ALTER TABLE dossiers DROP COLUMN pre_finish_from',
  ];
}

/** SQL for the local (UTC+7) month `YYYY-MM` of an instant column. */
export function localMonth(db: Knex, column: string): string {
  if (!/^[a-z_][a-z0-9_.]*$/i.test(column)) throw new Error(`not a column: ${column}`);
  if (isSqlite(db)) return `strftime('%Y-%m', ${column}, '+7 hours')`;
  return `to_char((${column})::timestamptz AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM')`;
}

/** The key columns of report_finished_months, in order. */
export const FINISHED_MONTH_KEY = ['month', 'received_month', 'field_code', 'agency_code', 'received_agency_code', 'online', 'outcome'] as const;

/**
 * The key values of a finished dossier row (`row` is NEW, OLD or a table alias) in report_finished_months, as SQL:
 * the local months of its finish and receipt, field, agency (the one at the finish: a finished dossier is never
 * transferred), receiving desk, online or not, and its column of SPEC §6 — 0 early, 1 on time (withdrawals too), 2 late.
 */
function finishedMonthValues(db: Knex, row: string): string[] {
  return [
    localMonth(db, `${row}.finished_at`),
    localMonth(db, `${row}.received_at`),
    `${row}.field_code`,
    `${row}.agency_code`,
    `${row}.received_agency_code`,
    `CASE WHEN ${row}.channel = 'online' THEN 1 ELSE 0 END`,
    `CASE WHEN ${row}.status = 'withdrawn' THEN 1 WHEN ${row}.finished_at > ${row}.due_at THEN 2 ` +
      `WHEN ${row}.finished_at < ${localDayStart(db, `${row}.due_at`)} THEN 0 ELSE 1 END`,
  ];
}

/** The columns of a dossier that decide its place in report_finished_months. */
const FINISHED_MONTH_SOURCE = ['finished_at', 'received_at', 'field_code', 'agency_code', 'received_agency_code', 'channel', 'status', 'due_at'];

/**
 * report_finished_months: finished dossiers counted per local month of the finish and the rest of the key (an exact
 * aggregate kept by triggers on dossiers, whoever writes them), so the settlement report adds up whole months instead
 * of reading every dossier finished in them. `backfill` counts the dossiers already there.
 */
export function finishedMonthsSql(db: Knex): { triggers: string[]; backfill: string } {
  const key = FINISHED_MONTH_KEY.join(', ');
  const insert = (row: string, where: string) =>
    `INSERT INTO report_finished_months (${key}, n) SELECT ${finishedMonthValues(db, row).join(', ')}, 1 WHERE ${where} ` +
    `ON CONFLICT (${key}) DO UPDATE SET n = report_finished_months.n + 1`;
  const remove = (row: string) =>
    `UPDATE report_finished_months SET n = n - 1 WHERE ` +
    FINISHED_MONTH_KEY.map((k, i) => `${k} = ${finishedMonthValues(db, row)[i]}`).join(' AND ');
  const backfill =
    `INSERT INTO report_finished_months (${key}, n) SELECT ${finishedMonthValues(db, 'd').join(', ')}, COUNT(*) ` +
    `FROM dossiers d WHERE d.finished_at IS NOT NULL GROUP BY ${FINISHED_MONTH_KEY.map((_k, i) => i + 1).join(', ')}`;
  if (isSqlite(db)) {
    return {
      triggers: [
        `CREATE TRIGGER dossiers_finished_months_inserted AFTER INSERT ON dossiers WHEN NEW.finished_at IS NOT NULL ` +
          `BEGIN ${insert('NEW', 'TRUE')}; END`,
        `CREATE TRIGGER dossiers_finished_months_updated AFTER UPDATE OF ${FINISHED_MONTH_SOURCE.join(', ')} ON dossiers ` +
          `BEGIN ${remove('OLD')} AND OLD.finished_at IS NOT NULL; ${insert('NEW', 'NEW.finished_at IS NOT NULL')}; END`,
      ],
      backfill,
    };
  }
  return {
    triggers: [
      `CREATE OR REPLACE FUNCTION report_finished_months_track() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF TG_OP = 'UPDATE' AND OLD.finished_at IS NOT NULL THEN ${remove('OLD')}; END IF;
         IF NEW.finished_at IS NOT NULL THEN ${insert('NEW', 'TRUE')}; END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER dossiers_finished_months AFTER INSERT OR UPDATE OF ${FINISHED_MONTH_SOURCE.join(', ')} ON dossiers ` +
        `FOR EACH ROW EXECUTE FUNCTION report_finished_months_track()`,
    ],
    backfill,
  };
}

export function dropFinishedMonthsSql(db: Knex): string[] {
  if (isSqlite(db)) return ['DROP TRIGGER IF EXISTS dossiers_finished_months_updated', 'DROP TRIGGER IF EXISTS dossiers_finished_months_inserted'];
  return ['DROP TRIGGER IF EXISTS dossiers_finished_months ON dossiers', 'DROP FUNCTION IF EXISTS report_finished_months_track()'];
}

/** How many rows share a desk's count of one status and way: concurrent writers spread over them (row locks). */
export const DESK_COUNT_SLOTS = 64;

/** The key of desk_counts, in the order every writer takes its rows. */
export const DESK_COUNT_KEY = ['agency_code', 'status', 'way', 'slot'] as const;

/**
 * desk_counts: how many dossiers of each status each desk holds, by way of belonging to it (`way` 0: received there;
 * 1: handled there, received elsewhere), kept exact by triggers on dossiers whoever writes (the service, imports,
 * seeds). A desk's list without other filters adds up its rows instead of counting its dossiers (350,000 for the
 * bench's public service centre); an admin's adds up the received rows of every desk, each dossier being received at
 * exactly one. Each desk, status and way has up to DESK_COUNT_SLOTS rows, the dossier's id choosing one, so that
 * intakes at one desk do not wait for each other's row; each writer changes its rows in the order of the key.
 */
export function deskCountsSql(db: Knex): { triggers: string[]; backfill: string } {
  const slot = (row: string) => `${row}.id % ${DESK_COUNT_SLOTS}`;
  const key = DESK_COUNT_KEY.join(', ');
  const upsert = `ON CONFLICT (${key}) DO UPDATE SET n = desk_counts.n + excluded.n`;
  // The (desk, status, way, slot, ±1) of a dossier row: its receiving desk, and its handling desk when another.
  const rowsOf = (row: string, sign: string) => [
    `SELECT ${row}.received_agency_code AS agency_code, ${row}.status AS status, 0 AS way, ${slot(row)} AS slot, ${sign}1 AS n`,
    `SELECT ${row}.agency_code, ${row}.status, 1, ${slot(row)}, ${sign}1 WHERE ${row}.agency_code <> ${row}.received_agency_code`,
  ];
  const apply = (parts: string[]) =>
    `INSERT INTO desk_counts (${key}, n) SELECT ${key}, CAST(SUM(n) AS integer) ` +
    `FROM (${parts.join(' UNION ALL ')}) AS delta WHERE TRUE GROUP BY ${key} HAVING SUM(n) <> 0 ORDER BY ${key} ${upsert}`;
  const backfill =
    `INSERT INTO desk_counts (${key}, n) SELECT ${key}, COUNT(*) FROM (` +
    `SELECT d.received_agency_code AS agency_code, d.status AS status, 0 AS way, ${slot('d')} AS slot FROM dossiers d UNION ALL ` +
    `SELECT d.agency_code, d.status, 1, ${slot('d')} FROM dossiers d WHERE d.agency_code <> d.received_agency_code) AS desk ` +
    `GROUP BY ${key}`;
  const changed = (a: string, b: string) =>
    ['status', 'agency_code', 'received_agency_code'].map((c) => `${a}.${c} IS DISTINCT FROM ${b}.${c}`).join(' OR ');
  if (isSqlite(db)) {
    const sqliteChanged = changed('OLD', 'NEW').replace(/IS DISTINCT FROM/g, 'IS NOT');
    return {
      triggers: [
        `CREATE TRIGGER dossiers_desk_counts_inserted AFTER INSERT ON dossiers BEGIN ${apply(rowsOf('NEW', '+'))}; END`,
        `CREATE TRIGGER dossiers_desk_counts_updated AFTER UPDATE OF status, agency_code, received_agency_code ON dossiers ` +
          `WHEN ${sqliteChanged} BEGIN ${apply([...rowsOf('OLD', '-'), ...rowsOf('NEW', '+')])}; END`,
        `CREATE TRIGGER dossiers_desk_counts_deleted AFTER DELETE ON dossiers BEGIN ${apply(rowsOf('OLD', '-'))}; END`,
      ],
      backfill,
    };
  }
  return {
    triggers: [
      `CREATE OR REPLACE FUNCTION desk_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF TG_OP = 'INSERT' THEN ${apply(rowsOf('NEW', '+'))};
         ELSIF TG_OP = 'DELETE' THEN ${apply(rowsOf('OLD', '-'))};
         ELSIF ${changed('OLD', 'NEW')} THEN ${apply([...rowsOf('OLD', '-'), ...rowsOf('NEW', '+')])};
         END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER dossiers_desk_counts AFTER INSERT OR DELETE OR UPDATE OF status, agency_code, received_agency_code ON dossiers ` +
        `FOR EACH ROW EXECUTE FUNCTION desk_counts_track()`,
    ],
    backfill,
  };
}

/**
 * Before a transaction that writes many dossiers (an import), on PostgreSQL: takes every desk_counts row of these desks
 * (creating the missing ones at 0) in the key's order, in one statement. Its triggers would otherwise take them row by
 * row in the order of its dossiers, and an intake holding one of them while waiting for another the import already
 * held made a deadlock. Intakes at these desks then wait for the import's commit. SQLite has one writer at a time.
 */
export async function lockDeskCounts(trx: Knex.Transaction, agencyCodes: readonly string[], statuses: readonly string[]): Promise<void> {
  if (isSqlite(trx) || agencyCodes.length === 0) return;
  const key = DESK_COUNT_KEY.join(', ');
  await trx.raw(
    `INSERT INTO desk_counts (${key}, n) SELECT a, s, w, k, 0 FROM unnest(?::text[]) AS a, unnest(?::text[]) AS s, ` +
      `generate_series(0, 1) AS w, generate_series(0, ${DESK_COUNT_SLOTS - 1}) AS k ` +
      `ORDER BY a, s, w, k ON CONFLICT (${key}) DO UPDATE SET n = desk_counts.n`,
    [[...new Set(agencyCodes)], [...statuses]],
  );
}

export function dropDeskCountsSql(db: Knex): string[] {
  if (isSqlite(db)) return ['inserted', 'updated', 'deleted'].map((w) => `DROP TRIGGER IF EXISTS dossiers_desk_counts_${w}`);
  return ['DROP TRIGGER IF EXISTS dossiers_desk_counts ON dossiers', 'DROP FUNCTION IF EXISTS desk_counts_track()'];
}

/** SQL for the local (UTC+7) month of an instant column as one number, year × 12 + month. */
function localMonthNumber(db: Knex, column: string): string {
  if (isSqlite(db)) {
    return `(CAST(strftime('%Y', ${column}, '+7 hours') AS INTEGER) * 12 + CAST(strftime('%m', ${column}, '+7 hours') AS INTEGER))`;
  }
  const local = `((${column})::timestamptz AT TIME ZONE 'UTC' + interval '7 hours')`;
  return `(CAST(extract(year FROM ${local}) AS integer) * 12 + CAST(extract(month FROM ${local}) AS integer))`;
}

/**
 * `month_span` on the dossier row: how many local month boundaries lie between its receipt and its finish (0: finished
 * in the month it came; NULL while open), kept by the database whoever writes. A dossier spans the start E of a month
 * M (received before, finished at or after) exactly when its month_span is k ≥ 1 and it finished in months M … M+k−1;
 * so per k, the report read a range of finishes in which every dossier spans E, instead of every dossier finished
 * since E. Superseded by report_month_ends: migration 20261201002000 drops it (and its down adds it back).
 */
export function monthSpanSql(db: Knex): string[] {
  const span = (row: string) =>
    `CASE WHEN ${row}.finished_at IS NULL THEN NULL ELSE ${localMonthNumber(db, `${row}.finished_at`)} - ${localMonthNumber(db, `${row}.received_at`)} END`;
  if (isSqlite(db)) {
    return [
      `ALTER TABLE dossiers ADD COLUMN month_span integer`,
      `UPDATE dossiers SET month_span = ${span('dossiers')} WHERE finished_at IS NOT NULL`,
      `CREATE TRIGGER dossiers_month_span_inserted AFTER INSERT ON dossiers WHEN NEW.finished_at IS NOT NULL ` +
        `BEGIN UPDATE dossiers SET month_span = ${span('NEW')} WHERE id = NEW.id; END`,
      `CREATE TRIGGER dossiers_month_span_updated AFTER UPDATE OF finished_at, received_at ON dossiers ` +
        `BEGIN UPDATE dossiers SET month_span = ${span('NEW')} WHERE id = NEW.id; END`,
    ];
  }
  // A stored generated column through an immutable function, as due_day_start.
  return [
    `CREATE OR REPLACE FUNCTION onestop_month_span(received_at text, finished_at text) RETURNS integer IMMUTABLE LANGUAGE sql AS $$ ` +
      `SELECT ${span('x')} FROM (SELECT received_at, finished_at) AS x $$`,
    `ALTER TABLE dossiers ADD COLUMN month_span integer GENERATED ALWAYS AS (onestop_month_span(received_at, finished_at)) STORED`,
  ];
}

export function dropMonthSpanSql(db: Knex): string[] {
  if (isSqlite(db)) {
    return ['DROP TRIGGER IF EXISTS dossiers_month_span_updated', 'DROP TRIGGER IF EXISTS dossiers_month_span_inserted', 'ALTER TABLE dossiers DROP COLUMN month_span'];
  }
  return ['ALTER TABLE dossiers DROP COLUMN month_span', 'DROP FUNCTION IF EXISTS onestop_month_span(text, text)'];
}

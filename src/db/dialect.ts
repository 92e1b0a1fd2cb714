import type { Knex } from 'knex';

/** Every difference between SQLite and PostgreSQL lives here. */
export function isSqlite(db: Knex): boolean {
  const client = db.client.config.client as string;
  return client === 'better-sqlite3' || client === 'sqlite3';
}

/** Case-insensitive "contains" on a column (SQLite LIKE is already case-insensitive for ASCII). */
export function whereContains(db: Knex, qb: Knex.QueryBuilder, column: string, text: string): Knex.QueryBuilder {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return isSqlite(db)
    ? qb.orWhereRaw(`?? LIKE ? ESCAPE '\\'`, [column, pattern])
    : qb.orWhereRaw(`?? ILIKE ? ESCAPE '\\'`, [column, pattern]);
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

/** Is this error a write conflict that is safe to retry (busy SQLite file, PG serialization)? */
export function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === 'SQLITE_BUSY' || e?.code === '40001' || e?.code === '40P01';
}

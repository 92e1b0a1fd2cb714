import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { openDb } from '../../src/db/knex';
import { monthEndsSql } from '../../src/reports/month-ends';
import { migrateLatest } from '../../src/db/migrate';

const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDbKind = 'sqlite' | 'pg';

export function testDbKind(): TestDbKind {
  return process.env.TEST_DB === 'pg' ? 'pg' : 'sqlite';
}

export interface TestDb {
  db: Knex;
  kind: TestDbKind;
  /** for tests that start a second process on the same database */
  url: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated database for one test file: an in-memory SQLite or a new PostgreSQL database. */
export async function createTestDb(options: { sqliteFile?: string; kind?: TestDbKind } = {}): Promise<TestDb> {
  if ((options.kind ?? testDbKind()) === 'sqlite') {
    const filename = options.sqliteFile ?? ':memory:';
    const db = openDb({ client: 'sqlite', filename });
    await migrateLatest(db);
    return { db, kind: 'sqlite', url: `sqlite:${filename}`, destroy: () => db.destroy() };
  }
  const name = `onestop_t_${crypto.randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.destroy();
    throw new Error(`PostgreSQL không sẵn sàng tại ${PG_ADMIN_URL}: ${(err as Error).message}`);
  }
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = openDb({ client: 'pg', url });
  await migrateLatest(db);
  return {
    db,
    kind: 'pg',
    url,
    destroy: async () => {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/**
 * report_month_ends as kept by the triggers and as recomputed from scratch by the migration's backfill, one line per
 * row in order. Leaves the recomputed rows in place: run it in a transaction that is rolled back.
 */
export async function keptAndRecomputedMonthEnds(trx: Knex.Transaction): Promise<{ kept: string[]; recomputed: string[] }> {
  const rows = async () =>
    (await trx('report_month_ends').orderBy(['dossier_id', 'month_start'])).map(
      (r) => `${r.dossier_id} ${r.month_start} ${r.field_code} ${r.agency_code} ${r.received_agency_code} ${r.received_at} ${Number(r.online)} ${Number(r.overdue)}`,
    );
  const kept = await rows();
  await trx('report_month_ends').delete();
  await trx.raw(monthEndsSql(trx).backfill);
  return { kept, recomputed: await rows() };
}

/**
 * Calls `seen` with the SQL of every statement the SQLite pool's one connection prepares from now on — db/dialect.ts
 * selectRows runs its statements there without knex's query events. Gives back the function that stops watching.
 */
export async function watchSqliteStatements(db: Knex, seen: (sql: string) => void): Promise<() => void> {
  const client = db.client as { acquireConnection(): Promise<{ prepare(sql: string): unknown }>; releaseConnection(c: unknown): unknown };
  const connection = await client.acquireConnection();
  const prepare = connection.prepare;
  connection.prepare = (sql: string) => {
    seen(sql);
    return prepare(sql);
  };
  client.releaseConnection(connection);
  return () => {
    connection.prepare = prepare;
  };
}

import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { openDb } from '../../src/db/knex';
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

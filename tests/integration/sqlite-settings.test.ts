import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../src/db/knex';

// What an SQLite file is opened with: WAL, and commits synced to disk unless the deployment chose otherwise.
describe.skipIf(process.env.TEST_DB === 'pg')('SQLite connection settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-sync-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const pragmas = async (synchronous?: 'FULL' | 'NORMAL') => {
    const db = openDb({ client: 'sqlite', filename: path.join(dir, `${synchronous ?? 'default'}.sqlite3`), ...(synchronous ? { synchronous } : {}) });
    try {
      return {
        synchronous: Number((await db.raw('PRAGMA synchronous'))[0].synchronous),
        journal: String((await db.raw('PRAGMA journal_mode'))[0].journal_mode),
      };
    } finally {
      await db.destroy();
    }
  };

  it('when no level is given, then commits are synced (synchronous = FULL, 2) in WAL mode', async () => {
    expect(await pragmas()).toEqual({ synchronous: 2, journal: 'wal' });
  });

  it('when NORMAL is chosen, then the connection runs with synchronous = 1; FULL asked gives 2', async () => {
    expect(await pragmas('NORMAL')).toEqual({ synchronous: 1, journal: 'wal' });
    expect(await pragmas('FULL')).toEqual({ synchronous: 2, journal: 'wal' });
  });
});

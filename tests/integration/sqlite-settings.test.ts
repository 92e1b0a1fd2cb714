import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../src/db/knex';
import { withRetry } from '../../src/db/dialect';

// What an SQLite file is opened with: WAL, commits synced to disk unless the deployment chose otherwise, a 32 MB cache.
describe.skipIf(process.env.TEST_DB === 'pg')('SQLite connection settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-sync-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const pragmas = async (synchronous?: 'FULL' | 'NORMAL') => {
    const db = openDb({ client: 'sqlite', filename: path.join(dir, `${synchronous ?? 'default'}.sqlite3`), ...(synchronous ? { synchronous } : {}) });
    try {
      return {
        synchronous: Number((await db.raw('PRAGMA synchronous'))[0].synchronous),
        journal: String((await db.raw('PRAGMA journal_mode'))[0].journal_mode),
        cacheKib: -Number((await db.raw('PRAGMA cache_size'))[0].cache_size),
      };
    } finally {
      await db.destroy();
    }
  };

  // The page cache: 32 MB (knex.ts says why), where SQLite's own default is 2 MB (cache_size = -2000).
  it('when no level is given, then commits are synced (synchronous = FULL, 2) in WAL mode, with 32 MB of page cache', async () => {
    expect(await pragmas()).toEqual({ synchronous: 2, journal: 'wal', cacheKib: 32_768 });
  });

  it('when NORMAL is chosen, then the connection runs with synchronous = 1; FULL asked gives 2', async () => {
    expect(await pragmas('NORMAL')).toEqual({ synchronous: 1, journal: 'wal', cacheKib: 32_768 });
    expect(await pragmas('FULL')).toEqual({ synchronous: 2, journal: 'wal', cacheKib: 32_768 });
  });

  it('when a transaction read before another process committed and then writes, then it fails with BUSY_SNAPSHOT and withRetry writes it on a new attempt', async () => {
    // Two processes on one file (two app servers in tests/stress): each has its own connection.
    const file = path.join(dir, 'two-processes.sqlite3');
    const a = openDb({ client: 'sqlite', filename: file });
    const b = openDb({ client: 'sqlite', filename: file });
    try {
      await a.schema.createTable('t', (t) => {
        t.integer('id').primary();
        t.integer('version');
      });
      await a('t').insert({ id: 1, version: 1 });
      let attempts = 0;
      const readThenWrite = () =>
        a.transaction(async (trx) => {
          attempts += 1;
          const row = await trx('t').where({ id: 1 }).first();
          // The other process commits between this transaction's read and its write, on the first attempt only.
          if (attempts === 1) await b('t').where({ id: 1 }).update({ version: row.version + 1 });
          await trx('t').where({ id: 1 }).update({ version: row.version + 10 });
          return row.version;
        });
      await expect(readThenWrite()).rejects.toMatchObject({ code: 'SQLITE_BUSY_SNAPSHOT', message: expect.stringContaining('database is locked') });
      expect(Number((await a('t').first()).version)).toBe(2);
      attempts = 0;
      await b('t').where({ id: 1 }).update({ version: 1 });
      expect(await withRetry(readThenWrite)).toBe(2);
      expect(attempts).toBe(2);
      expect(Number((await a('t').first()).version)).toBe(12);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });
});

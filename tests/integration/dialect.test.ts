import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../helpers/db';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { selectRows, sqliteSnapshot } from '../../src/db/dialect';

// selectRows runs the constant statements every page runs (the session's user, the dossier, its events and letters)
// without knex's query builder: the same rows, with the same types, on both databases, inside a transaction too.
describe('selectRows', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db('fields').insert([
      { code: 'DAT_DAI', name: 'Đất đai' },
      { code: 'HO_TICH', name: 'Hộ tịch' },
    ]);
  });
  afterAll(() => t.destroy());

  it('when a statement has ? placeholders, then it gives the rows as plain objects, as the query builder does', async () => {
    const sql = 'SELECT code, name FROM fields WHERE code >= ? ORDER BY code';
    const rows = await selectRows<{ code: string; name: string }>(t.db, sql, ['A']);
    expect(rows).toEqual([
      { code: 'DAT_DAI', name: 'Đất đai' },
      { code: 'HO_TICH', name: 'Hộ tịch' },
    ]);
    expect(rows).toEqual(await t.db('fields').select('code', 'name').where('code', '>=', 'A').orderBy('code'));
    expect(await selectRows(t.db, sql, ['X'])).toEqual([]);
  });

  it('when the bindings are instants, booleans, null and numbers, then they are given as knex gives them', async () => {
    const at = new Date('2026-02-13T03:00:00.000Z');
    const values = [at, true, false, null, 42, 'Đất đai'];
    const sql = 'SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f';
    const raw = await t.db.raw(sql, values);
    const viaKnex = Array.isArray(raw) ? raw : raw.rows;
    const rows = await selectRows<Record<string, unknown>>(t.db, sql, values);
    expect(rows).toEqual(viaKnex);
    if (t.kind === 'sqlite') expect(rows).toEqual([{ a: at.getTime(), b: 1, c: 0, d: null, e: 42, f: 'Đất đai' }]);
  });

  it("when it runs in a transaction, then it sees that transaction's rows, and nothing of them after a rollback", async () => {
    const sql = 'SELECT name FROM fields WHERE code = ?';
    await t.db
      .transaction(async (trx) => {
        await trx('fields').insert({ code: 'CHUNG_THUC', name: 'Chứng thực' });
        expect(await selectRows(trx, sql, ['CHUNG_THUC'])).toEqual([{ name: 'Chứng thực' }]);
        throw new Error('rollback');
      })
      .catch((err: Error) => expect(err.message).toBe('rollback'));
    expect(await selectRows(t.db, sql, ['CHUNG_THUC'])).toEqual([]);
  });
});

// The dossier page's reads on SQLite (dossiers/repository.ts readDossierPage): one read transaction, so a commit by
// another connection between two of them is seen by neither or by both.
describe.skipIf(testDbKind() !== 'sqlite')('sqliteSnapshot', () => {
  let t: TestDb;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-'));
    t = await createTestDb({ kind: 'sqlite', sqliteFile: path.join(dir, 'db.sqlite3') });
    await t.db('fields').insert({ code: 'DAT_DAI', name: 'Đất đai' });
  });
  afterAll(async () => {
    await t.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when another connection commits between two reads, then the second read still sees the snapshot of the first', async () => {
    const other = new Database(path.join(dir, 'db.sqlite3'));
    try {
      const count = 'SELECT count(*) AS n FROM fields WHERE code >= ?';
      const seen = await sqliteSnapshot(t.db, (read) => {
        const before = read<{ n: number }>(count, ['A'])[0].n;
        other.prepare("INSERT INTO fields (code, name) VALUES ('HO_TICH', 'Hộ tịch')").run();
        return [before, read<{ n: number }>(count, ['A'])[0].n];
      });
      expect(seen).toEqual([1, 1]);
      // The transaction ended: the next read sees the other connection's row, and the connection takes writes.
      expect(await selectRows<{ n: number }>(t.db, count, ['A'])).toEqual([{ n: 2 }]);
      await t.db('fields').insert({ code: 'CHUNG_THUC', name: 'Chứng thực' });
      expect(await selectRows<{ n: number }>(t.db, count, ['A'])).toEqual([{ n: 3 }]);
    } finally {
      other.close();
    }
  });

  it('when the function throws, then the transaction ends and the error reaches the caller', async () => {
    await expect(
      sqliteSnapshot(t.db, (read) => {
        read('SELECT 1 AS x FROM fields', []);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    await t.db('fields').where({ code: 'CHUNG_THUC' }).update({ name: 'Chứng thực bản sao' });
    expect(await selectRows(t.db, 'SELECT name FROM fields WHERE code = ?', ['CHUNG_THUC'])).toEqual([{ name: 'Chứng thực bản sao' }]);
  });

  it('when asked inside a knex transaction, then it refuses instead of waiting for the connection the transaction holds', async () => {
    await t.db.transaction(async (trx) => {
      await expect(sqliteSnapshot(trx, () => 1)).rejects.toThrow('outside a transaction');
    });
  });
});

// PostgreSQL sessions the app opens: no JIT compilation and no parallel workers (src/db/knex.ts says why).
describe('PostgreSQL connection settings', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  it('when the app opens a PostgreSQL connection, then JIT is off and a statement gets no parallel workers', async (ctx) => {
    if (t.kind !== 'pg') return ctx.skip();
    const show = async (name: string) => (await t.db.raw(`SHOW ${name}`)).rows[0][name];
    expect(await show('jit')).toBe('off');
    expect(await show('max_parallel_workers_per_gather')).toBe('0');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { openDb } from '../../src/db/knex';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FRI_10 = '2026-02-13T03:00:00.000Z';

/** `npx tsx src/cli.ts …` in a child process, without blocking this one (the app keeps writing meanwhile). */
function cli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, SEED_DEMO: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(process.env.TEST_DB === 'pg')('CLI backup <file> on SQLite', { timeout: 120_000 }, () => {
  let dir: string;
  let t: TestDb;
  let clerk: TestUser;
  let admin: TestUser;
  let harness: ReturnType<typeof makeApp>;
  let backupFile: string;

  const receive = (i: number) =>
    request(harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ procedureCode: '2.000908', channel: 'in_person', applicant: { name: `Công dân số ${i}` } });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-backup-'));
    t = await createTestDb({ sqliteFile: path.join(dir, 'live.sqlite3') });
    await seedSmallCatalog(t.db);
    clerk = await addUser(t.db, 'ward.clerk', 'clerk', AGENCIES.ward.code);
    admin = await addUser(t.db, 'city.admin', 'admin', null);
    harness = makeApp(t.db, FRI_10);
    for (let i = 0; i < 40; i++) expect((await receive(i)).status).toBe(201);
    backupFile = path.join(dir, 'backups', 'onestop-20260213.sqlite3');
  });
  afterAll(async () => {
    await t.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a backup is taken while the app keeps receiving dossiers, then the copy is intact and a restored server finds every dossier', async () => {
    const before = (await t.db('dossiers').pluck('code')) as string[];
    let stop = false;
    let written = 0;
    const writer = (async () => {
      for (let i = 1000; !stop; i++) {
        const res = await receive(i);
        expect(res.status).toBe(201);
        written++;
        await new Promise((r) => setTimeout(r, 15)); // a desk's pace, leaving the CPU to the CLI too
      }
    })();
    const result = await cli(['backup', backupFile], t.url);
    stop = true;
    await writer;

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Đã sao lưu .*live\.sqlite3 -> .*onestop-20260213\.sqlite3 \(.* hồ sơ, .* sự kiện; kiểm tra toàn vẹn: ok;/);
    expect(written).toBeGreaterThan(0); // the app really was writing while the CLI ran

    // Restore as the README says: the copy becomes the database file of a (new) server.
    const restoredFile = path.join(dir, 'restored.sqlite3');
    fs.copyFileSync(backupFile, restoredFile);
    const restored = openDb({ client: 'sqlite', filename: restoredFile });
    try {
      const integrity = await restored.raw('PRAGMA integrity_check');
      expect(integrity).toEqual([{ integrity_check: 'ok' }]);
      const codes = new Set((await restored('dossiers').pluck('code')) as string[]);
      for (const code of before) expect(codes.has(code), code).toBe(true);
      expect(codes.size).toBeGreaterThanOrEqual(before.length);
      expect(codes.size).toBeLessThanOrEqual(before.length + written);
      // A consistent snapshot: every dossier in the copy has its receive event and its state interval.
      const orphans = await restored('dossiers as d')
        .leftJoin('dossier_events as e', function () {
          this.on('e.dossier_id', 'd.id').andOnVal('e.type', '=', 'receive');
        })
        .leftJoin('dossier_states as s', 's.dossier_id', 'd.id')
        .whereNull('e.id')
        .orWhereNull('s.id')
        .count({ n: '*' })
        .first();
      expect(Number(orphans?.n)).toBe(0);

      const app = makeApp(restored, FRI_10).app;
      const list = await request(app).get('/api/v1/dossiers?pageSize=500').set('Authorization', `Bearer ${admin.token}`);
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(codes.size);
      const one = await request(app).get(`/api/v1/dossiers/${before[0]}`).set('Authorization', `Bearer ${admin.token}`);
      expect(one.status).toBe(200);
      expect(one.body.events[0]).toMatchObject({ type: 'receive' });
    } finally {
      await restored.destroy();
    }
  });

  it('when the target file exists already, then the backup refuses to overwrite it and exits 1', async () => {
    const size = fs.statSync(backupFile).size;
    const result = await cli(['backup', backupFile], t.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('đã có: không ghi đè một bản sao lưu');
    expect(fs.statSync(backupFile).size).toBe(size);
  });

  it('when no file is named, then it prints how to use it', async () => {
    const result = await cli(['backup'], t.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cách dùng: backup <file>');
  });
});

describe.skipIf(process.env.TEST_DB !== 'pg')('CLI backup <file> on PostgreSQL', { timeout: 120_000 }, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  it('when the database is PostgreSQL, then backup writes nothing and explains pg_dump and pg_restore', () => {
    const target = path.join(os.tmpdir(), `onestop-pg-${process.pid}.sqlite3`);
    const r = spawnSync('npx', ['tsx', 'src/cli.ts', 'backup', target], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: t.url },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('pg_dump --format=custom');
    expect(r.stderr).toContain('pg_restore');
    expect(fs.existsSync(target)).toBe(false);
  });
});

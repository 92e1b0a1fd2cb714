import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestDb, watchSqliteStatements, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog } from '../helpers/app';
import { openDb } from '../../src/db/knex';
import { SessionCache } from '../../src/auth/session-cache';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { fixedClock } from '../../src/shared/clock';

// Sessions kept in the process (src/auth/session-cache.ts): a logged-in request does not read its session again while
// nothing changed, and every change — by this process, by another process on the same database, in a transaction —
// is seen at its commit (in another process: on PostgreSQL when its notice arrives, on SQLite at the next request,
// which asks the file whether another connection has committed).

const SESSION_SQL = 'SELECT u.*, s.csrf_secret';

/** Counts the statements that read a session and its user, on either database. */
async function countSessionReads(db: Knex): Promise<{ readonly n: number }> {
  const counter = { n: 0 };
  if (db.client.config.client === 'pg') {
    db.on('query', (q: { sql: string }) => {
      if (q.sql.startsWith(SESSION_SQL)) counter.n += 1;
    });
    return counter;
  }
  // SQLite runs it straight on the pool's one connection (db/dialect.ts selectRows), asking it to prepare each time.
  await watchSqliteStatements(db, (sql) => {
    if (sql.startsWith(SESSION_SQL)) counter.n += 1;
  });
  return counter;
}

/** Asks until the answer's status is `status` (another process's change arrives as a notice), at most 5 s. */
async function eventually(ask: () => Promise<{ status: number }>, status: number): Promise<number> {
  let last = 0;
  for (let i = 0; i < 100; i++) {
    last = (await ask()).status;
    if (last === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

let t: TestDb;
let dir: string;
let harness: ReturnType<typeof makeApp>;
let other: Knex;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-cache-'));
  // A file, not memory: on SQLite too a second handle (as another process would) opens the same database.
  t = await createTestDb({ sqliteFile: path.join(dir, 'db.sqlite3') });
  await seedSmallCatalog(t.db);
  await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  await addUser(t.db, 'ward.clerk', 'clerk', AGENCIES.ward.code);
  await addUser(t.db, 'quantri', 'admin', null);
  harness = makeApp(t.db);
  other = t.kind === 'pg' ? openDb({ client: 'pg', url: t.url }) : openDb({ client: 'sqlite', filename: path.join(dir, 'db.sqlite3') });
});
afterAll(async () => {
  await other.destroy();
  await t.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sessions kept between requests', () => {
  it('when a logged-in user opens pages and nothing changes, then the session is read once', async () => {
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    const reads = await countSessionReads(t.db);
    if (t.kind === 'sqlite') {
      // Kept from its first read on (the home page loginAgent opens after the login): nothing to wait for.
      for (let i = 0; i < 3; i++) expect((await agent.get('/ho-so')).status).toBe(200);
      expect(reads.n).toBe(0);
    }
    // On PostgreSQL the process keeps sessions once it listens for changes (from its first request, a moment later).
    expect(await eventually(async () => ({ status: await sameReads(agent, reads) }), 200)).toBe(200);
    const before = reads.n;
    for (let i = 0; i < 5; i++) expect((await agent.get('/ho-so')).status).toBe(200);
    expect(reads.n).toBe(before);
  });

  it('when requests start together on SQLite, then they share one look at whether another process committed, and kept sessions are used', async () => {
    if (t.kind !== 'sqlite') return; // PostgreSQL is told by its notices.
    const looks = { n: 0 };
    const stop = await watchSqliteStatements(t.db, (sql) => {
      if (sql === 'PRAGMA data_version') looks.n += 1;
    });
    try {
      const cache = new SessionCache<{ expiresAt: number; name: string }>(t.db);
      const now = new Date();
      let reads = 0;
      const read = async () => ({ expiresAt: now.getTime() + 60_000, name: `read ${++reads}` });
      // Three requests started in one turn of the event loop, as shared/turns.ts starts them.
      const together = await Promise.all([cache.get('a', now, read), cache.get('a', now, read), cache.get('b', now, read)]);
      expect(looks.n).toBe(1);
      expect(together.map((s) => s?.name)).toEqual(['read 1', 'read 2', 'read 3']);
      // The next request, alone: a look of its own, and the session kept by the first.
      expect((await cache.get('a', now, read))?.name).toBe('read 2');
      expect(looks.n).toBe(2);
      // Another connection commits anything at all (here a table of its own): what was kept is read again.
      await other.raw('CREATE TABLE look_test (x)');
      expect((await cache.get('a', now, read))?.name).toBe('read 4');
      expect((await cache.get('a', now, read))?.name).toBe('read 4');
      await other.raw('DROP TABLE look_test');
    } finally {
      stop();
    }
  });

  it('when the app is configured with SESSION_CACHE=0, then every request reads its session on either database', async () => {
    const config = loadConfig({ NODE_ENV: 'test', SESSION_CACHE: '0' } as NodeJS.ProcessEnv);
    expect(config.sessionCache).toBe(false);
    const app = createApp({ db: t.db, config, clock: fixedClock('2026-02-13T03:00:00.000Z') });
    const { agent } = await loginAgent(app, 'land.clerk');
    const reads = await countSessionReads(t.db);
    for (let i = 0; i < 4; i++) expect((await agent.get('/ho-so')).status).toBe(200);
    expect(reads.n).toBe(4);
  });

  it('when an admin of this process renames the user and then locks them, then the next page shows the new name, then the login page', async () => {
    const { agent: clerk } = await loginAgent(harness.app, 'ward.clerk');
    const { agent: admin } = await loginAgent(harness.app, 'quantri');
    expect((await clerk.get('/ho-so')).text).toContain('Nguyễn Văn ward.clerk');
    const user = await t.db('users').where({ username: 'ward.clerk' }).first();
    const page = await admin.get(`/quan-tri/nguoi-dung/${user.id}`);
    const saved = await admin
      .post(`/quan-tri/nguoi-dung/${user.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), fullName: 'Trần Thị Đổi Tên', role: 'clerk', agencyCode: AGENCIES.ward.code });
    expect(saved.status).toBe(303);
    expect((await clerk.get('/ho-so')).text).toContain('Trần Thị Đổi Tên');
    const lock = await admin.post(`/quan-tri/nguoi-dung/${user.id}/trang-thai`).type('form').send({ _csrf: csrfFrom(page.text), active: '0' });
    expect(lock.status).toBe(303);
    const after = await clerk.get('/ho-so');
    expect(after.status).toBe(302);
    expect(after.headers.location).toMatch(/^\/dang-nhap/);
    await t.db('users').where({ id: user.id }).update({ active: true, full_name: 'Nguyễn Văn ward.clerk' });
    // Once the writes are done, sessions are kept again.
    const { agent: back } = await loginAgent(harness.app, 'ward.clerk');
    const reads = await countSessionReads(t.db);
    expect(await eventually(async () => ({ status: await sameReads(back, reads) }), 200)).toBe(200);
  });

  it('when another process changes the user, locks them or deletes the session, then this process sees each change', async () => {
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    expect((await agent.get('/ho-so')).text).toContain('Nguyễn Văn land.clerk');
    await other('users').where({ username: 'land.clerk' }).update({ full_name: 'Lê Văn Khác' });
    const renamed = await eventually(async () => {
      const res = await agent.get('/ho-so');
      return { status: res.text.includes('Lê Văn Khác') ? 200 : 0 };
    }, 200);
    expect(renamed).toBe(200);

    await other('users').where({ username: 'land.clerk' }).update({ active: false });
    expect(await eventually(() => agent.get('/ho-so'), 302)).toBe(302);
    await other('users').where({ username: 'land.clerk' }).update({ active: true, full_name: 'Nguyễn Văn land.clerk' });

    const { agent: again } = await loginAgent(harness.app, 'land.clerk');
    expect((await again.get('/ho-so')).status).toBe(200);
    await other('sessions').delete();
    expect(await eventually(() => again.get('/ho-so'), 302)).toBe(302);
  });

  it('when a transaction of this process changes the role, then pages read during it are not kept and the next one after the commit has the new role', async () => {
    if (t.kind === 'sqlite') return; // SQLite's one connection lets no page be read while a transaction is open.
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    expect((await agent.get('/quan-tri/nguoi-dung')).status).toBe(403);
    const trx = await t.db.transaction();
    await trx('users').where({ username: 'land.clerk' }).update({ role: 'admin', agency_code: null });
    // Read during the transaction: the user as committed, a clerk.
    expect((await agent.get('/quan-tri/nguoi-dung')).status).toBe(403);
    await trx.commit();
    expect((await agent.get('/quan-tri/nguoi-dung')).status).toBe(200);
    await t.db('users').where({ username: 'land.clerk' }).update({ role: 'clerk', agency_code: AGENCIES.land.code });
    expect((await agent.get('/quan-tri/nguoi-dung')).status).toBe(403);
  });

  it('when the connection that listens for changes is lost, then sessions are read on every request until it listens again', async () => {
    if (t.kind === 'sqlite') return; // PostgreSQL only: SQLite has no such connection (it asks the file at every request).
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    const reads = await countSessionReads(t.db);
    expect(await eventually(async () => ({ status: await sameReads(agent, reads) }), 200)).toBe(200);
    const killed = await other.raw("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'onestop-auth-listen' AND datname = current_database()");
    expect(killed.rows.map((r: { ok: boolean }) => r.ok)).toEqual([true]);
    // Until the process notices and listens again (a second later), nothing it reads is kept.
    const lost = await eventually(async () => {
      const n = reads.n;
      await agent.get('/ho-so');
      await agent.get('/ho-so');
      return { status: reads.n === n + 2 ? 1 : 0 };
    }, 1);
    expect(lost).toBe(1);
    // Then keeping resumes.
    expect(await eventually(async () => ({ status: await sameReads(agent, reads) }), 200)).toBe(200);
  });
});

/** 200 when two more pages cost no session read (the session is kept), 0 otherwise. */
async function sameReads(agent: Awaited<ReturnType<typeof loginAgent>>['agent'], reads: { readonly n: number }): Promise<number> {
  await agent.get('/ho-so');
  const n = reads.n;
  await agent.get('/ho-so');
  await agent.get('/ho-so');
  return reads.n === n ? 200 : 0;
}

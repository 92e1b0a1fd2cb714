import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { openDb } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { parseDatabaseUrl } from '../../src/config';
import { createApiToken, createUser, type Role } from '../../src/auth/users';
import { seedIfEmpty } from '../../seeds/index';

// The real server as a child process, for the tests that kill it (tests/stress).

export const ROOT = path.resolve(import.meta.dirname, '../..');
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A TCP port nobody listens on right now. */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Whether the PostgreSQL of the tests answers (the stress tests then run on it too). */
export async function pgReachable(): Promise<boolean> {
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await admin.destroy();
  }
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** resolves with the exit code (or the signal's name) */
  exited: Promise<number | string>;
}

/**
 * Starts `src/server.ts` under tsx, as `npm start` does. It runs as `node --import tsx` rather than through
 * `npx tsx` so that the process the test signals (SIGKILL, SIGTERM) is the server itself, not a wrapper.
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await sparePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, SEED_DEMO: '0', PORT: String(port), TEST_DB: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited while starting:\n${out}`);
    try {
      const res = await fetch(`${url}/dang-nhap`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start in 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, port, url, output: () => out, exited };
}

export interface ServerDb {
  url: string;
  kind: 'sqlite' | 'pg';
  /** a connection of the test's own (open it after the server is gone for SQLite checks) */
  open(): Knex;
  drop(): Promise<void>;
}

/** A new database file or PostgreSQL database, migrated and seeded with the catalog, plus users with tokens. */
export async function prepareServerDb(
  kind: 'sqlite' | 'pg',
  dir: string,
  users: { username: string; role: Role; agencyCode: string | null }[],
): Promise<{ db: ServerDb; tokens: Record<string, string> }> {
  let url: string;
  let drop = async () => {};
  if (kind === 'sqlite') {
    url = `sqlite:${path.join(dir, `onestop-${crypto.randomBytes(4).toString('hex')}.sqlite3`)}`;
  } else {
    const name = `onestop_s_${crypto.randomBytes(5).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    drop = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    };
  }
  const open = () => openDb(parseDatabaseUrl(url));
  const db = open();
  const tokens: Record<string, string> = {};
  try {
    await migrateLatest(db);
    await seedIfEmpty(db, { demo: false, now: new Date() });
    for (const u of users) {
      const created = await createUser(db, { username: u.username, fullName: `Cán bộ ${u.username}`, role: u.role, agencyCode: u.agencyCode, password: 'mat-khau-stress-1' }, new Date());
      tokens[u.username] = await createApiToken(db, created.id, 'stress', new Date());
    }
  } finally {
    await db.destroy();
  }
  return { db: { url, kind, open, drop }, tokens };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { pgReachable, prepareServerDb, startServer, type RunningServer } from '../helpers/server';

// Graceful shutdown of the real server: on SIGTERM it stops taking connections, lets the requests in flight
// finish, closes the database and exits 0. The request in flight is a real intake whose JSON body is still
// being uploaded (chunked) when the signal arrives.

const AGENCY = '000.00.02.H13';
const PROCEDURE = '1.013978';
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const pgUp = await pgReachable();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-shutdown-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts a chunked POST and sends its first half; `finish()` sends the rest and resolves with the answer. */
function halfSentIntake(server: RunningServer, token: string) {
  const body = JSON.stringify({ procedureCode: PROCEDURE, channel: 'postal', applicant: { name: 'Người Gửi Chậm', address: 'Phường Tân An' } });
  const cut = Math.floor(body.length / 2);
  let answer: Promise<{ status: number; body: string }>;
  const req = http.request(`${server.url}/api/v1/dossiers`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' },
  });
  answer = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, cut));
  return {
    finish: () => {
      req.end(body.slice(cut));
      return answer;
    },
  };
}

/** Whether a new TCP connection to the port is accepted. */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/dang-nhap', agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(3000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

async function waitFor(check: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const KINDS = (['sqlite', 'pg'] as const).filter((k) => k === 'sqlite' || pgUp);

describe.each(KINDS)('graceful shutdown on %s', (kind) => {
  it('when SIGTERM arrives while an intake is still uploading, then it completes with 201, new connections are refused, the process exits 0 and the database is closed clean', async () => {
    const { db, tokens } = await prepareServerDb(kind, dir, [{ username: 'slow.clerk', role: 'clerk', agencyCode: AGENCY }]);
    try {
      const server = await startServer(db.url);
      // An idle keep-alive client must not hold the shutdown up.
      const idle = new http.Agent({ keepAlive: true });
      await new Promise<void>((resolve) => http.get({ host: '127.0.0.1', port: server.port, path: '/tra-cuu', agent: idle }, (res) => res.resume().on('end', resolve)));

      const upload = halfSentIntake(server, tokens['slow.clerk']);
      await new Promise((r) => setTimeout(r, 300)); // the request is in the server's hands
      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      await waitFor(() => server.output().includes('Nhận SIGTERM'), 'the server to take the signal');
      await new Promise((r) => setTimeout(r, 200));

      // Closing: no new connection is accepted…
      expect(await connects(server.port)).toBe(false);
      expect(server.child.exitCode).toBeNull(); // …but the process waits for the request in flight.

      const answer = await upload.finish();
      expect(answer.status).toBe(201);
      const code = (JSON.parse(answer.body) as { code: string }).code;

      expect(await server.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(9_000); // not the 10-second forced exit
      expect(server.output()).toContain('Đã đóng cơ sở dữ liệu. Tạm biệt.');
      idle.destroy();

      if (kind === 'sqlite') {
        const file = db.url.slice('sqlite:'.length);
        // Closed clean: the last connection checkpointed the WAL into the file and removed it.
        expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
        const raw = new Database(file, { readonly: true });
        try {
          expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(raw.prepare('SELECT count(*) AS n FROM dossiers WHERE code = ?').get(code)).toEqual({ n: 1 });
        } finally {
          raw.close();
        }
      } else {
        const name = db.url.slice(db.url.lastIndexOf('/') + 1);
        const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
        try {
          // Closed clean: the server left no session open on its database.
          const { rows } = await admin.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ?', [name]);
          expect(rows[0].n).toBe(0);
        } finally {
          await admin.destroy();
        }
        const knex = db.open();
        try {
          expect(await knex('dossiers').where({ code }).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(1);
        } finally {
          await knex.destroy();
        }
      }
    } finally {
      await db.drop();
    }
  });

  it('when SIGTERM arrives on an idle server, then it exits 0 at once', async () => {
    const { db } = await prepareServerDb(kind, dir, []);
    try {
      const server = await startServer(db.url);
      const t0 = Date.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await db.drop();
    }
  });
});

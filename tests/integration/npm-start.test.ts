import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pgReachable, ROOT, sparePort } from '../helpers/server';

const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgUp = process.env.TEST_DB === 'pg' ? false : await pgReachable();

// `npm start` as README and SCALING.md run it, stopped as they stop it: `kill -TERM <server pid>`, the pid being
// the one a shell's `$!`, a service manager or a container knows, npm's. npm passes the signal to its script's
// process; when that was `sh -c "tsx src/server.ts"`, the shell died and the server went on as an orphan, serving
// and holding the database (a restore then moved the SQLite file from under it; a rolling restart never drained).
// Runs once (on SQLite): it tests the start script, not a database.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-npm-start-'));
let child: ChildProcess | undefined;

afterAll(() => {
  // Whatever is left of the process group this test started (the orphaned server when the script is wrong).
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
}

describe.skipIf(process.env.TEST_DB === 'pg')('npm start', () => {
  it('when SIGTERM is sent to the pid of `npm start`, then the server itself shuts down gracefully and stops listening', async () => {
    const port = await sparePort();
    const url = `http://127.0.0.1:${port}/dang-nhap`;
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${path.join(dir, 'start.sqlite3')}`, SEED_DEMO: '0', PORT: String(port), TEST_DB: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that afterAll can end all of it
    });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (out += b));
    const npmExited = new Promise<void>((resolve) => child!.on('exit', () => resolve()));

    const started = Date.now();
    while (!(await answers(url))) {
      if (Date.now() - started > 90_000) throw new Error(`the server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    process.kill(child.pid!, 'SIGTERM');
    await Promise.race([npmExited, new Promise((r) => setTimeout(r, 15_000))]);
    // npm gone is not enough: the server must have received the signal and closed its port.
    let listening = true;
    for (let i = 0; i < 50 && listening; i++) {
      listening = await answers(url);
      if (listening) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listening).toBe(false);
    expect(out).toContain('Nhận SIGTERM');
    expect(out).toContain('Đã đóng cơ sở dữ liệu');
  }, 120_000);
});

describe.skipIf(process.env.TEST_DB === 'pg')('starting against what is not there', () => {
  it('when the port is taken, then the server says so in Vietnamese and exits 1, never "đang chạy"', async () => {
    const port = await sparePort();
    const holder = net.createServer().listen(port);
    await new Promise((r) => holder.once('listening', r));
    try {
      const run = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${path.join(dir, 'port.sqlite3')}`, SEED_DEMO: '0', PORT: String(port), TEST_DB: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      run.stdout!.on('data', (b) => (out += b));
      run.stderr!.on('data', (b) => (out += b));
      const code = await new Promise<number | string>((resolve) => {
        const t = setTimeout(() => {
          run.kill('SIGKILL');
          resolve('still running after 60 s');
        }, 60_000);
        run.on('exit', (c, sig) => {
          clearTimeout(t);
          resolve(c ?? sig ?? -1);
        });
      });
      expect(code, out).toBe(1);
      expect(out).toContain(`cổng ${port} đang có chương trình khác dùng`);
      expect(out).not.toContain('đang chạy');
    } finally {
      holder.close();
    }
  }, 90_000);

  const cli = (url: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: url, TEST_DB: '' } });
    return { code: r.status, stderr: r.stderr };
  };

  it('when nothing listens at the PostgreSQL address, then the CLI names the address in Vietnamese, without a stack or "Lỗi tệp"', async () => {
    const port = await sparePort();
    const res = cli(`postgres://postgres@127.0.0.1:${port}/onestop`);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`không kết nối được cơ sở dữ liệu PostgreSQL tại 127.0.0.1:${port}`);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(res.stderr).not.toContain('Lỗi tệp');
  }, 90_000);

  it.skipIf(!pgUp)('when the PostgreSQL database does not exist, then the CLI says to create it, without a stack', () => {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = '/onestop_no_such_database_here';
    const res = cli(url.toString());
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('không có cơ sở dữ liệu "onestop_no_such_database_here"');
    expect(res.stderr).toContain('createdb');
    expect(res.stderr).not.toMatch(/^\s+at /m);
  }, 90_000);
});

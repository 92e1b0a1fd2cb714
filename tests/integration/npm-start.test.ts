import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, sparePort } from '../helpers/server';

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

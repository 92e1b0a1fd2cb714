import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareServerDb, ROOT, startServer, type RunningServer, type ServerDb } from '../helpers/server';

// The admin page's import on a server whose heap is limited, as a deployment may run it (docs/SCALING.md, Memory):
// a file the heap has no room for is refused before it is read, with what to do, and the server goes on serving
// and importing. Without the check, reading that file ran the server out of memory and every desk lost it.
// The check does not depend on the database; it runs on SQLite.

const HEAP_MB = 96;

let dir: string;
let server: RunningServer;
let db: ServerDb;
let bigFile: string;

/** A logged-in admin's cookies and the import form's CSRF token. */
async function logIn(url: string): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
  let res = await fetch(`${url}/dang-nhap`);
  keep(res);
  res = await fetch(`${url}/dang-nhap`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token(await res.text()), username: 'quantri', password: 'mat-khau-stress-1' }).toString(),
  });
  expect(res.status).toBe(303);
  keep(res);
  res = await fetch(`${url}/quan-tri/nhap-du-lieu`, { headers: { cookie: cookie() } });
  expect(res.status).toBe(200);
  return { cookie: cookie(), csrf: token(await res.text()) };
}

/**
 * Posts a file as the page's script does; the status and the body's text. A request that fails (a connection closed
 * during the upload, once in CI) says what the server printed and whether it still runs.
 */
async function post(url: string, session: { cookie: string; csrf: string }, csv: string) {
  try {
    const res = await fetch(`${url}/quan-tri/nhap-du-lieu`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'text/csv; charset=utf-8', 'x-csrf-token': session.csrf, accept: 'application/x-ndjson' },
      body: csv,
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const state = server.child.exitCode !== null || server.child.signalCode !== null ? `exited (${server.child.exitCode ?? server.child.signalCode})` : 'still running';
    throw new Error(`the import request failed (${String((err as Error).cause ?? err)}); the server is ${state}; it printed:\n${server.output()}`, { cause: err });
  }
}

async function dossierCount(): Promise<number> {
  const knex = db.open();
  try {
    const [{ n }] = await knex('dossiers').count({ n: '*' });
    return Number(n);
  } finally {
    await knex.destroy();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-import-memory-'));
  bigFile = path.join(dir, 'import-200000.csv');
  const made = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-import-csv.ts', '200000', bigFile, '2026-11-01T00:00:00Z'], { cwd: ROOT, encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  ({ db } = await prepareServerDb('sqlite', dir, [{ username: 'quantri', role: 'admin', agencyCode: null }]));
  server = await startServer(db.url, { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  if (server) await server.exited;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe(`the admin page's import on a server limited to a ${HEAP_MB} MB heap`, () => {
  it('when a file of 40 MB would not fit, then it is refused with the sizes and what to do, nothing is written, and a part of the size it names imports after', async () => {
    const csv = fs.readFileSync(bigFile, 'utf8');
    expect(Buffer.byteLength(csv)).toBe(39_842_825);
    const session = await logIn(server.url);

    const refused = await post(server.url, session, csv);
    expect(refused.status).toBe(413);
    const message: string = JSON.parse(refused.text).error.message;
    expect(message).toMatch(/^Máy chủ không đủ bộ nhớ để nhập tệp 38 MB lúc này: cần khoảng 149 MB, còn trống \d+ MB\. Chưa ghi gì vào cơ sở dữ liệu\. Hãy chia tệp thành các phần dưới \d+ MB/);
    const [free, fits] = [Number(/còn trống (\d+) MB/.exec(message)![1]), Number(/dưới (\d+) MB/.exec(message)![1])];
    // What the server holds already is not free: the old generation is 96 MB, the young one holds no file.
    expect(free).toBeGreaterThan(40);
    expect(free).toBeLessThan(HEAP_MB);
    // The message floors the free heap to whole MB and works the part's size out from the exact figure, which lies in
    // [free, free + 1): the part is the one of those two.
    expect([Math.floor((free - 16) / 3.5), Math.floor((free + 1 - 16) / 3.5)]).toContain(fits);
    expect(server.child.exitCode).toBeNull();
    expect(await dossierCount()).toBe(0);

    // The server still serves and imports, and the advice holds: a part of the file just under the size it names.
    const lines = csv.split('\n');
    let bytes = Buffer.byteLength(lines[0]) + 1;
    let rows = 0;
    while (bytes + Buffer.byteLength(lines[rows + 1]) + 1 < fits * 1024 * 1024) bytes += Buffer.byteLength(lines[++rows]) + 1;
    expect(rows).toBeGreaterThan(40_000);
    const imported = await post(server.url, session, `${lines.slice(0, rows + 1).join('\n')}\n`);
    expect(imported.status).toBe(200);
    const result = JSON.parse(imported.text.trim().split('\n').pop()!);
    expect(result).toMatchObject({ type: 'result', ok: true, rows });
    expect(await dossierCount()).toBe(rows);
    expect((await fetch(`${server.url}/dang-nhap`)).status).toBe(200);
  });
});

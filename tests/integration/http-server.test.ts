import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, PASSWORD, addUser, csrfFrom, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { createHttpServer, listen } from '../../src/shared/http-server';

// src/server.ts serves the app with requests and responses made with its prototypes (shared/http-server.ts) rather
// than through Express's app.listen: what any client receives must not change by a byte.

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let clerk: TestUser;
const servers: http.Server[] = [];

const portOf = (server: http.Server) => (server.address() as AddressInfo).port;

/** Sends raw request bytes on a connection of its own and returns every byte of the answer, its Date line blanked. */
function exchange(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const [line, ...headers] = head.split('\n');
    socket.on('connect', () => socket.write(`${[line, 'Host: 127.0.0.1', 'Connection: close', ...headers].join('\r\n')}\r\n\r\n${body}`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1').replace(/\r\nDate: [^\r]*/, '\r\nDate: -')));
  });
}

/** The cookie a visitor sends before logging in (its CSRF secret). */
const pre = 'pre=abcdefghijklmnopqrstuvwx';

/** The clerk logs in through the form on the server at `port`: the session's cookie (`sid=…`). */
async function loginOn(port: number): Promise<string> {
  const loginPage = await fetch(`http://127.0.0.1:${port}/dang-nhap`, { headers: { cookie: pre } });
  const login = await fetch(`http://127.0.0.1:${port}/dang-nhap`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfFrom(await loginPage.text()), username: clerk.username, password: PASSWORD }).toString(),
  });
  expect(login.status).toBe(303);
  return login.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('sid='))!;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  harness = makeApp(t.db);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await t.destroy();
});

describe('the server of src/server.ts', () => {
  it('when it answers the same requests as app.listen, then every answer is the same, byte for byte (but the Date)', async () => {
    const express = harness.app.listen(0);
    const ours = listen(harness.app, 0, () => undefined);
    servers.push(express, ours);
    await Promise.all([express, ours].map((s) => new Promise((r) => (s.listening ? r(null) : s.once('listening', r)))));

    // A session to send: logged in through the form, on the first server (both serve the same app and database).
    const sid = await loginOn(portOf(express));
    const form = 'application/x-www-form-urlencoded';
    const requests: [head: string, body?: string][] = [
      [`GET /dang-nhap HTTP/1.1\nCookie: ${pre}`],
      [`HEAD /dang-nhap HTTP/1.1\nCookie: ${pre}`],
      [`GET / HTTP/1.1\nCookie: ${sid}`],
      [`GET /ho-so?status=open HTTP/1.1\nCookie: ${sid}`],
      [`GET /HO-SO/ HTTP/1.1\nCookie: ${sid}`],
      [`GET /khong-co-trang-nay HTTP/1.1\nCookie: ${sid}`],
      [`GET /ho-so HTTP/1.1\nCookie: ${pre}`],
      [`GET /assets/app.css HTTP/1.1`],
      [`POST /dang-xuat HTTP/1.1\nCookie: ${sid}\nContent-Type: ${form}\nContent-Length: 7`, '_csrf=x'],
      [`GET /api/v1/dossiers?pageSize=2 HTTP/1.1\nAuthorization: Bearer ${clerk.token}`],
      [`POST /api/v1/dossiers HTTP/1.1\nAuthorization: Bearer ${clerk.token}\nContent-Type: application/json\nContent-Length: 5`, '{"a":'],
    ];
    const statuses: number[] = [];
    for (const [head, body] of requests) {
      const viaExpress = await exchange(portOf(express), head, body);
      expect(viaExpress, head).toMatch(/^HTTP\/1\.1 \d{3} /);
      expect(await exchange(portOf(ours), head, body), head).toBe(viaExpress);
      statuses.push(Number(viaExpress.slice(9, 12)));
    }
    // What was compared is what a user sees: pages, a page asked for logged out (to the login), a static file, the
    // refusals (not found, a form without its token, a JSON body cut short).
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404, 302, 200, 403, 200, 400]);
    expect(await exchange(portOf(ours), requests[2][0])).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Cache-Control: no-store\r\n/);
  });

  it("when a page is rendered, then its answer is byte for byte the one Express's own render sends (the page as text)", async () => {
    // The app's res.render sends the page as bytes it encoded itself (shared/views.ts renderAsUtf8); without it,
    // Express's own render sends the text.
    const plain = makeApp(t.db);
    expect(Object.hasOwn(plain.app.response, 'render')).toBe(true);
    delete (plain.app.response as { render?: unknown }).render;
    const ours = listen(harness.app, 0, () => undefined);
    const express = listen(plain.app, 0, () => undefined);
    servers.push(ours, express);
    await Promise.all([express, ours].map((s) => new Promise((r) => (s.listening ? r(null) : s.once('listening', r)))));
    const sid = await loginOn(portOf(ours));
    const heads = [`GET /dang-nhap HTTP/1.1\nCookie: ${pre}`, `HEAD /dang-nhap HTTP/1.1\nCookie: ${pre}`, `GET / HTTP/1.1\nCookie: ${sid}`, `GET /khong-co-trang-nay HTTP/1.1\nCookie: ${sid}`];
    for (const head of heads) {
      const answer = await exchange(portOf(ours), head);
      expect(answer, head).toBe(await exchange(portOf(express), head));
      expect(answer, head).toMatch(/\r\nContent-Type: text\/html; charset=utf-8\r\n/);
    }
    // A page with Vietnamese letters: its length is counted in bytes.
    const home = await exchange(portOf(ours), heads[2]);
    const body = Buffer.from(home.slice(home.indexOf('\r\n\r\n') + 4), 'latin1');
    expect(body.toString('utf8')).toContain('Trang chính');
    expect(home).toContain(`\r\nContent-Length: ${body.length}\r\n`);
  });

  it("when a request arrives, then it is already made with the app's prototypes, which Express's own server gives later", async () => {
    const seen: { request: boolean; response: boolean }[] = [];
    const record = (req: http.IncomingMessage, res: http.ServerResponse) =>
      seen.push({ request: Object.getPrototypeOf(req) === harness.app.request, response: Object.getPrototypeOf(res) === harness.app.response });
    for (const server of [createHttpServer(harness.app), http.createServer(harness.app)]) {
      servers.push(server);
      server.prependListener('request', record);
      await new Promise((r) => server.listen(0, '127.0.0.1', () => r(null)));
      expect((await fetch(`http://127.0.0.1:${portOf(server)}/dang-nhap`)).status).toBe(200);
    }
    expect(seen).toEqual([
      { request: true, response: true },
      { request: false, response: false },
    ]);
  });

  it('when its port is taken, then the callback is given the error, once', async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const errors: (string | undefined)[] = [];
    const server = listen(harness.app, (taken.address() as AddressInfo).port, (err) => errors.push((err as NodeJS.ErrnoException | undefined)?.code));
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toEqual(['EADDRINUSE']);
    expect(server.listening).toBe(false);
    await new Promise((r) => taken.close(r));
  });
});

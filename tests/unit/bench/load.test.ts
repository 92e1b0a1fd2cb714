import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerReader, requestBytes, runLoad } from '../../../scripts/bench/load';

describe('the load generator reads answers by their Content-Length', () => {
  const answer = (status: number, body: string, extra = '') =>
    Buffer.from(`HTTP/1.1 ${status} X\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  it('when an answer arrives in one piece, then its status comes back at once', () => {
    const reader = new AnswerReader();
    expect(reader.push(answer(200, 'Xin chào'))).toBe(200);
    expect(reader.closes).toBe(false);
    expect(reader.push(answer(200, 'hết', 'Connection: close\r\n'))).toBe(200);
    expect(reader.closes).toBe(true);
  });

  it('when an answer arrives byte by byte, then only its last byte completes it, and the next answer is read afresh', () => {
    const reader = new AnswerReader();
    const bytes = answer(404, 'không có');
    const seen = [...bytes].map((b) => reader.push(Buffer.from([b])));
    expect(seen.slice(0, -1).every((s) => s === null)).toBe(true);
    expect(seen.at(-1)).toBe(404);
    expect(reader.push(answer(201, '{}'))).toBe(201);
  });

  it('when the head is split inside its blank line or the body is empty, then it is still read right', () => {
    const reader = new AnswerReader();
    const bytes = answer(303, '');
    const cut = bytes.indexOf('\r\n\r\n') + 2;
    expect(reader.push(bytes.subarray(0, cut))).toBeNull();
    expect(reader.push(bytes.subarray(cut))).toBe(303);
  });

  it('when an answer has no Content-Length (chunked), or more bytes follow its end, then the reader refuses it', () => {
    const chunked = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    expect(() => new AnswerReader().push(chunked)).toThrow('an answer without a status or a Content-Length: HTTP/1.1 200 OK');
    expect(() => new AnswerReader().push(Buffer.concat([answer(200, 'a'), Buffer.from('extra')]))).toThrow('bytes after the end of an answer');
  });

  it('when a request has a body, then its bytes carry the headers given and the body length in bytes', () => {
    const text = requestBytes(3901, { method: 'POST', path: '/api/v1/dossiers', headers: { authorization: 'Bearer t' }, body: '{"ten":"Đức"}' }).toString('utf8');
    expect(text).toBe('POST /api/v1/dossiers HTTP/1.1\r\nHost: 127.0.0.1:3901\r\nConnection: keep-alive\r\nauthorization: Bearer t\r\nContent-Length: 16\r\n\r\n{"ten":"Đức"}');
    expect(requestBytes(80, { path: '/' }).toString()).toBe('GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\nConnection: keep-alive\r\n\r\n');
  });
});

describe('runLoad against a real server', () => {
  let server: http.Server;
  let port: number;
  const seen: { method: string; url: string; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, body });
        if (req.url === '/close') {
          // Answers, then closes the connection: the client must open another one.
          res.setHeader('Connection', 'close');
          res.end('bye');
        } else if (req.url === '/chunked') {
          res.write('a');
          res.end('b');
        } else if (req.url === '/missing') {
          res.statusCode = 404;
          res.end('không có');
        } else {
          res.statusCode = req.method === 'POST' ? 201 : 200;
          res.end('x'.repeat(60_000)); // a page's size, more than one read of the socket
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when 4 clients load a page for 0.3 s, then every answer is counted, none is an error, and the i-th request is next(i)', async () => {
    seen.length = 0;
    const run = await runLoad({ port, connections: 4, seconds: 0.3, expectStatus: 200, next: (i) => ({ path: `/page?i=${i}` }) });
    expect(run.errors).toBe(0);
    expect(run.requests).toBeGreaterThan(8);
    expect(run.latencies).toHaveLength(run.requests);
    expect(seen).toHaveLength(run.requests);
    expect(seen.map((s) => s.url).sort()).toEqual(Array.from({ length: run.requests }, (_, i) => `/page?i=${i}`).sort());
    expect(run.p99).toBeGreaterThanOrEqual(run.p50);
  });

  it('when requests are POSTs with bodies, then the server receives each body whole', async () => {
    seen.length = 0;
    const run = await runLoad({ port, connections: 2, seconds: 0.2, expectStatus: 201, next: (i) => ({ method: 'POST', path: '/p', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i, ten: 'Nguyễn Thị Ánh' }) }) });
    expect(run.errors).toBe(0);
    expect(seen.length).toBe(run.requests);
    expect(seen.every((s) => s.method === 'POST' && JSON.parse(s.body).ten === 'Nguyễn Thị Ánh')).toBe(true);
  });

  it('when answers have another status, then they are errors and the first one is described', async () => {
    const run = await runLoad({ port, connections: 2, seconds: 0.1, expectStatus: 200, next: () => ({ path: '/missing' }) });
    expect(run.errors).toBe(run.requests);
    expect(run.firstError).toBe('HTTP 404 on GET /missing');
  });

  it('when the server closes each connection after answering, then the client connects again and keeps counting', async () => {
    const run = await runLoad({ port, connections: 2, seconds: 0.2, expectStatus: 200, next: () => ({ path: '/close' }) });
    expect(run.errors).toBe(0);
    expect(run.requests).toBeGreaterThan(4);
  });

  it('when the server answers without a Content-Length, then it is an error that says so', async () => {
    const run = await runLoad({ port, connections: 1, seconds: 0.1, expectStatus: 200, next: () => ({ path: '/chunked' }) });
    expect(run.errors).toBeGreaterThan(0);
    expect(run.firstError).toBe('Error: an answer without a status or a Content-Length: HTTP/1.1 200 OK');
  });
});

// A small HTTP load generator: N clients on keep-alive connections, each sending its next request as soon as
// the previous answer is read, for a fixed time; latencies of every request are kept for the percentiles.
import net from 'node:net';

/** The p-th percentile (0–100) of sorted values, nearest-rank: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** One run's result with every latency, sorted: runs are combined by combineLoads. */
export interface LoadRun extends LoadResult {
  latencies: number[];
}

/**
 * Several runs of the same target as one result: requests over the summed time, percentiles over every latency.
 * The bench alternates its targets in rounds, so a ratio between two of them compares the same minutes of a VM
 * whose speed drifts.
 */
export function combineLoads(runs: readonly LoadRun[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const errors = runs.reduce((s, r) => s + r.errors, 0);
  return summarize(latencies, seconds, errors, runs.find((r) => r.firstError !== null)?.firstError ?? null);
}

/** The figures of `sorted` latencies (ms) measured over `seconds`. */
export function summarize(sorted: readonly number[], seconds: number, errors: number, firstError: string | null): LoadResult {
  return {
    requests: sorted.length,
    errors,
    firstError,
    seconds,
    perSecond: seconds > 0 ? sorted.length / seconds : NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/**
 * Runs `connections` clients against `port` for `seconds`; `next(i)` gives the i-th request (i counts all clients).
 *
 * Each client is a bare keep-alive socket that writes its request and reads the answer's length from its head. The
 * generator shares the two cores with the server it measures: through node:http it used 1.16–1.32 s of CPU per 5 s
 * of the late list (51 kB pages), a quarter of a core taken from the server; this way 0.53–0.58 s. In two paired
 * runs against the same server, ApacheBench (a C client) measured p99 77 and 77 ms where node:http's gave 110 and 90.
 * Answers must carry Content-Length (every answer the bench asks for does).
 */
export async function runLoad(opts: {
  port: number;
  connections: number;
  seconds: number;
  next: (i: number) => LoadRequest;
  expectStatus: number;
}): Promise<LoadRun> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let counter = 0;
  const fail = (message: string) => {
    errors += 1;
    firstError ??= message;
  };
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const clients = Array.from({ length: opts.connections }, () => runClient(opts.port, deadline, () => opts.next(counter++), opts.expectStatus, latencies, fail));
  await Promise.all(clients);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ...summarize(latencies, seconds, errors, firstError), latencies };
}

/** The bytes of one HTTP/1.1 request on a kept-alive connection. */
export function requestBytes(port: number, req: LoadRequest): Buffer {
  const body = req.body === undefined ? null : Buffer.from(req.body);
  const lines = [`${req.method ?? 'GET'} ${req.path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: keep-alive'];
  for (const [name, value] of Object.entries(req.headers ?? {})) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Reads answers off one connection: the status and Content-Length of each head, then that many body bytes. */
export class AnswerReader {
  private head: Buffer | null = Buffer.alloc(0);
  private status = 0;
  private bodyLeft = 0;
  /** The last answer's head said "Connection: close": the server closes this connection after it. */
  closes = false;

  /** Feeds received bytes; returns the status when they complete an answer, null when more are due. Throws on what it cannot read. */
  push(chunk: Buffer): number | null {
    if (this.head !== null) {
      const buffered = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buffered.indexOf(HEAD_END);
      if (end < 0) {
        this.head = buffered;
        return null;
      }
      const head = buffered.subarray(0, end).toString('latin1');
      this.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      if (!Number.isFinite(this.status) || length === undefined) {
        throw new Error(`an answer without a status or a Content-Length: ${head.split('\r\n', 1)[0]}`);
      }
      this.head = null;
      this.bodyLeft = Number(length);
      this.closes = /\r\nconnection:\s*close/i.test(head);
      chunk = buffered.subarray(end + HEAD_END.length);
    }
    if (chunk.length > this.bodyLeft) throw new Error('bytes after the end of an answer (the client sends one request at a time)');
    this.bodyLeft -= chunk.length;
    if (this.bodyLeft > 0) return null;
    this.head = Buffer.alloc(0);
    return this.status;
  }
}

/** One client: a connection (opened again if the server closes it) that sends its next request as soon as an answer ends. */
async function runClient(
  port: number,
  deadline: number,
  next: () => LoadRequest,
  expectStatus: number,
  latencies: number[],
  fail: (message: string) => void,
): Promise<void> {
  while (performance.now() < deadline) {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve) => {
      const reader = new AnswerReader();
      let current: { req: LoadRequest; t0: number } | null = null;
      const send = () => {
        if (performance.now() >= deadline) return socket.end();
        const req = next();
        current = { req, t0: performance.now() };
        socket.write(requestBytes(port, req));
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        let status: number | null;
        try {
          status = reader.push(chunk);
        } catch (err) {
          fail(String(err));
          return socket.destroy();
        }
        if (status === null || !current) return;
        latencies.push(performance.now() - current.t0);
        if (status !== expectStatus) fail(`HTTP ${status} on ${current.req.method ?? 'GET'} ${current.req.path}`);
        current = null;
        if (reader.closes) socket.end();
        else send();
      });
      let failed = false;
      socket.on('error', (err) => {
        failed = true;
        fail(String(err));
      });
      socket.on('close', () => {
        if (current && !failed) fail(`connection closed during ${current.req.method ?? 'GET'} ${current.req.path}`);
        resolve();
      });
    });
  }
}

/** Logs in through the login form of the app on `port`, as a browser does; returns the session's cookie ('sid=…'). */
export async function login(port: number, username: string, password: string): Promise<string> {
  const page = await fetch(`http://127.0.0.1:${port}/dang-nhap`);
  const pre = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('login page without a CSRF token');
  const res = await fetch(`http://127.0.0.1:${port}/dang-nhap`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
    body: new URLSearchParams({ _csrf: csrf, username, password, next: '/' }).toString(),
  });
  const sid = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('sid='));
  if (res.status !== 303 || !sid) throw new Error(`login failed: HTTP ${res.status}`);
  return sid;
}

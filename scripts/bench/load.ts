// A small HTTP load generator: N clients on keep-alive connections, each sending its next request as soon as
// the previous answer is read, for a fixed time; latencies of every request are kept for the percentiles.
import http from 'node:http';

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

/** Runs `connections` clients against `port` for `seconds`; `next(i)` gives the i-th request (i counts all clients). */
export async function runLoad(opts: {
  port: number;
  connections: number;
  seconds: number;
  next: (i: number) => LoadRequest;
  expectStatus: number;
}): Promise<LoadRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let counter = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;

  const one = (req: LoadRequest) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const r = http.request({ host: '127.0.0.1', port: opts.port, path: req.path, method: req.method ?? 'GET', headers, agent }, (res) => {
        let size = 0;
        res.on('data', (chunk: Buffer) => (size += chunk.length));
        res.on('end', () => {
          latencies.push(performance.now() - t0);
          if (res.statusCode !== opts.expectStatus) {
            errors += 1;
            firstError ??= `HTTP ${res.statusCode} on ${req.method ?? 'GET'} ${req.path} (${size} bytes)`;
          }
          resolve();
        });
      });
      r.on('error', (err) => {
        errors += 1;
        firstError ??= String(err);
        resolve();
      });
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });

  const client = async () => {
    while (performance.now() < deadline) await one(opts.next(counter++));
  };
  await Promise.all(Array.from({ length: opts.connections }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { ...summarize(latencies, seconds, errors, firstError), latencies };
}

// npm run bench [-- --dossiers 1000000 --seconds 10 --runs 7 --only sqlite|pg --regenerate --generate-only --render-only]
//
// Generates (or reuses) the data set, then measures on SQLite — and on PostgreSQL when DATABASE_URL points at
// one (its database name must contain "bench": the benchmark keeps its data set there and measures on a copy,
// `<name>_run`) — the monthly settlement report,
// the late list and dossier pages against a bare Express hello world and a logged-in request that builds no page
// (scripts/bench/floor.ts), intake through the API with 32 clients,
// and the server's memory. Writes docs/BENCHMARKS.md from the last result of each database.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { keepPlannerStatistics } from '../src/db/statistics';
import { loadConfig, parseDatabaseUrl } from '../src/config';
import { isSqlite } from '../src/db/dialect';
import { settleSearchIndex } from '../src/db/search-index';
import { settlementReport } from '../src/reports/settlement';
import { hashPassword } from '../src/auth/passwords';
import { createApiToken } from '../src/auth/users';
import { seedIfEmpty } from '../seeds/index';
import { generate, type GenerateSummary } from './bench/generate';
import { combineLoads, login, median, runLoad, type LoadRequest, type LoadResult, type LoadRun } from './bench/load';
import { FLOOR_PATH } from './bench/floor';
import { copyForRun, databaseName, dropRunCopy } from './bench/pg-copy';
import { intakeBody, measurePages, pagesOf, prepareDesks, PAGE_RUNS, type Desk, type PageTiming } from './bench/pages';
import type { Knex } from 'knex';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(ROOT, '.bench');
/** Bump when the generator changes: cached data sets of another version are not reused. */
const GENERATOR_VERSION = 1;

function arg(name: string, env: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[env] ?? fallback;
}
const DOSSIERS = Number(arg('dossiers', 'BENCH_DOSSIERS', '1000000'));
const SECONDS = Number(arg('seconds', 'BENCH_SECONDS', '10'));
const RUNS = Number(arg('runs', 'BENCH_RUNS', '7'));
/** Report runs after the cold one that are not counted: V8 takes about five to compile the report's JavaScript. */
const WARMUP_RUNS = 5;
const ONLY = arg('only', 'BENCH_ONLY', '');
const REGENERATE = process.argv.includes('--regenerate');
const GENERATE_ONLY = process.argv.includes('--generate-only');
/** Rewrite docs/BENCHMARKS.md from the results kept in .bench/ without measuring. */
const RENDER_ONLY = process.argv.includes('--render-only');
const CONNECTIONS = Number(arg('connections', 'BENCH_CONNECTIONS', '16'));
/** The pages and the hello world are measured in this many alternating rounds of SECONDS / HTTP_ROUNDS each. */
const HTTP_ROUNDS = 3;
const INTAKE_CLIENTS = 32;
const PASSWORD = 'bench-password-1234';

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface ReportTiming {
  label: string;
  from: string;
  to: string;
  rows: number;
  counted: number;
  coldMs: number;
  medianMs: number;
  maxMs: number;
}

interface Result {
  database: 'sqlite' | 'pg';
  databaseVersion: string;
  at: string;
  dossiers: number;
  dataset: GenerateSummary & { reused: boolean; sizeBytes: number | null };
  reports: ReportTiming[];
  http: { connections: number; seconds: number; hello: LoadResult; helloAppServer?: LoadResult; floor?: LoadResult; list: LoadResult; detail: LoadResult; listPath: string };
  intake: LoadResult & { clients: number };
  /** The desk's other pages, one request at a time (scripts/bench/pages.ts); absent in results of older runs. */
  pages?: { desks: Desk[]; timings: PageTiming[] };
  rssMb: number;
  peakRssMb: number;
  synchronous: string;
  /** Sessions kept per process (SESSION_CACHE); absent in results of older runs, which read them on every request. */
  sessionCache?: boolean;
  /** Whether SQLite keeps them too (since the thirty-ninth session); absent before, when it read them on every request. */
  sqliteKeepsSessions?: boolean;
  machine: { cpu: string; cores: number; memGb: number; os: string; node: string; load: string };
}

// ---------------------------------------------------------------------------------------------
// Data set

const pad = (n: number) => String(n).padStart(2, '0');
const localToday = (now: Date) => new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);

async function prepareDataset(url: string, now: Date): Promise<{ summary: GenerateSummary; reused: boolean }> {
  const db = openDb(parseDatabaseUrl(url));
  try {
    const applied = await migrateLatest(db);
    await db.schema.hasTable('bench_meta').then(async (has) => {
      if (!has) await db.schema.createTable('bench_meta', (t) => { t.string('key').primary(); t.text('value'); });
    });
    const meta = await db('bench_meta').where({ key: 'summary' }).first();
    if (meta) {
      const summary = JSON.parse(meta.value) as GenerateSummary & { version: number };
      if (summary.dossiers === DOSSIERS && summary.version === GENERATOR_VERSION) {
        // New migrations on a kept data set (new columns, new indexes; on PostgreSQL a rewritten table has lost its
        // visibility map, so index-only scans visit the table): statistics and vacuum, as after an upgrade.
        if (applied.length) {
          log(`applied ${applied.join(', ')}; updating planner statistics`);
          if (isSqlite(db)) await analyzeAsTheAppDoes(db);
          else await db.raw('VACUUM ANALYZE');
        } else if (isSqlite(db)) {
          // A data set analyzed by an earlier bench kept SQLite's histograms, which the app drops (src/db/statistics.ts).
          await keepPlannerStatistics(db);
        }
        await settleBenchSearchIndex(db);
        return { summary, reused: true };
      }
      throw new Error(`database holds another data set (${summary.dossiers} dossiers, generator ${summary.version}); use --regenerate`);
    }
    await seedIfEmpty(db, { demo: false, now });
    log(`generating ${DOSSIERS.toLocaleString('en')} dossiers…`);
    const summary = await generate(db, { dossiers: DOSSIERS, now, log });
    log(`generated in ${summary.seconds.toFixed(0)} s; updating planner statistics`);
    if (isSqlite(db)) await analyzeAsTheAppDoes(db);
    else await db.raw('VACUUM ANALYZE');
    await settleBenchSearchIndex(db);
    await db('bench_meta').insert({ key: 'summary', value: JSON.stringify({ ...summary, version: GENERATOR_VERSION, generatedAt: now.toISOString() }) });
    return { summary, reused: false };
  } finally {
    await db.destroy();
  }
}

/**
 * SQLite: the statistics the server makes at its start (src/db/statistics.ts), made here once for the data set rather
 * than by the server of every run: ANALYZE, without the histograms. Forced: new migrations on a kept data set (new
 * indexes) need them made again whatever the dossiers' count, which the app's own rule (stale as the dossiers grow)
 * would not see.
 */
async function analyzeAsTheAppDoes(db: Knex): Promise<void> {
  const upkeep = await keepPlannerStatistics(db, { force: true });
  if (upkeep.done !== 'analyzed') throw new Error(`planner statistics not made: ${upkeep.done}`);
}

/**
 * SQLite: finishes the merges of the search index (FTS5) that the generation left running, once per data set. A million
 * dossiers written in bulk left four segments of ~11,600 pages each being merged into one, so every run's copy started
 * with that merge and its first ~15,000 intakes did it: 240–370 intakes/s, against 450–650 once it was done. The app
 * does the same while it is quiet (src/db/search-index.ts), a few pages at a time; here it is done before the copy,
 * in steps of 2,000 pages, as nothing else runs.
 */
async function settleBenchSearchIndex(db: Knex): Promise<void> {
  if (!isSqlite(db) || (await db('bench_meta').where({ key: 'search_settled' }).first())) return;
  const t0 = performance.now();
  const steps = await settleSearchIndex(db, { pages: 2000 });
  await db('bench_meta').insert({ key: 'search_settled', value: new Date().toISOString() });
  log(`search index merged in ${steps} steps, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Deletes an SQLite file with its WAL and shared-memory files, where they exist. */
function removeSqliteFile(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

async function sqliteDataset(now: Date) {
  fs.mkdirSync(CACHE, { recursive: true });
  const cached = path.join(CACHE, `sqlite-${DOSSIERS}-g${GENERATOR_VERSION}.sqlite3`);
  if (REGENERATE) removeSqliteFile(cached);
  const fresh = !fs.existsSync(cached);
  if (fresh) {
    // Generated under another name and renamed when complete: an interrupted generation is never reused.
    const tmp = `${cached}.tmp`;
    removeSqliteFile(tmp);
    await prepareDataset(`sqlite:${tmp}`, now);
    fs.renameSync(tmp, cached);
  }
  const { summary } = await prepareDataset(`sqlite:${cached}`, now);
  // A checkpointed, closed file is copied: the run (intake) writes into the copy, the cache stays as generated.
  const run = path.join(CACHE, 'run.sqlite3');
  removeSqliteFile(run);
  fs.copyFileSync(cached, run);
  // Synced before anything is measured: otherwise the kernel writes the copied gigabytes back to disk during the
  // reports and the intake, and a durable commit (an fsync) waits behind them.
  const fd = fs.openSync(run, 'r+');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return { url: `sqlite:${run}`, summary, reused: !fresh, sizeBytes: fs.statSync(cached).size, removeCopy: async () => removeSqliteFile(run) };
}

async function pgDataset(url: string, now: Date) {
  const name = databaseName(url);
  if (!/bench/i.test(name)) throw new Error(`DATABASE_URL names database "${name}": the benchmark only writes to a database whose name contains "bench"`);
  if (REGENERATE) {
    const db = openDb({ client: 'pg', url });
    await db.raw('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await db.destroy();
  }
  const { summary, reused } = await prepareDataset(url, now);
  const db = openDb({ client: 'pg', url });
  const size = Number((await db.raw('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
  await db.destroy();
  if (GENERATE_ONLY) return { url, summary, reused, sizeBytes: size, removeCopy: async () => {} };
  const copy = await copyForRun(url);
  log(`copied database ${name} to ${databaseName(copy.url)} in ${copy.seconds.toFixed(0)} s`);
  return { url: copy.url, summary, reused, sizeBytes: size, removeCopy: () => dropRunCopy(copy.url) };
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** The last complete month, the same month a year earlier, and the last complete calendar year. */
function reportPeriods(now: Date): { label: string; from: string; to: string }[] {
  const today = localToday(now);
  const [y, m] = today.split('-').map(Number);
  const pm = m === 1 ? 12 : m - 1;
  const py = m === 1 ? y - 1 : y;
  const lastDay = new Date(Date.UTC(py, pm, 0)).getUTCDate();
  return [
    { label: `month ${pad(pm)}/${py}`, from: `${py}-${pad(pm)}-01`, to: `${py}-${pad(pm)}-${pad(lastDay)}` },
    { label: `month ${pad(m)}/${y - 1}`, from: `${y - 1}-${pad(m)}-01`, to: `${y - 1}-${pad(m)}-${pad(new Date(Date.UTC(y - 1, m, 0)).getUTCDate())}` },
    { label: `year ${y - 1}`, from: `${y - 1}-01-01`, to: `${y - 1}-12-31` },
  ];
}

async function measureReports(db: Knex, now: Date): Promise<ReportTiming[]> {
  const out: ReportTiming[] = [];
  for (const p of reportPeriods(now)) {
    const q = { from: p.from, to: p.to, agencyCode: null, basis: 'handling' as const, now };
    let t0 = performance.now();
    const first = await settlementReport(db, q);
    const coldMs = performance.now() - t0;
    const c = first.total;
    if (c.received.total !== c.resolved.total + c.pending.total) throw new Error(`report ${p.label}: received.total ≠ resolved.total + pending.total`);
    for (let i = 0; i < WARMUP_RUNS; i++) await settlementReport(db, q);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      t0 = performance.now();
      await settlementReport(db, q);
      times.push(performance.now() - t0);
    }
    out.push({ label: p.label, from: p.from, to: p.to, rows: first.rows.length, counted: c.received.total, coldMs, medianMs: median(times), maxMs: Math.max(...times) });
    log(`report ${p.label}: ${c.received.total.toLocaleString('en')} dossiers counted, median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (cold ${coldMs.toFixed(1)} ms)`);
  }
  return out;
}

function startProcess(script: string, env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

function procStatus(pid: number): { rssMb: number; peakRssMb: number; cpuTicks: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

/** Waits until the process has used no CPU for two seconds (the letter sweep at start), at most `maxSeconds`. */
async function waitIdle(pid: number, maxSeconds: number): Promise<void> {
  let last = procStatus(pid).cpuTicks;
  let quiet = 0;
  for (let i = 0; i < maxSeconds * 2 && quiet < 4; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = procStatus(pid).cpuTicks;
    quiet = now - last <= 2 ? quiet + 1 : 0;
    last = now;
  }
}

async function benchDatabase(kind: 'sqlite' | 'pg', now: Date): Promise<Result | null> {
  log(`=== ${kind} ===`);
  const data = kind === 'sqlite' ? await sqliteDataset(now) : await pgDataset(process.env.DATABASE_URL!, now);
  if (GENERATE_ONLY) return null;
  // The run's copy is removed at its end (data.removeCopy, below). Kept, the copies of both data sets with their
  // sources (26 GB on PostgreSQL 15 and SQLite) outgrew a 24 GB machine's page cache: a SQLite run after a PostgreSQL
  // one read its file from disk again, and its monthly report took 113 ms instead of 36–53.
  // The app server's environment; the bench's own connection is opened as the app opens its own (same SQLite
  // synchronous level), so the settings reported below are the app's.
  const appEnv = { PORT: '3901', DATABASE_URL: data.url, NODE_ENV: 'production', SESSION_SECRET: 'bench-session-secret-0123456789', SEED_DEMO: '0' };
  const appConfig = loadConfig({ ...process.env, ...appEnv });
  const db = openDb(appConfig.database);
  const sqlite = isSqlite(db);
  const databaseVersion = sqlite
    ? `SQLite ${(await db.raw('SELECT sqlite_version() AS v'))[0].v}`
    : String((await db.raw('SHOW server_version')).rows[0].server_version).replace(/^/, 'PostgreSQL ');
  const synchronous = sqlite ? `synchronous=${['OFF', 'NORMAL', 'FULL', 'EXTRA'][Number((await db.raw('PRAGMA synchronous'))[0].synchronous)]}, journal_mode=${(await db.raw('PRAGMA journal_mode'))[0].journal_mode}` : `synchronous_commit=${(await db.raw('SHOW synchronous_commit')).rows[0].synchronous_commit}, fsync=${(await db.raw('SHOW fsync')).rows[0].fsync}, shared_buffers=${(await db.raw('SHOW shared_buffers')).rows[0].shared_buffers}`;

  // The clerk of the public service centre (the busiest desk) logs in; an API token for intake.
  const centre = (await db('agencies').where({ kind: 'service_centre' }).first()) ?? (await db('agencies').where({ level: 'province' }).orderBy('code').first());
  const passwordHash = await hashPassword(PASSWORD);
  let clerk = await db('users').where({ username: 'bench.clerk' }).first();
  if (clerk) await db('users').where({ id: clerk.id }).update({ password_hash: passwordHash });
  else {
    [clerk] = await db('users')
      .insert({ username: 'bench.clerk', full_name: 'Cán bộ thử tải', role: 'clerk', agency_code: centre.code, password_hash: passwordHash, active: true, created_at: now.toISOString() })
      .returning('*');
  }
  const token = await createApiToken(db, clerk.id, 'bench', now);
  const codes: string[] = (await db('dossiers').where({ received_agency_code: centre.code }).orderBy('id', 'desc').limit(20_000).pluck('code')).filter((_c: string, i: number) => i % 10 === 0);
  const procedures: string[] = await db('procedures').where({ agency_code: centre.code, active: true }).pluck('code');
  const intakeProcedures = procedures.length ? procedures : await db('procedures').whereNotNull('agency_code').where({ active: true }).pluck('code');

  const desks = await prepareDesks(db, centre.code, passwordHash, now);
  const [month, , year] = reportPeriods(now);
  const deskPages = await Promise.all(desks.map((d) => pagesOf(db, d, month, year)));

  const reports = await measureReports(db, now);
  await db.destroy();

  const appPort = Number(appEnv.PORT);
  const helloPort = 3902;
  const floorPort = 3903;
  const helloAppPort = 3904;
  log('starting the app server, the hello-world servers and the floor server');
  const app = await startProcess('src/server.ts', appEnv, /đang chạy tại/);
  const hello = await startProcess('scripts/bench/hello.ts', { PORT: String(helloPort) }, /hello ready/);
  const helloApp = await startProcess('scripts/bench/hello.ts', { PORT: String(helloAppPort), HELLO_SERVER: 'app' }, /hello ready/);
  const floor = await startProcess('scripts/bench/floor.ts', { ...appEnv, PORT: String(floorPort) }, /floor ready/);
  try {
    await waitIdle(app.pid!, 300);
    const sid = await login(appPort, 'bench.clerk', PASSWORD);
    const cookie = { cookie: sid };
    const listPath = '/ho-so?late=1&status=open';
    // Warm-up, then the targets in turn, HTTP_ROUNDS times: each figure adds up its rounds, and the ratios compare
    // measurements taken in the same minutes (this VM's speed drifts by up to half within an hour). The floor is the
    // app with a route that builds nothing, logged in with the same session (scripts/bench/floor.ts).
    const targets: { label: string; port: number; next: (i: number) => LoadRequest }[] = [
      { label: 'hello world', port: helloPort, next: () => ({ path: '/' }) },
      { label: "hello world on the app's server", port: helloAppPort, next: () => ({ path: '/' }) },
      { label: 'logged-in floor', port: floorPort, next: () => ({ path: FLOOR_PATH, headers: cookie }) },
      { label: 'late list', port: appPort, next: () => ({ path: listPath, headers: cookie }) },
      { label: 'dossier page', port: appPort, next: (i) => ({ path: `/ho-so/${encodeURIComponent(codes[i % codes.length])}`, headers: cookie }) },
    ];
    for (const t of targets) await runLoad({ port: t.port, connections: CONNECTIONS, seconds: Math.min(2, SECONDS), next: t.next, expectStatus: 200 });
    const runs: LoadRun[][] = targets.map(() => []);
    for (let round = 0; round < HTTP_ROUNDS; round++) {
      for (const [k, t] of targets.entries()) {
        runs[k].push(await runLoad({ port: t.port, connections: CONNECTIONS, seconds: SECONDS / HTTP_ROUNDS, next: t.next, expectStatus: 200 }));
      }
    }
    const [helloResult, helloAppResult, floorResult, list, detail] = targets.map((t, k) => {
      const r = combineLoads(runs[k]);
      const rounds = runs[k].map((x) => x.perSecond.toFixed(0)).join(' / ');
      log(`${t.label}: ${r.perSecond.toFixed(0)} req/s (rounds ${rounds}), p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`);
      return r;
    });

    log(`desk pages: ${desks.map((d) => `${d.label} (${d.agencyCode}, ${num(d.dossiers)} dossiers)`).join('; ')}`);
    const sessions = [];
    for (const d of desks) sessions.push(await login(appPort, d.username, PASSWORD));
    const pageTimings = await measurePages(appPort, desks, sessions, deskPages);
    for (const t of pageTimings) log(`  ${t.label}: ${t.byDesk.map((b) => `${ms(b.medianMs)}${b.status === 200 ? '' : ` (HTTP ${b.status})`}`).join(' / ')}`);

    const intakeRun = await runLoad({
      port: appPort,
      connections: INTAKE_CLIENTS,
      seconds: SECONDS,
      expectStatus: 201,
      next: (i) => ({
        method: 'POST',
        path: '/api/v1/dossiers',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(intakeBody(i, intakeProcedures[i % intakeProcedures.length])),
      }),
    });
    const intakeResult = combineLoads([intakeRun]);
    log(`intake: ${intakeResult.perSecond.toFixed(0)} dossiers/s, p99 ${intakeResult.p99.toFixed(1)} ms, errors ${intakeResult.errors}${intakeResult.firstError ? ` (${intakeResult.firstError})` : ''}`);
    const mem = procStatus(app.pid!);
    log(`server memory: RSS ${mem.rssMb.toFixed(0)} MB (peak ${mem.peakRssMb.toFixed(0)} MB)`);
    return {
      database: kind,
      databaseVersion,
      at: new Date().toISOString(),
      dossiers: DOSSIERS,
      dataset: { ...data.summary, reused: data.reused, sizeBytes: data.sizeBytes },
      reports,
      http: { connections: CONNECTIONS, seconds: SECONDS, hello: helloResult, helloAppServer: helloAppResult, floor: floorResult, list, detail, listPath },
      intake: { ...intakeResult, clients: INTAKE_CLIENTS },
      pages: { desks, timings: pageTimings },
      rssMb: mem.rssMb,
      peakRssMb: mem.peakRssMb,
      synchronous,
      sessionCache: appConfig.sessionCache,
      sqliteKeepsSessions: true,
      machine: machine(),
    };
  } finally {
    for (const child of [app, hello, helloApp, floor]) child.kill('SIGTERM');
    await Promise.all([app, hello, helloApp, floor].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
    await data.removeCopy();
  }
}

function machine(): Result['machine'] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const num = (n: number) => Math.round(n).toLocaleString('en');
const mark = (ok: boolean) => (ok ? '✅' : '❌');
/** A load's target: a load with errors meets none, whatever its rate (its refused answers were counted too). */
const markLoad = (load: LoadResult, ok: boolean) => mark(ok && load.errors === 0);

/** The desk pages' table: a column per desk, the median of the runs (the max when it is over twice the median). */
function pagesTable(r: Result): string[] {
  if (!r.pages?.timings.length) return [];
  const { desks, timings } = r.pages;
  const cell = (b: PageTiming['byDesk'][number]) =>
    b.status !== 200 ? `HTTP ${b.status}` : `${ms(b.medianMs)}${b.maxMs > 2 * b.medianMs ? ` (max ${ms(b.maxMs)})` : ''}`;
  return [
    `Pages a head opens, one request at a time (median of ${PAGE_RUNS}, after one unmeasured request), for three desks: ` +
      desks.map((d) => `${d.label}, ${d.agencyName} (${num(d.dossiers)} dossiers${d.basis === 'receiving' ? '; the numbers of its report and their lists count the dossiers it received' : ''})`).join('; ') + '.',
    '',
    `| page | ${desks.map((d) => d.label).join(' | ')} |`,
    `|---|${desks.map(() => '---').join('|')}|`,
    ...timings.map((t) => `| ${t.label} | ${t.byDesk.map(cell).join(' | ')} |`),
    '',
  ];
}

function renderMarkdown(results: Result[]): string {
  const version = (name: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    } catch {
      return '?';
    }
  };
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Measured by `npm run bench` (scripts/bench.ts); rerun it to measure your machine. This file is rewritten by each run',
    'from the last result of each database (kept in `.bench/results-<database>.json`). Numbers below are real measurements,',
    'not targets; the targets of issue 7 are in the last column.',
    '',
  ];
  for (const r of results) {
    const pct = (x: LoadResult, of: LoadResult) => `${((x.perSecond / of.perSecond) * 100).toFixed(0)}%`;
    // The issue's baseline is the bare Express hello world; the app's server (src/shared/http-server.ts) makes the same
    // hello world faster too, and each ratio says what it is to that one as well.
    const helloApp = r.http.helloAppServer;
    const ratio = (x: LoadResult) => `${pct(x, r.http.hello)} of hello world${helloApp ? ` (${pct(x, helloApp)} of the hello world on the app's server)` : ''}`;
    const ds = r.dataset;
    lines.push(
      `## ${r.databaseVersion} — ${num(r.dossiers)} dossiers (${r.at.slice(0, 16).replace('T', ' ')} UTC)`,
      '',
      `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGb} GB, ${r.machine.os}; Node ${r.machine.node}; ` +
        `express ${version('express')}, knex ${version('knex')}, better-sqlite3 ${version('better-sqlite3')}, pg ${version('pg')}. ` +
        `Load average at the end: ${r.machine.load} (the machine is shared: other work running at the same time shows here).`,
      '',
      `Data set: ${num(ds.dossiers)} dossiers over the two years before the run, ${num(ds.events)} events, ${num(ds.states)} state intervals, ` +
        `${ds.agencies} agencies, ${ds.fields} fields; ${((ds.pending / ds.dossiers) * 100).toFixed(1)}% pending and ` +
        `${((ds.late / ds.dossiers) * 100).toFixed(1)}% late when generated, ${((ds.withSupplement / ds.dossiers) * 100).toFixed(1)}% with a supplement, ` +
        `${((ds.withPause / ds.dossiers) * 100).toFixed(1)}% with a pause, ${((ds.transferred / ds.dossiers) * 100).toFixed(1)}% transferred. ` +
        `Generated in ${num(ds.seconds)} s${ds.reused ? ' (reused from the cache)' : ''}` +
        (ds.sizeBytes ? `; database size ${(ds.sizeBytes / 2 ** 30).toFixed(2)} GB.` : '.'),
      '',
      '| measurement | result | target |',
      '|---|---|---|',
      ...r.reports.map((t) => {
        const isYear = t.label.startsWith('year');
        const target = isYear ? 500 : 100;
        return `| settlement report, ${t.label} (${num(t.counted)} dossiers counted, ${t.rows} field rows) | median ${ms(t.medianMs)}, max ${ms(t.maxMs)} of ${RUNS} runs (first run ${ms(t.coldMs)}) | ≤ ${target} ms median ${mark(t.medianMs <= target)} |`;
      }),
      `| hello world (bare Express), ${r.http.connections} connections | ${num(r.http.hello.perSecond)} req/s, p99 ${ms(r.http.hello.p99)} | baseline |`,
      ...(helloApp
        ? [`| the same hello world on the app's server (src/shared/http-server.ts) | ${num(helloApp.perSecond)} req/s = ${pct(helloApp, r.http.hello)} of the bare one, p99 ${ms(helloApp.p99)} | for comparison |`]
        : []),
      ...(r.http.floor
        ? [`| logged-in floor: the app's middleware and session check, no page (scripts/bench/floor.ts) | ${num(r.http.floor.perSecond)} req/s = ${ratio(r.http.floor)}, p99 ${ms(r.http.floor.p99)}, errors ${r.http.floor.errors} | the ceiling of any page |`]
        : []),
      `| late list \`${r.http.listPath}\` (clerk of the centre) | ${num(r.http.list.perSecond)} req/s = ${ratio(r.http.list)}, p99 ${ms(r.http.list.p99)}, errors ${r.http.list.errors} | ≥ 50% ${markLoad(r.http.list, r.http.list.perSecond >= r.http.hello.perSecond / 2)}, p99 < 100 ms ${markLoad(r.http.list, r.http.list.p99 < 100)} |`,
      `| dossier page \`/ho-so/<code>\` | ${num(r.http.detail.perSecond)} req/s = ${ratio(r.http.detail)}, p99 ${ms(r.http.detail.p99)}, errors ${r.http.detail.errors} | ≥ 50% ${markLoad(r.http.detail, r.http.detail.perSecond >= r.http.hello.perSecond / 2)}, p99 < 100 ms ${markLoad(r.http.detail, r.http.detail.p99 < 100)} |`,
      `| intake \`POST /api/v1/dossiers\`, ${r.intake.clients} clients | ${num(r.intake.perSecond)} dossiers/s, p99 ${ms(r.intake.p99)}, errors ${r.intake.errors} | ≥ 300/s ${markLoad(r.intake, r.intake.perSecond >= 300)} |`,
      `| server RSS at the end (peak) | ${num(r.rssMb)} MB (${num(r.peakRssMb)} MB) | ≤ 300 MB ${mark(r.rssMb <= 300)} |`,
      '',
      ...pagesTable(r),
      `Database settings: ${r.synchronous}. ` +
        (r.database === 'sqlite'
          ? r.synchronous.includes('synchronous=FULL')
            ? 'In WAL mode with synchronous=FULL (the default, SQLITE_SYNCHRONOUS) every commit is synced to the WAL on disk before the answer: a received dossier survives a power loss.'
            : 'In WAL mode with synchronous=NORMAL (SQLITE_SYNCHRONOUS=NORMAL) a commit is written to the WAL before the answer but synced only at checkpoints: a committed dossier survives a crash of the process, a power loss or an OS crash may lose the last commits (the database stays consistent).'
          : 'With synchronous_commit=on every commit is flushed to the WAL on disk before the answer.') +
        (r.sessionCache === undefined || (r.database === 'sqlite' && !r.sqliteKeepsSessions)
          ? ''
          : r.sessionCache
            ? ' Sessions kept in the app process after their first read (SESSION_CACHE=1, the default).'
            : ' Sessions read from the database on every request (SESSION_CACHE=0).'),
      '',
    );
  }
  lines.push(
    '## How it is measured',
    '',
    '- Reports: `settlementReport()` called in the bench process on its own connection (as the app opens it): once cold (the',
    `  "first run" figure), ${WARMUP_RUNS} warm-up runs not counted (a server that has made a few reports: the first runs of a fresh`,
    `  process take up to twice as long while V8 compiles the JavaScript), then ${RUNS} runs; the median and the maximum of those.`,
    '  Periods: the last complete month, the same month a year earlier (many dossiers finished since its start), and the last',
    '  complete calendar year.',
    '- HTTP: the app (`node --import tsx src/server.ts`, NODE_ENV=production) and a bare Express hello world run as child',
    '  processes; the load generator (scripts/bench/load.ts: N clients on bare keep-alive sockets, each sending its next request',
    '  when the previous answer is read, p99 over every latency) runs in the bench process. After a 2 s warm-up of each, the two hello worlds,',
    `  the logged-in floor, the late list and the dossier page are measured in turn, ${HTTP_ROUNDS} rounds of a third of the time each, and`,
    '  each figure adds up its rounds: the ratios compare the same minutes of a VM whose speed drifts. On 2 cores the load generator',
    '  and the server share the machine, so the hello-world figure is partly limited by the generator too.',
    '- The logged-in floor: a third process serves the app as src/app.ts builds it, on the same database and settings, with one',
    '  route more (scripts/bench/floor.ts) that answers after every middleware and router of the app and builds nothing. Asked',
    "  with the clerk's session, it costs what every page costs before its own work: no page can be faster.",
    "- The app's server (src/server.ts) makes each request and response with Express's prototypes (src/shared/http-server.ts),",
    '  which the issue\'s baseline, a bare Express hello world on `app.listen`, does not. So the same hello world served that way',
    '  is measured too (a fourth process, `HELLO_SERVER=app`), and every ratio is given against both.',
    '- Intake: 32 clients POST new dossiers through the API with a Bearer token; each answer (201) comes after the commit',
    '  that holds its dossier (intakes that arrive together share one commit: src/db/group-commit.ts).',
    '- Memory: VmRSS (and VmHWM, the peak) of the app server process after all the above.',
    '- Data: scripts/bench/generate.ts writes the rows the service would write (dossiers, events, state intervals,',
    '  daily numbers) by bulk inserts, with deadlines from the same engine (computeDue, moveClock); a unit test replays',
    '  generated histories with replayDue and checks they agree. The SQLite file is cached in `.bench/` (gitignored),',
    '  PostgreSQL\'s data set in the database DATABASE_URL names; each run works on a copy of it (on PostgreSQL the database',
    '  `<name>_run`, made with CREATE DATABASE … TEMPLATE), removed at its end, so no run sees an earlier run\'s intakes,',
    '  letters or sessions.',
    '  The SQLite data set\'s search index (FTS5) has the merges its bulk generation left running finished once, before the',
    '  first copy: otherwise each run\'s intake would do the same large merge (see SCALING.md, intake).',
    '  Planner statistics: SQLite\'s are made as the server makes them (src/db/statistics.ts: `ANALYZE`, without its',
    '  histograms), PostgreSQL\'s by `VACUUM ANALYZE`, as its autovacuum keeps them.',
    '  `--dossiers N` (or BENCH_DOSSIERS) for a smaller run.',
    '',
    'What makes the reports and lists fast, and when to move to PostgreSQL: [SCALING.md](SCALING.md).',
    '',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const now = new Date();
  const kinds: ('sqlite' | 'pg')[] = [];
  if (!RENDER_ONLY && (!ONLY || ONLY === 'sqlite')) kinds.push('sqlite');
  if (!RENDER_ONLY && (!ONLY || ONLY === 'pg') && /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '')) kinds.push('pg');
  fs.mkdirSync(CACHE, { recursive: true });
  for (const kind of kinds) {
    const result = await benchDatabase(kind, now);
    if (!result) continue;
    fs.writeFileSync(path.join(CACHE, `results-${kind}.json`), JSON.stringify(result, null, 2));
  }
  const results = (['sqlite', 'pg'] as const)
    .map((k) => path.join(CACHE, `results-${k}.json`))
    .filter((f) => fs.existsSync(f))
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Result);
  // No result kept here (a fresh clone that only generated): the committed figures stay as they are.
  if (!results.length) return log('no results in .bench/ yet: docs/BENCHMARKS.md left as it is');
  fs.writeFileSync(path.join(ROOT, 'docs', 'BENCHMARKS.md'), renderMarkdown(results));
  log('wrote docs/BENCHMARKS.md');
  // A measurement answered with errors is written down (its targets marked missed) and fails the run.
  const failed = results.flatMap((r) =>
    Object.entries({ hello: r.http.hello, floor: r.http.floor, 'late list': r.http.list, 'dossier page': r.http.detail, intake: r.intake })
      .filter(([, load]) => load && load.errors > 0)
      .map(([name, load]) => `${r.database} ${name}: ${load!.errors} errors (${load!.firstError})`),
  );
  if (failed.length) {
    log(`measurements with errors: ${failed.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// The server's CPU time per request of the hello world and of the logged-in floor (scripts/bench/floor.ts), measured
// in alternating rounds. Throughput on a shared two-core machine moves with whatever else runs; the CPU the server
// process spends per request (the scheduler's run time of its threads, /proc/<pid>/task/*/schedstat) moves less,
// and each variant is compared with the first round by round, so that both saw the same minutes of the machine.
//
//   DATABASE_URL=sqlite:/tmp/floor.sqlite3 npx tsx scripts/bench/floor-cpu.ts [--rounds 4] [--seconds 4] \
//     [--connections 16] [--rate 0] [--path /ho-so | --paths-file f] [--cpu-prof dir] [--pin 1] [label=dir ...]
//
// Each `label=dir` is a copy of the app (a checkout of another commit) whose scripts/bench/floor.ts is served; none
// given, this checkout's. The database needs a user who can log in (`npm run cli -- seed --demo` makes `motcua`,
// password demo1234; --user, --password otherwise). On a machine others share, even this moves by ±20% from a
// round to the next: take many short rounds.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { AnswerReader, login, requestBytes, runLoad } from './load';
import { FLOOR_PATH } from './floor';

const ROOT = path.resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  argv.splice(i, 2);
  return value;
};
const ROUNDS = Number(option('rounds', '4'));
const SECONDS = Number(option('seconds', '4'));
const CONNECTIONS = Number(option('connections', '16'));
// Requests per second in all, spread over the connections (each waits for its slot): the server then takes each
// request alone, as it wakes, so the CPU it spends per request does not depend on how many it finds at once. 0: as
// fast as the server answers (closed loop).
const RATE = Number(option('rate', '0'));
const USER = option('user', 'motcua');
// Another path to ask the floor's server (it is the whole app): a page, to see a change's effect on it. Or a file of
// paths, one a line, asked in turn (the bench's 2,000 dossiers, say: one page asked again and again finds every row
// it reads in SQLite's cache).
const PATH = option('path', '');
const PATHS = option('paths-file', '');
const ROTATION = PATHS ? fs.readFileSync(PATHS, 'utf8').split('\n').filter(Boolean) : [];
const PASSWORD = option('password', 'demo1234');
const PROFILE = option('cpu-prof', '');
// The servers on this CPU (taskset), the load generator on the other: fewer migrations between cores, less noise.
const PIN = option('pin', '');
const variants = (argv.length ? argv : [`floor=${ROOT}`]).map((a) => {
  const [label, dir] = a.split('=');
  return { label, dir: path.resolve(dir) };
});

/** The CPU time the process's threads have run, in µs: the scheduler's nanoseconds (schedstat), finer than utime + stime's 10 ms ticks. */
function cpuMicros(pid: number): number {
  let ns = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1000;
}

function start(dir: string, script: string, port: number, ready: RegExp, nodeArgs: string[] = []): Promise<ChildProcess> {
  const env = { NODE_ENV: 'production', SESSION_SECRET: 'bench-session-secret-0123456789', SEED_DEMO: '0', ...process.env, PORT: String(port) };
  return new Promise((resolve, reject) => {
    const command = [process.execPath, ...nodeArgs, '--import', 'tsx', script];
    if (PIN) command.unshift('taskset', '-c', PIN);
    const child = spawn(command[0], command.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (ready.test(output)) resolve(child);
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`${script} in ${dir} exited with ${code}:\n${output}`)));
  });
}

/** `CONNECTIONS` keep-alive clients, each sending its next request at its next slot of CONNECTIONS / RATE seconds. */
async function paced(t: Target, seconds: number): Promise<{ requests: number; perSecond: number; errors: number; firstError: string | null }> {
  const interval = (CONNECTIONS * 1000) / RATE;
  const bytes = requestBytes(t.port, { path: t.path, headers: t.headers });
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let requests = 0;
  let errors = 0;
  let firstError: string | null = null;
  await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      (_, k) =>
        new Promise<void>((resolve) => {
          const socket = net.connect({ host: '127.0.0.1', port: t.port, noDelay: true });
          const reader = new AnswerReader();
          let slot = started + (k * interval) / CONNECTIONS;
          const send = () => {
            if (performance.now() >= deadline) return void socket.end();
            socket.write(bytes);
          };
          socket.on('connect', () => setTimeout(send, Math.max(0, slot - performance.now())));
          socket.on('data', (chunk: Buffer) => {
            const status = reader.push(chunk);
            if (status === null) return;
            requests += 1;
            if (status !== 200) {
              errors += 1;
              firstError ??= `HTTP ${status}`;
            }
            slot += interval;
            setTimeout(send, Math.max(0, slot - performance.now()));
          });
          socket.on('error', (err) => {
            errors += 1;
            firstError ??= String(err);
          });
          socket.on('close', () => resolve());
        }),
    ),
  );
  return { requests, perSecond: requests / ((performance.now() - started) / 1000), errors, firstError };
}

interface Target {
  label: string;
  port: number;
  child: ChildProcess;
  headers: Record<string, string>;
  path: string;
  cpu: number[];
  rate: number[];
  served: number;
}

const children: ChildProcess[] = [];
try {
  const hello = await start(ROOT, 'scripts/bench/hello.ts', 3980, /hello ready/);
  children.push(hello);
  const targets: Target[] = [{ label: 'hello', port: 3980, child: hello, headers: {}, path: '/', cpu: [], rate: [], served: 0 }];
  for (const [k, v] of variants.entries()) {
    const port = 3981 + k;
    const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
    const child = await start(v.dir, 'scripts/bench/floor.ts', port, /floor ready/, nodeArgs);
    children.push(child);
    const cookie = await login(port, USER, PASSWORD);
    const check = await fetch(`http://127.0.0.1:${port}${FLOOR_PATH}`, { headers: { cookie } });
    const body = await check.text();
    if (body !== 'logged in') throw new Error(`${v.label}: the floor answered ${check.status} '${body}'`);
    targets.push({ label: v.label, port, child, headers: { cookie }, path: PATH || FLOOR_PATH, cpu: [], rate: [], served: 0 });
  }
  const load = async (t: Target, seconds: number) => {
    const run = RATE ? await paced(t, seconds) : await runLoad({ port: t.port, connections: CONNECTIONS, seconds, next: (i) => ({ path: ROTATION.length && t.label !== 'hello' ? ROTATION[i % ROTATION.length] : t.path, headers: t.headers }), expectStatus: 200 });
    t.served += run.requests;
    return run;
  };
  for (const t of targets) await load(t, 2);
  for (let round = 0; round < ROUNDS; round++) {
    // Each round in another order, so that no target always follows the same one.
    const order = round % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const before = cpuMicros(t.child.pid!);
      const run = await load(t, SECONDS);
      const micros = cpuMicros(t.child.pid!) - before;
      if (run.errors) throw new Error(`${t.label}: ${run.errors} errors, first: ${run.firstError}`);
      t.cpu.push(micros / run.requests);
      t.rate.push(run.perSecond);
      console.log(`round ${round + 1} ${t.label.padEnd(8)} ${run.requests} requests ${run.perSecond.toFixed(0)} req/s, ${(micros / run.requests).toFixed(1)} µs CPU/request`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const med = (xs: number[]) => sorted(xs)[xs.length >> 1];
  console.log('\nserver CPU µs per request: mean ± sd (range), median | req/s | req/s of hello in the same rounds');
  for (const t of targets) {
    const ratios = t.rate.map((r, i) => r / targets[0].rate[i]);
    console.log(
      `${t.label.padEnd(8)} ${mean(t.cpu).toFixed(1)} ± ${sd(t.cpu).toFixed(1)} (${spread(t.cpu)}), ${med(t.cpu).toFixed(1)} | ${mean(t.rate).toFixed(0)} req/s | ${(mean(ratios) * 100).toFixed(0)}% (${(Math.min(...ratios) * 100).toFixed(0)}–${(Math.max(...ratios) * 100).toFixed(0)}%) [${t.served} served]`,
    );
  }
  // Each variant against the first, round by round (the same minutes of the machine): the paired ratio of CPU per request.
  if (targets.length > 2) {
    console.log('\nCPU per request against the first variant, paired by round: mean ± standard error, median');
    const a = targets[1];
    for (const t of targets.slice(2)) {
      const r = t.cpu.map((c, i) => c / a.cpu[i]);
      console.log(`${t.label.padEnd(8)} ${((mean(r) - 1) * 100).toFixed(1)}% ± ${((sd(r) / Math.sqrt(r.length)) * 100).toFixed(1)}%, median ${((med(r) - 1) * 100).toFixed(1)}%`);
    }
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
}

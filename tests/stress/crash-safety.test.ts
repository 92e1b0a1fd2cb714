import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pgReachable, prepareServerDb, startServer, type RunningServer, type ServerDb } from '../helpers/server';

// Crash safety: the real server is killed with SIGKILL in the middle of 200 concurrent intakes, then
// restarted on the same database. Every dossier whose intake was answered 201 must be there exactly once,
// complete (its receive event and its state), no code twice, and the database must pass its integrity check.
// Each intake carries an Idempotency-Key: those cut off are sent again after the restart, as a client retries, and
// then every intake is there exactly once, whether its first sending had been committed or not.
// Then two server processes share one database and race 50 actions on one dossier.

const AGENCY = '000.00.02.H13'; // Sở Nội vụ thành phố Cần Thơ, in the shipped catalog
const PROCEDURE = '1.013978'; // a procedure of the shipped catalog with no fixed agency
const CODE = new RegExp(`^${AGENCY.replace(/\./g, '\\.')}-\\d{6}-\\d{4,}$`);

const pgUp = await pgReachable();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-stress-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  i: number;
  status: number | 'failed';
  code?: string;
}

/**
 * Fires the intakes numbered `numbers` at once, each with its own Idempotency-Key; calls `onAnswer` after each answer;
 * failures (killed connections) are kept.
 */
function fireIntakes(server: RunningServer, token: string, numbers: number[], onAnswer: (o: Outcome) => void): Promise<Outcome[]> {
  return Promise.all(
    numbers.map(async (i): Promise<Outcome> => {
      try {
        const res = await fetch(`${server.url}/api/v1/dossiers`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Idempotency-Key': `crash-intake-${i}` },
          body: JSON.stringify({ procedureCode: PROCEDURE, channel: 'in_person', applicant: { name: `Công dân số ${i}`, idNumber: `0791880${String(i).padStart(5, '0')}` } }),
        });
        const body = (await res.json()) as { code?: string };
        const o = { i, status: res.status, code: body.code };
        onAnswer(o);
        return o;
      } catch {
        const o = { i, status: 'failed' as const };
        onAnswer(o);
        return o;
      }
    }),
  );
}

async function checkDatabase(db: ServerDb, answered: string[]) {
  const knex = db.open();
  try {
    const dossiers: { id: number; code: string; applicant_name: string }[] = await knex('dossiers').select('id', 'code', 'applicant_name');
    const codes = dossiers.map((d) => d.code);
    // Every intake sent, once: its first sending's or its retry's, never both.
    expect(dossiers.map((d) => d.applicant_name).sort()).toEqual(Array.from({ length: 220 }, (_, i) => `Công dân số ${i}`).sort());
    // No code twice, every code well formed.
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(CODE);
    // Every 201 answer's dossier is there, exactly once.
    for (const c of answered) expect([c, codes.filter((x) => x === c).length]).toEqual([c, 1]);
    // Every dossier that exists is complete: one receive event, one open state interval, nothing half-written.
    const receives = await knex('dossier_events').where({ type: 'receive' }).select('dossier_id');
    const perDossier = new Map<number, number>();
    for (const r of receives) perDossier.set(r.dossier_id, (perDossier.get(r.dossier_id) ?? 0) + 1);
    for (const d of dossiers) expect([d.code, perDossier.get(d.id)]).toEqual([d.code, 1]);
    expect(receives.length).toBe(dossiers.length);
    const open = await knex('dossier_states').whereNull('valid_to').select('dossier_id');
    expect(open.length).toBe(dossiers.length);
    // The daily counter is ahead of every code issued: no number is ever given twice after the restart.
    const sequences = await knex('dossier_sequences').where({ agency_code: AGENCY }).select('day', 'last');
    for (const c of codes) {
      const [, day, seq] = c.slice(AGENCY.length).split('-');
      const counter = sequences.find((s) => s.day === day);
      expect(Number(counter?.last)).toBeGreaterThanOrEqual(Number(seq));
    }
    return dossiers.length;
  } finally {
    await knex.destroy();
  }
}

const KINDS = (['sqlite', 'pg'] as const).filter((k) => k === 'sqlite' || pgUp);

describe.each(KINDS)('crash safety on %s', (kind) => {
  it('when the server is SIGKILLed in the middle of 200 concurrent intakes, then after a restart every answered dossier is there exactly once, every intake retried with its key too, and the database is sound', async () => {
    const { db, tokens } = await prepareServerDb(kind, dir, [{ username: 'crash.clerk', role: 'clerk', agencyCode: AGENCY }]);
    try {
      const server = await startServer(db.url);
      let ok = 0;
      let killedAt = -1;
      let committedUnanswered = 0;
      const outcomes = await fireIntakes(server, tokens['crash.clerk'], Array.from({ length: 200 }, (_, i) => i), (o) => {
        if (o.status === 201) ok += 1;
        // Mid-way: once 60 intakes were answered, the process dies without any warning.
        if (ok === 60 && killedAt < 0) {
          killedAt = Date.now();
          server.child.kill('SIGKILL');
        }
      });
      expect(await server.exited).toBe('SIGKILL');
      const answered = outcomes.filter((o) => o.status === 201).map((o) => o.code!);
      const failed = outcomes.filter((o) => o.status === 'failed').length;
      // The kill really happened in the middle: some were answered, many never were.
      expect(answered.length).toBeGreaterThanOrEqual(60);
      expect(failed).toBeGreaterThan(0);
      expect(outcomes.every((o) => o.status === 201 || o.status === 'failed')).toBe(true);
      if (kind === 'sqlite') expect(fs.existsSync(`${db.url.slice('sqlite:'.length)}-wal`)).toBe(true); // left behind by the crash

      // Restart on the same database: it recovers and goes on numbering after the last code.
      const again = await startServer(db.url);
      try {
        for (const code of answered.slice(0, 20)) {
          const res = await fetch(`${again.url}/api/v1/dossiers/${encodeURIComponent(code)}`, { headers: { Authorization: `Bearer ${tokens['crash.clerk']}` } });
          expect([code, res.status]).toEqual([code, 200]);
        }
        // The client sends again what was cut off, with the same keys: those the crash had committed answer 200 with
        // the dossier made, the others are received now.
        const retried = await fireIntakes(again, tokens['crash.clerk'], outcomes.filter((o) => o.status === 'failed').map((o) => o.i), () => {});
        expect(retried.every((o) => o.status === 201 || o.status === 200)).toBe(true);
        committedUnanswered = retried.filter((o) => o.status === 200).length;
        answered.push(...retried.map((o) => o.code!));
        const more = await fireIntakes(again, tokens['crash.clerk'], Array.from({ length: 20 }, (_, i) => 200 + i), () => {});
        expect(more.map((o) => o.status)).toEqual(Array(20).fill(201));
        answered.push(...more.map((o) => o.code!));
      } finally {
        again.child.kill('SIGTERM');
        expect(await again.exited).toBe(0);
      }

      // 200 intakes and 20 more, each once: answered at once, or on its retry.
      expect(await checkDatabase(db, answered)).toBe(220);
      expect(answered.length).toBe(220);
      if (kind === 'sqlite') {
        const file = db.url.slice('sqlite:'.length);
        const raw = new Database(file, { readonly: true });
        try {
          expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(raw.pragma('foreign_key_check')).toEqual([]);
        } finally {
          raw.close();
        }
      }
      console.log(`crash (${kind}): ${200 - failed} answered 201 before the kill, ${failed} cut off, of which ${committedUnanswered} had been committed (their retry answered 200)`);
    } finally {
      await db.drop();
    }
  });

  it('when two server processes share the database and 50 actions race on one dossier version, then exactly one wins', async () => {
    const { db, tokens } = await prepareServerDb(kind, dir, [
      { username: 'race.a', role: 'clerk', agencyCode: AGENCY },
      { username: 'race.b', role: 'clerk', agencyCode: AGENCY },
    ]);
    const servers = [await startServer(db.url), await startServer(db.url)];
    try {
      const created = await fetch(`${servers[0].url}/api/v1/dossiers`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens['race.a']}` },
        body: JSON.stringify({ procedureCode: PROCEDURE, channel: 'online', applicant: { name: 'Hai Tiến Trình' } }),
      });
      const { code } = (await created.json()) as { code: string };
      const responses = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const server = servers[i % 2];
          const res = await fetch(`${server.url}/api/v1/dossiers/${encodeURIComponent(code)}/actions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens[i % 2 ? 'race.a' : 'race.b']}` },
            body: JSON.stringify(i % 3 ? { action: 'pause', reason: `Chờ ${i}`, version: 1 } : { action: 'withdraw', reason: `Rút ${i}`, version: 1 }),
          });
          if (res.status !== 200 && res.status !== 409) console.log(res.status, await res.text());
          return res.status;
        }),
      );
      if (responses.some((s) => s >= 500)) console.log(servers.map((s) => s.output()).join('\n----\n'));
      expect(responses.filter((s) => s === 200)).toHaveLength(1);
      expect(responses.filter((s) => s === 409)).toHaveLength(49);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0]);
    }
    const knex = db.open();
    try {
      const row = await knex('dossiers').first();
      expect(row.version).toBe(2);
      expect(await knex('dossier_events').where({ dossier_id: row.id }).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(2);
    } finally {
      await knex.destroy();
      await db.drop();
    }
  });
});

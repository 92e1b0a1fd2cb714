import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEntries } from '../../src/calendar/repository';
import { WorkCalendar } from '../../src/calendar/working-time';
import { verifyPassword } from '../../src/auth/passwords';
import { seedAll, seedIfEmpty } from '../../seeds/index';
import { createTestDb, type TestDb } from '../helpers/db';

const NOW = new Date('2026-11-20T03:00:00Z'); // Friday 10:00 in Hà Nội time
const NOW_ISO = NOW.toISOString();

let testDb: TestDb;
let db: Knex;
let firstRun: Awaited<ReturnType<typeof seedIfEmpty>>;
let seedStatements = 0;

async function count(table: string, where?: (q: Knex.QueryBuilder) => void): Promise<number> {
  const q = db(table);
  if (where) where(q);
  const row = await q.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Dossiers per value of a column. */
async function countBy(column: string): Promise<Record<string, number>> {
  const rows: Record<string, unknown>[] = await db('dossiers').select(column).count({ n: '*' }).groupBy(column);
  return Object.fromEntries(rows.map((r) => [String(r[column]), Number(r.n)]));
}

async function tableCounts() {
  const tables = ['agencies', 'fields', 'procedures', 'calendar_days', 'users', 'dossiers', 'dossier_events', 'dossier_sequences'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const)));
}

beforeAll(async () => {
  testDb = await createTestDb(); // migrated; SQLite in memory, or a fresh PostgreSQL database in the pg project
  db = testDb.db;
  const counter = () => (seedStatements += 1);
  db.on('query', counter);
  try {
    firstRun = await seedIfEmpty(db, { demo: true, now: NOW });
  } finally {
    db.removeListener('query', counter);
  }
}, 120_000);

afterAll(async () => {
  await testDb?.destroy();
});

describe('seedIfEmpty on an empty database', () => {
  it('when the database is empty, then it seeds and names the demo users with their password', async () => {
    expect(firstRun.seeded).toBe(true);
    expect(firstRun.demoUsers.map((u) => [u.username, u.role])).toEqual([
      ['admin', 'admin'],
      ['motcua', 'clerk'],
      ['lanhdao', 'head'],
      ['phuong.motcua', 'clerk'],
      ['phuong.lanhdao', 'head'],
    ]);
    for (const u of firstRun.demoUsers) {
      expect(u.password).toBe('demo1234');
      expect(u.note).toMatch(/[ộờạềà]/); // Vietnamese, with diacritics
    }
    const users = await db('users').orderBy('id');
    expect(users.find((u) => u.username === 'admin').agency_code).toBeNull();
    const centre = await db('agencies').where({ code: users.find((u) => u.username === 'motcua').agency_code }).first();
    expect(centre.name).toMatch(/Trung tâm Phục vụ hành chính công/);
    const ward = await db('agencies').where({ code: users.find((u) => u.username === 'phuong.motcua').agency_code }).first();
    expect(ward.name).toMatch(/Phường/);
    expect(await verifyPassword('demo1234', users[0].password_hash)).toBe(true);
  });

  it('when seeded, then the catalog has at least 12 fields, 60 procedures and the city agencies', async () => {
    expect(await count('fields')).toBeGreaterThanOrEqual(12);
    expect(await count('procedures')).toBeGreaterThanOrEqual(60);
    expect(await count('agencies')).toBeGreaterThanOrEqual(100);
    expect(await count('calendar_days')).toBeGreaterThanOrEqual(30);
    const tet = await db('calendar_days').where({ date: '2026-02-17' }).first();
    expect(tet).toMatchObject({ kind: 'holiday', updated_by: 'seed', updated_at: NOW_ISO });
  });

  it('when demo data is seeded, then there are 2,000 ± 10% dossiers, each opened by a receive event', async () => {
    const total = await count('dossiers');
    expect(total).toBeGreaterThanOrEqual(1800);
    expect(total).toBeLessThanOrEqual(2200);

    const firstEvents = await db('dossier_events as e')
      .join('dossiers as d', 'd.id', 'e.dossier_id')
      .whereIn('e.id', db('dossier_events').min('id').groupBy('dossier_id'))
      .select('e.type', 'e.at', 'd.received_at');
    expect(firstEvents).toHaveLength(total);
    for (const e of firstEvents) {
      expect(e.type).toBe('receive');
      expect(e.at).toBe(e.received_at);
    }
  });

  it('when demo data is seeded, then the statuses and channels fall in plausible shares', async () => {
    const total = await count('dossiers');
    const byStatus = await countBy('status');
    const share = (n: number | undefined) => (n ?? 0) / total;
    expect(share(byStatus.returned + byStatus.resolved)).toBeGreaterThan(0.75);
    expect(share(byStatus.returned + byStatus.resolved)).toBeLessThan(0.92);
    expect(byStatus.returned).toBeGreaterThan(byStatus.resolved * 5); // most results were collected
    expect(share(byStatus.withdrawn)).toBeGreaterThan(0.01);
    expect(share(byStatus.withdrawn)).toBeLessThan(0.04);
    expect(share(byStatus.processing)).toBeGreaterThan(0.04);
    expect(share(byStatus.processing)).toBeLessThan(0.16);
    expect(share(byStatus.awaiting_supplement)).toBeGreaterThan(0.015);
    expect(share(byStatus.awaiting_supplement)).toBeLessThan(0.05);
    expect(share(byStatus.paused)).toBeGreaterThan(0.003);
    expect(share(byStatus.paused)).toBeLessThan(0.025);

    const resolvedLate = await count('dossiers', (q) => q.whereIn('status', ['resolved', 'returned']).whereRaw('finished_at > due_at'));
    expect(share(resolvedLate)).toBeGreaterThan(0.02);
    expect(share(resolvedLate)).toBeLessThan(0.07);
    const lateLand = await count('dossiers', (q) => q.where('field_code', 'DAT_DAI').whereNotNull('finished_at').whereRaw('finished_at > due_at'));
    const land = await count('dossiers', (q) => q.where('field_code', 'DAT_DAI').whereNotNull('finished_at'));
    expect(lateLand / land).toBeGreaterThan(resolvedLate / total); // land files are late more often

    const refused = await count('dossiers', (q) => q.where('outcome', 'refused'));
    expect(refused / (byStatus.returned + byStatus.resolved)).toBeGreaterThan(0.01);
    expect(refused / (byStatus.returned + byStatus.resolved)).toBeLessThan(0.06);
    expect(await count('dossiers', (q) => q.where('outcome', 'refused').whereNull('outcome_reason'))).toBe(0);

    const cal = new WorkCalendar({ entries: await loadEntries(db) });
    const dueSoonUntil = cal.addWorkingMinutes(NOW, cal.minutesPerDay).toISOString();
    const overdue = await count('dossiers', (q) => q.where('status', 'processing').where('due_at', '<', NOW_ISO));
    const dueSoon = await count('dossiers', (q) => q.where('status', 'processing').whereBetween('due_at', [NOW_ISO, dueSoonUntil]));
    expect(overdue).toBeGreaterThanOrEqual(10);
    expect(dueSoon).toBeGreaterThanOrEqual(10);

    const byChannel = await countBy('channel');
    expect(share(byChannel.online)).toBeGreaterThan(0.4);
    expect(share(byChannel.online)).toBeLessThan(0.5);
    expect(share(byChannel.in_person)).toBeGreaterThan(0.45);
    expect(share(byChannel.in_person)).toBeLessThan(0.55);
    expect(share(byChannel.postal)).toBeGreaterThan(0.025);
    expect(share(byChannel.postal)).toBeLessThan(0.075);
  });

  it('when demo data is seeded, then no instant lies after now and results come after receipt, in working time', async () => {
    expect(await count('dossiers', (q) => q.where('finished_at', '>', NOW_ISO))).toBe(0);
    expect(await count('dossiers', (q) => q.where('returned_at', '>', NOW_ISO))).toBe(0);
    expect(await count('dossiers', (q) => q.where('received_at', '>', NOW_ISO))).toBe(0);
    expect(await count('dossier_events', (q) => q.where('at', '>', NOW_ISO))).toBe(0);
    expect(await count('dossiers', (q) => q.whereRaw('finished_at < received_at'))).toBe(0);
    expect(await count('dossiers', (q) => q.whereRaw('returned_at < finished_at'))).toBe(0);

    const cal = new WorkCalendar({ entries: await loadEntries(db) });
    const finished = await db('dossiers').whereNotNull('finished_at').select('finished_at', 'returned_at');
    for (const row of finished) {
      for (const at of [row.finished_at, row.returned_at].filter(Boolean)) {
        const instant = new Date(at);
        // the minute just before it was working time: it lies inside (or at the close of) a working period
        expect(cal.workingMinutesBetween(new Date(instant.getTime() - 60_000), instant), at).toBe(1);
      }
    }
  });

  it('when demo data is seeded, then each dossier state agrees with its history', async () => {
    const dossiers = await db('dossiers').select('id', 'status', 'version', 'finished_at', 'remaining_minutes', 'outcome', 'on_supplement', 'due_at');
    const events = await db('dossier_events').select('dossier_id', 'type', 'at', 'recorded_at', 'actor_name', 'data').orderBy('id');
    const history = new Map<number, typeof events>();
    for (const e of events) history.set(e.dossier_id, [...(history.get(e.dossier_id) ?? []), e]);
    const lastType: Record<string, string[]> = {
      processing: ['receive', 'receive_supplement', 'resume'],
      awaiting_supplement: ['request_supplement'],
      paused: ['pause'],
      resolved: ['resolve'],
      returned: ['return'],
      withdrawn: ['withdraw'],
    };
    for (const d of dossiers) {
      const h = history.get(d.id)!;
      expect(d.version).toBe(h.length);
      expect(lastType[d.status]).toContain(h[h.length - 1].type);
      for (let i = 1; i < h.length; i++) expect(h[i].at >= h[i - 1].at).toBe(true);
      for (const e of h) {
        expect(e.recorded_at).toBe(e.at);
        expect(e.actor_name.length).toBeGreaterThan(3);
        expect(() => JSON.parse(e.data)).not.toThrow();
      }
      const open = ['processing', 'awaiting_supplement', 'paused'].includes(d.status);
      expect(d.finished_at === null).toBe(open);
      expect(d.remaining_minutes !== null).toBe(d.status === 'awaiting_supplement' || d.status === 'paused');
      if (d.status === 'resolved' || d.status === 'returned') expect(['approved', 'refused']).toContain(d.outcome);
    }
    const request = events.find((e) => e.type === 'request_supplement');
    expect(JSON.parse(request!.data)).toMatchObject({ reason: expect.any(String), items: expect.any(Array) });
  });

  it('when a supplement comes back to a restart procedure, then the due date is counted again from it', async () => {
    const rows = await db('dossiers as d')
      .join('dossier_events as e', 'e.dossier_id', 'd.id')
      .where('e.type', 'receive_supplement')
      .select('d.on_supplement', 'd.duration_minutes', 'd.due_at', 'd.clock_start_at', 'd.id', 'e.at');
    expect(rows.length).toBeGreaterThan(10);
    const cal = new WorkCalendar({ entries: await loadEntries(db) });
    for (const r of rows.filter((x) => x.on_supplement === 'restart')) {
      const pauses = await count('dossier_events', (q) => q.where({ dossier_id: r.id, type: 'pause' }));
      if (pauses > 0) continue; // a later pause moved the due date again
      expect(r.due_at).toBe(cal.addWorkingMinutes(new Date(r.at), r.duration_minutes).toISOString());
      expect(r.clock_start_at).toBe(cal.normalizeStart(new Date(r.at)).toISOString());
    }
  });

  it('when codes are given, then they are unique, well formed and below the stored daily counters', async () => {
    const codes = await db('dossiers').select('code', 'received_agency_code');
    expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
    const maxByDay = new Map<string, number>();
    for (const { code, received_agency_code } of codes) {
      expect(code).toMatch(/^.+-\d{6}-\d{4}$/);
      expect(code.startsWith(`${received_agency_code}-`)).toBe(true);
      const [, day, seq] = /-(\d{6})-(\d{4,})$/.exec(code)!;
      const key = `${received_agency_code}|${day}`;
      maxByDay.set(key, Math.max(maxByDay.get(key) ?? 0, Number(seq)));
    }
    const sequences = new Map(
      (await db('dossier_sequences').select('agency_code', 'day', 'last')).map((r) => [`${r.agency_code}|${r.day}`, Number(r.last)]),
    );
    for (const [key, max] of maxByDay) expect(sequences.get(key), key).toBeGreaterThanOrEqual(max);
  });

  it('when applicants are made up, then they look Vietnamese: CCCD of 12 digits, phones 09…, Cần Thơ addresses', async () => {
    const people = await db('dossiers').where('applicant_name', 'not like', 'Công ty%').where('applicant_name', 'not like', 'Hợp tác xã%').select('applicant_name', 'applicant_id_number', 'applicant_phone', 'applicant_address');
    expect(people.length).toBeGreaterThan(1500);
    for (const p of people) {
      expect(p.applicant_name.split(' ').length).toBeGreaterThanOrEqual(3);
      expect(p.applicant_id_number).toMatch(/^\d{12}$/);
      expect(p.applicant_phone).toMatch(/^09\d{8}$/);
      expect(p.applicant_address).toMatch(/thành phố Cần Thơ$/);
    }
    expect(await count('dossiers', (q) => q.where('applicant_name', 'like', 'Công ty TNHH%'))).toBeGreaterThan(10);
  });
});

describe('seeding again', () => {
  it('when seedIfEmpty runs again, then nothing is added and no demo user is reported', async () => {
    const before = await tableCounts();
    const again = await seedIfEmpty(db, { demo: true, now: new Date('2026-11-21T03:00:00Z') });
    expect(again).toEqual({ seeded: false, demoUsers: [] });
    expect(await tableCounts()).toEqual(before);
  });

  it('when seedAll runs again, then counts stay and a day an admin changed is kept', async () => {
    await db('calendar_days').where({ date: '2026-09-01' }).update({ name: 'Đã sửa bởi quản trị', updated_by: 'admin' });
    const before = await tableCounts();
    const again = await seedAll(db, { demo: true, now: new Date('2026-11-21T03:00:00Z') });
    expect(again.demoUsers).toEqual([]);
    expect(await tableCounts()).toEqual(before);
    expect(await db('calendar_days').where({ date: '2026-09-01' }).first()).toMatchObject({ name: 'Đã sửa bởi quản trị', updated_by: 'admin' });
  });

  it('when counted, then the first seed writes its rows in batches: far fewer statements than rows', async () => {
    const rows = Object.values(await tableCounts()).reduce((a, b) => a + b, 0);
    console.info(`seedIfEmpty on ${testDb.kind}: ${seedStatements} statements for ${rows} rows`);
    expect(seedStatements).toBeLessThan(rows / 5);
  });
});

import ExcelJS from 'exceljs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, keptAndRecomputedMonthEnds, testDbKind, watchSqliteStatements, type TestDb } from '../helpers/db';
import { addUser, AGENCIES, binary, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { REPORT_COLUMNS, type ReportColumn } from '../../src/reports/definitions';
import { isSqlite } from '../../src/db/dialect';
import { FORM_COLUMN_ORDER } from '../../src/reports/export';
import { monthStartRows } from '../../src/reports/month-ends';
import type { Counts } from '../../src/reports/settlement';

/** A wall-clock reading in Vietnam (UTC+7) as an instant. */
const vn = (local: string) => new Date(`${local}:00+07:00`);
const bearer = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
const DAY = 86_400_000;

/** The eleven numbers of a row in the order of Biểu II.06a columns (3)…(13). */
const cols = (c: Counts) => FORM_COLUMN_ORDER.map((k) => {
  const [g, key] = k.split('.') as [keyof Counts, string];
  return (c[g] as Record<string, number>)[key];
});

interface ReportJson {
  from: string;
  to: string;
  asOf: string;
  running: boolean;
  agencyCode: string | null;
  rows: (Counts & { fieldCode: string; fieldName: string })[];
  byAgency: (Counts & { agencyCode: string; agencyName: string })[];
  total: Counts;
}

let t: TestDb;
let app: ReturnType<typeof makeApp>['app'];
let clock: ReturnType<typeof makeApp>['clock'];
let errors: unknown[];
let landClerk: TestUser;
let wardClerk: TestUser;
let wardHead: TestUser;
let landHead: TestUser;
let admin: TestUser;

// On SQLite the story lives in a file, so the CLI can report on it from another process.
const SCENARIO_FILE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-report-')), 'scenario.sqlite3');

beforeAll(async () => {
  t = await createTestDb(testDbKind() === 'sqlite' ? { sqliteFile: SCENARIO_FILE } : {});
  await seedSmallCatalog(t.db);
  landClerk = await addUser(t.db, 'canbo_dat', 'clerk', AGENCIES.land.code);
  wardClerk = await addUser(t.db, 'canbo_phuong', 'clerk', AGENCIES.ward.code);
  wardHead = await addUser(t.db, 'lanhdao_phuong', 'head', AGENCIES.ward.code);
  landHead = await addUser(t.db, 'lanhdao_dat', 'head', AGENCIES.land.code);
  admin = await addUser(t.db, 'quantri', 'admin', null);
  ({ app, clock, errors } = makeApp(t.db, vn('2025-12-01T08:00').toISOString()));
});

afterAll(async () => {
  expect(errors).toEqual([]);
  await t?.destroy();
  fs.rmSync(path.dirname(SCENARIO_FILE), { recursive: true, force: true });
});

async function receive(user: TestUser, procedureCode: string, local: string, channel = 'in_person') {
  clock.set(vn(local));
  const res = await request(app)
    .post('/api/v1/dossiers')
    .set(bearer(user))
    .send({ procedureCode, channel, applicant: { name: 'Lê Thị Hồng', phone: '0912345678' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.code as string;
}

async function dossier(code: string) {
  return t.db('dossiers').where({ code }).first();
}

/** Takes an action with the clock at `when` (a local reading or an instant). */
async function act(user: TestUser, code: string, when: string | Date, body: Record<string, unknown>) {
  clock.set(typeof when === 'string' ? vn(when) : when);
  const { version } = await dossier(code);
  const res = await request(app).post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`).set(bearer(user)).send({ version, ...body });
  expect(res.status, `${String(body.action)} ${code}: ${JSON.stringify(res.body)}`).toBe(200);
}

const resolve = (user: TestUser, code: string, when: string | Date) => act(user, code, when, { action: 'resolve', outcome: 'approved' });
const dueOf = async (code: string) => new Date((await dossier(code)).due_at);

async function report(user: TestUser, query: Record<string, string>): Promise<ReportJson> {
  const res = await request(app).get('/api/v1/reports/settlement').query(query).set(bearer(user));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const JAN = { from: '2026-01-01', to: '2026-01-31' };
const FEB = { from: '2026-02-01', to: '2026-02-28' };
const codes: Record<string, string> = {};

//                                  total online inPerson carried | total early onTime late | total within overdue
const JAN_DAT_DAI = /*          */ [9, 2, 6, 1, /*            */ 6, 1, 4, 1, /*            */ 3, 1, 2];
const JAN_BOI_THUONG = /*       */ [2, 0, 1, 1, /*            */ 0, 0, 0, 0, /*            */ 2, 1, 1];
const JAN_CHUNG_THUC = /*       */ [3, 2, 1, 0, /*            */ 0, 0, 0, 0, /*            */ 3, 3, 0];
const JAN_TOTAL = /*            */ [14, 4, 8, 2, /*           */ 6, 1, 4, 1, /*            */ 8, 5, 3];
const JAN_LAND = /*             */ [9, 2, 5, 2, /*            */ 5, 1, 3, 1, /*            */ 4, 2, 2];
const JAN_WARD = /*             */ [5, 2, 3, 0, /*            */ 1, 0, 1, 0, /*            */ 4, 3, 1];

const FEB_DAT_DAI = /*          */ [3, 0, 0, 3, /*            */ 1, 0, 0, 1, /*            */ 2, 0, 2];
const FEB_BOI_THUONG = /*       */ [2, 0, 0, 2, /*            */ 0, 0, 0, 0, /*            */ 2, 0, 2];
const FEB_CHUNG_THUC = /*       */ [4, 1, 0, 3, /*            */ 2, 0, 2, 0, /*            */ 2, 1, 1];
const FEB_TOTAL = /*            */ [9, 1, 0, 8, /*            */ 3, 0, 2, 1, /*            */ 6, 1, 5];

describe('a hand-written history with known answers (January and February 2026)', () => {
  let janAtEnd: ReportJson;

  beforeAll(async () => {
    // --- Land registration (3 working days), received and handled by the land department.
    // A: received in December, resolved on a Saturday two days before its deadline: carried over, early.
    codes.A = await receive(landClerk, '1.012756', '2025-12-29T08:00');
    expect((await dueOf(codes.A)).toISOString()).toBe(vn('2026-01-05T08:00').toISOString()); // 1–4/1 are off
    await resolve(landClerk, codes.A, '2026-01-03T10:00');
    // B: received and resolved in December: not in January's report at all.
    codes.B = await receive(landClerk, '1.012756', '2025-12-15T09:00');
    await resolve(landClerk, codes.B, '2025-12-16T09:00');
    // C: online, resolved an hour before the deadline on its last day: on time.
    codes.C = await receive(landClerk, '1.012756', '2026-01-06T09:00', 'online');
    await resolve(landClerk, codes.C, new Date((await dueOf(codes.C)).getTime() - 3_600_000));
    // D: late, then an apology set a new appointment: still late (judged against dueAt, SPEC §5).
    codes.D = await receive(landClerk, '1.012756', '2026-01-07T09:00');
    const dueD = await dueOf(codes.D);
    await t.db('dossiers').where({ code: codes.D }).update({ appointment_at: new Date(dueD.getTime() + 3 * DAY).toISOString() });
    await resolve(landClerk, codes.D, new Date(dueD.getTime() + DAY));
    // E: by post, withdrawn the next day: on time (withdrawn dossiers are never early).
    codes.E = await receive(landClerk, '1.012756', '2026-01-08T09:00', 'postal');
    await act(landClerk, codes.E, '2026-01-09T10:00', { action: 'withdraw', reason: 'Công dân có đơn xin rút hồ sơ' });
    // P: withdrawn the day after its deadline: still on time (a withdrawal is never late).
    codes.P = await receive(landClerk, '1.012756', '2026-01-19T09:00');
    expect((await dueOf(codes.P)).toISOString()).toBe(vn('2026-01-22T09:00').toISOString());
    await act(landClerk, codes.P, '2026-01-23T10:00', { action: 'withdraw', reason: 'Công dân có đơn xin rút hồ sơ' });
    // F: still open at the end, deadline 15/01 passed: overdue.
    codes.F = await receive(landClerk, '1.012756', '2026-01-12T09:00');
    // G: online on 28/01, deadline Monday 02/02: pending within the deadline; resolved late in February.
    codes.G = await receive(landClerk, '1.012756', '2026-01-28T09:00', 'online');
    // H: transferred to the ward, which resolves it on time: counted once, for the ward.
    codes.H = await receive(landClerk, '1.012756', '2026-01-13T09:00');
    await act(landClerk, codes.H, '2026-01-14T09:00', { action: 'transfer', toAgencyCode: AGENCIES.ward.code });
    await resolve(wardClerk, codes.H, new Date((await dueOf(codes.H)).getTime() - 30 * 60_000));
    // I: transferred to the ward on 27/01 and back in February: at the end of January it is the ward's, overdue.
    codes.I = await receive(landClerk, '1.012756', '2026-01-26T09:00');
    await act(landClerk, codes.I, '2026-01-27T09:00', { action: 'transfer', toAgencyCode: AGENCIES.ward.code });

    // --- Compensation (10 working days, the clock pauses), land department.
    // J: deadline 16/01 (Saturday 10/01 is a make-up working day) passes, paused 20/01 until February: within deadline at the end.
    codes.J = await receive(landClerk, '1.012994', '2026-01-05T08:00');
    expect((await dueOf(codes.J)).toISOString()).toBe(vn('2026-01-16T08:00').toISOString());
    await act(landClerk, codes.J, '2026-01-20T10:00', { action: 'pause', reason: 'Chờ kết quả thẩm định giá đất cụ thể' });
    // K: received in December, deadline 07/01, never finished: carried over, overdue.
    codes.K = await receive(landClerk, '1.012994', '2025-12-22T08:00');
    expect((await dueOf(codes.K)).toISOString()).toBe(vn('2026-01-07T08:00').toISOString());

    // --- Certification (4 working hours), received and handled by the ward.
    // L: Friday 16:00, deadline Monday 02/02 10:30: pending at the end of January; resolved on time on 02/02.
    codes.L = await receive(wardClerk, '2.000908', '2026-01-30T16:00');
    expect((await dueOf(codes.L)).toISOString()).toBe(vn('2026-02-02T10:30').toISOString());
    // M: online; a supplement requested the same morning never came back: clock stopped, within deadline.
    codes.M = await receive(wardClerk, '2.000908', '2026-01-20T08:00', 'online');
    await act(wardClerk, codes.M, '2026-01-20T09:00', { action: 'request_supplement', reason: 'Thiếu giấy tờ', items: ['Bản chính giấy khai sinh'] });
    // N: online on Saturday 31/01: the clock starts Monday; within deadline at the end.
    codes.N = await receive(wardClerk, '2.000908', '2026-01-31T10:00', 'online');

    clock.set(vn('2026-02-01T00:00'));
    janAtEnd = await report(admin, JAN);

    // --- February
    // O: received at the very instant January ends: February's.
    codes.O = await receive(wardClerk, '2.000908', '2026-02-01T00:00', 'online');
    await resolve(wardClerk, codes.L, '2026-02-02T09:00');
    await resolve(wardClerk, codes.N, '2026-02-02T08:00');
    await resolve(landClerk, codes.G, '2026-02-03T10:00');
    await act(wardClerk, codes.I, '2026-02-03T09:00', { action: 'transfer', toAgencyCode: AGENCIES.land.code });
    await act(landClerk, codes.J, '2026-02-03T08:00', { action: 'resume' });
    clock.set(vn('2026-03-10T09:00'));
  });

  it('when January is reported, then every column of every field, agency and the total has the hand-counted value', async () => {
    const r = await report(admin, JAN);
    expect(r).toMatchObject({ from: '2026-01-01', to: '2026-01-31', agencyCode: null, running: false, asOf: '2026-02-01T00:00:00+07:00' });
    const byField = Object.fromEntries(r.rows.map((row) => [row.fieldCode, cols(row)]));
    expect(byField).toEqual({ DAT_DAI: JAN_DAT_DAI, BOI_THUONG_TDC: JAN_BOI_THUONG, CHUNG_THUC: JAN_CHUNG_THUC });
    expect(r.rows.map((row) => row.fieldName)).toEqual(['Bồi thường, hỗ trợ, tái định cư', 'Chứng thực', 'Đất đai']);
    expect(cols(r.total)).toEqual(JAN_TOTAL);
    const byAgency = Object.fromEntries(r.byAgency.map((row) => [row.agencyCode, cols(row)]));
    expect(byAgency).toEqual({ [AGENCIES.land.code]: JAN_LAND, [AGENCIES.ward.code]: JAN_WARD });
    expect(r.total.received).toEqual({ online: 4, inPersonOrPostal: 8, carriedOver: 2, total: 14 });
  });

  it('when February is reported after more events, then it has its own hand-counted values', async () => {
    const r = await report(admin, FEB);
    const byField = Object.fromEntries(r.rows.map((row) => [row.fieldCode, cols(row)]));
    expect(byField).toEqual({ DAT_DAI: FEB_DAT_DAI, BOI_THUONG_TDC: FEB_BOI_THUONG, CHUNG_THUC: FEB_CHUNG_THUC });
    expect(cols(r.total)).toEqual(FEB_TOTAL);
    // I came back to the land department on 03/02: it counts there for February, at the ward for January.
    expect(Object.fromEntries(r.byAgency.map((row) => [row.agencyCode, row.received.total]))).toEqual({ [AGENCIES.land.code]: 5, [AGENCIES.ward.code]: 4 });
  });

  it('when the clock has moved on and February happened, then January reads exactly as it did at its end', async () => {
    const later = await report(admin, JAN);
    expect({ ...later, asOf: undefined }).toEqual({ ...janAtEnd, asOf: undefined });
    clock.set(vn('2027-06-01T09:00'));
    expect((await report(admin, JAN)).total).toEqual(janAtEnd.total);
    clock.set(vn('2026-03-10T09:00'));
  });

  it('when any report is read, then on every row received = resolved + pending and each total is the sum of its parts', async () => {
    for (const period of [JAN, FEB, { from: '2025-12-01', to: '2026-03-10' }, { from: '2026-01-15', to: '2026-02-14' }]) {
      const r = await report(admin, period);
      for (const row of [...r.rows, ...r.byAgency, r.total]) {
        expect(row.received.total).toBe(row.resolved.total + row.pending.total);
        expect(row.received.total).toBe(row.received.online + row.received.inPersonOrPostal + row.received.carriedOver);
        expect(row.resolved.total).toBe(row.resolved.early + row.resolved.onTime + row.resolved.late);
        expect(row.pending.total).toBe(row.pending.withinDeadline + row.pending.overdue);
      }
      for (const column of REPORT_COLUMNS) {
        const [g, k] = column.split('.') as [keyof Counts, string];
        const sum = (rows: Counts[]) => rows.reduce((s, row) => s + (row[g] as Record<string, number>)[k], 0);
        expect(sum(r.rows)).toBe((r.total[g] as Record<string, number>)[k]);
        expect(sum(r.byAgency)).toBe((r.total[g] as Record<string, number>)[k]);
      }
    }
  });

  /** GET /api/v1/dossiers with the report filters of one cell. */
  async function drill(user: TestUser, period: { from: string; to: string }, column: ReportColumn, where: Record<string, string> = {}) {
    const res = await request(app)
      .get('/api/v1/dossiers')
      .query({ report: column, ...period, ...where, pageSize: 500 })
      .set(bearer(user));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { total: number; items: { code: string }[] };
  }

  it('when a number is followed to the dossier list, then the list holds exactly that many dossiers — every cell, field, agency and total', async () => {
    for (const period of [JAN, FEB]) {
      const r = await report(admin, period);
      for (const column of REPORT_COLUMNS) {
        const [g, k] = column.split('.') as [keyof Counts, string];
        const value = (c: Counts) => (c[g] as Record<string, number>)[k];
        expect((await drill(admin, period, column)).total, `${column} total`).toBe(value(r.total));
        for (const row of r.rows) expect((await drill(admin, period, column, { fieldCode: row.fieldCode })).total, `${column} ${row.fieldCode}`).toBe(value(row));
        for (const row of r.byAgency) expect((await drill(admin, period, column, { agencyCode: row.agencyCode })).total, `${column} ${row.agencyCode}`).toBe(value(row));
      }
    }
  });

  it('when a cell is opened, then the list names the very dossiers of the story', async () => {
    const names = async (column: ReportColumn, where: Record<string, string> = {}) =>
      (await drill(admin, JAN, column, where)).items.map((d) => Object.keys(codes).find((k) => codes[k] === d.code)).sort();
    expect(await names('resolved.early')).toEqual(['A']);
    expect(await names('resolved.onTime')).toEqual(['C', 'E', 'H', 'P']);
    expect(await names('resolved.late')).toEqual(['D']);
    expect(await names('received.carriedOver')).toEqual(['A', 'K']);
    expect(await names('pending.overdue')).toEqual(['F', 'I', 'K']);
    expect(await names('pending.withinDeadline')).toEqual(['G', 'J', 'L', 'M', 'N']);
    expect(await names('received.total', { agencyCode: AGENCIES.ward.code })).toEqual(['H', 'I', 'L', 'M', 'N']);
    expect(await names('received.total', { agencyCode: AGENCIES.land.code, agencyBasis: 'receiving' })).toEqual(['A', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'P']);
  });

  it("when the resolved late are opened with the list's other filters, then they are still the story's, and SQLite reads them from the finished late's index", async () => {
    const names = async (where: Record<string, string>) =>
      (await drill(admin, JAN, 'resolved.late', where)).items.map((d) => Object.keys(codes).find((k) => codes[k] === d.code)).sort();
    const { status } = await dossier(codes.D);
    expect(await names({ late: '1' })).toEqual(['D']);
    expect(await names({ late: '1', status })).toEqual(['D']);
    expect(await names({ status })).toEqual(['D']);
    expect(await names({ status: 'processing' })).toEqual([]);
    expect(await names({ dueSoon: '1' })).toEqual([]);
    expect(await names({ q: 'Hồng' })).toEqual(['D']);
    expect(await names({ fieldCode: 'DAT_DAI', agencyCode: AGENCIES.land.code })).toEqual(['D']);
    expect(await names({ agencyCode: AGENCIES.ward.code })).toEqual([]);
    if (testDbKind() !== 'sqlite') return;
    const seen: string[] = [];
    const stop = await watchSqliteStatements(t.db, (sql) => seen.push(sql));
    try {
      await drill(admin, JAN, 'resolved.late', { agencyCode: AGENCIES.land.code });
    } finally {
      stop();
    }
    const listed = seen.filter((s) => s.includes('d.finished_at > d.due_at'));
    expect(listed.length, seen.join('\n')).toBeGreaterThan(0);
    for (const sql of listed) {
      const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${sql.replace(/\?/g, "'x'")}`)).map((r: { detail: string }) => r.detail).join(' | ');
      expect(plan, sql).toContain('dossiers_finished_late_idx');
      expect(plan, sql).not.toContain('dossiers_report');
    }
  });

  it("when SQLite lists a cell's other resolved, then a period up to a quarter is read from the report index and a longer one as SQLite chooses", async () => {
    const statements = async (period: { from: string; to: string }) => {
      const seen: string[] = [];
      const stop = isSqlite(t.db) ? await watchSqliteStatements(t.db, (sql) => seen.push(sql)) : () => undefined;
      try {
        const res = await drill(admin, period, 'resolved.onTime', { agencyCode: AGENCIES.land.code });
        return { seen: seen.filter((s) => s.includes('d.finished_at <= d.due_at')), codes: res.items.map((d) => d.code).sort() };
      } finally {
        stop();
      }
    };
    const month = await statements(JAN);
    const year = await statements({ from: '2025-03-11', to: '2026-03-10' });
    // The land department's January on time (C, E, P), found by both.
    expect(month.codes).toEqual(['C', 'E', 'P'].map((k) => codes[k]).sort());
    expect(year.codes).toEqual(expect.arrayContaining(month.codes));
    if (!isSqlite(t.db)) return;
    expect(month.seen.length).toBeGreaterThan(0);
    for (const sql of month.seen) expect(sql).toContain('INDEXED BY dossiers_report_idx');
    expect(year.seen.length).toBeGreaterThan(0);
    for (const sql of year.seen) expect(sql).not.toContain('INDEXED BY');
  });

  it('when a head reads the report, then it covers their agency only, the drill-down agrees, and another agency is refused', async () => {
    const ward = await report(wardHead, JAN);
    expect(ward.agencyCode).toBe(AGENCIES.ward.code);
    expect(cols(ward.total)).toEqual(JAN_WARD);
    for (const column of REPORT_COLUMNS) {
      const [g, k] = column.split('.') as [keyof Counts, string];
      // I is the ward's in January although today neither its handler nor its receiver: it is still listed.
      expect((await drill(wardHead, JAN, column)).total, column).toBe((ward.total[g] as Record<string, number>)[k]);
    }
    const refused = await request(app).get('/api/v1/reports/settlement').query({ ...JAN, agencyCode: AGENCIES.land.code }).set(bearer(wardHead));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await drill(wardHead, JAN, 'received.total', { agencyCode: AGENCIES.land.code })).total).toBe(0);
    const land = await report(landHead, JAN);
    expect(cols(land.total)).toEqual(JAN_LAND);
    expect(cols((await report(landClerk, JAN)).total)).toEqual(JAN_LAND);
  });

  it('when an admin picks one agency, then its report equals its row in the all-agency report; by receiving desk the rows change', async () => {
    const one = await report(admin, { ...JAN, agencyCode: AGENCIES.ward.code });
    expect(one.agencyCode).toBe(AGENCIES.ward.code);
    expect(cols(one.total)).toEqual(JAN_WARD);
    const byDesk = await report(admin, { ...JAN, agencyBasis: 'receiving' });
    expect(Object.fromEntries(byDesk.byAgency.map((row) => [row.agencyCode, row.received.total]))).toEqual({ [AGENCIES.land.code]: 11, [AGENCIES.ward.code]: 3 });
    expect(cols(byDesk.total)).toEqual(JAN_TOTAL);
  });

  it('when the query is wrong or there is no login, then 422 names the field, 401 without a token', async () => {
    const bad = await request(app).get('/api/v1/reports/settlement').query({ from: '2026-02-30', to: '2026-01-31' }).set(bearer(admin));
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toHaveProperty('from');
    const reversed = await request(app).get('/api/v1/reports/settlement').query({ from: '2026-02-01', to: '2026-01-31' }).set(bearer(admin));
    expect(reversed.status).toBe(422);
    expect(reversed.body.error.fields).toHaveProperty('to');
    const missing = await request(app).get('/api/v1/reports/settlement').set(bearer(admin));
    expect(missing.status).toBe(422);
    // a key given twice counts once, as in the dossier list (a second from= was called missing)
    const twice = await request(app).get(`/api/v1/reports/settlement?from=${JAN.from}&to=${JAN.to}&from=2025-01-01`).set(bearer(admin));
    const once = await request(app).get('/api/v1/reports/settlement').query(JAN).set(bearer(admin));
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual(once.body);
    expect((await request(app).get('/api/v1/reports/settlement').query(JAN)).status).toBe(401);
    const unknown = await request(app).get('/api/v1/reports/settlement').query({ ...JAN, agencyCode: 'KHONG.CO' }).set(bearer(admin));
    expect(unknown.status).toBe(422);
    const list = await request(app).get('/api/v1/dossiers').query({ report: 'resolved.late' }).set(bearer(admin));
    expect(list.status).toBe(422);
  });

  it('when the period is still running, then the report is taken at now and a deadline later this month is not yet overdue', async () => {
    clock.set(vn('2026-01-13T10:00'));
    const r = await report(admin, JAN);
    expect(r).toMatchObject({ running: true, asOf: '2026-01-13T10:00:00+07:00' });
    // F (received 12/01, due 15/01) is open and within its deadline today; K (due 07/01) is overdue.
    const f = r.rows.find((row) => row.fieldCode === 'DAT_DAI')!;
    expect(f.pending.overdue).toBe(0);
    expect((await drill(admin, JAN, 'pending.overdue')).total).toBe(r.total.pending.overdue);
    expect((await drill(admin, JAN, 'pending.withinDeadline')).total).toBe(r.total.pending.withinDeadline);
    clock.set(vn('2026-03-10T09:00'));
  });

  it('when exported, then the CSV has the heading lines and the same numbers, the XLSX opens with them, and the print view shows them', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const csv = await agent.get('/bao-cao/xuat.csv').query(JAN);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/bao-cao-II06a_2026-01-01_2026-01-31\.csv/);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.text.slice(1).split('\r\n');
    expect(lines).toContain('Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)');
    expect(lines).toContain('Đơn vị tính: Số hồ sơ TTHC');
    expect(lines.some((l) => l.startsWith('"Cơ quan, đơn vị: Tất cả'))).toBe(true);
    expect(lines).toContain('(1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13)');
    expect(lines).toContain(`3,Đất đai,${JAN_DAT_DAI.join(',')}`);
    expect(lines).toContain(`,Tổng cộng,${JAN_TOTAL.join(',')}`);
    expect(lines).toContain(`1,${AGENCIES.ward.name},${JAN_WARD.join(',')}`);

    const xlsx = await agent.get('/bao-cao/xuat.xlsx').query(JAN).buffer(true).parse(binary as never);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.worksheets[0];
    const rows: (string | number | null)[][] = [];
    ws.eachRow((row) => rows.push((row.values as (string | number | null)[]).slice(1)));
    expect(rows.some((r) => r[0] === 'Đơn vị tính: Số hồ sơ TTHC')).toBe(true);
    expect(rows.some((r) => r[0] === 'Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)')).toBe(true);
    expect(rows.find((r) => r[1] === 'Đất đai')?.slice(2)).toEqual(JAN_DAT_DAI);
    expect(rows.find((r) => r[1] === 'Tổng cộng')?.slice(2)).toEqual(JAN_TOTAL);
    expect(ws.getCell('C7').value).toBe('Số hồ sơ nhận giải quyết');
    expect(ws.getCell('C7').isMerged).toBe(true);
    // The agencies' table is the second sheet, under the same heading, so that each repeats its own column heads in print.
    const byAgency = wb.getWorksheet('Theo cơ quan giải quyết')!;
    const agencyRows: (string | number | null)[][] = [];
    byAgency.eachRow((row) => agencyRows.push((row.values as (string | number | null)[]).slice(1)));
    expect(agencyRows.some((r) => r[0] === 'Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)')).toBe(true);
    expect(agencyRows.find((r) => r[1] === AGENCIES.ward.name)?.slice(2)).toEqual(JAN_WARD);
    expect(agencyRows.find((r) => r[1] === 'Tổng cộng')?.slice(2)).toEqual(JAN_TOTAL);
    expect(rows.some((r) => r[1] === AGENCIES.ward.name)).toBe(false);

    const print = await agent.get('/bao-cao/in').query(JAN);
    expect(print.status).toBe(200);
    expect(print.text).toContain('Biểu số II.06a/VPCP/KSTT');
    // The period line is the centred subtitle under the title, as on the form (a <p> took the sheet's left alignment).
    expect(print.text).toContain('<div class="form-subtitle italic">Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)</div>');
    expect(print.text).toContain('Thủ trưởng cơ quan, đơn vị');
    expect(print.text).not.toContain('href="/ho-so?report=');
  });

  it.skipIf(testDbKind() === 'pg')('when the CLI reports January, then the table and the JSON hold the same numbers', () => {
    const run = (args: string[]) =>
      spawnSync('npx', ['tsx', 'src/cli.ts', 'report', ...args], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${SCENARIO_FILE}` },
      });
    const cli = (args: string[]) => {
      const r = run(args);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const json = JSON.parse(cli(['--from', JAN.from, '--to', JAN.to, '--format', 'json'])) as ReportJson;
    expect(cols(json.total)).toEqual(JAN_TOTAL);
    expect(Object.fromEntries(json.rows.map((row) => [row.fieldCode, cols(row)]))).toEqual({ DAT_DAI: JAN_DAT_DAI, BOI_THUONG_TDC: JAN_BOI_THUONG, CHUNG_THUC: JAN_CHUNG_THUC });
    const table = cli(['--from', JAN.from, '--to', JAN.to, '--agency', AGENCIES.ward.code]);
    expect(table).toContain(`Cơ quan, đơn vị: ${AGENCIES.ward.name}`);
    expect(table).toContain('Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)');
    expect(table.split('\n').find((l) => l.includes('Tổng cộng'))?.trim().split(/\s{2,}/).slice(1).map(Number)).toEqual(JAN_WARD);
    // Two bad days are told in one line, each message once punctuated (it read "(năm 2000–2100).; --to: …").
    const bad = run(['--from', '1999-01-01', '--to', '2026-13-01']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'Lỗi: --from: Ngày bắt đầu phải có dạng YYYY-MM-DD (năm 2000–2100); --to: Ngày kết thúc phải có dạng YYYY-MM-DD (năm 2000–2100)',
    );
  });

  it('when the page asks for a period not started yet or another agency, then it says so', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const future = await agent.get('/bao-cao').query({ period: 'month', year: '2027', month: '1' });
    expect(future.status).toBe(422);
    expect(future.text).toContain('Kỳ báo cáo chưa bắt đầu.');
    const head = await loginAgent(app, wardHead.username);
    expect((await head.agent.get('/bao-cao').query({ agencyCode: AGENCIES.land.code })).status).toBe(403);
    expect((await head.agent.get('/bao-cao/xuat.csv').query({ ...JAN, agencyCode: AGENCIES.land.code })).status).toBe(403);
  });

  it('when a link asks for a month 13, a quarter 5 or an unknown kind of period, then the page says what is wrong instead of showing another period under it', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const cases: [Record<string, string>, string][] = [
      [{ period: 'month', year: '2026', month: '13' }, 'Tháng phải từ 1 đến 12.'],
      [{ period: 'quarter', year: '2026', quarter: '5' }, 'Quý phải từ I đến IV (1–4).'],
      [{ period: 'year', year: 'abc' }, 'Năm phải từ 2000 đến 2100.'],
      [{ period: 'week', year: '2026' }, 'Loại kỳ báo cáo không có trong danh sách.'],
    ];
    for (const [query, message] of cases) {
      const res = await agent.get('/bao-cao').query(query);
      expect(res.status, JSON.stringify(query)).toBe(422);
      expect(res.text, JSON.stringify(query)).toContain(`Kỳ báo cáo chưa hợp lệ. ${message} Đang hiển thị tháng này.`);
    }
    // A part the kind does not use is not read: a year's report with a stray month.
    expect((await agent.get('/bao-cao').query({ period: 'year', year: '2026', month: '13' })).status).toBe(200);
  });

  it('when a custom range is reversed, then the picker keeps the two days typed; an export link with it names the reason', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const res = await agent.get('/bao-cao').query({ period: 'range', from: '2026-01-31', to: '2026-01-01' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Ngày kết thúc phải từ ngày bắt đầu trở đi.');
    expect(res.text).toContain('<option value="range" selected>');
    expect(res.text).toContain('<input id="from" name="from" type="date" value="2026-01-31">');
    expect(res.text).toContain('<input id="to" name="to" type="date" value="2026-01-01">');
    const csv = await agent.get('/bao-cao/xuat.csv').query({ from: '2026-01-31', to: '2026-01-01' });
    expect(csv.status).toBe(422);
    expect(csv.text).toContain('Kỳ báo cáo chưa hợp lệ.');
    expect(csv.text).toContain('<li>Ngày kết thúc phải từ ngày bắt đầu trở đi.</li>');
    const bare = await agent.get('/bao-cao/xuat.csv');
    expect(bare.status).toBe(422);
    expect(bare.text).toContain('Dữ liệu gửi lên chưa hợp lệ:');
    expect(bare.text).not.toContain('ô được đánh dấu');
  });

  it('when a custom range has a day of a year out of 2000–2100, then the page says which day and why, and the picker keeps it', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const res = await agent.get('/bao-cao').query({ period: 'range', from: '1999-01-01', to: '20266-01-31' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'Khoảng thời gian báo cáo chưa hợp lệ. Ngày bắt đầu 01/01/1999: năm phải từ 2000 đến 2100. Ngày kết thúc 31/01/20266: năm phải từ 2000 đến 2100. Đang hiển thị tháng này.',
    );
    expect(res.text).toContain('<input id="from" name="from" type="date" value="1999-01-01">');
    expect(res.text).toContain('<input id="to" name="to" type="date" value="20266-01-31">');
  });

  it('when a number of an agency row in the report of the whole city is opened, then its list leads back to the report of the whole city; from the report of that agency alone, to it', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const numberLink = (html: string) =>
      new RegExp(`href="(/ho-so\\?report=received.total[^"]*agencyCode=${AGENCIES.ward.code.replace(/\./g, '\\.')}[^"]*)"`).exec(html)?.[1].replace(/&amp;/g, '&');
    const backLink = (html: string) => /<a href="(\/bao-cao\?[^"]*)">← Quay lại báo cáo<\/a>/.exec(html)?.[1].replace(/&amp;/g, '&');
    const city = await agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1' });
    const fromCity = await agent.get(numberLink(city.text)!);
    expect(fromCity.text).toContain(`cơ quan giải quyết <strong>${AGENCIES.ward.name}</strong>:\n  <strong>${JAN_WARD[0]}</strong> hồ sơ.`);
    expect(backLink(fromCity.text)).toBe('/bao-cao?from=2026-01-01&to=2026-01-31&agencyBasis=handling');
    const ward = await agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1', agencyCode: AGENCIES.ward.code });
    const fromWard = await agent.get(numberLink(ward.text)!);
    expect(backLink(fromWard.text)).toBe(`/bao-cao?from=2026-01-01&to=2026-01-31&agencyCode=${AGENCIES.ward.code}&agencyBasis=handling`);
  });

  it('when the report page is opened, then it shows the table, the chart and links whose lists match the numbers', async () => {
    const { agent } = await loginAgent(app, admin.username);
    const page = await agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)');
    expect(page.text).toContain('<svg');
    const links = [...page.text.matchAll(/href="(\/ho-so\?report=[^"]+)"[^>]*>([\d.]+)</g)].map((m) => ({ url: m[1].replace(/&amp;/g, '&'), n: Number(m[2].replace(/\./g, '')) }));
    expect(links.length).toBe((3 + 1 + 2 + 1) * 11);
    for (const { url, n } of links.slice(0, 30)) {
      const list = await agent.get(url);
      expect(list.status).toBe(200);
      const m = list.text.match(/<strong>([\d.]+)<\/strong> hồ sơ\./);
      expect(Number(m![1].replace(/\./g, '')), url).toBe(n);
    }
    const head = await loginAgent(app, wardHead.username);
    const headPage = await head.agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1' });
    expect(headPage.status).toBe(200);
    expect(headPage.text).toContain(AGENCIES.ward.name);
    expect(headPage.text).not.toContain('id="agencyCode"');
    // A head's list of a number says the report's number (counted as the report counts it) and lists that many
    // dossiers, every number of the ward's January.
    const headLinks = [...headPage.text.matchAll(/href="(\/ho-so\?report=[^"]+)"[^>]*>([\d.]+)</g)].map((m) => ({ url: m[1].replace(/&amp;/g, '&'), n: Number(m[2].replace(/\./g, '')) }));
    expect(headLinks.length).toBeGreaterThanOrEqual(11);
    expect(headLinks.some((l) => l.n > 0)).toBe(true);
    expect(headLinks.some((l) => l.url.includes('agencyCode='))).toBe(true);
    for (const { url, n } of headLinks) {
      const list = await head.agent.get(url);
      expect(list.status).toBe(200);
      expect(Number(list.text.match(/<strong>([\d.]+)<\/strong> hồ sơ\./)![1].replace(/\./g, '')), url).toBe(n);
      expect((list.text.match(/<td class="code">/g) ?? []).length, url).toBe(n);
      // the banner names the ward, not its code (a head's list has no agency choices to find it in)
      if (url.includes('agencyCode=')) expect(list.text, url).toContain(`<strong>${AGENCIES.ward.name}</strong>:`);
      // The resolved of a number show when each was finished (how late), the others do not.
      if (n > 0) expect(list.text.includes('<th scope="col">Hoàn thành</th>'), url).toBe(url.includes('report=resolved.'));
    }
  });

  it('when the head of the public service centre opens the report, then it counts the dossiers their desk received; a department head sees those it handles', async () => {
    await t.db('agencies').where({ code: AGENCIES.centre.code }).update({ kind: 'service_centre' });
    const centreHead = await addUser(t.db, 'lanhdao_trungtam', 'head', AGENCIES.centre.code);
    const selected = (html: string) => html.match(/<option value="(handling|receiving)" selected>/)?.[1];
    const centre = await (await loginAgent(app, centreHead.username)).agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1' });
    expect(selected(centre.text)).toBe('receiving');
    expect(centre.text).toContain('agencyBasis=receiving');
    const land = await (await loginAgent(app, landHead.username)).agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1' });
    expect(selected(land.text)).toBe('handling');
    // A choice made on the page wins over the default.
    const chosen = await (await loginAgent(app, centreHead.username)).agent.get('/bao-cao').query({ period: 'month', year: '2026', month: '1', agencyBasis: 'handling' });
    expect(selected(chosen.text)).toBe('handling');
    // The API counts the same way when it is not told: the centre's head gets what the page shows; told, as asked.
    const bearerOf = (u: { token: string }) => ({ Authorization: `Bearer ${u.token}` });
    const api = await request(app).get('/api/v1/reports/settlement').query(JAN).set(bearerOf(centreHead));
    expect(api.status).toBe(200);
    expect(api.body.agencyBasis).toBe('receiving');
    const receiving = await request(app).get('/api/v1/reports/settlement').query({ ...JAN, agencyBasis: 'receiving' }).set(bearerOf(centreHead));
    expect(api.body).toEqual(receiving.body);
    const handling = await request(app).get('/api/v1/reports/settlement').query({ ...JAN, agencyBasis: 'handling' }).set(bearerOf(centreHead));
    expect(handling.body.agencyBasis).toBe('handling');
    // A number's list not told the basis counts as the report not told: it counted by handling, and a receiving desk's
    // list lacked what it received for others. The land department as such a desk: H and I went to the ward.
    await t.db('agencies').where({ code: AGENCIES.land.code }).update({ kind: 'service_centre' });
    try {
      const landReport = await request(app).get('/api/v1/reports/settlement').query(JAN).set(bearerOf(landHead));
      expect(landReport.body.agencyBasis).toBe('receiving');
      const byHandling = await request(app).get('/api/v1/dossiers').query({ ...JAN, report: 'received.total', agencyBasis: 'handling' }).set(bearerOf(landHead));
      expect(byHandling.body.total).toBeLessThan(landReport.body.total.received.total);
      const list = await request(app).get('/api/v1/dossiers').query({ ...JAN, report: 'received.total' }).set(bearerOf(landHead));
      expect(list.body.total).toBe(landReport.body.total.received.total);
      const page = await (await loginAgent(app, landHead.username)).agent.get('/ho-so').query({ ...JAN, report: 'received.total' });
      expect(page.text).toContain(`<strong>${landReport.body.total.received.total}</strong> hồ sơ.`);
    } finally {
      await t.db('agencies').where({ code: AGENCIES.land.code }).update({ kind: null });
    }
    // The centre handles none of its dossiers itself: counted by handling its page is empty, and says where they are.
    expect(handling.body.total.received.total + handling.body.total.pending.total).toBe(0);
    expect(chosen.text).toContain('giải quyết trong kỳ.');
    expect(chosen.text).toMatch(/<a href="\/bao-cao\?from=2026-01-01&amp;to=2026-01-31&amp;agencyCode=[^"]+&amp;agencyBasis=receiving">Xem theo nơi tiếp nhận<\/a>/);
  });

  it('when an admin opens the report of a public service centre by a link that does not say how to count, then the page counts what it received, as the API and the CLI do', async () => {
    // The land department as such a desk: it received H and I, which went on to the ward.
    await t.db('agencies').where({ code: AGENCIES.land.code }).update({ kind: 'service_centre' });
    try {
      const query = { ...JAN, agencyCode: AGENCIES.land.code };
      const api = await request(app).get('/api/v1/reports/settlement').query(query).set(bearer(admin));
      expect(api.body.agencyBasis).toBe('receiving');
      const handling = await request(app).get('/api/v1/reports/settlement').query({ ...query, agencyBasis: 'handling' }).set(bearer(admin));
      expect(api.body.total.received.total).toBeGreaterThan(handling.body.total.received.total);
      const page = await (await loginAgent(app, admin.username)).agent.get('/bao-cao').query(query);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<option value="receiving" selected>');
      // The first table's total row: its eleven numbers are the API's (they were the ones by handling).
      const totalRow = /<tr class="total">([\s\S]*?)<\/tr>/.exec(page.text)?.[1] ?? '';
      const shown = [...totalRow.matchAll(/>([\d.]+)<\/a>/g)].map((m) => Number(m[1].replace(/\./g, '')));
      expect(shown).toEqual(cols(api.body.total));
    } finally {
      await t.db('agencies').where({ code: AGENCIES.land.code }).update({ kind: null });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Random histories played through the real service, then the SQL report against a recount in TypeScript.

import { mulberry32 } from '../../seeds/demo';
import { parseInput } from '../../src/shared/http';
import { actionInputSchema, intakeSchema } from '../../src/dossiers/schema';
import { stateIntervals } from '../../src/dossiers/lifecycle';
import { toUser, type User } from '../../src/auth/users';
import { recountSettlement, type DossierHistory } from '../../src/reports/recount';
import { settlementReport, type SettlementReport } from '../../src/reports/settlement';
import { reportWindow } from '../../src/reports/period';
import { listDossiers, listDossierSummaries, listPlanning, type ListScope } from '../../src/dossiers/repository';
import { listQuerySchema } from '../../src/dossiers/schema';
import type { AgencyBasis } from '../../src/reports/definitions';

const SEED = Number(process.env.REPORT_SEED ?? 20261127);
const DOSSIERS = 240;
const H0 = vn('2026-03-02T00:00').getTime();
const FINAL_NOW = vn('2026-06-24T15:00').getTime();
const MID_NOW = vn('2026-05-20T12:00').getTime();

/** Every dossier's history from its events, the states derived from them (not read from dossier_states). */
async function historiesOf(db: TestDb['db']): Promise<DossierHistory[]> {
  const procedures = new Map((await db('procedures').select('code', 'agency_code')).map((p) => [p.code, p.agency_code as string | null]));
  const events = await db('dossier_events').orderBy([{ column: 'dossier_id' }, { column: 'id' }]);
  const byDossier = new Map<number, { type: string; at: string; data: Record<string, string> }[]>();
  for (const e of events) {
    if (!byDossier.has(e.dossier_id)) byDossier.set(e.dossier_id, []);
    byDossier.get(e.dossier_id)!.push({ type: e.type, at: e.at, data: JSON.parse(e.data) });
  }
  const result: DossierHistory[] = [];
  for (const d of await db('dossiers').select('id', 'field_code', 'procedure_code').orderBy('id')) {
    const evs = byDossier.get(d.id)!;
    const receive = evs[0];
    expect(receive.type).toBe('receive');
    const finish = evs.find((e) => e.type === 'resolve' || e.type === 'withdraw');
    const states = stateIntervals(evs, { agencyCode: procedures.get(d.procedure_code) ?? receive.data.agencyCode });
    result.push({
      fieldCode: d.field_code,
      channel: receive.data.channel as DossierHistory['channel'],
      receivedAgencyCode: receive.data.agencyCode,
      receivedAt: receive.at,
      finishedAt: finish?.at ?? null,
      withdrawn: finish?.type === 'withdraw',
      dueAt: states[states.length - 1].dueAt,
      states: states.map((s) => ({ validFrom: s.validFrom, validTo: s.validTo, dueAt: s.dueAt, clockRunning: s.clockRunning, agencyCode: s.agencyCode })),
    });
  }
  return result;
}

const asMap = (entries: [string, Counts][]) => Object.fromEntries(entries.map(([k, c]) => [k, cols(c)]));

describe(`random histories (seed ${SEED}): the SQL report equals a plain recount`, () => {
  let rt: TestDb;
  let rapp: ReturnType<typeof makeApp>;
  let adminUser: User;
  const clerks: User[] = [];
  const agencyCodes = Object.values(AGENCIES).map((a) => a.code);
  const snapshots = new Map<string, SettlementReport>();

  const PAST_AT_MID = [
    { from: '2026-03-01', to: '2026-03-31' },
    { from: '2026-04-01', to: '2026-04-30' },
    { from: '2026-03-15', to: '2026-04-14' },
    { from: '2026-04-15', to: '2026-05-14' },
    { from: '2026-03-02', to: '2026-03-02' },
  ];
  const PERIODS = [
    ...PAST_AT_MID,
    { from: '2026-05-01', to: '2026-05-31' },
    { from: '2026-06-01', to: '2026-06-30' }, // running at the end
    { from: '2026-05-15', to: '2026-06-14' },
    { from: '2026-04-01', to: '2026-06-30' }, // quarter II, running
    { from: '2026-02-15', to: '2026-05-14' }, // whole months (March, April) between two half months
    { from: '2026-03-15', to: '2026-06-30' }, // whole months after a half month, running
    { from: '2026-01-01', to: '2026-12-31' },
    { from: '2026-06-24', to: '2026-06-24' }, // today
  ];

  beforeAll(async () => {
    rt = await createTestDb();
    await seedSmallCatalog(rt.db);
    for (const [i, code] of agencyCodes.entries()) {
      await addUser(rt.db, `canbo_${i}`, 'clerk', code);
      clerks.push(toUser(await rt.db('users').where({ username: `canbo_${i}` }).first()));
    }
    await addUser(rt.db, 'quantri_ng', 'admin', null);
    adminUser = toUser(await rt.db('users').where({ username: 'quantri_ng' }).first());
    rapp = makeApp(rt.db, new Date(H0).toISOString());
    const service = rapp.app.locals.services.dossiers;
    const rand = mulberry32(SEED);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
    const weighted = <T>(items: [T, number][]): T => {
      let r = rand() * items.reduce((s, [, w]) => s + w, 0);
      for (const [item, w] of items) if ((r -= w) < 0) return item;
      return items[items.length - 1][0];
    };
    const nextMidnight = (t: number) => {
      const local = new Date(t + 7 * 3_600_000);
      return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1) - 7 * 3_600_000;
    };
    // Whole minutes: the clock engine keeps fractional working minutes for an instant with seconds, which
    // PostgreSQL's integer remaining_minutes refuses (see the report of this change).
    const minute = (t: number) => Math.ceil(t / 60_000) * 60_000;
    /** A later instant: the same one, a local midnight, the deadline itself, next to it, or a few days on. */
    const later = (now: number, due: number) => {
      const r = rand();
      if (r < 0.07) return now;
      if (r < 0.17) return nextMidnight(now);
      if (r < 0.25 && due >= now) return due;
      if (r < 0.3 && due - 60_000 >= now) return due - 60_000;
      if (r < 0.35 && due + 60_000 >= now) return due + 60_000;
      if (r < 0.45 && due > now) return minute(now + Math.floor(rand() * (due - now)));
      return minute(now + Math.floor(rand() * 9 * DAY));
    };

    interface Step { at: number; i: number }
    const queue: Step[] = [];
    const push = (s: Step) => {
      let lo = 0;
      let hi = queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (queue[mid].at <= s.at) lo = mid + 1;
        else hi = mid;
      }
      queue.splice(lo, 0, s);
    };
    const state: { code?: string; status?: string; due?: number; version?: number; agency?: string; steps: number; asked?: boolean }[] = [];
    for (let i = 0; i < DOSSIERS; i++) {
      state.push({ steps: 0 });
      let at = minute(H0 + Math.floor(rand() * (FINAL_NOW - H0 - 5 * DAY)));
      if (rand() < 0.06) at = nextMidnight(at);
      push({ at, i });
    }
    let snapshotTaken = false;
    while (queue.length) {
      const step = queue.shift()!;
      if (step.at > FINAL_NOW) break;
      if (!snapshotTaken && step.at >= MID_NOW) {
        rapp.clock.set(new Date(MID_NOW));
        for (const p of PAST_AT_MID) {
          snapshots.set(`${p.from}/${p.to}`, await settlementReport(rt.db, { ...p, agencyCode: null, basis: 'handling', now: new Date(MID_NOW) }));
        }
        snapshotTaken = true;
      }
      rapp.clock.set(new Date(step.at));
      const s = state[step.i];
      let row;
      if (!s.code) {
        const input = parseInput(intakeSchema, {
          procedureCode: pick(['1.012756', '2.000908', '1.012994']),
          channel: pick(['online', 'online', 'in_person', 'postal']),
          applicant: { name: `Người nộp ${step.i}` },
        });
        row = await service.receive(input, pick(clerks));
      } else {
        const picked =
          s.status === 'processing'
            ? weighted<string>(s.steps >= 6 ? [['resolve', 3], ['stop', 1]] : [['resolve', 40], ['withdraw', 6], ['request_supplement', 12], ['pause', 10], ['transfer', 12], ['stop', 8]])
            : s.status === 'awaiting_supplement'
              ? weighted<string>([['receive_supplement', 70], ['withdraw', 15], ['stop', 15]])
              : s.status === 'paused'
                ? weighted<string>([['resume', 70], ['withdraw', 15], ['stop', 15]])
                : 'return';
        // The papers are asked for once (SUPPLEMENT_REQUESTS=once): a second time the clerk pauses instead.
        const action = picked === 'request_supplement' && s.asked ? 'pause' : picked;
        if (action === 'request_supplement') s.asked = true;
        if (action === 'stop') continue;
        const body: Record<string, unknown> = { action, version: s.version, reason: 'Lý do thử nghiệm', items: ['Giấy tờ còn thiếu'], outcome: 'approved' };
        if (action === 'transfer') body.toAgencyCode = pick(agencyCodes.filter((c) => c !== s.agency));
        row = await service.act(s.code, parseInput(actionInputSchema, body), adminUser);
      }
      Object.assign(s, { code: row.code, status: row.status, due: Date.parse(row.due_at), version: row.version, agency: row.agency_code, steps: s.steps + 1 });
      if (['processing', 'awaiting_supplement', 'paused', 'resolved'].includes(row.status) && !(row.status === 'resolved' && rand() < 0.5)) {
        push({ at: later(step.at, s.due!), i: step.i });
      }
    }
    rapp.clock.set(new Date(FINAL_NOW));
  }, 120_000);

  afterAll(async () => {
    expect(rapp.errors).toEqual([]);
    await rt?.destroy();
  });

  const histories = () => historiesOf(rt.db);


  it('when the histories were played, then they cover every kind of story and the stored states match the events', async () => {
    const counted: { status: string; n: number | string }[] = await rt.db('dossiers').select('status').count({ n: '*' }).groupBy('status');
    const statuses = Object.fromEntries(counted.map((r) => [r.status, Number(r.n)]));
    for (const s of ['processing', 'awaiting_supplement', 'paused', 'resolved', 'returned', 'withdrawn']) expect(statuses[s] ?? 0, s).toBeGreaterThan(0);
    expect(Number((await rt.db('dossier_events').where({ type: 'transfer' }).count({ n: '*' }).first())!.n)).toBeGreaterThan(10);
    const hs = await histories();
    expect(hs.length).toBe(DOSSIERS);
    // The intervals the SQL reads (dossier_states, written by the service) are the ones the events imply.
    const stored = await rt.db('dossier_states').orderBy([{ column: 'dossier_id' }, { column: 'id' }]);
    const storedStates = stored.map((s) => ({ validFrom: s.valid_from, validTo: s.valid_to, dueAt: s.due_at, clockRunning: Boolean(s.clock_running), agencyCode: s.agency_code }));
    expect(storedStates).toEqual(hs.flatMap((h) => h.states));
    // The columns the database keeps for the report: local midnight of the due date, start of the current state.
    const rows = await rt.db('dossiers').select('id', 'due_at', 'due_day_start', 'state_from').orderBy('id');
    const localMidnight = (iso: string) => new Date(`${new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10)}T00:00:00+07:00`).toISOString();
    expect(rows.map((r) => r.due_day_start)).toEqual(rows.map((r) => localMidnight(r.due_at)));
    expect(rows.map((r) => r.state_from)).toEqual(hs.map((h) => h.states[h.states.length - 1].validFrom));
    // report_month_ends: a row for each local month start a finished dossier was pending at (received before it,
    // finished at or after it); none for an open one.
    const starts = monthStartRows().map((m) => m.start);
    const dossiers = await rt.db('dossiers').select('id', 'received_at', 'finished_at').orderBy('id');
    const expected = dossiers.flatMap((d) => (d.finished_at === null ? [] : starts.filter((t) => t > d.received_at && t <= d.finished_at).map((t) => `${d.id} ${t}`)));
    const kept = (await rt.db('report_month_ends').select('dossier_id', 'month_start').orderBy(['dossier_id', 'month_start'])).map((r) => `${r.dossier_id} ${r.month_start}`);
    expect(kept).toEqual(expected);
    const finishedSpans = dossiers.filter((d) => d.finished_at !== null).map((d) => kept.filter((k) => k.startsWith(`${d.id} `)).length);
    expect(finishedSpans.filter((n) => n === 0).length, 'finished in the month they came').toBeGreaterThan(0);
    expect(finishedSpans.filter((n) => n > 0).length, 'finished after a month start').toBeGreaterThan(0);
  });

  it('when reported for past, running and odd periods, by handling agency and by receiving desk, then SQL and recount agree on every number', async () => {
    const hs = await histories();
    const now = new Date(FINAL_NOW);
    let compared = 0;
    for (const p of PERIODS) {
      const w = reportWindow(p.from, p.to, now);
      for (const basis of ['handling', 'receiving'] as AgencyBasis[]) {
        const sql = await settlementReport(rt.db, { ...p, agencyCode: null, basis, now });
        const ts = recountSettlement(hs, w, { basis });
        const label = `${p.from}..${p.to} ${basis}`;
        expect(cols(sql.total), label).toEqual(cols(ts.total));
        expect(asMap(sql.rows.map((r) => [r.fieldCode, r])), label).toEqual(asMap([...ts.byField]));
        expect(asMap(sql.byAgency.map((r) => [r.agencyCode, r])), label).toEqual(asMap([...ts.byAgency]));
        compared++;
      }
      expect(reportWindow(p.from, p.to, now).running).toBe(p.to >= '2026-06-24');
    }
    for (const p of PERIODS.slice(0, 8)) {
      const w = reportWindow(p.from, p.to, now);
      for (const agencyCode of agencyCodes) {
        const sql = await settlementReport(rt.db, { ...p, agencyCode, basis: 'handling', now });
        const ts = recountSettlement(hs, w, { basis: 'handling', agencyCode });
        expect(cols(sql.total), `${p.from}..${p.to} ${agencyCode}`).toEqual(cols(ts.total));
        expect(asMap(sql.rows.map((r) => [r.fieldCode, r]))).toEqual(asMap([...ts.byField]));
      }
    }
    expect(compared).toBe(PERIODS.length * 2);
    // A few random ranges, with random instants of "now" inside them.
    const rand = mulberry32(SEED + 1);
    for (let k = 0; k < 8; k++) {
      const a = H0 + Math.floor(rand() * (FINAL_NOW - H0));
      const b = a + Math.floor(rand() * 40 * DAY);
      const day = (t: number) => new Date(t + 7 * 3_600_000).toISOString().slice(0, 10);
      const p = { from: day(a), to: day(b) };
      const sql = await settlementReport(rt.db, { ...p, agencyCode: null, basis: 'handling', now });
      expect(cols(sql.total), `${p.from}..${p.to}`).toEqual(cols(recountSettlement(hs, reportWindow(p.from, p.to, now)).total));
    }
  });

  it('when a past period is read again after the clock moved and more events happened, then nothing changed', async () => {
    for (const p of PAST_AT_MID) {
      const before = snapshots.get(`${p.from}/${p.to}`)!;
      const after = await settlementReport(rt.db, { ...p, agencyCode: null, basis: 'handling', now: new Date(FINAL_NOW) });
      expect(after, `${p.from}..${p.to}`).toEqual(before);
    }
    expect(snapshots.size).toBe(PAST_AT_MID.length);
  });

  it('when any number of the random data is followed to the list, then the list total equals it', async () => {
    const token = (await rt.db('users').where({ username: 'quantri_ng' }).first()) && (await addUser(rt.db, 'quantri_ds', 'admin', null)).token;
    for (const p of [{ from: '2026-04-01', to: '2026-04-30' }, { from: '2026-06-01', to: '2026-06-30' }]) {
      const r = await settlementReport(rt.db, { ...p, agencyCode: null, basis: 'handling', now: new Date(FINAL_NOW) });
      const rows: [Record<string, string>, Counts][] = [
        [{}, r.total],
        ...r.rows.map((x): [Record<string, string>, Counts] => [{ fieldCode: x.fieldCode }, x]),
        ...r.byAgency.map((x): [Record<string, string>, Counts] => [{ agencyCode: x.agencyCode }, x]),
      ];
      for (const [where, counts] of rows) {
        for (const column of REPORT_COLUMNS) {
          const res = await request(rapp.app)
            .get('/api/v1/dossiers')
            .query({ report: column, ...p, ...where, pageSize: 1 })
            .set({ Authorization: `Bearer ${token}` });
          const [g, k] = column.split('.') as [keyof Counts, string];
          expect(res.body.total, `${p.from} ${column} ${JSON.stringify(where)}`).toBe((counts[g] as Record<string, number>)[k]);
        }
      }
    }
  });

  it("when a number's list is opened as a page, then its total is the report's and its pages are the API's, whether found by walking the receipt index or not", async () => {
    // For a desk the page (listDossierSummaries) shows the report's own number and, newest first, looks for its page
    // among the dossiers received last (reportCellByReceiptWalk), or for a pending number at a month start among the
    // report's parts (pendingCellRows: April's); the API's list (listDossiers) counts and sorts the
    // cell's dossiers as the list always did, as does the page for the whole city. Small bounds make the walk give
    // up, at once or after a second walk for a page further on, and the page fall back to the plain statement; large
    // ones find every page by walking.
    const now = new Date(FINAL_NOW);
    const scopes: ListScope[] = [null, agencyCodes[0], agencyCodes[2]].map((agencyCode) => ({ agencyCode, now, dueSoonUntil: new Date(FINAL_NOW + DAY) }));
    const periods = [
      { from: '2026-04-01', to: '2026-04-30' },
      { from: '2026-03-15', to: '2026-06-30' },
      { from: '2025-07-01', to: '2026-06-30' },
    ];
    const saved = { ...listPlanning };
    const walks: string[] = [];
    const stop = isSqlite(rt.db) ? await watchSqliteStatements(rt.db, (sql) => sql.includes('COALESCE((SELECT received_at') && walks.push(sql)) : () => undefined;
    let pagesCompared = 0;
    try {
      for (const [bound, deep] of [[saved.receiptWalkBound, saved.receiptWalkDeepBound], [3, 3], [40, 40], [30, 60], [30, 1_000]]) {
        Object.assign(listPlanning, { receiptWalkBound: bound, receiptWalkDeepBound: deep });
        for (const period of periods) {
          const report = await settlementReport(rt.db, { ...period, agencyCode: null, basis: 'receiving', now });
          for (const scope of scopes) {
            for (const column of REPORT_COLUMNS) {
              if (scope.agencyCode === null && bound !== saved.receiptWalkBound) continue;
              for (const where of [{}, { agencyBasis: 'receiving' }, { fieldCode: report.rows[0].fieldCode }]) {
                const query = listQuerySchema.parse({ report: column, ...period, ...where, pageSize: 4 });
                const api = await listDossiers(rt.db, { ...query, pageSize: 500 }, scope);
                const shown: string[] = [];
                for (let page = 1; page <= Math.ceil(api.total / 4) + 1; page++) {
                  const listed = await listDossierSummaries(rt.db, { ...query, page }, scope);
                  expect(listed.total, `${column} ${JSON.stringify({ ...period, ...where, scope: scope.agencyCode })}`).toBe(api.total);
                  shown.push(...listed.items.map((d) => d.code));
                  pagesCompared++;
                }
                expect(shown, `${column} ${JSON.stringify({ ...period, ...where, bound, deep, scope: scope.agencyCode })}`).toEqual(api.items.map((d) => d.code));
              }
            }
          }
          // By the receiving desk, the whole city's numbers are the report's.
          const all = await listDossierSummaries(rt.db, listQuerySchema.parse({ report: 'resolved.total', ...period, agencyBasis: 'receiving' }), scopes[0]);
          expect(all.total).toBe(report.total.resolved.total);
        }
      }
    } finally {
      Object.assign(listPlanning, saved);
      stop();
    }
    expect(pagesCompared).toBeGreaterThan(1_000);
    if (isSqlite(rt.db)) expect(walks.length).toBeGreaterThan(500);
    // Over a thousand pages of a few statements each: 29 s on PostgreSQL on a slower machine, the default limit being 30 s.
  }, 180_000);

  it('when the resolved late of a period are paged in each order, then the pages are those dossiers of the table in that order', async () => {
    const token = (await addUser(rt.db, 'quantri_trang', 'admin', null)).token;
    const period = { from: '2026-01-01', to: '2026-12-31' };
    const start = new Date('2025-12-31T17:00:00.000Z').toISOString();
    const end = new Date('2026-12-31T17:00:00.000Z').toISOString();
    const late: { code: string; received_at: string; due_at: string; id: number; agency_code: string }[] = await rt
      .db('dossiers')
      .where('finished_at', '>=', start)
      .where('finished_at', '<', end)
      .whereNot('status', 'withdrawn')
      .whereRaw('finished_at > due_at')
      .select('code', 'received_at', 'due_at', 'id', 'agency_code');
    expect(late.length).toBeGreaterThan(4);
    const orders: [string, (a: (typeof late)[number], b: (typeof late)[number]) => number][] = [
      ['-received', (a, b) => b.received_at.localeCompare(a.received_at) || a.id - b.id],
      ['received', (a, b) => a.received_at.localeCompare(b.received_at) || a.id - b.id],
      ['due', (a, b) => a.due_at.localeCompare(b.due_at) || a.id - b.id],
      ['-due', (a, b) => b.due_at.localeCompare(a.due_at) || a.id - b.id],
    ];
    const busiest = agencyCodes.map((code) => [code, late.filter((d) => d.agency_code === code).length] as const).sort((a, b) => b[1] - a[1])[0][0];
    for (const [sort, compare] of orders) {
      for (const agencyCode of [undefined, busiest]) {
        const expected = late.filter((d) => !agencyCode || d.agency_code === agencyCode).sort(compare).map((d) => d.code);
        const paged: string[] = [];
        for (let page = 1; paged.length < expected.length + 3 && page <= expected.length; page++) {
          const res = await request(rapp.app)
            .get('/api/v1/dossiers')
            .query({ report: 'resolved.late', ...period, sort, page, pageSize: 3, ...(agencyCode ? { agencyCode } : {}) })
            .set({ Authorization: `Bearer ${token}` });
          expect(res.body.total, `${sort} ${agencyCode}`).toBe(expected.length);
          if (!res.body.items.length) break;
          paged.push(...res.body.items.map((d: { code: string }) => d.code));
        }
        expect(paged, `${sort} ${agencyCode}`).toEqual(expected);
      }
    }
  });

  it("when the histories were played and rows are written straight to the table, then each desk's kept counts equal a count of its dossiers", async () => {
    // desk_counts (migration 20261201001800): per desk, status and way, the dossiers it received (0) or handles having
    // received them elsewhere (1).
    const kept = async () => {
      const rows: { agency_code: string; status: string; way: number; n: number | string }[] = await rt
        .db('desk_counts')
        .select('agency_code', 'status', 'way')
        .sum({ n: 'n' })
        .groupBy('agency_code', 'status', 'way');
      return Object.fromEntries(rows.filter((r) => Number(r.n) !== 0).map((r) => [`${r.agency_code} ${r.status} ${r.way}`, Number(r.n)]));
    };
    const counted = async () => {
      const out: Record<string, number> = {};
      const add = (key: string) => (out[key] = (out[key] ?? 0) + 1);
      for (const d of await rt.db('dossiers').select('agency_code', 'received_agency_code', 'status')) {
        add(`${d.received_agency_code} ${d.status} 0`);
        if (d.agency_code !== d.received_agency_code) add(`${d.agency_code} ${d.status} 1`);
      }
      return out;
    };
    const before = await counted();
    expect(Object.keys(before).length, 'desks × statuses × ways').toBeGreaterThan(12);
    expect(Object.keys(before).filter((k) => k.endsWith(' 1')).length, 'handled elsewhere').toBeGreaterThan(3);
    expect(await kept()).toEqual(before);
    // A tool's writes (undone at the end: this runs last, but the describe's data stays as played): a receiving desk changed, a handler and status changed at once, a copy inserted and deleted.
    const [a, b] = await rt.db('dossiers').whereNot('agency_code', rt.db.ref('received_agency_code')).orderBy('id').limit(2).select('id', 'agency_code', 'received_agency_code', 'status');
    await rt.db('dossiers').where({ id: a.id }).update({ received_agency_code: a.agency_code });
    await rt.db('dossiers').where({ id: b.id }).update({ agency_code: b.received_agency_code, status: 'withdrawn' });
    const { id: _id, due_day_start: _d, ...copy } = await rt.db('dossiers').where({ id: b.id }).first();
    const [inserted] = await rt.db('dossiers').insert({ ...copy, code: 'BAN-SAO-DEM', agency_code: a.received_agency_code }).returning('id');
    expect(await kept()).toEqual(await counted());
    await rt.db('dossiers').where({ id: typeof inserted === 'object' ? inserted.id : inserted }).delete();
    await rt.db('dossiers').where({ id: a.id }).update({ received_agency_code: a.received_agency_code });
    await rt.db('dossiers').where({ id: b.id }).update({ agency_code: b.agency_code, status: b.status });
    expect(await kept()).toEqual(before);
  });

  it('when state intervals and finished dossiers are written straight to the tables, then report_month_ends equals its recomputation after every write', async () => {
    // report_month_ends (migration 20261201002000): per finished dossier and month start it was pending at, what the
    // report counts of it there. Each write below changes some row, and after each the kept rows must be exactly what
    // the migration's backfill computes from scratch. Everything runs in a transaction rolled back at the end.
    const rolledBack = new Error('rolled back');
    let steps = 0;
    await rt.db
      .transaction(async (trx) => {
        const check = async (what: string) => {
          const { kept, recomputed } = await keptAndRecomputedMonthEnds(trx);
          expect(kept, what).toEqual(recomputed);
          return kept;
        };
        const initial = await check('as played');
        expect(initial.length, 'finished dossiers pending at a month start').toBeGreaterThan(20);
        let last = initial;
        const step = async (what: string, write: () => Promise<unknown>) => {
          await write();
          const now = await check(what);
          expect(now, `${what} changes the rows`).not.toEqual(last);
          last = now;
          steps++;
        };
        // A dossier whose state at a month start is read from its intervals (it changed state after that month start).
        const [viaStates] = await trx('report_month_ends as r')
          .join('dossiers as d', 'd.id', 'r.dossier_id')
          .join('dossier_states as s', function () {
            this.on('s.dossier_id', 'd.id').andOn('s.valid_from', '<', 'r.month_start');
          })
          .where((w) => w.whereNull('s.valid_to').orWhere('s.valid_to', '>=', trx.ref('r.month_start')))
          .whereRaw("NOT (d.pre_finish_from < r.month_start AND d.status IN ('resolved', 'returned'))")
          .where('s.clock_running', true)
          .where('r.overdue', 0)
          .orderBy('s.id')
          .select('s.id as state_id', 'd.id as dossier_id', 's.agency_code');
        expect(viaStates, 'a dossier read through its intervals').toBeTruthy();
        await step('an interval in force at a month start gets a passed deadline', () => trx('dossier_states').where({ id: viaStates.state_id }).update({ due_at: '2000-01-01T00:00:00.000Z' }));
        const other = agencyCodes.find((c) => c !== viaStates.agency_code)!;
        await step("that interval's agency changes", () => trx('dossier_states').where({ id: viaStates.state_id }).update({ agency_code: other }));
        await step('that interval is deleted', () => trx('dossier_states').where({ id: viaStates.state_id }).delete());
        // A dossier processing from before a month start until its finish, within its deadline then: read from its row.
        const finished = await trx('report_month_ends as r')
          .join('dossiers as d', 'd.id', 'r.dossier_id')
          .whereRaw("d.pre_finish_from < r.month_start AND d.status IN ('resolved', 'returned')")
          .where('r.overdue', 0)
          .orderBy('d.id')
          .first('d.id');
        await step('a finished dossier gets a passed deadline on its row', () => trx('dossiers').where({ id: finished.id }).update({ due_at: '2000-01-01T00:00:00.000Z' }));
        await step('its receipt moves a year back', () => trx('dossiers').where({ id: finished.id }).update({ received_at: '2025-01-02T01:00:00.000Z' }));
        await step('its finish is undone', () => trx('dossiers').where({ id: finished.id }).update({ finished_at: null, status: 'processing' }));
        const { id: _id, due_day_start: _d, ...copy } = await trx('dossiers').where({ id: viaStates.dossier_id }).first();
        let copyId = 0;
        await step('a finished copy is inserted', async () => {
          const [inserted] = await trx('dossiers').insert({ ...copy, code: 'BAN-SAO-THANG' }).returning('id');
          copyId = typeof inserted === 'object' ? inserted.id : inserted;
        });
        await step('the copy gets an interval open across a month start', () =>
          trx('dossier_states').insert({ dossier_id: copyId, valid_from: copy.received_at, valid_to: copy.finished_at, status: 'processing', due_at: copy.received_at, clock_running: true, agency_code: other }),
        );
        await step('the copy is deleted', async () => {
          await trx('dossier_states').where({ dossier_id: copyId }).delete();
          await trx('dossiers').where({ id: copyId }).delete();
        });
        throw rolledBack;
      })
      .catch((err) => {
        if (err !== rolledBack) throw err;
      });
    expect(steps).toBe(9);
  });
});

describe('dossiers open across many month ends: the report counts them from report_month_ends and still equals the recount', () => {
  let lt: TestDb;
  let lapp: ReturnType<typeof makeApp>;
  const RECEIVED = vn('2025-01-06T09:00').getTime();
  const END = vn('2026-07-15T10:00').getTime();
  const LONG = 19;

  beforeAll(async () => {
    lt = await createTestDb();
    await seedSmallCatalog(lt.db);
    await addUser(lt.db, 'canbo_dai', 'clerk', AGENCIES.land.code);
    await addUser(lt.db, 'quantri_dai', 'admin', null);
    const clerk = toUser(await lt.db('users').where({ username: 'canbo_dai' }).first());
    const admin = toUser(await lt.db('users').where({ username: 'quantri_dai' }).first());
    lapp = makeApp(lt.db, new Date(RECEIVED).toISOString());
    const service = lapp.app.locals.services.dossiers;
    // Dossier i is received on day 2i and finished about i months later (0 … 17), some after a long pause; the
    // last two stay open (one paused). Steps run in time order on the app's clock.
    const steps: { at: number; i: number; action: 'receive' | 'pause' | 'resume' | 'resolve' }[] = [];
    for (let i = 0; i < LONG; i++) {
      const received = RECEIVED + 2 * i * DAY;
      steps.push({ at: received, i, action: 'receive' });
      if (i % 4 === 3 || i === LONG - 1) {
        steps.push({ at: received + DAY, i, action: 'pause' });
        if (i < LONG - 1) steps.push({ at: received + (30 * i - 3) * DAY, i, action: 'resume' });
      }
      if (i < LONG - 2) steps.push({ at: received + 30 * i * DAY + 3 * 3_600_000, i, action: 'resolve' });
    }
    steps.sort((a, b) => a.at - b.at || a.i - b.i);
    const codes: string[] = [];
    for (const step of steps) {
      lapp.clock.set(new Date(step.at));
      if (step.action === 'receive') {
        const input = parseInput(intakeSchema, { procedureCode: step.i % 2 ? '1.012994' : '1.012756', channel: step.i % 3 ? 'in_person' : 'online', applicant: { name: `Người nộp ${step.i}` } });
        codes[step.i] = (await service.receive(input, clerk)).code;
      } else {
        const row = await lt.db('dossiers').where({ code: codes[step.i] }).first();
        await service.act(codes[step.i], parseInput(actionInputSchema, { action: step.action, version: row.version, reason: 'Chờ ý kiến cơ quan khác', outcome: 'approved' }), admin);
      }
    }
    lapp.clock.set(new Date(END));
  }, 60_000);

  afterAll(async () => {
    expect(lapp.errors).toEqual([]);
    await lt?.destroy();
  });

  it('when every month, quarter and year from January 2025 is reported, then SQL and recount agree, by handling agency and by receiving desk', async () => {
    const spans: { n: number | string }[] = await lt.db('report_month_ends').count({ n: '*' }).groupBy('dossier_id');
    expect(Math.max(...spans.map((r) => Number(r.n))), 'pending at the start of over a year of months').toBeGreaterThanOrEqual(13);
    expect(Number((await lt.db('dossiers').whereNull('finished_at').count({ n: '*' }).first())?.n)).toBe(2);
    const hs = await historiesOf(lt.db);
    const now = new Date(END);
    const periods: { from: string; to: string }[] = [];
    for (let m = 0; m < 18; m++) {
      const y = 2025 + Math.floor(m / 12);
      const mm = (m % 12) + 1;
      const last = new Date(Date.UTC(y, mm, 0)).getUTCDate();
      periods.push({ from: `${y}-${String(mm).padStart(2, '0')}-01`, to: `${y}-${String(mm).padStart(2, '0')}-${last}` });
    }
    periods.push({ from: '2025-01-01', to: '2025-12-31' }, { from: '2025-04-01', to: '2025-06-30' }, { from: '2025-02-15', to: '2025-09-30' }, { from: '2026-01-01', to: '2026-12-31' });
    let pendingSeen = 0;
    for (const p of periods) {
      for (const basis of ['handling', 'receiving'] as AgencyBasis[]) {
        const sql = await settlementReport(lt.db, { ...p, agencyCode: null, basis, now });
        const ts = recountSettlement(hs, reportWindow(p.from, p.to, now), { basis });
        expect(cols(sql.total), `${p.from}..${p.to} ${basis}`).toEqual(cols(ts.total));
        expect(asMap(sql.byAgency.map((r) => [r.agencyCode, r])), `${p.from}..${p.to} ${basis}`).toEqual(asMap([...ts.byAgency]));
        pendingSeen += sql.total.pending.total;
      }
    }
    // The long ones are pending at many month ends: what report_month_ends holds.
    expect(pendingSeen).toBeGreaterThan(100);
  });
});

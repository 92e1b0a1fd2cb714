import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Knex } from 'knex';
import { createTestDb, keptAndRecomputedMonthEnds, type TestDb } from '../helpers/db';
import { addUser, loginAgent, makeApp, type TestUser } from '../helpers/app';
import { seedCatalog } from '../../seeds/catalog';
import { seedCalendar } from '../../seeds/calendar';
import { CalendarService } from '../../src/calendar/repository';
import { importDossiers, instantProblem, parseImportInstant, type ImportProgress, type ImportResult } from '../../src/imports/service';
import { csvRecords, NOT_UTF8 } from '../../src/imports/csv-records';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLE = fs.readFileSync(path.join(ROOT, 'docs/import-sample.csv'), 'utf8');
// Mon 02/03/2026 10:00 in Vietnam: every instant of the sample file lies before it.
const NOW = new Date('2026-03-02T03:00:00.000Z');
const HEADER =
  'code,procedure_code,agency_code,channel,applicant_name,applicant_id_number,applicant_phone,applicant_email,applicant_address,sets,received_at,due_at,status,stopped_at,finished_at,outcome,returned_at,reason';
const WARD = '000.02.92.H13'; // Ủy ban nhân dân Phường Ninh Kiều
const CENTRE = '000.01.01.H13'; // Trung tâm Phục vụ hành chính công
const LAND = '000.00.06.H13'; // Sở Nông nghiệp và Môi trường

async function seeded(): Promise<TestDb> {
  const t = await createTestDb();
  await seedCatalog(t.db);
  await seedCalendar(t.db, NOW);
  return t;
}

async function runImport(db: Knex, text: string, onProgress?: (p: ImportProgress) => void): Promise<ImportResult> {
  const calendar = await new CalendarService(db, [{ start: 450, end: 690 }, { start: 810, end: 1020 }]).get(NOW.getTime());
  return importDossiers(db, text, { now: NOW, calendar, onProgress });
}

const count = async (db: Knex, table: string) => Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
const counts = async (db: Knex) => ({
  dossiers: await count(db, 'dossiers'),
  events: await count(db, 'dossier_events'),
  states: await count(db, 'dossier_states'),
  sequences: await count(db, 'dossier_sequences'),
});

async function history(db: Knex, code: string) {
  const d = await db('dossiers').where({ code }).first();
  const events = await db('dossier_events').where({ dossier_id: d.id }).orderBy('id');
  const states = await db('dossier_states').where({ dossier_id: d.id }).orderBy('id');
  return { d, events, states };
}

describe('parseImportInstant: the time formats of the CSV', () => {
  it('when a time is local "dd/mm/yyyy HH:mm", then it is read as UTC+7; ISO keeps its offset; a date alone or a 30/02 is refused', () => {
    expect(parseImportInstant('05/01/2026 08:15')?.toISOString()).toBe('2026-01-05T01:15:00.000Z');
    expect(parseImportInstant('5/1/2026 08:15:30')?.toISOString()).toBe('2026-01-05T01:15:30.000Z');
    expect(parseImportInstant('2026-01-05 08:15')?.toISOString()).toBe('2026-01-05T01:15:00.000Z');
    expect(parseImportInstant('2026-01-12T09:30:00+07:00')?.toISOString()).toBe('2026-01-12T02:30:00.000Z');
    expect(parseImportInstant('2026-01-12T02:30:00Z')?.toISOString()).toBe('2026-01-12T02:30:00.000Z');
    expect(parseImportInstant('05/01/2026')).toBeNull();
    expect(parseImportInstant('30/02/2026 08:00')).toBeNull();
    expect(parseImportInstant('05/01/2026 24:00')).toBeNull();
    expect(parseImportInstant('2026-01-12T09:30:00')).toBeNull();
  });
});

describe('instantProblem: why a cell is no instant', () => {
  it("when a date has no time or is Excel's number of days, then the reason says so and what to do; any other text lists the formats", () => {
    expect(instantProblem('05/01/2026')).toBe('"05/01/2026" thiếu giờ: ghi cả giờ, ví dụ "05/01/2026 08:00" (chỉ có ngày thì không biết lúc nào trong ngày).');
    expect(instantProblem('2026-01-05')).toContain('thiếu giờ');
    expect(instantProblem('46027.34375')).toBe(
      '"46027.34375" là ngày giờ dạng số của Excel: trong Excel định dạng cột thành dd/mm/yyyy hh:mm (Format Cells → Custom) rồi lưu lại tệp.',
    );
    expect(instantProblem('46027,34375')).toContain('dạng số của Excel');
    expect(instantProblem('12-01-2026')).toBe('"12-01-2026" không phải thời điểm hợp lệ (dd/mm/yyyy HH:mm (giờ Việt Nam) hoặc ISO-8601 có múi giờ, ví dụ 2026-02-13T10:00:00+07:00).');
  });
});

describe('importing the sample file (docs/import-sample.csv)', () => {
  let t: TestDb;
  let result: ImportResult;
  beforeAll(async () => {
    t = await seeded();
    result = await runImport(t.db, SAMPLE);
  });
  afterAll(() => t.destroy());

  it('when the sample file is imported, then all 8 dossiers are written, 2 with their old codes and 6 with new ones', async () => {
    expect(result).toMatchObject({
      ok: true,
      rows: 8,
      keptCodes: 2,
      generatedCodes: 6,
      byStatus: { returned: 2, resolved: 2, processing: 1, paused: 1, awaiting_supplement: 1, withdrawn: 1 },
      events: 17,
      states: 17,
    });
    expect(await counts(t.db)).toMatchObject({ dossiers: 8, events: 17, states: 17 });
    const codes = (await t.db('dossiers').orderBy('code').pluck('code')) as string[];
    expect(codes).toEqual([
      `${CENTRE}-260126-0001`,
      `${CENTRE}-260203-0001`,
      `${WARD}-260112-0001`,
      `${WARD}-260113-0001`,
      `${WARD}-260209-0001`,
      `${WARD}-260227-0001`,
      'HTC.2026.000123',
      'HTC.2026.000124',
    ]);
  });

  it('when a returned dossier is imported, then it has receive, resolve and return events by "Nhập dữ liệu" and three state intervals', async () => {
    const { d, events, states } = await history(t.db, 'HTC.2026.000123');
    expect(d).toMatchObject({
      procedure_code: '1.012756',
      field_code: 'DAT_DAI',
      received_agency_code: CENTRE,
      agency_code: LAND, // the procedure's agency handles it, as at intake
      channel: 'in_person',
      applicant_name: 'Nguyễn Thị Hoa',
      applicant_phone: '0912345678',
      applicant_address: '12 đường Hòa Bình, phường Ninh Kiều',
      status: 'returned',
      received_at: '2026-01-05T01:15:00.000Z',
      finished_at: '2026-01-21T08:30:00.000Z',
      returned_at: '2026-01-23T02:00:00.000Z',
      outcome: 'approved',
      version: 3,
      created_at: NOW.toISOString(),
    });
    expect(d.appointment_at).toBe(d.due_at);
    expect(events.map((e) => [e.type, e.at, e.actor_name, e.actor_id])).toEqual([
      ['receive', '2026-01-05T01:15:00.000Z', 'Nhập dữ liệu', null],
      ['resolve', '2026-01-21T08:30:00.000Z', 'Nhập dữ liệu', null],
      ['return', '2026-01-23T02:00:00.000Z', 'Nhập dữ liệu', null],
    ]);
    expect(JSON.parse(events[0].data)).toMatchObject({ channel: 'in_person', agencyCode: CENTRE, dueAt: d.due_at, imported: true });
    expect(JSON.parse(events[1].data)).toMatchObject({ outcome: 'approved', late: d.finished_at > d.due_at, imported: true });
    expect(states.map((s) => [s.status, s.valid_from, s.valid_to, Boolean(s.clock_running), s.agency_code])).toEqual([
      ['processing', '2026-01-05T01:15:00.000Z', '2026-01-21T08:30:00.000Z', true, LAND],
      ['resolved', '2026-01-21T08:30:00.000Z', '2026-01-23T02:00:00.000Z', false, LAND],
      ['returned', '2026-01-23T02:00:00.000Z', null, false, LAND],
    ]);
  });

  it('when due_at is empty, then the engine computes it (4 working hours from Mon 12/01 09:30 → 15:30); when given, it is kept', async () => {
    const birth = await history(t.db, `${WARD}-260112-0001`);
    expect(birth.d).toMatchObject({
      procedure_code: '1.001193',
      received_agency_code: WARD,
      agency_code: WARD,
      channel: 'online',
      received_at: '2026-01-12T02:30:00.000Z',
      due_at: '2026-01-12T08:30:00.000Z',
      finished_at: '2026-01-12T07:00:00.000Z',
      status: 'resolved',
      duration_minutes: 240,
    });
    expect(JSON.parse(birth.d.due_trace).at(-1)).toMatchObject({ type: 'due', at: '2026-01-12T08:30:00.000Z' });
    expect(JSON.parse(birth.events[1].data)).toMatchObject({ outcome: 'approved', late: false });

    const split = await history(t.db, 'HTC.2026.000124');
    expect(split.d.due_at).toBe('2026-02-27T10:00:00.000Z');
    expect(split.d.applicant_name).toBe('Đặng Văn Lộc, Nguyễn Thị Mai');
    expect(JSON.parse(split.d.due_trace).map((s: { type: string }) => s.type)).toEqual(['received', 'start', 'note', 'due']);
  });

  it('when a paused dossier is imported, then its clock stopped at stopped_at with the working minutes left (30 days − 2.520 minutes)', async () => {
    const paused = await history(t.db, `${CENTRE}-260203-0001`);
    expect(paused.d).toMatchObject({ status: 'paused', agency_code: '000.00.04.H13', remaining_minutes: 30 * 450 - 2520, on_supplement: 'pause' });
    expect(paused.events.map((e) => e.type)).toEqual(['receive', 'pause']);
    expect(JSON.parse(paused.events[1].data)).toMatchObject({ reason: 'Chờ thực hiện nghĩa vụ tài chính', remainingMinutes: 10980 });
    expect(paused.states.map((s) => [s.status, Boolean(s.clock_running), s.valid_to])).toEqual([
      ['processing', true, '2026-02-11T02:00:00.000Z'],
      ['paused', false, null],
    ]);

    const waiting = await history(t.db, `${WARD}-260209-0001`);
    expect(waiting.d.status).toBe('awaiting_supplement');
    expect(waiting.events.map((e) => e.type)).toEqual(['receive', 'request_supplement']);

    const withdrawn = await history(t.db, `${CENTRE}-260126-0001`);
    expect(withdrawn.d).toMatchObject({ status: 'withdrawn', finished_at: '2026-01-28T01:10:00.000Z', outcome: null });
    expect(withdrawn.events.map((e) => e.type)).toEqual(['receive', 'withdraw']);
  });

  it('when the import is done, then the daily sequences hold the numbers it used', async () => {
    const rows = await t.db('dossier_sequences').orderBy(['agency_code', 'day']).select('agency_code', 'day', 'last');
    expect(rows.map((r) => [r.agency_code, r.day, Number(r.last)])).toEqual([
      [CENTRE, '260126', 1],
      [CENTRE, '260203', 1],
      [WARD, '260112', 1],
      [WARD, '260113', 1],
      [WARD, '260209', 1],
      [WARD, '260227', 1],
    ]);
  });

  it('when the settlement report of January 2026 is asked, then the imported histories count like live ones', async () => {
    const admin = await addUser(t.db, 'report.admin', 'admin', null);
    const { app } = makeApp(t.db, NOW.toISOString());
    const res = await request(app).get('/api/v1/reports/settlement?from=2026-01-01&to=2026-01-31').set('Authorization', `Bearer ${admin.token}`);
    expect(res.status).toBe(200);
    // Received in January: 2 online (birth, withdrawn), 2 in person. All finished in January: the land dossier early
    // (21/01, due 28/01), the birth on time (same day), the withdrawal on time, the marriage late (14/01 10:00, due 09:00).
    expect(res.body.total).toEqual({
      received: { online: 2, inPersonOrPostal: 2, carriedOver: 0, total: 4 },
      resolved: { early: 1, onTime: 2, late: 1, total: 4 },
      pending: { withinDeadline: 0, overdue: 0, total: 0 },
    });
  });

  it("when an imported dossier's receipt is printed, then a code of our format gives its line of the register and a code of its own leaves the line to fill ('NaN' before)", async () => {
    await addUser(t.db, 'receipt.admin', 'admin', null);
    const { app } = makeApp(t.db, NOW.toISOString());
    const { agent } = await loginAgent(app, 'receipt.admin');
    const own = await agent.get('/ho-so/HTC.2026.000123/giay-tiep-nhan');
    expect(own.status).toBe(200);
    expect(own.text).toContain('Số thứ tự: ……</p>');
    expect(own.text).not.toContain('NaN');
    const ours = await agent.get(`/ho-so/${CENTRE}-260126-0001/giay-tiep-nhan`);
    expect(ours.text).toContain('Số thứ tự: 1</p>');
  });

  it('when the same file is imported again, then the two kept codes are reported on their lines and nothing is written', async () => {
    const before = await counts(t.db);
    const again = await runImport(t.db, SAMPLE);
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.problems).toEqual([
      { line: 2, message: 'mã hồ sơ HTC.2026.000123 đã có trong cơ sở dữ liệu.' },
      { line: 9, message: 'mã hồ sơ HTC.2026.000124 đã có trong cơ sở dữ liệu.' },
    ]);
    expect(await counts(t.db)).toEqual(before);
  });

  it('when rows without a code come for a day already used, then their numbers follow the highest, a kept code of our format included; live intake goes on after them', async () => {
    const file = [
      HEADER,
      `,1.001193,${WARD},in_person,Lý Văn Một,,,,,1,12/01/2026 16:00,,processing,,,,,`,
      `,1.001193,${WARD},in_person,Lý Văn Hai,,,,,1,12/01/2026 08:00,,processing,,,,,`,
      `${WARD}-260112-0009,1.001193,${WARD},in_person,Lý Văn Chín,,,,,1,12/01/2026 11:00,,processing,,,,,`,
    ].join('\n');
    const r = await runImport(t.db, file);
    expect(r).toMatchObject({ ok: true, keptCodes: 1, generatedCodes: 2 });
    // After the kept 0009, in order of receipt within the day: 08:00 gets 0010, 16:00 gets 0011.
    expect((await t.db('dossiers').where({ code: `${WARD}-260112-0010` }).first()).applicant_name).toBe('Lý Văn Hai');
    expect((await t.db('dossiers').where({ code: `${WARD}-260112-0011` }).first()).applicant_name).toBe('Lý Văn Một');
    expect((await t.db('dossiers').where({ code: `${WARD}-260112-0009` }).first()).applicant_name).toBe('Lý Văn Chín');
    expect(Number((await t.db('dossier_sequences').where({ agency_code: WARD, day: '260112' }).first()).last)).toBe(11);

    const admin = await addUser(t.db, 'import.admin', 'admin', null);
    const { app } = makeApp(t.db, NOW.toISOString());
    const res = await request(app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ procedureCode: '1.001193', agencyCode: WARD, channel: 'in_person', applicant: { name: 'Backdated' }, receivedAt: '2026-01-12T10:00:00+07:00' });
    expect(res.status).toBe(201);
    expect(res.body.code).toBe(`${WARD}-260112-0012`);
  });
});

describe('importing finished dossiers that were pending at month starts', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await seeded();
  });
  afterAll(() => t.destroy());

  it("when open dossiers are recomputed after a calendar change, then a deadline from the file stays (it is the old system's) and one the engine computed moves", async () => {
    const file = [
      HEADER,
      `,1.001193,${WARD},in_person,Hạn Từ Tệp,,,,,1,27/02/2026 08:00,31/12/2026 17:00,processing,,,,,`,
      `,1.001193,${WARD},in_person,Hạn Tính Ra,,,,,1,27/02/2026 08:00,,processing,,,,,`,
    ].join('\n');
    expect(await runImport(t.db, file)).toMatchObject({ ok: true, generatedCodes: 2 });
    const due = async (name: string) => (await t.db('dossiers').where({ applicant_name: name }).first()).due_at;
    expect(await due('Hạn Tính Ra')).toBe('2026-02-27T07:00:00.000Z'); // 08:00 + 4 working hours: 14:00
    await t.db('calendar_days').insert({ date: '2026-02-27', kind: 'day_off', name: 'Nghỉ thử', source: 'thử', updated_at: NOW.toISOString(), updated_by: 'test' });
    try {
      const admin = await addUser(t.db, 'recompute.admin', 'admin', null);
      const { app } = makeApp(t.db, NOW.toISOString());
      const result = await app.locals.services.dossiers.recomputeOpen({ id: admin.id, fullName: 'Quản trị', role: 'admin' });
      expect(result.moved.map((m) => m.dueBefore)).toContain('2026-02-27T07:00:00.000Z');
      expect(await due('Hạn Tính Ra')).toBe('2026-03-02T04:30:00.000Z'); // Monday 07:30 + 4 hours
      expect(await due('Hạn Từ Tệp')).toBe('2026-12-31T10:00:00.000Z'); // was moved to 05/03 before
    } finally {
      await t.db('calendar_days').where({ date: '2026-02-27' }).delete();
    }
  });

  it('when they are imported, then report_month_ends holds a row per month start each was pending at, as the triggers would write them', async () => {
    const rows = [
      HEADER,
      // received 20/01, resolved 01/03: pending at 01/02 and 01/03
      `IMP.SPAN.1,1.012756,${CENTRE},in_person,Người Một,,,,,1,20/01/2026 08:00,,resolved,,01/03/2026 10:00,approved,,`,
      // received 28/01, resolved 02/02 and returned 03/02: pending at 01/02
      `IMP.SPAN.2,1.001193,${WARD},online,Người Hai,,,,,1,28/01/2026 09:00,,returned,,02/02/2026 10:00,approved,03/02/2026 09:00,`,
      // received 15/12/2025, withdrawn 10/01/2026: pending at 01/01
      `IMP.SPAN.3,2.001583,${CENTRE},online,Người Ba,,,,,1,15/12/2025 14:00,,withdrawn,,10/01/2026 08:10,,,Công dân xin rút`,
      // received and resolved within January, and one still open: none
      `IMP.SPAN.4,1.001193,${WARD},in_person,Người Bốn,,,,,1,12/01/2026 09:30,,resolved,,12/01/2026 14:00,approved,,`,
      `IMP.SPAN.5,2.000908,${WARD},in_person,Người Năm,,,,,1,10/01/2026 10:05,,processing,,,,,`,
    ];
    const result = await runImport(t.db, rows.join('\n'));
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, rows: 5 });
    const kept = await t.db('report_month_ends as r').join('dossiers as d', 'd.id', 'r.dossier_id').orderBy(['d.code', 'r.month_start']).select('d.code', 'r.month_start');
    expect(kept.map((r) => `${r.code} ${r.month_start}`)).toEqual([
      'IMP.SPAN.1 2026-01-31T17:00:00.000Z',
      'IMP.SPAN.1 2026-02-28T17:00:00.000Z',
      'IMP.SPAN.2 2026-01-31T17:00:00.000Z',
      'IMP.SPAN.3 2025-12-31T17:00:00.000Z',
    ]);
    const rolledBack = new Error('rolled back');
    await t.db
      .transaction(async (trx) => {
        const { kept: rowsKept, recomputed } = await keptAndRecomputedMonthEnds(trx);
        expect(rowsKept).toEqual(recomputed);
        throw rolledBack;
      })
      .catch((err) => {
        if (err !== rolledBack) throw err;
      });
    // Deferred during the import only: a later change to an imported dossier is written by the triggers again.
    await t.db('dossiers').where({ code: 'IMP.SPAN.2' }).update({ received_at: '2025-12-20T02:00:00.000Z' });
    expect(await t.db('report_month_ends as r').join('dossiers as d', 'd.id', 'r.dossier_id').where('d.code', 'IMP.SPAN.2').pluck('r.month_start')).toEqual([
      '2025-12-31T17:00:00.000Z',
      '2026-01-31T17:00:00.000Z',
    ]);
  });
});

describe('a file saved by Excel on a Windows set to Vietnamese', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await seeded();
  });
  afterAll(() => t.destroy());

  it('when Excel set to Vietnamese saved the file (";", empty columns after the last, a status typed with decomposed marks), then it is imported as the comma file would be', async () => {
    const file = [
      `\uFEFF${HEADER.replaceAll(',', ';')};;`,
      `EXCEL-VN-1;1.001193;${WARD};in_person;Lê Thị Chín;;;;"Số 9; hẻm 3, phường Ninh Kiều";1;12/01/2026 09:30;;${'Đã trả kết quả'.normalize('NFD')};;12/01/2026 14:00;approved;13/01/2026 08:00;;;`,
      `EXCEL-VN-2;1.001193;${WARD};online;Phan Văn Mười;;;;;1;13/01/2026 09:30;;processing;;;;;;;`,
    ].join('\r\n');
    const r = await runImport(t.db, file);
    expect(r).toMatchObject({ ok: true, rows: 2, keptCodes: 2, byStatus: { returned: 1, processing: 1 } });
    const { d } = await history(t.db, 'EXCEL-VN-1');
    expect(d).toMatchObject({ status: 'returned', applicant_name: 'Lê Thị Chín', applicant_address: 'Số 9; hẻm 3, phường Ninh Kiều' });
  });

  it('when a cell stands in a column without a name, then its line says so and nothing is written', async () => {
    const before = await counts(t.db);
    const r = await runImport(t.db, `${HEADER},\n,1.001193,${WARD},in_person,An,,,,,1,12/01/2026 09:30,,processing,,,,,,ghi chú\n`);
    expect(r).toMatchObject({ ok: false, problems: [{ line: 2, message: 'ô thứ 19 ("ghi chú") nằm ở cột không có tên trên dòng tiêu đề.' }] });
    expect(await counts(t.db)).toEqual(before);
  });
});

describe('a file with bad rows', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await seeded();
  });
  afterAll(() => t.destroy());

  it('when several rows are wrong, then every bad row is reported with its line (a quoted value over two lines counts both) and nothing is written', async () => {
    const file = [
      HEADER, // line 1
      `OLD-1,1.001193,${WARD},in_person,Đúng Một,,,,,1,12/01/2026 09:30,,processing,,,,,`, // 2: fine
      `,9.999999,${WARD},in_person,Thủ Tục Lạ,,,,,1,12/01/2026 09:30,,processing,,,,,`, // 3
      `,1.001193,${WARD},in_person,Tương Lai,,,,,1,03/03/2026 09:30,,processing,,,,,`, // 4
      `,1.001193,${WARD},in_person,Kết Thúc Sớm,,,,,1,12/01/2026 09:30,,resolved,,11/01/2026 09:30,approved,,`, // 5
      `,1.001193,${WARD},in_person,Thiếu Kết Quả,,,,,1,12/01/2026 09:30,,resolved,,,,,`, // 6
      `OLD-1,1.001193,${WARD},in_person,Trùng Mã,,,,,1,12/01/2026 09:30,,processing,,,,,`, // 7
      `,1.001193,${WARD},fax,Sai Kênh,,,,,1,12-01-2026,,processing,,,,,`, // 8
      `,1.001193,${WARD},in_person,Địa Chỉ Hai Dòng,,,,"Số 1`, // 9
      `phường Ninh Kiều",1,12/01/2026 09:30,,processing,,,,,`, // 10 (same record)
      `,1.001193,${WARD},in_person,Đang Mà Xong,,,,,1,12/01/2026 09:30,,processing,,12/01/2026 10:00,,,`, // 11
      `,1.001193,${WARD},in_person,Thiếu Ô`, // 12
      `,1.001193,000.99.99.H13,in_person,Cơ Quan Lạ,,,,,1,12/01/2026 09:30,,processing,,,,,`, // 13
      `,1.001193,,in_person,Không Cơ Quan,,,,,1,12/01/2026 09:30,,processing,,,,,`, // 14
      `,1.001193,${WARD},in_person,,,0123,not-an-email,,0,12/01/2026 09:30,,returned,,12/01/2026 10:00,approved,12/01/2026 09:59,`, // 15
      '', // blank line: skipped
      `,1.001193,${WARD},in_person,Đúng Hai,,,,,1,12/01/2026 09:30,12/01/2026 09:00,processing,,,,,`, // 17
    ].join('\r\n');
    const before = await counts(t.db);
    const r = await runImport(t.db, file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rows).toBe(14);
    const lines = r.problems.map((p) => p.line);
    expect(lines).toEqual([3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 17]);
    const at = (line: number) => r.problems.find((p) => p.line === line)!.message;
    expect(at(3)).toBe('procedure_code: không có thủ tục mã 9.999999.');
    expect(at(4)).toBe('received_at (09:30 03/03/2026) ở tương lai.');
    expect(at(5)).toBe('finished_at (09:30 11/01/2026) sớm hơn received_at (09:30 12/01/2026).');
    expect(at(6)).toContain('hồ sơ "resolved" (đã có kết quả) cần finished_at.');
    expect(at(6)).toContain('hồ sơ "resolved" cần outcome');
    expect(at(7)).toBe('mã hồ sơ OLD-1 trùng với dòng 2.');
    expect(at(8)).toContain('channel: Hình thức nộp phải là in_person');
    expect(at(8)).toContain('received_at: "12-01-2026" không phải thời điểm hợp lệ');
    expect(at(11)).toContain('hồ sơ "processing" (đang giải quyết) không được có finished_at');
    expect(at(12)).toBe('có 5 ô nhưng dòng tiêu đề có 18 cột.');
    expect(at(13)).toBe('agency_code: không có cơ quan mã 000.99.99.H13.');
    expect(at(14)).toBe('agency_code: thủ tục này không gắn với một cơ quan, cần ghi cơ quan tiếp nhận.');
    expect(at(15)).toContain('applicant_name: Không được để trống.');
    expect(at(15)).toContain('applicant_phone: Số điện thoại không hợp lệ');
    expect(at(15)).toContain('applicant_email: Địa chỉ e-mail không hợp lệ.');
    expect(at(15)).toContain('sets: Ít nhất 1 bộ.');
    expect(at(15)).not.toContain('.;');
    expect(at(17)).toBe('due_at (09:00 12/01/2026) phải sau received_at (09:30 12/01/2026).');
    expect(await counts(t.db)).toEqual(before);
    expect(before.dossiers).toBe(0);
  });

  it('when the header names an unknown column or lacks a required one, then line 1 says so', async () => {
    const r = await runImport(t.db, 'procedure_code,chanel,applicant_name\n1.001193,online,An\n');
    expect(r).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: 'dòng tiêu đề: cột không có trong mẫu: "chanel" (xem docs/IMPORT.md). thiếu cột bắt buộc: channel, received_at.' }],
    });
  });

  it('when the file is not UTF-8 (Excel\'s plain CSV, Windows-1258), then the line with the first unreadable byte is named and nothing is written', async () => {
    // "Nguyễn" saved by a program that writes one byte a letter: read as UTF-8, the byte is no character.
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n,1.001193,${WARD},in_person,Lý Văn Một,,,,,1,12/01/2026 09:30,,processing,,,,,\n,1.001193,${WARD},in_person,Nguy`),
      Buffer.from([0xe1]),
      Buffer.from(`n Latin,,,,,1,12/01/2026 09:45,,processing,,,,,\n`),
    ]);
    const count = async () => Number((await t.db('dossiers').count({ n: '*' }).first())!.n);
    const before = await count();
    const r = await runImport(t.db, bytes.toString('utf8'));
    expect(r).toMatchObject({ ok: false, problems: [{ line: 3, message: NOT_UTF8 }] });
    expect(await count()).toBe(before);
  });

  it('when a quote is never closed, then the line where it opens is named', async () => {
    const r = await runImport(t.db, `${HEADER}\n,1.001193,${WARD},in_person,"An,,,,,1,12/01/2026 09:30,,,,,,,\n`);
    expect(r).toMatchObject({ ok: false, problems: [{ line: 2, message: 'tệp CSV bị lỗi: có dấu ngoặc kép mở mà không đóng.' }] });
  });

  it('when the file is empty or has only the header, then it is refused', async () => {
    expect(await runImport(t.db, '')).toMatchObject({ ok: false, problems: [{ line: null }] });
    expect(await runImport(t.db, `\uFEFF${HEADER}\r\n`)).toMatchObject({ ok: false, problems: [{ line: null, message: 'Tệp chỉ có dòng tiêu đề, không có hồ sơ nào.' }] });
  });

  it('when a large file is imported, then progress is reported for reading, checking and writing, ending at the total', async () => {
    const rows = [HEADER];
    for (let i = 0; i < 6000; i++) {
      const day = 5 + (i % 20);
      rows.push(`,1.004194,${WARD},online,Người Thứ ${i},,,,,1,${String(day).padStart(2, '0')}/01/2026 ${String(8 + (i % 3)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},,processing,,,,,`);
    }
    const seen: ImportProgress[] = [];
    const r = await runImport(t.db, rows.join('\n'), (p) => {
      seen.push(p);
    });
    expect(r).toMatchObject({ ok: true, rows: 6000, generatedCodes: 6000, events: 6000, states: 6000 });
    const phases = [...new Set(seen.map((p) => p.phase))];
    expect(phases).toEqual(['parse', 'check', 'write']);
    for (const phase of phases) {
      const last = seen.filter((p) => p.phase === phase).at(-1)!;
      expect(last.done).toBe(6000);
      expect(last.total).toBe(6000);
    }
    expect(seen.at(-1)!.rowsPerSecond).toBeGreaterThan(0);
    // 6.000 rows over 20 days of one ward: 300 a day, numbered 0001–0300.
    expect(Number((await t.db('dossier_sequences').where({ agency_code: WARD, day: '260105' }).first()).last)).toBe(300);
    expect(await t.db('dossiers').where({ code: `${WARD}-260105-0300` }).first()).toBeTruthy();

    // The file is not in the order of receipt, and it is written a thousand rows at a time, each row read and checked
    // again: every dossier holds its own row's receipt, its event and state interval are its own, the ids follow the
    // receipt, and each day's numbers follow the ids.
    const ms = (v: string | Date) => new Date(v).getTime();
    const written = await t.db('dossiers as d')
      .join('dossier_events as e', 'e.dossier_id', 'd.id')
      .join('dossier_states as s', 's.dossier_id', 'd.id')
      .select('d.id', 'd.code', 'd.applicant_name', 'd.received_at', 'e.at', 's.valid_from')
      .orderBy('d.id');
    expect(written).toHaveLength(6000);
    const receiptOf = (name: string) => {
      const i = Number(name.replace('Người Thứ ', ''));
      return Date.parse(`2026-01-${String(5 + (i % 20)).padStart(2, '0')}T${String(8 + (i % 3)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00+07:00`);
    };
    expect(written.filter((w) => ms(w.received_at) !== receiptOf(w.applicant_name))).toEqual([]);
    expect(written.filter((w) => ms(w.at) !== ms(w.received_at) || ms(w.valid_from) !== ms(w.received_at))).toEqual([]);
    expect(written.filter((w, k) => k > 0 && ms(w.received_at) < ms(written[k - 1].received_at))).toEqual([]);
    const numberOf = (code: string) => Number(code.slice(-4));
    const lastOfDay = new Map<string, number>();
    const sameDayOutOfOrder = written.filter((w) => {
      const day = w.code.slice(0, -5);
      const before = lastOfDay.get(day) ?? 0;
      lastOfDay.set(day, numberOf(w.code));
      return numberOf(w.code) !== before + 1;
    });
    expect(sameDayOutOfOrder).toEqual([]);
    expect(r.ok && r.sample).toEqual(written.slice(0, 10).map((w) => w.code));
  });
});

describe('the admin page /quan-tri/nhap-du-lieu', () => {
  let t: TestDb;
  let admin: TestUser;
  let harness: ReturnType<typeof makeApp>;
  beforeAll(async () => {
    t = await seeded();
    admin = await addUser(t.db, 'page.admin', 'admin', null);
    await addUser(t.db, 'page.clerk', 'clerk', WARD);
    harness = makeApp(t.db, NOW.toISOString());
  });
  afterAll(() => t.destroy());

  it('when an anonymous visitor or a clerk opens it, then the visitor is sent to log in and the clerk is refused', async () => {
    const anon = await request(harness.app).get('/quan-tri/nhap-du-lieu');
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toBe('/dang-nhap?next=%2Fquan-tri%2Fnhap-du-lieu');
    const { agent } = await loginAgent(harness.app, 'page.clerk');
    expect((await agent.get('/quan-tri/nhap-du-lieu')).status).toBe(403);
    expect((await agent.post('/quan-tri/nhap-du-lieu').type('form').send({ csv: SAMPLE })).status).toBe(403);
    expect(await count(t.db, 'dossiers')).toBe(0);
  });

  it('when the admin opens it, then it lists the columns and offers the sample file', async () => {
    const { agent } = await loginAgent(harness.app, admin.username);
    const page = await agent.get('/quan-tri/nhap-du-lieu');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Nhập hồ sơ từ hệ thống khác');
    for (const column of ['procedure_code', 'received_at', 'finished_at', 'returned_at', 'stopped_at']) expect(page.text).toContain(column);
    const sample = await agent.get('/quan-tri/nhap-du-lieu/mau.csv');
    expect(sample.status).toBe(200);
    expect(sample.headers['content-disposition']).toContain('mau-nhap-ho-so.csv');
    // With a BOM, so that Excel on Windows reads it as UTF-8 ('Nguyễn Thị Hoa', not 'Nguyá»…n Thá»‹ Hoa').
    expect(sample.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(sample.text).toBe(`\uFEFF${SAMPLE}`);
    expect(Buffer.from(sample.text).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('when a pasted CSV with a bad row is posted as a form, then the page lists "dòng N" and nothing is written', async () => {
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const bad = SAMPLE.replace('resolved,,12/01/2026 14:00,approved', 'resolved,,12/01/2026 14:00,');
    const res = await agent.post('/quan-tri/nhap-du-lieu').type('form').send({ _csrf: csrf, csv: bad });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Không nhập: <strong>1</strong> lỗi');
    expect(res.text).toContain('dòng 3: hồ sơ &#34;resolved&#34; cần outcome (approved hoặc refused).');
    expect(await count(t.db, 'dossiers')).toBe(0);
  });

  it('when the page script posts the file as text/csv, then progress lines stream back and the last line is the result', async () => {
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const res = await agent
      .post('/quan-tri/nhap-du-lieu')
      .set('Content-Type', 'text/csv; charset=utf-8')
      .set('X-CSRF-Token', csrf)
      .send(SAMPLE)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = (res.body as string).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'progress').length).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, rows: 8, keptCodes: 2, generatedCodes: 6 });
    expect(await count(t.db, 'dossiers')).toBe(8);
  });

  it('when the text/csv post lacks the CSRF token, then it is refused and nothing is written', async () => {
    const { agent } = await loginAgent(harness.app, admin.username);
    const res = await agent.post('/quan-tri/nhap-du-lieu').set('Content-Type', 'text/csv').send(SAMPLE.replace(/HTC/g, 'XYZ'));
    expect(res.status).toBe(403);
    expect(await count(t.db, 'dossiers')).toBe(8);
  });
});

describe('the CLI: import <file.csv>', { timeout: 120_000 }, () => {
  let t: TestDb;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-import-'));
    t = await createTestDb(process.env.TEST_DB === 'pg' ? {} : { sqliteFile: path.join(dir, 'cli.sqlite3') });
    await seedCatalog(t.db);
    await seedCalendar(t.db, NOW);
  });
  afterAll(async () => {
    await t.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => {
    const r = spawnSync('npx', ['tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: t.url, SEED_DEMO: '0' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('when a file has a bad row, then it exits 1, prints every bad row as "dòng N: …" and writes nothing', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, SAMPLE.replace('27/02/2026 10:05,,processing', '27/02/2026 10:05,,finished').replace(',1.000894,', ',1.000000,'));
    const r = cli(['import', file]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('Không nhập: 2 lỗi trong 8 dòng hồ sơ. Chưa ghi gì vào cơ sở dữ liệu.');
    expect(r.stdout).toContain('dòng 4: status: Trạng thái phải là một trong:');
    expect(r.stdout).toContain('dòng 8: procedure_code: không có thủ tục mã 1.000000.');
    expect(await count(t.db, 'dossiers')).toBe(0);
  });

  it('when the sample file is imported, then it exits 0 with a summary on stdout and a progress bar on stderr', async () => {
    const r = cli(['import', path.join(ROOT, 'docs/import-sample.csv')]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^Đã nhập 8 hồ sơ trong [\d,]+ giây/);
    expect(r.stdout).toContain('Giữ mã cũ: 2; cấp mã mới: 6.');
    expect(r.stderr).toContain('Kiểm tra');
    expect(r.stderr).toContain('100% 8/8');
    expect(await count(t.db, 'dossiers')).toBe(8);
  });

  it('when the file is Excel\'s "Unicode text" (UTF-16 with its mark, tabs between cells), then it is imported with its letters whole', async () => {
    const tabbed = [...csvRecords(SAMPLE.replace(/HTC/g, 'U16'))].map((r) => r.fields.join('\t')).join('\r\n');
    const file = path.join(dir, 'unicode-text.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabbed, 'utf16le')]));
    const r = cli(['import', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^Đã nhập 8 hồ sơ trong /);
    expect(await t.db('dossiers').where({ code: 'U16.2026.000123' }).first()).toMatchObject({
      applicant_name: 'Nguyễn Thị Hoa',
      applicant_address: '12 đường Hòa Bình, phường Ninh Kiều',
    });
  });

  it('when the file does not exist, then it says so and exits 1', () => {
    const r = cli(['import', path.join(dir, 'none.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Không có tệp');
  });
});

describe.skipIf(process.env.TEST_DB !== 'pg')('an import next to live intakes on PostgreSQL', () => {
  // An import writes its dossiers in one transaction, and each dossier's trigger changes the desks' kept counts
  // (desk_counts). Taken in the order of its dossiers, those rows could be held by the import while an intake holding
  // another one waited for them: a deadlock. The import now takes every row of its desks first, in the key's order
  // (lockDeskCounts), as an intake takes its own two.
  let t: TestDb;
  beforeAll(async () => {
    t = await seeded();
  });
  afterAll(() => t.destroy());

  it('when an intake holds a count row of one of its desks and then needs one of another, then both finish', async () => {
    // 70 dossiers of the ward (every slot of its "processing" rows), then 70 received and handled by the department,
    // whose code sorts before the ward's.
    const line = (procedure: string, agency: string, i: number) => `,${procedure},${agency},in_person,Người nộp ${i},,,,,1,27/02/2026 10:05,,processing,,,,,`;
    const csv = [HEADER, ...Array.from({ length: 70 }, (_v, i) => line('2.000908', WARD, i)), ...Array.from({ length: 70 }, (_v, i) => line('1.012756', LAND, 100 + i))].join('\n');
    expect(LAND < WARD).toBe(true);
    const row = (agency: string) => t.db('desk_counts').where({ agency_code: agency, status: 'processing', way: 0, slot: 5 });
    for (const agency of [LAND, WARD]) await t.db('desk_counts').insert({ agency_code: agency, status: 'processing', way: 0, slot: 5, n: 0 }).onConflict(['agency_code', 'status', 'way', 'slot']).ignore();
    // The "intake": holds the department's row, as an intake at the department would between its two updates.
    const intake = await t.db.transaction();
    await intake.raw('SET LOCAL lock_timeout = 5000');
    await row(LAND).transacting(intake).increment('n', 0);
    const importing = runImport(t.db, csv);
    await new Promise((r) => setTimeout(r, 500));
    // The import waits for the department's row; the intake's next row, the ward's, must not be held by it.
    await row(WARD).transacting(intake).increment('n', 0);
    await intake.commit();
    const result = await importing;
    expect(result).toMatchObject({ ok: true, rows: 140, byStatus: { processing: 140 } });
    const sums: { agency_code: string; n: number | string }[] = await t.db('desk_counts').where({ status: 'processing' }).select('agency_code').sum({ n: 'n' }).groupBy('agency_code');
    const kept = Object.fromEntries(sums.map((r) => [r.agency_code, Number(r.n)]));
    expect(kept).toMatchObject({ [WARD]: 70, [LAND]: 70 });
  });
});

// The benchmark's data set: N dossiers received over the two years before `now`, with the rows the real
// service would have written for their histories (dossiers, dossier_events, dossier_states, dossier_sequences),
// written by bulk inserts instead of HTTP. The deadlines come from the same engine as the service
// (computeDue, moveClock) and the state intervals from the same function as the reports' tests (stateIntervals).
import type { Knex } from 'knex';
import { WorkCalendar } from '../../src/calendar/working-time';
import { loadEntries } from '../../src/calendar/repository';
import { insertRows, isSqlite } from '../../src/db/dialect';
import { activeProceduresByCode } from '../../src/catalog/repository';
import { stateIntervals } from '../../src/dossiers/lifecycle';
import { formatDossierCode, registerDay } from '../../src/dossiers/service';
import { mulberry32 } from '../../seeds/demo';
import { deferMonthEnds, refreshMonthEnds } from '../../src/reports/month-ends';
import { planDossier, receiptSampler, type BenchProcedure, type Desk } from './plan';

// ---------------------------------------------------------------------------------------------

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ', 'Phan', 'Đặng', 'Bùi', 'Đỗ'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Hữu', 'Thanh', 'Quốc', 'Kim'];
const GIVEN = ['An', 'Bình', 'Hoa', 'Lan', 'Nam', 'Phúc', 'Trang', 'Vy', 'Tâm', 'Khoa', 'Hân', 'Duyên', 'Khôi', 'Tú'];
const STREETS = ['Đường 30/4', 'Đường Trần Hưng Đạo', 'Đường Nguyễn Văn Cừ', 'Đường Mậu Thân', 'Đường 3/2', 'Đường Hòa Bình'];

/** Extra fields (with one procedure each) so the catalog has ~40 fields like a province's. */
export const EXTRA_FIELDS = 17;

export interface GenerateOptions {
  dossiers: number;
  now: Date;
  seed?: number;
  log?: (line: string) => void;
}

export interface GenerateSummary {
  dossiers: number;
  events: number;
  states: number;
  pending: number;
  late: number;
  withSupplement: number;
  withPause: number;
  transferred: number;
  agencies: number;
  fields: number;
  seconds: number;
}

const DOSSIER_COLUMNS = [
  'id', 'code', 'procedure_code', 'field_code', 'received_agency_code', 'agency_code', 'channel', 'applicant_name',
  'applicant_id_number', 'applicant_phone', 'applicant_email', 'applicant_address', 'sets', 'documents', 'received_at',
  'clock_start_at', 'duration_minutes', 'on_supplement', 'due_at', 'appointment_at', 'remaining_minutes', 'status',
  'finished_at', 'returned_at', 'outcome', 'outcome_reason', 'due_trace', 'version', 'created_by', 'created_at', 'updated_at',
] as const;
const EVENT_COLUMNS = ['dossier_id', 'type', 'at', 'actor_id', 'actor_name', 'data', 'recorded_at'] as const;
const STATE_COLUMNS = ['dossier_id', 'valid_from', 'valid_to', 'status', 'due_at', 'clock_running', 'agency_code'] as const;

/**
 * Fills a migrated database holding the seeded catalog and calendar (and no dossiers) with the data set.
 * Receipts are generated in time order, so ids grow with receivedAt as in real life.
 */
export async function generate(db: Knex, opts: GenerateOptions): Promise<GenerateSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const rnd = mulberry32(opts.seed ?? 7);
  const { now } = opts;

  // ~40 fields: the catalog's and bench-only ones, each with a communal procedure of a common duration.
  const fieldCount = Number((await db('fields').count({ n: '*' }).first())?.n ?? 0);
  if (!(await db('fields').where('code', 'like', 'BENCH_%').first())) {
    for (let i = 1; i <= EXTRA_FIELDS; i++) {
      const code = `BENCH_${String(i).padStart(2, '0')}`;
      await db('fields').insert({ code, name: `Lĩnh vực thử tải ${i}` });
      await db('procedures').insert({
        code: `BENCH.${String(i).padStart(3, '0')}`,
        name: `Thủ tục thử tải ${i}`,
        field_code: code,
        level: 'commune',
        agency_code: null,
        statutory_days: [3, 5, 7, 10, 15][i % 5],
        duration_value: [3, 5, 7, 10, 15][i % 5],
        duration_unit: 'working_days',
        on_supplement: i % 4 === 0 ? 'pause' : 'restart',
        active: true,
      });
    }
  }
  const procedures: BenchProcedure[] = await activeProceduresByCode(db);
  const agencies: { code: string; level: string; kind: string | null }[] = await db('agencies').select('code', 'level', 'kind').orderBy('code');
  const centre = agencies.find((a) => a.kind === 'service_centre') ?? agencies.find((a) => a.level === 'province')!;
  const communes = agencies.filter((a) => a.level === 'commune');
  // The centre takes the provincial procedures (~35% of the dossiers); communes the rest, some much busier than others.
  const desks: Desk[] = [
    { code: centre.code, weight: 0.35, procedures: procedures.filter((p) => p.agencyCode) },
    ...communes.map((a, i) => ({ code: a.code, weight: (0.65 * (1 / (1 + (i % 20)))) / communes.reduce((s, _c, j) => s + 1 / (1 + (j % 20)), 0), procedures: procedures.filter((p) => !p.agencyCode) })),
  ];
  const cumulative: number[] = [];
  desks.reduce((s, d, i) => (cumulative[i] = s + d.weight), 0);
  const pickDesk = () => {
    const x = rnd() * cumulative[cumulative.length - 1];
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return desks[lo];
  };
  const provincialAgencies = [...new Set(procedures.map((p) => p.agencyCode).filter((c): c is string => !!c))];

  const cal = new WorkCalendar({ entries: await loadEntries(db) });
  const from = new Date(now.getTime() - 730 * 86_400_000);
  const sample = receiptSampler(cal, from, now, rnd);

  // Users the benchmark logs in as (their passwords are set by the bench itself).
  const actor = { id: null as number | null, name: 'Cán bộ một cửa (dữ liệu thử tải)' };

  // Receipt instants first, sorted, so ids follow time.
  const receipts: { at: number; online: boolean }[] = [];
  for (let i = 0; i < opts.dossiers; i++) {
    const online = rnd() < 0.45;
    receipts.push({ at: sample(online).getTime(), online });
  }
  receipts.sort((a, b) => a.at - b.at);
  log(`  receipt instants: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const summary: GenerateSummary = {
    dossiers: opts.dossiers, events: 0, states: 0, pending: 0, late: 0, withSupplement: 0, withPause: 0, transferred: 0,
    agencies: agencies.length, fields: fieldCount + EXTRA_FIELDS, seconds: 0,
  };
  const sequences = new Map<string, number>();
  const nowIso = now.toISOString();
  const sqlite = isSqlite(db);
  const BATCH = 5000;
  let id = 0;
  for (let start = 0; start < receipts.length; start += BATCH) {
    const dossierRows: unknown[][] = [];
    const eventRows: unknown[][] = [];
    const stateRows: unknown[][] = [];
    for (const r of receipts.slice(start, start + BATCH)) {
      id += 1;
      const desk = pickDesk();
      const d = planDossier(rnd, cal, now, desk, provincialAgencies, new Date(r.at));
      const key = `${desk.code}|${registerDay(d.receivedAt)}`;
      const sequence = (sequences.get(key) ?? 0) + 1;
      sequences.set(key, sequence);
      const name = `${FAMILY[Math.floor(rnd() * FAMILY.length)]} ${MIDDLE[Math.floor(rnd() * MIDDLE.length)]} ${GIVEN[Math.floor(rnd() * GIVEN.length)]}`;
      const receivedIso = d.receivedAt.toISOString();
      const lastIso = d.events[d.events.length - 1].at.toISOString();
      dossierRows.push([
        id, formatDossierCode(desk.code, d.receivedAt, sequence), d.procedure.code, d.procedure.fieldCode, desk.code,
        d.agencyCode, d.channel, name, `092${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`,
        `09${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`, d.channel === 'online' ? `cong.dan${id}@example.vn` : null,
        `${1 + Math.floor(rnd() * 300)} ${STREETS[Math.floor(rnd() * STREETS.length)]}, Cần Thơ`, 1,
        'Đơn (tờ khai) theo mẫu\nGiấy tờ tùy thân của người nộp', receivedIso, d.clockStartAt.toISOString(),
        d.durationMinutes, d.procedure.onSupplement, d.dueAt.toISOString(), d.dueAt.toISOString(), d.remainingMinutes,
        d.status, d.finishedAt?.toISOString() ?? null, d.returnedAt?.toISOString() ?? null, d.outcome, d.outcomeReason,
        JSON.stringify(d.trace), d.events.length, actor.id, receivedIso, lastIso,
      ]);
      const events = d.events.map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data }));
      for (const e of events) eventRows.push([id, e.type, e.at, actor.id, actor.name, JSON.stringify(e.data), e.at]);
      for (const s of stateIntervals(events as { type: string; at: string; data: { dueAt?: string; toAgencyCode?: string } }[], {
        agencyCode: d.procedure.agencyCode ?? desk.code,
      })) {
        stateRows.push([id, s.validFrom, s.validTo, s.status, s.dueAt, sqlite ? (s.clockRunning ? 1 : 0) : s.clockRunning, s.agencyCode]);
      }
      if (!d.finishedAt) summary.pending += 1;
      if (d.status !== 'withdrawn' && (d.finishedAt ? d.finishedAt > d.dueAt : d.status === 'processing' && d.dueAt.toISOString() < nowIso)) summary.late += 1;
      if (d.events.some((e) => e.type === 'request_supplement')) summary.withSupplement += 1;
      if (d.events.some((e) => e.type === 'pause')) summary.withPause += 1;
      if (d.events.some((e) => e.type === 'transfer')) summary.transferred += 1;
    }
    await db.transaction(async (trx) => {
      // As an import does: PostgreSQL's triggers would rewrite a dossier's month-start rows once per interval.
      await deferMonthEnds(trx);
      await insertRows(trx, 'dossiers', DOSSIER_COLUMNS, dossierRows);
      await insertRows(trx, 'dossier_events', EVENT_COLUMNS, eventRows);
      await insertRows(trx, 'dossier_states', STATE_COLUMNS, stateRows);
      await refreshMonthEnds(trx, dossierRows.map((row) => row[0] as number));
    });
    summary.events += eventRows.length;
    summary.states += stateRows.length;
    if ((start / BATCH) % 20 === 0) log(`  ${id.toLocaleString('en')} dossiers, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const sequenceRows = [...sequences].map(([key, last]) => [...key.split('|'), last]);
  await db.transaction((trx) => insertRows(trx, 'dossier_sequences', ['agency_code', 'day', 'last'], sequenceRows));
  if (!sqlite) {
    await db.raw(`SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT MAX(id) FROM dossiers))`);
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

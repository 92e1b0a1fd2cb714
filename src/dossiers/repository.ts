import type { Knex } from 'knex';
import { containsPattern, isSqlite, nextCounter, selectRows, sqliteSnapshot, whereContains } from '../db/dialect';
import { whereReportCell } from '../reports/definitions';
import { reportWindow } from '../reports/period';
import { pendingCellRows, reportCellTotal, type ReportNumber } from '../reports/settlement';
import { catalogNames } from '../catalog/names';
import { isoLocal, localizeInstants } from '../shared/format';
import { toneSpellings, withoutMarksSql } from '../shared/marks';
import type { TraceStep } from '../calendar/working-time';
import type { LetterRow } from '../letters/draft';
import { LETTERS_OF_DOSSIER } from '../letters/repository';
import type { Channel, ListQuery } from './schema';
import { OPEN_STATUSES, STATUSES, type Status } from './status';

export interface DossierRow {
  id: number;
  code: string;
  procedure_code: string;
  field_code: string;
  received_agency_code: string;
  agency_code: string;
  channel: Channel;
  applicant_name: string;
  applicant_id_number: string | null;
  applicant_phone: string | null;
  applicant_email: string | null;
  applicant_address: string | null;
  sets: number;
  documents: string | null;
  received_at: string;
  clock_start_at: string;
  duration_minutes: number;
  on_supplement: 'restart' | 'pause';
  due_at: string;
  appointment_at: string;
  remaining_minutes: number | null;
  status: Status;
  finished_at: string | null;
  returned_at: string | null;
  outcome: 'approved' | 'refused' | null;
  outcome_reason: string | null;
  due_trace: string;
  version: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  /**
   * What named the intake that made it (its sender's user id, then the form's or the API client's key): one dossier
   * each. Intake always writes it (the PostgreSQL batch takes its columns from its first item); imports and the demo
   * leave it out.
   */
  intake_key?: string | null;
  // joined
  procedure_name?: string;
  field_name?: string;
  agency_name?: string;
  received_agency_name?: string;
}

export interface DossierEventRow {
  id: number;
  dossier_id: number;
  type: string;
  at: string;
  actor_id: number | null;
  actor_name: string;
  data: string;
  recorded_at: string;
}

/**
 * Late (SPEC §5): open with the clock running past dueAt, open with the clock stopped after dueAt had passed (awaiting
 * a supplement or paused: the minutes left it kept are negative, and waiting does not make it on time), or finished
 * after dueAt (an apology never changes that). The report's "pending overdue" is the first kind only: SPEC §6 counts
 * a stopped clock as within the deadline.
 */
export function isLate(row: Pick<DossierRow, 'status' | 'due_at' | 'finished_at' | 'remaining_minutes'>, now: Date): boolean {
  return lateAt(now)(row);
}

/**
 * isLate at one instant, for a page's rows: the instant is written as the rows' instants are once, not for every row
 * (a late list's 50 rows spent 30 µs writing it).
 */
export function lateAt(now: Date): (row: Pick<DossierRow, 'status' | 'due_at' | 'finished_at' | 'remaining_minutes'>) => boolean {
  const nowText = now.toISOString();
  return (row) => {
    // A withdrawal is never late: the citizen ended it, and SPEC §6 counts it as on time.
    if (row.status === 'withdrawn') return false;
    if (row.finished_at) return row.finished_at > row.due_at;
    if (row.status === 'processing') return row.due_at < nowText;
    return row.remaining_minutes !== null && row.remaining_minutes < 0;
  };
}

export function toDossierJson(row: ListRow, now: Date) {
  return {
    code: row.code,
    procedureCode: row.procedure_code,
    procedureName: row.procedure_name,
    fieldCode: row.field_code,
    agencyCode: row.agency_code,
    receivedAgencyCode: row.received_agency_code,
    channel: row.channel,
    applicant: {
      name: row.applicant_name,
      idNumber: row.applicant_id_number,
      phone: row.applicant_phone,
      email: row.applicant_email,
      address: row.applicant_address,
    },
    sets: row.sets,
    status: row.status,
    receivedAt: isoLocal(row.received_at),
    dueAt: isoLocal(row.due_at),
    appointmentAt: isoLocal(row.appointment_at),
    finishedAt: isoLocal(row.finished_at),
    outcome: row.outcome,
    late: isLate(row, now),
    version: row.version,
  };
}

export function toEventJson(e: DossierEventRow) {
  return { type: e.type, at: isoLocal(e.at), actor: e.actor_name, ...localizeInstants(JSON.parse(e.data)) };
}

export function parseTrace(row: DossierRow): TraceStep[] {
  return JSON.parse(row.due_trace) as TraceStep[];
}

/** The trace as the API shows it: instants with the +07:00 offset. */
export function traceJson(row: DossierRow) {
  return parseTrace(row).map((step) => localizeInstants(step));
}

/** The dossiers (or a WITH query `from` of their rows) as `d`, with the names of their codes. */
function withNames(db: Knex, from = 'dossiers') {
  return db(`${from} as d`)
    .join('procedures as p', 'p.code', 'd.procedure_code')
    .join('fields as f', 'f.code', 'd.field_code')
    .join('agencies as a', 'a.code', 'd.agency_code')
    .join('agencies as ra', 'ra.code', 'd.received_agency_code');
}

const NAMES = ['p.name as procedure_name', 'f.name as field_name', 'a.name as agency_name', 'ra.name as received_agency_name'];
const NAMED_COLUMNS = ['d.*', ...NAMES];
/**
 * A list row: every column but the due-date trace, which only the dossier's own page and API answer show.
 * The trace is the largest column and grows with every clock move; reading it for 50 rows cost more than the rest.
 */
export type ListRow = Omit<DossierRow, 'due_trace'>;
const LIST_COLUMNS: (keyof ListRow & string)[] = [
  'id', 'code', 'procedure_code', 'field_code', 'received_agency_code', 'agency_code', 'channel', 'applicant_name',
  'applicant_id_number', 'applicant_phone', 'applicant_email', 'applicant_address', 'sets', 'documents', 'received_at',
  'clock_start_at', 'duration_minutes', 'on_supplement', 'due_at', 'appointment_at', 'remaining_minutes', 'status',
  'finished_at', 'returned_at', 'outcome', 'outcome_reason', 'version', 'created_by', 'created_at', 'updated_at',
];
const LIST_SELECT = LIST_COLUMNS.map((c) => `d.${c}`);

/**
 * What a page's table of dossiers shows (the list page, the start page) and what tells whether each is late: a third
 * of a list row's columns. Making a row's values is most of what a list's statement costs once its rows are found:
 * the late list's 50 rows of the public service centre (1,000,000 dossiers, in a loop) 195 µs with the fifteen
 * columns these tables once read, 165 µs with these ten.
 */
const SUMMARY_COLUMNS = [
  'code', 'procedure_code', 'field_code', 'applicant_name', 'received_at', 'due_at', 'appointment_at', 'status', 'finished_at', 'remaining_minutes',
] as const satisfies readonly (keyof ListRow & string)[];
export type SummaryRow = Pick<ListRow, (typeof SUMMARY_COLUMNS)[number] | 'procedure_name' | 'field_name'>;
const SUMMARY_SELECT = SUMMARY_COLUMNS.map((c) => `d.${c}`);

export async function findDossier(db: Knex, code: string): Promise<DossierRow | null> {
  const row = await withNames(db).select(NAMED_COLUMNS).where('d.code', code).first();
  return (row as DossierRow) ?? null;
}

const DOSSIER_BY_CODE = 'SELECT d.* FROM dossiers d WHERE d.code = ? LIMIT 1';
const EVENTS_OF_DOSSIER = 'SELECT * FROM dossier_events WHERE dossier_id = ? ORDER BY id';

/**
 * The dossier by code with the names of its codes from the catalog's copy, as lists take them: for pages and API
 * answers read outside a transaction (on PostgreSQL, planning findDossier's five-table join cost more than running
 * it). Inside a transaction use findDossier: loading the copy there could wait for the connection the transaction
 * holds (SQLite has one).
 */
export async function readDossier(db: Knex, code: string): Promise<DossierRow | null> {
  const [row] = await selectRows<DossierRow>(db, DOSSIER_BY_CODE, [code]);
  return row ? (await withCatalogNames(db, [row]))[0] : null;
}

/**
 * The dossier page's rows: the dossier as readDossier reads it, its events in order (as listEvents) and its letters
 * in order (as letters/repository.ts lettersOfDossier), all three from one snapshot.
 * - PostgreSQL: one statement, the two lists as JSON (their columns are integers and text, which JSON gives back as
 *   they are). Three statements were three round trips, and on PostgreSQL the app's CPU per round trip is what
 *   limits its pages.
 * - SQLite: the three statements in the process, in one read transaction (db/dialect.ts sqliteSnapshot).
 */
const DOSSIER_PAGE_PG =
  'SELECT d.*, ' +
  "(SELECT coalesce(json_agg(e ORDER BY e.id), '[]') FROM dossier_events e WHERE e.dossier_id = d.id) AS page_events, " +
  "(SELECT coalesce(json_agg(l ORDER BY l.seq), '[]') FROM letters l WHERE l.dossier_id = d.id) AS page_letters " +
  'FROM dossiers d WHERE d.code = ? LIMIT 1';

export async function readDossierPage(db: Knex, code: string): Promise<{ row: DossierRow; events: DossierEventRow[]; letters: LetterRow[] } | null> {
  if (isSqlite(db)) {
    const found = await sqliteSnapshot(db, (read) => {
      const [row] = read<DossierRow>(DOSSIER_BY_CODE, [code]);
      return row && { row, events: read<DossierEventRow>(EVENTS_OF_DOSSIER, [row.id]), letters: read<LetterRow>(LETTERS_OF_DOSSIER, [row.id]) };
    });
    return found ? { ...found, row: (await withCatalogNames(db, [found.row]))[0] } : null;
  }
  const [found] = await selectRows<DossierRow & { page_events: DossierEventRow[]; page_letters: LetterRow[] }>(db, DOSSIER_PAGE_PG, [code]);
  if (!found) return null;
  const { page_events: events, page_letters: letters, ...row } = found;
  return { row: (await withCatalogNames(db, [row as DossierRow]))[0], events, letters };
}

/** The dossier an intake key made, if any (migration 20261204003500_intake_keys). */
export async function readDossierByIntakeKey(db: Knex, intakeKey: string): Promise<DossierRow | null> {
  const [row] = await selectRows<DossierRow>(db, 'SELECT d.* FROM dossiers d WHERE d.intake_key = ? LIMIT 1', [intakeKey]);
  return row ? (await withCatalogNames(db, [row]))[0] : null;
}

export async function listEvents(db: Knex, dossierId: number): Promise<DossierEventRow[]> {
  return selectRows<DossierEventRow>(db, EVENTS_OF_DOSSIER, [dossierId]);
}

/**
 * A received dossier's row and its first state interval (see appendState). The first state is the current one: the
 * row carries its start already, so the trigger that keeps state_from has nothing to write (migration 1300).
 */
function firstRows(d: Omit<DossierRow, 'id' | 'code'>) {
  const state = {
    valid_from: d.received_at,
    valid_to: null,
    status: d.status,
    due_at: d.due_at,
    clock_running: d.status === 'processing',
    agency_code: d.agency_code,
  };
  return { row: { ...d, state_from: state.valid_from }, state };
}

/**
 * Writes received dossiers, each with the next register number of its desk's day (`format` makes the code of a
 * number), its receive event and its first state interval, numbered in the order given, all or nothing; returns them
 * as findDossier reads them, in that order. The intake's group commit (dossiers/service.ts) sends the intakes that
 * wait together, so that one durable commit serves them all.
 * - SQLite: one transaction (writeReceived for each).
 * - PostgreSQL: one statement (receivedBatchPg); the dossiers must share one register counter (desk and day).
 */
export function insertReceivedDossiers(db: Knex, items: readonly ReceivedDossier[]): Promise<DossierRow[]> {
  if (!isSqlite(db)) return receivedBatchPg(db, items);
  return db.transaction(async (trx) => {
    const rows: DossierRow[] = [];
    for (const item of items) rows.push(await writeReceived(trx, item));
    return rows;
  });
}

/**
 * PostgreSQL: received dossiers of one register counter in one statement, committed on its own.
 *
 * The counter row stays locked until the commit and every other intake at the desk waits for it, so no round trip
 * happens while it is held: the counter moves by the batch's size, and the dossiers, their receive events and first
 * states are written from JSON arrays (`jsonb_populate_recordset` types each value as its table's column), joined by
 * their position in the batch. The code is built in SQL by registerCodeSql, which the tests hold to `format`.
 * One busy desk, 32 clients: a transaction of seven statements per intake made 154–188 intakes/s, one statement per
 * intake 255–315; the intake service sends the intakes that wait together as one batch (dossiers/service.ts).
 */
async function receivedBatchPg(db: Knex, items: readonly ReceivedDossier[]): Promise<DossierRow[]> {
  const { counter } = items[0];
  if (items.some((i) => i.counter.agencyCode !== counter.agencyCode || i.counter.day !== counter.day)) {
    throw new Error('a batch of intakes shares one register counter');
  }
  const firsts = items.map((i) => firstRows(i.dossier));
  const columns = Object.keys(firsts[0].row);
  const eventColumns = Object.keys(items[0].event);
  const stateColumns = Object.keys(firsts[0].state);
  const list = (names: string[], table = '') => names.map((c) => `${table}${c}`).join(', ');
  const code = registerCodeSql(counter.format, '(n.base + v.ordinality)');
  const sql =
    `WITH n AS (INSERT INTO dossier_sequences (agency_code, day, last) VALUES (?, ?, ?) ` +
    `ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequences.last + EXCLUDED.last RETURNING last - ? AS base), ` +
    `v AS (SELECT ${list(columns, 'v.')}, v.ordinality AS k, ${code.sql} AS new_code ` +
    `FROM jsonb_populate_recordset(NULL::dossiers, ?::jsonb) WITH ORDINALITY AS v CROSS JOIN n), ` +
    `d AS (INSERT INTO dossiers (${list(columns)}, code) SELECT ${list(columns)}, new_code FROM v ORDER BY k RETURNING *), ` +
    `e AS (INSERT INTO dossier_events (dossier_id, ${list(eventColumns)}) SELECT d.id, ${list(eventColumns, 'x.')} ` +
    `FROM jsonb_populate_recordset(NULL::dossier_events, ?::jsonb) WITH ORDINALITY AS x JOIN v ON v.k = x.ordinality JOIN d ON d.code = v.new_code), ` +
    `s AS (INSERT INTO dossier_states (dossier_id, ${list(stateColumns)}) SELECT d.id, ${list(stateColumns, 'x.')} ` +
    `FROM jsonb_populate_recordset(NULL::dossier_states, ?::jsonb) WITH ORDINALITY AS x JOIN v ON v.k = x.ordinality JOIN d ON d.code = v.new_code) ` +
    `SELECT ${NAMED_COLUMNS.join(', ')} FROM d JOIN v ON v.new_code = d.code ` +
    'JOIN procedures p ON p.code = d.procedure_code JOIN fields f ON f.code = d.field_code ' +
    'JOIN agencies a ON a.code = d.agency_code JOIN agencies ra ON ra.code = d.received_agency_code ORDER BY v.k';
  const rows = await selectRows<DossierRow>(db, sql, [
    counter.agencyCode,
    counter.day,
    items.length,
    items.length,
    ...code.bindings,
    JSON.stringify(firsts.map((f) => f.row)),
    JSON.stringify(items.map((i) => i.event)),
    JSON.stringify(firsts.map((f) => f.state)),
  ]);
  if (rows.length !== items.length) throw new Error(`the intake statement returned ${rows.length} rows for ${items.length} dossiers`);
  return rows;
}

/** What insertReceivedDossiers writes for one dossier. */
export interface ReceivedDossier {
  dossier: Omit<DossierRow, 'id' | 'code'>;
  event: Omit<DossierEventRow, 'id' | 'dossier_id'>;
  counter: { agencyCode: string; day: string; format: (sequence: number) => string };
}

/** SQLite: the next register number, the dossier, its receive event and its first state, inside `trx`. */
async function writeReceived(trx: Knex.Transaction, { dossier, event, counter }: ReceivedDossier): Promise<DossierRow> {
  const { row, state } = firstRows(dossier);
  const code = counter.format(await nextCounter(trx, 'dossier_sequences', { agency_code: counter.agencyCode, day: counter.day }));
  const [inserted] = await trx('dossiers').insert({ ...row, code }).returning('id');
  const id = typeof inserted === 'object' ? inserted.id : inserted;
  await trx('dossier_events').insert({ ...event, dossier_id: id });
  await trx('dossier_states').insert({ ...state, dossier_id: id });
  return (await findDossier(trx, code))!;
}

/**
 * PostgreSQL for the register code `format` gives the number in `numberSql`: the zero-padded number after the
 * fixed prefix, growing past its width rather than wrapping.
 */
function registerCodeSql(format: (sequence: number) => string, numberSql: string): { sql: string; bindings: (string | number)[] } {
  const zero = format(0);
  const prefix = zero.replace(/0+$/, '');
  const digits = zero.length - prefix.length;
  return {
    sql: `? || CASE WHEN ${numberSql} < ? THEN lpad(${numberSql}::text, ?, '0') ELSE ${numberSql}::text END`,
    bindings: [prefix, 10 ** digits, digits],
  };
}

export async function insertEvent(trx: Knex.Transaction, event: Omit<DossierEventRow, 'id'>): Promise<void> {
  await trx('dossier_events').insert(event);
}

export interface ListScope {
  /** null = every agency */
  agencyCode: string | null;
  now: Date;
  /** the instant one working day after now, for "due soon" */
  dueSoonUntil: Date;
}

/**
 * Which ways of being late (SPEC §5) the status filter leaves possible: open — running past the deadline, or stopped
 * after it had passed — and finished after it.
 */
function lateBranches(query: ListQuery): { running: boolean; stopped: ('awaiting_supplement' | 'paused')[]; finished: ('resolved' | 'returned')[] } {
  const allowed = (s: Status) => !query.status || query.status === s || (query.status === 'open' && OPEN_STATUSES.includes(s));
  return {
    running: allowed('processing'),
    stopped: (['awaiting_supplement', 'paused'] as const).filter(allowed),
    finished: (['resolved', 'returned'] as const).filter(allowed),
  };
}

/** Some open dossier can be late under the status filter: running, or stopped after its deadline. */
const openLateWay = (ways: ReturnType<typeof lateBranches>) => ways.running || ways.stopped.length > 0;

/**
 * The open and late under the status filter's ways: all of them as the condition of the index of the open dossiers by
 * deadline (OPEN_LATE_ROWS; a stopped one's deadline is behind its stop, so behind now), those in progress, or those
 * stopped with negative minutes left.
 */
function whereOpenLate(q: Knex.QueryBuilder, ways: ReturnType<typeof lateBranches>, nowIso: string): Knex.QueryBuilder {
  if (ways.running && ways.stopped.length === 2) return q.whereRaw(OPEN_LATE_ROWS).where('d.due_at', '<', nowIso);
  if (ways.running) return q.whereRaw(IN_PROGRESS).where('d.due_at', '<', nowIso);
  return q.whereIn('d.status', ways.stopped).where('d.remaining_minutes', '<', 0);
}

/** The statuses the list's status filter allows: one, the open ones, or all. */
function statusesOf(query: ListQuery): readonly Status[] {
  return query.status === 'open' ? OPEN_STATUSES : query.status ? [query.status] : STATUSES;
}

/** Late in both ways, open and finished: the list is the union of two lists, one per way, each with every other filter. */
const bothWaysLate = (query: ListQuery) => {
  const ways = lateBranches(query);
  return !!query.late && openLateWay(ways) && ways.finished.length > 0;
};

/**
 * The ids of the late dossiers under the other filters, as the union of the running late ones (a range of the
 * (status, due_at) indexes) and the finished late ones (their partial index, migration
 * 20261130001600_finished_late_index). Written as one "running late OR finished late", the late list of a desk read
 * every dossier of the desk: 2.6 s for the public service centre at 1,000,000 dossiers on SQLite, 4.7 s for an admin.
 */
function lateIds(db: Knex, query: ListQuery, scope: ListScope, columns: string[] = ['d.id']): Knex.QueryBuilder {
  const rest = { ...query, late: undefined };
  const branch = (way: (b: Knex.QueryBuilder) => void) => {
    const b = applyListFilters(db, db('dossiers as d').select(columns), rest, scope);
    way(b);
    return b;
  };
  const ways = lateBranches(query);
  return branch((b) => whereOpenLate(b, ways, scope.now.toISOString())).unionAll(
    branch((b) => b.whereIn('d.status', ways.finished).whereRaw('d.finished_at > d.due_at')),
  );
}

/**
 * The page's ids of a list of the late in both ways by deadline, sorted from the deadlines the union's two indexes hold
 * (the dossiers in progress, migration 20261202002200, on SQLite; the finished late, 20261130001600): asked as "the
 * dossiers whose id is among the late, by deadline", each of them was looked up in the table for its deadline, the
 * public service centre's 5,364 in 25 ms on SQLite. Null for other lists.
 */
function latePage(db: Knex, query: ListQuery, scope: ListScope, column: string, order: 'asc' | 'desc', offset: number): Knex.QueryBuilder | null {
  if (!bothWaysLate(query) || column !== 'd.due_at' || query.q || query.report) return null;
  return keyedPage(db.from(lateIds(db, query, scope, ['d.id', 'd.due_at as sort_key']).as('late')), 'late', order, query.pageSize, offset);
}

/**
 * The page's ids from rows of (id, sort_key) named `alias`, in the list's order: the key, then the id. The lists whose
 * page is sorted from keys read first (runsPage, latePage, resolvedLatePage). The page's size and start are written
 * into the SQL (see listOf).
 */
function keyedPage(rows: Knex.QueryBuilder, alias: string, order: 'asc' | 'desc', pageSize: number, offset: number): Knex.QueryBuilder {
  return rows
    .select(`${alias}.id`)
    .orderBy([{ column: `${alias}.sort_key`, order }, { column: `${alias}.id`, order: 'asc' }])
    .limit(pageSize, { skipBinding: true })
    .offset(offset, { skipBinding: true });
}

/**
 * The page's ids of a report cell's resolved late, sorted from the cell's own dossiers, read first (a few thousand
 * for a year of a department). Asked for its first 50 in the order of receipt, PostgreSQL walked the receipt index
 * newest first and checked every dossier it passed: the busiest department's 2025 passed 494,000 of the bench's
 * 1,000,000 (3.6 s; with the scope's "received before the end", 37,000 from the end: 41 ms). Null for other lists.
 */
function resolvedLatePage(db: Knex, query: ListQuery, scope: ListScope, column: string, order: 'asc' | 'desc', offset: number): Knex.QueryBuilder | null {
  if (!readsFinishedLate(query)) return null;
  const cell = applyListFilters(db, db.from(dossiersTable(db, query)), query, scope).select('d.id', `${column} as sort_key`);
  return keyedPage(db.withMaterialized('cell', cell).from('cell'), 'cell', order, query.pageSize, offset);
}

/**
 * On SQLite, the page of a report's number (under no other filter) newest first, looked for among the
 * receiptWalkBound dossiers received last before the period's end, walked back in the receipt index and each checked
 * against the cell. Among the N received last, the cell's dossiers are its newest: the first k of them found are the
 * cell's first k (any other was received before all N). So the walk gives the page when it finds the dossiers up to
 * the page's end, or the cell's last one (`total`, the report's number, reportedTotal); otherwise (null) the page is
 * read as SQLite plans it, and the walk cost its look-ups (about 0.8 µs each).
 * A desk's numbers are many among the city's dossiers received last: on the bench's 1,000,000 the busiest
 * department's on time of 2025 (16,509) fill a first page within 1,500 dossiers, 4-12 ms, where SQLite read the
 * department's 263,000 dossiers and sorted them (270-400 ms); a month's received at a desk take 5-10 ms against 20-33.
 * Not the overdue at the end: those are few and were received long before it, and the walk would pass its bound
 * without finding them (nor the resolved late, whose total is not the report's: they are listed from their own index).
 */
async function reportCellByReceiptWalk(
  db: Knex,
  query: ListQuery,
  scope: ListScope,
  cell: ReportNumber,
  order: 'asc' | 'desc',
  offset: number,
  total: number,
): Promise<number[] | null> {
  if (!isSqlite(db) || order !== 'desc' || cell.column === 'pending.overdue') return null;
  const want = Math.min(offset + query.pageSize, total);
  if (want <= offset) return [];
  // The walk starts where the cell's receipts end: the carried over were received before the period's start, and from
  // its end the walk's dossiers were all received within the period (a desk's October 22-28 ms, from its start 9-13).
  const w = reportWindow(cell.from, cell.to, scope.now);
  const top = cell.column === 'received.carriedOver' ? w.start : w.end;
  /** The cell's first `want` dossiers among the `within` received last before `top`, newest first. */
  const walk = async (within: number): Promise<number[]> => {
    const bound = db.raw(
      `COALESCE((SELECT received_at FROM dossiers INDEXED BY dossiers_received_at_index WHERE received_at < ? ORDER BY received_at DESC LIMIT 1 OFFSET ${within}), '')`,
      [top],
    );
    const rows: { id: number }[] = await applyListFilters(db, db.from(db.raw('dossiers AS d INDEXED BY dossiers_received_at_index')), query, scope)
      .where('d.received_at', '>=', bound)
      .select('d.id')
      .orderBy([{ column: 'd.received_at', order: 'desc' }, { column: 'd.id', order: 'asc' }])
      .limit(want, { skipBinding: true });
    return rows.map((r) => r.id);
  };
  const { receiptWalkBound: bound, receiptWalkDeepBound: deepBound } = listPlanning;
  const first = await walk(bound);
  if (first.length >= want) return first.slice(offset);
  // A page further on: the first walk found k of the cell's dossiers among `bound`, so at that density its end lies
  // about want × bound / k back, walked again if not too far (a department's thirtieth page of its year on time:
  // 265-290 ms read as SQLite plans it, 74-90 ms so). The density just before the end is the cell's lowest (the
  // dossiers received last are the least finished), so the guess errs long, and a long guess is not walked. Found
  // fewer than a few, the density is no guess at all.
  if (offset === 0 || first.length < 8) return null;
  const reach = Math.ceil((want * bound) / first.length);
  if (reach > deepBound) return null;
  const again = await walk(Math.min(deepBound, 2 * reach));
  return again.length >= want ? again.slice(offset) : null;
}

/** A report cell's resolved late, read from the index of the finished late: not with a search, nor both ways late. */
const readsFinishedLate = (query: ListQuery) => query.report === 'resolved.late' && !query.q && !bothWaysLate(query);

/**
 * The table a list reads its dossiers from, and on SQLite, for a report cell's resolved, the index it reads them from,
 * which SQLite does not choose by itself:
 * - the resolved late, from the index of the finished late (migration 20261130001600): SQLite read every dossier
 *   finished in the period from the report index, or every finished dossier of the desk from its own index, to keep
 *   the few late ones (the busiest department's resolved late of 2025 on the bench's 1,000,000: 2,029 dossiers, 350 ms
 *   for the page; from the index of all 15,203 finished late, 4-5 ms);
 * - the other resolved of a period up to a quarter, from the report index, which holds the finish instant first: for a
 *   commune SQLite read all of the commune's 33,000 dossiers from its desk's index, whatever the period (265-280 ms;
 *   from the report index a month's 17-23 ms, a quarter's 76-91 ms). The report index costs about 20 ms a month of
 *   the city's finished dossiers, so a year (380-490 ms) is left to SQLite's choice (a commune's 150-165 ms).
 * Not with a search (its own index) nor the union of both ways of being late (which reads the dossiers by their ids).
 */
function dossiersTable(db: Knex, query: ListQuery): string | Knex.Raw {
  if (!isSqlite(db) || !query.report?.startsWith('resolved.') || query.q || bothWaysLate(query)) return 'dossiers as d';
  if (query.report === 'resolved.late') return db.raw('dossiers AS d INDEXED BY dossiers_finished_late_idx');
  return periodDays(query) <= SHORT_PERIOD_DAYS ? db.raw('dossiers AS d INDEXED BY dossiers_report_idx') : 'dossiers as d';
}

/** The days of a report's period, its first and last included. */
const periodDays = (p: { from?: string; to?: string }) => (Date.parse(p.to ?? '') - Date.parse(p.from ?? '')) / 86_400_000 + 1;

/**
 * A quarter's days at most: the resolved of such a period are read from the report index on SQLite (dossiersTable), and
 * the whole city's numbers of such a period are counted rather than taken from its report (reportedTotal).
 */
const SHORT_PERIOD_DAYS = 92;

/**
 * "In progress", and "open and maybe late": in progress, or stopped after the deadline had passed. The second is the
 * condition of the index of the open dossiers by deadline (migration 20261203002900_open_late_index), and the first
 * one side of it: SQLite uses a partial index only for a statement that holds its condition, or one side of an OR of
 * it, as written, not as bound values.
 */
const IN_PROGRESS = "d.status = 'processing'";
const OPEN_LATE_ROWS = "(d.status = 'processing' OR (d.status IN ('awaiting_supplement', 'paused') AND d.remaining_minutes < 0))";

/**
 * The lists of dossiers in progress by deadline — running late, due soon — under any other filters but a search or a
 * report's cell. On SQLite their page is read in one walk of the index of the dossiers in progress, which holds the
 * lists' order and every column of a list row: the late list of the public service centre (1M data set, with the CPU's
 * caches emptied between runs as a page's work does) 444-461 µs as the page's ids and then their rows, 300-350 µs in
 * one walk.
 */
function inProgressByDeadline(query: ListQuery, column: string): boolean {
  return column === 'd.due_at' && readsOpenDue(query);
}

/**
 * The running late and the due soon, under any other filters but a search or a report's cell: what the index of the
 * dossiers in progress by deadline holds (its condition is among the list's filters). Not the stopped alone (a status
 * filter of one of them): bound statuses the index's condition does not hold.
 */
function readsOpenDue(query: ListQuery): boolean {
  if (query.q || query.report) return false;
  return !!query.dueSoon || (!!query.late && !bothWaysLate(query) && lateBranches(query).running);
}

/** Filters shared by the list page, the API and the drill-downs. */
export function applyListFilters(db: Knex, q: Knex.QueryBuilder, query: ListQuery, scope: ListScope): Knex.QueryBuilder {
  if (bothWaysLate(query)) return q.whereIn('d.id', lateIds(db, query, scope));
  const nowIso = scope.now.toISOString();
  if (query.report) {
    // The dossiers behind one number of the report: the agencies (the user's, the one asked for) are the
    // ones the report counts each dossier for, not the current handler.
    const agencyCodes = [scope.agencyCode, query.agencyCode].filter((c): c is string => !!c);
    whereReportCell(db, q, { column: query.report, from: query.from ?? '', to: query.to ?? '', agencyCodes, basis: query.agencyBasis ?? 'handling' }, scope.now);
  } else {
    if (scope.agencyCode !== null) {
      const code = scope.agencyCode;
      q.where((w) => w.where('d.agency_code', code).orWhere('d.received_agency_code', code));
    }
    if (query.agencyCode) {
      const code = query.agencyCode;
      q.where('d.agency_code', code);
    }
  }
  // The running late and the due soon are dossiers in progress (below): a status filter that lets those through says
  // nothing more, and SQLite would seek the desk's indexes by it. For the open late list ("in an open status, and in
  // progress") it sought each open status's range of past deadlines and dropped all it found there: at the public
  // service centre 4,718 dossiers awaiting a supplement, 0.55-1.1 ms a request against 0.23-0.47 ms without.
  const statusImplied = (!!query.late && openLateWay(lateBranches(query))) || (!!query.dueSoon && lateBranches(query).running);
  if (!statusImplied) {
    if (query.status === 'open') q.whereIn('d.status', OPEN_STATUSES);
    else if (query.status) q.where('d.status', query.status);
  }
  if (query.fieldCode) q.where('d.field_code', query.fieldCode);
  if (query.procedureCode) q.where('d.procedure_code', query.procedureCode);
  if (query.late) {
    // One way of being late at most here (both: lateIds). "Open and late" stays one range of the (status, due_at)
    // index, not a look at every finished dossier.
    const ways = lateBranches(query);
    if (openLateWay(ways)) whereOpenLate(q, ways, nowIso);
    else if (ways.finished.length) q.whereIn('d.status', ways.finished).whereRaw('d.finished_at > d.due_at');
    else q.whereRaw('1 = 0');
  }
  if (query.dueSoon) {
    q.whereRaw(IN_PROGRESS).where('d.due_at', '>=', nowIso).where('d.due_at', '<=', scope.dueSoonUntil.toISOString());
  }
  // Local dates (UTC+7) of the deadline, and whether the dossier has an issued / no issued / a draft apology letter.
  if (query.dueFrom) q.where('d.due_at', '>=', new Date(`${query.dueFrom}T00:00:00+07:00`).toISOString());
  if (query.dueTo) q.where('d.due_at', '<', new Date(new Date(`${query.dueTo}T00:00:00+07:00`).getTime() + 86_400_000).toISOString());
  const letterOfDossier = (status: 'issued' | 'draft') => (s: Knex.QueryBuilder) =>
    s.select(db.raw('1')).from('letters as l').whereRaw('l.dossier_id = d.id').where('l.status', status);
  if (query.letter === 'not_issued') {
    q.whereNotExists(letterOfDossier('issued'));
  } else if (query.letter) {
    const status = query.letter;
    if (startsFromLetters(query)) {
      // From the letters to their dossiers. Drafts are few (open dossiers near or past their deadline), and issued
      // letters one or two per late dossier: asking each of a desk's dossiers for its letters instead read 350,000
      // dossiers of the bench's 1,000,000 for the public service centre (1.3 s on SQLite; now 60 ms).
      q.whereIn('d.id', db('letters as l').select('l.dossier_id').where('l.status', status));
    } else {
      // The deadline's range picks fewer dossiers than there are issued letters: ask those dossiers.
      q.whereExists(letterOfDossier(status));
    }
  }
  if (query.q) whereSearch(db, q, query.q, query as PlannedQuery);
  return q;
}

/**
 * The list is found from the letters to their dossiers (applyListFilters): those with a draft, or with an issued
 * letter and no deadline to start from.
 */
function startsFromLetters(query: ListQuery): boolean {
  if (query.letter === 'draft') return true;
  return query.letter === 'issued' && !(query.late || query.dueSoon || query.dueFrom || query.dueTo || query.report);
}

/**
 * A list's query as the repository asks it. `denseSearch`: on SQLite, the search matches so many dossiers that the
 * list is read from the indexes of its other filters (the desk's, the status's, the receipt order's), each dossier
 * checked against the search's matches, rather than by looking every match up in the table. `shortTrigrams`: a
 * search of one or two characters few dossiers hold is found from the trigrams that contain it (planShortSearch).
 */
type PlannedQuery = ListQuery & { denseSearch?: boolean; shortTrigrams?: string[] };

/**
 * The thresholds of the list's plans on SQLite (and of the short searches' on both databases), from the bench's
 * measurements; tests change them to ask a small database each way.
 *
 * `denseSearchFrom`: from how many matches a search is dense. Looking a match up costs 1.7-3 µs (its row is anywhere
 * in the file): 240 ms for a given name shared by 143,000 of the bench's 1,000,000 dossiers, whatever the desk. Read
 * the other way, a commune's 33,000 dossiers take 28 ms and a first page in the order of receipt 14 ms, but a search
 * that matches one dossier then reads the whole desk (45 ms for the public service centre's 350,000, 52 ms for all
 * 1,000,000) where its one look-up took 5 ms. Around 20,000 matches both ways cost about the same for the biggest desk.
 */
export const listPlanning = {
  denseSearchFrom: 20_000,
  /**
   * A search of one or two characters (planShortSearch) is found from the trigrams holding it when they are at most
   * `shortSearchTrigrams`, and fewer than `shortSearchDenseFrom` of `shortSearchSample` dossiers spread over all the
   * years hold it (2%: some 20,000 of the bench's 1,000,000). Otherwise it is a letter or two most values hold ("a", "09", "Tú").
   */
  shortSearchTrigrams: 400,
  shortSearchSample: 250,
  shortSearchDenseFrom: 5,
  /** receiptWalk: the share of the list's dossiers a walk may read (sorting one costs ~0.15 of reading one). */
  receiptWalkShare: 0.15,
  /** reportCellByReceiptWalk: among how many of the dossiers received last before a period's end a page is looked for, */
  receiptWalkBound: 20_000,
  /** and at most, for a page further on. */
  receiptWalkDeepBound: 100_000,
  /** How many matches of a search a page counts (cappedSearch). */
  searchCap: 1_000,
};

/** Whether the trigram indexes can find a text: it holds a trigram, 3 characters or more. */
const trigramsServe = (text: string): boolean => [...text].length >= 3;

/**
 * The query with its search's plan: one or two characters, from the trigrams holding them or not (planShortSearch); on
 * SQLite, three or more, dense or not, from a count of the search's matches in its trigram table (a few ms).
 */
export async function planSearch(db: Knex, query: ListQuery): Promise<PlannedQuery> {
  if (!query.q) return query;
  if (!trigramsServe(query.q)) return planShortSearch(db, query, query.q);
  if (!isSqlite(db)) return query;
  const limit = listPlanning.denseSearchFrom;
  const [row] = await selectRows<{ n: number }>(db, `SELECT count(*) AS n FROM (${FTS_MATCHES} LIMIT ?)`, [ftsAny(toneSpellings(query.q)), limit]);
  return row.n >= limit ? { ...query, denseSearch: true } : query;
}

/**
 * A search of one or two characters, shorter than the trigram indexes' terms. A value of three characters or more
 * contains the text only within one of its trigrams, and the vocabulary of every trigram the dossiers' values hold
 * (migration 20261202002600_search_trigrams) names those that contain it: "zq" a handful or none, "an" hundreds in a
 * real city. When they are few and the text is rare in a sample of the dossiers (spreadIds), the dossiers holding one of
 * them, or a value of one or two characters, are looked up in the indexes (whereSearch) and checked against the text.
 * Otherwise the text is one many dossiers hold, and the desk's dossiers are read in order until a page's matches are
 * found, as before: quick because they are many. Two letters no dossier holds read the whole desk that way (the bench's
 * public service centre, 350,000 dossiers: 1.3-2.4 s on SQLite, 2.1 s on PostgreSQL); from the vocabulary 4-6 ms and
 * 6-11 ms, the plan's two small statements included.
 */
async function planShortSearch(db: Knex, query: ListQuery, text: string): Promise<PlannedQuery> {
  const most = listPlanning.shortSearchTrigrams;
  const found = await db('search_trigrams as t')
    .where((w) => whereContains(db, w, 't.trigram', text))
    .select('t.trigram')
    .limit(most + 1, { skipBinding: true });
  if (found.length > most) return query;
  // No trigram holds it: only the values of one or two characters can, and looking them up costs nothing.
  if (!found.length) return { ...query, shortTrigrams: [] };
  const [{ n }] = await db('dossiers as d').whereRaw(`d.id IN (${spreadIds(db)})`).where((w) => whereText(db, w, text)).count({ n: '*' });
  if (Number(n) >= listPlanning.shortSearchDenseFrom) return query;
  return { ...query, shortTrigrams: found.map((r: { trigram: string }) => r.trigram) };
}

/**
 * The ids of listPlanning.shortSearchSample dossiers spread evenly from the first to the last (all of them when there
 * are fewer): a sample of every year, not of the dossiers received last, which may all be alike (one day's intakes, a
 * batch imported). The bench's intakes, every applicant named alike, made "an" look rare after a run: looked up through
 * its trigrams, over 600,000 dossiers, it then took 14-21 s on PostgreSQL.
 */
function spreadIds(db: Knex): string {
  const last = listPlanning.shortSearchSample - 1;
  // The first and last ids each by its own subquery: asked together, SQLite read a whole index for them (130 ms).
  const ends = '(SELECT min(id) FROM dossiers) AS lo, (SELECT max(id) FROM dossiers) AS hi';
  return isSqlite(db)
    ? `WITH RECURSIVE g(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM g WHERE k < ${last}) SELECT lo + (k * (hi - lo)) / ${last} FROM g, (SELECT ${ends})`
    : `SELECT lo + (k * (hi - lo)) / ${last} FROM generate_series(0, ${last}) AS k, (SELECT ${ends}) AS b`;
}

/** The columns the search reads. */
const SEARCHED = ['code', 'applicant_name', 'applicant_id_number', 'applicant_phone'] as const;

/** "Contains, in any case" on one of the searched columns, read one by one. */
function whereText(db: Knex, q: Knex.QueryBuilder, text: string): void {
  q.where((w) => {
    for (const column of SEARCHED) whereContains(db, w, `d.${column}`, text);
  });
}

/**
 * The four columns the search reads and the applicant's name without marks, joined by a character no search holds,
 * as PostgreSQL's trigram index (migration 20261203003000_search_without_marks) is built on exactly this expression:
 * "contains" on it is "contains" on one of the columns, or on the name as typed without marks.
 */
const SEARCH_SEPARATOR = '\u001f';
const SEARCH_TEXT_PG =
  "(coalesce(d.code, '') || E'\\x1f' || coalesce(d.applicant_name, '') || E'\\x1f' || " +
  "coalesce(d.applicant_id_number, '') || E'\\x1f' || coalesce(d.applicant_phone, '') || E'\\x1f' || " +
  `${withoutMarksSql("coalesce(d.applicant_name, '')", 'pg')})`;
/** "Contains" on that expression, which its trigram index answers; bound to containsPattern(text). */
const SEARCH_TEXT_PG_CONTAINS = `${SEARCH_TEXT_PG} ILIKE ? ESCAPE '\\'`;

/** The ids of the dossiers an FTS5 query (bound) matches. */
const FTS_MATCHES = 'SELECT rowid FROM dossier_search WHERE dossier_search MATCH ?';

/** An FTS5 string: the text between double quotes (doubled inside), so nothing in it is query syntax. */
function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** An FTS5 query matching any of the texts. */
const ftsAny = (texts: string[]): string => texts.map(ftsPhrase).join(' OR ');

/**
 * The values of one or two characters, which no trigram finds: the condition of the partial index
 * dossiers_short_values_idx (migration 20261202002600_search_trigrams) word for word, as SQLite uses a partial index
 * only for a statement that holds its condition (PostgreSQL proves it from each of its terms).
 */
const SHORT_VALUES = SEARCHED.map((c) => `length(${c}) BETWEEN 1 AND 2`).join(' OR ');

/**
 * The dossiers whose code, applicant's name, ID number or phone contains the text, in any case (Vietnamese letters
 * included), and from 3 characters those whose name without marks does (a text typed without them: "hung" finds
 * "Hùng" and "Hưng", "Hùng" only "Hùng"), or holds it with the tone of "oa", "oe", "uy" placed the other way ("Hòa"
 * finds "Hoà": toneSpellings). Through the trigram indexes where they serve, from 3 characters: on SQLite
 * the FTS5 table of trigrams, on PostgreSQL ILIKE on the indexed expression. Shorter, from the trigrams that hold the text when they are few and it
 * is rare (planShortSearch); otherwise the desk's dossiers are read and searched (cappedSearch).
 */
function whereSearch(db: Knex, q: Knex.QueryBuilder, text: string, plan: PlannedQuery): void {
  const trigrams = trigramsServe(text);
  if (isSqlite(db) && trigrams) {
    // `+d.id` is the same value, but SQLite cannot look it up by the rowid: it reads the rows from another index and
    // checks each against the matches (held in a Bloom filter and a b-tree).
    q.whereRaw(`${plan.denseSearch ? '+d.id' : 'd.id'} IN (${FTS_MATCHES})`, [ftsAny(toneSpellings(text))]);
  } else if (!isSqlite(db) && trigrams && !text.includes(SEARCH_SEPARATOR)) {
    // Shorter, the trigram index holds nothing to look for, and PostgreSQL read all of it and then every dossier of
    // the city (5 s at 1,000,000 for two letters no dossier holds); column by column, it reads the desk's dossiers.
    const spellings = toneSpellings(text);
    q.whereRaw(`(${spellings.map(() => SEARCH_TEXT_PG_CONTAINS).join(' OR ')})`, spellings.map(containsPattern));
  } else {
    // One or two characters: the dossiers holding one of the trigrams that hold them or a value that short
    // (planShortSearch), then checked here; or every dossier of the list.
    const short = plan.shortTrigrams;
    if (short && isSqlite(db)) {
      q.where((w) => {
        if (short.length) w.orWhereRaw(`d.id IN (${FTS_MATCHES})`, [ftsAny(short)]);
        w.orWhereRaw(`d.id IN (SELECT id FROM dossiers WHERE ${SHORT_VALUES})`);
      });
    } else if (short) {
      // Found first and whole, an array the outer statement looks up by id, so that the page's LIMIT cannot lead the
      // planner to read the table in order instead. Each trigram is a "contains" the trigram index answers (a
      // BitmapOr of its scans); the values that short come from the partial index.
      const trigramsHeld = short.map(() => SEARCH_TEXT_PG_CONTAINS);
      q.whereRaw(`d.id = ANY (ARRAY(SELECT d.id FROM dossiers d WHERE ${[...trigramsHeld, SHORT_VALUES].join(' OR ')}))`, short.map(containsPattern));
    }
    whereText(db, q, text);
  }
}

export function listDossiers(db: Knex, query: ListQuery, scope: ListScope): Promise<{ items: ListRow[]; total: number }> {
  return listOf<ListRow>(db, query, scope, LIST_SELECT, false);
}

/**
 * The same list with only the columns a page's table shows: the wide rows cost half of the list's query time. A
 * search counts its matches up to listPlanning.searchCap only (`capped`: there are more).
 */
export function listDossierSummaries(db: Knex, query: ListQuery, scope: ListScope): Promise<{ items: SummaryRow[]; total: number; capped: boolean }> {
  return listOf<SummaryRow>(db, query, scope, SUMMARY_SELECT, true);
}

/**
 * A page's search counts its matches only up to listPlanning.searchCap. A search shorter than a trigram (one or
 * two characters) has no index to start from on either database, and a given name or a family name ("Anh", "Nguyễn")
 * matches tens of thousands of dossiers: counting them exactly read every match of the desk (SQLite at 1,000,000
 * dossiers, the public service centre: 2.4 s for "an", 0.3 s for "Anh"; PostgreSQL 0.9 s and 0.47 s), and the page
 * read the desk again for its rows. So the matches are looked for once, in whatever order the indexes give, and no
 * further than the cap + 1:
 * - at most the cap found: that is every match, their exact count, and the page is sorted from their ids;
 * - more: the count says "more than", and the page is read in its order, through the receipt index on SQLite when
 *   the order is the receipt's (the matches being dense, a page is found after a few hundred dossiers).
 * The API's lists count exactly. Null without a search.
 */
async function cappedSearch(db: Knex, query: ListQuery, scope: ListScope): Promise<{ ids: number[] | null; total: number } | null> {
  if (!query.q) return null;
  const cap = listPlanning.searchCap;
  const found: { id: number }[] = await applyListFilters(db, db('dossiers as d'), query, scope)
    .select('d.id')
    .limit(cap + 1, { skipBinding: true });
  return found.length > cap ? { ids: null, total: cap } : { ids: found.map((r) => r.id), total: found.length };
}

/** What a report's drill-down may ask besides its cell without filtering it further: the cell's parts, an order, a page. */
const REPORT_CELL_KEYS = new Set(['report', 'from', 'to', 'fieldCode', 'agencyCode', 'agencyBasis', 'sort', 'page', 'pageSize']);

/**
 * A page's drill-down into one number of the report under no other filter: the number, where the list asks nothing
 * else and names one agency at most (the desk's, the one asked; two different ones hold no dossier, and are counted).
 */
function reportOnlyCell(query: ListQuery, scope: ListScope): ReportNumber | null {
  if (!query.report || !Object.entries(query).every(([key, value]) => value === undefined || REPORT_CELL_KEYS.has(key))) return null;
  const agencies = [...new Set([scope.agencyCode, query.agencyCode].filter((c): c is string => !!c))];
  if (agencies.length > 1) return null;
  return { column: query.report, from: query.from ?? '', to: query.to ?? '', fieldCode: query.fieldCode, agencyCode: agencies[0] ?? null, basis: query.agencyBasis ?? 'handling' };
}

/**
 * A page's drill-down into one number of the report, under no other filter, shows the number as the report counts it
 * rather than counting its dossiers one by one (a department's year of resolved on time: 16,509 dossiers found among
 * the 510,000 finished that year, 150-700 ms):
 * - a pending number of a report ending at a month start, counted from the report's parts (`parts`, below);
 * - any other number of one agency, from its report (reports/settlement.ts reportCellTotal: 3-9 ms for a desk, a
 *   month or a year, on the bench's 1,000,000 dossiers);
 * - the whole city's, from the city's report (about 20 ms a month, 60-80 ms a year) for a period longer than a
 *   quarter: a year's received were 145-330 ms to count, its resolved 55-250 ms; a month's are cheaper to count
 *   (8-40 ms), and so are a year's carried over, the few pending at its start (25 ms).
 * Not the resolved late, counted from their own index (4-7 ms).
 * The API's lists count their dossiers: the tests hold each number of the report against them. Null where the list
 * counts itself.
 */
async function reportedTotal(db: Knex, cell: ReportNumber, parts: Knex.QueryBuilder | null, now: Date): Promise<number | null> {
  if (parts) {
    const [row] = await db.from(parts.clone().as('cell')).count({ n: '*' });
    return Number(row.n);
  }
  if (cell.column === 'resolved.late') return null;
  if (cell.agencyCode === null && (periodDays(cell) <= SHORT_PERIOD_DAYS || cell.column === 'received.carriedOver')) return null;
  return reportCellTotal(db, cell, now);
}

/**
 * How many dossiers the list holds, counted on the dossier table alone: its foreign keys are NOT NULL and enforced,
 * so the list's joins for names never drop a row, and counting through them cost four look-ups per dossier.
 */
function countQuery(db: Knex, query: ListQuery, scope: ListScope): Knex.QueryBuilder {
  if (query.letter === 'not_issued') {
    // Those without an issued letter are all but those with one, and both are counted through indexes. Asked one by
    // one, PostgreSQL read a whole index of the 1,000,000 dossiers for the public service centre (4.6 s).
    const all = countQuery(db, { ...query, letter: undefined }, scope);
    const issued = countQuery(db, { ...query, letter: 'issued' }, scope);
    return db.select(db.raw('(?) - (?) AS n', [all, issued]));
  }
  // A desk's whole list, or its dossiers of some statuses: the counts kept per desk, status and way (migration
  // 20261201001800_desk_counts). An admin's: every desk's received ones, each dossier being received at one desk.
  if (onlyStatusFilter(query)) {
    const kept = db('desk_counts').whereIn('status', statusesOf(query)).select(db.raw('COALESCE(SUM(n), 0) AS n'));
    return scope.agencyCode === null ? kept.where('way', 0) : kept.where('agency_code', scope.agencyCode);
  }
  // A deadline's range is counted per status: each is then an exact range of the desk's (status, due_at) indexes, where
  // across statuses the range was looked for among every dossier of the desk (PostgreSQL: 54 ms for the public service
  // centre's dossiers due within ten days, of 350,000).
  if ((query.dueFrom || query.dueTo) && (!query.status || query.status === 'open') && !query.late && !query.dueSoon) {
    const parts = statusesOf(query).map((status) => countQuery(db, { ...query, status }, scope));
    return db.select(db.raw(`${parts.map(() => '(?)').join(' + ')} AS n`, parts));
  }
  // The late ones of both ways are counted from their union: its two parts are small, disjoint (by status) and each
  // carries the desk's filter.
  if (bothWaysLate(query)) return db.from(lateIds(db, query, scope).as('late')).count({ n: '*' });
  const halves = deskHalves(db, query, scope);
  if (!halves) return applyListFilters(db, db.from(dossiersTable(db, query)), query, scope).count({ n: '*' });
  return db.from(halves.received.select(db.raw('1 AS one')).unionAll([halves.handled.select(db.raw('1 AS one'))]).as('desk')).count({ n: '*' });
}

/**
 * On SQLite, should a list in the order of receipt (a desk's or an admin's, filtered by status at most, or to the
 * dossiers without an issued letter) walk the receipt index and check each dossier's desk and status, rather than
 * read the list's dossiers from the desk's or the status's indexes and sort them? Walking reads about (page's end) ×
 * (all dossiers) / (the list's) dossiers, each looked up in the table: 0.8-2 µs each; sorting costs about 0.15 µs
 * for each of the list's dossiers. Measured on the bench's 1,000,000: the public service centre's first page
 * (350,000 listed) 49 ms sorted, under 1 ms walked; its hundredth 54 against 2.7 ms; a commune's first page (33,000)
 * 9.7 against 3.2 ms, but its hundredth 24 against 125 ms, which keeps the sort; an admin's resolved dossiers
 * (900,000) were sorted from the status index, 211 ms. The list's count is kept (desk_counts), so asking it first
 * costs a look-up, and it is the list's total. Null where the count is not kept, or on PostgreSQL, which makes this
 * choice by itself from its statistics.
 */
async function receiptWalk(db: Knex, query: ListQuery, scope: ListScope, offset: number): Promise<{ walk: boolean; listed: number } | null> {
  // Those without an issued letter are most of a desk's dossiers, and their count is cheap too (countQuery).
  const kept = onlyStatusFilter(query) || (query.letter === 'not_issued' && onlyStatusFilter({ ...query, letter: undefined }));
  if (!isSqlite(db) || !kept) return null;
  const listed = await countDossiers(db, query, scope);
  if (listed === 0) return { walk: false, listed };
  const [{ n: all }] = await selectRows<{ n: number | null }>(db, 'SELECT max(id) AS n FROM dossiers', []);
  const walked = ((offset + query.pageSize) * (all ?? 0)) / listed;
  return { walk: walked < listed * listPlanning.receiptWalkShare, listed };
}

/** What a list's query may ask besides its status without filtering it: its order and its page. */
const UNFILTERING = new Set(['status', 'sort', 'page', 'pageSize']);

/** The list filters by status at most: what else it asks only orders or pages it. */
function onlyStatusFilter(query: ListQuery): boolean {
  return Object.entries(query).every(([key, value]) => value === undefined || UNFILTERING.has(key));
}

/**
 * A desk's dossiers under the list's filters as two disjoint halves, each through its own index: those it received,
 * and those it handles but received elsewhere. Asked as one "handled by it or received by it", PostgreSQL read a whole
 * index of the 1,000,000 dossiers for the public service centre's 350,000 (its count took 8.8 s, its hundredth page
 * 1.4 s; SQLite unites the two indexes' rows by itself). Null where the filters do not start from the desk: an
 * admin's lists, the report's drill-downs (the report's own agencies), the late lists (lateIds carries the desk),
 * searches.
 */
function deskHalves(db: Knex, query: ListQuery, scope: ListScope): { received: Knex.QueryBuilder; handled: Knex.QueryBuilder } | null {
  // A search starts from its own index and finds few dossiers: asked once, the desk's filter is applied to them (in
  // two halves the index was asked twice: on PostgreSQL a dossier's code costs 80-330 ms a time).
  // The same for a list found from the letters: in two halves each dossier with a draft was looked up twice (the
  // head's watch counted the public service centre's 506 open dossiers with a draft in 1.0 ms, 0.43-0.58 ms once).
  if (scope.agencyCode === null || query.report || bothWaysLate(query) || query.q || startsFromLetters(query)) return null;
  const code = scope.agencyCode;
  const anyDesk = { ...scope, agencyCode: null };
  // The late and the due soon are counted from the index of the dossiers in progress by deadline, which SQLite chose
  // by itself only with the histograms of its statistics (src/db/statistics.ts keeps none): without them it took the
  // desk's (status, due_at) index and looked up every stopped dossier of the desk past its deadline for its minutes
  // left (the busiest department's running late, 42 dossiers, counted in 1.5 ms against 23 µs; a commune's 3 in 161 µs).
  const table = () => (isSqlite(db) && readsOpenDue(query) ? db.from(db.raw('dossiers AS d INDEXED BY dossiers_open_due_idx')) : db('dossiers as d'));
  return {
    received: applyListFilters(db, table(), query, anyDesk).where('d.received_agency_code', code),
    handled: applyListFilters(db, table(), query, anyDesk).where('d.agency_code', code).whereNot('d.received_agency_code', code),
  };
}

export async function countDossiers(db: Knex, query: ListQuery, scope: ListScope): Promise<number> {
  const row = await countQuery(db, await planSearch(db, query), scope).first();
  return Number(row?.n ?? 0);
}

/** The dossiers a clerk received most recently, newest first (the start page's receipts to reprint). */
/**
 * The dossiers a user received last, at the desk they belong to now: a clerk moved to another agency listed the
 * applicants of the desk they had left, whose dossiers every other page refuses them.
 */
export async function recentlyReceivedBy(db: Knex, user: { id: number; agencyCode: string | null }, limit: number): Promise<SummaryRow[]> {
  const q = db('dossiers as d').select(SUMMARY_SELECT).where('d.created_by', user.id);
  if (user.agencyCode) q.where('d.received_agency_code', user.agencyCode);
  const rows = await q
    .orderBy([{ column: 'd.received_at', order: 'desc' }, { column: 'd.id', order: 'desc' }])
    .limit(limit);
  return withCatalogNames(db, rows);
}

type Coded = Pick<DossierRow, 'procedure_code' | 'field_code'> & Partial<Pick<DossierRow, 'agency_code' | 'received_agency_code'>>;
type Named = Required<Pick<DossierRow, 'procedure_name' | 'field_name'>> & Pick<DossierRow, 'agency_name' | 'received_agency_name'>;

/**
 * Lists read the dossiers alone and take the names of their codes from the catalog's names kept in memory: the
 * agencies' too where the rows hold their codes (not a page's table: SummaryRow).
 */
async function withCatalogNames<R extends Coded>(db: Knex, rows: R[]): Promise<(R & Named)[]> {
  const names = await catalogNames(db, {
    procedures: rows.map((r) => r.procedure_code),
    fields: rows.map((r) => r.field_code),
    agencies: rows.flatMap((r) => (r.agency_code === undefined ? [] : [r.agency_code, r.received_agency_code!])),
  });
  return rows.map((r) => {
    const named: R & Named = Object.assign(r, { procedure_name: names.procedure(r.procedure_code), field_name: names.field(r.field_code) });
    if (r.agency_code !== undefined) Object.assign(named, { agency_name: names.agency(r.agency_code), received_agency_name: names.agency(r.received_agency_code!) });
    return named;
  });
}

async function listOf<Row extends Coded>(
  db: Knex,
  asked: ListQuery,
  scope: ListScope,
  select: string[],
  capSearch: boolean,
): Promise<{ items: Row[]; total: number; capped: boolean }> {
  const query = await planSearch(db, asked);
  // Open work is read by deadline; everything else newest first.
  const sort = query.sort ?? (query.status === 'open' || query.late || query.dueSoon || query.status === 'processing' ? 'due' : '-received');
  const [column, order] =
    sort === '-due' ? ['d.due_at', 'desc'] :
    sort === 'received' ? ['d.received_at', 'asc'] :
    sort === '-received' ? ['d.received_at', 'desc'] :
    ['d.due_at', 'asc'];
  const orderBy = [{ column, order }, { column: 'd.id', order: 'asc' }];
  // The page's ids first, then their rows: the ids are found and sorted from the desk's indexes, which hold both sort
  // keys (migration 20261130001700_desk_indexes_sorted), and only the page's rows are read. Reading every matching
  // row to sort them made the returned dossiers of the public service centre (311,000 of 1,000,000) take 1.8 s on
  // SQLite. (Asking the page's ids of each half of a desk, as countQuery counts them, was tried: PostgreSQL then
  // walked the receipt index through all 1,000,000 dossiers for an empty half of a commune, 3.6 s.)
  // The page's size and start are written into the SQL (integers the schema bounds): SQLite plans a bound LIMIT as if
  // every row were wanted, and read an admin's 889,859 returned dossiers through the status index to sort them
  // (3.3 s); told "50", it sorts their ids from an index that holds the receipt instant (130 ms).
  const offset = (query.page - 1) * query.pageSize;
  const searched = capSearch ? await cappedSearch(db, query, scope) : null;
  // A report's number: its pending at a month start are found from the report's parts (reports/settlement.ts). Lists
  // that are none (the late list, a desk's list) pass by without a step.
  const only = capSearch ? reportOnlyCell(query, scope) : null;
  const parts = only ? pendingCellRows(db, only, scope.now) : null;
  const reported = only ? await reportedTotal(db, only, parts, scope.now) : null;
  const receipt = column === 'd.received_at' && !searched && reported === null ? await receiptWalk(db, query, scope, offset) : null;
  const walkedIds =
    only && reported !== null && column === 'd.received_at' ? await reportCellByReceiptWalk(db, query, scope, only, order as 'asc' | 'desc', offset, reported) : null;
  const walk = receipt?.walk || (searched && !searched.ids && column === 'd.received_at' && isSqlite(db));
  const statement = () => {
    // The count rides along as an uncorrelated subquery, run once: one statement instead of two (a round trip less on
    // PostgreSQL), unless the plan already asked it. A page past the end has no row to carry it and counts on its own.
    const counted = receipt || searched || reported !== null ? [] : [db.raw('(?) as list_total', [countQuery(db, query, scope)])];
    const cut = (q: Knex.QueryBuilder) => q.orderBy(orderBy).limit(query.pageSize, { skipBinding: true }).offset(offset, { skipBinding: true });
    // The index of the dossiers in progress holds the list rows' columns (SUMMARY_SELECT), not the API's.
    if (isSqlite(db) && select === SUMMARY_SELECT && inProgressByDeadline(query, column)) {
      return cut(applyListFilters(db, db.from(db.raw('dossiers AS d INDEXED BY dossiers_open_due_idx')), query, scope).select([...select, ...counted]));
    }
    const page =
      walkedIds ||
      (parts && column === 'd.received_at' && keyedPage(db.from(parts.as('cell')), 'cell', order as 'asc' | 'desc', query.pageSize, offset)) ||
      runsPage(db, query, scope, column, order as 'asc' | 'desc', offset) ||
      latePage(db, query, scope, column, order as 'asc' | 'desc', offset) ||
      resolvedLatePage(db, query, scope, column, order as 'asc' | 'desc', offset) ||
      cut((searched?.ids ? db('dossiers as d').whereIn('d.id', searched.ids) : applyListFilters(db, db.from(walk ? db.raw('dossiers AS d INDEXED BY dossiers_received_at_index') : dossiersTable(db, query)), query, scope)).select('d.id'));
    return db('dossiers as d')
      .select([...select, ...counted])
      .whereIn('d.id', page)
      .orderBy(orderBy);
  };
  const rows: (Row & { list_total?: number | string })[] =
    receipt || searched || reported !== null || !instantsOnlyBound(query)
      ? await statement()
      : await selectRows(db, ...keptStatement(JSON.stringify([db.client.config.client, select === SUMMARY_SELECT, query, scope.agencyCode]), scope, statement));
  const total = reported ?? (receipt ? receipt.listed : searched ? searched.total : rows.length ? Number(rows[0].list_total) : await countDossiers(db, query, scope));
  for (const row of rows) delete row.list_total;
  return { items: await withCatalogNames(db, rows), total, capped: searched !== null && searched.ids === null };
}

/**
 * A list whose statement depends on the instant only through its bindings: the same filters give the same SQL at
 * any instant, `now` and `dueSoonUntil` being bound values. A search is planned from its matches, a report's cell and
 * a range of deadlines from the instant itself, so they are built each time.
 */
function instantsOnlyBound(query: ListQuery): boolean {
  return !query.q && !query.report && !query.dueFrom && !query.dueTo;
}

/** The SQL of the lists asked most (the late and due-soon lists, a desk's open dossiers), by their filters and desk. */
const keptStatements = new Map<string, { sql: string; bindings: readonly Knex.Value[]; now: string; soon: string }>();
const KEPT_STATEMENTS = 500;

/**
 * The statement `build` gives for `key` at `scope`'s instant, built once per key: knex built and compiled the late
 * list's statement in 250-300 µs on each request (in a loop). Kept with the instants it was built at, whose bindings
 * are replaced by this request's (no other binding of these lists is an instant). SQLite's late list, A/B in 4
 * alternations: 4.1-5.4 → 3.8-4.4 ms of app CPU per page under load.
 */
function keptStatement(key: string, scope: ListScope, build: () => Knex.QueryBuilder): [string, readonly Knex.Value[]] {
  const now = scope.now.toISOString();
  const soon = scope.dueSoonUntil.toISOString();
  let kept = keptStatements.get(key);
  if (!kept) {
    const { sql, bindings } = build().toSQL();
    if (keptStatements.size >= KEPT_STATEMENTS) keptStatements.clear();
    kept = { sql, bindings, now, soon };
    keptStatements.set(key, kept);
  }
  const { now: keptNow, soon: keptSoon } = kept;
  return [kept.sql, kept.bindings.map((b) => (b === keptNow ? now : b === keptSoon ? soon : b))];
}

/**
 * Deadlines within at most a quarter (up to now when the range has no end: later deadlines are the few still open
 * and those resolved early). Wider, the runs of a big desk hold too many dossiers to sort their ids: the public
 * service centre's deadlines of two years (300,000) took 280 ms, where reading the receipt index newest first and
 * stopping at the page took 100 ms; its month, 14-18 ms against 80.
 */
function narrowDueRange(query: ListQuery, now: Date): boolean {
  if (!query.dueFrom) return false;
  const to = query.dueTo ? Date.parse(query.dueTo) : now.getTime();
  return to - Date.parse(query.dueFrom) <= 92 * 86_400_000;
}

/**
 * The page's ids of a list, merged from runs of the indexes that hold the list's filters and its order: one per
 * status, and for a desk one per way of belonging to it (received there; handled there). Each run is an exact range of
 * an index whose next column is the deadline — `(received_agency_code | agency_code, status, due_at, …)`, or
 * `(status, due_at)` for an admin. A dossier a desk both received and handles is in both runs; UNION keeps it once.
 * - In the order of the deadline, each run reads no more than the page's end: any dossier on the page is among the
 *   first `offset + pageSize` of its own run. Asked as one, PostgreSQL read the whole desk from the table to sort it:
 *   3.3-3.8 s for the public service centre's 350,000 dossiers of the bench's 1,000,000.
 * - In the order of receipt within a narrow range of deadlines (a desk's "due last month"): the desk's indexes hold
 *   the receipt instant, so the runs read their whole ranges from the indexes alone and only their ids are sorted.
 *   Asked as one, SQLite read every dossier of the city due in the range from the table (65,000 for a month: 69 ms,
 *   for a commune as for the centre), and PostgreSQL walked the receipt index from one end, as if deadlines were
 *   spread evenly over receipts: for last month oldest first it passed 822,000 dossiers before the page's 50
 *   (1.3-1.5 s for the centre, a department or a commune; with the runs 13-47 ms). For an admin, on PostgreSQL only:
 *   its walk took 1.35 s for last month oldest first and 1.47 s for a month two years back newest first, the runs
 *   (the city's range from the (status, due_at) index, each dossier's receipt from the table) 98-129 ms in any order;
 *   SQLite's own plan reads the range already (75-168 ms) and the runs gave nothing there.
 * Null for the lists these runs do not serve, which keep the one query: filters the indexes do not hold (field,
 * procedure, handling agency, letter, search, report), and the late and the due soon, which are few (one query reads
 * them all sooner than the runs are written).
 */
function runsPage(db: Knex, query: ListQuery, scope: ListScope, column: string, order: 'asc' | 'desc', offset: number): Knex.QueryBuilder | null {
  if (query.fieldCode || query.procedureCode || query.agencyCode || query.letter || query.q || query.report) return null;
  if (query.late || query.dueSoon) return null;
  const desk = scope.agencyCode;
  const sqlite = isSqlite(db);
  const byDue = column === 'd.due_at';
  if (!byDue && !(column === 'd.received_at' && narrowDueRange(query, scope.now) && (desk !== null || !sqlite))) return null;
  // Each run's index. SQLite is told it: for a department's dossiers in progress due on one day it chose the
  // (status, due_at) index, which yields the same order, and looked up every desk's dossiers due that day in the table.
  const ways: [column: string | null, index: string][] =
    desk === null
      ? [[null, 'dossiers_status_due_at_index']]
      : [['d.received_agency_code', 'dossiers_received_desk_idx'], ['d.agency_code', 'dossiers_handling_desk_idx']];
  const end = offset + query.pageSize;
  const runs: Knex.QueryBuilder[] = statusesOf(query).flatMap((status) =>
    ways.map(([deskColumn, index], i) => {
      const table = sqlite ? db.raw(`dossiers AS d INDEXED BY ${index}`) : 'dossiers as d';
      const run = applyListFilters(db, db.from(table), { ...query, status }, { ...scope, agencyCode: null }).select('d.id', `${column} as sort_key`);
      if (deskColumn) run.where(deskColumn, desk);
      if (!byDue) return run;
      // SQLite takes no ORDER BY or LIMIT in a compound's parts: each part reads its run as a subquery.
      run.orderBy([{ column, order }, { column: 'd.id', order: 'asc' }]).limit(end, { skipBinding: true });
      return db.select('id', 'sort_key').from(run.as(`run_${status}_${i}`));
    }),
  );
  const [first, ...rest] = runs;
  const merged = rest.length ? first.union(rest) : first;
  return keyedPage(db.from(merged.as('m')), 'm', order, query.pageSize, offset);
}

/** Closes the dossier's current state interval at `at` and opens the next one. */
export async function appendState(
  trx: Knex.Transaction,
  dossierId: number,
  s: { at: string; status: Status; dueAt: string; agencyCode: string },
): Promise<void> {
  await trx('dossier_states').where({ dossier_id: dossierId }).whereNull('valid_to').update({ valid_to: s.at });
  await trx('dossier_states').insert({
    dossier_id: dossierId,
    valid_from: s.at,
    valid_to: null,
    status: s.status,
    due_at: s.dueAt,
    clock_running: s.status === 'processing',
    agency_code: s.agencyCode,
  });
}

// The settlement report (Biểu II.06a): one aggregate query grouped by field and agency, counted in SQL.
import type { Knex } from 'knex';
import { compareVietnamese } from '../shared/format';
import { isSqlite, selectRows } from '../db/dialect';
import { REPORT_COLUMNS, reportConditions, type AgencyBasis, type ReportColumn, type Sql } from './definitions';
import { isCoveredMonthStart, localMonthOf, monthStartInstant } from './month-ends';
import { describePeriod, reportWindow, type Period, type ReportWindow } from './period';

export interface Counts {
  received: { online: number; inPersonOrPostal: number; carriedOver: number; total: number };
  resolved: { early: number; onTime: number; late: number; total: number };
  pending: { withinDeadline: number; overdue: number; total: number };
}

export interface FieldRow extends Counts {
  fieldCode: string;
  fieldName: string;
}

export interface AgencyRow extends Counts {
  agencyCode: string;
  agencyName: string;
}

export interface SettlementReport {
  period: Period;
  window: ReportWindow;
  basis: AgencyBasis;
  /** the one agency reported on, or null for all */
  agency: { code: string; name: string } | null;
  rows: FieldRow[];
  byAgency: AgencyRow[];
  total: Counts;
}

export function emptyCounts(): Counts {
  return {
    received: { online: 0, inPersonOrPostal: 0, carriedOver: 0, total: 0 },
    resolved: { early: 0, onTime: 0, late: 0, total: 0 },
    pending: { withinDeadline: 0, overdue: 0, total: 0 },
  };
}

/** counts.received.total etc. by column key */
export function cellValue(c: Counts, column: ReportColumn): number {
  const [group, key] = column.split('.') as [keyof Counts, string];
  return (c[group] as Record<string, number>)[key];
}

/**
 * Counts while a report is being counted: one number per column, in the order of REPORT_COLUMNS. A month's report adds
 * into a few thousand (field, agency) tallies; through nested objects reached by key names that took 10–15 ms of a
 * month's ~90 ms on PostgreSQL. They become Counts only for the rows shown.
 */
type Cells = Float64Array;
const CELL = Object.fromEntries(REPORT_COLUMNS.map((column, i) => [column, i])) as Record<ReportColumn, number>;
const newCells = (): Cells => new Float64Array(REPORT_COLUMNS.length);

function addInto(target: Cells, from: Cells): void {
  for (let i = 0; i < from.length; i++) target[i] += from[i];
}

function toCounts(cells: Cells): Counts {
  const c = emptyCounts();
  REPORT_COLUMNS.forEach((column, i) => {
    const [group, key] = column.split('.') as [keyof Counts, string];
    (c[group] as Record<string, number>)[key] = cells[i];
  });
  return c;
}

/** What the conditions read of a dossier (the report index covers them). */
const SCOPE_COLUMNS = ['id', 'field_code', 'channel', 'status', 'received_at', 'finished_at', 'due_at', 'due_day_start', 'state_from', 'pre_finish_from', 'agency_code', 'received_agency_code']
  .map((c) => `d.${c}`)
  .join(', ');

export interface SettlementQuery {
  from: string;
  to: string;
  /** count only the dossiers of this agency (under `basis`); null = all agencies */
  agencyCode: string | null;
  basis: AgencyBasis;
  now: Date;
}

/** The columns of each group that partition it (SPEC §6: every group's total is the sum of its columns). */
const GROUP_PARTS: { group: keyof Counts; parts: ReportColumn[] }[] = [
  { group: 'received', parts: ['received.online', 'received.inPersonOrPostal', 'received.carriedOver'] },
  // resolved.total and pending.total split the scope: one CASE tells which of their five columns a dossier is in
  { group: 'resolved', parts: ['resolved.early', 'resolved.onTime', 'resolved.late', 'pending.withinDeadline', 'pending.overdue'] },
];

const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/**
 * The whole local months inside [start, end): their first and last-plus-one `YYYY-MM` and instants, or null.
 * Dossiers finished in them are counted from report_finished_months; the days before and after, one by one.
 */
export function wholeMonths(start: string, end: string): { first: string; stop: string; from: string; to: string } | null {
  const startMonth = localMonthOf(start);
  const first = monthStartInstant(startMonth) === start ? startMonth : nextMonth(startMonth);
  const stop = localMonthOf(end);
  const from = monthStartInstant(first);
  const to = monthStartInstant(stop);
  return first < stop && from >= start && to <= end ? { first, stop, from, to } : null;
}

/** The cells of one (field, agency) pair, made on first use: the parts of a report add into them. */
type TallyOf = (fieldCode: string, agencyCode: string | null) => Cells;

interface Tally {
  fieldCode: string;
  agencyCode: string;
  cells: Cells;
}

/**
 * Counts per (field, agency). Four parts, added up here:
 * - dossiers finished in the whole months of the window: from report_finished_months (kept exact by triggers);
 *   received in a month before the start's month they are carried over, otherwise received in the period by
 *   channel — except, when the window starts mid-month, those received in the start's month before the start,
 *   which are read one by one and moved to carried over;
 * - dossiers open now whose current state began before the end: counted from their own index (countOpenAtEnd);
 * - when the end is a month start, dossiers finished at or after it: from report_month_ends (kept by triggers);
 * - every other dossier in scope (finished in the days outside the whole months, or otherwise not finished by the
 *   end) one by one with the column conditions of definitions.ts: each gets two small class codes (which received
 *   column, which resolved-or-pending column) and SQL counts per (field, agency, class, class).
 */
export async function countByFieldAndAgency(db: Knex, q: SettlementQuery) {
  const w = reportWindow(q.from, q.to, q.now);
  const c = reportConditions(db, w);
  const agency = c.agency(q.basis);
  const tallies = new Map<string, Tally>();
  const tally: TallyOf = (fieldCode, agencyCode) => {
    const a = agencyCode === null ? '' : String(agencyCode);
    const key = `${fieldCode}\u0000${a}`;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = { fieldCode, agencyCode: a, cells: newCells() }));
    return t.cells;
  };

  const months = wholeMonths(w.start, w.end);
  const { start: S, end: E } = w;
  // The dossiers read one by one: open ones received before the end but not counted by countOpenAtEnd, those
  // finished at or after the end unless it is a month start (then countFinishedAfterMonthStart counts them), and those
  // finished in the window outside its whole months (all of the window when it has none).
  const finishedIn = (from: string, to: string) => ({ sql: 'd.finished_at >= ? AND d.finished_at < ? AND d.received_at < ?', bindings: [from, to, E] });
  const endsAtMonthStart = isCoveredMonthStart(E);
  const branches: { sql: string; bindings: Knex.Value[] }[] = [
    c.openAtEnd.rest,
    ...(endsAtMonthStart ? [] : [{ sql: 'd.finished_at >= ? AND d.received_at < ?', bindings: [E, E] }]),
    ...(!months
      ? [finishedIn(S, E)]
      : [...(S < months.from ? [finishedIn(S, months.from)] : []), ...(months.to < E ? [finishedIn(months.to, E)] : [])]),
  ];

  const selects: string[] = ['d.field_code AS field_code', `${agency.sql} AS agency_code`];
  const bindings: Knex.Value[] = [...agency.bindings];
  GROUP_PARTS.forEach(({ parts }, g) => {
    // The pending columns are pending AND (NOT) overdueAtEnd, which is never NULL, and pending is disjoint from
    // the resolved columns (finished before the end): so pending is tested first and overdueAtEnd evaluated once,
    // instead of twice for every overdue dossier, without changing any dossier's class.
    const within = parts.indexOf('pending.withinDeadline');
    const overdue = parts.indexOf('pending.overdue');
    let expr = 'CASE';
    if (within >= 0 && overdue >= 0) {
      expr += ` WHEN ${c.pending.sql} THEN CASE WHEN ${c.overdueAtEnd.sql} THEN ${overdue} ELSE ${within} END`;
      bindings.push(...c.pending.bindings, ...c.overdueAtEnd.bindings);
    }
    parts.forEach((column, i) => {
      if (i === within || i === overdue) return;
      expr += ` WHEN ${c.columns[column].sql} THEN ${i}`;
      bindings.push(...c.columns[column].bindings);
    });
    selects.push(`${expr} END AS class_${g}`);
  });
  // The scope read as index range scans (UNION ALL of disjoint branches) that cover the columns the
  // conditions use, instead of an OR that makes SQLite fetch every row from the table. The classes are computed
  // once per dossier in a materialized step: grouping on the expressions themselves made SQLite evaluate them again.
  const scoped = branches.map((b) => `SELECT ${SCOPE_COLUMNS} FROM dossiers d WHERE ${b.sql}`).join(' UNION ALL ');
  const sql =
    `WITH x AS MATERIALIZED (SELECT ${selects.join(', ')} FROM (${scoped}) AS d) ` +
    `SELECT field_code, agency_code, class_0, class_1, COUNT(*) AS n FROM x` +
    (q.agencyCode !== null ? ' WHERE agency_code = ?' : '') +
    ' GROUP BY 1, 2, 3, 4';
  // The parts are independent: on PostgreSQL each runs on a connection of its own, at the same time.
  const [classRows] = await Promise.all([
    selectRows<Record<string, unknown>>(db, sql, [...bindings, ...branches.flatMap((b) => b.bindings), ...(q.agencyCode !== null ? [q.agencyCode] : [])]),
    countOpenAtEnd(db, c, q, tally),
    months ? countFinishedMonths(db, q, S, months, tally) : null,
    endsAtMonthStart ? countFinishedAfterMonthStart(db, q, S, E, tally) : null,
  ]);
  // Each class code names its column's cell, and the cell of its group's total (received.total is every dossier's).
  const targets = GROUP_PARTS.map(({ group, parts }) =>
    parts.map((column) => ({ cell: CELL[column], total: group === 'received' ? -1 : CELL[`${column.split('.')[0] as keyof Counts}.total`] })),
  );
  const classColumns = GROUP_PARTS.map((_, g) => `class_${g}`);
  for (const r of classRows) {
    const cells = tally(String(r.field_code), r.agency_code as string | null);
    const n = Number(r.n);
    cells[CELL['received.total']] += n;
    for (let g = 0; g < targets.length; g++) {
      const cls = r[classColumns[g]];
      if (cls === null || cls === undefined) continue;
      const { cell, total } = targets[g][Number(cls)];
      cells[cell] += n;
      if (total >= 0) cells[total] += n;
    }
  }

  return { window: w, rows: [...tallies.values()] };
}

/**
 * The dossiers finished in the whole months of the window, from report_finished_months: received in a month before
 * the start's month they are carried over, otherwise received in the period by channel — except, when the window
 * starts mid-month, those received in the start's month before the start, read one by one and moved to carried over.
 */
async function countFinishedMonths(
  db: Knex,
  q: SettlementQuery,
  S: string,
  months: NonNullable<ReturnType<typeof wholeMonths>>,
  tally: TallyOf,
): Promise<void> {
  // Finished in a whole month of the window: the agency is the one at the finish (handling) or the desk.
  const agencyColumn = q.basis === 'receiving' ? 'received_agency_code' : 'agency_code';
  const startMonth = localMonthOf(S);
  // Summed per (field, agency) in SQL: a month holds thousands of (desk, month received, channel, outcome)
  // lines, and turning each into a JavaScript row cost more than the sums.
  const carried = 'received_month < ?';
  const aggregate = db('report_finished_months')
    .select('field_code', { agency_code: agencyColumn })
    .select(
      db.raw(
        'SUM(n) AS n, ' +
          `SUM(CASE WHEN ${carried} THEN n ELSE 0 END) AS carried, ` +
          `SUM(CASE WHEN online = 1 AND NOT (${carried}) THEN n ELSE 0 END) AS online, ` +
          'SUM(CASE WHEN outcome = 0 THEN n ELSE 0 END) AS early, ' +
          'SUM(CASE WHEN outcome = 1 THEN n ELSE 0 END) AS on_time',
        [startMonth, startMonth],
      ),
    )
    .where('month', '>=', months.first)
    .where('month', '<', months.stop)
    .groupBy('field_code', agencyColumn);
  if (q.agencyCode !== null) aggregate.where(agencyColumn, q.agencyCode);
  for (const r of (await aggregate) as Record<string, unknown>[]) {
    const n = Number(r.n);
    if (!n) continue;
    const [carriedOver, online, early, onTime] = [r.carried, r.online, r.early, r.on_time].map(Number);
    const cells = tally(String(r.field_code), r.agency_code as string | null);
    cells[CELL['received.total']] += n;
    cells[CELL['received.carriedOver']] += carriedOver;
    cells[CELL['received.online']] += online;
    cells[CELL['received.inPersonOrPostal']] += n - carriedOver - online;
    cells[CELL['resolved.early']] += early;
    cells[CELL['resolved.onTime']] += onTime;
    cells[CELL['resolved.late']] += n - early - onTime;
    cells[CELL['resolved.total']] += n;
  }
  if (monthStartInstant(startMonth) < S) {
    // Received in the start's month but before the start: carried over, not received in the period.
    const moved = db('dossiers as d')
      .select('d.field_code', { agency_code: `d.${agencyColumn}` }, db.raw(`CASE WHEN d.channel = 'online' THEN 1 ELSE 0 END AS online`))
      .count({ n: '*' })
      .where('d.received_at', '>=', monthStartInstant(startMonth))
      .where('d.received_at', '<', S)
      .where('d.finished_at', '>=', months.from)
      .where('d.finished_at', '<', months.to)
      .groupByRaw('1, 2, 3');
    if (q.agencyCode !== null) moved.where(`d.${agencyColumn}`, q.agencyCode);
    for (const r of (await moved) as Record<string, unknown>[]) {
      const n = Number(r.n);
      const cells = tally(String(r.field_code), r.agency_code as string | null);
      cells[CELL[Number(r.online) === 1 ? 'received.online' : 'received.inPersonOrPostal']] -= n;
      cells[CELL['received.carriedOver']] += n;
    }
  }
}

/**
 * The open dossiers whose current state began before the end (definitions.ts openAtEnd), counted per (agency, field)
 * by SQL from their own index (migration 20261201001900), in its order. Read one by one with the others, SQLite sorted
 * them into groups and computed both class expressions for each: about 45 ms of a month's 90 on a 2-core machine,
 * against 14 ms so.
 */
async function countOpenAtEnd(
  db: Knex,
  c: ReturnType<typeof reportConditions>,
  q: SettlementQuery,
  tally: TallyOf,
): Promise<void> {
  const agency = q.basis === 'receiving' ? 'd.received_agency_code' : 'd.agency_code';
  const { scope, overdue } = c.openAtEnd;
  // Received before the start (carried over) are the rest: received_at and channel are never NULL.
  const counted = [c.columns['received.online'], c.columns['received.inPersonOrPostal'], overdue];
  const sql =
    `SELECT d.field_code AS field_code, ${agency} AS agency_code, COUNT(*) AS n, ` +
    counted.map((x, i) => `COUNT(*) FILTER (WHERE ${x.sql}) AS c${i}`).join(', ') +
    // SQLite is told the index: for a month long past it would read the report index's range of those received before
    // the end, and sort them.
    ` FROM dossiers d${isSqlite(db) ? ' INDEXED BY dossiers_open_report_idx' : ''} WHERE ${scope.sql}` +
    (q.agencyCode !== null ? ` AND ${agency} = ?` : '') +
    ` GROUP BY ${agency}, d.field_code`;
  const bindings = [...counted.flatMap((x) => x.bindings), ...scope.bindings, ...(q.agencyCode !== null ? [q.agencyCode] : [])];
  for (const r of await selectRows<Record<string, unknown>>(db, sql, bindings)) {
    const [n, online, inPerson, late] = [r.n, r.c0, r.c1, r.c2].map(Number);
    addPending(tally(String(r.field_code), r.agency_code as string), n, online, inPerson, late);
  }
}

/** Adds n dossiers pending at the end: received online or not in the period (the rest carried over), and overdue then. */
function addPending(cells: Cells, n: number, online: number, inPerson: number, overdue: number): void {
  cells[CELL['received.total']] += n;
  cells[CELL['received.online']] += online;
  cells[CELL['received.inPersonOrPostal']] += inPerson;
  cells[CELL['received.carriedOver']] += n - online - inPerson;
  cells[CELL['pending.total']] += n;
  cells[CELL['pending.overdue']] += overdue;
  cells[CELL['pending.withinDeadline']] += n - overdue;
}

/**
 * The dossiers pending at the end E, a month start, and finished since, from report_month_ends (src/reports/month-ends.ts):
 * its rows hold, for each, the agency handling it at E and whether it was overdue then. All are pending at the end;
 * received before the start they are carried over, otherwise received in the period by channel.
 */
async function countFinishedAfterMonthStart(db: Knex, q: SettlementQuery, S: string, E: string, tally: TallyOf): Promise<void> {
  const agency = q.basis === 'receiving' ? 'received_agency_code' : 'agency_code';
  const sql =
    `SELECT field_code, ${agency} AS agency_code, COUNT(*) AS n, ` +
    'COUNT(CASE WHEN received_at >= ? AND online = 1 THEN 1 END) AS online, ' +
    'COUNT(CASE WHEN received_at >= ? AND online = 0 THEN 1 END) AS in_person, SUM(overdue) AS overdue ' +
    `FROM report_month_ends WHERE month_start = ?${q.agencyCode !== null ? ` AND ${agency} = ?` : ''} GROUP BY field_code, ${agency}`;
  const bindings = [S, S, E, ...(q.agencyCode !== null ? [q.agencyCode] : [])];
  for (const r of await selectRows<Record<string, unknown>>(db, sql, bindings)) {
    const [n, online, inPerson, late] = [r.n, r.online, r.in_person, r.overdue].map(Number);
    addPending(tally(String(r.field_code), r.agency_code as string), n, online, inPerson, late);
  }
}

/** One number of the report: its column, for one field or all, one agency (under `basis`) or all (null). */
export interface ReportNumber {
  column: ReportColumn;
  from: string;
  to: string;
  fieldCode?: string;
  agencyCode: string | null;
  basis: AgencyBasis;
}

/**
 * One number of the report, counted as the report counts it. A drill-down's page shows it as its list's total; the
 * lists (src/dossiers/repository.ts) hold the very dossiers it counts, a test checks each number against its list.
 */
export async function reportCellTotal(db: Knex, cell: ReportNumber, now: Date): Promise<number> {
  const { rows } = await countByFieldAndAgency(db, { from: cell.from, to: cell.to, agencyCode: cell.agencyCode, basis: cell.basis, now });
  const i = CELL[cell.column];
  return rows.reduce((sum, r) => (cell.fieldCode && r.fieldCode !== cell.fieldCode ? sum : sum + r.cells[i]), 0);
}

/** The pending numbers: the dossiers pending at the end, all, within their deadline then, or past it. */
const PENDING_COLUMNS: Partial<Record<ReportColumn, 'all' | 'within' | 'overdue'>> = {
  'pending.total': 'all',
  'pending.withinDeadline': 'within',
  'pending.overdue': 'overdue',
};

/**
 * The dossiers behind a pending number of one agency or all, for a report ending at a month start, as rows (id,
 * sort_key = receipt instant; a union, to be named as a table) from the parts the report counts them from
 * (countByFieldAndAgency), each small and indexed:
 * - finished since: report_month_ends, with the agency and the overdue flag at the end;
 * - open, in the same state since before the end: the row says the agency and whether it was overdue;
 * - the other open ones received before the end, each judged by the conditions of definitions.ts.
 * Asked as one condition, a desk's month of pending was found among the whole city's dossiers in scope, each one's
 * agency at the end computed (PostgreSQL 60-90 ms for the busiest department's October on the bench's 1,000,000).
 * Null for other numbers, or an end that is no month start report_month_ends covers (a period still running).
 */
export function pendingCellRows(db: Knex, cell: ReportNumber, now: Date): Knex.QueryBuilder | null {
  const kind = PENDING_COLUMNS[cell.column];
  const w = reportWindow(cell.from, cell.to, now);
  if (!kind || !isCoveredMonthStart(w.end)) return null;
  const E = w.end;
  const c = reportConditions(db, w);
  const desk = cell.basis === 'receiving' ? 'received_agency_code' : 'agency_code';
  // One agency's or all: the agency, the field when asked.
  const narrow = (q: Knex.QueryBuilder, agency: string, field: string) => {
    if (cell.agencyCode !== null) q.where(agency, cell.agencyCode);
    return cell.fieldCode ? q.where(field, cell.fieldCode) : q;
  };
  // Overdue at the end, or not, as the number asks (all: either).
  const overdueAsAsked = (q: Knex.QueryBuilder, overdue: Sql) =>
    kind === 'all' ? q : q.whereRaw(`${kind === 'overdue' ? '' : 'NOT '}(${overdue.sql})`, overdue.bindings);
  const finished = narrow(db('report_month_ends as m').select('m.dossier_id as id', 'm.received_at as sort_key').where('m.month_start', E), `m.${desk}`, 'm.field_code');
  if (kind !== 'all') finished.where('m.overdue', kind === 'overdue' ? 1 : 0);
  // An agency's overdue are in progress and past their deadline at the end: a range of the desk's (status, due_at)
  // index, which SQLite chose by itself only with the histograms of its statistics (src/db/statistics.ts keeps none);
  // without them it read every dossier of the city open at the end from the report index (the busiest department's
  // pending overdue at the end of November on the bench's 1,000,000: 3.7 ms against 1.9 ms).
  const sameStateTable =
    isSqlite(db) && kind === 'overdue' && cell.agencyCode !== null
      ? db.raw(`dossiers AS d INDEXED BY ${cell.basis === 'receiving' ? 'dossiers_received_desk_idx' : 'dossiers_handling_desk_idx'}`)
      : 'dossiers as d';
  const sameState = narrow(db.from(sameStateTable).select('d.id', 'd.received_at as sort_key').whereRaw(c.openAtEnd.scope.sql, c.openAtEnd.scope.bindings), `d.${desk}`, 'd.field_code');
  overdueAsAsked(sameState, c.openAtEnd.overdue);
  // Open, they are pending: the column says no more than whether overdue then (written as the column's OR, it led
  // PostgreSQL to read every open dossier from the table, 22 ms, rather than from the report index, which holds
  // what the conditions read).
  const agency = c.agency(cell.basis);
  const rest = db('dossiers as d').select('d.id', 'd.received_at as sort_key').whereRaw(c.openAtEnd.rest.sql, c.openAtEnd.rest.bindings);
  if (cell.agencyCode !== null) rest.whereRaw(`(${agency.sql}) = ?`, [...agency.bindings, cell.agencyCode]);
  if (cell.fieldCode) rest.where('d.field_code', cell.fieldCode);
  overdueAsAsked(rest, c.overdueAtEnd);
  return finished.unionAll([sameState, rest]);
}

/** The report: rows per field, rows per agency and the total, with names. */
export async function settlementReport(db: Knex, q: SettlementQuery): Promise<SettlementReport> {
  const { window, rows } = await countByFieldAndAgency(db, q);
  const fieldNames = new Map<string, string>((await db('fields').select('code', 'name')).map((f) => [f.code, f.name]));
  const agencyNames = new Map<string, string>((await db('agencies').select('code', 'name')).map((a) => [a.code, a.name]));
  const byField = new Map<string, Cells>();
  const byAgency = new Map<string, Cells>();
  const total = newCells();
  const cellsOf = (map: Map<string, Cells>, code: string) => {
    let cells = map.get(code);
    if (!cells) map.set(code, (cells = newCells()));
    return cells;
  };
  for (const r of rows) {
    addInto(cellsOf(byField, r.fieldCode), r.cells);
    addInto(cellsOf(byAgency, r.agencyCode), r.cells);
    addInto(total, r.cells);
  }
  const fieldRows: FieldRow[] = [...byField].map(([code, cells]) => ({ fieldCode: code, fieldName: fieldNames.get(code) ?? code, ...toCounts(cells) }));
  const agencyRows: AgencyRow[] = [...byAgency].map(([code, cells]) => ({ agencyCode: code, agencyName: agencyNames.get(code) ?? code, ...toCounts(cells) }));
  return {
    period: describePeriod(window.from, window.to),
    window,
    basis: q.basis,
    agency: q.agencyCode === null ? null : { code: q.agencyCode, name: agencyNames.get(q.agencyCode) ?? q.agencyCode },
    rows: fieldRows.sort((a, b) => compareVietnamese(a.fieldName, b.fieldName)),
    byAgency: agencyRows.sort((a, b) => compareVietnamese(a.agencyName, b.agencyName)),
    total: toCounts(total),
  };
}

const countsJson = (c: Counts): Counts => ({ received: { ...c.received }, resolved: { ...c.resolved }, pending: { ...c.pending } });

/** The API answer (SPEC §7): {from, to, rows, total} and, beside them, the window, the agency rule and the rows per agency. */
export function toSettlementJson(r: SettlementReport, isoLocal: (s: string) => string | null) {
  return {
    from: r.window.from,
    to: r.window.to,
    period: r.period.label,
    asOf: isoLocal(r.window.end),
    running: r.window.running,
    agencyCode: r.agency?.code ?? null,
    agencyBasis: r.basis,
    rows: r.rows.map((row) => ({ fieldCode: row.fieldCode, fieldName: row.fieldName, ...countsJson(row) })),
    total: countsJson(r.total),
    byAgency: r.byAgency.map((row) => ({ agencyCode: row.agencyCode, agencyName: row.agencyName, ...countsJson(row) })),
  };
}

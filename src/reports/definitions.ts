// The columns of Biểu II.06a (SPEC §6) as SQL conditions on `dossiers d`, written ONCE and used both by the
// aggregate query (SUM(CASE WHEN …)) and by the dossier list (WHERE …), so a number and the list behind it
// cannot drift apart. All instants are UTC ISO strings, compared as strings on both databases.
import type { Knex } from 'knex';
import { SERVICE_CENTRE_KIND } from '../catalog/repository';
import { ValidationError } from '../shared/errors';
import { reportWindow, type ReportWindow } from './period';

export const REPORT_COLUMNS = [
  'received.total',
  'received.online',
  'received.inPersonOrPostal',
  'received.carriedOver',
  'resolved.total',
  'resolved.early',
  'resolved.onTime',
  'resolved.late',
  'pending.total',
  'pending.withinDeadline',
  'pending.overdue',
] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/** Column number in Biểu II.06a and the Vietnamese wording (short, and what the list of one cell shows). */
export const COLUMN_INFO: Record<ReportColumn, { no: number; short: string; long: string }> = {
  'received.total': { no: 3, short: 'Tổng số', long: 'Số hồ sơ nhận giải quyết' },
  'received.online': { no: 4, short: 'Trực tuyến', long: 'Hồ sơ nhận trong kỳ – trực tuyến' },
  'received.inPersonOrPostal': { no: 5, short: 'Trực tiếp, dịch vụ bưu chính', long: 'Hồ sơ nhận trong kỳ – trực tiếp, dịch vụ bưu chính' },
  'received.carriedOver': { no: 6, short: 'Từ kỳ trước', long: 'Hồ sơ từ kỳ trước chuyển sang' },
  'resolved.total': { no: 7, short: 'Tổng số', long: 'Số hồ sơ đã giải quyết' },
  'resolved.early': { no: 8, short: 'Trước hạn', long: 'Hồ sơ đã giải quyết trước hạn' },
  'resolved.onTime': { no: 9, short: 'Đúng hạn', long: 'Hồ sơ đã giải quyết đúng hạn (kể cả hồ sơ công dân rút)' },
  'resolved.late': { no: 10, short: 'Quá hạn', long: 'Hồ sơ đã giải quyết quá hạn' },
  'pending.total': { no: 11, short: 'Tổng số', long: 'Số hồ sơ đang giải quyết' },
  'pending.withinDeadline': { no: 12, short: 'Trong hạn', long: 'Hồ sơ đang giải quyết trong hạn' },
  'pending.overdue': { no: 13, short: 'Quá hạn', long: 'Hồ sơ đang giải quyết quá hạn' },
};

/**
 * Which agency a dossier counts for in the per-agency table and under an agency filter — one agency per
 * dossier and period, so the agency rows add up to the total and each row keeps received = resolved + pending:
 * - `handling` (default, the agency that resolves — Biểu II.06a is filed by it): the agency handling the
 *   dossier at the end of the period, or when it was finished if that came first (a transferred dossier counts
 *   once, for the agency that had it last);
 * - `receiving`: the desk that received it (never changes).
 */
export const AGENCY_BASES = ['handling', 'receiving'] as const;
export type AgencyBasis = (typeof AGENCY_BASES)[number];
export const AGENCY_BASIS_NAMES: Record<AgencyBasis, string> = {
  handling: 'Cơ quan giải quyết (cơ quan đang xử lý hồ sơ vào cuối kỳ, hoặc khi hồ sơ được giải quyết)',
  receiving: 'Nơi tiếp nhận hồ sơ',
};

export interface Sql {
  sql: string;
  bindings: Knex.Value[];
}

const sql = (text: string, ...bindings: Knex.Value[]): Sql => ({ sql: text, bindings });
const and = (...parts: Sql[]): Sql => ({ sql: parts.map((p) => `(${p.sql})`).join(' AND '), bindings: parts.flatMap((p) => p.bindings) });
const or = (...parts: Sql[]): Sql => ({ sql: parts.map((p) => `(${p.sql})`).join(' OR '), bindings: parts.flatMap((p) => p.bindings) });

const isSql = (x: unknown): x is Sql => x !== null && typeof x === 'object' && 'sql' in x && 'bindings' in x;

/** SQL from a template whose `${}` parts are SQL (spliced in with their bindings) or values (bound). */
function q(strings: TemplateStringsArray, ...parts: (Sql | Knex.Value)[]): Sql {
  let text = strings[0];
  const bindings: Knex.Value[] = [];
  parts.forEach((part, i) => {
    if (isSql(part)) {
      text += part.sql;
      bindings.push(...part.bindings);
    } else {
      text += '?';
      bindings.push(part as Knex.Value);
    }
    text += strings[i + 1];
  });
  return { sql: text, bindings };
}

/**
 * What the report needs of dossier d's state at an end instant `e` (an SQL instant: a bound value, or a column such as
 * report_month_ends' month_start), for a dossier pending then (received before, not finished before). Written once
 * for both the report's one-by-one reading and the triggers that keep report_month_ends (src/reports/month-ends.ts).
 */
export function stateAtEnd(e: Sql) {
  // The state interval of d in force at e (the one that ends at e counts: it is the state just before).
  const stateAt = q`s.dossier_id = d.id AND s.valid_from < ${e} AND (s.valid_to IS NULL OR s.valid_to >= ${e})`;
  // A dossier resolved at or after the end whose last state before the finish began before the end was processing
  // then, with the deadline and agency on its row (pre_finish_from, src/db/dialect.ts finishStateSql).
  const resolvedAfterEnd = q`d.pre_finish_from < ${e} AND d.status IN (${'resolved'}, ${'returned'})`;
  return {
    // Pending and overdue: at the end the clock runs and the deadline then in force has passed. When the current
    // state began before the end (state_from), it is the state at the end and the row says it all (the clock runs
    // exactly while processing); otherwise the interval in force at the end is looked up — by a scalar subquery with
    // LIMIT, not EXISTS: PostgreSQL turned the EXISTS into a hashed subplan that read all of dossier_states (0.6 s at
    // 3M intervals) to answer the few dossiers that reach this branch.
    overdue: q`CASE WHEN d.state_from < ${e} THEN (d.status = ${'processing'} AND d.due_at < ${e}) WHEN ${resolvedAfterEnd} THEN d.due_at < ${e} ELSE (SELECT 1 FROM dossier_states s WHERE ${stateAt} AND s.clock_running = TRUE AND s.due_at < ${e} LIMIT 1) IS NOT NULL END`,
    // The agency handling d at e (see AGENCY_BASES). Finished before the end: no transfer after the finish, so the
    // dossier's agency is the one at the finish. Or the current state began before the end: the row's agency is the
    // one at the end.
    agency: q`CASE WHEN d.finished_at < ${e} OR d.state_from < ${e} OR (${resolvedAfterEnd}) THEN d.agency_code ELSE COALESCE((SELECT s.agency_code FROM dossier_states s WHERE ${stateAt} ORDER BY s.valid_from DESC LIMIT 1), d.agency_code) END`,
  };
}

/**
 * Every condition of one report window. `scope` is the set the report counts (received.total): received before
 * the end and not finished before the start; every column condition is applied within it.
 */
export function reportConditions(_db: Knex, w: Pick<ReportWindow, 'start' | 'end'>) {
  const { start: S, end: E } = w;
  const receivedInPeriod = sql('d.received_at >= ?', S);
  const finishedInPeriod = sql('d.finished_at < ?', E); // within the scope, finished_at >= S already
  const pending = sql('d.finished_at IS NULL OR d.finished_at >= ?', E);
  const atEnd = stateAtEnd(sql('?', E));
  const overdueAtEnd = atEnd.overdue;
  // A withdrawal is never early nor late: it counts on time (as isLate in src/dossiers/repository.ts says).
  const withdrawn = sql('d.status = ?', 'withdrawn');
  const notWithdrawn = sql('d.status <> ?', 'withdrawn');
  // due_day_start: local midnight of the due date, kept by the database (src/db/dialect.ts reportColumnsSql).
  const earlierDay = sql('d.finished_at < d.due_day_start');
  const columns: Record<ReportColumn, Sql> = {
    'received.total': sql('1 = 1'),
    'received.online': and(receivedInPeriod, sql('d.channel = ?', 'online')),
    'received.inPersonOrPostal': and(receivedInPeriod, sql('d.channel <> ?', 'online')),
    'received.carriedOver': sql('d.received_at < ?', S),
    'resolved.total': finishedInPeriod,
    'resolved.early': and(finishedInPeriod, notWithdrawn, sql('d.finished_at <= d.due_at'), earlierDay),
    'resolved.onTime': and(
      finishedInPeriod,
      or(withdrawn, and(sql('d.finished_at <= d.due_at'), sql(`NOT (${earlierDay.sql})`, ...earlierDay.bindings))),
    ),
    'resolved.late': and(finishedInPeriod, notWithdrawn, sql('d.finished_at > d.due_at')),
    'pending.total': pending,
    'pending.withinDeadline': and(pending, sql(`NOT ${overdueAtEnd.sql}`, ...overdueAtEnd.bindings)),
    'pending.overdue': and(pending, overdueAtEnd),
  };
  // The scope as two disjoint index ranges: open now, or finished since the start (both received before the end).
  const branches = [sql('d.finished_at IS NULL AND d.received_at < ?', E), sql('d.finished_at >= ? AND d.received_at < ?', S, E)];
  return {
    scope: or(...branches),
    columns,
    /** pending.total and, within it, what splits overdue from within the deadline (never NULL: see overdueAtEnd) */
    pending,
    overdueAtEnd,
    /**
     * The open dossiers whose current state began before the end, and the rest of the open ones (state_from later,
     * or NULL while unknown): together the scope's open branch. For the first, the row is the state at the end, so
     * (overdueAtEnd's and agency's first branches) they count for the row's agency, and as overdue exactly when
     * processing past the row's deadline; they are pending, so none is in a resolved column. Most of the dossiers a
     * report reads one by one are these, counted per (agency, field) from their own index (settlement.ts).
     */
    openAtEnd: {
      scope: sql('d.finished_at IS NULL AND d.received_at < ? AND d.state_from < ?', E, E),
      overdue: sql('d.status = ? AND d.due_at < ?', 'processing', E),
      rest: sql('d.finished_at IS NULL AND d.received_at < ? AND (d.state_from < ?) IS NOT TRUE', E, E),
    },
    /** the agency a dossier counts for (see AGENCY_BASES) */
    agency(basis: AgencyBasis): Sql {
      return basis === 'receiving' ? sql('d.received_agency_code') : atEnd.agency;
    },
  };
}

export interface ReportCell {
  column: ReportColumn;
  from: string;
  to: string;
  fieldCode?: string;
  /** the agency the dossiers count for, under `basis` */
  agencyCodes?: string[];
  basis: AgencyBasis;
}

/** The dossiers behind one number of the report: the list's filter. */
export function whereReportCell(db: Knex, q: Knex.QueryBuilder, cell: ReportCell, now: Date): Knex.QueryBuilder {
  const w = reportWindow(cell.from, cell.to, now);
  const c = reportConditions(db, w);
  const col = c.columns[cell.column];
  if (!col) throw new ValidationError({ report: `Cột báo cáo không hợp lệ: ${cell.column}.` });
  const resolved = cell.column.startsWith('resolved.');
  if (resolved) {
    // The resolved are finished within the period: the column says "before the end", this the start. The scope ("open,
    // or finished since the start, received before the end") gave the planner no range of the finish instant (a
    // year's resolved late read every dossier finished before the year's end).
    q.where('d.finished_at', '>=', w.start);
  } else if (cell.column !== 'received.online' && cell.column !== 'received.inPersonOrPostal') {
    // knex puts raw conditions side by side with AND: each keeps its own parentheses (they contain ORs). The received
    // online or in person, received within the period (the column says from its start), are in the scope, being
    // finished after their receipt, so after the start: asked with the scope's OR, PostgreSQL gathered the city's
    // dossiers in scope into a bitmap and read each from the table (the busiest department's October online, 5,290:
    // 60-76 ms).
    q.whereRaw(`(${c.scope.sql})`, c.scope.bindings);
  }
  // The scope's "received before the end", said again as a bound of the receipt, where a page in the order of receipt
  // starts: inside the scope's OR it was none, and a year's received at a desk were found by walking the receipt index
  // from its newest end through every dossier received since (SQLite 330-1,060 ms on the bench's 1,000,000; 6-15 ms
  // with it), and PostgreSQL did so for a department's resolved of 2025 (560-1,400 ms; 190-200 with it). For the
  // resolved late it says nothing more (a dossier is finished after its receipt: each action comes after the
  // dossier's last event, and the import refuses a finish before the receipt) and is left out: it led PostgreSQL to
  // intersect a department's year of finished late, 2,029 in their own index, with the 540,000 dossiers received
  // before the year's end (140-260 ms; 24 ms without).
  if (cell.column !== 'resolved.late') q.where('d.received_at', '<', w.end);
  q.whereRaw(`(${col.sql})`, col.bindings);
  if (cell.fieldCode) q.where('d.field_code', cell.fieldCode);
  // A dossier resolved within the period was finished before its end, so it counts for the agency at its finish, the
  // row's own (stateAtEnd's first case), without the per-dossier look-up of the state at the end.
  for (const code of cell.agencyCodes ?? []) {
    const a = resolved && cell.basis === 'handling' ? sql('d.agency_code') : c.agency(cell.basis);
    q.whereRaw(`(${a.sql}) = ?`, [...a.bindings, code]);
  }
  return q;
}

/** A desk's own report counts what it handles; a public service centre's what it received (it handles none). */
export function basisOfDesk(agency: { kind?: string | null } | null | undefined): AgencyBasis {
  return agency?.kind === SERVICE_CENTRE_KIND ? 'receiving' : 'handling';
}

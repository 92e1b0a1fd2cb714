// The settlement report (Biểu II.06a): one aggregate query grouped by field and agency, counted in SQL.
import type { Knex } from 'knex';
import { reportConditions, REPORT_COLUMNS, type AgencyBasis, type ReportColumn } from './definitions';
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

function addInto(target: Counts, c: Counts): void {
  for (const column of REPORT_COLUMNS) {
    const [group, key] = column.split('.') as [keyof Counts, string];
    (target[group] as Record<string, number>)[key] += cellValue(c, column);
  }
}

/** What the conditions read of a dossier (the report index covers them). */
const SCOPE_COLUMNS = ['id', 'field_code', 'channel', 'status', 'received_at', 'finished_at', 'due_at', 'due_day_start', 'state_from', 'agency_code', 'received_agency_code']
  .map((c) => `d.${c}`)
  .join(', ');

/** SQL alias of a column: received.carriedOver -> received_carried_over */
const alias = (column: ReportColumn) => column.replace('.', '_').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export interface SettlementQuery {
  from: string;
  to: string;
  /** count only the dossiers of this agency (under `basis`); null = all agencies */
  agencyCode: string | null;
  basis: AgencyBasis;
  now: Date;
}

/** Counts per (field, agency) in one pass over the dossiers the window can touch. */
export async function countByFieldAndAgency(db: Knex, q: SettlementQuery) {
  const w = reportWindow(q.from, q.to, q.now);
  const c = reportConditions(db, w);
  const agency = c.agency(q.basis);
  const selects: string[] = ['d.field_code AS field_code', `${agency.sql} AS agency_code`];
  const bindings: Knex.Value[] = [...agency.bindings];
  for (const column of REPORT_COLUMNS) {
    if (column === 'received.total') {
      selects.push(`COUNT(*) AS ${alias(column)}`);
      continue;
    }
    const cond = c.columns[column];
    selects.push(`SUM(CASE WHEN ${cond.sql} THEN 1 ELSE 0 END) AS ${alias(column)}`);
    bindings.push(...cond.bindings);
  }
  // The scope read as two index range scans (UNION ALL of disjoint branches) that cover the columns the
  // conditions use, instead of an OR that makes SQLite fetch every row from the table.
  const scoped = db.raw(
    c.branches.map((b) => `SELECT ${SCOPE_COLUMNS} FROM dossiers d WHERE ${b.sql}`).join(' UNION ALL '),
    c.branches.flatMap((b) => b.bindings),
  );
  const query = db
    .select(db.raw(selects.join(',\n  '), bindings))
    .from(db.raw('(?) AS d', [scoped]));
  if (q.agencyCode !== null) query.whereRaw(`(${agency.sql}) = ?`, [...agency.bindings, q.agencyCode]);
  const rows: Record<string, unknown>[] = await query.groupByRaw('1, 2');
  return {
    window: w,
    rows: rows.map((r) => {
      const counts = emptyCounts();
      for (const column of REPORT_COLUMNS) {
        const [group, key] = column.split('.') as [keyof Counts, string];
        (counts[group] as Record<string, number>)[key] = Number(r[alias(column)] ?? 0);
      }
      return { fieldCode: String(r.field_code), agencyCode: r.agency_code === null ? '' : String(r.agency_code), counts };
    }),
  };
}

const byVietnamese = (a: string, b: string) => a.localeCompare(b, 'vi');

/** The report: rows per field, rows per agency and the total, with names. */
export async function settlementReport(db: Knex, q: SettlementQuery): Promise<SettlementReport> {
  const { window, rows } = await countByFieldAndAgency(db, q);
  const fieldNames = new Map<string, string>((await db('fields').select('code', 'name')).map((f) => [f.code, f.name]));
  const agencyNames = new Map<string, string>((await db('agencies').select('code', 'name')).map((a) => [a.code, a.name]));
  const fields = new Map<string, FieldRow>();
  const agencies = new Map<string, AgencyRow>();
  const total = emptyCounts();
  for (const r of rows) {
    if (!fields.has(r.fieldCode)) fields.set(r.fieldCode, { fieldCode: r.fieldCode, fieldName: fieldNames.get(r.fieldCode) ?? r.fieldCode, ...emptyCounts() });
    if (!agencies.has(r.agencyCode)) agencies.set(r.agencyCode, { agencyCode: r.agencyCode, agencyName: agencyNames.get(r.agencyCode) ?? r.agencyCode, ...emptyCounts() });
    addInto(fields.get(r.fieldCode)!, r.counts);
    addInto(agencies.get(r.agencyCode)!, r.counts);
    addInto(total, r.counts);
  }
  return {
    period: describePeriod(window.from, window.to),
    window,
    basis: q.basis,
    agency: q.agencyCode === null ? null : { code: q.agencyCode, name: agencyNames.get(q.agencyCode) ?? q.agencyCode },
    rows: [...fields.values()].sort((a, b) => byVietnamese(a.fieldName, b.fieldName)),
    byAgency: [...agencies.values()].sort((a, b) => byVietnamese(a.agencyName, b.agencyName)),
    total,
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

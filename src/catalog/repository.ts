import type { Knex } from 'knex';
import { whereContains } from '../db/dialect';
import { compareVietnamese } from '../shared/format';
import { catalogChanged } from './names';

export type DurationUnit = 'working_days' | 'working_hours';
export type OnSupplement = 'restart' | 'pause';

/** agencies.kind of a public service centre, which receives dossiers that departments handle */
export const SERVICE_CENTRE_KIND = 'service_centre';

export interface Agency {
  code: string;
  name: string;
  parentCode: string | null;
  level: string;
  kind: string | null;
}

export interface Field {
  code: string;
  name: string;
}

export interface Procedure {
  code: string;
  name: string;
  fieldCode: string;
  fieldName: string;
  level: string;
  agencyCode: string | null;
  statutoryDays: number | null;
  duration: { value: number; unit: DurationUnit };
  onSupplement: OnSupplement;
  fee: string | null;
  active: boolean;
}

const toAgency = (r: any): Agency => ({
  code: r.code,
  name: r.name,
  parentCode: r.parent_code,
  level: r.level,
  kind: r.kind,
});

const toProcedure = (r: any): Procedure => ({
  code: r.code,
  name: r.name,
  fieldCode: r.field_code,
  fieldName: r.field_name,
  level: r.level,
  agencyCode: r.agency_code,
  statutoryDays: r.statutory_days,
  duration: { value: r.duration_value, unit: r.duration_unit },
  onSupplement: r.on_supplement,
  fee: r.fee,
  active: Boolean(r.active),
});

/**
 * Agencies by level (province, district, commune), each level in Vietnamese alphabetical order: the database's
 * order of the names put "Ủy ban…" after "Văn phòng…" and "Phường Đại Thành" after "Phường Vĩnh Phước" (C collation),
 * and another collation would sort PostgreSQL unlike SQLite.
 */
export async function listAgencies(db: Knex): Promise<Agency[]> {
  const rows = (await db('agencies')).map(toAgency);
  return rows.sort((a, b) => (a.level === b.level ? compareVietnamese(a.name, b.name) : a.level < b.level ? 1 : -1));
}

export async function getAgency(db: Knex, code: string): Promise<Agency | null> {
  const row = await db('agencies').where({ code }).first();
  return row ? toAgency(row) : null;
}

/** Renames an agency; its code stays (dossier codes begin with it). */
export async function renameAgency(db: Knex, code: string, name: string): Promise<void> {
  await db('agencies').where({ code }).update({ name });
  catalogChanged(db);
}

export async function insertAgency(db: Knex, a: Agency): Promise<Agency> {
  await db('agencies').insert({ code: a.code, name: a.name, parent_code: a.parentCode, level: a.level, kind: a.kind });
  catalogChanged(db);
  return a;
}

export async function listFields(db: Knex): Promise<Field[]> {
  return db('fields').select('code', 'name').orderBy('name');
}

export async function getField(db: Knex, code: string): Promise<Field | null> {
  return (await db('fields').select('code', 'name').where({ code }).first()) ?? null;
}

/** Saves a field; `create` refuses a code already there (the unique key decides between two admins at once). */
export async function upsertField(db: Knex, f: Field, opts: { create?: boolean } = {}): Promise<Field> {
  const insert = db('fields').insert(f);
  await (opts.create ? insert : insert.onConflict('code').merge(['name']));
  catalogChanged(db);
  return f;
}

function procedureQuery(db: Knex) {
  return db('procedures as p').join('fields as f', 'f.code', 'p.field_code').select('p.*', 'f.name as field_name');
}

export interface ProcedureFilter {
  q?: string;
  fieldCode?: string;
  /** Procedures a desk of this agency may receive. */
  forAgency?: Agency;
  activeOnly?: boolean;
}

/** Procedures by field, the fields in Vietnamese alphabetical order ("Tài nguyên nước" before "Thủy lợi"), then by code. */
export async function listProcedures(db: Knex, filter: ProcedureFilter = {}): Promise<Procedure[]> {
  const q = procedureQuery(db);
  if (filter.activeOnly) q.where('p.active', true);
  if (filter.fieldCode) q.where('p.field_code', filter.fieldCode);
  if (filter.forAgency) {
    const agency = filter.forAgency;
    // A desk receives every procedure of its level (the city's service centre receives for all departments).
    q.where((w) => w.where('p.agency_code', agency.code).orWhere('p.level', agency.level));
  }
  if (filter.q) {
    const text = filter.q;
    q.where((w) => {
      whereContains(db, w, 'p.code', text);
      whereContains(db, w, 'p.name', text);
    });
  }
  const rows = (await q).map(toProcedure);
  return rows.sort((a, b) => compareVietnamese(a.fieldName, b.fieldName) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Every active procedure, by code: the stable order the generated demo and benchmark data are drawn in. */
export async function activeProceduresByCode(db: Knex): Promise<Procedure[]> {
  return (await procedureQuery(db).where('p.active', true).orderBy('p.code')).map(toProcedure);
}

export async function getProcedure(db: Knex, code: string): Promise<Procedure | null> {
  const row = await procedureQuery(db).where('p.code', code).first();
  return row ? toProcedure(row) : null;
}

/**
 * A procedure and the desk receiving it, in one query (intake looks both up on every dossier): the desk is the
 * agency `deskCode`, or the procedure's own agency when `deskCode` is null; `desk` is null when there is no such agency.
 */
export async function getProcedureWithDesk(
  db: Knex,
  code: string,
  deskCode: string | null,
): Promise<{ procedure: Procedure; desk: Agency | null } | null> {
  const row = await procedureQuery(db)
    .leftJoin('agencies as a', function () {
      if (deskCode === null) this.on('a.code', '=', 'p.agency_code');
      else this.onVal('a.code', '=', deskCode);
    })
    .select('a.code as desk_code', 'a.name as desk_name', 'a.parent_code as desk_parent_code', 'a.level as desk_level', 'a.kind as desk_kind')
    .where('p.code', code)
    .first();
  if (!row) return null;
  const desk = row.desk_code === null ? null : toAgency({ code: row.desk_code, name: row.desk_name, parent_code: row.desk_parent_code, level: row.desk_level, kind: row.desk_kind });
  return { procedure: toProcedure(row), desk };
}

/** Saves a procedure; `create` refuses a code already there (the unique key decides between two admins at once). */
export async function upsertProcedure(db: Knex, p: Omit<Procedure, 'fieldName'>, opts: { create?: boolean } = {}): Promise<void> {
  const row = {
    code: p.code,
    name: p.name,
    field_code: p.fieldCode,
    level: p.level,
    agency_code: p.agencyCode,
    statutory_days: p.statutoryDays,
    duration_value: p.duration.value,
    duration_unit: p.duration.unit,
    on_supplement: p.onSupplement,
    fee: p.fee,
    active: p.active,
  };
  const insert = db('procedures').insert(row);
  await (opts.create ? insert : insert.onConflict('code').merge());
  catalogChanged(db);
}

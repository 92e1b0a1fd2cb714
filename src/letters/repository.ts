import type { Knex } from 'knex';
import { localDayStart, nextCounter, selectRows } from '../db/dialect';
import type { DossierRow } from '../dossiers/repository';
import { OPEN_STATUSES } from '../dossiers/status';
import { EVERY_AGENCY } from '../forms/repository';
import { addDays, fromLocal } from '../shared/format';
import type { LetterRow, LetterStatus, StoredTemplate } from './draft';

export type LetterWithDossier = LetterRow & {
  dossier_code: string;
  applicant_name: string;
  procedure_name: string;
  dossier_status: DossierRow['status'];
  due_at: string;
  appointment_at: string;
  finished_at: string | null;
  remaining_minutes: number | null;
  dossier_agency_code: string;
  received_agency_code: string;
};

const WITH_DOSSIER = [
  'l.*',
  'd.code as dossier_code',
  'd.applicant_name',
  'p.name as procedure_name',
  'd.status as dossier_status',
  'd.due_at',
  'd.appointment_at',
  'd.finished_at',
  'd.remaining_minutes',
  'd.agency_code as dossier_agency_code',
  'd.received_agency_code',
];

function lettersWithDossier(db: Knex) {
  return db('letters as l').join('dossiers as d', 'd.id', 'l.dossier_id').join('procedures as p', 'p.code', 'd.procedure_code');
}

export async function findLetter(db: Knex, id: number): Promise<LetterWithDossier | null> {
  const row = await lettersWithDossier(db).select(WITH_DOSSIER).where('l.id', id).first();
  return (row as LetterWithDossier) ?? null;
}

export const LETTERS_OF_DOSSIER = 'SELECT * FROM letters WHERE dossier_id = ? ORDER BY seq';

export async function lettersOfDossier(db: Knex, dossierId: number): Promise<LetterRow[]> {
  return selectRows<LetterRow>(db, LETTERS_OF_DOSSIER, [dossierId]);
}

export interface LetterListQuery {
  status?: LetterStatus;
  /** drafts only of dossiers still open: the ones a head can still issue */
  openOnly?: boolean;
  /** null = every agency */
  agencyCode: string | null;
  /** issued on these local days (inclusive) */
  issuedFrom?: string;
  issuedTo?: string;
  /** issued in time: on a local day before the deadline's, as the law asks (`in_time`), or later (`late`) */
  timing?: LetterTiming;
  page: number;
  pageSize: number;
}

/** When a letter went out against its dossier's deadline: by the day before it (the law's), or later. */
export type LetterTiming = 'in_time' | 'late';

function applyLetterScope(db: Knex, q: Knex.QueryBuilder, query: Omit<LetterListQuery, 'page' | 'pageSize'>) {
  if (query.agencyCode !== null) {
    const code = query.agencyCode;
    q.where((w) => w.where('d.agency_code', code).orWhere('d.received_agency_code', code));
  }
  if (query.status) q.where('l.status', query.status);
  if (query.openOnly) q.whereIn('d.status', OPEN_STATUSES);
  if (query.issuedFrom) q.where('l.issued_at', '>=', fromLocal(query.issuedFrom).toISOString());
  if (query.issuedTo) q.where('l.issued_at', '<', fromLocal(addDays(query.issuedTo, 1)).toISOString());
  if (query.timing) {
    // The day a letter had to go out before (draft.ts letterDeadline): its dossier's deadline's, or, for a further
    // letter, the day of the appointment it moves.
    const deadlineDay = `(CASE WHEN l.seq > 1 THEN ${localDayStart(db, 'l.original_appointment_at')} ELSE ${localDayStart(db, 'd.due_at')} END)`;
    q.whereRaw(`l.issued_at ${query.timing === 'in_time' ? '<' : '>='} ${deadlineDay}`);
  }
  return q;
}

/** How many letters the list holds. */
export async function countLetters(db: Knex, query: Omit<LetterListQuery, 'page' | 'pageSize'>): Promise<number> {
  const row = await applyLetterScope(db, lettersWithDossier(db), query).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function listLetters(db: Knex, query: LetterListQuery): Promise<{ items: LetterWithDossier[]; total: number }> {
  const base = applyLetterScope(db, lettersWithDossier(db), query);
  const total = await countLetters(db, query);
  // Drafts by urgency (earliest deadline first), issued letters newest first.
  const order =
    query.status === 'draft'
      ? [{ column: 'd.due_at', order: 'asc' }, { column: 'l.id', order: 'asc' }]
      : [{ column: 'l.issued_at', order: 'desc' }, { column: 'l.id', order: 'desc' }];
  const items = await base
    .select(WITH_DOSSIER)
    .orderBy(order)
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  return { items: items as LetterWithDossier[], total };
}

/**
 * Open dossiers that have no letter at all and are due soon or late: the clock running with a deadline before `until`,
 * or stopped after the deadline had passed (negative minutes left).
 */
export async function dossiersNeedingLetter(db: Knex, until: Date): Promise<DossierRow[]> {
  return db('dossiers as d')
    .join('agencies as a', 'a.code', 'd.agency_code')
    .select('d.*', 'a.name as agency_name')
    .where((w) =>
      w
        .where((r) => r.where('d.status', 'processing').where('d.due_at', '<=', until.toISOString()))
        .orWhere((st) => st.whereIn('d.status', ['awaiting_supplement', 'paused']).where('d.remaining_minutes', '<', 0)),
    )
    .whereNotExists((q) => q.select(db.raw('1')).from('letters as l').whereRaw('l.dossier_id = d.id'))
    .orderBy('d.id');
}

/** Inserts drafts; a dossier that already has a letter of that seq is skipped silently. Returns how many were new. */
export async function insertDraftsIgnoringExisting(db: Knex, rows: Omit<LetterRow, 'id'>[]): Promise<number> {
  let created = 0;
  for (let i = 0; i < rows.length; i += 50) {
    const inserted = await db('letters').insert(rows.slice(i, i + 50)).onConflict(['dossier_id', 'seq']).ignore().returning('id');
    created += inserted.length;
  }
  return created;
}

/** Drafts whose dossier has finished can never be issued (SPEC §5): mark them cancelled. */
export async function cancelDraftsOfFinishedDossiers(db: Knex, now: Date): Promise<number> {
  return db('letters')
    .where('status', 'draft')
    .whereIn('dossier_id', (q) => q.select('id').from('dossiers').whereNotIn('status', OPEN_STATUSES))
    .update({ status: 'cancelled', cancelled_at: now.toISOString(), updated_at: now.toISOString(), version: db.raw('version + 1') });
}

/** Reserves the next letter number of an agency in a year; the upsert is atomic on both databases. */
export function nextLetterNumber(trx: Knex.Transaction, agencyCode: string, year: number): Promise<number> {
  return nextCounter(trx, 'letter_numbers', { agency_code: agencyCode, year });
}

/** The name of the agency's head to pre-fill the signature (the first active head account). */
export async function headNameOf(db: Knex, agencyCode: string): Promise<string | null> {
  const row = await db('users').where({ agency_code: agencyCode, role: 'head', active: true }).orderBy('id').first();
  return row?.full_name ?? null;
}

// ---------------------------------------------------------------------------------------------
// Templates

export { EVERY_AGENCY };

interface TemplateRow {
  agency_code: string;
  number_suffix: string | null;
  title: string | null;
  body: string | null;
  sms: string | null;
  recipients: string | null;
  signer_title: string | null;
  signer_name: string | null;
  updated_at: string;
  updated_by: string | null;
}

const toStored = (r: TemplateRow): StoredTemplate & { updatedAt: string; updatedBy: string | null } => ({
  numberSuffix: r.number_suffix,
  title: r.title,
  body: r.body,
  sms: r.sms,
  recipients: r.recipients,
  signerTitle: r.signer_title,
  signerName: r.signer_name,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export async function storedTemplate(db: Knex, agencyCode: string) {
  const row = (await db('letter_templates').where({ agency_code: agencyCode }).first()) as TemplateRow | undefined;
  return row ? toStored(row) : null;
}

/** The signers named in the agencies' templates, by agency. */
export async function templateSigners(db: Knex): Promise<Map<string, string>> {
  const rows = await db('letter_templates').whereNotNull('signer_name').select('agency_code', 'signer_name');
  return new Map(rows.map((r: { agency_code: string; signer_name: string }) => [r.agency_code, r.signer_name]));
}

export async function templateAgencyCodes(db: Knex): Promise<string[]> {
  return (await db('letter_templates').select('agency_code').orderBy('agency_code')).map((r) => r.agency_code as string);
}

export async function saveTemplate(db: Knex, agencyCode: string, t: StoredTemplate, by: string, now: Date): Promise<void> {
  const nullIfEmpty = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);
  await db('letter_templates')
    .insert({
      agency_code: agencyCode,
      number_suffix: nullIfEmpty(t.numberSuffix),
      title: nullIfEmpty(t.title),
      body: nullIfEmpty(t.body),
      sms: nullIfEmpty(t.sms),
      recipients: nullIfEmpty(t.recipients),
      signer_title: nullIfEmpty(t.signerTitle),
      // One person signs for one agency: the template of every agency names none.
      signer_name: agencyCode === EVERY_AGENCY ? null : nullIfEmpty(t.signerName),
      updated_at: now.toISOString(),
      updated_by: by,
    })
    .onConflict('agency_code')
    .merge();
}

export async function deleteTemplate(db: Knex, agencyCode: string): Promise<number> {
  return db('letter_templates').where({ agency_code: agencyCode }).delete();
}

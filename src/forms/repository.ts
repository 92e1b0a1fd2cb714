// The forms' wording as stored (db: form_texts): what an admin set, slot by slot, for every agency or one.
import type { Knex } from 'knex';
import { getAgency } from '../catalog/repository';
import { regimeOn, type FormRegime } from './regime';
import { deskNameOf, FORM_TEXTS, printedTexts, resolveTexts, SLOT_KEYS, type FormKey, type SlotKey, type StoredTexts, type TextsInput } from './texts';

/** The agency code under which the wording for every agency is kept. */
export const EVERY_AGENCY = '*';

interface TextRow {
  agency_code: string;
  slot: string;
  text: string;
  updated_at: string;
  updated_by: string | null;
}

const toStored = (rows: readonly TextRow[]): StoredTexts =>
  Object.fromEntries(rows.filter((r) => (SLOT_KEYS as readonly string[]).includes(r.slot)).map((r) => [r.slot, r.text]));

/** The wording a form prints for an agency: its own slots over every agency's over the circular's (one statement). */
export async function textsFor(db: Knex, form: FormKey, agencyCode: string | null): Promise<Record<SlotKey, string>> {
  const codes = agencyCode && agencyCode !== EVERY_AGENCY ? [agencyCode, EVERY_AGENCY] : [EVERY_AGENCY];
  const rows = (await db('form_texts').where({ form }).whereIn('agency_code', codes).select('agency_code', 'slot', 'text')) as TextRow[];
  return resolveTexts(form, ...codes.map((code) => toStored(rows.filter((r) => r.agency_code === code))));
}

/** A form's wording as the desk of `agencyCode` prints it (null: every agency's), its placeholders filled. */
export async function formWording(db: Knex, form: FormKey, agencyCode: string | null, values: Readonly<Record<string, string>>) {
  return printedTexts(form, await textsFor(db, form, agencyCode), values);
}

/**
 * What a printed form shows at its head: the desk of `agencyCode` (null: none named, or none such), its parent, the
 * name printed for it, the forms in force on local `day`.
 */
export async function formHead(db: Knex, regimes: readonly FormRegime[], agencyCode: string | null, day: string) {
  const agency = agencyCode ? await getAgency(db, agencyCode) : null;
  const parent = agency?.parentCode ? await getAgency(db, agency.parentCode) : null;
  return { agency, parent, deskName: deskNameOf(agency), regime: regimeOn(regimes, day) };
}

/** What an admin set for one form and one agency (or every agency), with when and by whom it last changed. */
export async function storedTexts(db: Knex, form: FormKey, agencyCode: string) {
  const rows = (await db('form_texts').where({ form, agency_code: agencyCode }).select('*')) as TextRow[];
  if (rows.length === 0) return null;
  const last = rows.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
  return { texts: toStored(rows), updatedAt: last.updated_at, updatedBy: last.updated_by };
}

/** The agencies (and '*') that set any of a form's wording. */
export async function customisedAgencies(db: Knex, form: FormKey): Promise<Set<string>> {
  const rows = await db('form_texts').where({ form }).distinct('agency_code');
  return new Set(rows.map((r) => r.agency_code as string));
}

/** Replaces an agency's wording of a form with the slots given non-empty, in one transaction. */
export async function saveTexts(db: Knex, form: FormKey, agencyCode: string, input: TextsInput, by: string, now: Date): Promise<void> {
  const rows = FORM_TEXTS[form].slots
    .filter((slot) => input[slot.key] !== '')
    .map((slot) => ({ agency_code: agencyCode, form, slot: slot.key, text: input[slot.key], updated_at: now.toISOString(), updated_by: by }));
  await db.transaction(async (trx) => {
    await trx('form_texts').where({ form, agency_code: agencyCode }).delete();
    if (rows.length) await trx('form_texts').insert(rows);
  });
}

/** Drops an agency's wording of a form: it prints what applies to every agency (or the circular's) again. */
export async function resetTexts(db: Knex, form: FormKey, agencyCode: string): Promise<number> {
  return db('form_texts').where({ form, agency_code: agencyCode }).delete();
}

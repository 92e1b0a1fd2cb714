import type { Knex } from 'knex';
import { compareVietnamese } from '../shared/format';

// The names of the catalog's codes (procedures, fields, agencies), kept in memory for the lists of dossiers.
//
// A list of 50 dossiers joined four name tables: on PostgreSQL planning that five-table join took 2.4 ms against
// 0.4 ms for the dossiers alone; on SQLite the late list's query took 0.8–1.3 ms with the joins, 0.7 ms without.
// The catalog is a few hundred rows that an admin changes now and then, so lists read the dossiers alone and take
// the names from here.
//
// Freshness: a write through this process (catalog repository, seeds) drops the names at once; a code not known
// yet (a procedure another process just added) loads them again; a rename by another process shows within
// NAMES_TTL_MS. The dossier page and its API answer read names here too, and the dossier page its transfer form's
// agencies (an agency another process just added is offered within NAMES_TTL_MS; the transfer itself checks the
// agency in the database); letters, reports, exports and anything read inside a transaction still join, and are
// exact at every instant.

const NAMES_TTL_MS = 60_000;

export interface CatalogNames {
  procedure(code: string): string;
  field(code: string): string;
  agency(code: string): string;
}

interface Loaded {
  procedures: Map<string, string>;
  fields: Map<string, string>;
  agencies: Map<string, string>;
  /** every field, in Vietnamese alphabetical order (Đ after D) */
  fieldChoices: { code: string; name: string }[];
  /** every agency, the province's first, then the districts', then the communes', each in Vietnamese alphabetical order */
  agencyChoices: { code: string; name: string }[];
  generation: number;
  loadedAt: number;
}

let generation = 0;
const loaded = new WeakMap<Knex.Client, Loaded>();
/** A load under way, shared: when the names go stale under load, one read serves every waiting page. */
const loading = new WeakMap<Knex.Client, { generation: number; promise: Promise<Loaded> }>();

/**
 * Call after writing procedures, fields or agencies through `db`: every database's names are read again on next use.
 * Inside a transaction, again when it ends: names read before the commit would otherwise be kept as fresh.
 */
export function catalogChanged(db: Knex): void {
  generation += 1;
  const trx = db as unknown as { isTransaction?: boolean; executionPromise?: Promise<unknown> };
  if (trx.isTransaction && trx.executionPromise) {
    trx.executionPromise.then(
      () => (generation += 1),
      () => (generation += 1),
    );
  }
}

function load(db: Knex): Promise<Loaded> {
  const at = generation;
  const pending = loading.get(db.client);
  if (pending && pending.generation === at) return pending.promise;
  const pairs = (table: string) => db(table).select('code', 'name') as Promise<{ code: string; name: string }[]>;
  const toMap = (rows: { code: string; name: string }[]) => new Map(rows.map((r) => [r.code, r.name]));
  const agencies = db('agencies').select('code', 'name', 'level') as Promise<{ code: string; name: string; level: string }[]>;
  const promise = Promise.all([pairs('procedures'), pairs('fields'), agencies])
    .then(([procedures, fields, agencies]) => {
      const names: Loaded = {
        procedures: toMap(procedures),
        fields: toMap(fields),
        agencies: toMap(agencies),
        fieldChoices: [...fields].sort((a, b) => compareVietnamese(a.name, b.name)),
        agencyChoices: agencies
          .sort((a, b) => levelRank(a.level) - levelRank(b.level) || compareVietnamese(a.name, b.name))
          .map(({ code, name }) => ({ code, name })),
        generation: at,
        loadedAt: Date.now(),
      };
      loaded.set(db.client, names);
      return names;
    })
    .finally(() => {
      if (loading.get(db.client)?.promise === promise) loading.delete(db.client);
    });
  loading.set(db.client, { generation: at, promise });
  return promise;
}

/** The kept names of `db`, loaded again when stale or when `wanted` holds a code they do not know. */
async function current(db: Knex, wanted?: Wanted): Promise<Loaded> {
  const names = loaded.get(db.client);
  const fresh = names && names.generation === generation && Date.now() - names.loadedAt <= NAMES_TTL_MS;
  return fresh && (!wanted || knowsAll(names, wanted)) ? names : load(db);
}

type Wanted = { procedures: Iterable<string>; fields: Iterable<string>; agencies: Iterable<string> };

/** The names for rows that carry these codes: `wanted` lists the codes the caller is about to show. */
export async function catalogNames(db: Knex, wanted: Wanted): Promise<CatalogNames> {
  const { procedures, fields, agencies } = await current(db, wanted);
  return {
    procedure: (code) => procedures.get(code) ?? code,
    field: (code) => fields.get(code) ?? code,
    agency: (code) => agencies.get(code) ?? code,
  };
}

/** Every field, in Vietnamese alphabetical order (Đ after D): a list page's filter, from the names kept in memory. */
export async function fieldChoices(db: Knex): Promise<{ code: string; name: string }[]> {
  return (await current(db)).fieldChoices;
}

/**
 * Every agency, the province's first, then the districts', then the communes', each in Vietnamese alphabetical order:
 * the transfer form's choices, from the names kept in memory (the dossier page read them on every request).
 */
export async function agencyChoices(db: Knex): Promise<{ code: string; name: string }[]> {
  return (await current(db)).agencyChoices;
}

/** An agency's levels, highest first: the order agencies are offered in. */
export const LEVELS = ['province', 'district', 'commune'] as const;
/** Unknown levels after the known ones. */
const levelRank = (level: string) => {
  const i = (LEVELS as readonly string[]).indexOf(level);
  return i < 0 ? LEVELS.length : i;
};

function knowsAll(names: Loaded, wanted: Wanted): boolean {
  for (const c of wanted.procedures) if (!names.procedures.has(c)) return false;
  for (const c of wanted.fields) if (!names.fields.has(c)) return false;
  for (const c of wanted.agencies) if (!names.agencies.has(c)) return false;
  return true;
}

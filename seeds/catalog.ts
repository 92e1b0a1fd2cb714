import path from 'node:path';
import type { Knex } from 'knex';
import { readCsv } from './csv';
import { catalogChanged } from '../src/catalog/names';

export const DATA_DIR = path.join(import.meta.dirname, 'data');

const BATCH = 100;

const orNull = (text: string | undefined): string | null => (text && text.trim() !== '' ? text.trim() : null);

/** Parents before children, so a batch never names a parent that is not written yet. */
export function parentsFirst<T extends { code: string; parent_code: string | null }>(rows: T[]): T[] {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const done = new Set<string>();
  const ordered: T[] = [];
  const visit = (row: T, trail: Set<string>) => {
    if (done.has(row.code)) return;
    if (trail.has(row.code)) throw new Error(`agencies.csv: ${row.code} is its own ancestor`);
    trail.add(row.code);
    const parent = row.parent_code ? byCode.get(row.parent_code) : undefined;
    if (parent) visit(parent, trail);
    done.add(row.code);
    ordered.push(row);
  };
  for (const row of rows) visit(row, new Set());
  return ordered;
}

/** Inserts the rows whose code is not there yet; returns how many were. */
async function insertMissing(db: Knex, table: string, rows: object[]): Promise<number> {
  const count = async () => Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
  const before = await count();
  for (let i = 0; i < rows.length; i += BATCH) {
    await db(table).insert(rows.slice(i, i + BATCH)).onConflict('code').ignore();
  }
  return (await count()) - before;
}

export function catalogRows(dir = DATA_DIR) {
  const agencies = parentsFirst(
    readCsv(path.join(dir, 'agencies.csv')).map((r) => ({
      code: r.code,
      name: r.name,
      parent_code: orNull(r.parent_code),
      level: r.level || 'province',
      kind: orNull(r.kind),
      code_note: orNull(r.code_note),
    })),
  );
  const fields = readCsv(path.join(dir, 'fields.csv')).map((r) => ({ code: r.code, name: r.name }));
  const procedures = readCsv(path.join(dir, 'procedures.csv')).map((r) => ({
    code: r.code,
    name: r.name,
    field_code: r.field_code,
    level: r.level || 'province',
    agency_code: orNull(r.agency_code),
    statutory_days: r.statutory_days ? Number(r.statutory_days) : null,
    duration_value: Number(r.duration_value),
    duration_unit: r.duration_unit,
    on_supplement: r.on_supplement || 'restart',
    fee: orNull(r.fee),
    source: orNull(r.source),
  }));
  return { agencies, fields, procedures };
}

/**
 * Writes the shipped catalog: agencies, fields and procedures from seeds/data/*.csv, those not there yet. A row
 * already there is kept as it is: an admin may have changed it (a city promising 3 days where the law gives 5), and
 * running the seed again brought it back to the file's value without a word. Returns how many rows were added.
 */
export async function seedCatalog(db: Knex): Promise<{ agencies: number; fields: number; procedures: number }> {
  const { agencies, fields, procedures } = catalogRows();
  const added = await db.transaction(async (trx) => ({
    agencies: await insertMissing(trx, 'agencies', agencies),
    fields: await insertMissing(trx, 'fields', fields),
    procedures: await insertMissing(trx, 'procedures', procedures),
  }));
  catalogChanged(db);
  return added;
}

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

async function upsert(db: Knex, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await db(table).insert(rows.slice(i, i + BATCH)).onConflict('code').merge();
  }
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
 * Writes the shipped catalog: agencies, fields and procedures from seeds/data/*.csv. Running it again
 * brings the rows back to the files' values; rows added by an admin are left alone.
 */
export async function seedCatalog(db: Knex): Promise<{ agencies: number; fields: number; procedures: number }> {
  const { agencies, fields, procedures } = catalogRows();
  await db.transaction(async (trx) => {
    await upsert(trx, 'agencies', agencies);
    await upsert(trx, 'fields', fields);
    await upsert(trx, 'procedures', procedures);
  });
  catalogChanged(db);
  return { agencies: agencies.length, fields: fields.length, procedures: procedures.length };
}

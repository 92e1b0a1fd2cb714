import path from 'node:path';
import type { Knex } from 'knex';
import { DATA_DIR } from './catalog';
import { readCsv } from './csv';

const KINDS = new Set(['holiday', 'day_off', 'working_day']);

export function calendarRows(file = path.join(DATA_DIR, 'vn-days-off.csv')) {
  return readCsv(file).map((r, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date) || !KINDS.has(r.kind)) {
      throw new Error(`vn-days-off.csv record ${i + 1}: bad date or kind (${r.date}, ${r.kind})`);
    }
    return { date: r.date, kind: r.kind, name: r.name, source: r.source || null };
  });
}

/**
 * Loads the announced days off into calendar_days, for the years that have no day in the table yet. A year with days
 * is the admin's to keep: a day corrected stays as it is, and a day deleted came back with the next seed.
 */
export async function seedCalendar(db: Knex, now: Date): Promise<{ inserted: number }> {
  const kept = new Set((await db('calendar_days').select('date')).map((r: { date: string }) => String(r.date).slice(0, 4)));
  const rows = calendarRows()
    .filter((r) => !kept.has(r.date.slice(0, 4)))
    .map((r) => ({ ...r, updated_at: now.toISOString(), updated_by: 'seed' }));
  const before = await countDays(db);
  await db.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += 200) {
      await trx('calendar_days').insert(rows.slice(i, i + 200)).onConflict('date').ignore();
    }
  });
  return { inserted: (await countDays(db)) - before };
}

async function countDays(db: Knex): Promise<number> {
  const row = await db('calendar_days').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

import type { Knex } from 'knex';
import { dropMonthSpanSql, monthSpanSql } from '../../src/db/dialect';

// The settlement report of a past month or year (issue 7): the dossiers open at the end of the period and finished
// since were found by reading every dossier finished since — a year's worth for a month a year back. `month_span`
// (see monthSpanSql) and an index led by it let the report read only the dossiers that span the end.
export const SPAN_INDEX = ['month_span', 'finished_at', 'received_at', 'field_code', 'channel', 'status', 'due_at', 'due_day_start', 'state_from', 'agency_code', 'received_agency_code', 'pre_finish_from', 'id'];

export async function up(db: Knex): Promise<void> {
  for (const sql of monthSpanSql(db)) await db.raw(sql);
  await db.schema.alterTable('dossiers', (t) => {
    t.index(SPAN_INDEX, 'dossiers_report_span_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex([], 'dossiers_report_span_idx');
  });
  for (const sql of dropMonthSpanSql(db)) await db.raw(sql);
}

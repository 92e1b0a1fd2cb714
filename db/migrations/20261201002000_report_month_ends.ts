import type { Knex } from 'knex';
import { dropMonthSpanSql, insertRows, monthSpanSql } from '../../src/db/dialect';
import { dropMonthEndsSql, monthEndsSql, monthStartRows } from '../../src/reports/month-ends';
import { SPAN_INDEX } from './20261130001100_report_month_span';

// The settlement report of a month, quarter or year (issue 7): the dossiers pending at its end and finished since were
// read one by one with every condition of the report evaluated on each (December 2025 on the bench: 11,600 dossiers,
// 23 ms for that statement alone on SQLite). report_month_ends holds, per finished dossier and month start it was pending at, what the report counts
// of it there, kept by triggers (src/reports/month-ends.ts); report_month_starts lists the month starts.
// It replaces month_span and its index (migration 20261130001100), which only found those dossiers: every intake
// wrote an entry in that index.

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('report_month_starts', (t) => {
    t.string('month', 7).primary();
    t.string('start', 30).notNullable().unique();
  });
  await db.transaction((trx) => insertRows(trx, 'report_month_starts', ['month', 'start'], monthStartRows().map((r) => [r.month, r.start])));
  await db.schema.createTable('report_month_ends', (t) => {
    t.integer('dossier_id').notNullable();
    t.string('month_start', 30).notNullable();
    t.string('field_code', 64).notNullable();
    t.string('agency_code', 64).notNullable();
    t.string('received_agency_code', 64).notNullable();
    t.string('received_at', 30).notNullable();
    t.integer('online').notNullable();
    t.integer('overdue').notNullable();
    t.primary(['dossier_id', 'month_start']);
    // A report reads one month start's rows grouped by field and agency, from the index alone.
    t.index(['month_start', 'field_code', 'agency_code', 'received_agency_code', 'received_at', 'online', 'overdue'], 'report_month_ends_report_idx');
  });
  const { triggers, backfill } = monthEndsSql(db);
  await db.raw(backfill);
  for (const sql of triggers) await db.raw(sql);
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex([], 'dossiers_report_span_idx');
  });
  for (const sql of dropMonthSpanSql(db)) await db.raw(sql);
}

export async function down(db: Knex): Promise<void> {
  for (const sql of monthSpanSql(db)) await db.raw(sql);
  await db.schema.alterTable('dossiers', (t) => {
    t.index(SPAN_INDEX, 'dossiers_report_span_idx');
  });
  for (const sql of dropMonthEndsSql(db)) await db.raw(sql);
  await db.schema.dropTable('report_month_ends');
  await db.schema.dropTable('report_month_starts');
}

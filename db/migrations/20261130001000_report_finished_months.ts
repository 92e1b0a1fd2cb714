import type { Knex } from 'knex';
import { dropFinishedMonthsSql, FINISHED_MONTH_KEY, finishedMonthsSql } from '../../src/db/dialect';

// The settlement report over years of dossiers (issue 7): finished dossiers counted per local month of the finish,
// kept exact by triggers (see finishedMonthsSql), so a report adds up whole months and reads dossiers one by one only
// at the edges of its period and for the ones still open at its end.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('report_finished_months', (t) => {
    t.string('month', 7).notNullable(); // local YYYY-MM of finished_at
    t.string('received_month', 7).notNullable(); // local YYYY-MM of received_at
    t.string('field_code', 64).notNullable();
    t.string('agency_code', 64).notNullable();
    t.string('received_agency_code', 64).notNullable();
    t.integer('online').notNullable(); // 1: received online
    t.integer('outcome').notNullable(); // 0 early, 1 on time (withdrawals too), 2 late
    t.integer('n').notNullable();
    t.primary([...FINISHED_MONTH_KEY]);
    // A report reads a range of months: with the count in the index it never visits the table.
    t.index([...FINISHED_MONTH_KEY, 'n'], 'report_finished_months_cover_idx');
  });
  const { triggers, backfill } = finishedMonthsSql(db);
  await db.raw(backfill);
  for (const sql of triggers) await db.raw(sql);
}

export async function down(db: Knex): Promise<void> {
  for (const sql of dropFinishedMonthsSql(db)) await db.raw(sql);
  await db.schema.dropTable('report_finished_months');
}

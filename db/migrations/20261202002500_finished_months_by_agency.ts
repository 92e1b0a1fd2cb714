import type { Knex } from 'knex';

// The finished months of one agency (src/reports/settlement.ts countFinishedMonths: a desk's report, and the number
// a desk's drill-down shows) were read from an index that starts with the month: PostgreSQL read all of
// report_finished_months instead (216,000 rows at the bench's 1,000,000 dossiers; 25-30 ms of a department's
// 26-30 ms year), SQLite skipped through it month by month (2-5 ms). One index per way of counting an agency, each
// holding what the sums read. Written only when a dossier is finished, never by intake.
const INDEXES = [
  { name: 'report_finished_months_agency_idx', agency: 'agency_code' },
  { name: 'report_finished_months_desk_idx', agency: 'received_agency_code' },
];

export async function up(db: Knex): Promise<void> {
  for (const { name, agency } of INDEXES) {
    await db.raw(`CREATE INDEX ${name} ON report_finished_months (${agency}, month, received_month, field_code, online, outcome, n)`);
  }
}

export async function down(db: Knex): Promise<void> {
  for (const { name } of INDEXES) await db.raw(`DROP INDEX ${name}`);
}

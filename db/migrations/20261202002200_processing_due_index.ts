import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';

// The late and due-soon lists (dossiers in progress by deadline, the pages behind the header's and the start page's
// links) read on SQLite from an index of the dossiers in progress alone (about 1% of all: 10,900 of the bench's
// 1,000,000), in the lists' order, holding every column a list row shows. A page is then a few neighbouring pages of
// this index, where it was a walk of the (status, due_at) index looking each dossier's desk up in the table, then its
// 50 rows, each on a page of its own among the table's 454,000: under load the CPU's caches no longer hold those
// (src/dossiers/repository.ts, inProgressByDeadline). SQLite uses a partial index only for a statement that holds
// its condition as written here. PostgreSQL keeps its plans: its pages are limited by the app's CPU, not by this read.
export async function up(db: Knex): Promise<void> {
  if (!isSqlite(db)) return;
  await db.raw(
    'CREATE INDEX dossiers_processing_due_idx ON dossiers (due_at, id, agency_code, received_agency_code, code, procedure_code, ' +
      "field_code, channel, applicant_name, received_at, appointment_at, status, finished_at, returned_at) WHERE status = 'processing'",
  );
}

export async function down(db: Knex): Promise<void> {
  if (!isSqlite(db)) return;
  await db.raw('DROP INDEX dossiers_processing_due_idx');
}

import type { Knex } from 'knex';

// The dossiers finished after their deadline, a few percent of all, in an index of their own with the columns the
// late lists ask of them (src/dossiers/repository.ts lateIds). "Finished after the deadline" compares two columns,
// which no ordinary index answers, so a desk's late list read every dossier of the desk (SQLite at 1,000,000
// dossiers: 2.6 s for the public service centre, 4.7 s for an admin). Both databases take the same partial index;
// a dossier enters it only when it is finished late, so intake does not write it. It holds `id` for PostgreSQL, whose
// indexes do not carry the row's id as SQLite's carry the rowid: without it, the late list's ids were read from the
// report index instead, all of it (0.5 s).
export async function up(db: Knex): Promise<void> {
  await db.raw(
    'CREATE INDEX dossiers_finished_late_idx ON dossiers (status, due_at, finished_at, agency_code, received_agency_code, id) WHERE finished_at > due_at',
  );
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX dossiers_finished_late_idx');
}

import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';

// A dossier stopped after its deadline had passed (awaiting a supplement or paused, with negative minutes left) is
// late (SPEC §5), and the late list holds it: the index the late and due-soon lists read on SQLite (migration
// 20261202002200) grows from the dossiers in progress to those and the stopped late, a few more, and holds the
// minutes left, which a row's "late" needs. SQLite uses it for a statement holding its condition, or one side of it
// ("status = 'processing'", the due-soon list), as written here (src/dossiers/repository.ts, OPEN_LATE_ROWS).
// PostgreSQL: an index of the stopped late alone, for the list's union and the letters' sweep.
const COLUMNS =
  'due_at, id, agency_code, received_agency_code, code, procedure_code, field_code, channel, applicant_name, received_at, ' +
  'appointment_at, status, finished_at, returned_at';
const OPEN_LATE = "status = 'processing' OR (status IN ('awaiting_supplement', 'paused') AND remaining_minutes < 0)";

export async function up(db: Knex): Promise<void> {
  if (!isSqlite(db)) {
    await db.raw(
      "CREATE INDEX dossiers_stopped_late_idx ON dossiers (due_at, id) WHERE status IN ('awaiting_supplement', 'paused') AND remaining_minutes < 0",
    );
    return;
  }
  await db.raw(`CREATE INDEX dossiers_open_due_idx ON dossiers (${COLUMNS}, remaining_minutes) WHERE ${OPEN_LATE}`);
  await db.raw('DROP INDEX dossiers_processing_due_idx');
}

export async function down(db: Knex): Promise<void> {
  if (!isSqlite(db)) {
    await db.raw('DROP INDEX dossiers_stopped_late_idx');
    return;
  }
  await db.raw(`CREATE INDEX dossiers_processing_due_idx ON dossiers (${COLUMNS}) WHERE status = 'processing'`);
  await db.raw('DROP INDEX dossiers_open_due_idx');
}

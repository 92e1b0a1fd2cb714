import type { Knex } from 'knex';
import { isSqlite, stateOpenedSql } from '../../src/db/dialect';

// Intake (issue 7): the dossier is inserted with state_from already set, and the trigger that keeps state_from
// writes the row only when the value changes. On PostgreSQL the unconditional update wrote a second version of every
// new dossier row with all its index entries.
async function replace(db: Knex, onlyWhenChanged: boolean): Promise<void> {
  // PostgreSQL replaces the trigger's function in place; SQLite's trigger carries its body and is created again.
  if (isSqlite(db)) await db.raw('DROP TRIGGER IF EXISTS dossier_states_current_opened');
  for (const sql of stateOpenedSql(db, onlyWhenChanged)) await db.raw(sql);
}

export async function up(db: Knex): Promise<void> {
  await replace(db, true);
}

export async function down(db: Knex): Promise<void> {
  await replace(db, false);
}

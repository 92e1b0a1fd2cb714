import type { Knex } from 'knex';
import { dropFinishStateSql, finishStateSql } from '../../src/db/dialect';

// The settlement report over a large history (issue 7): `pre_finish_from` (see finishStateSql) lets the report take
// the state at the end of a period from the row for dossiers finished after it, and the report index gains it to
// stay covering — and the id, which SQLite keeps in every index anyway but PostgreSQL would fetch from the table.
const REPORT_INDEX = ['finished_at', 'received_at', 'field_code', 'channel', 'status', 'due_at', 'due_day_start', 'state_from', 'agency_code', 'received_agency_code'];

export async function up(db: Knex): Promise<void> {
  for (const sql of finishStateSql(db)) await db.raw(sql);
  await db.raw(
    `UPDATE dossiers SET pre_finish_from = (SELECT MAX(s.valid_from) FROM dossier_states s WHERE s.dossier_id = dossiers.id ` +
      `AND s.valid_to = dossiers.finished_at AND s.status IN ('processing', 'awaiting_supplement', 'paused')) WHERE finished_at IS NOT NULL`,
  );
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex([], 'dossiers_report_idx');
  });
  await db.schema.alterTable('dossiers', (t) => {
    t.index([...REPORT_INDEX, 'pre_finish_from', 'id'], 'dossiers_report_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex([], 'dossiers_report_idx');
  });
  for (const sql of dropFinishStateSql(db)) await db.raw(sql);
  await db.schema.alterTable('dossiers', (t) => {
    t.index(REPORT_INDEX, 'dossiers_report_idx');
  });
}

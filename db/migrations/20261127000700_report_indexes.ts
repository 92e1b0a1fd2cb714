import type { Knex } from 'knex';
import { dropReportColumnsSql, reportColumnsSql } from '../../src/db/dialect';

// What the settlement report needs (src/reports/definitions.ts, settlement.ts):
// - two columns the database keeps on the dossier row (see reportColumnsSql): `due_day_start` (local midnight of
//   the due date) and `state_from` (when the current state began);
// - an index holding every column the report conditions read, so the dossiers a window can touch — open ones
//   received before the end, and those finished since the start — are read as two index ranges without the table;
// - an index holding the state intervals, for the few dossiers whose state at the end must be looked up.
export async function up(db: Knex): Promise<void> {
  for (const sql of reportColumnsSql(db)) await db.raw(sql);
  await db.raw(
    `UPDATE dossiers SET state_from = (SELECT MAX(s.valid_from) FROM dossier_states s WHERE s.dossier_id = dossiers.id AND s.valid_to IS NULL)`,
  );
  await db.schema.alterTable('dossiers', (t) => {
    t.index(
      ['finished_at', 'received_at', 'field_code', 'channel', 'status', 'due_at', 'due_day_start', 'state_from', 'agency_code', 'received_agency_code'],
      'dossiers_report_idx',
    );
  });
  await db.schema.alterTable('dossier_states', (t) => {
    t.index(['dossier_id', 'valid_from', 'valid_to', 'clock_running', 'due_at', 'agency_code'], 'dossier_states_report_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('dossier_states', (t) => {
    t.dropIndex([], 'dossier_states_report_idx');
  });
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex([], 'dossiers_report_idx');
  });
  for (const sql of dropReportColumnsSql(db)) await db.raw(sql);
}

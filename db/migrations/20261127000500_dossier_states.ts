import type { Knex } from 'knex';

// The dossier's state over time, one row per interval: what the monthly report of a past period needs
// (open or not, clock running or stopped, deadline and handling agency at any instant).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('dossier_states', (t) => {
    t.increments('id');
    t.integer('dossier_id').notNullable().references('id').inTable('dossiers');
    t.string('valid_from', 30).notNullable();
    t.string('valid_to', 30).nullable(); // null: the current state
    t.string('status', 24).notNullable();
    t.string('due_at', 30).notNullable();
    t.boolean('clock_running').notNullable();
    t.string('agency_code', 64).notNullable();
    t.index(['dossier_id', 'valid_to']);
    t.index(['valid_from', 'valid_to']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('dossier_states');
}

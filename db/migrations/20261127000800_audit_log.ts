import type { Knex } from 'knex';
import { appendOnlyTriggers, dropAppendOnlyTriggers } from '../../src/db/dialect';

// The audit log: who logged in, who failed to, and every change an admin made. Append-only: the database
// refuses to update or delete a line (as for dossier_events); admins read it at /quan-tri/nhat-ky.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('audit_log', (t) => {
    t.increments('id');
    t.string('at', 30).notNullable(); // UTC ISO instant
    t.integer('actor_id').nullable().references('id').inTable('users');
    t.string('actor_name', 200).nullable(); // the username as typed or as it was then: kept when the user is gone
    t.string('action', 40).notNullable();
    t.string('target', 300).nullable();
    t.text('detail').notNullable().defaultTo('{}'); // JSON
    t.string('ip', 64).nullable();
    t.index(['at'], 'audit_log_at_idx');
    t.index(['action', 'at'], 'audit_log_action_at_idx');
    t.index(['actor_id', 'at'], 'audit_log_actor_at_idx');
  });
  for (const sql of appendOnlyTriggers(db, 'audit_log')) await db.raw(sql);
}

export async function down(db: Knex): Promise<void> {
  for (const sql of dropAppendOnlyTriggers(db, 'audit_log')) await db.raw(sql);
  await db.schema.dropTable('audit_log');
}

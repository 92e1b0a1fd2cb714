import type { Knex } from 'knex';
import { appendOnlyTriggers, dropAppendOnlyTriggers } from '../../src/db/dialect';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('dossiers', (t) => {
    t.increments('id');
    t.string('code', 100).notNullable().unique();
    t.string('procedure_code', 64).notNullable().references('code').inTable('procedures');
    t.string('field_code', 64).notNullable().references('code').inTable('fields');
    t.string('received_agency_code', 64).notNullable().references('code').inTable('agencies');
    t.string('agency_code', 64).notNullable().references('code').inTable('agencies'); // current handler
    t.string('channel', 16).notNullable(); // in_person | online | postal
    t.string('applicant_name', 200).notNullable();
    t.string('applicant_id_number', 20).nullable();
    t.string('applicant_phone', 20).nullable();
    t.string('applicant_email', 200).nullable();
    t.string('applicant_address', 300).nullable();
    t.integer('sets').notNullable().defaultTo(1);
    t.text('documents').nullable(); // the list of papers handed in, one per line
    t.string('received_at', 30).notNullable(); // exact receipt instant, UTC ISO
    t.string('clock_start_at', 30).notNullable(); // receipt normalised into working time
    t.integer('duration_minutes').notNullable(); // working minutes promised at intake
    t.string('on_supplement', 8).notNullable();
    t.string('due_at', 30).notNullable();
    t.string('appointment_at', 30).notNullable();
    t.integer('remaining_minutes').nullable(); // set while the clock is stopped
    t.string('status', 24).notNullable();
    t.string('finished_at', 30).nullable();
    t.string('returned_at', 30).nullable();
    t.string('outcome', 16).nullable();
    t.text('outcome_reason').nullable();
    t.text('due_trace').notNullable(); // JSON list of the engine's steps
    t.integer('version').notNullable().defaultTo(1);
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['agency_code', 'status', 'due_at']);
    t.index(['status', 'due_at']);
    t.index(['received_at']);
    t.index(['field_code']);
    t.index(['applicant_name']);
  });
  await db.schema.createTable('dossier_sequences', (t) => {
    t.string('agency_code', 64).notNullable();
    t.string('day', 6).notNullable(); // yymmdd, local date of receipt
    t.integer('last').notNullable();
    t.primary(['agency_code', 'day']);
  });
  await db.schema.createTable('dossier_events', (t) => {
    t.increments('id');
    t.integer('dossier_id').notNullable().references('id').inTable('dossiers');
    t.string('type', 32).notNullable();
    t.string('at', 30).notNullable(); // when it happened (may be backdated by an admin)
    t.integer('actor_id').nullable().references('id').inTable('users');
    t.string('actor_name', 200).notNullable();
    t.text('data').notNullable(); // JSON: reason, outcome, agencies, due before/after…
    t.string('recorded_at', 30).notNullable(); // when it was written
    t.index(['dossier_id', 'id']);
  });
  for (const sql of appendOnlyTriggers(db, 'dossier_events')) await db.raw(sql);
}

export async function down(db: Knex): Promise<void> {
  for (const sql of dropAppendOnlyTriggers(db, 'dossier_events')) await db.raw(sql);
  await db.schema.dropTable('dossier_events');
  await db.schema.dropTable('dossier_sequences');
  await db.schema.dropTable('dossiers');
}

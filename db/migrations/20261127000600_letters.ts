import type { Knex } from 'knex';

// Apology letters (SPEC §5): the letters, their numbers per agency and year, and the wording per agency.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('letters', (t) => {
    t.increments('id');
    t.integer('dossier_id').notNullable().references('id').inTable('dossiers');
    // 1 = the letter the sweep drafts; a head's override adds 2, 3, … The constraint is what makes the
    // sweep idempotent across processes: it only ever inserts seq 1, "on conflict do nothing".
    t.integer('seq').notNullable().defaultTo(1);
    t.string('agency_code', 64).notNullable().references('code').inTable('agencies'); // the issuing agency
    t.string('status', 16).notNullable(); // draft | issued | cancelled
    t.string('drafted_for', 16).notNullable(); // due_soon | late | override
    t.integer('number_year').nullable();
    t.integer('number_seq').nullable();
    t.string('number', 80).nullable(); // "15/XL", set when issued
    t.string('addressee_name', 300).notNullable();
    t.string('addressee_address', 300).nullable();
    t.text('reason').nullable();
    t.string('original_appointment_at', 30).notNullable();
    t.string('proposed_appointment_at', 30).notNullable();
    t.string('new_appointment_at', 30).notNullable();
    t.text('proposal_note').nullable();
    t.string('signer_title', 200).nullable();
    t.string('signer_name', 200).nullable();
    t.text('override_reason').nullable();
    // The wording as issued, frozen: a later template change never rewrites an issued letter.
    t.text('title').nullable();
    t.text('body').nullable();
    t.text('recipients').nullable();
    t.text('sms_text').nullable();
    t.text('email_text').nullable();
    t.string('drafted_at', 30).notNullable();
    t.integer('drafted_by').nullable().references('id').inTable('users'); // null: the sweep
    t.string('issued_at', 30).nullable();
    t.integer('issued_by').nullable().references('id').inTable('users');
    t.string('issued_by_name', 200).nullable();
    t.string('cancelled_at', 30).nullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('updated_at', 30).notNullable();
    t.unique(['dossier_id', 'seq']);
    t.unique(['agency_code', 'number_year', 'number_seq']); // a number is never given twice
    t.index(['status', 'agency_code']);
  });
  await db.schema.createTable('letter_numbers', (t) => {
    t.string('agency_code', 64).notNullable();
    t.integer('year').notNullable(); // local year of issue
    t.integer('last').notNullable();
    t.primary(['agency_code', 'year']);
  });
  await db.schema.createTable('letter_templates', (t) => {
    t.string('agency_code', 64).primary(); // an agency's code, or '*' for every agency
    t.string('number_suffix', 40).nullable();
    t.text('title').nullable();
    t.text('body').nullable();
    t.text('sms').nullable();
    t.text('recipients').nullable();
    t.string('signer_title', 200).nullable();
    t.string('updated_at', 30).notNullable();
    t.string('updated_by', 200).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('letter_templates');
  await db.schema.dropTable('letter_numbers');
  await db.schema.dropTable('letters');
}

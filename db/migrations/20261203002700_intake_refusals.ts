import type { Knex } from 'knex';

// Dossiers the desk refused to receive (FORMS.md Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ): no dossier is
// made, but the slip the citizen takes away is numbered per desk and year and can be printed again, and the desk
// keeps who refused what and why.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('intake_refusals', (t) => {
    t.increments('id');
    t.string('agency_code', 64).notNullable().references('code').inTable('agencies');
    t.integer('year').notNullable(); // local year of the refusal
    t.integer('number').notNullable();
    t.string('procedure_code', 64).notNullable().references('code').inTable('procedures');
    t.string('applicant_name', 200).notNullable();
    t.string('applicant_address', 300).nullable();
    t.string('applicant_phone', 20).nullable();
    t.string('applicant_email', 200).nullable();
    t.text('reason').notNullable();
    t.string('refused_at', 30).notNullable(); // UTC ISO instant
    t.integer('refused_by').nullable().references('id').inTable('users');
    t.string('actor_name', 200).notNullable();
    t.unique(['agency_code', 'year', 'number'], { indexName: 'intake_refusals_number_unique' });
  });
  await db.schema.createTable('refusal_numbers', (t) => {
    t.string('agency_code', 64).notNullable();
    t.integer('year').notNullable();
    t.integer('last').notNullable();
    t.primary(['agency_code', 'year']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('refusal_numbers');
  await db.schema.dropTable('intake_refusals');
}

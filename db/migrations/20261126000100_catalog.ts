import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('agencies', (t) => {
    t.string('code', 64).primary();
    t.string('name', 300).notNullable();
    t.string('parent_code', 64).nullable().references('code').inTable('agencies');
    t.string('level', 16).notNullable().defaultTo('province');
    t.string('kind', 32).nullable();
    t.string('code_note', 200).nullable();
  });
  await db.schema.createTable('fields', (t) => {
    t.string('code', 64).primary();
    t.string('name', 300).notNullable();
  });
  await db.schema.createTable('procedures', (t) => {
    t.string('code', 64).primary();
    t.text('name').notNullable();
    t.string('field_code', 64).notNullable().references('code').inTable('fields');
    t.string('level', 16).notNullable().defaultTo('province');
    t.string('agency_code', 64).nullable().references('code').inTable('agencies');
    t.integer('statutory_days').nullable();
    t.integer('duration_value').notNullable();
    t.string('duration_unit', 16).notNullable();
    t.string('on_supplement', 8).notNullable().defaultTo('restart');
    t.text('fee').nullable();
    t.text('source').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.index(['field_code']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('procedures');
  await db.schema.dropTable('fields');
  await db.schema.dropTable('agencies');
}

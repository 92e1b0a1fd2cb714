import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('calendar_days', (t) => {
    t.string('date', 10).primary(); // YYYY-MM-DD, local calendar date
    t.string('kind', 16).notNullable(); // holiday | day_off | working_day
    t.string('name', 300).notNullable();
    t.text('source').nullable();
    t.string('updated_at', 30).notNullable();
    t.string('updated_by', 64).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('calendar_days');
}

import type { Knex } from 'knex';

// The wording an admin sets for the printed forms (FORMS.md: texts in templates an admin can edit; src/forms/texts.ts):
// one row a slot that differs from what applies otherwise, for every agency ('*') or one agency. A slot without a
// row prints the wording of every agency, or the circular's.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('form_texts', (t) => {
    t.string('agency_code', 64).notNullable(); // an agency's code, or '*' for every agency
    t.string('form', 16).notNullable(); // receipt | supplement | refusal
    t.string('slot', 16).notNullable(); // title | intro | closing | signer
    t.text('text').notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('updated_by', 200).nullable();
    t.primary(['agency_code', 'form', 'slot']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('form_texts');
}

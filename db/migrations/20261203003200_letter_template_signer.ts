import type { Knex } from 'knex';

// Who signs an agency's apology letters when no head of it has an account (a department whose desk is the public
// service centre's): kept with the agency's letter template, set by an admin. Until now the centre's head had to type
// the department head's name on every letter, or it went out signed with the centre head's own.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('letter_templates', (t) => {
    t.string('signer_name', 200).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('letter_templates', (t) => {
    t.dropColumn('signer_name');
  });
}

import type { Knex } from 'knex';

// A phone number is kept as it is dialled in Vietnam: 0939555777, not +84939555777. Intake wrote what the clerk typed
// (less spaces, dots and dashes), so a number written "+84 939 555 777" could not be found by "0939555777", the way a
// citizen says it. Intake and imports now write the national form (src/dossiers/schema.ts); this brings the numbers
// already kept to it. Nothing is lost: +84 is Vietnam's country code, the leading 0 its trunk prefix.
const TABLES = ['dossiers', 'intake_refusals'] as const;

export async function up(db: Knex): Promise<void> {
  for (const table of TABLES) {
    await db(table)
      .where('applicant_phone', 'like', '+84%')
      .update({ applicant_phone: db.raw("'0' || substr(applicant_phone, 4)") });
  }
}

export async function down(): Promise<void> {
  // The international form of each number is not kept: the national one is the same number.
}

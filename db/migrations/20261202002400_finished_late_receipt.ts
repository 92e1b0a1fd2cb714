import type { Knex } from 'knex';

// The index of the dossiers finished late (migration 20261130001600) holds their receipt instant too. A report cell's
// resolved late are listed in the order of receipt (src/dossiers/repository.ts resolvedLatePage): without the receipt
// in the index, each was looked up in the table for it, and PostgreSQL, which expects a third of the finished to be
// late where 1.6% are, chose instead to read the whole year's finished dossiers from the report index (an admin's
// 2025 on the bench's 1,000,000: 490,000 read for 7,682, 230-330 ms). Only the finished late are in this index, so
// intake does not write it.
const WITH_RECEIPT = 'status, due_at, finished_at, agency_code, received_agency_code, received_at, id';
const WITHOUT = 'status, due_at, finished_at, agency_code, received_agency_code, id';

async function recreate(db: Knex, columns: string): Promise<void> {
  await db.raw('DROP INDEX dossiers_finished_late_idx');
  await db.raw(`CREATE INDEX dossiers_finished_late_idx ON dossiers (${columns}) WHERE finished_at > due_at`);
}

export async function up(db: Knex): Promise<void> {
  await recreate(db, WITH_RECEIPT);
}

export async function down(db: Knex): Promise<void> {
  await recreate(db, WITHOUT);
}

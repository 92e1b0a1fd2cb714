import type { Knex } from 'knex';

// Apology letters (filled in by the letters module).
export async function up(_db: Knex): Promise<void> {}

export async function down(_db: Knex): Promise<void> {}

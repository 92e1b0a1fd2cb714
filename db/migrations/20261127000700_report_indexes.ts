import type { Knex } from 'knex';

// Indexes for the settlement report (filled in by the reports module).
export async function up(_db: Knex): Promise<void> {}

export async function down(_db: Knex): Promise<void> {}

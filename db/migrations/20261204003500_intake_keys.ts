import type { Knex } from 'knex';

// An intake sent twice is received once. A desk's form sent again after a slow answer (the first one had been
// committed), or another system's POST retried after a timeout, made a second dossier with its own code, counted twice
// in the report. Each intake form, and any API client that sends an Idempotency-Key, names its intake; the dossier
// keeps that name, prefixed with its sender's user id, and the unique index lets only one dossier hold it, even when
// the two arrive at once in two processes (src/dossiers/service.ts, receiveOnce). Older dossiers have none.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('dossiers', (t) => {
    t.string('intake_key', 200).nullable();
  });
  await db.raw('CREATE UNIQUE INDEX dossiers_intake_key ON dossiers (intake_key) WHERE intake_key IS NOT NULL');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX dossiers_intake_key');
  // Both databases drop a column in place (knex would rebuild an SQLite table, losing its triggers).
  await db.raw('ALTER TABLE dossiers DROP COLUMN intake_key');
}

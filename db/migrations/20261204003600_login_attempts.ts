import type { Knex } from 'knex';

// The login's limits (8 failed attempts per user name, 20 per address, in 15 minutes) were counted in each process's
// memory: with N processes behind a load balancer an attacker had N times the guesses. They are counted here, shared
// by every process (src/auth/rate-limit.ts, LoginThrottle). One row per user name or address that failed lately;
// `window_ends_at` in epoch milliseconds.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('login_attempts', (t) => {
    t.string('key', 200).primary();
    t.integer('attempts').notNullable();
    t.bigInteger('window_ends_at').notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('login_attempts');
}

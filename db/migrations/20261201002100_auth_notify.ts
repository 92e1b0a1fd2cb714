import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';

// Sessions kept in each app process on PostgreSQL (src/auth/session-cache.ts): every statement that changes a user or
// a session tells the processes listening on the channel (session-cache.ts AUTH_CHANNEL, written out here as a
// migration must not change later), whichever process, the command line or a psql session wrote it, so a logout, a
// deactivation, a role or a password change is seen by all processes at its commit. Statement-level triggers: one
// notice per statement, and PostgreSQL folds a transaction's notices into one, sent at its commit. SQLite keeps no
// session between requests and needs nothing.
const CHANNEL = 'onestop_auth';
export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.raw(
    `CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$ ` +
      `BEGIN PERFORM pg_notify('${CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$`,
  );
  for (const table of ['users', 'sessions']) {
    await db.raw(
      `CREATE TRIGGER ${table}_notify_auth AFTER UPDATE OR DELETE OR TRUNCATE ON ${table} ` +
        `FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed()`,
    );
  }
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  for (const table of ['users', 'sessions']) await db.raw(`DROP TRIGGER IF EXISTS ${table}_notify_auth ON ${table}`);
  await db.raw('DROP FUNCTION IF EXISTS notify_auth_changed()');
}

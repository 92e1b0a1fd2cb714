import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('full_name', 200).notNullable();
    t.string('role', 16).notNullable(); // clerk | head | admin
    t.string('agency_code', 64).nullable().references('code').inTable('agencies');
    t.string('password_hash', 300).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
  });
  await db.schema.createTable('sessions', (t) => {
    t.string('id', 64).primary(); // sha256 of the cookie value; the cookie itself is never stored
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('csrf_secret', 64).notNullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id']);
  });
  await db.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.string('name', 200).nullable();
    t.string('created_at', 30).notNullable();
    t.string('last_used_at', 30).nullable();
    t.string('revoked_at', 30).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('api_tokens');
  await db.schema.dropTable('sessions');
  await db.schema.dropTable('users');
}

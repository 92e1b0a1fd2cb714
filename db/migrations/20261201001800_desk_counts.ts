import type { Knex } from 'knex';
import { DESK_COUNT_KEY, deskCountsSql, dropDeskCountsSql } from '../../src/db/dialect';

// A desk's list shows how many dossiers it holds. Counted from the desk's indexes, that cost the public service
// centre (350,000 of the bench's 1,000,000 dossiers) 29 ms on SQLite and 77 ms on PostgreSQL on every page of its
// list; an admin's counted all 1,000,000. desk_counts keeps the number per desk, status and way of belonging to the
// desk, exact through triggers (see deskCountsSql).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('desk_counts', (t) => {
    t.string('agency_code', 64).notNullable();
    t.string('status', 32).notNullable();
    t.integer('way').notNullable(); // 0: received at the desk; 1: handled there, received elsewhere
    t.integer('slot').notNullable();
    t.integer('n').notNullable();
    t.primary([...DESK_COUNT_KEY]);
  });
  const { triggers, backfill } = deskCountsSql(db);
  await db.raw(backfill);
  for (const sql of triggers) await db.raw(sql);
}

export async function down(db: Knex): Promise<void> {
  for (const sql of dropDeskCountsSql(db)) await db.raw(sql);
  await db.schema.dropTable('desk_counts');
}

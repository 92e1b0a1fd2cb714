import type { Knex } from 'knex';
import { migrations, type Migration } from '../../db/migrations/index';

// Migrations are imported statically so the same code runs under tsx, vitest and a bundle.
const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name] as Migration,
};

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource: source });
  return applied as string[];
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource: source }, true);
}

/** Takes the last applied migration down. */
export async function migrateDown(db: Knex): Promise<void> {
  await db.migrate.down({ migrationSource: source });
}

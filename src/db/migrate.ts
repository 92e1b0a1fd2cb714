import type { Knex } from 'knex';
import { migrations, type Migration } from '../../db/migrations/index';

// Migrations are imported statically so the same code runs under tsx, vitest and a bundle.
const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name] as Migration,
};

/**
 * Migrations the database has and this code does not know: it was upgraded by a newer version of the app (an upgrade
 * rolled back to the older code without restoring the backup). knex refused in English, calling the migration
 * directory "corrupt", which sent an administrator looking for damaged files.
 */
export async function unknownMigrations(db: Knex): Promise<string[]> {
  if (!(await db.schema.hasTable('knex_migrations'))) return [];
  const known = new Set(Object.keys(migrations));
  const rows: { name: string }[] = await db('knex_migrations').select('name').orderBy('id');
  return rows.map((r) => r.name).filter((name) => !known.has(name));
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const newer = await unknownMigrations(db);
  if (newer.length) {
    throw new Error(
      `Cơ sở dữ liệu này đã được một phiên bản mới hơn của ứng dụng nâng cấp (migration ${newer.join(', ')}); phiên bản đang chạy không dùng được nó. ` +
        'Chạy phiên bản mới, hoặc khôi phục bản sao lưu làm trước khi nâng cấp nếu muốn quay lại phiên bản này.',
    );
  }
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

import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';

// Searching dossiers by a part of their code, the applicant's name, ID number or phone (issue 7). The list's search
// is "contains, any case" on those four columns; without an index it read every dossier: at 1,000,000 dossiers a
// search for one dossier's code took 7.8 s on SQLite. Both indexes below are of trigrams, the only kind that serves
// a "contains" search.
//
// SQLite: an FTS5 table of trigrams over the four columns, its content read from `dossiers` (nothing stored twice),
// kept by triggers. A later migration that rebuilds `dossiers` (SQLite's way of altering a column) drops these
// triggers with the table and must create them again.
//
// PostgreSQL: a GIN index of trigrams (the pg_trgm extension, shipped with PostgreSQL) on the four columns joined by
// a separator no search can hold; the list's search asks ILIKE on exactly this expression (src/dossiers/repository.ts
// SEARCH_TEXT_PG). Where the extension cannot be created (not installed, or a role without the right), the
// migration goes on without the index and the search reads every dossier, as before.

const COLUMNS = ['code', 'applicant_name', 'applicant_id_number', 'applicant_phone'] as const;
const PG_SEARCH_TEXT =
  "(coalesce(code, '') || E'\\x1f' || coalesce(applicant_name, '') || E'\\x1f' || " +
  "coalesce(applicant_id_number, '') || E'\\x1f' || coalesce(applicant_phone, ''))";

/**
 * SQLite: the FTS5 table of trigrams over `cols`, its content read from `content` (a table or view with those
 * columns and `id`), kept by triggers on the dossiers that write `values` of the new and old row, then filled. The
 * triggers watch the dossiers' four searched columns (the others' values are computed from them).
 */
export async function createSqliteSearch(db: Knex, content: string, cols: string, values: (row: 'new' | 'old') => string): Promise<void> {
  await db.raw(`CREATE VIRTUAL TABLE dossier_search USING fts5(${cols}, content='${content}', content_rowid='id', tokenize='trigram')`);
  await createSqliteSearchTriggers(db, cols, values);
  await db.raw(`INSERT INTO dossier_search (dossier_search) VALUES ('rebuild')`);
}

/** Drops the triggers createSqliteSearchTriggers makes. */
export async function dropSqliteSearchTriggers(db: Knex): Promise<void> {
  for (const t of ['insert', 'delete', 'update']) await db.raw(`DROP TRIGGER IF EXISTS dossier_search_${t}`);
}

/** The triggers of createSqliteSearch alone: the dossiers' `values` of the new and old row written to the index. */
export async function createSqliteSearchTriggers(db: Knex, cols: string, values: (row: 'new' | 'old') => string): Promise<void> {
  await db.raw(
    `CREATE TRIGGER dossier_search_insert AFTER INSERT ON dossiers BEGIN ` +
      `INSERT INTO dossier_search (rowid, ${cols}) VALUES (new.id, ${values('new')}); END`,
  );
  await db.raw(
    `CREATE TRIGGER dossier_search_delete AFTER DELETE ON dossiers BEGIN ` +
      `INSERT INTO dossier_search (dossier_search, rowid, ${cols}) VALUES ('delete', old.id, ${values('old')}); END`,
  );
  await db.raw(
    `CREATE TRIGGER dossier_search_update AFTER UPDATE OF ${COLUMNS.join(', ')} ON dossiers BEGIN ` +
      `INSERT INTO dossier_search (dossier_search, rowid, ${cols}) VALUES ('delete', old.id, ${values('old')}); ` +
      `INSERT INTO dossier_search (rowid, ${cols}) VALUES (new.id, ${values('new')}); END`,
  );
}

export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    const cols = COLUMNS.join(', ');
    const values = (row: 'new' | 'old') => COLUMNS.map((c) => `${row}.${c}`).join(', ');
    await createSqliteSearch(db, 'dossiers', cols, values);
    return;
  }
  try {
    // A savepoint: a failed CREATE EXTENSION must not abort the migration's transaction.
    await db.transaction(async (sp) => {
      await sp.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    });
  } catch (err) {
    console.warn(`Không tạo được phần mở rộng pg_trgm (${(err as Error).message}): tìm kiếm hồ sơ sẽ chạy không có chỉ mục.`);
    return;
  }
  await db.raw(`CREATE INDEX dossiers_search_trgm_idx ON dossiers USING gin (${PG_SEARCH_TEXT} gin_trgm_ops)`);
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    await dropSqliteSearchTriggers(db);
    await db.raw('DROP TABLE IF EXISTS dossier_search');
    return;
  }
  await db.raw('DROP INDEX IF EXISTS dossiers_search_trgm_idx');
}

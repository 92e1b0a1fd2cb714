import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';
import { withoutMarksSql } from '../../src/shared/marks';
import * as dossierSearch from './20261130001400_dossier_search';

// Searching a name typed without its marks: "nguyen van hung" finds "Nguyễn Văn Hùng", "Nguyên Văn Hưng" too, as a
// clerk whose keyboard is off Vietnamese expects (src/shared/marks.ts). A text typed with marks still finds only
// those marks. The trigram indexes of migration 20261130001400_dossier_search hold, besides the four values, the
// applicant's name without marks:
//
// SQLite: the FTS5 table gains that column. An external-content table reads its columns from a table or a view, and
// the plain name is no column of `dossiers`: it reads them from a view that computes it, and its triggers write the
// same expression (no column is added to the dossiers, whose every read would compute it).
//
// PostgreSQL: the GIN index's expression gains the plain name as a fifth part, after the same separator; the search
// asks ILIKE on exactly this expression (src/dossiers/repository.ts SEARCH_TEXT_PG).
//
// Searches of one or two characters, which no trigram holds, still look at the four values only.

const COLUMNS = ['code', 'applicant_name', 'applicant_id_number', 'applicant_phone'] as const;
const FTS_COLUMNS = [...COLUMNS, 'applicant_name_plain'];
const PG_SEARCH_TEXT =
  "(coalesce(code, '') || E'\\x1f' || coalesce(applicant_name, '') || E'\\x1f' || " +
  "coalesce(applicant_id_number, '') || E'\\x1f' || coalesce(applicant_phone, '') || E'\\x1f' || " +
  `${withoutMarksSql("coalesce(applicant_name, '')", 'pg')})`;

async function dropSqliteSearch(db: Knex): Promise<void> {
  await dossierSearch.dropSqliteSearchTriggers(db);
  await db.raw('DROP TABLE IF EXISTS dossier_search');
}

/** SQLite: the SQL of a name without its marks, of the column `name` (here 134 nested replace(); since 3700 a function). */
export type PlainSql = (name: string) => string;
export const nestedReplaces: PlainSql = (name) => withoutMarksSql(name, 'sqlite');

/** SQLite: the view the index reads its content from, with the plain name computed by `plain`. */
export const sqliteSearchView = (plain: PlainSql): string =>
  `CREATE VIEW dossier_search_source AS SELECT id, ${COLUMNS.join(', ')}, ${plain('applicant_name')} AS applicant_name_plain FROM dossiers`;

/** SQLite: the values of the index's columns for the new or old row, the plain name computed by `plain`. */
export const sqliteSearchValues =
  (plain: PlainSql) =>
  (row: 'new' | 'old'): string =>
    [...COLUMNS.map((c) => `${row}.${c}`), plain(`${row}.applicant_name`)].join(', ');

export const SQLITE_SEARCH_COLUMNS = FTS_COLUMNS.join(', ');

export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    await dropSqliteSearch(db);
    await db.raw(sqliteSearchView(nestedReplaces));
    await dossierSearch.createSqliteSearch(db, 'dossier_search_source', SQLITE_SEARCH_COLUMNS, sqliteSearchValues(nestedReplaces));
    return;
  }
  // Without pg_trgm (migration 20261130001400_dossier_search went on without it) there is no index to change.
  const trgm = await db.raw("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
  if (!trgm.rows.length) return;
  await db.raw('DROP INDEX IF EXISTS dossiers_search_trgm_idx');
  await db.raw(`CREATE INDEX dossiers_search_trgm_idx ON dossiers USING gin (${PG_SEARCH_TEXT} gin_trgm_ops)`);
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    await dropSqliteSearch(db);
    await db.raw('DROP VIEW IF EXISTS dossier_search_source');
  } else {
    await db.raw('DROP INDEX IF EXISTS dossiers_search_trgm_idx');
  }
  await dossierSearch.up(db);
}

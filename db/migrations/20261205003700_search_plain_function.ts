import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';
import { createSqliteSearchTriggers, dropSqliteSearchTriggers } from './20261130001400_dossier_search';
import { nestedReplaces, sqliteSearchValues, sqliteSearchView, SQLITE_SEARCH_COLUMNS, type PlainSql } from './20261203003000_search_without_marks';

// SQLite: the applicant's name without its marks, which the search index holds (migration 20261203003000), is
// computed by a function of the app's connections, `vn_without_marks` (src/db/knex.ts, src/shared/marks.ts
// withoutMarks), instead of 134 replace() nested in the view and the three triggers. Nested that deep, the schema
// could not be read by an SQLite older than 3.46, whose parser's stack is fixed: Debian 12's `sqlite3` (3.40) said
// "malformed database schema (dossier_search_source) - parser stack overflow" and opened nothing of the database
// (it parses about 20 nested calls). Now any SQLite tool opens the file and reads it; the view, and a write to the
// dossiers outside the app, ask for the function and are refused there ("no such function").
//
// The function gives the names the replaces gave (each marked letter for its plain one, every plain letter ASCII),
// so the index needs no rebuild: the triggers delete with the value it was written with. PostgreSQL: nothing (one
// translate()).

const byFunction: PlainSql = (name) => `vn_without_marks(${name})`;

async function replaceSource(db: Knex, plain: PlainSql): Promise<void> {
  await dropSqliteSearchTriggers(db);
  await db.raw('DROP VIEW IF EXISTS dossier_search_source');
  await db.raw(sqliteSearchView(plain));
  await createSqliteSearchTriggers(db, SQLITE_SEARCH_COLUMNS, sqliteSearchValues(plain));
}

export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) await replaceSource(db, byFunction);
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) await replaceSource(db, nestedReplaces);
}

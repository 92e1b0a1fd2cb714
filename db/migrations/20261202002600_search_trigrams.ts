import type { Knex } from 'knex';
import { isSqlite } from '../../src/db/dialect';

// Searching one or two characters (src/dossiers/repository.ts planShortSearch). The trigram indexes of migration
// 20261130001400_dossier_search hold nothing shorter than three characters, so such a search read every dossier of
// the desk until it had found 1,001: quick for letters most names hold, but for two letters few dossiers hold the
// whole desk (at the bench's 1,000,000 dossiers, the public service centre's 350,000: 0.4-2.4 s on SQLite and 0.6-1.3 s
// on PostgreSQL, depending on the machine; one letter up to 2.2 s and 8 s).
//
// Any value of three characters or more that contains the text contains it in one of its trigrams. search_trigrams
// is the vocabulary of those trigrams: every three characters in a row of a dossier's code, applicant's name, ID
// number and phone, as written (a few thousand rows; tens of thousands in a real city), kept by triggers whoever
// writes. The trigrams holding the text, looked up there, are asked of the trigram index at once (SQLite's FTS5
// table; on PostgreSQL "contains" each trigram, which its index of words answers); values of one or two characters
// are found by the partial index below. Trigrams are only ever added: one no dossier holds any more costs a look-up
// that finds nothing. A later migration that rebuilds `dossiers` on SQLite must create these triggers again.

const COLUMNS = ['code', 'applicant_name', 'applicant_id_number', 'applicant_phone'] as const;

/** SQLite: the trigrams of the new row's four values (`new.`), as SQLite counts characters. */
function trigramsOf(row: string): string {
  return (
    `WITH RECURSIVE v(s) AS (VALUES ${COLUMNS.map((c) => `(${row}.${c})`).join(', ')}), ` +
    'w(s, n) AS (SELECT s, 1 FROM v WHERE length(s) >= 3 UNION ALL SELECT s, n + 1 FROM w WHERE n + 3 <= length(s)) ' +
    'SELECT substr(s, n, 3) FROM w'
  );
}

/** The values the trigrams cannot find: one or two characters. The search repeats this condition word for word. */
const SHORT_VALUES = COLUMNS.map((c) => `length(${c}) BETWEEN 1 AND 2`).join(' OR ');

/**
 * PostgreSQL: the trigrams of the new row, sorted, so that two intakes adding the same new ones wait for each other
 * rather than deadlock (a batch of intakes that still does is tried again: src/db/dialect.ts withRetry).
 */
const PG_ADD = `CREATE FUNCTION search_trigrams_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_trigrams (trigram)
    SELECT DISTINCT substr(v, n, 3) FROM unnest(ARRAY[${COLUMNS.map((c) => `NEW.${c}`).join(', ')}]::text[]) AS v, generate_series(1, length(v) - 2) AS n
    ORDER BY 1
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$`;

export async function up(db: Knex): Promise<void> {
  if (!isSqlite(db)) {
    await db.raw('CREATE TABLE search_trigrams (trigram text PRIMARY KEY)');
    await db.raw(PG_ADD);
    await db.raw('CREATE TRIGGER search_trigrams_insert AFTER INSERT ON dossiers FOR EACH ROW EXECUTE FUNCTION search_trigrams_add()');
    await db.raw(`CREATE TRIGGER search_trigrams_update AFTER UPDATE OF ${COLUMNS.join(', ')} ON dossiers FOR EACH ROW EXECUTE FUNCTION search_trigrams_add()`);
    // The bench's 1,000,000 dossiers: 36 s.
    await db.raw(
      `INSERT INTO search_trigrams (trigram) SELECT DISTINCT substr(v, n, 3) FROM dossiers d, ` +
        `unnest(ARRAY[${COLUMNS.map((c) => `d.${c}`).join(', ')}]::text[]) AS v, generate_series(1, length(v) - 2) AS n ON CONFLICT DO NOTHING`,
    );
    await db.raw(`CREATE INDEX dossiers_short_values_idx ON dossiers (id) WHERE ${SHORT_VALUES}`);
    return;
  }
  await db.raw('CREATE TABLE search_trigrams (trigram TEXT PRIMARY KEY) WITHOUT ROWID');
  const insert = `INSERT OR IGNORE INTO search_trigrams (trigram) ${trigramsOf('new')}`;
  await db.raw(`CREATE TRIGGER search_trigrams_insert AFTER INSERT ON dossiers BEGIN ${insert}; END`);
  await db.raw(`CREATE TRIGGER search_trigrams_update AFTER UPDATE OF ${COLUMNS.join(', ')} ON dossiers BEGIN ${insert}; END`);
  // Column by column over a table of positions: one recursive query over every dossier would first queue all
  // their values. The bench's 1,000,000 dossiers: 24 s with the index below (1,352 trigrams: its names are few).
  await db.raw('CREATE TEMP TABLE search_positions (n INTEGER PRIMARY KEY)');
  const longest = await db.raw(`SELECT max(${COLUMNS.map((c) => `coalesce(length(${c}), 0)`).join(', ')}) AS n FROM dossiers`);
  const n = Number(longest[0]?.n ?? 0);
  await db.raw(`WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < ?) INSERT INTO search_positions SELECT n FROM p`, [Math.max(n, 1)]);
  for (const c of COLUMNS) {
    await db.raw(`INSERT OR IGNORE INTO search_trigrams (trigram) SELECT substr(d.${c}, p.n, 3) FROM dossiers d JOIN search_positions p ON p.n <= length(d.${c}) - 2`);
  }
  await db.raw('DROP TABLE search_positions');
  await db.raw(`CREATE INDEX dossiers_short_values_idx ON dossiers (id) WHERE ${SHORT_VALUES}`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX dossiers_short_values_idx');
  for (const t of ['insert', 'update']) await db.raw(`DROP TRIGGER search_trigrams_${t}${isSqlite(db) ? '' : ' ON dossiers'}`);
  if (!isSqlite(db)) await db.raw('DROP FUNCTION search_trigrams_add()');
  await db.raw('DROP TABLE search_trigrams');
}

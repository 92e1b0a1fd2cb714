import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { addDeskUsers, listAll, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';
import { migrateDown, migrateLatest } from '../../src/db/migrate';

// SQLite's search index holds the applicant's name without its marks (migration 20261203003000). Until migration
// 20261205003700 the view and the triggers computed it with 134 nested replace(), which an SQLite older than 3.46 (its
// parser's stack fixed; Debian 12's sqlite3 is 3.40) could not parse: such a tool opened nothing of the database,
// calling its schema malformed. The name is now computed by a function of the app's connections.

/** A procedure of 4 working hours that the ward receives and handles (tests/helpers/app.ts seedSmallCatalog). */
const HOURS_PROCEDURE = '2.000908';

/** The deepest nesting of parentheses in a statement, outside its quoted strings and names. */
function nesting(sql: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') deepest = Math.max(deepest, ++depth);
    else if (ch === ')') depth -= 1;
  }
  return deepest;
}

/** The schema's statements, deepest first. */
async function deepestStatements(t: TestDb): Promise<{ name: string; depth: number }[]> {
  const rows: { name: string; sql: string }[] = await t.db.raw('SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL');
  return rows.map((r) => ({ name: r.name, depth: nesting(r.sql) })).sort((a, b) => b.depth - a.depth);
}

describe('the search index on SQLite, as older SQLite tools read the file', () => {
  let t: TestDb;
  let users: Record<string, TestUser>;
  let harness: ReturnType<typeof makeApp>;

  beforeAll(async () => {
    t = await createTestDb();
    if (t.kind !== 'sqlite') return;
    await seedSmallCatalog(t.db);
    users = await addDeskUsers(t.db);
    harness = makeApp(t.db, '2026-02-02T01:00:00.000Z');
  });
  afterAll(() => t.destroy());

  it('when the database is migrated, then no statement of its schema nests deeper than an SQLite before 3.46 parses', async () => {
    if (t.kind !== 'sqlite') return; // PostgreSQL: one translate(), nothing nested.
    // SQLite 3.40's shell reads 20 nested replace() and refuses 30; the schema stays far below.
    const [deepest] = await deepestStatements(t);
    expect(deepest.depth).toBeLessThanOrEqual(5);
    // The migration before this one nested them 134 deep, in the view and in each of the three triggers.
    await migrateDown(t.db);
    const before = await deepestStatements(t);
    expect(before.slice(0, 4).map((s) => s.name).sort()).toEqual(['dossier_search_delete', 'dossier_search_insert', 'dossier_search_source', 'dossier_search_update']);
    expect(before[0].depth).toBeGreaterThan(100);
    await migrateLatest(t.db);
    expect((await deepestStatements(t))[0].depth).toBeLessThanOrEqual(5);
  });

  it('when a database indexed by the nested replace() is upgraded, then the index stays that of its dossiers through later changes, and names are found without their marks', async () => {
    if (t.kind !== 'sqlite') return;
    await migrateDown(t.db);
    const kept = await receiveAs(harness.app, users.wardClerk, HOURS_PROCEDURE, 'Trần Thị Ánh Tuyết');
    const renamed = await receiveAs(harness.app, users.wardClerk, HOURS_PROCEDURE, 'Lê Văn Đức');
    await migrateLatest(t.db);
    // Written after the upgrade: the old row's plain name, which the trigger deletes from the index, is the one the
    // nested replace() wrote.
    await t.db('dossiers').where({ code: renamed }).update({ applicant_name: 'Phạm Ngọc Hưởng' });
    const added = await receiveAs(harness.app, users.wardClerk, HOURS_PROCEDURE, 'Đỗ Thị Thuỷ');
    // FTS5's own check, against the content it reads (the view, through the function): it fails when an entry
    // was deleted with other values than it was written with.
    await t.db.raw("INSERT INTO dossier_search (dossier_search, rank) VALUES ('integrity-check', 1)");
    const found = async (q: string) => (await listAll(harness.app, users.wardClerk, `q=${encodeURIComponent(q)}`)).map((d) => d.code);
    expect(await found('anh tuyet')).toEqual([kept]);
    expect(await found('ngoc huong')).toEqual([renamed]);
    expect(await found('le van duc')).toEqual([]);
    expect(await found('do thi thuy')).toEqual([added]);
  });
});

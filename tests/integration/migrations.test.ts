import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { addDeskUsers, addUser, AGENCIES, apiStory, listAll, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';
import { migrations } from '../../db/migrations/index';
import { migrateDown, migrateLatest, migrateRollbackAll } from '../../src/db/migrate';
import { isSqlite } from '../../src/db/dialect';

// Migrations go down as well as up: an upgrade that goes wrong is rolled back with them. Here the last ones are taken
// down and up again over a database holding dossiers, and every migration down to an empty database and back.

const HOURS = '2.000908'; // 4 working hours, handled by the commune desk that receives it
const LAND = '1.012756'; // 3 working days, handled by the land department

describe('migrations', () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  let users: Record<string, TestUser>;

  const deskCounts = async () =>
    (await t.db('desk_counts').where('n', '<>', 0).orderBy(['agency_code', 'status', 'way', 'slot'])).map((r) => `${r.agency_code} ${r.status} ${r.way} ${r.slot} ${Number(r.n)}`);
  const deskCountsDdl = async () => (await t.db.raw("SELECT sql FROM sqlite_master WHERE name = 'desk_counts'"))[0].sql as string;
  /** The definition of the index of the finished late, its columns written as "(a, b, …)". */
  const finishedLateColumns = async () =>
    isSqlite(t.db)
      ? ((await t.db.raw("SELECT sql FROM sqlite_master WHERE name = 'dossiers_finished_late_idx'"))[0].sql as string)
      : ((await t.db.raw("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossiers_finished_late_idx'")).rows[0].indexdef as string);
  const tables = async () =>
    isSqlite(t.db)
      ? (await t.db.raw("SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r: { name: string }) => r.name)
      : (await t.db.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' UNION ALL SELECT indexname FROM pg_indexes WHERE schemaname = 'public' UNION ALL SELECT DISTINCT trigger_name FROM information_schema.triggers ORDER BY 1")).rows.map((r: { name: string }) => r.name);

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    users = await addDeskUsers(t.db);
    harness = makeApp(t.db, '2026-02-02T01:00:00.000Z');
    for (let i = 0; i < 3; i++) await receiveAs(harness.app, users.wardClerk, HOURS, `Người nộp ${i}`);
    await receiveAs(harness.app, users.wardClerk, LAND, 'Người nộp đất đai');
  });
  afterAll(() => t.destroy());

  /** Every three characters in a row of the dossiers' searched values, as the vocabulary of short searches holds them. */
  const trigramsOfDossiers = async () => {
    const rows = await t.db('dossiers').select('code', 'applicant_name', 'applicant_id_number', 'applicant_phone');
    const all = rows.flatMap((r) =>
      [r.code, r.applicant_name, r.applicant_id_number, r.applicant_phone].flatMap((v: string | null) => {
        const chars = [...(v ?? '')];
        return chars.slice(2).map((_, i) => chars.slice(i, i + 3).join(''));
      }),
    );
    return [...new Set(all)].sort();
  };
  const vocabulary = async () => (await t.db('search_trigrams').select('trigram')).map((r) => r.trigram as string).sort();

  it('when the last migrations are taken down and up again, then the refusals go and come back, the desk counts are kept, intake still counts, the finished late are indexed with their receipt and the finished months by agency, and the vocabulary of short searches is built again', async () => {
    // The search's name without marks computed by a function (SQLite): down brings back the 134 nested replace(), up
    // the function. Like the steps below, it stays down for those that follow and is taken down after each migrateLatest.
    const searchSource = async () =>
      isSqlite(t.db) ? String((await t.db.raw("SELECT sql FROM sqlite_master WHERE name = 'dossier_search_source'"))[0].sql) : '';
    if (isSqlite(t.db)) expect(await searchSource()).toContain('vn_without_marks(applicant_name)');
    await migrateDown(t.db);
    if (isSqlite(t.db)) expect(await searchSource()).toMatch(/^CREATE VIEW dossier_search_source AS SELECT id, code, applicant_name, applicant_id_number, applicant_phone, replace\(replace\(/);
    expect(await migrateLatest(t.db)).toEqual(['20261205003700_search_plain_function']);
    await migrateDown(t.db);
    // The login's shared counts: the table goes and comes back. Like the intake's key below, it stays down for the
    // steps that follow, and is taken down again after each migrateLatest.
    expect(await tables()).toContain('login_attempts');
    await migrateDown(t.db);
    expect(await tables()).not.toContain('login_attempts');
    expect(await migrateLatest(t.db)).toEqual(['20261204003600_login_attempts', '20261205003700_search_plain_function']);
    expect(await tables()).toContain('login_attempts');
    await migrateDown(t.db);
    await migrateDown(t.db);

    // An intake's key: its column and unique index go and come back. It stays down for the steps below, each of which
    // takes the migrations down from usernames_any_case; every migrateLatest brings it back, and it is taken down again.
    const dossierColumns = async () => Object.keys(await t.db('dossiers').columnInfo());
    expect(await dossierColumns()).toContain('intake_key');
    await migrateDown(t.db);
    expect(await dossierColumns()).not.toContain('intake_key');
    expect(await tables()).not.toContain('dossiers_intake_key');
    expect(await migrateLatest(t.db)).toEqual(['20261204003500_intake_keys', '20261204003600_login_attempts', '20261205003700_search_plain_function']);
    expect(await dossierColumns()).toContain('intake_key');
    expect(await tables()).toContain('dossiers_intake_key');
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);

    // A username is one whatever its case: up is refused while two accounts differ by case alone, and says which.
    await migrateDown(t.db);
    const twin = await addUser(t.db, 'Ward.Clerk', 'clerk', AGENCIES.ward.code);
    await expect(migrateLatest(t.db)).rejects.toThrow('Có tài khoản chỉ khác nhau chữ hoa, chữ thường: ward.clerk.');
    await t.db('api_tokens').where({ user_id: twin.id }).del();
    await t.db('users').where({ id: twin.id }).del();
    expect(await migrateLatest(t.db)).toEqual(['20261204003400_usernames_any_case', '20261204003500_intake_keys', '20261204003600_login_attempts', '20261205003700_search_plain_function']);
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);
    await expect(addUser(t.db, 'Ward.Clerk', 'clerk', AGENCIES.ward.code)).rejects.toThrow(/unique|duplicate/i);

    // A dossier stopped after its deadline with no working minute since kept 0 minutes left, read as "not late"; up,
    // it keeps one minute late. The ward's 4-hour dossiers were received Mon 02/02 08:00, due 14:00.
    await migrateDown(t.db);
    await migrateDown(t.db);
    const codes: Record<string, string> = {};
    for (const r of await t.db('dossiers').whereIn('applicant_name', ['Người nộp 0', 'Người nộp 1']).select('code', 'applicant_name')) codes[r.applicant_name] = r.code;
    const story = apiStory(() => harness, codes);
    await story.act('Người nộp 1', '2026-02-02T14:00', users.wardClerk, { action: 'pause', reason: 'Chờ thẩm định' });
    await story.act('Người nộp 0', '2026-02-02T18:00', users.wardClerk, { action: 'pause', reason: 'Chờ thẩm định' });
    const left = async (name: string) => (await t.db('dossiers').where('applicant_name', name).first('remaining_minutes')).remaining_minutes;
    expect([await left('Người nộp 0'), await left('Người nộp 1')]).toEqual([-180, 0]);
    // As the earlier code kept a pause after a Friday 17:00 deadline, seen from the Saturday.
    await t.db('dossiers').where('code', codes['Người nộp 0']).update({ remaining_minutes: 0 });
    const late = async () => (await listAll(harness.app, users.wardClerk, 'late=true')).map((d) => d.code);
    expect(await late()).not.toContain(codes['Người nộp 0']);
    expect(await migrateLatest(t.db)).toEqual(['20261204003300_stopped_after_deadline', '20261204003400_usernames_any_case', '20261204003500_intake_keys', '20261204003600_login_attempts', '20261205003700_search_plain_function']);
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);
    // Stopped exactly at its deadline, the other keeps its 0.
    expect([await left('Người nộp 0'), await left('Người nộp 1')]).toEqual([-1, 0]);
    expect(await late()).toContain(codes['Người nộp 0']);
    expect(await late()).not.toContain(codes['Người nộp 1']);

    const before = await deskCounts();
    // The ward received four dossiers, one of them handled by the land department.
    expect(before.reduce((sum, line) => sum + Number(line.split(' ')[4]), 0)).toBe(5);
    if (isSqlite(t.db)) expect(await deskCountsDdl()).toMatch(/WITHOUT ROWID$/);
    expect(await finishedLateColumns()).toContain('received_at');
    const byAgency = ['report_finished_months_agency_idx', 'report_finished_months_desk_idx'];
    expect(await tables()).toEqual(expect.arrayContaining(byAgency));
    // The vocabulary of trigrams, its triggers and the index of the values of one or two characters.
    const shortSearch = ['dossiers_short_values_idx', 'search_trigrams', 'search_trigrams_insert', 'search_trigrams_update'];
    expect(await vocabulary()).toEqual(await trigramsOfDossiers());

    // The search's trigram index holds the names without marks (SQLite's FTS5 table a column of them, read from a view;
    // PostgreSQL's index its expression); down, it holds the four values alone.
    const searchIndex = async () =>
      isSqlite(t.db)
        ? ((await t.db.raw("SELECT group_concat(sql, ' ') AS sql FROM sqlite_master WHERE name LIKE 'dossier_search%'"))[0].sql as string)
        : ((await t.db.raw("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossiers_search_trgm_idx'")).rows[0].indexdef as string);
    const plainName = /applicant_name_plain|translate\(/;
    const search = async (text: string) =>
      (await request(harness.app).get(`/api/v1/dossiers?q=${encodeURIComponent(text)}`).set('Authorization', `Bearer ${users.wardClerk.token}`)).body.total as number;
    expect(await searchIndex()).toMatch(plainName);
    expect(await search('nguoi nop dat')).toBe(1);

    // The letter templates' signer goes and comes back.
    const templateColumns = async () => Object.keys(await t.db('letter_templates').columnInfo());
    expect(await templateColumns()).toContain('signer_name');
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);
    expect(await templateColumns()).not.toContain('signer_name');

    // Phone numbers are kept as dialled in Vietnam: down keeps them so; a number kept before in the international form
    // is brought to it on the way up, and the search finds it as a citizen says it.
    await migrateDown(t.db);
    const landDossier = await t.db('dossiers').where('applicant_name', 'Người nộp đất đai').first('id');
    await t.db('dossiers').where('id', landDossier.id).update({ applicant_phone: '+84939555777' });
    expect(await search('0939555777')).toBe(0);
    expect(await migrateLatest(t.db)).toEqual([
      '20261203003100_national_phone_numbers',
      '20261203003200_letter_template_signer',
      '20261204003300_stopped_after_deadline',
      '20261204003400_usernames_any_case',
      '20261204003500_intake_keys',
      '20261204003600_login_attempts',
      '20261205003700_search_plain_function',
    ]);
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);
    expect(await templateColumns()).toContain('signer_name');
    expect((await t.db('dossiers').where('id', landDossier.id).first('applicant_phone')).applicant_phone).toBe('0939555777');
    expect(await search('0939555777')).toBe(1);
    expect(await search('+84 939 555 777')).toBe(1);
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);
    await migrateDown(t.db);

    await migrateDown(t.db);
    expect(await searchIndex()).not.toMatch(plainName);
    // SQLite's search is its FTS5 table's; PostgreSQL's computes the expression, without the index that serves it.
    expect(await search('nguoi nop dat')).toBe(isSqlite(t.db) ? 0 : 1);
    expect(await search('Người nộp đất')).toBe(1);

    // The index of the open dossiers by deadline holds the stopped late (SQLite); PostgreSQL indexes those alone.
    const openLate = isSqlite(t.db) ? 'dossiers_open_due_idx' : 'dossiers_stopped_late_idx';
    expect(await tables()).toContain(openLate);
    await migrateDown(t.db);
    expect(await tables()).not.toContain(openLate);
    if (isSqlite(t.db)) expect(await tables()).toContain('dossiers_processing_due_idx');

    const refusals = ['intake_refusals', 'refusal_numbers'];
    expect(await tables()).toEqual(expect.arrayContaining([...refusals, 'form_texts']));
    await migrateDown(t.db);
    expect(await tables()).not.toContain('form_texts');
    await migrateDown(t.db);
    expect((await tables()).filter((name: string) => refusals.includes(name))).toEqual([]);
    await migrateDown(t.db);
    expect((await tables()).filter((name: string) => shortSearch.includes(name))).toEqual([]);
    await migrateDown(t.db);
    expect((await tables()).filter((name: string) => byAgency.includes(name))).toEqual([]);
    await migrateDown(t.db);
    expect(await finishedLateColumns()).not.toContain('received_at');
    expect(await finishedLateColumns()).toContain('received_agency_code');
    await migrateDown(t.db);
    expect(await deskCounts()).toEqual(before);
    if (isSqlite(t.db)) expect(await deskCountsDdl()).not.toMatch(/WITHOUT ROWID/);

    expect(await migrateLatest(t.db)).toEqual([
      '20261202002300_desk_counts_clustered',
      '20261202002400_finished_late_receipt',
      '20261202002500_finished_months_by_agency',
      '20261202002600_search_trigrams',
      '20261203002700_intake_refusals',
      '20261203002800_form_texts',
      '20261203002900_open_late_index',
      '20261203003000_search_without_marks',
      '20261203003100_national_phone_numbers',
      '20261203003200_letter_template_signer',
      '20261204003300_stopped_after_deadline',
      '20261204003400_usernames_any_case',
      '20261204003500_intake_keys',
      '20261204003600_login_attempts',
      '20261205003700_search_plain_function',
    ]);
    expect(await tables()).toContain(openLate);
    expect(await tables()).toEqual(expect.arrayContaining(byAgency));
    expect(await tables()).toEqual(expect.arrayContaining(shortSearch));
    // Filled from the dossiers already there.
    expect((await trigramsOfDossiers()).length).toBeGreaterThan(30);
    expect(await vocabulary()).toEqual(await trigramsOfDossiers());
    expect(await deskCounts()).toEqual(before);
    if (isSqlite(t.db)) expect(await deskCountsDdl()).toMatch(/WITHOUT ROWID$/);
    expect(await finishedLateColumns()).toMatch(/received_agency_code, received_at, id\)/);

    // The triggers on dossiers keep counting into the rebuilt table.
    await receiveAs(harness.app, users.wardClerk, HOURS, 'Người nộp sau nâng cấp');
    const total = (await t.db('desk_counts').where({ agency_code: AGENCIES.ward.code, way: 0 }).sum({ n: 'n' }))[0].n;
    expect(Number(total)).toBe(5);
    // And the vocabulary's: the new applicant's trigrams.
    expect(await vocabulary()).toEqual(expect.arrayContaining(['u n', 'nân', 'cấp']));
    expect(await vocabulary()).toEqual(await trigramsOfDossiers());
    // And the search's: the names received before and after, typed without marks.
    expect(await searchIndex()).toMatch(plainName);
    expect(await search('nguoi nop')).toBe(5);
    expect(await search('nguoi nop sau nang cap')).toBe(1);
  });

  it('when the database was upgraded by a newer version of the app, then this one refuses to migrate it and says so in Vietnamese, changing nothing', async () => {
    const name = '20991231999900_from_a_newer_version';
    await t.db('knex_migrations').insert({ name, batch: 99, migration_time: new Date() });
    try {
      const err = await migrateLatest(t.db).then(() => null, (e: Error) => e);
      expect(err?.message).toContain('phiên bản mới hơn');
      expect(err?.message).toContain(name);
      expect(err?.message).not.toContain('corrupt');
    } finally {
      await t.db('knex_migrations').where({ name }).delete();
    }
    expect(await migrateLatest(t.db)).toEqual([]);
  });

  it('when every migration is rolled back and applied again, then the same tables, indexes and triggers come back', async () => {
    const before = await tables();
    expect(before).toContain('desk_counts');
    await migrateRollbackAll(t.db);
    expect((await tables()).filter((name: string) => !name.startsWith('knex_'))).toEqual([]);
    expect(await migrateLatest(t.db)).toEqual(Object.keys(migrations));
    expect(await tables()).toEqual(before);
  });
});

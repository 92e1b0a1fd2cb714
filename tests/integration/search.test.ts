import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { applyListFilters, planSearch, listPlanning } from '../../src/dossiers/repository';
import { listQuerySchema } from '../../src/dossiers/schema';
import { toneSpellings, withoutMarks } from '../../src/shared/marks';

// The list's search is "contains, any case" on a dossier's code, applicant's name, ID number and phone, and from 3
// characters on the name without its marks. It goes through trigram indexes (migrations 20261130001400_dossier_search,
// 20261203003000_search_without_marks): SQLite's FTS5 table, kept by triggers, from 3 characters; PostgreSQL's GIN
// index on the four columns and the plain name joined. Every answer here is checked against that meaning,
// computed in JavaScript over the same rows.

interface Row {
  code: string;
  applicant_name: string;
  applicant_id_number: string | null;
  applicant_phone: string | null;
}

/**
 * The search's meaning: one of the four values contains the text (trimmed, as the form's fields are), in lower case;
 * from three characters, the name without its marks does too (a text typed without marks finds every way of marking it),
 * and the text with the tone of "oa", "oe", "uy" placed the other way ("Hòa", "Hoà") counts as the text.
 */
function expected(rows: Row[], text: string): string[] {
  const trimmed = text.trim();
  const long = [...trimmed].length >= 3;
  const texts = (long ? toneSpellings(trimmed) : [trimmed]).map((x) => x.toLowerCase());
  const values = (r: Row) => [r.code, r.applicant_name, r.applicant_id_number, r.applicant_phone, ...(long ? [withoutMarks(r.applicant_name)] : [])];
  return rows
    .filter((r) => values(r).some((v) => v !== null && texts.some((t) => v.toLowerCase().includes(t))))
    .map((r) => r.code)
    .sort();
}

// Every Vietnamese vowel with every tone, and Đ, in capitals: the names are written in capitals (as on an ID card)
// and searched in lower case, and the other way round.
const VOWELS = 'aăâeêioôơuưy';
const TONES = ['', '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
const LETTERS = [...[...VOWELS].flatMap((v) => TONES.map((t) => (v + t).normalize('NFC'))), 'đ'];

describe('searching dossiers by a part of their code, name, ID number or phone', () => {
  let t: TestDb;
  let admin: TestUser;
  let harness: ReturnType<typeof makeApp>;
  let rows: Row[];

  const search = async (text: string) => {
    const res = await request(harness.app)
      .get(`/api/v1/dossiers?pageSize=500&q=${encodeURIComponent(text)}`)
      .set('Authorization', `Bearer ${admin.token}`);
    expect(res.status, text).toBe(200);
    return { total: res.body.total as number, codes: (res.body.items as { code: string }[]).map((i) => i.code).sort() };
  };
  const readRows = async () => (rows = await t.db('dossiers').select('code', 'applicant_name', 'applicant_id_number', 'applicant_phone'));

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    admin = await addUser(t.db, 'city.admin', 'admin', null);
    harness = makeApp(t.db);
    const names = [
      ...LETTERS.map((l, i) => `BÙI ${l.toUpperCase()}N ${i}`),
      'Nguyễn Thị Hoa',
      'NGUYỄN VĂN HOÀ',
      'Lê Hoàng Anh',
      // Names of two letters and one: no trigram holds them.
      'Út',
      'Ý',
      'Công ty TNHH 100% Vốn',
      'Hộ kinh doanh Phở_Bắc',
      'Tên sẽ đổi một',
      'Tên sẽ đổi hai',
      'Tên sẽ đổi ba',
      'Tên sẽ đổi bốn',
      'Tên sẽ đổi năm',
    ];
    for (const [i, name] of names.entries()) {
      const res = await request(harness.app)
        .post('/api/v1/dossiers')
        .set('Authorization', `Bearer ${admin.token}`)
        .send({
          procedureCode: '1.012756',
          channel: 'in_person',
          applicant: { name, phone: `0912${String(100000 + i)}`, ...(i % 3 === 0 ? { idNumber: `0921900${String(10000 + i)}` } : {}) },
        });
      expect(res.status, name).toBe(201);
    }
    // Characters the FTS5 query language would read as syntax, put straight into the table (the intake form has no
    // rule against them, but this also checks that an UPDATE of a name reaches the index).
    const [quoted, starred, folded, greek, kelvin] = (await t.db('dossiers').where('applicant_name', 'like', 'Tên sẽ đổi%').orderBy('id').select('id')).map((r) => r.id as number);
    // Σ lowers to ς at a word's end, to σ elsewhere: the one lower case that depends on its neighbours.
    await t.db('dossiers').where({ id: greek }).update({ applicant_name: 'Phố ΟΔΟΣ' });
    await t.db('dossiers').where({ id: quoted }).update({ applicant_name: 'Bà "Tư" Ánh NEAR Hồng' });
    await t.db('dossiers').where({ id: starred }).update({ applicant_name: 'Ông Sáu* (Út): ^Mười - OR' });
    // The two characters outside ASCII whose lower case holds an ASCII letter: the Kelvin sign (k) and İ (i and a dot
    // above; last, as PostgreSQL lowers it to a plain i). Written straight to the table: NFC, as the intake writes
    // names, turns the Kelvin sign into K.
    await t.db('dossiers').where({ id: folded }).update({ applicant_name: 'Hộ \u212AHA Aİ' });
    await t.db('dossiers').where({ id: kelvin }).update({ applicant_name: 'Xã \u212AIM Sơn' });
    await readRows();
  });
  afterAll(() => t.destroy());

  it('when a whole dossier code is searched, then that dossier alone is found', async () => {
    const code = rows[7].code;
    expect(await search(code)).toEqual({ total: 1, codes: [code] });
  });

  it('when the tail of a code, a part of a phone or an ID number is searched, then every dossier holding it is found', async () => {
    for (const text of [rows[3].code.slice(-7), '0912100', '100005', '09219001001']) {
      const want = expected(rows, text);
      expect(want.length, text).toBeGreaterThan(0);
      expect(await search(text), text).toEqual({ total: want.length, codes: want });
    }
  });

  it('when a phone is typed in groups as it is read out, then it is found as stored, without the spaces', async () => {
    const phone = rows[5].applicant_phone!;
    const grouped = `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
    const want = expected(rows, phone);
    expect(want.length).toBeGreaterThan(0);
    expect(await search(grouped)).toEqual({ total: want.length, codes: want });
  });

  it('when a name is searched in lower case, capitals or mixed, then every Vietnamese letter matches its other case', async () => {
    for (const l of LETTERS) {
      for (const text of [`bùi ${l}n`, `BÙI ${l.toUpperCase()}N`, `${l}n`]) {
        const want = expected(rows, text);
        expect(want.length, text).toBeGreaterThan(0);
        expect(await search(text), text).toEqual({ total: want.length, codes: want });
      }
    }
    for (const text of ['nguyễn', 'NGUYỄN', 'hoà', 'Thị Hoa', 'lê hoàng anh']) {
      const want = expected(rows, text);
      expect(want.length, text).toBeGreaterThan(0);
      expect(await search(text), text).toEqual({ total: want.length, codes: want });
    }
  });

  it('when a name is typed without its marks, then every way of marking it is found; typed with marks, only those marks', async () => {
    const hoa = rows.filter((r) => /^NGUYỄN VĂN HOÀ$|^Nguyễn Thị Hoa$/.test(r.applicant_name)).map((r) => r.code).sort();
    expect(hoa).toHaveLength(2);
    expect(await search('nguyen')).toEqual({ total: 2, codes: hoa });
    expect((await search('NGUYEN VAN HOA')).codes).toEqual(hoa.filter((c) => rows.find((r) => r.code === c)!.applicant_name.startsWith('NGUYỄN')));
    expect((await search('hoa')).codes).toEqual(expected(rows, 'hoa'));
    expect(expected(rows, 'hoa')).toEqual(expect.arrayContaining(hoa));
    // Marked, the text is matched with its marks (the plain name holds none to match), the tone of "oa" placed either
    // way: "Hòa", as an identity card writes it, finds the name typed "HOÀ", and the other way round.
    const marked = await search('Hoà');
    expect(marked.codes).toEqual(expected(rows, 'Hoà'));
    expect(marked.codes.map((c) => rows.find((r) => r.code === c)!.applicant_name).sort()).toEqual(['Lê Hoàng Anh', 'NGUYỄN VĂN HOÀ']);
    expect(await search('Hòa')).toEqual(marked);
    expect(await search('văn hòa')).toEqual({ total: 1, codes: hoa.filter((c) => rows.find((r) => r.code === c)!.applicant_name.startsWith('NGUYỄN')) });
    // "Hoàng" is written one way only, and so searched.
    expect((await search('Hòang')).total).toBe(0);
    // Every marked letter, in either case, is found from its plain letter; Đ from D.
    for (const l of LETTERS) {
      for (const text of [`bui ${withoutMarks(l)}n`, `BUI ${withoutMarks(l).toUpperCase()}N`]) {
        const want = expected(rows, text);
        expect(want.length, text).toBeGreaterThan(0);
        expect(await search(text), text).toEqual({ total: want.length, codes: want });
      }
    }
    expect((await search('bui dn')).total).toBe(1);
    expect((await search('bui an')).total).toBe(LETTERS.filter((l) => withoutMarks(l) === 'a').length);
    // One or two characters are matched as typed: no trigram holds them.
    expect(expected(rows, 'ut')).toEqual([]);
    expect(await search('ut')).toEqual({ total: 0, codes: [] });
  });

  it('when a page search typed with marks finds nothing, then it offers the same text without marks, which finds the name marked otherwise', async () => {
    const { agent } = await loginAgent(harness.app, admin.username);
    const page = async (text: string) => {
      const res = await agent.get(`/ho-so?q=${encodeURIComponent(text)}&fieldCode=`);
      expect(res.status, text).toBe(200);
      return res.text;
    };
    const html = await page('Nguyễn Văn Hoa');
    expect(html).toContain('Không có hồ sơ nào khớp điều kiện lọc.');
    const link = /<a href="([^"]+)" id="plain-search">tìm không dấu “([^”]+)”<\/a>/.exec(html);
    expect(link?.[2]).toBe('Nguyen Van Hoa');
    const href = link![1].replace(/&amp;/g, '&');
    expect(new URL(href, 'http://x').searchParams.get('q')).toBe('Nguyen Van Hoa');
    expect(new URL(href, 'http://x').searchParams.has('fieldCode')).toBe(true);
    const found = (await agent.get(href)).text;
    expect(found).toContain('NGUYỄN VĂN HOÀ');
    expect(found).not.toContain('plain-search');
    // Found with its marks, typed without them (nothing to take off), or too short: no such offer.
    expect(await page('Nguyễn Văn Hoà')).not.toContain('plain-search');
    expect(await page('Khong Ai Ca')).not.toContain('plain-search');
    expect(await page('Ỹz')).not.toContain('plain-search');
  });

  it('when the text holds %, _, quotes or words of a query language, then they match only themselves', async () => {
    for (const text of ['100%', '0% V', 'Phở_B', 'o_B', '"Tư"', 'Tư"', 'NEAR', 'Sáu*', '(Út):', '^Mười', '- OR', '%', '_']) {
      const want = expected(rows, text);
      expect(await search(text), text).toEqual({ total: want.length, codes: want });
    }
    // Typed without marks, "o_B" is in "Phở_Bắc" as "Pho_Bac"; "_" and "%" are never wildcards.
    expect(expected(rows, 'o_B').map((c) => rows.find((r) => r.code === c)!.applicant_name)).toEqual(['Hộ kinh doanh Phở_Bắc']);
    for (const text of ['Ph_', 'C_ng', '1%0']) {
      expect(expected(rows, text), text).toEqual([]);
      expect(await search(text), text).toEqual({ total: 0, codes: [] });
    }
    expect((await search('100%')).total).toBe(1);
  });

  it('when one or two letters are searched (too short for trigrams), then the answer still holds every dossier containing them', async () => {
    for (const text of ['ư', 'Ỹ', 'hị', '09', '%']) {
      const want = expected(rows, text);
      expect(await search(text), text).toEqual({ total: want.length, codes: want });
    }
  });

  it('when one or two ASCII letters are searched, then a Kelvin sign or an İ still matches them, as their lower case does', async () => {
    // SQLite's own LIKE answers ASCII texts; it folds ASCII letters only, so these rows are asked the JavaScript way.
    const folded = rows.find((r) => r.applicant_name.includes('\u212AHA'))!.code;
    for (const text of ['k', 'K', 'kh', 'KH', 'ai', 'Ai', 'an', 'H']) {
      const want = expected(rows, text);
      expect(want.length, text).toBeGreaterThan(0);
      expect(await search(text), text).toEqual({ total: want.length, codes: want });
    }
    expect(expected(rows, 'kh')).toContain(folded);
    expect(expected(rows, 'ai')).toContain(folded);
    // A Kelvin sign with no İ beside it (the SQL once held a plain K instead: an editor's NFC had folded it).
    const kelvin = rows.find((r) => r.applicant_name.startsWith('Xã \u212A'))!.code;
    for (const text of ['ki', 'KI', 'k', 'im']) {
      expect(expected(rows, text), text).toContain(kelvin);
      expect((await search(text)).codes, text).toContain(kelvin);
    }
  });

  it('when one or two letters outside ASCII are searched, then every value holding them in any case is found', async () => {
    // SQLite looks for the values holding a character that lowers to the text's first letter outside ASCII (instr)
    // before comparing them in lower case.
    for (const text of ['Ú', 'ún', 'ÚN', 'đ', 'Đn', 'ỹ', 'ố ', 'ə']) {
      const want = expected(rows, text);
      expect(await search(text), text).toEqual({ total: want.length, codes: want });
    }
    expect(expected(rows, 'ún').length).toBeGreaterThan(0);
    // PostgreSQL's lower() has no final sigma (ΟΔΟΣ → οδοσ), so only SQLite follows JavaScript here.
    if (t.kind === 'sqlite') {
      const greek = rows.find((r) => r.applicant_name.includes('ΟΔΟΣ'))!.code;
      for (const text of ['ος', 'ς']) {
        expect(await search(text), text).toEqual({ total: 1, codes: [greek] });
        expect(expected(rows, text)).toEqual([greek]);
      }
    }
  });

  it('when a search matches most dossiers, then reading them from the other indexes gives the same answers', async () => {
    // The bench's given names match 70,000-140,000 dossiers: SQLite then checks each dossier of the other filters'
    // indexes against the matches instead of looking every match up. Here every search of 2 matches or more is dense.
    const scope = { agencyCode: null, now: new Date('2026-02-13T03:00:00Z'), dueSoonUntil: new Date('2026-02-14T03:00:00Z') };
    const saved = listPlanning.denseSearchFrom;
    listPlanning.denseSearchFrom = 2;
    try {
      const dense = async (text: string) => !!(await planSearch(t.db, listQuerySchema.parse({ q: text }))).denseSearch;
      expect(await dense('bùi')).toBe(t.kind === 'sqlite');
      expect(await dense(rows[7].code)).toBe(false);
      for (const text of ['bùi', 'BÙI Ư', 'nguyễn', '0912100', rows[3].code.slice(-7), 'H13', rows[7].code]) {
        const want = expected(rows, text);
        expect(want.length, text).toBeGreaterThan(0);
        expect(await search(text), text).toEqual({ total: want.length, codes: want });
      }
      // Paged: the pages put together are the whole answer, each once.
      const want = expected(rows, 'bùi');
      const paged: string[] = [];
      for (let page = 1; paged.length < want.length && page < 100; page++) {
        const res = await request(harness.app).get(`/api/v1/dossiers?pageSize=7&page=${page}&q=bùi`).set('Authorization', `Bearer ${admin.token}`);
        expect(res.body.total).toBe(want.length);
        paged.push(...(res.body.items as { code: string }[]).map((i) => i.code));
      }
      expect(paged.sort()).toEqual(want);
      if (t.kind === 'sqlite') {
        const query = await planSearch(t.db, listQuerySchema.parse({ q: 'bùi' }));
        const sql = applyListFilters(t.db, t.db('dossiers as d'), query, scope).select('d.id').orderBy('d.received_at', 'desc').toString();
        const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${sql}`)).map((r: { detail: string }) => r.detail).join(' | ');
        expect(plan).not.toContain('INTEGER PRIMARY KEY');
      }
    } finally {
      listPlanning.denseSearchFrom = saved;
    }
  });

  it('when a page searches, then it counts the matches only up to its cap, and its pages are still the whole list in order', async () => {
    // The bench's given names and two-letter searches match tens of thousands of a desk's dossiers: the page stops
    // counting at listPlanning.searchCap (1,000) and says "more than". The API's list, which always counts, gives the
    // order the pages must follow.
    const { agent } = await loginAgent(harness.app, admin.username);
    const codesOf = (html: string) => [...html.matchAll(/<td class="code"><a href="\/ho-so\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
    const saved = listPlanning.searchCap;
    try {
      for (const [text, cap] of [['n', 5], ['09', 7], ['hị', 1000], ['n', 1000], ['zq', 5], ['bùi', 6], ['0912100', 4], ['hoà', 1000], ['Không Ai', 5]] as const) {
        listPlanning.searchCap = cap;
        const want = expected(rows, text);
        const api = await request(harness.app).get(`/api/v1/dossiers?pageSize=500&q=${encodeURIComponent(text)}`).set('Authorization', `Bearer ${admin.token}`);
        const ordered = (api.body.items as { code: string }[]).map((i) => i.code);
        expect([...ordered].sort(), text).toEqual(want);
        expect(api.body.total, text).toBe(want.length);
        const capped = want.length > cap;
        const paged: string[] = [];
        for (let page = 1; page <= 40; page++) {
          const res = await agent.get(`/ho-so?q=${encodeURIComponent(text)}&pageSize=4&page=${page}`);
          expect(res.status).toBe(200);
          if (page === 1) {
            expect(res.text, text).toContain(capped ? `<small class="muted">(hơn ${cap})</small>` : `<small class="muted">(${want.length})</small>`);
            expect(res.text.includes('Có hơn'), text).toBe(capped);
          }
          paged.push(...codesOf(res.text));
          if (!res.text.includes('rel="next"')) break;
        }
        expect(paged, `${text}, cap ${cap}`).toEqual(ordered);
      }
      expect(expected(rows, 'n').length).toBeGreaterThan(20);
      expect(expected(rows, 'zq')).toEqual([]);
    } finally {
      listPlanning.searchCap = saved;
    }
  });

  it('when nothing holds the text, then none is found', async () => {
    expect(await search('Không Ai Cả')).toEqual({ total: 0, codes: [] });
  });

  it('when a name is changed, a dossier written straight to the table or deleted, then the search follows at once', async () => {
    const target = rows.find((r) => r.applicant_name === 'Lê Hoàng Anh')!;
    await t.db('dossiers').where({ code: target.code }).update({ applicant_name: 'Lê Hoàng Minh' });
    expect(await search('Hoàng Anh')).toEqual({ total: 0, codes: [] });
    expect(await search('hoàng minh')).toEqual({ total: 1, codes: [target.code] });
    // Two letters of the new name only: its trigrams joined the vocabulary with the change.
    const changed = await t.db('dossiers').select('code', 'applicant_name', 'applicant_id_number', 'applicant_phone');
    expect(expected(changed, 'mi')).toContain(target.code);
    expect(await search('mi')).toEqual({ total: expected(changed, 'mi').length, codes: expected(changed, 'mi') });
    // The app never deletes a dossier (its events are append-only); a copy without events can be, as a tool might.
    // Without the columns the database computes (generated on PostgreSQL).
    const { id: _id, due_day_start: _d, ...copy } = await t.db('dossiers').where({ code: target.code }).first();
    const [{ id }] = await t.db('dossiers').insert({ ...copy, code: 'BAN-SAO-0001', applicant_name: 'Bản Sao Riêng' }).returning('id');
    expect(await search('sao riêng')).toEqual({ total: 1, codes: ['BAN-SAO-0001'] });
    expect((await search('iê')).codes).toContain('BAN-SAO-0001');
    await t.db('dossiers').where({ id: typeof id === 'object' ? id.id : id }).delete();
    expect(await search('sao riêng')).toEqual({ total: 0, codes: [] });
    expect((await search('iê')).codes).not.toContain('BAN-SAO-0001');
    expect(await search('hoàng minh')).toEqual({ total: 1, codes: [target.code] });
  });

  it('when the search has 3 characters or more, then the database answers it from the trigram index, not by reading every dossier', async () => {
    const scope = { agencyCode: null, now: new Date('2026-02-13T03:00:00Z'), dueSoonUntil: new Date('2026-02-14T03:00:00Z') };
    const sql = applyListFilters(t.db, t.db('dossiers as d'), listQuerySchema.parse({ q: 'hoàng' }), scope).select('d.id').toString();
    if (t.kind === 'sqlite') {
      const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${sql}`)).map((r: { detail: string }) => r.detail).join(' | ');
      expect(plan).toContain('VIRTUAL TABLE');
      expect(plan).not.toMatch(/SCAN d\b/);
    } else {
      // The table is small, so the planner would read it whole: forbidden here, the index must still serve.
      const plan = await t.db.transaction(async (trx) => {
        await trx.raw('SET LOCAL enable_seqscan = off');
        return JSON.stringify((await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`)).rows);
      });
      expect(plan).toContain('dossiers_search_trgm_idx');
    }
  });

  it('when one or two characters are searched, then they are found from the trigrams that hold them and the values that short, as reading every dossier finds them', async () => {
    // The vocabulary of trigrams (migration 20261202002600_search_trigrams) names the trigrams holding the text; those
    // and the values of one or two characters are asked, then checked against the text. Here every plan answers the
    // same: from the vocabulary (the default at this size), and reading the dossiers as before, either because the
    // trigrams are too many or because they match too many dossiers.
    // PostgreSQL lowers Σ without the final sigma (above): ς is SQLite's alone.
    const texts = ['Út', 'út', 'ú', 'T', 'Ý', 'ý', 'zq', 'ư', 'Ỹ', 'hị', '09', '%', '_', '"', 'ố ', 'ÚN', 'k', 'Ai', '0%', 'à', 'H', ...(t.kind === 'sqlite' ? ['ς'] : [])];
    const answers = async () => {
      const all: Record<string, { total: number; codes: string[] }> = {};
      for (const text of texts) all[text] = await search(text);
      return all;
    };
    const want = Object.fromEntries(texts.map((text) => [text, { total: expected(rows, text).length, codes: expected(rows, text) }]));
    expect(await answers()).toEqual(want);
    expect(want['Út'].codes).toContain(rows.find((r) => r.applicant_name === 'Út')!.code);
    expect(want['ý'].codes).toContain(rows.find((r) => r.applicant_name === 'Ý')!.code);
    const plan = async (text: string) => (await planSearch(t.db, listQuerySchema.parse({ q: text }))).shortTrigrams;
    expect(await plan('zq')).toEqual([]);
    expect((await plan('út'))?.sort()).toEqual(['(Út', 'Út)']);
    expect((await plan('hị'))?.sort()).toEqual(['Thị', 'hị '].sort());
    const saved = { ...listPlanning };
    try {
      listPlanning.shortSearchTrigrams = 1;
      expect(await plan('hị')).toBeUndefined();
      expect(await plan('zq')).toEqual([]);
      expect(await answers()).toEqual(want);
      listPlanning.shortSearchTrigrams = saved.shortSearchTrigrams;
      // Held by one of the dossiers received last: a letter most dossiers would hold.
      listPlanning.shortSearchDenseFrom = 1;
      expect(await plan('hị')).toBeUndefined();
      expect(await plan('zq')).toEqual([]);
      // The sample is spread over every dossier, not the last received: the BÙI names, received first and most of
      // the dossiers here, make "bù" common though none of the last ten holds it.
      Object.assign(listPlanning, { shortSearchSample: 10, shortSearchDenseFrom: 3 });
      const last10 = (await t.db('dossiers').orderBy('id', 'desc').limit(10).pluck('applicant_name')) as string[];
      expect(last10.filter((name) => name.toLowerCase().includes('bù'))).toEqual([]);
      expect(expected(rows, 'bù').length).toBeGreaterThan(rows.length / 2);
      expect(await plan('bù')).toBeUndefined();
      expect(await plan('zq')).toEqual([]);
      expect(await answers()).toEqual(want);
      expect(await answers()).toEqual(want);
    } finally {
      Object.assign(listPlanning, saved);
    }
  });

  it('when one or two characters few dossiers hold are searched, then no dossier is read but those found from the trigrams and the short values', async () => {
    const scope = { agencyCode: AGENCIES.centre.code, now: new Date('2026-02-13T03:00:00Z'), dueSoonUntil: new Date('2026-02-14T03:00:00Z') };
    for (const text of ['zq', 'hị', 'ý']) {
      const query = await planSearch(t.db, listQuerySchema.parse({ q: text }));
      const sql = applyListFilters(t.db, t.db('dossiers as d'), query, scope).select('d.id').toString();
      if (t.kind === 'sqlite') {
        const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${sql}`)).map((r: { detail: string }) => r.detail).join(' | ');
        expect(plan, text).toContain('dossiers_short_values_idx');
        expect(plan, text).not.toMatch(/SCAN d\b/);
        expect(plan.includes('VIRTUAL TABLE'), text).toBe(query.shortTrigrams!.length > 0);
      } else {
        // The table is small, so the planner would read it whole: forbidden here, the indexes must still serve.
        const plan = await t.db.transaction(async (trx) => {
          await trx.raw('SET LOCAL enable_seqscan = off');
          return JSON.stringify((await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`)).rows);
        });
        expect(plan, text).toContain('dossiers_short_values_idx');
        expect(plan.includes('dossiers_search_trgm_idx'), text).toBe(query.shortTrigrams!.length > 0);
        expect(plan, text).not.toContain('Seq Scan');
      }
    }
  });

  it('when the search is shorter than a trigram, then PostgreSQL does not read its whole trigram index (nothing there to look for)', async () => {
    if (t.kind !== 'pg') return;
    const scope = { agencyCode: null, now: new Date('2026-02-13T03:00:00Z'), dueSoonUntil: new Date('2026-02-14T03:00:00Z') };
    for (const text of ['zq', 'n']) {
      const sql = applyListFilters(t.db, t.db('dossiers as d'), listQuerySchema.parse({ q: text }), scope).select('d.id').toString();
      const plan = await t.db.transaction(async (trx) => {
        await trx.raw('SET LOCAL enable_seqscan = off');
        return JSON.stringify((await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`)).rows);
      });
      expect(plan, text).not.toContain('dossiers_search_trgm_idx');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Knex } from 'knex';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

// An intake sent twice is received once: an API client's retry with its Idempotency-Key, and an intake form sent
// again, answer the dossier the first sending made and write nothing more. Fri 13/02/2026 10:00 in Vietnam; the
// test calendar's Tết is Mon 16 – Fri 20/02, so 3 working days end on Wed 25/02 at 10:00.
const FRI_10 = '2026-02-13T03:00:00.000Z';
const LAND = '1.012756'; // 3 working days, the land department's desk
const DESK = AGENCIES.land.code;

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let clerk: TestUser;
let otherClerk: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerk = await addUser(t.db, 'land.clerk', 'clerk', DESK);
  otherClerk = await addUser(t.db, 'land.clerk2', 'clerk', DESK);
  harness = makeApp(t.db, FRI_10);
});
afterAll(() => t.destroy());

async function rowCounts(db: Knex) {
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
  return { dossiers: await count('dossiers'), events: await count('dossier_events'), states: await count('dossier_states') };
}

const body = (name: string, extra: Record<string, unknown> = {}) => ({ procedureCode: LAND, channel: 'online', applicant: { name, idNumber: '092190001234' }, ...extra });
const post = (user: TestUser, payload: object, key?: string) => {
  const req = request(harness.app).post('/api/v1/dossiers').set('Authorization', `Bearer ${user.token}`);
  return (key === undefined ? req : req.set('Idempotency-Key', key)).send(payload);
};
/** The register number of a code: its last part. */
const numberOf = (code: string) => Number(code.slice(code.lastIndexOf('-') + 1));

describe('POST /api/v1/dossiers with an Idempotency-Key', () => {
  it('when a client sends the same intake twice with one key, then 201 and then 200 with Idempotent-Replayed, one dossier, one event', async () => {
    const before = await rowCounts(t.db);
    const first = await post(clerk, body('Lâm Văn Gửi Lại'), 'portal-2026-000123');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(clerk, body('Lâm Văn Gửi Lại'), 'portal-2026-000123');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(`/api/v1/dossiers/${encodeURIComponent(first.body.code)}`);
    expect(again.body).toEqual(first.body);
    expect(await rowCounts(t.db)).toEqual({ dossiers: before.dossiers + 1, events: before.events + 1, states: before.states + 1 });
  });

  it('when the key comes back with another applicant, then 422 idempotency_key_reused naming the first dossier, and nothing is written', async () => {
    const first = await post(clerk, body('Mai Thị Khóa'), 'one-key-for-two');
    expect(first.status).toBe(201);
    const before = await rowCounts(t.db);
    const other = await post(clerk, body('Đinh Văn Khác'), 'one-key-for-two');
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(other.body.error.message).toBe(
      `Khóa tiếp nhận (Idempotency-Key) này đã dùng cho hồ sơ ${first.body.code} (Mai Thị Khóa, thủ tục ${LAND}) với nội dung khác: mỗi hồ sơ mới cần một khóa mới.`,
    );
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when two users send the same key, then each gets a dossier of their own (a key is its sender\'s)', async () => {
    const a = await post(clerk, body('Phan Văn Chung'), 'shared-key-1');
    const b = await post(otherClerk, body('Phan Văn Chung'), 'shared-key-1');
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.code).not.toBe(a.body.code);
  });

  it('when the key is not 1–100 printable ASCII characters, then 422 on the header, in Vietnamese, and nothing is written', async () => {
    const before = await rowCounts(t.db);
    for (const key of ['café', 'a b', 'x'.repeat(101)]) {
      const res = await post(clerk, body('Tô Văn Sai Khóa'), key);
      expect(res.status, key).toBe(422);
      expect(res.body.error.fields['Idempotency-Key']).toBe('Khóa Idempotency-Key gồm 1 đến 100 ký tự ASCII in được, không dấu cách (ví dụ một UUID).');
    }
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('when ten sendings of one key arrive at once, then one dossier is made, all ten answer its code, and the next intake takes the next number', async () => {
    const before = await rowCounts(t.db);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(clerk, body('Quách Thị Cùng Lúc'), 'burst-7f3a')));
    const codes = new Set(answers.map((a) => a.body.code));
    expect(codes.size).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await rowCounts(t.db)).toEqual({ dossiers: before.dossiers + 1, events: before.events + 1, states: before.states + 1 });
    // The sendings that lost wrote nothing, not even a register number: no number is skipped.
    const next = await post(clerk, body('Quách Thị Tiếp Theo'));
    expect(numberOf(next.body.code)).toBe(numberOf([...codes][0]) + 1);
  });

  it('when intakes come without a key, then each is a dossier, as before', async () => {
    const a = await post(clerk, body('Hà Văn Không Khóa'));
    const b = await post(clerk, body('Hà Văn Không Khóa'));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(numberOf(b.body.code)).toBe(numberOf(a.body.code) + 1);
  });
});

describe('the intake form sent twice', () => {
  const form = (csrf: string, intakeKey: string, fields: Record<string, string> = {}) => ({
    _csrf: csrf,
    intakeKey,
    procedureCode: LAND,
    channel: 'in_person',
    sets: '1',
    applicantName: 'Huỳnh Thị Hai Lần',
    applicantPhone: '0939 123 456',
    ...fields,
  });

  it('when the clerk sends one form twice (a slow answer), then the second lands on the same dossier, saying it was received once', async () => {
    const { agent, csrf } = await loginAgent(harness.app, 'land.clerk');
    const page = await agent.get('/ho-so/moi');
    const key = /<input type="hidden" name="intakeKey" value="([0-9a-f-]{36})">/.exec(page.text)?.[1];
    expect(key).toBeDefined();
    // Each fresh form has its own key.
    expect((await agent.get('/ho-so/moi')).text).not.toContain(key);
    const before = await rowCounts(t.db);
    const first = await agent.post('/ho-so').type('form').send(form(csrf, key!));
    expect(first.status).toBe(303);
    const code = /^\/ho-so\/([^?]+)\?ok=received$/.exec(first.headers.location)?.[1];
    expect(code).toBeDefined();
    const second = await agent.post('/ho-so').type('form').send(form(csrf, key!));
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(`/ho-so/${code}?ok=received&again=1`);
    expect(await rowCounts(t.db)).toEqual({ dossiers: before.dossiers + 1, events: before.events + 1, states: before.states + 1 });
    const shown = await agent.get(second.headers.location);
    expect(shown.text).toContain(`Phiếu này đã được gửi trước đó: hồ sơ ${decodeURIComponent(code!)} đã được tiếp nhận một lần, không tạo hồ sơ mới. Hẹn trả kết quả 10:00 25/02/2026.`);
  });

  it('when a form is reused for another citizen (the browser\'s Back), then that is another dossier; sent twice, it too is received once', async () => {
    const { agent, csrf } = await loginAgent(harness.app, 'land.clerk');
    const key = /name="intakeKey" value="([0-9a-f-]{36})"/.exec((await agent.get('/ho-so/moi')).text)![1];
    const first = await agent.post('/ho-so').type('form').send(form(csrf, key, { applicantName: 'Người Thứ Nhất' }));
    const next = await agent.post('/ho-so').type('form').send(form(csrf, key, { applicantName: 'Người Thứ Hai' }));
    const nextAgain = await agent.post('/ho-so').type('form').send(form(csrf, key, { applicantName: 'Người Thứ Hai' }));
    expect(next.headers.location).not.toBe(first.headers.location);
    expect(next.headers.location).toMatch(/\?ok=received$/);
    expect(nextAgain.headers.location).toBe(`${next.headers.location}&again=1`);
  });

  it('when the form comes back with an error, then it keeps its key, and once mended it is received under it', async () => {
    const { agent, csrf } = await loginAgent(harness.app, 'land.clerk');
    const key = /name="intakeKey" value="([0-9a-f-]{36})"/.exec((await agent.get('/ho-so/moi')).text)![1];
    const bad = await agent.post('/ho-so').type('form').send(form(csrf, key, { applicantName: 'Lỗi Rồi Sửa', applicantPhone: '12-34' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain(`<input type="hidden" name="intakeKey" value="${key}">`);
    const mended = await agent.post('/ho-so').type('form').send(form(csrf, key, { applicantName: 'Lỗi Rồi Sửa' }));
    expect(mended.headers.location).toMatch(/\?ok=received$/);
    const again = await agent.post('/ho-so').type('form').send(form(csrf, key, { applicantName: 'Lỗi Rồi Sửa' }));
    expect(again.headers.location).toBe(`${mended.headers.location}&again=1`);
  });

  it('when a form carries a key it was never served (not a UUID), then the key is ignored and the intake is received as before', async () => {
    const { agent, csrf } = await loginAgent(harness.app, 'land.clerk');
    const before = await rowCounts(t.db);
    const a = await agent.post('/ho-so').type('form').send(form(csrf, '<script>', { applicantName: 'Khóa Lạ' }));
    const b = await agent.post('/ho-so').type('form').send(form(csrf, '<script>', { applicantName: 'Khóa Lạ' }));
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(b.headers.location).not.toBe(a.headers.location);
    expect((await rowCounts(t.db)).dossiers).toBe(before.dossiers + 2);
  });
});

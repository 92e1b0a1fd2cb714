import request from 'supertest';
import { expect } from 'vitest';
import type { Knex } from 'knex';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { fixedClock } from '../../src/shared/clock';
import { createApiToken, createUser, type Role } from '../../src/auth/users';
import { createTestDb, type TestDb } from './db';

export const PASSWORD = 'mat-khau-thu-nghiem';

export const AGENCIES = {
  centre: { code: '000.01.01.H13', name: 'Trung tâm Phục vụ hành chính công thành phố Cần Thơ', level: 'province' },
  land: { code: '000.00.05.H13', name: 'Sở Nông nghiệp và Môi trường', level: 'province' },
  ward: { code: '000.01.92.H13', name: 'Phường Ninh Kiều', level: 'commune' },
  otherWard: { code: '000.02.92.H13', name: 'Phường Cái Khế', level: 'commune' },
};

/** A small real catalog: two fields, a land procedure (restart), a hours procedure, a pause procedure. */
export async function seedSmallCatalog(db: Knex): Promise<void> {
  await db('agencies').insert({ code: '000.00.00.H13', name: 'Ủy ban nhân dân thành phố Cần Thơ', level: 'province' });
  for (const a of Object.values(AGENCIES)) await db('agencies').insert({ ...a, parent_code: '000.00.00.H13' });
  await db('fields').insert([
    { code: 'DAT_DAI', name: 'Đất đai' },
    { code: 'CHUNG_THUC', name: 'Chứng thực' },
    { code: 'BOI_THUONG_TDC', name: 'Bồi thường, hỗ trợ, tái định cư' },
  ]);
  await db('procedures').insert([
    { code: '1.012756', name: 'Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý', field_code: 'DAT_DAI', level: 'province', agency_code: AGENCIES.land.code, statutory_days: 17, duration_value: 3, duration_unit: 'working_days', on_supplement: 'restart', fee: null, active: true },
    { code: '2.000908', name: 'Chứng thực bản sao từ bản chính', field_code: 'CHUNG_THUC', level: 'commune', agency_code: null, statutory_days: 1, duration_value: 4, duration_unit: 'working_hours', on_supplement: 'restart', fee: '2.000 đồng/trang', active: true },
    { code: '1.012994', name: 'Khấu trừ kinh phí bồi thường, hỗ trợ, tái định cư', field_code: 'BOI_THUONG_TDC', level: 'province', agency_code: AGENCIES.land.code, statutory_days: 10, duration_value: 10, duration_unit: 'working_days', on_supplement: 'pause', fee: null, active: true },
  ]);
  // Tết 2026 and the make-up Saturday of January, as announced.
  const days = [
    ['2026-01-01', 'holiday', 'Tết Dương lịch'],
    ['2026-01-02', 'day_off', 'Nghỉ hoán đổi dịp Tết Dương lịch'],
    ['2026-01-10', 'working_day', 'Làm bù cho ngày 2/1/2026'],
    ['2026-02-16', 'holiday', 'Tết Nguyên đán Bính Ngọ (29 tháng Chạp)'],
    ['2026-02-17', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 1)'],
    ['2026-02-18', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 2)'],
    ['2026-02-19', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 3)'],
    ['2026-02-20', 'holiday', 'Tết Nguyên đán Bính Ngọ (mùng 4)'],
  ];
  await db('calendar_days').insert(days.map(([date, kind, name]) => ({ date, kind, name, source: 'test', updated_at: '2026-01-01T00:00:00.000Z' })));
}

export interface TestUser {
  id: number;
  username: string;
  role: Role;
  agencyCode: string | null;
  token: string;
}

export async function addUser(db: Knex, username: string, role: Role, agencyCode: string | null): Promise<TestUser> {
  const user = await createUser(db, { username, fullName: `Nguyễn Văn ${username}`, role, agencyCode, password: PASSWORD }, new Date());
  const token = await createApiToken(db, user.id, 'test', new Date());
  return { id: user.id, username, role, agencyCode, token };
}

/** The app on `db` at a fixed `now`; `env` adds settings to the test environment (SUPPLEMENT_REQUESTS: 'repeat'). */
export function makeApp(db: Knex, now = '2026-02-13T03:00:00.000Z', env: Record<string, string> = {}) {
  const clock = fixedClock(now);
  const config = loadConfig({ NODE_ENV: 'test', ...env } as NodeJS.ProcessEnv);
  const errors: unknown[] = [];
  const app = createApp({ db, config, clock, log: (_m, e) => errors.push(e) });
  return { app, clock, errors };
}

/** The CSRF token embedded in a page's forms. */
export function csrfFrom(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
}

/** A supertest agent logged in through the real login form. */
export async function loginAgent(app: Parameters<typeof request.agent>[0], username: string, password = PASSWORD) {
  const agent = request.agent(app);
  const page = await agent.get('/dang-nhap');
  const res = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), username, password });
  if (res.status !== 303) throw new Error(`login failed for ${username}: ${res.status}`);
  const home = await agent.get('/');
  return { agent, csrf: csrfFrom(home.text) };
}

/** A clerk and a head of the ward (it receives for land) and of the land department. */
export async function addDeskUsers(db: Knex): Promise<Record<'wardClerk' | 'wardHead' | 'landClerk' | 'landHead', TestUser>> {
  return {
    wardClerk: await addUser(db, 'ward.clerk', 'clerk', AGENCIES.ward.code),
    wardHead: await addUser(db, 'ward.head', 'head', AGENCIES.ward.code),
    landClerk: await addUser(db, 'land.clerk', 'clerk', AGENCIES.land.code),
    landHead: await addUser(db, 'land.head', 'head', AGENCIES.land.code),
  };
}

/** Every dossier the API lists for the user under the query (one page of 500), its total checked against them. */
export async function listAll(app: Parameters<typeof request>[0], user: TestUser, query = ''): Promise<{ code: string; late: boolean; dueAt: string; receivedAt: string }[]> {
  const res = await request(app).get(`/api/v1/dossiers?pageSize=500&${query}`).set('Authorization', `Bearer ${user.token}`);
  if (res.status !== 200) throw new Error(`list ${query} for ${user.username}: ${res.status}`);
  if (res.body.total !== res.body.items.length) throw new Error(`list ${query} for ${user.username}: total ${res.body.total}, ${res.body.items.length} items`);
  return res.body.items;
}

/** The user receives a dossier in person through the API; returns its code. */
export async function receiveAs(app: Parameters<typeof request>[0], user: TestUser, procedureCode: string, applicantName: string): Promise<string> {
  const res = await request(app).post('/api/v1/dossiers').set('Authorization', `Bearer ${user.token}`).send({ procedureCode, channel: 'in_person', applicant: { name: applicantName } });
  if (res.status !== 201) throw new Error(`receiving ${applicantName}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.code;
}

/**
 * A test's story told through the API: named dossiers received and acted on at local (UTC+7) instants
 * ('2026-02-02T08:00'), each action at the dossier's current version. `codes` maps the names to their codes; the
 * harness is asked for when the story is told (tests make it in beforeAll).
 */
export function apiStory(harness: () => ReturnType<typeof makeApp>, codes: Record<string, string>) {
  const at = (local: string) => harness().clock.set(new Date(`${local}:00+07:00`));
  return {
    async receive(name: string, local: string, by: TestUser, procedureCode: string) {
      at(local);
      codes[name] = await receiveAs(harness().app, by, procedureCode, name);
    },
    async act(name: string, local: string, by: TestUser, body: Record<string, unknown>) {
      at(local);
      const { app } = harness();
      const url = `/api/v1/dossiers/${encodeURIComponent(codes[name])}`;
      const current = await request(app).get(url).set('Authorization', `Bearer ${by.token}`);
      const res = await request(app).post(`${url}/actions`).set('Authorization', `Bearer ${by.token}`).send({ ...body, version: current.body.version });
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(200);
    },
  };
}

/** A test database with the small catalog, the desk users and an admin (added to `users`), and the app at a local instant. */
export async function deskWorld(users: Record<string, TestUser>, local: string): Promise<{ t: TestDb; harness: ReturnType<typeof makeApp> }> {
  const t = await createTestDb();
  await seedSmallCatalog(t.db);
  Object.assign(users, await addDeskUsers(t.db), { admin: await addUser(t.db, 'admin', 'admin', null) });
  return { t, harness: makeApp(t.db, new Date(`${local}:00+07:00`).toISOString()) };
}

/** A supertest parser keeping a binary answer (an XLSX) whole: `.buffer(true).parse(binary as never)`. */
export const binary = (res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

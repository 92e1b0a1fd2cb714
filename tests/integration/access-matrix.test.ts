import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { draftMissingLetters } from '../../src/letters/service';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { fingerprint } from '../helpers/fingerprint';
import { listRoutes } from '../helpers/routes';

// Every page and form route × every kind of visitor, with the answer each must get. The JSON API × roles is
// in api-matrix.test.ts; here the API is checked for what is about sessions and tokens only.

const vn = (local: string) => new Date(`${local}:00+07:00`).toISOString();
const WHO = ['anon', 'clerk', 'head', 'admin', 'otherClerk', 'otherHead'] as const;
type Who = (typeof WHO)[number];
/** An expected answer: a status, or LOGIN = 302 to the login page with the page in `next`. */
const LOGIN = 'login';
type Expect = number | typeof LOGIN;
const e = (anon: Expect, clerk: Expect, head: Expect, admin: Expect, otherClerk: Expect, otherHead: Expect): Record<Who, Expect> => ({
  anon, clerk, head, admin, otherClerk, otherHead,
});
const ALL_USERS = (s: number) => e(LOGIN, s, s, s, s, s);
const ADMIN_ONLY = (s: number) => e(LOGIN, 403, 403, s, 403, 403);

const PERSONAL = {
  name: 'Hoàng Thị Riêng Tư',
  idNumber: '079188004321',
  phone: '0977123456',
  email: 'rieng.tu@example.vn',
  address: '99 Đường Bí Mật, phường Ninh Kiều',
};

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let users: Record<Exclude<Who, 'anon'>, TestUser>;
const agents = {} as Record<Who, { agent: ReturnType<typeof request.agent>; csrf: string }>;
let code: string;
let supplementEventId: number;
let letterId: number;
let victimTokenId: number;
let refusalId: number;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  users = {
    clerk: await addUser(t.db, 'mx.clerk', 'clerk', AGENCIES.land.code),
    head: await addUser(t.db, 'mx.head', 'head', AGENCIES.land.code),
    admin: await addUser(t.db, 'mx.admin', 'admin', null),
    otherClerk: await addUser(t.db, 'mx.other.clerk', 'clerk', AGENCIES.ward.code),
    otherHead: await addUser(t.db, 'mx.other.head', 'head', AGENCIES.ward.code),
  };
  harness = makeApp(t.db, vn('2026-02-13T10:00'));
  const api = (path: string, body: object) => request(harness.app).post(path).set('Authorization', `Bearer ${users.clerk.token}`).send(body);
  const received = await api('/api/v1/dossiers', { procedureCode: '1.012756', channel: 'in_person', applicant: PERSONAL, documents: 'Giấy tờ riêng tư số 123' });
  expect(received.status).toBe(201);
  code = received.body.code;
  harness.clock.set(vn('2026-02-13T11:00'));
  const asked = await api(`/api/v1/dossiers/${code}/actions`, { action: 'request_supplement', version: 1, reason: 'Thiếu bản sao sổ đỏ của bà Riêng Tư', items: ['Bản sao giấy chứng nhận'] });
  expect(asked.status).toBe(200);
  harness.clock.set(vn('2026-02-23T08:00'));
  expect((await api(`/api/v1/dossiers/${code}/actions`, { action: 'receive_supplement', version: 2 })).status).toBe(200);
  supplementEventId = (await t.db('dossier_events').where({ type: 'request_supplement' }).first()).id;
  // Late by now: the sweep drafts an apology letter for it.
  harness.clock.set(vn('2026-03-09T09:00'));
  expect(await draftMissingLetters(harness.app.locals.ctx, harness.app.locals.services)).toBe(1);
  letterId = (await t.db('letters').first()).id;
  victimTokenId = (await t.db('api_tokens').where({ user_id: users.otherClerk.id }).first()).id;

  for (const who of WHO) {
    if (who === 'anon') {
      const agent = request.agent(harness.app);
      agents.anon = { agent, csrf: csrfFrom((await agent.get('/dang-nhap')).text) };
    } else {
      agents[who] = await loginAgent(harness.app, users[who].username);
    }
  }
  // A refusal to receive, at the land desk.
  const refused = await agents.clerk.agent
    .post('/ho-so/tu-choi')
    .type('form')
    .send({ _csrf: agents.clerk.csrf, procedureCode: '1.012756', applicantName: PERSONAL.name, applicantPhone: PERSONAL.phone, refusalReason: 'Thiếu đơn đề nghị theo mẫu' });
  expect(refused.status).toBe(303);
  refusalId = Number(/\/ho-so\/tu-choi\/(\d+)\?ok=refused$/.exec(refused.headers.location)![1]);
}, 60_000);

afterAll(async () => {
  expect(harness.errors).toEqual([]);
  await t.destroy();
});

interface Case {
  method: 'GET' | 'POST';
  /** the route pattern as Express knows it */
  route: string;
  url: () => string;
  /** form fields for a POST (the CSRF token is added); chosen so that an allowed user is refused by validation, not by access */
  body?: Record<string, string>;
  expect: Record<Who, Expect>;
}

const d = () => encodeURIComponent(code);
const CASES: Case[] = [
  // public and login
  { method: 'GET', route: '/favicon.ico', url: () => '/favicon.ico', expect: e(200, 200, 200, 200, 200, 200) },
  { method: 'GET', route: '/tra-cuu', url: () => '/tra-cuu', expect: e(200, 200, 200, 200, 200, 200) },
  { method: 'GET', route: '/tra-cuu/:code', url: () => `/tra-cuu/${d()}`, expect: e(200, 200, 200, 200, 200, 200) },
  { method: 'GET', route: '/dang-nhap', url: () => '/dang-nhap', expect: e(200, 302, 302, 302, 302, 302) },
  { method: 'POST', route: '/dang-nhap', url: () => '/dang-nhap', body: { username: '' }, expect: e(422, 422, 422, 422, 422, 422) },
  // home and dossiers
  { method: 'GET', route: '/', url: () => '/', expect: ALL_USERS(200) },
  { method: 'GET', route: '/ho-so/moi', url: () => '/ho-so/moi', expect: e(LOGIN, 200, 403, 200, 200, 403) },
  { method: 'GET', route: '/ho-so/han-du-kien', url: () => '/ho-so/han-du-kien?procedureCode=1.012756', expect: ALL_USERS(200) },
  { method: 'POST', route: '/ho-so', url: () => '/ho-so', body: { channel: 'in_person' }, expect: e(LOGIN, 422, 403, 422, 422, 403) },
  { method: 'GET', route: '/ho-so', url: () => '/ho-so', expect: ALL_USERS(200) },
  // The register: each user's own desk's book (an admin picks the desk: without one, asked to).
  { method: 'GET', route: '/ho-so/so-theo-doi', url: () => '/ho-so/so-theo-doi', expect: ALL_USERS(200) },
  { method: 'GET', route: '/ho-so/so-theo-doi.xlsx', url: () => '/ho-so/so-theo-doi.xlsx', expect: e(LOGIN, 200, 200, 422, 200, 200) },
  // Refusing to receive: clerks (at their own desk) and admins; the slip for its desk and admins.
  { method: 'POST', route: '/ho-so/tu-choi', url: () => '/ho-so/tu-choi', body: { procedureCode: '1.012756' }, expect: e(LOGIN, 422, 403, 422, 422, 403) },
  { method: 'GET', route: '/ho-so/tu-choi', url: () => '/ho-so/tu-choi', expect: ALL_USERS(200) },
  { method: 'GET', route: '/ho-so/tu-choi/:id', url: () => `/ho-so/tu-choi/${refusalId}`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  { method: 'GET', route: '/ho-so/:code', url: () => `/ho-so/${d()}`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  // A stale version: whoever may act learns it is stale (409); a head may not act (403); another agency does not even see it (404).
  { method: 'POST', route: '/ho-so/:code/thao-tac', url: () => `/ho-so/${d()}/thao-tac`, body: { action: 'pause', reason: 'thử quyền', version: '999' }, expect: e(LOGIN, 409, 403, 409, 404, 404) },
  // Correcting intake's data: the desk's clerks and admins (a stale version: 409); a head may not (403).
  { method: 'POST', route: '/ho-so/:code/sua-thong-tin', url: () => `/ho-so/${d()}/sua-thong-tin`, body: { applicantName: 'Tên sửa thử', reason: 'thử quyền', version: '999' }, expect: e(LOGIN, 409, 403, 409, 404, 404) },
  { method: 'GET', route: '/ho-so/:code/phieu-bo-sung/:eventId', url: () => `/ho-so/${d()}/phieu-bo-sung/${supplementEventId}`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  // The matrix's dossier is not withdrawn: no notice for anyone (form-texts.test.ts prints one).
  { method: 'GET', route: '/ho-so/:code/thong-bao-dung', url: () => `/ho-so/${d()}/thong-bao-dung`, expect: e(LOGIN, 404, 404, 404, 404, 404) },
  { method: 'GET', route: '/ho-so/:code/phieu-kiem-soat', url: () => `/ho-so/${d()}/phieu-kiem-soat`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  { method: 'GET', route: '/ho-so/:code/giay-tiep-nhan', url: () => `/ho-so/${d()}/giay-tiep-nhan`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  // the head's pages and the apology letters
  { method: 'GET', route: '/theo-doi', url: () => '/theo-doi', expect: e(LOGIN, 403, 200, 200, 403, 200) },
  { method: 'GET', route: '/thu-xin-loi', url: () => '/thu-xin-loi', expect: e(LOGIN, 403, 200, 200, 403, 200) },
  { method: 'GET', route: '/thu-xin-loi/mau', url: () => '/thu-xin-loi/mau', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/thu-xin-loi/mau', url: () => '/thu-xin-loi/mau', body: { agency: '*', numberSuffix: 'có khoảng trắng!' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/thu-xin-loi/:id', url: () => `/thu-xin-loi/${letterId}`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  { method: 'POST', route: '/thu-xin-loi/:id', url: () => `/thu-xin-loi/${letterId}`, body: { version: '999' }, expect: e(LOGIN, 403, 409, 409, 403, 404) },
  { method: 'POST', route: '/thu-xin-loi/:id/hen-lai', url: () => `/thu-xin-loi/${letterId}/hen-lai`, body: {}, expect: e(LOGIN, 403, 422, 422, 403, 404) },
  { method: 'GET', route: '/thu-xin-loi/:id/in', url: () => `/thu-xin-loi/${letterId}/in`, expect: e(LOGIN, 200, 200, 200, 404, 404) },
  // reports: everyone signed in reads their own agency's (an admin every agency's)
  { method: 'GET', route: '/bao-cao', url: () => '/bao-cao', expect: ALL_USERS(200) },
  { method: 'GET', route: '/bao-cao/xuat.csv', url: () => '/bao-cao/xuat.csv?from=2026-02-01&to=2026-02-28', expect: ALL_USERS(200) },
  { method: 'GET', route: '/bao-cao/xuat.xlsx', url: () => '/bao-cao/xuat.xlsx?from=2026-02-01&to=2026-02-28', expect: ALL_USERS(200) },
  { method: 'GET', route: '/bao-cao/in', url: () => '/bao-cao/in?from=2026-02-01&to=2026-02-28', expect: ALL_USERS(200) },
  // administration
  { method: 'GET', route: '/quan-tri', url: () => '/quan-tri', expect: ADMIN_ONLY(200) },
  { method: 'GET', route: '/quan-tri/nhat-ky', url: () => '/quan-tri/nhat-ky', expect: ADMIN_ONLY(200) },
  { method: 'GET', route: '/quan-tri/nhap-du-lieu', url: () => '/quan-tri/nhap-du-lieu', expect: ADMIN_ONLY(200) },
  { method: 'GET', route: '/quan-tri/nhap-du-lieu/mau.csv', url: () => '/quan-tri/nhap-du-lieu/mau.csv', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/nhap-du-lieu', url: () => '/quan-tri/nhap-du-lieu', body: { csv: 'khong,phai,csv' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/nguoi-dung', url: () => '/quan-tri/nguoi-dung', expect: ADMIN_ONLY(200) },
  { method: 'GET', route: '/quan-tri/nguoi-dung/moi', url: () => '/quan-tri/nguoi-dung/moi', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/nguoi-dung', url: () => '/quan-tri/nguoi-dung', body: { username: 'x' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/nguoi-dung/:id', url: () => `/quan-tri/nguoi-dung/${users.otherClerk.id}`, expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/nguoi-dung/:id', url: () => `/quan-tri/nguoi-dung/${users.otherClerk.id}`, body: { role: 'admin' }, expect: ADMIN_ONLY(422) },
  { method: 'POST', route: '/quan-tri/nguoi-dung/:id/trang-thai', url: () => `/quan-tri/nguoi-dung/${users.otherClerk.id}/trang-thai`, body: { active: 'maybe' }, expect: ADMIN_ONLY(422) },
  { method: 'POST', route: '/quan-tri/nguoi-dung/:id/mat-khau', url: () => `/quan-tri/nguoi-dung/${users.otherClerk.id}/mat-khau`, body: { password: 'ngan' }, expect: ADMIN_ONLY(422) },
  { method: 'POST', route: '/quan-tri/nguoi-dung/:id/token', url: () => `/quan-tri/nguoi-dung/${users.otherClerk.id}/token`, body: { tokenName: 'x'.repeat(201) }, expect: ADMIN_ONLY(422) },
  // The token belongs to another user: only an admin reaches the handler, which finds no such token of this user.
  { method: 'POST', route: '/quan-tri/nguoi-dung/:id/token/:tokenId/thu-hoi', url: () => `/quan-tri/nguoi-dung/${users.clerk.id}/token/${victimTokenId}/thu-hoi`, body: {}, expect: ADMIN_ONLY(404) },
  { method: 'GET', route: '/quan-tri/co-quan', url: () => '/quan-tri/co-quan', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/co-quan', url: () => '/quan-tri/co-quan', body: { code: 'có dấu' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/co-quan/:code', url: () => '/quan-tri/co-quan/000.00.00.H13', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/co-quan/:code', url: () => '/quan-tri/co-quan/000.00.00.H13', body: { name: '' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/linh-vuc', url: () => '/quan-tri/linh-vuc', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/linh-vuc', url: () => '/quan-tri/linh-vuc', body: { code: 'có dấu' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/linh-vuc/:code', url: () => '/quan-tri/linh-vuc/DAT_DAI', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/linh-vuc/:code', url: () => '/quan-tri/linh-vuc/DAT_DAI', body: { name: '' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/thu-tuc', url: () => '/quan-tri/thu-tuc', expect: ADMIN_ONLY(200) },
  { method: 'GET', route: '/quan-tri/thu-tuc/moi', url: () => '/quan-tri/thu-tuc/moi', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/thu-tuc', url: () => '/quan-tri/thu-tuc', body: { code: '' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/thu-tuc/:code', url: () => '/quan-tri/thu-tuc/1.012756', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/thu-tuc/:code', url: () => '/quan-tri/thu-tuc/1.012756', body: { name: '' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/lich', url: () => '/quan-tri/lich?year=2026', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/lich', url: () => '/quan-tri/lich', body: { date: '2026-02-30', kind: 'holiday', name: 'Không có' }, expect: ADMIN_ONLY(422) },
  { method: 'POST', route: '/quan-tri/lich/:date/xoa', url: () => '/quan-tri/lich/2026-03-03/xoa', body: {}, expect: ADMIN_ONLY(404) },
  // Recomputing changes nothing here (no calendar change); it is the one form an admin completes in this table.
  { method: 'POST', route: '/quan-tri/tinh-lai-han', url: () => '/quan-tri/tinh-lai-han', body: {}, expect: ADMIN_ONLY(303) },
  { method: 'GET', route: '/quan-tri/mau-phieu', url: () => '/quan-tri/mau-phieu?form=refusal', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/mau-phieu', url: () => '/quan-tri/mau-phieu', body: { form: 'receipt', agency: '*', title: 'hai\ndòng' }, expect: ADMIN_ONLY(422) },
  { method: 'GET', route: '/quan-tri/mau-phieu/xem-thu', url: () => '/quan-tri/mau-phieu/xem-thu?form=supplement', expect: ADMIN_ONLY(200) },
  { method: 'POST', route: '/quan-tri/lich/chep-tam-tinh', url: () => '/quan-tri/lich/chep-tam-tinh', body: {}, expect: ADMIN_ONLY(400) },
  { method: 'POST', route: '/quan-tri/lich/nhap', url: () => '/quan-tri/lich/nhap', body: { csv: 'date,kind,name\n2026-13-01,holiday,X' }, expect: ADMIN_ONLY(422) },
];

// Logging out ends the session the rest of the table needs: checked on its own below.
const SEPARATELY = new Set(['POST /dang-xuat']);

describe('access to every page and form, for every kind of visitor', () => {
  it('when the app routes are listed, then every page and form route has a row in this table', () => {
    const covered = new Set(CASES.map((c) => `${c.method} ${c.route}`));
    const pages = listRoutes(harness.app)
      .filter((r) => !r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !SEPARATELY.has(k));
    expect(pages.filter((k) => !covered.has(k)), 'routes without an expected answer').toEqual([]);
    expect([...covered].filter((k) => !pages.includes(k)), 'rows for routes that no longer exist').toEqual([]);
  });

  for (const c of CASES) {
    it(`when ${c.method} ${c.route} is requested by each kind of visitor, then ${WHO.map((w) => `${w} ${c.expect[w]}`).join(', ')}`, async () => {
      const got: Record<string, Expect> = {};
      for (const who of WHO) {
        const { agent, csrf } = agents[who];
        const before = c.method === 'POST' ? await fingerprint(t.db) : null;
        const res = c.method === 'GET' ? await agent.get(c.url()) : await agent.post(c.url()).type('form').send({ _csrf: csrf, ...c.body });
        const wanted = c.expect[who];
        if (wanted === LOGIN) {
          got[who] = res.status === 302 && res.headers.location === `/dang-nhap?next=${encodeURIComponent(c.url())}` ? LOGIN : res.status;
        } else {
          got[who] = res.status;
        }
        // A refused or invalid request writes nothing (recompute may, but finds nothing to change here).
        if (before) expect(await fingerprint(t.db), `${who}: ${c.url()}`).toEqual(before);
        // Nothing of the dossier reaches those who may not see it.
        if (who === 'anon' || who === 'otherClerk' || who === 'otherHead') {
          for (const v of Object.values(PERSONAL)) expect(res.text ?? '', `${who}: ${c.url()}`).not.toContain(v); // an image (the icon) has no text
        }
      }
      expect(got).toEqual(c.expect);
    });
  }

  it('when anyone posts /dang-xuat, then 303 to the login page; a signed-in user is signed out', async () => {
    for (const who of WHO) {
      const { agent, csrf } = who === 'anon' ? agents.anon : await loginAgent(harness.app, users[who].username);
      const res = await agent.post('/dang-xuat').type('form').send({ _csrf: csrf });
      expect([who, res.status, res.headers.location]).toEqual([who, 303, '/dang-nhap']);
      const after = await agent.get('/ho-so');
      expect([who, after.status]).toEqual([who, 302]);
    }
  });
});

describe('the public look-up leaks no personal data', () => {
  it('when every page an anonymous visitor can open is fetched, then none shows the applicant, the documents or the officer', async () => {
    const anon = request(harness.app);
    const urls = [
      `/tra-cuu/${d()}`,
      `/tra-cuu?ma=${d()}`,
      `/api/v1/public/dossiers/${d()}`,
      `/tra-cuu/${d().toLowerCase()}`,
      '/tra-cuu',
      '/dang-nhap',
    ];
    const secrets = [...Object.values(PERSONAL), 'Giấy tờ riêng tư', 'Riêng Tư', 'Nguyễn Văn mx.clerk', 'Thiếu bản sao sổ đỏ', 'mx.clerk'];
    for (const url of urls) {
      const res = await anon.get(url).redirects(1);
      expect(res.status, url).toBeLessThan(500);
      for (const s of secrets) expect(res.text, `${url} shows ${s}`).not.toContain(s);
    }
    const json = await anon.get(`/api/v1/public/dossiers/${d()}`);
    expect(json.body).toMatchObject({ code, status: 'processing' });
    const personalKeys = Object.keys(json.body).filter((k) => /applicant|phone|email|address|idNumber|documents|events|actor|reason|created/i.test(k));
    expect(personalKeys).toEqual([]);
  });

  it('when a code is guessed (a neighbour, a prefix, a wildcard), then 404 with nothing of any dossier', async () => {
    const prefix = code.slice(0, -4);
    for (const guess of [`${prefix}0002`, prefix, `${prefix}%`, `${prefix}_001`, '%', '*']) {
      const res = await request(harness.app).get(`/api/v1/public/dossiers/${encodeURIComponent(guess)}`);
      expect(res.status, guess).toBe(404);
      expect(res.text).not.toContain(code);
    }
  });
});

describe('API tokens and sessions', () => {
  it('when a token is revoked, then every API route answers 401 to it while a colleague’s token still works', async () => {
    // The public look-up and the OpenAPI document need no token at all.
    const apiGets = listRoutes(harness.app).filter(
      (r) => r.method === 'GET' && r.path.startsWith('/api/v1/') && !r.path.startsWith('/api/v1/public/') && r.path !== '/api/v1/openapi.json',
    );
    expect(apiGets.length).toBeGreaterThanOrEqual(8);
    const url = (p: string) => p.replace(':code', d()).replace(':id', String(letterId)).replace(':date', '2026-02-16');
    const token = users.otherHead.token;
    const before: Record<string, number> = {};
    for (const r of apiGets) before[r.path] = (await request(harness.app).get(url(r.path)).set('Authorization', `Bearer ${token}`)).status;
    expect(Object.values(before)).not.toContain(401);
    await t.db('api_tokens').where({ user_id: users.otherHead.id }).update({ revoked_at: vn('2026-03-09T09:00') });
    for (const r of apiGets) {
      const res = await request(harness.app).get(url(r.path)).set('Authorization', `Bearer ${token}`);
      expect([r.path, res.status]).toEqual([r.path, 401]);
    }
    expect((await request(harness.app).get('/api/v1/fields').set('Authorization', `Bearer ${users.head.token}`)).status).toBe(200);
  });

  it('when a token is sent as a cookie, a query parameter or without "Bearer", then it is not accepted', async () => {
    const token = users.admin.token;
    expect((await request(harness.app).get(`/api/v1/fields?token=${token}`)).status).toBe(401);
    expect((await request(harness.app).get(`/api/v1/fields?access_token=${token}`)).status).toBe(401);
    expect((await request(harness.app).get('/api/v1/fields').set('Authorization', token)).status).toBe(401);
    expect((await request(harness.app).get('/api/v1/fields').set('Cookie', `sid=${token}`)).status).toBe(401);
    // …and a token does not open the pages either.
    const page = await request(harness.app).get('/quan-tri').set('Authorization', `Bearer ${token}`);
    expect(page.status).toBe(302);
  });

  it('when a user is locked, then their open session stops at the next request', async () => {
    const victim = await addUser(t.db, 'mx.locked', 'clerk', AGENCIES.land.code);
    const { agent } = await loginAgent(harness.app, victim.username);
    expect((await agent.get('/ho-so')).status).toBe(200);
    await t.db('users').where({ id: victim.id }).update({ active: false }); // even without the admin form's session cleanup
    expect((await agent.get('/ho-so')).status).toBe(302);
    expect((await request(harness.app).get('/api/v1/fields').set('Authorization', `Bearer ${victim.token}`)).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { fixedClock } from '../../src/shared/clock';
import { verifyPassword } from '../../src/auth/passwords';
import { draftMissingLetters } from '../../src/letters/service';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, PASSWORD, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { fingerprint } from '../helpers/fingerprint';
import { listRoutes } from '../helpers/routes';

// Sessions and forms (what auth.test.ts does not already prove): the CSRF token on every state-changing form,
// cookies behind a TLS proxy, the CSP kept by every page, password hashing and login rate limits under load.

const ROOT = path.resolve(import.meta.dirname, '../..');
const vn = (local: string) => new Date(`${local}:00+07:00`).toISOString();
const CSRF_MESSAGE = 'Phiên làm việc của biểu mẫu đã hết hạn';

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let clerk: TestUser;
let head: TestUser;
let admin: TestUser;
let spare: TestUser;
let code: string;
let letterId: number;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerk = await addUser(t.db, 'sf.clerk', 'clerk', AGENCIES.land.code);
  head = await addUser(t.db, 'sf.head', 'head', AGENCIES.land.code);
  admin = await addUser(t.db, 'sf.admin', 'admin', null);
  spare = await addUser(t.db, 'sf.spare', 'clerk', AGENCIES.ward.code);
  harness = makeApp(t.db, vn('2026-02-13T10:00'));
  const res = await request(harness.app)
    .post('/api/v1/dossiers')
    .set('Authorization', `Bearer ${clerk.token}`)
    .send({ procedureCode: '1.012756', channel: 'online', applicant: { name: 'Lâm Văn Biểu Mẫu' } });
  code = res.body.code;
  harness.clock.set(vn('2026-02-24T15:00'));
  await draftMissingLetters(harness.app.locals.ctx, harness.app.locals.services);
  letterId = (await t.db('letters').first()).id;
}, 60_000);
afterAll(async () => {
  expect(harness.errors).toEqual([]);
  await t.destroy();
});

function cookieHeader(res: request.Response, name: string): string | undefined {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return (raw ?? []).find((h) => h.startsWith(`${name}=`));
}

describe('CSRF: every state-changing form needs the token of its own session', () => {
  /**
   * Who posts each form, and a body that the form accepts when the token is right. `fresh`: the form ends or
   * replaces the session, so it gets a session of its own.
   */
  const FORMS: Record<string, { as: () => TestUser; url: () => string; body: () => Promise<Record<string, string>> | Record<string, string>; fresh?: boolean }> = {
    'POST /dang-nhap': { as: () => clerk, url: () => '/dang-nhap', body: () => ({ username: clerk.username, password: PASSWORD }), fresh: true },
    'POST /dang-xuat': { as: () => clerk, url: () => '/dang-xuat', body: () => ({}), fresh: true },
    'POST /ho-so': { as: () => clerk, url: () => '/ho-so', body: () => ({ procedureCode: '1.012756', channel: 'in_person', applicantName: 'Nguyễn CSRF', sets: '1' }) },
    'POST /ho-so/tu-choi': { as: () => clerk, url: () => '/ho-so/tu-choi', body: () => ({ procedureCode: '1.012756', applicantName: 'Nguyễn CSRF', refusalReason: 'Không thuộc thẩm quyền' }) },
    'POST /ho-so/:code/thao-tac': {
      as: () => clerk,
      url: () => `/ho-so/${code}/thao-tac`,
      body: async () => ({ action: 'pause', reason: 'Chờ thẩm định', version: String((await t.db('dossiers').where({ code }).first()).version) }),
    },
    'POST /ho-so/:code/sua-thong-tin': {
      as: () => clerk,
      url: () => `/ho-so/${code}/sua-thong-tin`,
      body: async () => {
        const row = await t.db('dossiers').where({ code }).first();
        return { applicantName: `${row.applicant_name} (sửa)`, reason: 'Nhập nhầm tên', version: String(row.version) };
      },
    },
    'POST /thu-xin-loi/mau': { as: () => admin, url: () => '/thu-xin-loi/mau', body: () => ({ agency: '*', op: 'save', numberSuffix: 'XL' }) },
    'POST /thu-xin-loi/:id': {
      as: () => head,
      url: () => `/thu-xin-loi/${letterId}`,
      body: async () => ({ op: 'save', reason: 'Hồ sơ phức tạp', version: String((await t.db('letters').where({ id: letterId }).first()).version) }),
    },
    'POST /thu-xin-loi/:id/hen-lai': { as: () => head, url: () => `/thu-xin-loi/${letterId}/hen-lai`, body: () => ({ overrideReason: 'Cần thêm thời gian' }) },
    'POST /quan-tri/mau-phieu': { as: () => admin, url: () => '/quan-tri/mau-phieu', body: () => ({ form: 'receipt', agency: '*', op: 'save', signer: 'Người tiếp nhận hồ sơ' }) },
    'POST /quan-tri/nhap-du-lieu': { as: () => admin, url: () => '/quan-tri/nhap-du-lieu', body: () => ({ csv: 'a,b\n1,2' }) },
    'POST /quan-tri/nguoi-dung': {
      as: () => admin,
      url: () => '/quan-tri/nguoi-dung',
      body: () => ({ username: `csrf.${Date.now()}`, fullName: 'Người CSRF', role: 'clerk', agencyCode: AGENCIES.ward.code, password: 'mat-khau-csrf-1' }),
    },
    'POST /quan-tri/nguoi-dung/:id': { as: () => admin, url: () => `/quan-tri/nguoi-dung/${clerk.id}`, body: () => ({ fullName: 'Tên đổi', role: 'clerk', agencyCode: AGENCIES.land.code }) },
    'POST /quan-tri/nguoi-dung/:id/trang-thai': { as: () => admin, url: () => `/quan-tri/nguoi-dung/${spare.id}/trang-thai`, body: () => ({ active: '1' }) },
    'POST /quan-tri/nguoi-dung/:id/mat-khau': { as: () => admin, url: () => `/quan-tri/nguoi-dung/${spare.id}/mat-khau`, body: () => ({ password: PASSWORD }) },
    'POST /quan-tri/nguoi-dung/:id/token': { as: () => admin, url: () => `/quan-tri/nguoi-dung/${spare.id}/token`, body: () => ({ tokenName: 'CSRF' }) },
    'POST /quan-tri/nguoi-dung/:id/token/:tokenId/thu-hoi': {
      as: () => admin,
      url: () => `/quan-tri/nguoi-dung/${spare.id}/token/0/thu-hoi`,
      body: () => ({}),
    },
    'POST /quan-tri/co-quan': { as: () => admin, url: () => '/quan-tri/co-quan', body: () => ({ code: `A${Date.now()}`, name: `Cơ quan CSRF ${Date.now()}` }) },
    'POST /quan-tri/co-quan/:code': { as: () => admin, url: () => '/quan-tri/co-quan/000.00.00.H13', body: () => ({ name: `Ủy ban nhân dân thành phố Cần Thơ ${Date.now()}` }) },
    'POST /quan-tri/linh-vuc': { as: () => admin, url: () => '/quan-tri/linh-vuc', body: () => ({ code: `F${Date.now()}`, name: 'Lĩnh vực CSRF' }) },
    'POST /quan-tri/linh-vuc/:code': { as: () => admin, url: () => '/quan-tri/linh-vuc/DAT_DAI', body: () => ({ name: 'Đất đai' }) },
    'POST /quan-tri/thu-tuc': {
      as: () => admin,
      url: () => '/quan-tri/thu-tuc',
      body: () => ({ code: `9.${Date.now()}`, name: 'Thủ tục CSRF', fieldCode: 'DAT_DAI', 'duration[value]': '3', 'duration[unit]': 'working_days', active: '1' }),
    },
    'POST /quan-tri/thu-tuc/:code': {
      as: () => admin,
      url: () => '/quan-tri/thu-tuc/1.012994',
      body: () => ({ name: 'Khấu trừ kinh phí bồi thường, hỗ trợ, tái định cư', fieldCode: 'BOI_THUONG_TDC', statutoryDays: '10', 'duration[value]': '10', 'duration[unit]': 'working_days', onSupplement: 'pause', active: '1' }),
    },
    'POST /quan-tri/lich': { as: () => admin, url: () => '/quan-tri/lich', body: () => ({ date: '2026-09-01', kind: 'holiday', name: 'Quốc khánh' }) },
    'POST /quan-tri/lich/:date/xoa': { as: () => admin, url: () => '/quan-tri/lich/2026-01-10/xoa', body: () => ({}) },
    'POST /quan-tri/tinh-lai-han': { as: () => admin, url: () => '/quan-tri/tinh-lai-han', body: () => ({ year: '2026' }) },
    'POST /quan-tri/lich/chep-tam-tinh': { as: () => admin, url: () => '/quan-tri/lich/chep-tam-tinh', body: () => ({ year: '2032' }) },
    'POST /quan-tri/lich/nhap': { as: () => admin, url: () => '/quan-tri/lich/nhap', body: () => ({ year: '2033', mode: 'merge', csv: 'date,kind,name\n2033-01-03,day_off,Nghỉ bù Tết Dương lịch' }) },
  };

  it('when the routes are listed, then every state-changing page route is in this table', () => {
    const changing = listRoutes(harness.app)
      .filter((r) => r.method !== 'GET' && !r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${r.path}`);
    expect(changing.filter((k) => !(k in FORMS))).toEqual([]);
    expect(Object.keys(FORMS).filter((k) => !changing.includes(k))).toEqual([]);
  });

  // Two sessions per user, opened once: logging in costs a deliberately slow password hash.
  const sessions = new Map<string, Promise<[Awaited<ReturnType<typeof loginAgent>>, Awaited<ReturnType<typeof loginAgent>>]>>();
  const sessionsOf = (u: TestUser) => {
    if (!sessions.has(u.username)) sessions.set(u.username, Promise.all([loginAgent(harness.app, u.username), loginAgent(harness.app, u.username)]));
    return sessions.get(u.username)!;
  };

  for (const [route, form] of Object.entries(FORMS)) {
    it(`when ${route} is posted without the token or with another session's, then 403 and nothing is written; with its own, it is handled`, async () => {
      const [own, other] = await sessionsOf(form.as());
      const { agent, csrf } = form.fresh ? await loginAgent(harness.app, form.as().username) : own;
      const before = await fingerprint(t.db);
      for (const [what, token] of [['none', undefined], ['another session', other.csrf], ['garbage', 'x'.repeat(csrf.length)], ['truncated', csrf.slice(0, -1)], ['as long, multibyte', 'ệ'.repeat(csrf.length)]] as const) {
        const body = await form.body();
        const res = await agent.post(form.url()).type('form').send(token === undefined ? body : { ...body, _csrf: token });
        expect([what, res.status]).toEqual([what, 403]);
        expect(res.text).toContain(CSRF_MESSAGE);
      }
      // A token as an array or in the query string is no token either.
      const asArray = await agent.post(form.url()).type('form').send(`_csrf=${encodeURIComponent(csrf)}&_csrf=${encodeURIComponent(csrf)}`);
      expect(asArray.status).toBe(403);
      const inQuery = await agent.post(`${form.url()}?_csrf=${encodeURIComponent(csrf)}`).type('form').send(await form.body());
      expect(inQuery.status).toBe(403);
      expect(await fingerprint(t.db)).toEqual(before);
      // The session still works after all that.
      const ok = await agent.post(form.url()).type('form').send({ ...(await form.body()), _csrf: csrf });
      expect(ok.status, ok.text.slice(0, 500)).not.toBe(403);
      expect(ok.status).toBeLessThan(500);
    });
  }

  it('when the import file is posted as text/csv, then the token must come in the X-CSRF-Token header', async () => {
    const [{ agent, csrf }] = await sessionsOf(admin);
    const without = await agent.post('/quan-tri/nhap-du-lieu').set('Content-Type', 'text/csv').send('a,b\n1,2\n');
    expect(without.status).toBe(403);
    const wrong = await agent.post('/quan-tri/nhap-du-lieu').set('Content-Type', 'text/csv').set('X-CSRF-Token', 'sai').send('a,b\n1,2\n');
    expect(wrong.status).toBe(403);
    const right = await agent.post('/quan-tri/nhap-du-lieu').set('Content-Type', 'text/csv').set('X-CSRF-Token', csrf).send('a,b\n1,2\n');
    expect(right.status).toBe(200);
  });

  it('when the session ended before a form was sent (a logout in another tab), then nothing is written and the page asks to log in again, not "no permission"', async () => {
    const { agent, csrf } = await loginAgent(harness.app, clerk.username);
    expect((await agent.post('/dang-xuat').type('form').send({ _csrf: csrf })).status).toBe(303);
    const before = await fingerprint(t.db);
    const res = await agent.post('/ho-so').type('form').send({ _csrf: csrf, procedureCode: '1.012756', channel: 'in_person', applicantName: 'Nguyễn Hết Phiên', sets: '1' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<h1>Cần đăng nhập lại</h1>');
    expect(res.text).toContain('nên nội dung vừa gửi chưa được lưu');
    expect(res.text).toContain('<a class="button primary" id="log-in-again" href="/dang-nhap" autofocus>Đăng nhập lại</a>');
    expect(await fingerprint(t.db)).toEqual(before);
    // Logged in, a stale token is what it was: the form's page is old, reload it.
    const { agent: other } = await loginAgent(harness.app, clerk.username);
    const stale = await other.post('/ho-so').type('form').send({ _csrf: csrf, procedureCode: '1.012756', channel: 'in_person', applicantName: 'Nguyễn Hết Phiên', sets: '1' });
    expect(stale.status).toBe(403);
    expect(stale.text).toContain('Phiên làm việc của biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.');
    expect(stale.text).not.toContain('log-in-again');
  });

  it('when a cross-site form posts with the victim’s cookies but no token (a classic CSRF), then 403', async () => {
    const [{ agent }] = await sessionsOf(admin);
    const before = await fingerprint(t.db);
    const res = await agent
      .post('/quan-tri/nguoi-dung')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ username: 'ke.tan.cong', fullName: 'Kẻ tấn công', role: 'admin', password: 'mat-khau-tan-cong' });
    expect(res.status).toBe(403);
    expect(await fingerprint(t.db)).toEqual(before);
  });
});

describe('session cookies and login', () => {
  it('when a browser arrives with a planted session id, then login issues a different one and the planted one stays useless', async () => {
    const planted = 'attacker-chosen-session-id-0123456789abcdef';
    const agent = request.agent(harness.app);
    const page = await agent.get('/dang-nhap').set('Cookie', `sid=${planted}`);
    const res = await agent.post('/dang-nhap').set('Cookie', `sid=${planted}`).type('form').send({ _csrf: csrfFrom(page.text), username: clerk.username, password: PASSWORD });
    expect(res.status).toBe(303);
    const sid = decodeURIComponent(cookieHeader(res, 'sid')!.split(';')[0].slice(4));
    expect(sid).not.toBe(planted);
    expect((await request(harness.app).get('/ho-so').set('Cookie', `sid=${planted}`)).status).toBe(302);
    // Only the hash of the id is stored.
    expect(await t.db('sessions').where({ id: sid }).first()).toBeUndefined();
  });

  it('when the pre-login cookie is set, then it is HttpOnly and SameSite=Lax too', async () => {
    const res = await request(harness.app).get('/dang-nhap');
    const pre = cookieHeader(res, 'pre');
    expect(pre).toMatch(/;\s*HttpOnly/i);
    expect(pre).toMatch(/;\s*SameSite=Lax/i);
    expect(pre).not.toMatch(/;\s*Secure/i);
  });

  function appWith(env: Record<string, string>) {
    const config = loadConfig({ NODE_ENV: 'test', ...env } as NodeJS.ProcessEnv);
    const errors: unknown[] = [];
    return { app: createApp({ db: t.db, config, clock: fixedClock(vn('2026-02-13T10:00')), log: (_m, e) => errors.push(e) }), errors };
  }

  /** Logs in as a browser would; the cookie is passed by hand because a Secure cookie is not replayed over the test's plain HTTP. */
  async function loginThrough(app: ReturnType<typeof createApp>, headers: Record<string, string>) {
    const page = await request(app).get('/dang-nhap').set(headers);
    const pre = cookieHeader(page, 'pre')!.split(';')[0];
    const res = await request(app)
      .post('/dang-nhap')
      .set(headers)
      .set('Cookie', pre)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: clerk.username, password: PASSWORD });
    return { page, res };
  }

  it('when TRUST_PROXY=1 and the proxy says the visit came over HTTPS, then the cookies are Secure and HSTS is sent', async () => {
    const { app, errors } = appWith({ TRUST_PROXY: '1' });
    const { page, res } = await loginThrough(app, { 'X-Forwarded-Proto': 'https' });
    expect(res.status).toBe(303);
    expect(cookieHeader(page, 'pre')).toMatch(/;\s*Secure/i);
    const sid = cookieHeader(res, 'sid')!;
    expect(sid).toMatch(/;\s*Secure/i);
    expect(sid).toMatch(/;\s*HttpOnly/i);
    expect(sid).toMatch(/;\s*SameSite=Lax/i);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(errors).toEqual([]);
  });

  it('when TRUST_PROXY=1 records the client address from X-Forwarded-For, then the audit line of the login shows it', async () => {
    const { app } = appWith({ TRUST_PROXY: '1' });
    const { res } = await loginThrough(app, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.7' });
    expect(res.status).toBe(303);
    const line = await t.db('audit_log').where({ action: 'login' }).orderBy('id', 'desc').first();
    expect(line.ip).toBe('203.0.113.7');
  });

  it('when TRUST_PROXY is off, then a forged X-Forwarded-Proto earns no Secure flag and no HSTS', async () => {
    const { app } = appWith({ TRUST_PROXY: '0' });
    const { page, res } = await loginThrough(app, { 'X-Forwarded-Proto': 'https' });
    expect(res.status).toBe(303);
    expect(cookieHeader(res, 'sid')).not.toMatch(/;\s*Secure/i);
    expect(page.headers['strict-transport-security']).toBeUndefined();
  });

  async function attempt(app: ReturnType<typeof createApp>, username: string, password: string, headers: Record<string, string> = {}) {
    const agent = request.agent(app);
    const page = await agent.get('/dang-nhap');
    return (await agent.post('/dang-nhap').set(headers).type('form').send({ _csrf: csrfFrom(page.text), username, password })).status;
  }

  it('when one address fails 20 times under forged X-Forwarded-For names, then it waits; the colleagues’ successes before did not count', async () => {
    const { app } = appWith({ TRUST_PROXY: '0' });
    // Colleagues behind the same address log in: successes never use up the address's allowance.
    for (let i = 0; i < 3; i++) expect(await attempt(app, clerk.username, PASSWORD)).toBe(303);
    const failures = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(app, `khong.co.${i}`, 'sai-mat-khau', { 'X-Forwarded-For': `198.51.100.${i}` })),
    );
    expect(failures).toEqual(Array(20).fill(401));
    expect(await attempt(app, 'khong.co.x', 'sai-mat-khau', { 'X-Forwarded-For': '198.51.100.200' })).toBe(429);
    expect(await attempt(app, clerk.username, PASSWORD, { 'X-Forwarded-For': '198.51.100.201' })).toBe(429);
    // The block is the database's, shared by every process: the tests after this one come from the same address.
    await t.db('login_attempts').delete();
  });

  it('when 30 wrong passwords for one user arrive at the same instant, then only 8 are checked and the other 22 get 429', async () => {
    const { app } = appWith({});
    const victim = await addUser(t.db, 'sf.burst', 'clerk', AGENCIES.ward.code);
    const forms = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const agent = request.agent(app);
        return { agent, csrf: csrfFrom((await agent.get('/dang-nhap')).text) };
      }),
    );
    const results = await Promise.all(
      forms.map(({ agent, csrf }, i) => agent.post('/dang-nhap').type('form').send({ _csrf: csrf, username: victim.username, password: `doan-sai-${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBe(8);
    expect(statuses.filter((s) => s === 429).length).toBe(22);
    // And the right password is refused too until the window passes.
    const { agent, csrf } = forms[0];
    expect((await agent.post('/dang-nhap').type('form').send({ _csrf: csrf, username: victim.username, password: PASSWORD })).status).toBe(429);
  });
});

describe('passwords and the Content-Security-Policy', () => {
  it('when a user is created, then the password is stored as a salted scrypt hash of N ≥ 2^15 (≥ 32 MiB), never in clear', async () => {
    const a = await addUser(t.db, 'sf.hash.a', 'clerk', AGENCIES.ward.code);
    const b = await addUser(t.db, 'sf.hash.b', 'clerk', AGENCIES.ward.code);
    const [ha, hb] = await Promise.all([a, b].map(async (u) => (await t.db('users').where({ id: u.id }).first()).password_hash as string));
    for (const h of [ha, hb]) {
      const [scheme, n, r, p, salt, key] = h.split('$');
      expect(scheme).toBe('scrypt');
      expect(Number(n)).toBeGreaterThanOrEqual(2 ** 15);
      expect(128 * Number(n) * Number(r)).toBeGreaterThanOrEqual(32 * 1024 * 1024);
      expect(Number(p)).toBeGreaterThanOrEqual(1);
      expect(Buffer.from(salt, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(Buffer.from(key, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(h).not.toContain(PASSWORD);
    }
    expect(ha).not.toBe(hb); // same password, different salts
    expect(await verifyPassword(PASSWORD, ha)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, ha)).toBe(false);
    // Unicode passwords are compared in NFC: typed composed or decomposed, the same password.
    const u = await addUser(t.db, 'sf.hash.vn', 'clerk', AGENCIES.ward.code);
    const hash = (await t.db('users').where({ id: u.id }).first()).password_hash;
    expect(await verifyPassword(PASSWORD.normalize('NFD'), hash)).toBe(true);
  });

  it('when the views are read, then none has an inline script, an inline event handler, a javascript: URL or a style attribute (all blocked by the CSP)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith('.ejs')) {
          const text = fs.readFileSync(p, 'utf8');
          for (const [what, re] of [
            ['inline script', /<script(?![^>]*\bsrc=)[^>]*>/i],
            ['event handler', /\son[a-z]+\s*=/i],
            ['javascript: URL', /javascript:/i],
            ['style attribute', /\sstyle\s*=/i],
            ['style element', /<style[\s>]/i],
          ] as const) {
            if (re.test(text)) offenders.push(`${path.relative(ROOT, p)}: ${what}`);
          }
        }
      }
    };
    walk(path.join(ROOT, 'views'));
    expect(offenders).toEqual([]);
  });

  it('when the busiest pages are rendered, then each carries the CSP and no inline script or handler', async () => {
    const { agent } = await loginAgent(harness.app, admin.username);
    const pages = ['/', '/ho-so', `/ho-so/${code}`, `/ho-so/${code}/giay-tiep-nhan`, `/thu-xin-loi/${letterId}`, '/bao-cao', '/quan-tri/lich', '/quan-tri/nhat-ky', '/tra-cuu'];
    for (const url of pages) {
      const res = await agent.get(url);
      expect([url, res.status]).toEqual([url, 200]);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(res.text).not.toMatch(/\son(click|load|error|submit|change|mouseover)\s*=/i);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, PASSWORD, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog } from '../helpers/app';

let t: TestDb;
let harness: ReturnType<typeof makeApp>;

let landClerk: Awaited<ReturnType<typeof addUser>>;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  landClerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  await addUser(t.db, 'ward.clerk', 'clerk', AGENCIES.ward.code);
  harness = makeApp(t.db, '2026-02-13T03:00:00.000Z');
});
afterAll(() => t.destroy());

/** The value of one cookie in a response's Set-Cookie headers, and the header itself. */
function setCookie(res: request.Response, name: string): { value: string; header: string } | null {
  const raw = res.headers['set-cookie'] as unknown as string[] | string | undefined;
  const headers = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const header = headers.find((h) => h.startsWith(`${name}=`));
  if (!header) return null;
  return { value: decodeURIComponent(header.slice(name.length + 1).split(';')[0]), header };
}

/** Opens the login page in a fresh agent and posts the form. */
async function postLogin(app: typeof harness.app, fields: Record<string, string>) {
  const agent = request.agent(app);
  const page = await agent.get('/dang-nhap');
  const res = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  return { agent, res };
}

describe('the login form', () => {
  it('when the login page is opened, then its form carries a CSRF token', async () => {
    const res = await request(harness.app).get('/dang-nhap');
    expect(res.status).toBe(200);
    expect(csrfFrom(res.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.text).toContain('name="username"');
    expect(res.text).toContain('name="password"');
  });

  it('when the form is posted without _csrf, then 403 and no session cookie', async () => {
    const agent = request.agent(harness.app);
    await agent.get('/dang-nhap');
    const res = await agent.post('/dang-nhap').type('form').send({ username: 'land.clerk', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Phiên làm việc của biểu mẫu đã hết hạn');
    expect(setCookie(res, 'sid')).toBeNull();
  });

  it('when the form is posted with a CSRF token from another browser, then 403', async () => {
    const other = await request(harness.app).get('/dang-nhap');
    const agent = request.agent(harness.app);
    await agent.get('/dang-nhap');
    const res = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(other.text), username: 'land.clerk', password: PASSWORD });
    expect(res.status).toBe(403);
  });

  it('when the password is wrong, then 401 with a Vietnamese message and the username kept in the form', async () => {
    const { res } = await postLogin(harness.app, { username: 'land.clerk', password: 'sai-mat-khau' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(res.text).toMatch(/<input id="username" name="username" value="land\.clerk"/);
    expect(res.text).not.toContain('sai-mat-khau');
    expect(setCookie(res, 'sid')).toBeNull();
  });

  it('when the user does not exist, then the same 401 message (no hint that the name is unknown)', async () => {
    const { res } = await postLogin(harness.app, { username: 'khong.co', password: PASSWORD });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
  });

  it('when the password is right, then 303 to / with an HttpOnly, SameSite=Lax sid cookie', async () => {
    const { agent, res } = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const sid = setCookie(res, 'sid');
    expect(sid).not.toBeNull();
    expect(sid!.value.length).toBeGreaterThanOrEqual(40);
    expect(sid!.header).toMatch(/;\s*HttpOnly/i);
    expect(sid!.header).toMatch(/;\s*SameSite=Lax/i);
    expect(sid!.header).toMatch(/;\s*Path=\//i);
    // A cookie of the browser's session: closing the browser of a shared desk computer logs out.
    expect(sid!.header).not.toMatch(/Max-Age|Expires/i);
    const list = await agent.get('/ho-so');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Nguyễn Văn land.clerk');
  });

  it('when the username is typed in another case (a phone capitalises its first letter), then it is the same account; a second account differing by case alone is refused by the database', async () => {
    const { agent, res } = await postLogin(harness.app, { username: 'Land.Clerk', password: PASSWORD });
    expect(res.status).toBe(303);
    expect((await agent.get('/ho-so')).text).toContain('Nguyễn Văn land.clerk');
    // Two admins creating "LAND.CLERK" at once both passed the check before the insert: the index decides.
    await expect(addUser(t.db, 'LAND.CLERK', 'clerk', AGENCIES.land.code)).rejects.toThrow(/unique|duplicate/i);
  });

  it('when a next path is given, then login goes there; an off-site next goes to / instead', async () => {
    const inside = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD, next: '/ho-so?late=1' });
    expect(inside.res.headers.location).toBe('/ho-so?late=1');
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const outside = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD, next });
      expect(outside.res.status, next).toBe(303);
      expect(outside.res.headers.location, next).toBe('/');
    }
  });

  it('when the same browser logs in twice, then the session id changes and the old one stops working', async () => {
    const agent = request.agent(harness.app);
    const page = await agent.get('/dang-nhap');
    const first = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), username: 'land.clerk', password: PASSWORD });
    const firstSid = setCookie(first, 'sid')!.value;
    // Logged in, the login page sends the user home; a second login through the form of another page still rotates the id.
    const home = await agent.get('/');
    const second = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(home.text), username: 'land.clerk', password: PASSWORD });
    expect(second.status).toBe(303);
    const secondSid = setCookie(second, 'sid')!.value;
    expect(secondSid).not.toBe(firstSid);
    const stale = await request(harness.app).get('/ho-so').set('Cookie', `sid=${firstSid}`);
    expect(stale.status).toBe(302);
    expect(stale.headers.location).toBe('/dang-nhap?next=%2Fho-so');
    const fresh = await request(harness.app).get('/ho-so').set('Cookie', `sid=${secondSid}`);
    expect(fresh.status).toBe(200);
  });

  it('when two logins are made from different browsers, then they get different session ids', async () => {
    const a = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD });
    const b = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD });
    expect(setCookie(a.res, 'sid')!.value).not.toBe(setCookie(b.res, 'sid')!.value);
  });

  it('when the user logs out, then the old session cookie no longer works and pages redirect to /dang-nhap', async () => {
    const { agent, res } = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD });
    const sid = setCookie(res, 'sid')!.value;
    const home = await agent.get('/');
    const out = await agent.post('/dang-xuat').type('form').send({ _csrf: csrfFrom(home.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/dang-nhap');
    expect(setCookie(out, 'sid')?.header).toMatch(/Expires=Thu, 01 Jan 1970/);
    const replay = await request(harness.app).get('/ho-so').set('Cookie', `sid=${sid}`);
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toBe('/dang-nhap?next=%2Fho-so');
  });

  it('when 12 hours have passed since login, then the session has expired and pages redirect to /dang-nhap', async () => {
    const { app, clock } = makeApp(t.db, '2026-02-13T01:00:00.000Z');
    const { res } = await postLogin(app, { username: 'land.clerk', password: PASSWORD });
    const sid = setCookie(res, 'sid')!.value;
    clock.set('2026-02-13T12:59:00.000Z');
    expect((await request(app).get('/ho-so').set('Cookie', `sid=${sid}`)).status).toBe(200);
    clock.set('2026-02-13T13:00:01.000Z');
    const expired = await request(app).get('/ho-so').set('Cookie', `sid=${sid}`);
    expect(expired.status).toBe(302);
    expect(expired.headers.location).toBe('/dang-nhap?next=%2Fho-so');
  });

  it('when logout is posted without the CSRF token, then 403 and the session survives', async () => {
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    const res = await agent.post('/dang-xuat').type('form').send({});
    expect(res.status).toBe(403);
    expect((await agent.get('/ho-so')).status).toBe(200);
  });
});

describe('login rate limit', () => {
  it('when one username fails 8 times, then the 9th attempt gets 429 even with the right password; another user may still log in', async () => {
    const { app } = makeApp(t.db, '2026-02-13T03:00:00.000Z');
    for (let i = 1; i <= 8; i++) {
      const { res } = await postLogin(app, { username: 'ward.clerk', password: `sai-${i}` });
      expect(res.status, `attempt ${i}`).toBe(401);
    }
    const { res } = await postLogin(app, { username: 'ward.clerk', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toContain('Đăng nhập sai quá nhiều lần');
    expect(setCookie(res, 'sid')).toBeNull();
    // The block is per user name (case-insensitive), not for the whole desk.
    expect((await postLogin(app, { username: 'WARD.CLERK', password: PASSWORD })).res.status).toBe(429);
    expect((await postLogin(app, { username: 'land.clerk', password: PASSWORD })).res.status).toBe(303);
  });

  it('when a user name fails in two processes on one database, then their failures add up; a refused attempt counts nothing, and a success in either forgets them', async () => {
    await addUser(t.db, 'two.processes', 'clerk', AGENCIES.ward.code);
    // Two processes behind a load balancer: each app keeps its own memory, the database is theirs.
    const one = makeApp(t.db, '2026-02-14T03:00:00.000Z').app;
    const other = makeApp(t.db, '2026-02-14T03:00:00.000Z').app;
    const attempts = async () => Number((await t.db('login_attempts').where({ key: 'user:two.processes' }).first('attempts'))?.attempts ?? 0);
    for (let i = 1; i <= 7; i++) expect((await postLogin(i % 2 ? one : other, { username: 'two.processes', password: `sai-${i}` })).res.status, `attempt ${i}`).toBe(401);
    expect(await attempts()).toBe(7);
    // Up to its limit a right password still opens: the failures are forgotten, in both.
    expect((await postLogin(other, { username: 'two.processes', password: PASSWORD })).res.status).toBe(303);
    expect(await attempts()).toBe(0);
    for (let i = 1; i <= 8; i++) expect((await postLogin(i % 2 ? one : other, { username: 'two.processes', password: `sai-${i}` })).res.status, `attempt ${i}`).toBe(401);
    // The ninth, in either process, is refused, and not counted.
    expect((await postLogin(one, { username: 'two.processes', password: PASSWORD })).res.status).toBe(429);
    expect((await postLogin(other, { username: 'Two.Processes', password: PASSWORD })).res.status).toBe(429);
    expect(await attempts()).toBe(8);
    // Once the window (15 minutes) has ended, the next attempt starts a new one.
    const later = makeApp(t.db, '2026-02-14T03:15:01.000Z').app;
    expect((await postLogin(later, { username: 'two.processes', password: PASSWORD })).res.status).toBe(303);
    expect(await attempts()).toBe(0);
  });
});

describe('security headers and access without login', () => {
  it('when a page is served, then CSP forbids inline scripts, MIME sniffing is off and framing is denied', async () => {
    const res = await request(harness.app).get('/dang-nhap');
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const framing = String(res.headers['x-frame-options'] ?? '') + csp;
    expect(framing).toMatch(/SAMEORIGIN|DENY|frame-ancestors 'none'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('when a logged-in user is answered, then nothing may be stored (no-store, no ETag); the style sheets stay cacheable', async () => {
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    for (const path of ['/', '/ho-so?late=1', '/bao-cao']) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.headers.etag, path).toBeUndefined();
    }
    const api = await request(harness.app).get('/api/v1/dossiers').set('Authorization', `Bearer ${landClerk.token}`);
    expect(api.status).toBe(200);
    expect(api.headers['cache-control']).toBe('no-store');
    // the scheme's name in any case (RFC 9110)
    expect((await request(harness.app).get('/api/v1/dossiers').set('Authorization', `bearer ${landClerk.token}`)).status).toBe(200);
    const anonymous = await request(harness.app).get('/dang-nhap');
    expect(anonymous.headers['cache-control']).toBeUndefined();
    const css = await request(harness.app).get('/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.etag).toMatch(/^W\/"/);
    expect(css.headers['cache-control']).toBe('public, max-age=0');
  });

  it('when a page is requested without login, then it redirects to /dang-nhap with the page in next', async () => {
    const res = await request(harness.app).get('/ho-so?late=1');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/dang-nhap?next=%2Fho-so%3Flate%3D1');
    const intake = await request(harness.app).get('/ho-so/moi');
    expect(intake.headers.location).toBe('/dang-nhap?next=%2Fho-so%2Fmoi');
  });

  it('when the API is called without a token or with a wrong one, then 401 JSON unauthorized', async () => {
    for (const auth of [undefined, 'Bearer ost_khong-ton-tai', 'Basic bGFuZDpjbGVyaw==']) {
      const req = request(harness.app).get('/api/v1/dossiers');
      if (auth) req.set('Authorization', auth);
      const res = await req;
      expect(res.status, auth).toBe(401);
      expect(res.type).toBe('application/json');
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.body.error.message).toBe('Cần đăng nhập: gửi kèm "Authorization: Bearer <token>".');
    }
  });

  it('when the API is called with a session cookie but no token, then it is still 401 (cookies do not authenticate the API)', async () => {
    const { res } = await postLogin(harness.app, { username: 'land.clerk', password: PASSWORD });
    const sid = setCookie(res, 'sid')!.value;
    const api = await request(harness.app).get('/api/v1/dossiers').set('Cookie', `sid=${sid}`);
    expect(api.status).toBe(401);
  });
});

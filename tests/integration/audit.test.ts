import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { audit } from '../../src/audit/log';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, PASSWORD, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

// Fri 13/02/2026 10:00 in Vietnam.
const NOW = '2026-02-13T03:00:00.000Z';

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let admin: TestUser;
let clerk: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  admin = await addUser(t.db, 'audit.admin', 'admin', null);
  clerk = await addUser(t.db, 'audit.clerk', 'clerk', AGENCIES.land.code);
  harness = makeApp(t.db, NOW);
});
afterAll(async () => {
  expect(harness.errors).toEqual([]);
  await t.destroy();
});

interface Line {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

/** The audit lines written after `sinceId`, oldest first, with their detail parsed. */
async function linesSince(sinceId: number): Promise<Line[]> {
  const rows = await t.db('audit_log').where('id', '>', sinceId).orderBy('id');
  return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
}
async function lastId(): Promise<number> {
  const row = await t.db('audit_log').max({ id: 'id' }).first();
  return Number(row?.id ?? 0);
}

async function postLogin(username: string, password: string) {
  const agent = request.agent(harness.app);
  const page = await agent.get('/dang-nhap');
  return agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), username, password });
}

describe('the audit log of sign-ins', () => {
  it('when a clerk logs in and out, then "login" and "logout" lines name the clerk, the time and the address', async () => {
    const since = await lastId();
    const { agent, csrf } = await loginAgent(harness.app, clerk.username);
    expect((await agent.post('/dang-xuat').type('form').send({ _csrf: csrf })).status).toBe(303);
    const lines = await linesSince(since);
    expect(lines.map((l) => [l.action, l.actor_id, l.actor_name, l.target])).toEqual([
      ['login', clerk.id, clerk.username, clerk.username],
      ['logout', clerk.id, clerk.username, clerk.username],
    ]);
    expect(lines[0].at).toBe(NOW);
    expect(lines[0].ip).toMatch(/127\.0\.0\.1|::1/);
  });

  it('when a password is wrong or the name unknown, then "login_failed" keeps the typed name and the reason, never the password', async () => {
    const since = await lastId();
    expect((await postLogin(clerk.username, 'sai-mat-khau-bi-mat')).status).toBe(401);
    expect((await postLogin('khong.ai.ca', 'mot-mat-khau-khac')).status).toBe(401);
    const lines = await linesSince(since);
    expect(lines.map((l) => [l.action, l.actor_id, l.actor_name, l.detail.reason])).toEqual([
      ['login_failed', clerk.id, clerk.username, 'wrong_password'],
      ['login_failed', null, 'khong.ai.ca', 'unknown_user'],
    ]);
    const raw = JSON.stringify(await t.db('audit_log').select());
    expect(raw).not.toContain('sai-mat-khau-bi-mat');
    expect(raw).not.toContain('mot-mat-khau-khac');
    expect(raw).not.toContain(PASSWORD);
  });

  it('when a name is blocked by the rate limit, then the block is logged once, not once per refused attempt', async () => {
    const { app } = makeApp(t.db, NOW); // its own limiter
    const target = await addUser(t.db, 'audit.target', 'clerk', AGENCIES.ward.code);
    const since = await lastId();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const agent = request.agent(app);
      const page = await agent.get('/dang-nhap');
      statuses.push((await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), username: target.username, password: `sai-${i}` })).status);
    }
    expect(statuses).toEqual([...Array(8).fill(401), 429, 429, 429, 429]);
    const lines = await linesSince(since);
    expect(lines.map((l) => l.detail.reason)).toEqual([...Array(8).fill('wrong_password'), 'rate_limited']);
    expect(lines.at(-1)!.detail).toEqual({ reason: 'rate_limited', blocked: 'username' });
  });

  it('when a locked account logs in with its password, then it is told the account is locked (and the log says so); with a wrong one, nothing of the lock', async () => {
    const locked = await addUser(t.db, 'audit.locked', 'clerk', AGENCIES.ward.code);
    await t.db('users').where({ id: locked.id }).update({ active: false });
    const since = await lastId();
    const res = await postLogin(locked.username, PASSWORD);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Tài khoản này đã bị khóa. Liên hệ quản trị viên để được mở khóa.');
    expect((await linesSince(since)).map((l) => [l.action, l.detail.reason])).toEqual([['login_failed', 'account_locked']]);
    // A wrong password says nothing of the lock: only the account's holder learns it is locked.
    const wrong = await postLogin(locked.username, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('bị khóa');
  });
});

describe('the audit log of admin changes', () => {
  it('when an admin manages a user from creation to token revocation, then each change is one line, without secrets', async () => {
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const since = await lastId();
    const created = await agent.post('/quan-tri/nguoi-dung').type('form').send({
      _csrf: csrf, username: 'moi.tao', fullName: 'Phạm Văn Mới', role: 'clerk', agencyCode: AGENCIES.ward.code, password: 'mat-khau-ban-dau',
    });
    expect(created.status).toBe(303);
    const id = (await t.db('users').where({ username: 'moi.tao' }).first()).id as number;
    const posts: [string, Record<string, string>, number][] = [
      [`/quan-tri/nguoi-dung/${id}`, { fullName: 'Phạm Văn Mới', role: 'head', agencyCode: AGENCIES.ward.code }, 303],
      [`/quan-tri/nguoi-dung/${id}/mat-khau`, { password: 'mat-khau-dat-lai' }, 303],
      [`/quan-tri/nguoi-dung/${id}/token`, { tokenName: 'Cổng DVC' }, 201],
      [`/quan-tri/nguoi-dung/${id}/trang-thai`, { active: '0' }, 303],
      [`/quan-tri/nguoi-dung/${id}/trang-thai`, { active: '1' }, 303],
    ];
    let tokenPage = '';
    for (const [url, body, status] of posts) {
      const res = await agent.post(url).type('form').send({ _csrf: csrf, ...body });
      expect(res.status, url).toBe(status);
      if (status === 201) tokenPage = res.text;
    }
    const token = tokenPage.match(/id="new-token" value="(ost_[^"]+)"/)![1];
    const tokenId = (await t.db('api_tokens').where({ user_id: id }).first()).id;
    expect((await agent.post(`/quan-tri/nguoi-dung/${id}/token/${tokenId}/thu-hoi`).type('form').send({ _csrf: csrf })).status).toBe(303);
    // Revoking twice is no new change.
    expect((await agent.post(`/quan-tri/nguoi-dung/${id}/token/${tokenId}/thu-hoi`).type('form').send({ _csrf: csrf })).status).toBe(303);

    const lines = await linesSince(since);
    expect(lines.map((l) => [l.action, l.actor_name, l.target])).toEqual([
      ['user_created', admin.username, 'moi.tao'],
      ['user_updated', admin.username, 'moi.tao'],
      ['password_reset', admin.username, 'moi.tao'],
      ['token_created', admin.username, 'moi.tao'],
      ['user_locked', admin.username, 'moi.tao'],
      ['user_unlocked', admin.username, 'moi.tao'],
      ['token_revoked', admin.username, 'moi.tao'],
    ]);
    expect(lines[0].detail).toEqual({ userId: id, fullName: 'Phạm Văn Mới', role: 'clerk', agencyCode: AGENCIES.ward.code });
    expect(lines[1].detail).toMatchObject({ role: 'head', roleBefore: 'clerk' });
    expect(lines[3].detail).toEqual({ userId: id, name: 'Cổng DVC' });
    expect(lines[6].detail).toEqual({ userId: id, tokenId, name: 'Cổng DVC' });
    const raw = JSON.stringify(await t.db('audit_log').select());
    for (const secret of ['mat-khau-ban-dau', 'mat-khau-dat-lai', token]) expect(raw).not.toContain(secret);
  });

  it('when an admin edits the catalog and the calendar and recomputes deadlines, then each is logged with what changed', async () => {
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const since = await lastId();
    const steps: [string, Record<string, unknown>][] = [
      ['/quan-tri/linh-vuc', { code: 'HO_TICH', name: 'Hộ tịch' }],
      ['/quan-tri/linh-vuc/HO_TICH', { name: 'Hộ tịch (đổi tên)' }],
      ['/quan-tri/thu-tuc', { code: '1.001193', name: 'Đăng ký khai sinh', fieldCode: 'HO_TICH', level: 'commune', statutoryDays: '3', 'duration[value]': '2', 'duration[unit]': 'working_days', onSupplement: 'restart', active: '1' }],
      ['/quan-tri/thu-tuc/1.001193', { name: 'Đăng ký khai sinh', fieldCode: 'HO_TICH', level: 'commune', statutoryDays: '3', 'duration[value]': '3', 'duration[unit]': 'working_days', onSupplement: 'restart', active: '1' }],
      ['/quan-tri/lich', { date: '2026-04-27', kind: 'day_off', name: 'Nghỉ bù Giỗ Tổ', source: 'QĐ thử' }],
      ['/quan-tri/lich/2026-04-27/xoa', {}],
      ['/quan-tri/tinh-lai-han', { year: '2026' }],
      ['/quan-tri/lich/chep-tam-tinh', { year: '2031' }],
      ['/quan-tri/lich/nhap', { year: '2031', mode: 'merge', csv: 'date,kind,name\n2031-02-22,working_day,Làm bù' }],
    ];
    for (const [url, body] of steps) {
      const res = await agent.post(url).type('form').send({ _csrf: csrf, ...body });
      expect(res.status, `${url}: ${res.text.slice(0, 300)}`).toBe(303);
    }
    const lines = await linesSince(since);
    expect(lines.map((l) => [l.action, l.target])).toEqual([
      ['field_saved', 'HO_TICH'],
      ['field_saved', 'HO_TICH'],
      ['procedure_saved', '1.001193'],
      ['procedure_saved', '1.001193'],
      ['calendar_day_saved', '2026-04-27'],
      ['calendar_day_deleted', '2026-04-27'],
      ['recompute_due', null],
      ['calendar_year_copied', '2031'],
      ['calendar_imported', null],
    ]);
    expect(lines[1].detail).toEqual({ name: 'Hộ tịch (đổi tên)', nameBefore: 'Hộ tịch' });
    expect(lines[3].detail).toMatchObject({ duration: { value: 3, unit: 'working_days' }, durationBefore: { value: 2, unit: 'working_days' } });
    expect(lines[4].detail).toEqual({ kind: 'day_off', name: 'Nghỉ bù Giỗ Tổ', source: 'QĐ thử' });
    expect(lines[6].detail).toMatchObject({ checked: 0, moved: 0 });
    // 2031 was copied just before: the import adds to its rows, with no provisional base of its own.
    expect(lines[8].detail).toEqual({ ok: true, mode: 'merge', years: [2031], provisionalBase: [], removed: 0, written: 1 });
    expect(lines.every((l) => l.actor_id === admin.id)).toBe(true);
    // The log's page writes a day as the desks read it.
    const page = await agent.get('/quan-tri/nhat-ky');
    expect(page.text).toContain('<td class="code">27/04/2026</td>');
    expect(page.text).not.toContain('<td class="code">2026-04-27</td>');
  });

  it('when an admin saves and resets an apology-letter template and imports dossiers, then each is logged; a refused file too', async () => {
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const since = await lastId();
    const template = { numberSuffix: 'XL-NNMT', sms: 'Ho so {{ma_ho_so}}: hen tra moi {{hen_moi_ngan}}' };
    expect((await agent.post('/thu-xin-loi/mau').type('form').send({ _csrf: csrf, agency: AGENCIES.land.code, op: 'save', ...template })).status).toBe(303);
    expect((await agent.post('/thu-xin-loi/mau').type('form').send({ _csrf: csrf, agency: AGENCIES.land.code, op: 'reset' })).status).toBe(303);
    const header = 'code,procedure_code,agency_code,channel,applicant_name,sets,received_at,status';
    const good = `${header}\n,2.000908,${AGENCIES.ward.code},in_person,Lê Văn Tám,1,12/02/2026 08:00,processing\n`;
    const bad = `${header}\n,9.999999,${AGENCIES.ward.code},in_person,Lê Văn Tám,1,12/02/2026 08:00,processing\n`;
    const imported = await agent.post('/quan-tri/nhap-du-lieu').type('form').send({ _csrf: csrf, csv: good });
    expect(imported.status, imported.text.slice(0, 500)).toBe(200);
    expect((await agent.post('/quan-tri/nhap-du-lieu').type('form').send({ _csrf: csrf, csv: bad })).status).toBe(422);
    const lines = await linesSince(since);
    expect(lines.map((l) => [l.action, l.target, l.actor_id])).toEqual([
      ['letter_template_saved', AGENCIES.land.code, admin.id],
      ['letter_template_reset', AGENCIES.land.code, admin.id],
      ['import', null, admin.id],
      ['import', null, admin.id],
    ]);
    expect(lines[0].detail).toMatchObject(template);
    const code = (await t.db('dossiers').where({ applicant_name: 'Lê Văn Tám' }).first()).code as string;
    expect(lines[2].detail).toEqual({ ok: true, rows: 1, keptCodes: 0, generatedCodes: 1, firstCodes: [code] });
    expect(lines[3].detail).toEqual({ ok: false, rows: 1, problems: 1 });
  });

  it('when an admin changes the catalog or the calendar through the API, then that is logged too', async () => {
    const since = await lastId();
    const api = (m: 'post' | 'put' | 'delete', url: string) => request(harness.app)[m](url).set('Authorization', `Bearer ${admin.token}`);
    expect((await api('post', '/api/v1/fields').send({ code: 'XAY_DUNG', name: 'Xây dựng' })).status).toBe(201);
    expect((await api('post', '/api/v1/agencies').send({ code: '000.03.92.H13', name: 'Phường An Hòa' })).status).toBe(201);
    expect((await api('put', '/api/v1/calendar/days/2026-05-02').send({ kind: 'working_day', name: 'Làm bù' })).status).toBe(200);
    expect((await api('delete', '/api/v1/calendar/days/2026-05-02')).status).toBe(204);
    // A refused change is not logged.
    expect((await api('post', '/api/v1/fields').send({ code: 'XAY_DUNG', name: 'Trùng' })).status).toBe(409);
    expect((await request(harness.app).post('/api/v1/fields').set('Authorization', `Bearer ${clerk.token}`).send({ code: 'X', name: 'X' })).status).toBe(403);
    const lines = await linesSince(since);
    expect(lines.map((l) => [l.action, l.target, l.actor_name, l.detail.via])).toEqual([
      ['field_saved', 'XAY_DUNG', admin.username, 'api'],
      ['agency_saved', '000.03.92.H13', admin.username, 'api'],
      ['calendar_day_saved', '2026-05-02', admin.username, 'api'],
      ['calendar_day_deleted', '2026-05-02', admin.username, 'api'],
    ]);
  });

  it('when a form is refused (invalid, no CSRF token), then no line is written', async () => {
    const { agent, csrf } = await loginAgent(harness.app, admin.username);
    const since = await lastId();
    expect((await agent.post('/quan-tri/linh-vuc').type('form').send({ _csrf: csrf, code: 'có dấu', name: '' })).status).toBe(422);
    expect((await agent.post('/quan-tri/linh-vuc').type('form').send({ code: 'KHONG_CSRF', name: 'Không' })).status).toBe(403);
    expect((await agent.post('/quan-tri/nguoi-dung').type('form').send({ _csrf: csrf, username: 'x', password: 'ngan' })).status).toBe(422);
    expect(await linesSince(since)).toEqual([]);
  });
});

describe('the audit log cannot be rewritten', () => {
  it('when a raw UPDATE or DELETE of audit lines is tried, then the database refuses it and the lines stay', async () => {
    const before = await t.db('audit_log').orderBy('id').select();
    expect(before.length).toBeGreaterThan(0);
    await expect(t.db('audit_log').update({ action: 'login' })).rejects.toThrow(/append-only/);
    await expect(t.db('audit_log').where('id', before[0].id).delete()).rejects.toThrow(/append-only/);
    expect(await t.db('audit_log').orderBy('id').select()).toEqual(before);
  });
});

describe('the audit page /quan-tri/nhat-ky', () => {
  it('when a clerk or a head opens it, then 403; without login, then the login page', async () => {
    const head = await addUser(t.db, 'audit.head', 'head', AGENCIES.land.code);
    for (const who of [clerk.username, head.username]) {
      const { agent } = await loginAgent(harness.app, who);
      expect((await agent.get('/quan-tri/nhat-ky')).status, who).toBe(403);
    }
    const anon = await request(harness.app).get('/quan-tri/nhat-ky');
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toBe('/dang-nhap?next=%2Fquan-tri%2Fnhat-ky');
  });

  it('when an admin opens it, then the newest lines come first with Vietnamese names, local times and escaped text', async () => {
    // A typed user name is attacker-controlled: it must come back escaped.
    expect((await postLogin('<script>alert(1)</script>', 'x')).status).toBe(401);
    const { agent } = await loginAgent(harness.app, admin.username);
    const res = await agent.get('/quan-tri/nhat-ky');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Nhật ký hệ thống');
    expect(res.text).toContain('Đăng nhập thất bại');
    expect(res.text).toContain('10:00 13/02/2026');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).toContain('<li><span class="muted">Lý do:</span> không có tài khoản này</li>'); // was "reason: unknown_user"
    expect(res.text).toContain('href="/quan-tri/nhat-ky"'); // in the admin navigation
    const rows = [...res.text.matchAll(/<tr class="audit-([a-z_]+)">/g)].map((m) => m[1]);
    expect(rows[0]).toBe('login'); // the admin's own login just now
    expect(rows[1]).toBe('login_failed');
  });

  it('when filtered by action, user and date, then only matching lines are listed', async () => {
    const { agent } = await loginAgent(harness.app, admin.username);
    const failed = await agent.get('/quan-tri/nhat-ky?action=login_failed');
    const actions = [...failed.text.matchAll(/<tr class="audit-([a-z_]+)">/g)].map((m) => m[1]);
    const expected = Number((await t.db('audit_log').where({ action: 'login_failed' }).count({ n: '*' }).first())!.n);
    expect(actions.length).toBe(expected);
    expect(new Set(actions)).toEqual(new Set(['login_failed']));

    const byUser = await agent.get('/quan-tri/nhat-ky?user=AUDIT.CLERK');
    const userRows = [...byUser.text.matchAll(/<tr class="audit-([a-z_]+)">/g)].map((m) => m[1]);
    expect(userRows.length).toBeGreaterThanOrEqual(3);
    expect(byUser.text).not.toContain('moi.tao');

    expect((await agent.get('/quan-tri/nhat-ky?from=2026-02-13&to=2026-02-13')).text).toContain('audit-login');
    const before = await agent.get('/quan-tri/nhat-ky?from=2026-02-01&to=2026-02-12');
    expect(before.text).toContain('Không có dòng nhật ký nào khớp điều kiện lọc.');
    // Wrong filters are ignored, never a 500.
    for (const q of ['action=drop_table', 'from=2026-02-31', 'page=-3', 'user[]=a&user[]=b', 'from=%FF', 'page=99999999999']) {
      expect((await agent.get(`/quan-tri/nhat-ky?${q}`)).status, q).toBe(200);
    }
    // A day that does not exist, or a range ending before it starts, says why it filters nothing.
    expect((await agent.get('/quan-tri/nhat-ky?from=2026-02-30')).text).toContain('Ngày “2026-02-30” không có thật nên không được dùng để lọc.');
    expect((await agent.get('/quan-tri/nhat-ky?from=2026-02-13&to=2026-02-01')).text).toContain('Từ ngày đang sau Đến ngày: không dòng nào nằm giữa hai ngày ấy, hãy đổi lại.');
    expect((await agent.get('/quan-tri/nhat-ky?from=2026-02-01&to=2026-02-13')).text).not.toContain('class="flash warn"');
  });

  it('when there are more than 50 lines, then the page shows 50 with links to the next and previous pages', async () => {
    const before = Number((await t.db('audit_log').where({ action: 'import' }).count({ n: '*' }).first())!.n);
    for (let i = 0; i < 120 - before; i++) await audit(harness.app.locals.ctx, null, 'import', `tep-${String(i).padStart(3, '0')}.csv`, { rows: i });
    const { agent } = await loginAgent(harness.app, admin.username);
    const first = await agent.get('/quan-tri/nhat-ky?action=import');
    expect(first.text).toContain('Trang 1 / 3');
    expect([...first.text.matchAll(/<tr class="audit-import">/g)].length).toBe(50);
    expect(first.text).toContain(`tep-${String(119 - before).padStart(3, '0')}.csv`);
    expect(first.text).toContain('href="/quan-tri/nhat-ky?action=import&amp;page=2"');
    const third = await agent.get('/quan-tri/nhat-ky?action=import&page=3');
    expect([...third.text.matchAll(/<tr class="audit-import">/g)].length).toBe(20);
    expect(third.text).toContain('tep-000.csv');
    expect(third.text).toContain('rel="prev"');
    expect(third.text).not.toContain('rel="next"');
  });
});

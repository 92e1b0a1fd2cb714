import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { listRoutes } from '../helpers/routes';
import { draftMissingLetters } from '../../src/letters/service';

// Every endpoint of the JSON API (SPEC §7) × every kind of caller, with the status each must get; every
// answer checked against the OpenAPI document the app serves; the shape of errors and pages.

const FRI_10 = '2026-02-13T03:00:00.000Z'; // Fri 13/02/2026 10:00 in Vietnam
const LAND = AGENCIES.land.code;
const LAND_PROCEDURE = '1.012756';
const WHO = ['anon', 'clerk', 'head', 'admin', 'other'] as const;
type Who = (typeof WHO)[number];
type Expected = Record<Who, number>;
const e = (anon: number, clerk: number, head: number, admin: number, other: number): Expected => ({ anon, clerk, head, admin, other });
const EVERY_USER = (s: number) => e(401, s, s, s, s);
const ADMIN_ONLY = (s: number) => e(401, 403, 403, s, 403);

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let users: Record<Exclude<Who, 'anon'>, TestUser>;
let dossier: string; // received by the land clerk
let refusal: number; // refused by the land clerk
const fresh: Partial<Record<Who, string>> = {}; // one dossier per caller for the action
const letters: { view: number; byHead: number; byAdmin: number } = { view: 0, byHead: 0, byAdmin: 0 };
let openapi: Record<string, any>;
let seq = 0;

function call(who: Who, method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object) {
  let r = request(harness.app)[method](path);
  if (who !== 'anon') r = r.set('Authorization', `Bearer ${users[who].token}`);
  return body ? r.send(body) : r;
}

async function receive(by: TestUser, extra: object = {}) {
  const res = await call(by.role === 'admin' ? 'admin' : 'clerk', 'post', '/api/v1/dossiers', {
    procedureCode: LAND_PROCEDURE,
    channel: 'online',
    applicant: { name: 'Phan Thị Thu', phone: '0913000111' },
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.code as string;
}

interface Case {
  /** the route as Express knows it */
  route: string;
  expected: Expected;
  send: (who: Who) => ReturnType<typeof call>;
}

const CASES: Case[] = [
  { route: 'GET /api/v1/fields', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/fields') },
  { route: 'POST /api/v1/fields', expected: ADMIN_ONLY(201), send: (w) => call(w, 'post', '/api/v1/fields', { code: `F_${w.toUpperCase()}_${++seq}`, name: `Lĩnh vực ${w}` }) },
  { route: 'GET /api/v1/procedures', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/procedures?q=đất') },
  {
    route: 'POST /api/v1/procedures',
    expected: ADMIN_ONLY(201),
    send: (w) =>
      call(w, 'post', '/api/v1/procedures', {
        code: `9.9${++seq}`,
        name: 'Thủ tục thử nghiệm',
        fieldCode: 'DAT_DAI',
        agencyCode: LAND,
        statutoryDays: 5,
        duration: { value: 3, unit: 'working_days' },
      }),
  },
  { route: 'GET /api/v1/agencies', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/agencies') },
  { route: 'PUT /api/v1/agencies/:code', expected: ADMIN_ONLY(200), send: (w) => call(w, 'put', '/api/v1/agencies/000.00.00.H13', { name: `Ủy ban nhân dân thành phố Cần Thơ (${w})` }) },
  { route: 'POST /api/v1/agencies', expected: ADMIN_ONLY(201), send: (w) => call(w, 'post', '/api/v1/agencies', { code: `000.09.${10 + ++seq}.H13`, name: `Phường thử ${seq}`, parentCode: '000.00.00.H13', level: 'commune' }) },
  {
    route: 'POST /api/v1/dossiers',
    // A clerk of another agency receives for their own desk; a head never receives.
    expected: e(401, 201, 403, 201, 201),
    send: (w) => call(w, 'post', '/api/v1/dossiers', { procedureCode: LAND_PROCEDURE, channel: 'in_person', applicant: { name: `Người nộp ${w}` } }),
  },
  { route: 'GET /api/v1/dossiers', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/dossiers?pageSize=5') },
  // Another agency's dossier is not confirmed to exist: 404, not 403.
  { route: 'GET /api/v1/dossiers/:code', expected: e(401, 200, 200, 200, 404), send: (w) => call(w, 'get', `/api/v1/dossiers/${dossier}`) },
  {
    route: 'POST /api/v1/dossiers/:code/actions',
    expected: e(401, 200, 403, 200, 404),
    send: (w) => call(w, 'post', `/api/v1/dossiers/${fresh[w]}/actions`, { action: 'pause', version: 1, reason: 'Chờ thực hiện nghĩa vụ tài chính' }),
  },
  {
    route: 'POST /api/v1/refusals',
    // Like intake: a clerk of another agency refuses at their own desk; a head never refuses.
    expected: e(401, 201, 403, 201, 201),
    send: (w) => call(w, 'post', '/api/v1/refusals', { procedureCode: LAND_PROCEDURE, applicant: { name: `Người bị từ chối ${w}`, phone: '0913000111' }, reason: 'Không thuộc thẩm quyền tiếp nhận' }),
  },
  { route: 'GET /api/v1/refusals', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/refusals?pageSize=5') },
  { route: 'GET /api/v1/refusals/:id', expected: e(401, 200, 200, 200, 404), send: (w) => call(w, 'get', `/api/v1/refusals/${refusal}`) },
  // A clerk's or head's own desk whatever agencyCode says; an admin's the desk named.
  // the land desk's book: a clerk of another agency is refused it, as the report is (it was given their own)
  { route: 'GET /api/v1/register', expected: e(401, 200, 200, 200, 403), send: (w) => call(w, 'get', `/api/v1/register?agencyCode=${LAND}`) },
  { route: 'GET /api/v1/calendar/days', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/calendar/days?from=2026-02-01&to=2026-02-28') },
  {
    route: 'PUT /api/v1/calendar/days/:date',
    expected: ADMIN_ONLY(200),
    send: (w) => call(w, 'put', '/api/v1/calendar/days/2027-06-01', { kind: 'day_off', name: `Nghỉ thử (${w})`, source: 'thử nghiệm' }),
  },
  { route: 'DELETE /api/v1/calendar/days/:date', expected: ADMIN_ONLY(204), send: (w) => call(w, 'delete', '/api/v1/calendar/days/2027-07-01') },
  { route: 'GET /api/v1/calendar/due', expected: EVERY_USER(200), send: (w) => call(w, 'get', `/api/v1/calendar/due?start=${encodeURIComponent('2026-02-13T10:00:00+07:00')}&days=3`) },
  { route: 'GET /api/v1/letters', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/letters?status=draft') },
  { route: 'GET /api/v1/letters/:id', expected: e(401, 200, 200, 200, 404), send: (w) => call(w, 'get', `/api/v1/letters/${letters.view}`) },
  {
    route: 'POST /api/v1/letters/:id/issue',
    expected: e(401, 403, 200, 200, 403),
    send: (w) =>
      call(w, 'post', `/api/v1/letters/${w === 'admin' ? letters.byAdmin : letters.byHead}/issue`, {
        reason: 'Hồ sơ cần xác minh thêm nguồn gốc đất',
        newAppointmentAt: '2026-02-27T10:00:00+07:00',
      }),
  },
  { route: 'GET /api/v1/reports/settlement', expected: EVERY_USER(200), send: (w) => call(w, 'get', '/api/v1/reports/settlement?from=2026-01-01&to=2026-01-31') },
  { route: 'GET /api/v1/public/dossiers/:code', expected: e(200, 200, 200, 200, 200), send: (w) => call(w, 'get', `/api/v1/public/dossiers/${dossier}`) },
  { route: 'GET /api/v1/openapi.json', expected: e(200, 200, 200, 200, 200), send: (w) => call(w, 'get', '/api/v1/openapi.json') },
];

// ---------------------------------------------------------------------------------------------
// A small JSON-schema check over the served document: $ref, allOf, type (with null), required,
// properties, items, enum, and the formats date-time (must carry +07:00) and date.

function resolve(schema: any): any {
  if (schema?.$ref) {
    const [, , section, name] = schema.$ref.split('/');
    return resolve(openapi.components[section][name]);
  }
  return schema;
}

function check(value: unknown, raw: any, where: string, problems: string[]): void {
  const schema = resolve(raw);
  if (!schema) return;
  if (schema.allOf) {
    for (const part of schema.allOf) check(value, part, where, problems);
    return;
  }
  const types: string[] = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
    problems.push(`${where}: ${actual} where ${types.join('|')} is documented`);
    return;
  }
  // A null is checked against the enum too, as a JSON Schema validator does: the outcome of an open dossier failed it.
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} not in ${schema.enum.join(', ')}`);
  if (value === null) return;
  if (typeof value === 'string' && schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/.test(value)) {
    problems.push(`${where}: "${value}" is not an instant with +07:00`);
  }
  if (typeof value === 'string' && schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) problems.push(`${where}: "${value}" is not a date`);
  if (actual === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in o)) problems.push(`${where}: lacks "${key}"`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) if (key in o) check(o[key], sub, `${where}.${key}`, problems);
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, i) => check(item, schema.items, `${where}[${i}]`, problems));
}

/** The documented answer of a route for a status; null when the document has none. */
function documented(route: string, status: number) {
  const [method, path] = route.split(' ');
  const op = openapi.paths[path.replace('/api/v1', '').replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  const response = op?.responses?.[String(status)];
  return response ? (response.$ref ? resolve(response) : response) : null;
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  users = {
    clerk: await addUser(t.db, 'mx.clerk', 'clerk', LAND),
    head: await addUser(t.db, 'mx.head', 'head', LAND),
    admin: await addUser(t.db, 'mx.admin', 'admin', null),
    other: await addUser(t.db, 'mx.other', 'clerk', AGENCIES.otherWard.code),
  };
  harness = makeApp(t.db, FRI_10);
  dossier = await receive(users.clerk);
  const refused = await call('clerk', 'post', '/api/v1/refusals', { procedureCode: LAND_PROCEDURE, applicant: { name: 'Phan Thị Thu' }, reason: 'Thiếu đơn đề nghị theo mẫu' });
  expect(refused.status, JSON.stringify(refused.body)).toBe(201);
  refusal = refused.body.id;
  for (const who of WHO) fresh[who] = await receive(users.clerk);
  // Three late dossiers (received in January, 3 working days) get apology drafts from the sweep.
  for (const day of ['05', '06', '07']) await receive(users.admin, { receivedAt: `2026-01-${day}T08:00:00+07:00` });
  await draftMissingLetters(harness.app.locals.ctx, harness.app.locals.services);
  const ids = (await t.db('letters').where({ status: 'draft' }).orderBy('id').pluck('id')) as number[];
  expect(ids.length).toBeGreaterThanOrEqual(3);
  [letters.view, letters.byHead, letters.byAdmin] = ids.map(Number);
  await t.db('calendar_days').insert({ date: '2027-07-01', kind: 'day_off', name: 'Ngày xóa thử', source: 'test', updated_at: FRI_10 });
  openapi = (await request(harness.app).get('/api/v1/openapi.json')).body;
});
afterAll(() => t.destroy());

describe('the API matrix: every endpoint × anonymous, clerk, head, admin, clerk of another agency', () => {
  for (const c of CASES) {
    it(`when ${c.route} is called by each kind of caller, then they get ${WHO.map((w) => `${w} ${c.expected[w]}`).join(', ')}`, async () => {
      const got: Partial<Expected> = {};
      const problems: string[] = [];
      for (const who of WHO) {
        const res = await c.send(who);
        got[who] = res.status;
        if (res.status >= 400) {
          check(res.body, { $ref: '#/components/schemas/Error' }, `${who} ${res.status}`, problems);
          if (!res.body?.error?.message) problems.push(`${who} ${res.status}: no Vietnamese message`);
        }
        const doc = documented(c.route, res.status);
        if (!doc) problems.push(`${who}: status ${res.status} is not documented for ${c.route}`);
        else if (res.status < 300 && doc.content) check(res.body, doc.content['application/json'].schema, `${who} ${res.status}`, problems);
      }
      expect(got).toEqual(c.expected);
      expect(problems).toEqual([]);
    });
  }

  it('when the app’s routes under /api/v1 are listed, then the matrix and the OpenAPI document cover exactly them', () => {
    const served = listRoutes(harness.app)
      .filter((r) => r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(CASES.map((c) => c.route).sort()).toEqual(served);
    const documentedRoutes = Object.entries(openapi.paths as Record<string, object>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    expect(documentedRoutes).toEqual(served);
  });

  it('when a clerk of another agency lists dossiers and letters, then the other agency’s are not among them', async () => {
    const list = await call('other', 'get', '/api/v1/dossiers?pageSize=500');
    expect(list.body.items.map((d: { code: string }) => d.code)).not.toContain(dossier);
    const own = await call('clerk', 'get', '/api/v1/dossiers?pageSize=500');
    expect(own.body.items.map((d: { code: string }) => d.code)).toContain(dossier);
    const otherLetters = await call('other', 'get', '/api/v1/letters');
    expect(otherLetters.body.total).toBe(0);
    const report = await call('other', 'get', `/api/v1/reports/settlement?from=2026-01-01&to=2026-01-31&agencyCode=${LAND}`);
    expect(report.status).toBe(403);
    expect(report.body.error.code).toBe('forbidden');
  });
});

describe('the OpenAPI document /api/v1/openapi.json', () => {
  it('when it is fetched without a token, then it is OpenAPI 3.1 JSON whose every $ref resolves', async () => {
    const res = await request(harness.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const doc = JSON.parse(res.text);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const refs = [...res.text.matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(50);
    for (const [, section, name] of refs) expect(doc.components[section]?.[name], `${section}/${name}`).toBeDefined();
    expect(doc.paths['/public/dossiers/{code}'].get.security).toEqual([]);
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        if (op.security === undefined && path !== '/openapi.json') expect(op.responses['401'], `${method} ${path} documents 401`).toBeDefined();
      }
    }
  });
});

describe('errors and pages are alike everywhere', () => {
  const errorOf = (res: request.Response) => {
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'fields', 'message']);
    return res.body.error as { code: string; message: string; fields: Record<string, string> };
  };

  it('when JSON cannot be read, then 400 bad_json', async () => {
    const res = await request(harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${users.clerk.token}`)
      .set('Content-Type', 'application/json')
      .send('{"procedureCode": ');
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({ code: 'bad_json', message: 'Nội dung JSON không hợp lệ.', fields: {} });
  });

  it('when the token is unknown, then 401 unauthorized; an unknown API path is 404 not_found in JSON', async () => {
    const res = await request(harness.app).get('/api/v1/dossiers').set('Authorization', 'Bearer ost_not-a-token');
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('unauthorized');
    const missing = await call('admin', 'get', '/api/v1/no-such-thing');
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('not_found');
  });

  it('when fields are invalid, then 422 validation_failed names each field in Vietnamese', async () => {
    const res = await call('clerk', 'post', '/api/v1/dossiers', { procedureCode: LAND_PROCEDURE, channel: 'fax', applicant: { name: '', email: 'x' } });
    expect(res.status).toBe(422);
    const error = errorOf(res);
    expect(error.code).toBe('validation_failed');
    expect(Object.keys(error.fields).sort()).toEqual(['applicant.email', 'applicant.name', 'channel']);
    expect(error.fields['applicant.name']).toBe('Không được để trống.');
  });

  it('when the dossier list is asked with a filter it cannot read, then 422 names each such filter; a readable one answers', async () => {
    const res = await call('admin', 'get', '/api/v1/dossiers?status=foo&report=bogus&late=yes&pageSize=1000&page=abc&dueFrom=2026-02-30&agencyBasis=zzz&q=anything');
    expect(res.status).toBe(422);
    const error = errorOf(res);
    expect(error.code).toBe('validation_failed');
    expect(error.fields).toEqual({
      status: 'status là một trong: processing, awaiting_supplement, paused, resolved, returned, withdrawn, open.',
      report: expect.stringMatching(/^report là một trong: received\.total, received\.online, /),
      late: 'late là true hoặc false.',
      pageSize: 'pageSize là số nguyên 1–500.',
      page: 'page là số nguyên từ 1.',
      dueFrom: 'dueFrom: ngày này không có trên lịch.',
      agencyBasis: 'agencyBasis là handling hoặc receiving.',
    });
    const ok = await call('admin', 'get', '/api/v1/dossiers?status=open&late=true&sort=-due&pageSize=500&dueFrom=2026-02-01');
    expect(ok.status).toBe(200);
  });

  it('when a stale version is sent, then 409 stale_version; an action the state does not allow is 409 invalid_state', async () => {
    const code = await receive(users.clerk);
    const stale = await call('clerk', 'post', `/api/v1/dossiers/${code}/actions`, { action: 'pause', version: 7, reason: 'Thẩm định' });
    expect(stale.status).toBe(409);
    expect(errorOf(stale).code).toBe('stale_version');
    const wrong = await call('clerk', 'post', `/api/v1/dossiers/${code}/actions`, { action: 'return', version: 1 });
    expect(wrong.status).toBe(409);
    expect(errorOf(wrong)).toMatchObject({ code: 'invalid_state' });
    expect(errorOf(wrong).message).toContain('Đang giải quyết');
  });

  it('when a list is asked page by page, then every list answers {items, total, page, pageSize} and the pages add up', async () => {
    const all = await call('admin', 'get', '/api/v1/dossiers?pageSize=500');
    const total = all.body.total as number;
    expect(total).toBeGreaterThan(5);
    const p1 = await call('admin', 'get', '/api/v1/dossiers?page=1&pageSize=2&sort=received');
    const p2 = await call('admin', 'get', '/api/v1/dossiers?page=2&pageSize=2&sort=received');
    expect(p1.body).toMatchObject({ total, page: 1, pageSize: 2 });
    expect(p2.body).toMatchObject({ total, page: 2, pageSize: 2 });
    expect(p1.body.items).toHaveLength(2);
    expect(new Set([...p1.body.items, ...p2.body.items].map((d: { code: string }) => d.code)).size).toBe(4);
    const beyond = await call('admin', 'get', `/api/v1/dossiers?page=${total + 1}&pageSize=1`);
    expect(beyond.body).toMatchObject({ items: [], total, page: total + 1, pageSize: 1 });

    for (const path of ['/api/v1/fields', '/api/v1/procedures', '/api/v1/agencies', '/api/v1/letters']) {
      const whole = await call('admin', 'get', path);
      expect(Object.keys(whole.body).sort(), path).toEqual(['items', 'page', 'pageSize', 'total']);
      expect(whole.body.items.length, path).toBe(whole.body.total);
      const second = await call('admin', 'get', `${path}?page=2&pageSize=1`);
      expect(second.body, path).toMatchObject({ total: whole.body.total, page: 2, pageSize: 1 });
      expect(second.body.items, path).toEqual(whole.body.items.slice(1, 2));
    }
  });
});

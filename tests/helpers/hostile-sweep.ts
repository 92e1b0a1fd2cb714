import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { draftMissingLetters } from '../../src/letters/service';
import { createTestDb, type TestDb } from './db';
import { AGENCIES, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog, type TestUser } from './app';
import { fingerprint } from './fingerprint';
import { formEncode, hostileBodies, hostileSegments, segment, unescapedMarkers, XSS } from './hostile';

// The hostile-input sweep, shared by the quick run in `npm test` (tests/integration/hostile-input.test.ts)
// and the big one in `npm run test:stress`: every form and API endpoint gets generated nasty input, and
// must answer below 500, echo nothing unescaped, and write nothing when it refuses.

const vn = (local: string) => new Date(`${local}:00+07:00`).toISOString();

type Who = 'anon' | 'clerk' | 'head' | 'admin';
type Body = Record<string, unknown>;

interface Target {
  name: string;
  as: Who;
  kind: 'form' | 'json' | 'query';
  method: 'GET' | 'POST' | 'PUT';
  url: () => string;
  /** a body (or query) the endpoint accepts; called before every case, so it can follow the data */
  valid: () => Body | Promise<Body>;
  keys?: string[];
  /** cases relative to the run's base count (expensive endpoints hash passwords) */
  weight?: number;
}

interface ParamTarget {
  name: string;
  as: Who;
  method: 'GET' | 'POST' | 'DELETE';
  url: (seg: string) => string;
  api: boolean;
}

export interface SweepOptions {
  /** cases per endpoint (times its weight) */
  cases: number;
  /** cases per URL parameter */
  segments: number;
  seed: number;
  /** the database to sweep on; by default the one TEST_DB names */
  kind?: 'sqlite' | 'pg';
}

export function hostileSweep(options: SweepOptions) {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users = {} as Record<Exclude<Who, 'anon'>, TestUser>;
  const sessions = {} as Record<Who, { agent: ReturnType<typeof request.agent>; csrf: string }>;
  let code = '';
  let letterId = 0;
  let seq = 0;
  // The account the lock, password and token forms work on: they sign its holder out, so not one of the sweep's.
  let spare: TestUser;
  const summary = { requests: 0, accepted: 0, refused: 0, byStatus: {} as Record<number, number> };

  const api = (who: Exclude<Who, 'anon'>) => ({ Authorization: `Bearer ${users[who].token}` });

  /** A dossier in processing to act on: a fresh one whenever the sweep has finished the previous one. */
  async function processingDossier(): Promise<{ code: string; version: number }> {
    const row = code ? await t.db('dossiers').where({ code }).first() : null;
    if (row?.status === 'processing') return { code, version: row.version };
    const res = await request(harness.app)
      .post('/api/v1/dossiers')
      .set(api('clerk'))
      .send({ procedureCode: '1.012756', channel: 'in_person', applicant: { name: 'Đinh Văn Thử Nghiệm', phone: '0912345678' } });
    expect(res.status).toBe(201);
    code = res.body.code;
    return { code, version: 1 };
  }

  async function letterVersion(): Promise<number> {
    return (await t.db('letters').where({ id: letterId }).first()).version;
  }

  beforeAll(async () => {
    t = await createTestDb({ kind: options.kind });
    await seedSmallCatalog(t.db);
    users.clerk = await addUser(t.db, 'hx.clerk', 'clerk', AGENCIES.land.code);
    users.head = await addUser(t.db, 'hx.head', 'head', AGENCIES.land.code);
    users.admin = await addUser(t.db, 'hx.admin', 'admin', null);
    spare = await addUser(t.db, 'hx.spare', 'clerk', AGENCIES.ward.code);
    harness = makeApp(t.db, vn('2026-03-09T09:00'));
    // A late dossier with its draft apology letter, for the letter forms.
    harness.clock.set(vn('2026-02-13T10:00'));
    await processingDossier();
    harness.clock.set(vn('2026-03-09T09:00'));
    await draftMissingLetters(harness.app.locals.ctx, harness.app.locals.services);
    letterId = (await t.db('letters').first()).id;
    code = '';
    for (const who of ['clerk', 'head', 'admin'] as const) {
      sessions[who] = await loginAgent(harness.app, users[who].username);
      await request(harness.app).get('/api/v1/fields').set(api(who)); // the token's "last used" is written once, now
    }
    const anon = request.agent(harness.app);
    sessions.anon = { agent: anon, csrf: csrfFrom((await anon.get('/dang-nhap')).text) };
  }, 120_000);

  afterAll(async () => {
    console.log(`hostile sweep (${t?.kind}): ${JSON.stringify(summary)}`);
    expect(harness?.errors ?? []).toEqual([]);
    await t?.destroy();
  });

  async function send(target: { as: Who; method: string; kind?: Target['kind'] }, url: string, body: Body | null) {
    const s = sessions[target.as];
    const m = target.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    const isApi = url.startsWith('/api/');
    let req = isApi ? request(harness.app)[m](url) : s.agent[m](url);
    if (isApi && target.as !== 'anon') req = req.set(api(target.as as Exclude<Who, 'anon'>));
    if (body === null) return req;
    if (target.kind === 'json') return req.set('Content-Type', 'application/json').send(JSON.stringify(body));
    return req.set('Content-Type', 'application/x-www-form-urlencoded').send(formEncode({ _csrf: s.csrf, ...body }));
  }

  /** The checks every answer must pass; returns whether the request was refused. */
  async function check(label: string, res: request.Response, before: Record<string, string>, refused = res.status >= 400) {
    summary.requests += 1;
    summary.byStatus[res.status] = (summary.byStatus[res.status] ?? 0) + 1;
    // Soft: one run lists every case that fails, not only the first.
    expect.soft(res.status, `${label} → ${res.status}: ${String(res.text).slice(0, 300)}`).toBeLessThan(500);
    expect.soft(harness.errors.splice(0).map(String), label).toEqual([]);
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) expect.soft(unescapedMarkers(res.text), label).toEqual([]);
    if (label.includes(' /api/')) expect.soft(type, label).toMatch(/^application\/json|^$/);
    if (refused) {
      summary.refused += 1;
      expect.soft(await fingerprint(t.db), `${label} was refused (${res.status}) but wrote`).toEqual(before);
    } else summary.accepted += 1;
  }

  const n = (weight = 1) => Math.max(12, Math.round(options.cases * weight));
  const today = '2026-03-09';

  const TARGETS: Target[] = [
    // --- forms ---------------------------------------------------------------------------------
    { name: 'login form', as: 'anon', kind: 'form', method: 'POST', url: () => '/dang-nhap', valid: () => ({ username: 'hx.clerk', password: 'sai-mat-khau', next: '/ho-so' }), weight: 0.5 },
    {
      name: 'intake form', as: 'clerk', kind: 'form', method: 'POST', url: () => '/ho-so',
      valid: () => ({ procedureCode: '1.012756', channel: 'in_person', sets: '1', applicantName: 'Lê Thị Hoa', applicantIdNumber: '079188001234', applicantPhone: '0912345678', applicantEmail: 'hoa@example.vn', applicantAddress: 'Ninh Kiều', documents: 'Đơn đề nghị', receivedDate: '', receivedTime: '' }),
    },
    {
      name: 'refusal form', as: 'clerk', kind: 'form', method: 'POST', url: () => '/ho-so/tu-choi',
      valid: () => ({ procedureCode: '1.012756', applicantName: 'Lê Thị Hoa', applicantPhone: '0912345678', applicantEmail: 'hoa@example.vn', applicantAddress: 'Ninh Kiều', refusalReason: 'Không thuộc thẩm quyền tiếp nhận' }),
      weight: 0.5,
    },
    { name: 'intake preview', as: 'admin', kind: 'form', method: 'POST', url: () => '/ho-so', valid: () => ({ preview: '1', procedureCode: '2.000908', agencyCode: AGENCIES.ward.code, channel: 'online', applicantName: 'Xem Trước', receivedDate: today, receivedTime: '08:00' }), weight: 0.5 },
    {
      name: 'action form', as: 'clerk', kind: 'form', method: 'POST', url: () => `/ho-so/${encodeURIComponent(code)}/thao-tac`,
      valid: async () => ({ action: 'pause', reason: 'Chờ thẩm định', outcome: '', toAgencyCode: '', items: '', ...(await processingDossier()), code: undefined }),
      keys: ['action', 'reason', 'outcome', 'toAgencyCode', 'items', 'version', 'atDate', 'atTime'],
    },
    {
      name: 'admin action form (backdating)', as: 'admin', kind: 'form', method: 'POST', url: () => `/ho-so/${encodeURIComponent(code)}/thao-tac`,
      valid: async () => ({ action: 'transfer', toAgencyCode: AGENCIES.centre.code, atDate: today, atTime: '08:30', ...(await processingDossier()), code: undefined }),
      keys: ['action', 'toAgencyCode', 'atDate', 'atTime', 'version'], weight: 0.5,
    },
    { name: 'letter form', as: 'head', kind: 'form', method: 'POST', url: () => `/thu-xin-loi/${letterId}`, valid: async () => ({ op: 'save', version: await letterVersion(), addresseeName: 'Ông Đinh Văn Thử Nghiệm', addresseeAddress: 'Cần Thơ', reason: 'Hồ sơ phức tạp', newAppointmentDate: '2026-03-20', newAppointmentTime: '16:00', signerTitle: 'GIÁM ĐỐC', signerName: 'Trần Văn Ký' }) },
    { name: 'letter override form', as: 'head', kind: 'form', method: 'POST', url: () => `/thu-xin-loi/${letterId}/hen-lai`, valid: () => ({ overrideReason: 'Cần thêm thời gian thẩm định' }), weight: 0.3 },
    { name: 'letter template form', as: 'admin', kind: 'form', method: 'POST', url: () => '/thu-xin-loi/mau', valid: () => ({ agency: AGENCIES.land.code, op: 'save', numberSuffix: 'XL', title: 'V/v xin lỗi', body: 'Kính gửi {{addresseeName}}', sms: '', recipients: 'Như trên', signerTitle: 'GIÁM ĐỐC' }), weight: 0.5 },
    {
      name: 'form texts form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/mau-phieu',
      valid: () => ({ form: 'refusal', agency: AGENCIES.land.code, op: 'save', title: 'Phiếu từ chối', intro: 'Qua xem xét, {{co_quan}} không tiếp nhận:', closing: 'Xin thông báo để {{danh_xung}} biết.', signer: 'Công chức' }),
      weight: 0.5,
    },
    { name: 'import form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/nhap-du-lieu', valid: () => ({ csv: 'code,procedureCode\nX,1.012756\n' }), weight: 0.3 },
    {
      name: 'new user form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/nguoi-dung',
      valid: () => ({ username: `hx.user.${++seq}`, fullName: 'Người Dùng Mới', role: 'clerk', agencyCode: AGENCIES.ward.code, password: 'mat-khau-dai-du' }),
      keys: ['username', 'fullName', 'role', 'agencyCode', 'password'], weight: 0.3,
    },
    { name: 'user form', as: 'admin', kind: 'form', method: 'POST', url: () => `/quan-tri/nguoi-dung/${users.clerk.id}`, valid: () => ({ fullName: 'Nguyễn Văn hx.clerk', role: 'clerk', agencyCode: AGENCIES.land.code }) },
    { name: 'lock form', as: 'admin', kind: 'form', method: 'POST', url: () => `/quan-tri/nguoi-dung/${spare.id}/trang-thai`, valid: () => ({ active: '1' }), weight: 0.3 },
    { name: 'password form', as: 'admin', kind: 'form', method: 'POST', url: () => `/quan-tri/nguoi-dung/${spare.id}/mat-khau`, valid: () => ({ password: 'x' }), weight: 0.3 },
    { name: 'token form', as: 'admin', kind: 'form', method: 'POST', url: () => `/quan-tri/nguoi-dung/${spare.id}/token`, valid: () => ({ tokenName: 'Cổng' }), weight: 0.3 },
    { name: 'field form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/linh-vuc', valid: () => ({ code: `HX_${++seq}`, name: 'Lĩnh vực thử' }) },
    { name: 'field rename form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/linh-vuc/CHUNG_THUC', valid: () => ({ name: 'Chứng thực' }) },
    {
      name: 'procedure form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/thu-tuc',
      valid: () => ({ code: `9.${++seq}`, name: 'Thủ tục thử', fieldCode: 'DAT_DAI', agencyCode: '', level: 'province', statutoryDays: '5', duration: { value: '3', unit: 'working_days' }, onSupplement: 'restart', fee: '', active: '1' }),
    },
    {
      name: 'procedure edit form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/thu-tuc/1.012994',
      valid: () => ({ name: 'Khấu trừ kinh phí bồi thường, hỗ trợ, tái định cư', fieldCode: 'BOI_THUONG_TDC', agencyCode: AGENCIES.land.code, level: 'province', statutoryDays: '10', duration: { value: '10', unit: 'working_days' }, onSupplement: 'pause', fee: '', active: '1' }),
    },
    { name: 'calendar form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/lich', valid: () => ({ date: '2026-09-02', kind: 'holiday', name: 'Quốc khánh', source: 'Bộ luật Lao động', year: '2026' }) },
    { name: 'calendar copy form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/lich/chep-tam-tinh', valid: () => ({ year: '2040' }), weight: 0.3 },
    { name: 'calendar import form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/lich/nhap', valid: () => ({ year: '2041', mode: 'merge', csv: 'date,kind,name,source\n2041-01-01,holiday,Tết Dương lịch,Bộ luật Lao động' }), weight: 0.3 },
    { name: 'recompute form', as: 'admin', kind: 'form', method: 'POST', url: () => '/quan-tri/tinh-lai-han', valid: () => ({ year: '2026' }), weight: 0.3 },
    // --- JSON API ------------------------------------------------------------------------------
    {
      name: 'API intake', as: 'clerk', kind: 'json', method: 'POST', url: () => '/api/v1/dossiers',
      valid: () => ({ procedureCode: '1.012756', channel: 'online', sets: 1, applicant: { name: 'Phan Thị API', email: 'api@example.vn' }, documents: 'Tờ khai' }),
      keys: ['procedureCode', 'agencyCode', 'channel', 'sets', 'applicant', 'receivedAt', 'documents'],
    },
    {
      name: 'API intake applicant', as: 'admin', kind: 'json', method: 'POST', url: () => '/api/v1/dossiers',
      valid: () => ({ procedureCode: '2.000908', agencyCode: AGENCIES.ward.code, channel: 'postal', receivedAt: '2026-03-09T08:00:00+07:00', applicant: { name: 'Võ Văn JSON', idNumber: '079188001234', phone: '0912345678', email: 'a@b.vn', address: 'Cái Răng' } }),
      keys: ['receivedAt', 'applicant'],
    },
    {
      name: 'API action', as: 'clerk', kind: 'json', method: 'POST', url: () => `/api/v1/dossiers/${encodeURIComponent(code)}/actions`,
      valid: async () => ({ action: 'request_supplement', reason: 'Thiếu', items: ['Tờ khai'], version: (await processingDossier()).version }),
      keys: ['action', 'version', 'at', 'reason', 'outcome', 'toAgencyCode', 'items'],
    },
    { name: 'API field', as: 'admin', kind: 'json', method: 'POST', url: () => '/api/v1/fields', valid: () => ({ code: `JF_${++seq}`, name: 'Lĩnh vực API' }) },
    { name: 'API agency', as: 'admin', kind: 'json', method: 'POST', url: () => '/api/v1/agencies', valid: () => ({ code: `000.${++seq}.H13`, name: 'Cơ quan API', parentCode: '000.00.00.H13', level: 'commune' }) },
    {
      name: 'API procedure', as: 'admin', kind: 'json', method: 'POST', url: () => '/api/v1/procedures',
      valid: () => ({ code: `8.${++seq}`, name: 'Thủ tục API', fieldCode: 'DAT_DAI', agencyCode: AGENCIES.land.code, statutoryDays: 10, duration: { value: 5, unit: 'working_days' }, onSupplement: 'pause' }),
    },
    { name: 'API calendar day', as: 'admin', kind: 'json', method: 'PUT', url: () => '/api/v1/calendar/days/2026-10-10', valid: () => ({ kind: 'working_day', name: 'Làm bù', source: 'QĐ' }) },
    { name: 'API letter issue', as: 'head', kind: 'json', method: 'POST', url: () => `/api/v1/letters/${letterId}/issue`, valid: async () => ({ reason: 'Quá tải', newAppointmentAt: '2026-03-20T16:00:00+07:00', version: await letterVersion() }), weight: 0.5 },
    // --- queries -------------------------------------------------------------------------------
    { name: 'list page', as: 'clerk', kind: 'query', method: 'GET', url: () => '/ho-so', valid: () => ({ q: 'Nguyễn', status: 'open', fieldCode: 'DAT_DAI', late: '1', dueSoon: '1', sort: 'due', page: '1', pageSize: '20', dueFrom: today, dueTo: today, letter: 'draft', report: 'received.total', from: '2026-03-01', to: '2026-03-31', agencyBasis: 'handling' }) },
    { name: 'due preview', as: 'clerk', kind: 'query', method: 'GET', url: () => '/ho-so/han-du-kien', valid: () => ({ procedureCode: '1.012756', receivedAt: '2026-03-09T08:00:00+07:00' }) },
    { name: 'report page', as: 'head', kind: 'query', method: 'GET', url: () => '/bao-cao', valid: () => ({ period: 'month', year: '2026', month: '3', quarter: '1', from: '2026-03-01', to: '2026-03-31', agencyCode: AGENCIES.land.code, agencyBasis: 'receiving' }) },
    { name: 'report CSV', as: 'admin', kind: 'query', method: 'GET', url: () => '/bao-cao/xuat.csv', valid: () => ({ from: '2026-03-01', to: '2026-03-31', agencyCode: AGENCIES.land.code }), weight: 0.5 },
    { name: 'letters queue', as: 'head', kind: 'query', method: 'GET', url: () => '/thu-xin-loi', valid: () => ({ status: 'draft', page: '1' }), weight: 0.5 },
    { name: 'audit page', as: 'admin', kind: 'query', method: 'GET', url: () => '/quan-tri/nhat-ky', valid: () => ({ action: 'login', user: 'hx', from: today, to: today, page: '1' }), weight: 0.5 },
    { name: 'calendar page', as: 'admin', kind: 'query', method: 'GET', url: () => '/quan-tri/lich', valid: () => ({ year: '2026', date: '2026-02-17', ok: 'saved', d: '2026-02-17', checked: '3', moved: '1' }), weight: 0.5 },
    { name: 'procedures page', as: 'admin', kind: 'query', method: 'GET', url: () => '/quan-tri/thu-tuc', valid: () => ({ q: 'đất', fieldCode: 'DAT_DAI', ok: 'created' }), weight: 0.5 },
    { name: 'login page', as: 'anon', kind: 'query', method: 'GET', url: () => '/dang-nhap', valid: () => ({ next: '/ho-so' }), weight: 0.3 },
    { name: 'public look-up form', as: 'anon', kind: 'query', method: 'GET', url: () => '/tra-cuu', valid: () => ({ ma: '000.00.05.H13-260213-0001' }), weight: 0.3 },
    { name: 'API list', as: 'clerk', kind: 'query', method: 'GET', url: () => '/api/v1/dossiers', valid: () => ({ status: 'processing', fieldCode: 'DAT_DAI', agencyCode: AGENCIES.land.code, late: 'true', dueSoon: 'true', q: 'Đinh', page: '1', pageSize: '10' }) },
    { name: 'API calendar days', as: 'clerk', kind: 'query', method: 'GET', url: () => '/api/v1/calendar/days', valid: () => ({ from: '2026-02-01', to: '2026-02-28' }) },
    { name: 'API due', as: 'clerk', kind: 'query', method: 'GET', url: () => '/api/v1/calendar/due', valid: () => ({ start: '2026-02-13T10:00:00+07:00', days: '3' }) },
    { name: 'API settlement report', as: 'head', kind: 'query', method: 'GET', url: () => '/api/v1/reports/settlement', valid: () => ({ from: '2026-02-01', to: '2026-02-28', agencyCode: AGENCIES.land.code }) },
    { name: 'API register', as: 'admin', kind: 'query', method: 'GET', url: () => '/api/v1/register', valid: () => ({ from: '2026-02-01', to: '2026-02-28', agencyCode: AGENCIES.land.code }), weight: 0.5 },
    { name: 'register page', as: 'clerk', kind: 'query', method: 'GET', url: () => '/ho-so/so-theo-doi', valid: () => ({ from: '2026-02-01', to: '2026-02-28' }), weight: 0.5 },
    { name: 'API letters', as: 'head', kind: 'query', method: 'GET', url: () => '/api/v1/letters', valid: () => ({ status: 'draft', page: '1', pageSize: '10' }), weight: 0.5 },
    { name: 'API procedures', as: 'clerk', kind: 'query', method: 'GET', url: () => '/api/v1/procedures', valid: () => ({ q: 'đất', fieldCode: 'DAT_DAI' }), weight: 0.5 },
  ];

  const PARAMS: ParamTarget[] = [
    { name: 'dossier page', as: 'clerk', method: 'GET', url: (s) => `/ho-so/${s}`, api: false },
    { name: 'receipt', as: 'clerk', method: 'GET', url: (s) => `/ho-so/${s}/giay-tiep-nhan`, api: false },
    { name: 'supplement print', as: 'clerk', method: 'GET', url: (s) => `/ho-so/${encodeURIComponent(code || 'x')}/phieu-bo-sung/${s}`, api: false },
    { name: 'stop notice', as: 'clerk', method: 'GET', url: (s) => `/ho-so/${s}/thong-bao-dung`, api: false },
    { name: 'action on a code', as: 'clerk', method: 'POST', url: (s) => `/ho-so/${s}/thao-tac`, api: false },
    { name: 'letter page', as: 'head', method: 'GET', url: (s) => `/thu-xin-loi/${s}`, api: false },
    { name: 'user page', as: 'admin', method: 'GET', url: (s) => `/quan-tri/nguoi-dung/${s}`, api: false },
    { name: 'token revoke', as: 'admin', method: 'POST', url: (s) => `/quan-tri/nguoi-dung/${spare.id}/token/${s}/thu-hoi`, api: false },
    { name: 'field page', as: 'admin', method: 'GET', url: (s) => `/quan-tri/linh-vuc/${s}`, api: false },
    { name: 'procedure page', as: 'admin', method: 'GET', url: (s) => `/quan-tri/thu-tuc/${s}`, api: false },
    { name: 'calendar delete', as: 'admin', method: 'POST', url: (s) => `/quan-tri/lich/${s}/xoa`, api: false },
    { name: 'public look-up page', as: 'anon', method: 'GET', url: (s) => `/tra-cuu/${s}`, api: false },
    { name: 'public look-up API', as: 'anon', method: 'GET', url: (s) => `/api/v1/public/dossiers/${s}`, api: true },
    { name: 'API dossier', as: 'clerk', method: 'GET', url: (s) => `/api/v1/dossiers/${s}`, api: true },
    { name: 'API action on a code', as: 'clerk', method: 'POST', url: (s) => `/api/v1/dossiers/${s}/actions`, api: true },
    { name: 'API letter', as: 'head', method: 'GET', url: (s) => `/api/v1/letters/${s}`, api: true },
    { name: 'API calendar delete', as: 'admin', method: 'DELETE', url: (s) => `/api/v1/calendar/days/${s}`, api: true },
  ];

  describe('hostile input on every form and API endpoint', () => {
    TARGETS.forEach((target, i) => {
      it(`when ${target.name} (${target.method}) gets ${n(target.weight)} hostile inputs, then never a 500, never an unescaped echo, nothing written when refused`, async () => {
        const base = await target.valid();
        const cases = hostileBodies(base, n(target.weight), { seed: options.seed * 1000 + i, kind: target.kind === 'json' ? 'json' : 'form', keys: target.keys });
        for (const [k, mutated] of cases.entries()) {
          // The valid part follows the data (a fresh version, a new unique name); the hostile part stays.
          const fresh = await target.valid();
          const body: Body = { ...fresh };
          for (const key of new Set([...Object.keys(base), ...Object.keys(mutated)])) {
            if (!(key in mutated)) delete body[key];
            else if (mutated[key] !== base[key]) body[key] = mutated[key];
          }
          for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
          const before = await fingerprint(t.db);
          const url = target.url();
          const res =
            target.kind === 'query'
              ? await send(target, `${url}?${formEncode(body)}`, null)
              : await send(target, url, body);
          await check(`${target.name} #${k} ${target.method} ${url} ${JSON.stringify(body).slice(0, 300)}`, res, before);
        }
      });
    });

    PARAMS.forEach((target, i) => {
      it(`when ${target.name} (${target.method}) gets ${options.segments} hostile URL values, then never a 500 and nothing written`, async () => {
        for (const value of hostileSegments(options.segments, options.seed * 1000 + 500 + i)) {
          const before = await fingerprint(t.db);
          const url = target.url(segment(value));
          const s = sessions[target.as];
          const m = target.method.toLowerCase() as 'get' | 'post' | 'delete';
          let req = target.api ? request(harness.app)[m](url) : s.agent[m](url);
          if (target.api && target.as !== 'anon') req = req.set(api(target.as as Exclude<Who, 'anon'>));
          if (target.method === 'POST') req = target.api ? req.send({ action: 'pause', reason: 'x', version: 1 }) : req.type('form').send({ _csrf: s.csrf, action: 'pause', reason: 'x', version: '1' });
          const res = await req;
          await check(`${target.name} ${target.method} ${url.slice(0, 200)}`, res, before);
          expect(res.status, url).toBeGreaterThanOrEqual(200);
        }
      });
    });
  });

  describe('after the sweep', () => {
    it('when the sweep is over, then the clerk, the head and the admin it used are still signed in (it never ran as nobody)', async () => {
      for (const who of ['clerk', 'head', 'admin'] as const) {
        const res = await sessions[who].agent.get('/ho-so');
        expect([who, res.status]).toEqual([who, 200]);
      }
    });
  });

  describe('hostile requests below the fields', () => {
    it('when bodies are malformed, of the wrong type, too large or too deep, then 4xx and nothing is written', async () => {
      const raw: [string, string, string, string][] = [
        ['POST', '/api/v1/dossiers', 'application/json', '{"procedureCode": '],
        ['POST', '/api/v1/dossiers', 'application/json', '"just a string"'],
        ['POST', '/api/v1/dossiers', 'application/json', '[1,2,3]'],
        ['POST', '/api/v1/dossiers', 'application/json', 'null'],
        ['POST', '/api/v1/dossiers', 'application/json', '{"a":1,"a":2,"__proto__":{"x":1}}'],
        ['POST', '/api/v1/dossiers', 'application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`],
        ['POST', '/api/v1/dossiers', 'application/json', `{"applicant":{"name":"${'a'.repeat(2_000_000)}"}}`],
        ['POST', '/api/v1/dossiers', 'text/plain', 'procedureCode=1.012756'],
        ['POST', '/api/v1/dossiers', 'application/x-www-form-urlencoded', 'procedureCode=1.012756&channel=online&applicant[name]=Form'],
        ['POST', '/api/v1/dossiers', 'application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
        ['POST', '/api/v1/dossiers', 'application/json; charset=utf-16', '{}'],
        ['POST', '/api/v1/dossiers', 'application/json', '\u0000\u0001'],
        ['POST', '/ho-so', 'application/x-www-form-urlencoded', `applicantName=${'x'.repeat(300_000)}`],
        ['POST', '/ho-so', 'application/x-www-form-urlencoded', `${Array.from({ length: 2000 }, (_, i) => `k${i}=v`).join('&')}`],
        ['POST', '/ho-so', 'application/x-www-form-urlencoded', `a${'[b]'.repeat(200)}=1&applicantName=Sâu`],
        ['POST', '/ho-so', 'application/x-www-form-urlencoded', 'applicantName=%E0%A4%A&channel=%'],
        ['POST', '/ho-so', 'application/json', '{"applicantName":"JSON vào form","channel":"online","procedureCode":"1.012756"}'],
        ['POST', '/ho-so', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="applicantName"\r\n\r\nMultipart\r\n--x--'],
        ['POST', '/dang-nhap', 'application/x-www-form-urlencoded', 'username[]=a&username[]=b&password[$gt]='],
        ['POST', '/quan-tri/linh-vuc', 'application/x-www-form-urlencoded', 'code[__proto__][x]=1&name[constructor][prototype][y]=2'],
      ];
      for (const [method, url, type, body] of raw) {
        const who: Who = url.startsWith('/api/') ? 'clerk' : url.startsWith('/quan-tri') ? 'admin' : url === '/dang-nhap' ? 'anon' : 'clerk';
        const s = sessions[who];
        const before = await fingerprint(t.db);
        let req = url.startsWith('/api/') ? request(harness.app).post(url).set(api(who as 'clerk')) : s.agent.post(url).set('X-CSRF-Token', s.csrf);
        req = req.set('Content-Type', type);
        const res = await req.send(body);
        await check(`${method} ${url} ${type} ${body.slice(0, 80)}`, res, before);
      }
      expect(({} as Record<string, unknown>).x).toBeUndefined(); // no prototype pollution
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('when hostile CSV files are uploaded to the import, then each is refused or taken whole, never a crash', async () => {
      const header = 'code,procedureCode,agencyCode,channel,applicantName,receivedAt';
      const files = [
        '',
        '\ufeff',
        'a,b\n1,2',
        `${header}\nX-1,1.012756,${AGENCIES.land.code},online,"<script>hx(1)</script>",2026-03-02T08:00:00+07:00`,
        `${header}\nX-2,1.012756,${AGENCIES.land.code},online,"a\u0000b",2026-03-02T08:00:00+07:00`,
        `${header}\nX-3,1.012756,${AGENCIES.land.code},online,"=HYPERLINK(""http://evil"")",2026-03-02T08:00:00+07:00`,
        `${header}\n"unterminated,1.012756`,
        `${header}\n${'x,'.repeat(5000)}`,
        `${header}\nX-4,' OR '1'='1,${AGENCIES.land.code},online,A,2026-02-30T08:00:00+07:00`,
        '\u0000\u0001\u0002',
      ];
      for (const csv of files) {
        const before = await fingerprint(t.db);
        const res = await sessions.admin.agent.post('/quan-tri/nhap-du-lieu').set('Content-Type', 'text/csv').set('X-CSRF-Token', sessions.admin.csrf).send(csv);
        const last = String(res.text).trim().split('\n').at(-1) ?? '';
        // The answer is a stream of progress lines ending with the result (or an error line): read the end.
        const refused = res.status >= 400 || !/"type":"result".*"ok":true/.test(last);
        await check(`POST /quan-tri/nhap-du-lieu text/csv ${JSON.stringify(csv.slice(0, 60))} → ${last.slice(0, 200)}`, res, before, refused);
      }
    });

    it('when URLs are broken (bad percent-encoding, dot segments, NUL), then 4xx and never a 500', async () => {
      const urls = ['/ho-so/%', '/ho-so/%E0%A4%A', '/ho-so/%ff%fe', '/ho-so/..%2f..%2fetc%2fpasswd', '/ho-so/%00', '/tra-cuu/%00', '/tra-cuu/%C0%AE%C0%AE', '/api/v1/dossiers/%', '/api/v1/public/dossiers/%E0', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/ho-so?q=%', '/ho-so?q=%00', '/api/v1/dossiers?q=%E0%A4%A', '/quan-tri/lich?year=%', '/ho-so?dueFrom=2026-13-01&dueTo=2026-02-30', '/thu-xin-loi/2147483648', '/api/v1/letters/2147483648'];
      for (const url of urls) {
        const before = await fingerprint(t.db);
        const res = url.startsWith('/api/') ? await request(harness.app).get(url).set(api('clerk')) : await sessions.admin.agent.get(url);
        await check(`GET ${url}`, res, before);
        expect(res.text, url).not.toContain('"name": "onestop-tracker"');
      }
      // A visitor who is not signed in is sent to the login page; a huge address is not carried along
      // (a Location header over 16 kB breaks browsers and proxies).
      const huge = await request(harness.app).get(`/ho-so/${'x'.repeat(3000)}`);
      expect([huge.status, huge.headers.location]).toEqual([302, '/dang-nhap']);
      const small = await request(harness.app).get('/ho-so/abc');
      expect([small.status, small.headers.location]).toEqual([302, '/dang-nhap?next=%2Fho-so%2Fabc']);
    });

    it('when cookies and tokens are garbage, then the visitor is simply not signed in', async () => {
      const cookies = ['sid=%', 'sid=%E0%A4%A', `sid=${'x'.repeat(6000)}`, 'sid=;pre=;sid=', 'sid="quoted"', 'pre=%ZZ; sid=a=b=c', `pre=${'<script>hx(1)</script>'}`];
      for (const cookie of cookies) {
        const before = await fingerprint(t.db);
        const res = await request(harness.app).get('/ho-so').set('Cookie', cookie);
        await check(`GET /ho-so Cookie: ${cookie.slice(0, 40)}`, res, before);
        expect(res.status).toBe(302);
        const login = await request(harness.app).get('/dang-nhap').set('Cookie', cookie);
        await check(`GET /dang-nhap Cookie: ${cookie.slice(0, 40)}`, login, before);
        expect(login.status).toBe(200);
      }
      const tokens = ['Bearer', 'Bearer ', 'Bearer  ', `Bearer ${'x'.repeat(8000)}`, "Bearer ' OR '1'='1", 'Bearer %00', 'bearer ost_abc', `Bearer ${users.clerk.token} extra`, 'Basic Og=='];
      for (const auth of tokens) {
        const before = await fingerprint(t.db);
        const res = await request(harness.app).get('/api/v1/dossiers').set('Authorization', auth);
        await check(`GET /api/v1/dossiers Authorization: ${auth.slice(0, 40)}`, res, before);
        expect([auth.slice(0, 40), res.status]).toEqual([auth.slice(0, 40), 401]);
      }
    });

    it('when the login form is given a next address that leads elsewhere, then login stays on this site', async () => {
      for (const next of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/%09/evil.example', 'https://evil.example', 'javascript:hx(1)', '/\r\nSet-Cookie: x=1', '/ho-so\r\nLocation: https://evil.example']) {
        const agent = request.agent(harness.app);
        const page = await agent.get(`/dang-nhap?next=${segment(next)}`);
        expect(unescapedMarkers(page.text)).toEqual([]);
        const res = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), username: 'hx.admin', password: 'mat-khau-thu-nghiem', next });
        if (res.status === 429) continue; // the sweep's failed logins may have used up this address's allowance
        expect(res.status, next).toBe(303);
        const location = String(res.headers.location);
        expect(location, next).toMatch(/^\/(?![\/\\\t])/);
        expect(location).not.toMatch(/[\r\n\t]/);
        expect(res.headers['set-cookie']?.toString() ?? '').not.toContain('x=1');
      }
    });
  });

  describe('stored hostile text is shown escaped everywhere', () => {
    it('when every page that shows stored text is opened after the sweep, then no payload comes back unescaped', async () => {
      // Make sure each payload is stored somewhere visible, whatever the sweep accepted.
      for (const [i, x] of XSS.entries()) {
        const res = await request(harness.app)
          .post('/api/v1/dossiers')
          .set(api('clerk'))
          .send({ procedureCode: '1.012756', channel: 'online', applicant: { name: `Tên ${x}`, address: x }, documents: x });
        expect([i, res.status]).toEqual([i, 201]);
      }
      const codes = (await t.db('dossiers').select('code').orderBy('id', 'desc').limit(40)).map((r) => r.code as string);
      const pages = [
        '/', '/ho-so', '/ho-so?pageSize=500', '/ho-so?q=hx', '/theo-doi', '/thu-xin-loi', '/thu-xin-loi?status=issued', `/thu-xin-loi/${letterId}`, `/thu-xin-loi/${letterId}/in`,
        '/bao-cao', '/bao-cao?period=month&year=2026&month=3', '/bao-cao/in?from=2026-03-01&to=2026-03-31', '/quan-tri', '/quan-tri/nguoi-dung', `/quan-tri/nguoi-dung/${users.clerk.id}`,
        '/quan-tri/linh-vuc', '/quan-tri/thu-tuc', '/quan-tri/lich?year=2026', '/quan-tri/nhat-ky', '/quan-tri/nhat-ky?action=login_failed', '/thu-xin-loi/mau', `/thu-xin-loi/mau?agency=${AGENCIES.land.code}`,
        `/ho-so/so-theo-doi?agency=${users.clerk.agencyCode}`,
        `/quan-tri/mau-phieu?form=refusal&agency=${AGENCIES.land.code}`,
        ...['receipt', 'supplement', 'refusal', 'stop'].map((form) => `/quan-tri/mau-phieu/xem-thu?form=${form}&agency=${AGENCIES.land.code}`),
      ];
      // A refusal to receive, with the payloads as the applicant and the reason.
      for (const x of XSS.slice(0, 3)) {
        const refused = await sessions.admin.agent
          .post('/ho-so/tu-choi')
          .type('form')
          .send({ _csrf: sessions.admin.csrf, procedureCode: '1.012756', applicantName: `Tên ${x}`, applicantAddress: x, refusalReason: `Lý do ${x}` });
        expect(refused.status).toBe(303);
        pages.push(refused.headers.location);
      }
      pages.push('/ho-so/tu-choi');
      for (const c of codes) pages.push(`/ho-so/${encodeURIComponent(c)}`, `/ho-so/${encodeURIComponent(c)}/giay-tiep-nhan`, `/ho-so/${encodeURIComponent(c)}/phieu-kiem-soat`, `/tra-cuu/${encodeURIComponent(c)}`);
      const shown: string[] = [];
      for (const url of pages) {
        const res = await sessions.admin.agent.get(url);
        expect([url, res.status]).toEqual([url, expect.any(Number)]);
        expect(res.status, url).toBeLessThan(500);
        if (String(res.headers['content-type']).startsWith('text/html')) {
          expect(unescapedMarkers(res.text), url).toEqual([]);
          if (res.text.includes('&lt;script&gt;hx(')) shown.push(url);
        }
      }
      // The payloads really were on the pages, escaped.
      expect(shown.length).toBeGreaterThan(10);
      expect(harness.errors).toEqual([]);
    });
  });
}

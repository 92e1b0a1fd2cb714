import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../helpers/db';
import { AGENCIES, deskWorld, loginAgent, makeApp, type TestUser } from '../helpers/app';

// Refusing to receive (FORMS.md Mẫu 03): from the intake form, with a reason; no dossier, a numbered slip kept per
// desk and year, printed again from its address, on both databases.

const HOURS = '2.000908'; // a commune procedure: received at the ward
const LAND = '1.012756'; // the land department's

describe('refusing to receive a dossier (Phiếu từ chối tiếp nhận)', () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users: Record<string, TestUser> = {};

  const form = (extra: Record<string, string> = {}) => ({
    procedureCode: HOURS,
    channel: 'in_person',
    sets: '1',
    applicantName: 'Ngô Văn Từ',
    applicantPhone: '0912 345 678',
    applicantAddress: '12 Đường Trần Phú, phường Cái Khế',
    refusalReason: 'Hồ sơ thuộc thẩm quyền của phường nơi cư trú.\nĐề nghị ông nộp tại Ủy ban nhân dân phường Cái Khế.',
    ...extra,
  });
  const refuse = async (username: string, extra: Record<string, string> = {}) => {
    const { agent, csrf } = await loginAgent(harness.app, username);
    const res = await agent.post('/ho-so/tu-choi').type('form').send({ _csrf: csrf, ...form(extra) });
    return { agent, res };
  };
  const count = async (table: string) => Number((await t.db(table).count({ n: '*' }))[0].n);

  beforeAll(async () => {
    ({ t, harness } = await deskWorld(users, '2026-02-02T08:00'));
  });
  afterAll(() => t.destroy());

  it('when the ward\'s clerk refuses with a reason, then no dossier is made and the numbered slip prints what was asked, by whom and why', async () => {
    const { agent, res } = await refuse('ward.clerk');
    expect(res.status).toBe(303);
    const slip = await agent.get(res.headers.location);
    expect(slip.status).toBe(200);
    expect(res.headers.location).toMatch(/^\/ho-so\/tu-choi\/\d+\?ok=refused$/);
    for (const text of [
      'Mẫu số 03 – Thông tư số 03/2025/TT-VPCP',
      'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
      'Số: <strong>01/2026/PTC</strong>',
      'Phường Ninh Kiều tiếp nhận hồ sơ của: <strong>Ngô Văn Từ</strong>',
      'Địa chỉ: 12 Đường Trần Phú, phường Cái Khế',
      'Số điện thoại: 0912345678',
      'Nội dung yêu cầu giải quyết: <strong>Chứng thực bản sao từ bản chính</strong>',
      '<strong>Lý do từ chối:</strong> Hồ sơ thuộc thẩm quyền của phường nơi cư trú.\nĐề nghị ông nộp tại Ủy ban nhân dân phường Cái Khế.',
      'Nguyễn Văn ward.clerk',
      'ngày 02 tháng 02 năm 2026',
    ]) {
      expect(slip.text).toContain(text);
    }
    expect(await count('dossiers')).toBe(0);
    expect(await t.db('intake_refusals').first('agency_code', 'year', 'number', 'procedure_code', 'refused_at')).toEqual({
      agency_code: AGENCIES.ward.code,
      year: 2026,
      number: 1,
      procedure_code: HOURS,
      refused_at: '2026-02-02T01:00:00.000Z',
    });
  });

  it('when the desks refuse again, then each desk numbers its own slips of the year', async () => {
    const second = await refuse('ward.clerk', { applicantName: 'Lý Thị Hai' });
    expect((await second.agent.get(second.res.headers.location)).text).toContain('Số: <strong>02/2026/PTC</strong>');
    const land = await refuse('land.clerk', { procedureCode: LAND });
    const slip = await land.agent.get(land.res.headers.location);
    expect(slip.text).toContain('Số: <strong>01/2026/PTC</strong>');
    expect(slip.text).toContain('Sở Nông nghiệp và Môi trường tiếp nhận hồ sơ của');
    // An admin refuses for the procedure's own agency when naming no desk; a commune procedure needs one named.
    const admin = await refuse('admin', { procedureCode: LAND });
    expect((await admin.agent.get(admin.res.headers.location)).text).toContain('Số: <strong>02/2026/PTC</strong>');
    const unnamed = await refuse('admin', { procedureCode: HOURS });
    expect(unnamed.res.status).toBe(422);
    expect(unnamed.res.text).toContain('Chọn cơ quan tiếp nhận.');
  });

  it('when the reason is missing or the phone is not one, then the intake form comes back as typed, the refusal open, and nothing is kept', async () => {
    const before = await count('intake_refusals');
    const noReason = await refuse('ward.clerk', { refusalReason: '  ' });
    expect(noReason.res.status).toBe(422);
    expect(noReason.res.text).toContain('<details class="action refusal" open>');
    expect(noReason.res.text).toContain('Ghi lý do từ chối tiếp nhận (ít nhất 5 ký tự), để công dân biết cần làm gì.');
    expect(noReason.res.text).toContain('value="Ngô Văn Từ"');
    const badPhone = await refuse('ward.clerk', { applicantPhone: '12' });
    expect(badPhone.res.status).toBe(422);
    expect(badPhone.res.text).toContain('Số điện thoại không hợp lệ: di động 10 số (ví dụ 0912345678), cố định 11 số (ví dụ 02923820123).');
    expect(badPhone.res.text).toContain('Đề nghị ông nộp tại Ủy ban nhân dân phường Cái Khế.</textarea>');
    expect(await count('intake_refusals')).toBe(before);
    expect(await count('refusal_numbers')).toBe(2);
  });

  it('when others ask for a slip, then its desk and admins see it, another desk does not, a head cannot refuse', async () => {
    const id = (await t.db('intake_refusals').where({ agency_code: AGENCIES.ward.code, number: 1 }).first('id')).id;
    const status = async (username: string) => (await (await loginAgent(harness.app, username)).agent.get(`/ho-so/tu-choi/${id}`)).status;
    expect([await status('ward.head'), await status('admin'), await status('land.clerk'), await status('land.head')]).toEqual([200, 200, 404, 404]);
    expect((await (await loginAgent(harness.app, 'ward.clerk')).agent.get('/ho-so/tu-choi/999999')).status).toBe(404);
    expect((await refuse('ward.head')).res.status).toBe(403);
    expect((await request(harness.app).get(`/ho-so/tu-choi/${id}`)).status).toBe(302);
  });

  it('when a desk looks for its slips again, then it finds its own, newest first; an admin finds every desk\'s', async () => {
    const numbers = (html: string) => [...html.matchAll(/<a href="\/ho-so\/tu-choi\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    const ward = await (await loginAgent(harness.app, 'ward.head')).agent.get('/ho-so/tu-choi');
    expect(ward.status).toBe(200);
    expect(numbers(ward.text)).toEqual(['02/2026/PTC', '01/2026/PTC']);
    expect(ward.text).toContain('Lý Thị Hai');
    expect(ward.text).not.toContain('Sở Nông nghiệp và Môi trường</td>');
    const all = await (await loginAgent(harness.app, 'admin')).agent.get('/ho-so/tu-choi');
    expect(numbers(all.text)).toEqual(['02/2026/PTC', '01/2026/PTC', '02/2026/PTC', '01/2026/PTC']);
    expect(all.text).toContain('<td>Sở Nông nghiệp và Môi trường</td>');
    const land = await (await loginAgent(harness.app, 'land.head')).agent.get('/ho-so/tu-choi?page=abc');
    expect(numbers(land.text)).toEqual(['02/2026/PTC', '01/2026/PTC']);
  });

  it('when a system refuses through the API, then it gets the numbered refusal in JSON, and bad input gets its fields\' messages', async () => {
    harness.clock.set(new Date('2026-02-03T08:15:00+07:00'));
    const api = (r: request.Test) => r.set('Authorization', `Bearer ${users.wardClerk.token}`);
    const bad = await api(request(harness.app).post('/api/v1/refusals')).send({ procedureCode: HOURS, applicant: { name: '' }, reason: 'x' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['applicant.name', 'reason']);
    const res = await api(request(harness.app).post('/api/v1/refusals')).send({ procedureCode: HOURS, applicant: { name: 'Tạ Văn Năm', phone: '0912.345.678' }, reason: 'Nộp tại nơi cư trú' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: res.body.id,
      number: '03/2026/PTC',
      agencyCode: AGENCIES.ward.code,
      procedureCode: HOURS,
      procedureName: 'Chứng thực bản sao từ bản chính',
      applicant: { name: 'Tạ Văn Năm', phone: '0912345678', email: null, address: null },
      reason: 'Nộp tại nơi cư trú',
      refusedAt: '2026-02-03T08:15:00+07:00',
      refusedBy: 'Nguyễn Văn ward.clerk',
    });
    expect(res.headers.location).toBe(`/api/v1/refusals/${res.body.id}`);
    const list = await api(request(harness.app).get('/api/v1/refusals?pageSize=2'));
    expect([list.body.total, list.body.items.map((r: { number: string }) => r.number)]).toEqual([3, ['03/2026/PTC', '02/2026/PTC']]);
    expect((await api(request(harness.app).get(`/api/v1/refusals/${res.body.id}`))).body).toEqual(res.body);
  });

  it('the intake form offers it', async () => {
    const { agent } = await loginAgent(harness.app, 'ward.clerk');
    const page = await agent.get('/ho-so/moi');
    expect(page.text).toContain('<details class="action refusal">');
    expect(page.text).toContain('formaction="/ho-so/tu-choi"');
    expect((await agent.get('/ho-so')).text).toContain('href="/ho-so/tu-choi"');
  });
});

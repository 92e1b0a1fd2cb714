import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, csrfFrom, loginAgent, makeApp, seedSmallCatalog } from '../helpers/app';

// What a screen reader needs of the server's HTML (WCAG 2.2 AA): every field error tied to its field, the hints read
// with their fields, landmarks on the printed forms, a name for the receipt's QR code and a title of its own per list.

// Fri 13/02/2026 10:00 in Vietnam.
const FRI_10 = '2026-02-13T03:00:00.000Z';

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let clerk: Awaited<ReturnType<typeof loginAgent>>;
let admin: Awaited<ReturnType<typeof loginAgent>>;
let code = '';

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  await addUser(t.db, 'city.admin', 'admin', null);
  harness = makeApp(t.db, FRI_10);
  clerk = await loginAgent(harness.app, 'land.clerk');
  admin = await loginAgent(harness.app, 'city.admin');
  const res = await clerk.agent.post('/ho-so').type('form').send({ _csrf: clerk.csrf, procedureCode: '1.012756', channel: 'in_person', sets: '1', applicantName: 'Huỳnh Thị Mai' });
  expect(res.status).toBe(303);
  code = decodeURIComponent(/\/ho-so\/([^?]+)/.exec(res.headers.location)![1]);
});
afterAll(async () => {
  expect(harness.errors).toEqual([]);
  await t.destroy();
});

/** The start tags of the page carrying an attribute, with their attributes. */
function tagsWith(html: string, attribute: string): { tag: string; attrs: Record<string, string> }[] {
  return [...html.matchAll(/<([a-z]+)(\s[^>]*)>/g)]
    .map((m) => ({ tag: m[1], attrs: Object.fromEntries([...m[2].matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((a) => [a[1], a[2] ?? ''])) }))
    .filter((t) => attribute in t.attrs);
}

/**
 * Each field error of the page: its text and the element it describes (the one marked aria-invalid whose
 * aria-describedby names it), or null when no field is tied to it.
 */
function fieldErrors(html: string): { text: string; field: string | null }[] {
  const invalid = tagsWith(html, 'aria-invalid').filter((t) => t.attrs['aria-invalid'] === 'true');
  return [...html.matchAll(/<p class="field-error"( id="([^"]+)")?[^>]*>([^<]+)<\/p>/g)].map((m) => {
    const owner = m[2] ? invalid.find((t) => (t.attrs['aria-describedby'] ?? '').split(' ').includes(m[2])) : undefined;
    return { text: m[3], field: owner ? owner.attrs.id ?? owner.attrs.role ?? owner.tag : null };
  });
}

describe('field errors', () => {
  it('when the login form is sent empty, then each field is marked invalid and reads its own message', async () => {
    const agent = request.agent(harness.app);
    const page = await agent.get('/dang-nhap');
    const res = await agent.post('/dang-nhap').type('form').send({ _csrf: csrfFrom(page.text), username: '', password: '' });
    expect(res.status).toBe(422);
    expect(fieldErrors(res.text)).toEqual([
      { text: 'Nhập tên đăng nhập.', field: 'username' },
      { text: 'Nhập mật khẩu.', field: 'password' },
    ]);
    // The script puts the focus on the first field marked in error.
    expect(res.text).toContain('<div class="field has-error">\n      <label for="username">');
  });

  it('when intake is sent without a channel and with papers too long, then the channel group and the papers read their messages', async () => {
    const res = await clerk.agent.post('/ho-so').type('form').send({ _csrf: clerk.csrf, procedureCode: '1.012756', channel: '', sets: '1', applicantName: 'Trần Văn Bình', documents: 'Đơn '.repeat(1200) });
    expect(res.status).toBe(422);
    const errors = fieldErrors(res.text);
    expect(errors.map((e) => e.field)).toEqual(['radiogroup', 'f-documents']);
    expect(errors.every((e) => e.text.length > 5)).toBe(true);
    expect(res.text).toContain('<div class="radios" role="radiogroup" aria-labelledby="channel-label" aria-invalid="true" aria-describedby="channel-error">');
  });

  it('when an admin receives for an unknown agency, then the agency picker reads its message', async () => {
    const res = await admin.agent.post('/ho-so').type('form').send({ _csrf: admin.csrf, procedureCode: '1.012756', channel: 'in_person', sets: '1', applicantName: 'Lê Văn Cường', agencyCode: '999.99.99.H13' });
    expect(res.status).toBe(422);
    expect(fieldErrors(res.text)).toEqual([{ text: expect.any(String), field: 'f-agencyCode' }]);
  });

  it('when the intake form is shown, then the procedure filter and the refusal reason read their hints', async () => {
    const res = await clerk.agent.get('/ho-so/moi');
    const filter = tagsWith(res.text, 'id').find((t) => t.attrs.id === 'procedure-filter')!;
    expect(filter.attrs['aria-describedby'].split(' ')).toEqual(['procedure-filter-none', 'procedure-filter-hint']);
    expect(res.text).toContain('<p class="hint" id="procedure-filter-hint">Gõ để lọc,');
    const reason = tagsWith(res.text, 'id').find((t) => t.attrs.id === 'f-refusalReason')!;
    expect(reason.attrs['aria-describedby']).toBe('refusalReason-hint');
    expect(res.text).toContain('<p class="hint" id="refusalReason-hint">');
  });

  it('when the intake, an action and the correction come back with errors, then no message is left without its field', async () => {
    const intake = await clerk.agent.post('/ho-so').type('form').send({ _csrf: clerk.csrf, procedureCode: '', channel: '', sets: '0', applicantName: '', applicantEmail: 'mai@', applicantPhone: '12' });
    const action = await clerk.agent.post(`/ho-so/${code}/thao-tac`).type('form').send({ _csrf: clerk.csrf, action: 'request_supplement', version: '1', items: '', reason: '' });
    const correction = await clerk.agent.post(`/ho-so/${code}/sua-thong-tin`).type('form').send({ _csrf: clerk.csrf, version: '1', applicantName: '', applicantEmail: 'x@', sets: '0', reason: '' });
    for (const res of [intake, action, correction]) {
      expect(res.status).toBe(422);
      const errors = fieldErrors(res.text);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors.filter((e) => e.field === null)).toEqual([]);
    }
  });
});

describe('printed forms', () => {
  it('when a printed form is opened, then its toolbar is the banner, its sheet the one main landmark, and the receipt names its QR code', async () => {
    const receipt = await clerk.agent.get(`/ho-so/${code}/giay-tiep-nhan`);
    const slip = await clerk.agent.get(`/ho-so/${code}/phieu-kiem-soat`);
    const register = await clerk.agent.get('/ho-so/so-theo-doi?from=2026-02-13&to=2026-02-13');
    for (const res of [receipt, slip, register]) {
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/<header class="print-toolbar[^"]*no-print">/);
      expect(res.text.match(/<main>/g)).toHaveLength(1);
      expect(res.text).toMatch(/<main>\s*(<h1 class="visually-hidden">[^<]*<\/h1>\s*)?<article class="sheet/);
    }
    expect(receipt.text).toContain(`<div class="qr"><div role="img" aria-label="Mã QR tra cứu hồ sơ ${code}"><svg`);
    // The register without a desk chosen (an admin) still has its heading.
    const pick = await admin.agent.get('/ho-so/so-theo-doi');
    expect(pick.text).toContain('<h1 class="visually-hidden">Sổ theo dõi hồ sơ</h1>');
  });
});

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)![1];

/** The titles of the pages, asked one after the other. */
async function titlesOf(agent: Awaited<ReturnType<typeof loginAgent>>['agent'], urls: string[]): Promise<string[]> {
  const titles: string[] = [];
  for (const url of urls) titles.push(titleOf((await agent.get(url)).text));
  return titles;
}

describe('page titles', () => {
  it('when the lists a desk keeps open in tabs are shown, then each has a title of its own that names what narrows it', async () => {
    const urls = ['/ho-so', '/ho-so?q=Mai', '/ho-so?status=processing', '/ho-so?status=open&late=1', '/ho-so?dueSoon=1', '/ho-so?page=2', '/ho-so?report=received.total&from=2026-02-01&to=2026-02-28'];
    expect(await titlesOf(clerk.agent, urls)).toEqual([
      'Danh sách hồ sơ · Một cửa – Theo dõi hồ sơ',
      'Danh sách hồ sơ: tìm “Mai” · Một cửa – Theo dõi hồ sơ',
      'Danh sách hồ sơ: đang giải quyết · Một cửa – Theo dõi hồ sơ',
      'Hồ sơ quá hạn: chưa xong · Một cửa – Theo dõi hồ sơ',
      'Hồ sơ sắp đến hạn · Một cửa – Theo dõi hồ sơ',
      'Danh sách hồ sơ: trang 2 · Một cửa – Theo dõi hồ sơ',
      'Danh sách hồ sơ: cột (3) của báo cáo kỳ 01/02/2026–28/02/2026 · Một cửa – Theo dõi hồ sơ',
    ]);
    // The heading stays the list's own.
    expect((await clerk.agent.get('/ho-so?q=Mai')).text).toMatch(/<h1>Danh sách hồ sơ <small/);
  });

  it('when an admin filters the audit log, the procedures or the letters, then the title names the filters, and a filter dropped as unreadable is not named', async () => {
    const urls = [
      '/quan-tri/nhat-ky',
      '/quan-tri/nhat-ky?action=login&user=land&from=2026-02-01&to=2026-02-13',
      '/quan-tri/nhat-ky?from=2026-02-30&page=2',
      '/quan-tri/thu-tuc',
      '/quan-tri/thu-tuc?q=khai+sinh&fieldCode=DAT_DAI',
      '/quan-tri/thu-tuc?fieldCode=KHONG_CO',
      '/thu-xin-loi',
      '/thu-xin-loi?status=issued&page=2',
    ];
    expect(await titlesOf(admin.agent, urls)).toEqual([
      'Nhật ký hệ thống · Một cửa – Theo dõi hồ sơ',
      'Nhật ký hệ thống: Đăng nhập, “land”, từ 01/02/2026, đến 13/02/2026 · Một cửa – Theo dõi hồ sơ',
      'Nhật ký hệ thống: trang 2 · Một cửa – Theo dõi hồ sơ',
      'Thủ tục hành chính · Một cửa – Theo dõi hồ sơ',
      'Thủ tục hành chính: lĩnh vực Đất đai, tìm “khai sinh” · Một cửa – Theo dõi hồ sơ',
      'Thủ tục hành chính · Một cửa – Theo dõi hồ sơ',
      'Thư xin lỗi, hẹn lại ngày trả kết quả: chờ phát hành · Một cửa – Theo dõi hồ sơ',
      'Thư xin lỗi, hẹn lại ngày trả kết quả: đã phát hành, trang 2 · Một cửa – Theo dõi hồ sơ',
    ]);
    expect((await admin.agent.get('/thu-xin-loi?status=issued')).text).toMatch(/<h1>Thư xin lỗi, hẹn lại ngày trả kết quả<\/h1>[\s\S]*Đã phát hành <span class="badge">/);
  });
});

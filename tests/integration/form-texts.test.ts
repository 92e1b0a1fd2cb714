import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../helpers/db';
import { AGENCIES, apiStory, csrfFrom, deskWorld, loginAgent, makeApp, type TestUser } from '../helpers/app';

// The forms' wording an admin edits (FORMS.md: texts in templates an admin can edit): for every agency or one, the
// prints of real dossiers follow, a bad text comes back as typed, and only an admin may change it; both databases.

const HOURS = '2.000908'; // received at the ward

describe('the wording of the printed forms (Lời văn mẫu phiếu)', () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;
  const users: Record<string, TestUser> = {};
  const codes: Record<string, string> = {};
  let admin: Awaited<ReturnType<typeof loginAgent>>;
  let clerk: Awaited<ReturnType<typeof loginAgent>>;

  const save = (form: string, agency: string, texts: Record<string, string>, op = 'save') =>
    admin.agent.post('/quan-tri/mau-phieu').type('form').send({ _csrf: admin.csrf, form, agency, op, ...texts });
  const receipt = async () => (await clerk.agent.get(`/ho-so/${encodeURIComponent(codes.An)}/giay-tiep-nhan`)).text;
  const rows = async () => t.db('form_texts').orderBy(['agency_code', 'form', 'slot']).select('agency_code', 'form', 'slot', 'text', 'updated_by');

  beforeAll(async () => {
    ({ t, harness } = await deskWorld(users, '2026-02-02T08:00'));
    const story = apiStory(() => harness, codes);
    await story.receive('An', '2026-02-02T08:00', users.wardClerk, HOURS);
    await story.act('An', '2026-02-02T09:00', users.wardClerk, { action: 'request_supplement', items: ['Bản sao căn cước'], reason: 'Thiếu giấy tờ' });
    await story.receive('Chi', '2026-02-02T08:30', users.wardClerk, HOURS);
    await story.act('Chi', '2026-02-03T10:00', users.wardClerk, { action: 'withdraw', reason: 'Bà Chi có đơn xin rút hồ sơ ngày 03/02/2026.' });
    await story.receive('Cũ', '2025-03-03T08:00', users.wardClerk, HOURS);
    await story.act('Cũ', '2025-03-04T08:00', users.wardClerk, { action: 'withdraw', reason: 'Rút theo đơn.' });
    harness.clock.set(new Date('2026-02-03T11:00:00+07:00'));
    admin = await loginAgent(harness.app, 'admin');
    clerk = await loginAgent(harness.app, 'ward.clerk');
  });
  afterAll(() => t.destroy());

  it('when nothing is set, then the receipt prints the circular\'s title and signer and the page shows them as what applies', async () => {
    const text = await receipt();
    expect(text).toContain('<h1 class="form-title">Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h1>');
    expect(text).toContain('<div class="upper bold">Người tiếp nhận hồ sơ</div>');
    const page = await admin.agent.get('/quan-tri/mau-phieu');
    expect(page.status).toBe(200);
    expect(page.text).toContain('placeholder="Giấy tiếp nhận hồ sơ và hẹn trả kết quả"');
    expect(page.text).toContain('{{hen_tra}}');
  });

  it('when an admin sets every agency\'s receipt and then the ward\'s own title, then the ward\'s receipt prints both layers with the facts filled', async () => {
    let res = await save('receipt', '*', {
      title: 'Giấy tiếp nhận và hẹn trả',
      closing: 'Khi nhận kết quả, {{danh_xung}} mang theo giấy này.\r\nHẹn: {{hen_tra}} — mã {{ma_ho_so}}.',
      signer: 'Công chức tiếp nhận',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/quan-tri/mau-phieu?form=receipt&agency=*&ok=saved');
    res = await save('receipt', AGENCIES.ward.code, { title: 'GIẤY BIÊN NHẬN HỒ SƠ (phường)', closing: '', signer: '' });
    expect(res.status).toBe(303);
    expect(await rows()).toEqual([
      { agency_code: '*', form: 'receipt', slot: 'closing', text: 'Khi nhận kết quả, {{danh_xung}} mang theo giấy này.\nHẹn: {{hen_tra}} — mã {{ma_ho_so}}.', updated_by: 'Nguyễn Văn admin' },
      { agency_code: '*', form: 'receipt', slot: 'signer', text: 'Công chức tiếp nhận', updated_by: 'Nguyễn Văn admin' },
      { agency_code: '*', form: 'receipt', slot: 'title', text: 'Giấy tiếp nhận và hẹn trả', updated_by: 'Nguyễn Văn admin' },
      { agency_code: AGENCIES.ward.code, form: 'receipt', slot: 'title', text: 'GIẤY BIÊN NHẬN HỒ SƠ (phường)', updated_by: 'Nguyễn Văn admin' },
    ]);
    const text = await receipt();
    expect(text).toContain('<h1 class="form-title">GIẤY BIÊN NHẬN HỒ SƠ (phường)</h1>');
    expect(text).toContain('<p>Khi nhận kết quả, ông/bà mang theo giấy này.</p>');
    // The appointment the receipt gives: 2.000908 takes hours; the placeholder prints it in words, as item 5 does.
    const due = /Thời gian trả kết quả giải quyết hồ sơ: <strong>(\d\d) giờ (\d\d) phút, ngày (\d\d) tháng (\d\d) năm (\d{4})/.exec(text);
    expect(due).not.toBeNull();
    expect(text).toContain(`<p>Hẹn: ${due![1]} giờ ${due![2]} phút, ngày ${due![3]} tháng ${due![4]} năm ${due![5]} — mã ${codes.An}.</p>`);
    expect(text).toContain('<div class="upper bold">Công chức tiếp nhận</div>');
    // Every line of the receipt's facts stays.
    expect(text).toContain('Phường Ninh Kiều tiếp nhận hồ sơ của: <strong>An</strong>');
    // The page of the ward shows its own title, and what it inherits as the blanks' placeholder.
    const page = await admin.agent.get(`/quan-tri/mau-phieu?form=receipt&agency=${AGENCIES.ward.code}`);
    expect(page.text).toContain('value="GIẤY BIÊN NHẬN HỒ SƠ (phường)"');
    expect(page.text).toContain('placeholder="Công chức tiếp nhận"');
    expect(page.text).toContain('Phường Ninh Kiều (có lời văn riêng)');
  });

  it('when the ward\'s wording is dropped, then its receipt prints every agency\'s again, and the audit log has both changes', async () => {
    const res = await save('receipt', AGENCIES.ward.code, {}, 'reset');
    expect(res.headers.location).toBe(`/quan-tri/mau-phieu?form=receipt&agency=${AGENCIES.ward.code}&ok=reset`);
    expect(await receipt()).toContain('<h1 class="form-title">Giấy tiếp nhận và hẹn trả</h1>');
    const log = await t.db('audit_log').whereIn('action', ['form_texts_saved', 'form_texts_reset']).orderBy('id').select('action', 'target');
    expect(log).toEqual([
      { action: 'form_texts_saved', target: '*' },
      { action: 'form_texts_saved', target: AGENCIES.ward.code },
      { action: 'form_texts_reset', target: AGENCIES.ward.code },
    ]);
  });

  it('when the supplement request and the refusal are set, then their prints say it with the placeholders filled', async () => {
    expect((await save('supplement', '*', { intro: 'Đề nghị {{danh_xung}} {{nguoi_nop}} bổ sung:', closing: 'Liên hệ {{co_quan}}.' })).status).toBe(303);
    const event = await t.db('dossier_events').where({ type: 'request_supplement' }).first('id');
    const slip = await clerk.agent.get(`/ho-so/${encodeURIComponent(codes.An)}/phieu-bo-sung/${event.id}`);
    expect(slip.status).toBe(200);
    expect(slip.text).toContain('<p>Đề nghị ông/bà An bổ sung:</p>');
    // An organisation is "Quý tổ chức" ("ông/bà" was written to a company), as in the apology letter.
    await t.db('dossiers').where({ code: codes.An }).update({ applicant_name: 'Công ty TNHH Phú Lợi' });
    const company = await clerk.agent.get(`/ho-so/${encodeURIComponent(codes.An)}/phieu-bo-sung/${event.id}`);
    expect(company.text).toContain('<p>Đề nghị Quý tổ chức Công ty TNHH Phú Lợi bổ sung:</p>');
    await t.db('dossiers').where({ code: codes.An }).update({ applicant_name: 'An' });
    expect(slip.text).toContain('<p>Liên hệ Phường Ninh Kiều.</p>');
    expect(slip.text).toContain('<h1 class="form-title">Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ</h1>');
    expect(slip.text).not.toContain('Trong quá trình hoàn thiện hồ sơ');

    expect((await save('refusal', AGENCIES.ward.code, { closing: 'Trân trọng thông báo để {{danh_xung}} biết; thủ tục: {{thu_tuc}}.', signer: 'Công chức một cửa' })).status).toBe(303);
    const form = await clerk.agent.get('/ho-so/moi');
    const refused = await clerk.agent
      .post('/ho-so/tu-choi')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), procedureCode: HOURS, channel: 'in_person', sets: '1', applicantName: 'Bình', refusalReason: 'Không thuộc thẩm quyền.' });
    expect(refused.status).toBe(303);
    const refusal = await clerk.agent.get(refused.headers.location);
    expect(refusal.text).toContain('<p>Trân trọng thông báo để ông/bà biết; thủ tục: Chứng thực bản sao từ bản chính.</p>');
    expect(refusal.text).toContain('<p>Qua xem xét, Phường Ninh Kiều thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:</p>');
    expect(refusal.text).toContain('<div class="upper bold">Công chức một cửa</div>');
  });

  it('when a dossier was withdrawn, then its notice to stop processing (03/2025 Mẫu 05) prints the dates, the reason and the wording set; before that there is none', async () => {
    const url = (name: string) => `/ho-so/${encodeURIComponent(codes[name])}/thong-bao-dung`;
    const page = await clerk.agent.get(`/ho-so/${encodeURIComponent(codes.Chi)}`);
    expect(page.text).toContain(`<a href="${url('Chi')}">In thông báo dừng giải quyết</a>`);
    expect(page.text).toContain(`<a class="button" href="${url('Chi')}">Thông báo dừng giải quyết</a>`);
    expect((await clerk.agent.get(`/ho-so/${encodeURIComponent(codes.An)}`)).text).not.toContain('thong-bao-dung');
    let notice = await clerk.agent.get(url('Chi'));
    expect(notice.status).toBe(200);
    for (const line of [
      'Mẫu số 05 – Thông tư số 03/2025/TT-VPCP',
      '<h1 class="form-title">Thông báo dừng giải quyết hồ sơ</h1>',
      `Mã hồ sơ: <strong>${codes.Chi}</strong>`,
      'Kính gửi: <strong>Chi</strong>',
      `<p>Ngày 02/02/2026, Phường Ninh Kiều tiếp nhận hồ sơ đề nghị giải quyết thủ tục hành chính: Chứng thực bản sao từ bản chính của Chi; Mã hồ sơ: ${codes.Chi}.</p>`,
      '<p>Ngày 03/02/2026, Phường Ninh Kiều dừng giải quyết hồ sơ nêu trên.</p>',
      'Lý do: Bà Chi có đơn xin rút hồ sơ ngày 03/02/2026.',
      '<p>Xin thông báo để ông/bà được biết.</p>',
      'ngày 03 tháng 02 năm 2026',
      'Nguyễn Văn ward.clerk',
    ]) {
      expect(notice.text).toContain(line);
    }
    expect((await save('stop', '*', { closing: 'Hồ sơ {{ma_ho_so}} được trả lại cho {{danh_xung}}.', signer: 'Công chức một cửa' })).status).toBe(303);
    notice = await clerk.agent.get(url('Chi'));
    expect(notice.text).toContain(`<p>Hồ sơ ${codes.Chi} được trả lại cho ông/bà.</p>`);
    expect(notice.text).toContain('<div class="upper bold">Công chức một cửa</div>');
    // Received under Thông tư 01/2018, which has no such form: the notice prints without a form number.
    const old = await clerk.agent.get(url('Cũ'));
    expect(old.status).toBe(200);
    expect(old.text).toContain('Lý do: Rút theo đơn.');
    expect(old.text).not.toContain('Mẫu số');
    // A dossier still being processed has no such notice, and the land department does not see the ward's.
    expect((await clerk.agent.get(url('An'))).status).toBe(404);
    const land = await loginAgent(harness.app, 'land.clerk');
    expect((await land.agent.get(url('Chi'))).status).toBe(404);
  });

  it('when a text names a placeholder the form lacks or has a second line in the title, then the page answers 422 with what was typed and nothing changes', async () => {
    const before = await rows();
    const res = await save('refusal', '*', { title: 'Phiếu\ntừ chối', intro: 'Hồ sơ {{ma_ho_so}} <b>đậm</b>', closing: 'Giữ nguyên' });
    expect(res.status).toBe(422);
    const shown = ['Chỉ một dòng.', 'Không có trường thay thế: {{ma_ho_so}}.', 'Hồ sơ {{ma_ho_so}} &lt;b&gt;đậm&lt;/b&gt;</textarea>', 'Giữ nguyên</textarea>'];
    expect(shown.filter((s) => !res.text.includes(s))).toEqual([]);
    expect(res.text.match(/aria-invalid="true"/g)).toHaveLength(2);
    expect(await rows()).toEqual(before);
  });

  it('when the preview is asked, then the form prints with the saved wording and sample facts, and no dossier is read', async () => {
    const res = await admin.agent.get(`/quan-tri/mau-phieu/xem-thu?form=refusal&agency=${AGENCIES.ward.code}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Bản xem thử');
    expect(res.text).toContain('<p>Trân trọng thông báo để ông/bà biết; thủ tục: Tên thủ tục hành chính (dữ liệu mẫu).</p>');
    expect(res.text).toContain('Phường Ninh Kiều tiếp nhận hồ sơ của: <strong>Nguyễn Văn Mẫu</strong>');
    expect(res.text).toContain(`href="/quan-tri/mau-phieu?form=refusal&amp;agency=${AGENCIES.ward.code}"`);
    for (const form of ['receipt', 'supplement', 'stop']) {
      const page = await admin.agent.get(`/quan-tri/mau-phieu/xem-thu?form=${form}&agency=*&size=a4`);
      expect(page.status, form).toBe(200);
      expect(page.text).toContain('XEM-THU-0001');
    }
  });

  it('when the agency or form does not exist, or a clerk or head asks, then no page and nothing written', async () => {
    expect((await admin.agent.get('/quan-tri/mau-phieu?agency=000.99.99.H13')).status).toBe(404);
    expect((await save('letter', '*', { title: 'x' })).status).toBe(404);
    expect((await save('receipt', '000.99.99.H13', { title: 'x' })).status).toBe(404);
    // An unknown form in the query opens the receipt's page.
    expect((await admin.agent.get('/quan-tri/mau-phieu?form=nope')).text).toContain('<h2 id="texts-title">Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h2>');
    const head = await loginAgent(harness.app, 'ward.head');
    expect((await head.agent.get('/quan-tri/mau-phieu')).status).toBe(403);
    const before = await rows();
    const posted = await clerk.agent.post('/quan-tri/mau-phieu').type('form').send({ _csrf: clerk.csrf, form: 'receipt', agency: '*', title: 'x' });
    expect(posted.status).toBe(403);
    expect(await rows()).toEqual(before);
    const anonymous = await request(harness.app).get('/quan-tri/mau-phieu/xem-thu');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/dang-nhap/);
  });
});

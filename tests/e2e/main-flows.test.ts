import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPage } from './a11y';
import { LATE_APPLICANT, PASSWORD, autofocused, SOON_APPLICANT, VIEWPORT, localParts, loginWithKeyboard, printToPdf, screenshot, startE2E, type E2E } from './harness';

// The main flows of the desk in a real browser: the clerk's day with one dossier, the head's late dossier and its
// apology letter, the city's monthly report, and the citizen scanning the receipt's QR code.

let e: E2E;
const APPLICANT = 'Nguyễn Thị Thu Hà';
let code = '';
let receiptLookupUrl = '';

beforeAll(async () => {
  e = await startE2E();
}, 180_000);

afterAll(async () => {
  await e?.close();
});

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

describe('clerk', () => {
  let page: Page;
  beforeAll(async () => {
    page = (await e.open()).page;
  });

  it('when the clerk logs in and receives a dossier with the keyboard only, then it is saved with its due date and the receipt button has the focus', async () => {
    await loginWithKeyboard(page, e.base, 'motcua');
    expect(new URL(page.url()).pathname).not.toBe('/dang-nhap');

    // Tab through the top bar to "Tiếp nhận" (skip link, brand, then the menu) and Enter opens the intake form.
    for (let i = 0; i < 10 && (await page.evaluate('document.activeElement.textContent.trim()')) !== 'Tiếp nhận'; i++) await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/\/ho-so\/moi$/), page.keyboard.press('Enter')]);
    expect(await page.evaluate('document.activeElement.id')).toBe('procedure-filter');
    await screenshot(page, '03-tiep-nhan-trong');

    // Typing a few words of the name filters the list and picks the first match; the preview shows the due date.
    await page.keyboard.type('biện pháp bảo đảm quyền sử dụng đất');
    await page.keyboard.press('ArrowDown'); // into the list
    await page.keyboard.press('Enter'); // chosen: on to the applicant
    expect(await page.evaluate('document.activeElement.id')).toBe('f-applicantName');
    const procedure = await page.evaluate('document.getElementById("f-procedureCode").value');
    expect(procedure).toMatch(/^\d\.\d{6}$/);
    await page.locator('#due-preview strong').waitFor();
    expect(await text(page, '#due-preview')).toContain('Hẹn trả kết quả dự kiến');

    await page.keyboard.type(APPLICANT);
    await page.keyboard.press('Tab');
    await page.keyboard.type('092186001234');
    await page.keyboard.press('Tab');
    await page.keyboard.type('0907 123 456');
    await page.keyboard.press('Tab');
    await page.keyboard.type('thuha.nguyen@example.vn');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Số 8 đường Trần Hưng Đạo, phường Ninh Kiều, thành phố Cần Thơ');
    await page.keyboard.press('Tab'); // the channel: "Trực tiếp" is checked
    expect(await page.evaluate('document.activeElement.name + "=" + document.activeElement.value')).toBe('channel=in_person');
    await page.keyboard.press('Tab'); // number of sets
    expect(await page.evaluate('document.activeElement.id')).toBe('f-sets');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab'); // documents
    await page.keyboard.type('Phiếu yêu cầu đăng ký biện pháp bảo đảm (bản chính)');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Hợp đồng thế chấp quyền sử dụng đất (bản chính)');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Giấy chứng nhận quyền sử dụng đất (bản chính)');
    await screenshot(page, '04-tiep-nhan-dien-xong');

    // Ctrl+Enter saves.
    await Promise.all([page.waitForURL(/\/ho-so\/[^/]+\?ok=received$/), page.keyboard.press('Control+Enter')]);
    code = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    expect(code).toMatch(/^000\.01\.01\.H13-\d{6}-\d{4}$/);
    expect(await text(page, '.flash.ok')).toContain(`Đã tiếp nhận hồ sơ ${code}`);
    expect(await page.evaluate('document.activeElement.id')).toBe('print-receipt');
    await screenshot(page, '05-ho-so-vua-tiep-nhan');
  });

  it('when the clerk presses Enter on the receipt button and prints it, then the PDF has the code and the due date on one A5 page', async () => {
    await Promise.all([page.waitForURL(/\/giay-tiep-nhan$/), page.keyboard.press('Enter')]);
    const dossier = await (await page.request.get(`${e.base}/api/v1/public/dossiers/${encodeURIComponent(code)}`)).json();
    const due = localParts(dossier.appointmentAt);
    await screenshot(page, '06-giay-tiep-nhan-a5', true);
    const pdf = await printToPdf(page, path.join(e.dir, 'giay-tiep-nhan.pdf'));
    const flat = pdf.text.replace(/\s+/g, ' ');
    expect(pdf.pages).toBe(1);
    expect(flat).toContain(`Mã hồ sơ: ${code}`);
    expect(flat).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(flat).toContain(`Thời gian trả kết quả giải quyết hồ sơ: ${due.hour} giờ ${due.minute} phút, ngày ${due.day} tháng ${due.monthInText} năm ${due.year}`);
    expect(flat).toContain(APPLICANT);

    // The QR code encodes the public look-up URL printed under it.
    receiptLookupUrl = (await text(page, '.qr-caption')).replace(/^Tra cứu:\s*/, '').trim();
    expect(receiptLookupUrl).toBe(`${e.base}/tra-cuu/${encodeURIComponent(code)}`);
    const svg = await page.locator('.qr svg').first().evaluate((el: { outerHTML: string }) => el.outerHTML);
    const expected = await QRCode.toString(receiptLookupUrl, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
    const paths = (s: string) => [...s.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
    expect(paths(svg)).toEqual(paths(expected));

    await page.goto(`${e.base}/ho-so/${encodeURIComponent(code)}/giay-tiep-nhan?size=a4`);
    await screenshot(page, '07-giay-tiep-nhan-a4', true);
  });

  it('when a receipt holds a long procedure name and many papers, then its type is made smaller to keep it on one A5 page, and one too long for that is offered A4', async () => {
    const receive = async (procedure: string, papers: string[]) => {
      await page.goto(`${e.base}/ho-so/moi`);
      await page.locator('#f-procedureCode').selectOption(procedure);
      await page.locator('#f-applicantName').fill('Trần Thị Minh Châu');
      await page.locator('#f-applicantPhone').fill('0912345679');
      await page.locator('#f-documents').fill(papers.join('\n'));
      await Promise.all([page.waitForURL(/\?ok=received$/), page.locator('#f-documents').press('Control+Enter')]);
      await page.goto(`${page.url().replace(/\?ok=received$/, '')}/giay-tiep-nhan`);
      return (await page.locator('.sheet').evaluate((el: { style: { getPropertyValue(name: string): string } }) => el.style.getPropertyValue('--fit'))) || '1';
    };
    const papers = [
      'Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo Mẫu số 11/ĐK (bản chính)',
      'Bản gốc Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất đã cấp',
      'Hợp đồng, văn bản về việc chuyển nhượng, tặng cho quyền sử dụng đất đã được công chứng hoặc chứng thực',
      'Trích lục bản đồ địa chính hoặc trích đo địa chính thửa đất',
      'Tờ khai lệ phí trước bạ nhà, đất theo mẫu quy định',
      'Tờ khai thuế thu nhập cá nhân đối với hoạt động chuyển nhượng bất động sản',
      'Giấy tờ làm căn cứ xác định thuộc đối tượng được miễn, giảm nghĩa vụ tài chính (nếu có)',
      'Bản sao căn cước công dân của bên chuyển nhượng và bên nhận chuyển nhượng',
      'Văn bản ủy quyền có công chứng (trường hợp nộp thay)',
    ];
    // A name of 380 characters and four papers: a second page at the usual 10.5 pt.
    const fit = Number(await receive('1.013977', papers.slice(0, 4)));
    expect(fit).toBeLessThan(1);
    expect(fit).toBeGreaterThanOrEqual(0.85);
    const pdf = await printToPdf(page, path.join(e.dir, 'giay-tiep-nhan-dai.pdf'));
    expect(pdf.pages).toBe(1);
    const flat = pdf.text.replace(/\s+/g, ' ');
    expect(flat).toContain('Trích lục bản đồ địa chính hoặc trích đo địa chính thửa đất');
    expect(flat).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ');
    expect(await page.locator('.print-toolbar .preview-note').count()).toBe(0);

    // A name of 1,094 characters and nine papers does not fit A5 even at 9 pt: the toolbar says so, offers A4.
    expect(await receive('1.013980', papers)).toBe('0.85');
    expect(await text(page, '.print-toolbar .preview-note')).toBe('Nội dung dài hơn một tờ A5, bản in sẽ sang trang 2: nên in khổ A4.');
    expect((await printToPdf(page, path.join(e.dir, 'giay-tiep-nhan-rat-dai.pdf'))).pages).toBe(2);
    await page.getByRole('link', { name: 'Khổ A4' }).click();
    await page.waitForURL(/size=a4$/);
    // On A4 the toolbar warns exactly when the print runs onto a second sheet (it printed two without a word)
    const a4 = await printToPdf(page, path.join(e.dir, 'giay-tiep-nhan-rat-dai-a4.pdf'));
    expect(await page.locator('.print-toolbar .preview-note').count()).toBe(a4.pages > 1 ? 1 : 0);
    if (a4.pages > 1) expect(await text(page, '.print-toolbar .preview-note')).toBe('Nội dung dài hơn một tờ A4, bản in sẽ sang trang 2: kiểm tra trang 2 trước khi ký.');
  });

  it('when the clerk transfers a dossier, then typing a few words of the agency without marks picks it from the 119, and Enter goes on to the note', async () => {
    // The last dossier received above, handled by the Department of Agriculture and Environment.
    await page.goto(page.url().replace(/\/giay-tiep-nhan.*$/, ''));
    await page.locator('details.action-transfer summary').click();
    await page.locator('#to-transfer-filter').focus();
    await page.keyboard.type('ninh kieu');
    expect(await page.locator('#to-transfer option:not([hidden])').allInnerTexts()).toEqual(['Ủy ban nhân dân Phường Ninh Kiều']);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('reason-transfer');
    await page.keyboard.type('Chuyển về phường nơi có thửa đất.');
    await Promise.all([page.waitForURL(/ok=transfer/), page.keyboard.press('Control+Enter')]);
    expect((await page.locator('dl.facts').allInnerTexts()).join('\n')).toMatch(/Cơ quan giải quyết\s+Ủy ban nhân dân Phường Ninh Kiều/);
  });

  it('when the clerk scans the receipt into the quick search, then the dossier opens; a supplement request then prints with the missing papers', async () => {
    // A hand scanner types the QR code's address and Enter into the field that "/" focuses.
    await page.goto(`${e.base}/`);
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.id')).toBe('quick-q');
    await page.keyboard.type(receiptLookupUrl);
    await Promise.all([page.waitForURL(`${e.base}/ho-so/${encodeURIComponent(code)}`), page.keyboard.press('Enter')]);
    expect(await text(page, 'h1')).toContain(code);
    await page.locator('details.action-request_supplement summary').click();
    await page.locator('#items-request_supplement').fill('Bản sao CCCD của bên thế chấp (bản chứng thực)\nSơ đồ thửa đất (bản chính)');
    await page.locator('#reason-request_supplement').fill('Thiếu giấy tờ tùy thân của bên thế chấp và sơ đồ thửa đất.');
    await Promise.all([page.waitForURL(/ok=request_supplement/), page.locator('details.action-request_supplement button[type=submit]').click()]);
    expect(await text(page, '.facts .badge')).toBe('Chờ bổ sung');

    // The slip's button at the top of the page has the focus: Enter opens it, as the receipt's after intake.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('In phiếu yêu cầu bổ sung');
    await Promise.all([page.waitForURL(/phieu-bo-sung/), page.keyboard.press('Enter')]);
    const body = await text(page, '.sheet');
    expect(body).toContain('Sơ đồ thửa đất');
    expect(body).toContain(code);
    await screenshot(page, '08-phieu-yeu-cau-bo-sung', true);
    const pdf = await printToPdf(page, path.join(e.dir, 'phieu-bo-sung.pdf'));
    expect(pdf.text.replace(/\s+/g, ' ')).toContain('Bản sao CCCD của bên');
    // The kinds in brackets are counted in the columns Bản chính / Bản chứng thực / Bản photo.
    const rows = (await page.locator('.sheet table.grid tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
    expect(rows).toEqual([
      ['1', 'Bản sao CCCD của bên thế chấp', '', '01', ''],
      ['2', 'Sơ đồ thửa đất', '01', '', ''],
    ]);
  });

  it('when the clerk records the supplement, resolves and returns the result, then the history has every step and the dossier is returned', async () => {
    await page.goto(`${e.base}/ho-so/${encodeURIComponent(code)}`);
    const act = async (action: string, fill?: () => Promise<void>) => {
      await page.locator(`details.action-${action} summary`).click();
      if (fill) await fill();
      await Promise.all([page.waitForURL(new RegExp(`ok=${action}$`)), page.locator(`details.action-${action} button[type=submit]`).click()]);
    };
    await act('receive_supplement');
    expect(await text(page, '.facts .badge')).toBe('Đang giải quyết');
    await act('resolve', async () => {
      await page.locator('details.action-resolve input[value=approved]').check();
    });
    expect(await text(page, '.facts .badge')).toBe('Đã có kết quả');
    await act('return');
    expect(await text(page, '.facts .badge')).toBe('Đã trả kết quả');
    const history = await text(page, '.timeline');
    for (const step of ['Tiếp nhận hồ sơ', 'Yêu cầu bổ sung', 'Nhận hồ sơ bổ sung', 'Có kết quả giải quyết', 'Trả kết quả cho công dân']) expect(history).toContain(step);
    await screenshot(page, '09-ho-so-da-tra-ket-qua');

    await page.goto(`${e.base}/ho-so/${encodeURIComponent(code)}/phieu-kiem-soat`);
    expect(await text(page, '.sheet')).toContain(code);
    await screenshot(page, '10-phieu-kiem-soat', true);
  });

  it('when the clerk logs out and presses Back on the shared desk computer, then the login page shows, not the citizen\'s dossier', async () => {
    const own = (await e.open()).page;
    await loginWithKeyboard(own, e.base, 'motcua');
    await own.goto(`${e.base}/ho-so/${encodeURIComponent(code)}`);
    expect(await text(own, 'main')).toContain(APPLICANT);
    await Promise.all([own.waitForURL((u) => u.pathname === '/dang-nhap'), own.locator('form[action="/dang-xuat"] button').click()]);
    await own.goBack();
    await own.waitForLoadState();
    // Answers to a logged-in user are no-store: Back asks the server again, which sends the login page.
    expect(new URL(own.url()).pathname).toBe('/dang-nhap');
    expect(await own.locator('#password').count()).toBe(1);
    expect(await text(own, 'main')).not.toContain(APPLICANT);
  });

  it('when the session ends while an intake is typed (a logout in another tab), then sending it asks to log in again, and after logging in the form comes back as typed', async () => {
    const { context, page: tab } = await e.open();
    await loginWithKeyboard(tab, e.base, 'motcua');
    await tab.goto(`${e.base}/ho-so/moi`);
    await tab.locator('#f-procedureCode').selectOption('1.011441');
    await tab.locator('#f-applicantName').fill('Lý Thị Kim Ngân');
    await tab.locator('#f-applicantPhone').fill('0939 456 789');
    await tab.locator('#f-documents').fill('Phiếu yêu cầu đăng ký (bản chính)\nHợp đồng thế chấp (bản chính)');
    await tab.locator('input[name="channel"][value="online"]').check();

    // Another tab of the same browser logs out.
    const other = await context.newPage();
    await other.goto(`${e.base}/`);
    await Promise.all([other.waitForURL((u) => u.pathname === '/dang-nhap'), other.locator('form[action="/dang-xuat"] button').click()]);
    await other.close();

    await tab.locator('#f-documents').press('Control+Enter');
    await tab.waitForLoadState();
    expect(await text(tab, 'h1')).toBe('Cần đăng nhập lại');
    expect(await text(tab, 'main')).toContain('nên nội dung vừa gửi chưa được lưu');
    await Promise.all([tab.waitForURL(/\/dang-nhap\?next=%2Fho-so%2Fmoi$/), tab.locator('#log-in-again').click()]);
    await tab.locator('#username').fill('motcua');
    await tab.locator('#password').fill(PASSWORD);
    await Promise.all([tab.waitForURL((u) => u.pathname === '/ho-so/moi'), tab.locator('#password').press('Enter')]);
    expect(await text(tab, '.flash.info')).toMatch(/^Đã khôi phục phiếu đang nhập dở \(lúc \d\d:\d\d\)/);
    expect(await tab.locator('#f-procedureCode').inputValue()).toBe('1.011441');
    expect(await tab.locator('#f-applicantName').inputValue()).toBe('Lý Thị Kim Ngân');
    expect(await tab.locator('#f-applicantPhone').inputValue()).toBe('0939 456 789');
    expect(await tab.locator('#f-documents').inputValue()).toBe('Phiếu yêu cầu đăng ký (bản chính)\nHợp đồng thế chấp (bản chính)');
    expect(await tab.locator('input[name="channel"][value="online"]').isChecked()).toBe(true);
    await tab.locator('#due-preview strong').waitFor();

    // Saved, the dossier is received; the next intake starts empty.
    await Promise.all([tab.waitForURL(/\?ok=received$/), tab.locator('#f-documents').press('Control+Enter')]);
    expect(await text(tab, 'main')).toContain('Lý Thị Kim Ngân');
    await tab.goto(`${e.base}/ho-so/moi`);
    expect(await tab.locator('#f-applicantName').inputValue()).toBe('');
    expect(await tab.locator('.flash.info').count()).toBe(0);

    // Sent without a procedure and left for the next citizen: "Tiếp nhận" opens an empty form, not the last citizen's
    // (a name typed next was added to theirs), and Enter into a filled field selects what it holds.
    await tab.locator('#f-applicantName').fill('Đỗ Thị Mai');
    await Promise.all([tab.waitForURL((u) => u.pathname === '/ho-so'), tab.locator('#f-applicantName').press('Control+Enter')]);
    expect(await text(tab, '#procedureCode-error')).toMatch(/^Chọn thủ tục/);
    await Promise.all([tab.waitForURL((u) => u.pathname === '/ho-so/moi'), tab.locator('header a', { hasText: 'Tiếp nhận' }).first().click()]);
    expect(await tab.locator('#f-applicantName').inputValue()).toBe('');
    expect(await tab.locator('.flash.info').count()).toBe(0);
    await tab.locator('#f-applicantName').fill('Nguyễn Văn Tám');
    await tab.locator('#f-applicantName').press('Enter');
    await tab.locator('#f-applicantIdNumber').fill('092185001234');
    await tab.locator('#f-applicantName').press('Enter');
    expect(await tab.evaluate('[document.activeElement.id, document.activeElement.selectionStart, document.activeElement.selectionEnd]')).toEqual(['f-applicantIdNumber', 0, 12]);
  });

  it('when the clerk presses Enter in the fields or Ctrl+Enter twice, then Enter only moves on and one dossier is saved; words found apart choose no procedure; Hủy forgets the form', async () => {
    const { page: tab } = await e.open();
    await loginWithKeyboard(tab, e.base, 'motcua');
    await tab.goto(`${e.base}/ho-so/moi`);
    await autofocused(tab, 'procedure-filter');
    // "khai sinh" is no procedure of the centre; a land procedure holding "kê khai" and "phát sinh" apart was taken.
    await tab.keyboard.type('khai sinh');
    expect(await tab.locator('#f-procedureCode').inputValue()).toBe('');
    expect(await text(tab, '#procedure-filter-none')).toMatch(/^Không có thủ tục nào (khớp|chứa liền cụm) “khai sinh”/);
    await tab.keyboard.press('Enter'); // nothing chosen: the focus stays or goes into the list, never on
    expect(await tab.evaluate('document.activeElement.id')).not.toBe('f-applicantName');

    await tab.locator('#procedure-filter').fill('');
    await tab.locator('#procedure-filter').type('dat dai');
    expect(await tab.locator('#f-procedureCode').inputValue()).toMatch(/^\d\.\d{6}$/);
    // the chosen procedure's whole name beside its due date: the list cuts long names
    const chosen = tab.locator('#due-preview .chosen-procedure');
    await chosen.waitFor();
    // Typing chose procedures one after another: the preview names the last one once its answer has come.
    const last = `Thủ tục: ${await tab.locator('#f-procedureCode option:checked').innerText()}`;
    await expect.poll(() => chosen.innerText()).toBe(last);
    await tab.keyboard.press('Enter');
    const applicant = 'Phan Văn Enter Một Lần';
    await tab.keyboard.type(applicant);
    await tab.keyboard.press('Enter'); // sent the form, half typed, before
    expect(await tab.evaluate('document.activeElement.id')).toBe('f-applicantIdNumber');
    await tab.keyboard.type('092 185 001 234');
    await tab.keyboard.press('Enter');
    expect(await tab.evaluate('document.activeElement.id')).toBe('f-applicantPhone');
    await tab.keyboard.type('+84 939 555 777');
    expect(new URL(tab.url()).pathname).toBe('/ho-so/moi');

    let posts = 0;
    tab.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/ho-so') posts++; });
    await Promise.all([
      tab.waitForURL(/\?ok=received$/),
      (async () => { await tab.keyboard.press('Control+Enter'); await tab.keyboard.press('Control+Enter'); })(),
    ]);
    expect(posts).toBe(1);
    expect(await text(tab, 'main')).toContain('0939555777');
    await tab.goto(`${e.base}/ho-so?q=${encodeURIComponent(applicant)}`);
    expect(await tab.locator('table.dossiers tbody tr').count()).toBe(1);

    // Hủy gives the form up: the next intake starts empty, without the last citizen.
    await tab.goto(`${e.base}/ho-so/moi`);
    await tab.locator('#f-applicantName').fill('Trần Văn Bỏ Dở');
    await Promise.all([tab.waitForURL((u) => u.pathname === '/ho-so'), tab.locator('a[data-drop-draft]').click()]);
    await tab.goto(`${e.base}/ho-so/moi`);
    expect(await tab.locator('#f-applicantName').inputValue()).toBe('');
    expect(await tab.locator('.flash.info').count()).toBe(0);
  });

  it('when a pasted name is longer than its field allows, then it says by how much and the server answers with all of it kept; a pasted CSV larger than the server reads is not sent', async () => {
    const { page: tab } = await e.open();
    await loginWithKeyboard(tab, e.base, 'motcua');
    await tab.goto(`${e.base}/ho-so/moi`);
    const long = 'Công ty Trách nhiệm hữu hạn Một thành viên Thương mại Dịch vụ '.repeat(4).trim(); // 250 characters
    await tab.locator('#f-applicantName').fill(long); // maxlength cut it to 200 without a word
    expect(await tab.locator('#f-applicantName').inputValue()).toBe(long);
    expect(await text(tab, '#f-applicantName-too-long')).toBe(`Dài ${long.length} ký tự, quá 200 ký tự cho phép: hãy rút gọn ${long.length - 200} ký tự.`);
    // Sent, the server answers every problem at once (the procedure not chosen, the name too long), all of it kept.
    await Promise.all([tab.waitForURL((u) => u.pathname === '/ho-so'), tab.locator('#f-applicantName').press('Control+Enter')]);
    expect(await tab.locator('#f-applicantName').inputValue()).toBe(long);
    expect(await text(tab, '#applicantName-error')).toBe('Tối đa 200 ký tự.');
    expect(await text(tab, '#procedureCode-error')).toMatch(/^Chọn thủ tục/);
    await tab.locator('#f-applicantName').fill(long.slice(0, 200));
    expect(await tab.locator('#f-applicantName-too-long').count()).toBe(0);
    // Corrected, the name no longer shows the server's word nor is marked; the procedure still is. Typed back as sent,
    // the word comes back.
    expect(await tab.locator('#applicantName-error').isVisible()).toBe(false);
    expect(await tab.locator('#f-applicantName').getAttribute('aria-invalid')).toBeNull();
    expect(await tab.locator('#f-applicantName').getAttribute('aria-describedby')).toBeNull();
    expect(await tab.locator('#procedureCode-error').isVisible()).toBe(true);
    await tab.locator('#f-applicantName').fill(long);
    expect(await tab.locator('#applicantName-error').isVisible()).toBe(true);
    expect(await tab.locator('#f-applicantName').getAttribute('aria-invalid')).toBe('true');
    expect((await tab.locator('#f-applicantName').getAttribute('aria-describedby'))?.split(' ')).toContain('applicantName-error');
    await tab.locator('#f-applicantName').fill(long.slice(0, 200));
    // Words typed in the procedure filter are not a choice: its word stays until a procedure is chosen.
    await tab.locator('#procedure-filter').fill('zzqq');
    expect(await tab.locator('#procedureCode-error').isVisible()).toBe(true);
    expect(await tab.locator('#procedure-filter').getAttribute('aria-invalid')).toBe('true');
    await tab.locator('#procedure-filter').fill('dat dai');
    expect(await tab.locator('#f-procedureCode').inputValue()).not.toBe('');
    expect(await tab.locator('#procedureCode-error').isVisible()).toBe(false);
    expect(await tab.locator('#procedure-filter').getAttribute('aria-invalid')).toBeNull();
    let posts = 0;
    tab.on('request', (r) => { if (r.method() === 'POST') posts++; });

    const admin = (await e.open()).page;
    await loginWithKeyboard(admin, e.base, 'admin');
    await admin.goto(`${e.base}/quan-tri/nhap-du-lieu`);
    await admin.locator('details:has(#import-csv) summary').click();
    const csv = 'ma_thu_tuc,ho_ten\n' + '1.000001,Nguyễn Văn A\n'.repeat(12_000);
    await admin.locator('#import-csv').evaluate((el, v) => { (el as unknown as { value: string }).value = v; }, csv); // fill() types it: too slow for 480 kB
    admin.on('request', (r) => { if (r.method() === 'POST') posts++; });
    await admin.locator('#import-csv').press('Control+Enter');
    expect(await text(admin, '.form-too-large')).toMatch(/^Nội dung quá lớn để gửi: \d{3} kB, tối đa 200 kB; ô lớn nhất là „Nội dung CSV“\. Hãy chọn tệp ở trên thay vì dán\.$/);
    expect(posts).toBe(0);
    expect(await admin.locator('#import-csv').inputValue()).toBe(csv);
  });

  it('when the session ends while an action\'s reason is typed, then after logging in again the dossier opens with that panel as typed; done, it is forgotten', async () => {
    const { context, page: tab } = await e.open();
    await loginWithKeyboard(tab, e.base, 'motcua');
    await tab.goto(`${e.base}/ho-so?status=processing`);
    await Promise.all([tab.waitForURL(/\/ho-so\/[^/?]+$/), tab.locator('table.dossiers tbody tr td.code a').first().click()]);
    const dossierPath = new URL(tab.url()).pathname;
    await tab.locator('details.action-pause summary').click();
    await tab.locator('#reason-pause').fill('Chờ kết quả thẩm định của Sở Xây dựng');

    const other = await context.newPage();
    await other.goto(`${e.base}/`);
    await Promise.all([other.waitForURL((u) => u.pathname === '/dang-nhap'), other.locator('form[action="/dang-xuat"] button').click()]);
    await other.close();

    await tab.locator('#reason-pause').press('Control+Enter');
    await tab.waitForLoadState();
    expect(await text(tab, 'h1')).toBe('Cần đăng nhập lại');
    await Promise.all([tab.waitForURL((u) => u.pathname === '/dang-nhap'), tab.locator('#log-in-again').click()]);
    await tab.locator('#username').fill('motcua');
    await tab.locator('#password').fill(PASSWORD);
    await Promise.all([tab.waitForURL((u) => u.pathname === dossierPath), tab.locator('#password').press('Enter')]);
    expect(await tab.locator('details.action-pause').getAttribute('open')).not.toBeNull();
    expect(await tab.locator('#reason-pause').inputValue()).toBe('Chờ kết quả thẩm định của Sở Xây dựng');
    expect(await text(tab, 'details.action-pause .flash.info')).toMatch(/^Đã khôi phục nội dung đang nhập dở \(lúc \d\d:\d\d\)/);

    await Promise.all([tab.waitForURL(/\?ok=pause$/), tab.locator('#reason-pause').press('Control+Enter')]);
    expect(await text(tab, 'main')).toContain('Chờ kết quả thẩm định của Sở Xây dựng');
    await tab.goto(`${e.base}${dossierPath}`);
    expect(await tab.locator('.flash.info').count()).toBe(0);
  });
});

describe('head', () => {
  let page: Page;
  let letterUrl = '';
  beforeAll(async () => {
    page = (await e.open()).page;
    page.on('dialog', (d) => void d.accept());
  });

  it('when the head opens the dashboard, then the late dossier is in the late list with a draft letter', async () => {
    await loginWithKeyboard(page, e.base, 'lanhdao');
    await page.goto(`${e.base}/theo-doi`);
    await screenshot(page, '11-theo-doi');
    expect(Number((await text(page, '#n-late .num')).replace(/\./g, ''))).toBeGreaterThan(0);

    await Promise.all([page.waitForURL(/late=1/), page.locator('#n-late').click()]);
    await page.locator('#q').fill(e.lateCode);
    await Promise.all([page.waitForURL(/q=/), page.locator('form.filters button[type=submit]').click()]);
    const row = page.locator('table.data tbody tr', { hasText: e.lateCode });
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain(LATE_APPLICANT);
    await screenshot(page, '12-ho-so-qua-han');

    // The due-soon list holds the dossier received this morning for a procedure of 4 working hours.
    await page.goto(`${e.base}/ho-so?dueSoon=1&q=${encodeURIComponent(e.soonCode)}`);
    expect(await page.locator('h1').innerText()).toContain('Hồ sơ sắp đến hạn');
    const soon = page.locator('table.data tbody tr', { hasText: e.soonCode });
    expect(await soon.count()).toBe(1);
    expect(await soon.innerText()).toContain(SOON_APPLICANT);
    await page.goto(`${e.base}/ho-so?dueSoon=1`);
    await screenshot(page, '13-ho-so-sap-den-han');

    await page.goto(`${e.base}/thu-xin-loi`);
    await screenshot(page, '14-thu-xin-loi-hang-cho');
    await page.goto(`${e.base}/ho-so/${encodeURIComponent(e.lateCode)}`);
    expect(await text(page, '.facts')).toContain('Quá hạn');
    await Promise.all([page.waitForURL(/\/thu-xin-loi\/\d+$/), page.getByRole('link', { name: 'Dự thảo chờ phát hành' }).click()]);
    letterUrl = page.url();
  });

  it('when the head fills the reason and issues the letter, then it gets a number and the dossier a new appointment', async () => {
    expect(await page.locator('#f-addresseeName').inputValue()).toContain(LATE_APPLICANT);
    expect(await page.locator('#f-newAppointmentDate').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Beside the field, its day in words, whatever order the browser's language writes the field in.
    const words = page.locator('#f-newAppointmentDate + .date-words');
    const [y, m, d] = (await page.locator('#f-newAppointmentDate').inputValue()).split('-');
    const weekday = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'][new Date(Date.UTC(+y, +m - 1, +d)).getUTCDay()];
    expect(await words.innerText()).toBe(`${weekday}, ngày ${d} tháng ${m} năm ${y}`);
    await page.locator('#f-newAppointmentDate').fill('2027-03-12');
    expect(await words.innerText()).toBe('Thứ Sáu, ngày 12 tháng 03 năm 2027');
    await page.locator('#f-newAppointmentDate').fill(`${y}-${m}-${d}`);
    await page.locator('#f-reason').fill('Hồ sơ cần xác minh thêm thông tin thửa đất tại Văn phòng đăng ký đất đai');
    // The letter goes out under the department that handles the dossier, not the centre: its head is named as signer.
    expect(await text(page, '#f-signerName + .hint')).toContain('ghi họ tên lãnh đạo cơ quan này ký');
    await page.locator('#f-signerName').fill('Trần Văn Ký');
    await screenshot(page, '15-thu-xin-loi-soan');
    await Promise.all([page.waitForURL(/ok=issued/), page.getByRole('button', { name: 'Phát hành (cấp số)' }).click()]);
    const number = (await text(page, '.letter-number strong')).trim();
    expect(number).toMatch(/^\d+\/XL/);
    await screenshot(page, '16-thu-xin-loi-da-phat-hanh');

    await Promise.all([page.waitForURL(/\/in$/), page.getByRole('link', { name: 'In (A4)' }).click()]);
    await screenshot(page, '17-thu-xin-loi-ban-in', true);
    const pdf = await printToPdf(page, path.join(e.dir, 'thu-xin-loi.pdf'));
    const flat = pdf.text.replace(/\s+/g, ' ');
    expect(flat).toContain(`Số: ${number}`);
    expect(flat).toContain(e.lateCode);
    expect(flat).toContain(LATE_APPLICANT);
    expect(flat).toContain('xác minh thêm thông tin thửa đất');
    expect(flat).toContain('Trần Văn Ký');
    expect(flat).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(pdf.pages).toBe(1);

    const dossier = await (await page.request.get(`${e.base}/api/v1/public/dossiers/${encodeURIComponent(e.lateCode)}`)).json();
    expect(new Date(dossier.appointmentAt).getTime()).toBeGreaterThan(Date.now());
    expect(letterUrl).toMatch(/\/thu-xin-loi\/\d+$/);
  });
});

describe('city staff', () => {
  let page: Page;
  beforeAll(async () => {
    page = (await e.open()).page;
  });

  it('when the city staff opens last month’s report and clicks a number, then the list has exactly that many dossiers, and the XLSX has the same number', async () => {
    await loginWithKeyboard(page, e.base, 'admin');
    await page.goto(`${e.base}/bao-cao`);
    await Promise.all([page.waitForURL(/period=month/), page.locator('nav.presets a', { hasText: 'Tháng trước' }).click()]);
    await screenshot(page, '18-bao-cao-thang-truoc');
    const heading = await text(page, '.report-heading');
    expect(heading).toMatch(/Kỳ báo cáo: Tháng \d{2}\/\d{4}/);

    // Each table of numbers is one Tab stop; the arrows move between its numbers, End to the row's last.
    const first = page.locator('table.report-table').first();
    expect(await first.locator('tbody a[tabindex="0"]').count()).toBe(1);
    expect(await first.locator('tbody a[tabindex="-1"]').count()).toBe((await first.locator('tbody a').count()) - 1);
    const focusedHref = () => page.evaluate<string>("document.activeElement.getAttribute('href') || ''");
    const row0 = first.locator('tbody tr').nth(0).locator('a');
    const row1 = first.locator('tbody tr').nth(1).locator('a');
    await row0.first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await focusedHref()).toBe(await row0.nth(1).getAttribute('href'));
    await page.keyboard.press('ArrowDown');
    expect(await focusedHref()).toBe(await row1.nth(1).getAttribute('href'));
    await page.keyboard.press('End');
    expect(await focusedHref()).toBe(await row1.last().getAttribute('href'));
    expect(await row1.last().getAttribute('tabindex')).toBe('0');
    // Tab leaves the table: to the next one's single stop.
    await page.keyboard.press('Tab');
    expect(await page.evaluate("[...document.querySelectorAll('table.report-table')].indexOf(document.activeElement.closest('table'))")).toBe(1);

    // The total row of the first table: (3) received, (10) resolved late.
    const total = page.locator('table.report-table').first().locator('tr.total');
    const cell = async (col: number) => total.locator('td, th').nth(col - 1);
    const receivedTotal = Number((await (await cell(3)).innerText()).replace(/\./g, ''));
    const late = Number((await (await cell(10)).innerText()).replace(/\./g, ''));
    expect(receivedTotal).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(0);

    await Promise.all([page.waitForURL(/report=resolved\.late/), (await cell(10)).locator('a').click()]);
    expect(await text(page, '.report-cell')).toContain(`${late.toLocaleString('de-DE')} hồ sơ`);
    expect(await text(page, 'h1 small')).toBe(`(${late.toLocaleString('de-DE')})`);
    // Every dossier of the list, page by page: as many as the number, none twice, each resolved after its deadline.
    const codes = new Set<string>();
    for (let n = 0; n < 50; n++) {
      for (const c of await page.locator('table.data tbody td.code a').allInnerTexts()) codes.add(c.trim());
      const next = page.locator('.pager a[rel=next]');
      if (!(await next.count())) break;
      await Promise.all([page.waitForURL(new RegExp(`[?&]page=${n + 2}(&|$)`)), next.first().click()]);
    }
    expect(codes.size).toBe(late);
    await screenshot(page, '19-ho-so-tu-bao-cao');

    await page.goto(`${e.base}/bao-cao`);
  });

  it('when the city staff downloads the XLSX, then it opens with the same total', async () => {
    await page.locator('nav.presets a', { hasText: 'Tháng trước' }).click();
    await page.waitForURL(/period=month/);
    const total = page.locator('table.report-table').first().locator('tr.total');
    const late = Number((await total.locator('td, th').nth(9).innerText()).replace(/\./g, ''));
    const received = Number((await total.locator('td, th').nth(2).innerText()).replace(/\./g, ''));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải Excel (.xlsx)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^bao-cao-II06a_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.xlsx$/);
    const file = path.join(e.dir, download.suggestedFilename());
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync(file) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    let totalRow: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (!totalRow && String(row.getCell(2).value).trim() === 'Tổng cộng') totalRow = row;
    });
    expect(totalRow).toBeDefined();
    expect(Number(totalRow!.getCell(3).value)).toBe(received);
    expect(Number(totalRow!.getCell(10).value)).toBe(late);

    await page.goto(`${e.base}${await page.getByRole('link', { name: 'Bản in (A4 ngang)' }).getAttribute('href')}`);
    await screenshot(page, '20-bao-cao-ban-in', true);
  });
});

describe('citizen', () => {
  it('when the citizen opens the URL of the receipt’s QR code, then the look-up shows the dossier without personal data', async () => {
    expect(receiptLookupUrl).not.toBe('');
    const { page } = await e.open(); // not logged in
    await page.goto(receiptLookupUrl);
    expect(new URL(page.url()).pathname).toBe(`/tra-cuu/${encodeURIComponent(code)}`);
    const result = await text(page, '.lookup-result');
    expect(result).toContain(code);
    expect(result).toContain('Đã trả kết quả');
    expect(await page.content()).not.toContain(APPLICANT);
    await screenshot(page, '21-tra-cuu-cong-dan');
  });
});

describe('every main page', () => {
  // [screenshot name or null when a flow above already saved one, path]
  const PAGES: Record<string, Array<[string | null, () => string]>> = {
    '': [
      ['01-dang-nhap', () => '/dang-nhap'],
      ['23-tra-cuu', () => '/tra-cuu'],
      [null, () => `/tra-cuu/${encodeURIComponent(code)}`],
    ],
    motcua: [
      ['02-ho-so-danh-sach', () => '/ho-so'],
      ['22-trang-chu-can-bo', () => '/'],
      [null, () => '/ho-so/moi'],
      [null, () => `/ho-so/${encodeURIComponent(code)}`],
      [null, () => `/ho-so/${encodeURIComponent(code)}/giay-tiep-nhan`],
      [null, () => `/ho-so/${encodeURIComponent(code)}/phieu-kiem-soat`],
      [null, () => '/ho-so?late=1&status=open'],
      ['36-so-theo-doi', () => '/ho-so/so-theo-doi'],
    ],
    lanhdao: [
      [null, () => '/theo-doi'],
      [null, () => '/thu-xin-loi'],
      ['24-thu-xin-loi-da-phat-hanh-danh-sach', () => '/thu-xin-loi?status=issued'],
      [null, () => `/ho-so/${encodeURIComponent(e.lateCode)}`],
      ['25-bao-cao-lanh-dao', () => '/bao-cao'],
    ],
    admin: [
      ['26-quan-tri', () => '/quan-tri'],
      ['27-quan-tri-nguoi-dung', () => '/quan-tri/nguoi-dung'],
      ['28-quan-tri-them-nguoi-dung', () => '/quan-tri/nguoi-dung/moi'],
      ['29-quan-tri-thu-tuc', () => '/quan-tri/thu-tuc'],
      ['30-quan-tri-them-thu-tuc', () => '/quan-tri/thu-tuc/moi'],
      ['31-quan-tri-linh-vuc', () => '/quan-tri/linh-vuc'],
      ['32-quan-tri-lich', () => '/quan-tri/lich'],
      ['33-quan-tri-nhat-ky', () => '/quan-tri/nhat-ky'],
      ['34-quan-tri-nhap-du-lieu', () => '/quan-tri/nhap-du-lieu'],
      ['35-mau-thu-xin-loi', () => '/thu-xin-loi/mau'],
      [null, () => '/bao-cao'],
    ],
  };

  for (const [username, pages] of Object.entries(PAGES)) {
    it(`when ${username || 'a citizen'} opens each main page, then every input has a label, every table has headers, text has enough contrast and the keyboard focus shows`, async () => {
      const { page } = await e.open();
      if (username) await loginWithKeyboard(page, e.base, username);
      const problems: string[] = [];
      const visit = async (name: string | null, url: string) => {
        const res = await page.goto(`${e.base}${url}`);
        expect(res?.status(), url).toBe(200);
        if (name) await screenshot(page, name);
        const audit = await auditPage(page);
        for (const [kind, list] of Object.entries(audit)) for (const item of list as string[]) problems.push(`${url} ${kind}: ${item}`);
      };
      for (const [name, url] of pages) await visit(name, url());
      if (username === 'motcua') {
        // today's register holds the dossier the clerk received above, on its own line
        await page.setViewportSize({ width: 1280, height: 768 });
        await page.goto(`${e.base}/ho-so/so-theo-doi`);
        expect(await page.locator('table.register-grid tbody tr', { hasText: code }).count()).toBe(1);
        // its toolbar on one line at 1280 px: the days in numbers beside the fields, not in words
        expect(await page.locator('#reg-from + .date-words').innerText()).toMatch(/^(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật) \d\d\/\d\d\/\d{4}$/);
        const bar = (await page.locator('.register-toolbar').boundingBox())!;
        const button = (await page.getByRole('button', { name: 'Xem' }).boundingBox())!;
        expect(bar.height).toBeLessThan(2 * button.height + 16);
        await page.setViewportSize(VIEWPORT);
        // a request the desk cannot receive: refused from the intake form, with a reason, and its slip printed
        await page.goto(`${e.base}/ho-so/moi`);
        await autofocused(page, 'procedure-filter');
        await page.keyboard.type('biện pháp bảo đảm quyền sử dụng đất');
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.keyboard.type('Đinh Văn Từ Chối');
        await page.getByText('Không tiếp nhận được?').click();
        await page.getByLabel('Lý do từ chối tiếp nhận *').fill('Thủ tục thuộc thẩm quyền của Ủy ban nhân dân cấp xã nơi cư trú.');
        // Ctrl+Enter in the reason presses the refusal's own button (it sent the form without one: a dossier received)
        await Promise.all([page.waitForURL(/\/ho-so\/tu-choi\/\d+\?ok=refused$/), page.getByLabel('Lý do từ chối tiếp nhận *').press('Control+Enter')]);
        const slip = await text(page, '.sheet');
        expect(slip).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
        expect(slip).toContain('Đinh Văn Từ Chối');
        expect(slip).toContain('Thủ tục thuộc thẩm quyền của Ủy ban nhân dân cấp xã nơi cư trú.');
        await screenshot(page, '37-phieu-tu-choi');
        const slipPdf = await printToPdf(page, path.join(e.dir, 'phieu-tu-choi.pdf'));
        expect(slipPdf.pages).toBe(1);
        expect(slipPdf.text.replace(/\s+/g, ' ')).toContain('Đinh Văn Từ Chối');
        await visit(null, new URL(page.url()).pathname);
        await visit('38-phieu-tu-choi-danh-sach', '/ho-so/tu-choi');
        // the supplement request of the clerk's dossier, from its link in the history
        await page.goto(`${e.base}/ho-so/${encodeURIComponent(code)}`);
        const href = await page.getByRole('link', { name: 'In phiếu yêu cầu bổ sung' }).getAttribute('href');
        await visit(null, href!);
      }
      if (username === 'lanhdao') {
        await page.goto(`${e.base}/ho-so/${encodeURIComponent(e.lateCode)}`);
        const href = await page.locator('a[href^="/thu-xin-loi/"]').first().getAttribute('href');
        await visit(null, href!);
        await visit(null, `${href}/in`);
        await page.goto(`${e.base}/bao-cao`);
        await visit(null, (await page.getByRole('link', { name: 'Bản in (A4 ngang)' }).getAttribute('href'))!);
      }
      if (username === 'admin') {
        // the wording of the receipt: a closing note for every agency, seen in the preview on one A5 page, then dropped
        await visit('39-loi-van-mau-phieu', '/quan-tri/mau-phieu?form=receipt');
        await page.getByLabel(/Ghi chú cuối phiếu/).fill('Khi đến nhận kết quả, {{danh_xung}} mang theo giấy này.\nHẹn trả: {{hen_tra}}.');
        await Promise.all([page.waitForURL(/ok=saved/), page.getByRole('button', { name: 'Lưu lời văn' }).click()]);
        expect(await text(page, '.flash')).toContain('Đã lưu lời văn của phiếu.');
        await visit(null, (await page.getByRole('link', { name: 'Xem thử bản in' }).getAttribute('href'))!);
        const sheet = await text(page, '.sheet');
        expect(sheet).toContain('Khi đến nhận kết quả, ông/bà mang theo giấy này.');
        expect(sheet).toMatch(/Hẹn trả: \d\d giờ \d\d phút, ngày \d\d tháng \d\d năm \d{4}\./);
        const previewPdf = await printToPdf(page, path.join(e.dir, 'xem-thu-giay-tiep-nhan.pdf'));
        expect(previewPdf.pages).toBe(1);
        await page.goto(`${e.base}/quan-tri/mau-phieu?form=receipt`);
        page.once('dialog', (dialog) => void dialog.accept());
        await Promise.all([page.waitForURL(/ok=reset/), page.getByRole('button', { name: /Xóa, dùng lời văn/ }).click()]);
        expect(await page.getByLabel(/Ghi chú cuối phiếu/).inputValue()).toBe('');
      }
      expect(problems).toEqual([]);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { FORM_TEXTS, printedTexts, readTexts, renderText, resolveTexts, unknownPlaceholders, paperLine } from '../../../src/forms/texts';

// The forms' wording an admin edits (FORMS.md): defaults of the circular, layers per agency, the admin's input
// checked slot by slot, and the printed lines.

describe('the wording of a form, layer over layer', () => {
  it('when nothing is stored, then each slot is the circular\'s wording', () => {
    expect(resolveTexts('refusal')).toEqual({
      title: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
      intro: 'Qua xem xét, {{co_quan}} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:',
      closing: 'Xin thông báo để {{danh_xung}} được biết và thực hiện.',
      signer: 'Người tiếp nhận hồ sơ',
    });
    // The receipt has no lead sentence to edit; its closing note prints nothing until an admin writes one.
    expect(resolveTexts('receipt')).toEqual({ title: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả', intro: '', closing: '', signer: 'Người tiếp nhận hồ sơ' });
  });

  it('when an agency and every agency set slots, then the agency\'s own wins slot by slot and blanks inherit', () => {
    const agency = { title: 'PHIẾU TỪ CHỐI (riêng)', closing: '   ' };
    const every = { title: 'Phiếu từ chối (chung)', closing: 'Trân trọng.', signer: 'Công chức tiếp nhận' };
    expect(resolveTexts('refusal', agency, every)).toEqual({
      title: 'PHIẾU TỪ CHỐI (riêng)',
      intro: FORM_TEXTS.refusal.slots[1].defaultText,
      closing: 'Trân trọng.',
      signer: 'Công chức tiếp nhận',
    });
    // A slot the form does not have is never taken from a layer.
    expect(resolveTexts('receipt', { intro: 'Không thuộc giấy tiếp nhận' }).intro).toBe('');
  });
});

describe('an admin\'s input', () => {
  it('when the texts are well formed, then they are kept trimmed, in NFC, with plain line ends', () => {
    const decomposed = 'Người nhận'.normalize('NFD');
    const { input, errors } = readTexts('supplement', {
      title: `  ${decomposed}  `,
      intro: 'Đề nghị {{danh_xung}} bổ sung:\r\nGồm:',
      closing: '',
      signer: 'Cán bộ hướng dẫn',
      _csrf: 'ignored',
    });
    expect(errors).toEqual({});
    expect(input).toEqual({ title: 'Người nhận', intro: 'Đề nghị {{danh_xung}} bổ sung:\nGồm:', closing: '', signer: 'Cán bộ hướng dẫn' });
    expect(input.title).toBe(input.title.normalize('NFC'));
  });

  it('when a slot names a placeholder the form does not have, is too long, has two lines where one goes, or is not text, then that slot says why', () => {
    const { errors } = readTexts('refusal', {
      title: 'Phiếu\nhai dòng',
      intro: 'Hồ sơ {{ma_ho_so}} của {{ ten_nguoi }}',
      closing: 'x'.repeat(3001),
      signer: ['a', 'b'],
    });
    expect(errors).toEqual({
      title: 'Chỉ một dòng.',
      intro:
        'Không có trường thay thế: {{ma_ho_so}}, {{ten_nguoi}}. Phiếu này dùng được: {{co_quan}}, {{danh_xung}}, {{nguoi_nop}}, {{thu_tuc}}.',
      closing: 'Tối đa 3000 ký tự (đang có 3001).',
      signer: 'Giá trị không hợp lệ.',
    });
    // The receipt knows the appointment and the code; a control character is refused.
    expect(readTexts('receipt', { closing: 'Hẹn {{hen_tra}}, mã {{ma_ho_so}}, tra cứu {{tra_cuu}}' }).errors).toEqual({});
    expect(readTexts('receipt', { closing: 'chuông\u0007' }).errors.closing).toMatch(/ký tự điều khiển/);
    // The dates of a stop belong to the notice to stop processing only.
    expect(readTexts('stop', { intro: 'Từ {{ngay_tiep_nhan}} đến {{ngay_dung}}' }).errors).toEqual({});
    expect(readTexts('receipt', { closing: 'Dừng ngày {{ngay_dung}}' }).errors.closing).toMatch(/^Không có trường thay thế: \{\{ngay_dung\}\}\./);
  });
});

describe('the printed wording', () => {
  it('when printed, then placeholders are filled, {{danh_xung}} is ông/bà and paragraphs are the non-empty lines', () => {
    const texts = { ...resolveTexts('supplement'), closing: 'Liên hệ {{co_quan}} về hồ sơ {{ma_ho_so}}.\n\n  Tra cứu: {{tra_cuu}}  ' };
    expect(printedTexts('supplement', texts, { co_quan: 'Phường Ninh Kiều', ma_ho_so: 'H13-1', tra_cuu: 'https://x/tra-cuu/H13-1' })).toEqual({
      title: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
      intro: ['Yêu cầu ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung như sau:'],
      closing: ['Liên hệ Phường Ninh Kiều về hồ sơ H13-1.', 'Tra cứu: https://x/tra-cuu/H13-1'],
      signer: 'Người hướng dẫn',
    });
    expect(printedTexts('receipt', resolveTexts('receipt'), {}).closing).toEqual([]);
  });

  it('when a text names a placeholder with no value, then it stays as written; unknownPlaceholders lists each once', () => {
    expect(renderText('{{ma_ho_so}} / {{khong_co}}', { ma_ho_so: 'X-1' })).toBe('X-1 / {{khong_co}}');
    expect(unknownPlaceholders('{{a}} {{ a }} {{co_quan}} {{b}}', { co_quan: '' })).toEqual(['a', 'b']);
  });
});

describe('paperLine', () => {
  it('when a line of papers ends with its counts in brackets, then the name and each kind\'s count come apart', () => {
    expect(paperLine('Giấy chứng nhận quyền sử dụng đất (01 bản chính, 1 bản photo)')).toEqual({ name: 'Giấy chứng nhận quyền sử dụng đất', original: 1, certified: null, photo: 1 });
    expect(paperLine('Hợp đồng chuyển nhượng (2 bản sao có chứng thực)')).toEqual({ name: 'Hợp đồng chuyển nhượng', original: null, certified: 2, photo: null });
    expect(paperLine('Đơn đề nghị (bản chính)')).toEqual({ name: 'Đơn đề nghị', original: 1, certified: null, photo: null });
    expect(paperLine('Bản sao CCCD (bản sao)')).toEqual({ name: 'Bản sao CCCD', original: null, certified: null, photo: 1 });
    expect(paperLine('To khai (ban chinh + ban sao chung thuc; BẢN CHỤP)')).toEqual({ name: 'To khai', original: 1, certified: 1, photo: 1 });
  });
  it('when the brackets say anything else, or there are none, then the line stays whole without counts', () => {
    for (const line of ['Sơ đồ thửa đất (nếu có)', 'Tờ khai đăng ký đất đai', 'Giấy tờ (bản chính, nếu có)', 'Bản vẽ (100 bản chính)', '(bản chính)']) {
      expect(paperLine(line), line).toEqual({ name: line, original: null, certified: null, photo: null });
    }
  });
});

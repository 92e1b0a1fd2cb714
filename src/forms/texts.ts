// The wording of the forms the desk prints (FORMS.md: "keep the texts in templates an admin can edit, and keep the
// layout"): each form's sentences that differ between circulars and provinces are slots with the circular's wording
// as default; an admin may set any slot for every agency ('*') or for one agency. The lines that carry the dossier's
// facts (name, address, the numbered items, the table) stay in the layout. The apology letter has its own, richer
// template (letters/draft.ts); the {{placeholder}} syntax is the same.
import type { FormRegime } from './regime';
import { CONTROL_CHARS } from '../shared/validation';

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Placeholders a text uses that are not among `known` (a template with a typo is refused, not printed). */
export function unknownPlaceholders(text: string, known: Readonly<Record<string, string>>): string[] {
  const unknown = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) if (!(m[1] in known)) unknown.add(m[1]);
  return [...unknown];
}

/** The text with each known placeholder replaced; an unknown one is left as written. */
export function renderText(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => (key in values ? values[key] : whole));
}

/** The forms whose wording an admin edits here. */
export const FORM_KEYS = ['receipt', 'supplement', 'refusal', 'stop'] as const;
export type FormKey = (typeof FORM_KEYS)[number];

export const SLOT_KEYS = ['title', 'intro', 'closing', 'signer'] as const;
export type SlotKey = (typeof SLOT_KEYS)[number];

export interface TextSlot {
  key: SlotKey;
  label: string;
  /** one line (title, signer) or paragraphs, one a line */
  multiline: boolean;
  max: number;
  /** the circular's wording; '' prints nothing */
  defaultText: string;
}

export interface FormTextsDefinition {
  key: FormKey;
  name: string;
  regimeNumber: keyof FormRegime['numbers'];
  slots: readonly TextSlot[];
  /** the placeholders this form's texts may use, with what each becomes */
  placeholders: Readonly<Record<string, string>>;
}

const COMMON_PLACEHOLDERS = {
  co_quan: 'Tên bộ phận, cơ quan tiếp nhận hồ sơ (như ở đầu phiếu)',
  danh_xung: 'Cách gọi người nộp: ông/bà',
  nguoi_nop: 'Họ tên người nộp hoặc tên tổ chức',
  thu_tuc: 'Tên thủ tục hành chính',
};
const DOSSIER_PLACEHOLDERS = {
  ...COMMON_PLACEHOLDERS,
  ma_ho_so: 'Mã hồ sơ',
  tra_cuu: 'Địa chỉ trang tra cứu hồ sơ',
};

const title = (defaultText: string): TextSlot => ({ key: 'title', label: 'Tên phiếu', multiline: false, max: 300, defaultText });
const signer = (defaultText: string): TextSlot => ({ key: 'signer', label: 'Chức danh người ký của bộ phận', multiline: false, max: 200, defaultText });
const paragraphs = (key: 'intro' | 'closing', label: string, defaultText: string): TextSlot => ({ key, label, multiline: true, max: 3000, defaultText });

export const FORM_TEXTS: Readonly<Record<FormKey, FormTextsDefinition>> = {
  receipt: {
    key: 'receipt',
    name: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
    regimeNumber: 'receipt',
    slots: [
      title('Giấy tiếp nhận hồ sơ và hẹn trả kết quả'),
      paragraphs('closing', 'Ghi chú cuối phiếu, trước dòng vào sổ (mỗi dòng một đoạn; để trống: không in)', ''),
      signer('Người tiếp nhận hồ sơ'),
    ],
    placeholders: { ...DOSSIER_PLACEHOLDERS, hen_tra: 'Thời gian trả kết quả (… giờ … phút, ngày … tháng … năm …)' },
  },
  supplement: {
    key: 'supplement',
    name: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
    regimeNumber: 'supplement',
    slots: [
      title('Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ'),
      paragraphs('intro', 'Câu dẫn trước bảng thành phần cần bổ sung', 'Yêu cầu {{danh_xung}} bổ sung, hoàn thiện hồ sơ gồm những nội dung như sau:'),
      paragraphs(
        'closing',
        'Đoạn cuối, sau lý do (mỗi dòng một đoạn)',
        'Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {{danh_xung}} liên hệ {{co_quan}} hoặc tra cứu tình trạng hồ sơ bằng mã hồ sơ tại trang tra cứu để được hướng dẫn.',
      ),
      signer('Người hướng dẫn'),
    ],
    placeholders: DOSSIER_PLACEHOLDERS,
  },
  refusal: {
    key: 'refusal',
    name: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
    regimeNumber: 'refusal',
    slots: [
      title('Phiếu từ chối tiếp nhận giải quyết hồ sơ'),
      paragraphs('intro', 'Câu dẫn trước lý do từ chối', 'Qua xem xét, {{co_quan}} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:'),
      paragraphs('closing', 'Đoạn cuối, sau lý do (mỗi dòng một đoạn)', 'Xin thông báo để {{danh_xung}} được biết và thực hiện.'),
      signer('Người tiếp nhận hồ sơ'),
    ],
    placeholders: COMMON_PLACEHOLDERS,
  },
  stop: {
    key: 'stop',
    name: 'Thông báo dừng giải quyết hồ sơ',
    regimeNumber: 'stopNotice',
    slots: [
      title('Thông báo dừng giải quyết hồ sơ'),
      paragraphs(
        'intro',
        'Đoạn mở đầu, trước lý do (mỗi dòng một đoạn)',
        [
          'Ngày {{ngay_tiep_nhan}}, {{co_quan}} tiếp nhận hồ sơ đề nghị giải quyết thủ tục hành chính: {{thu_tuc}} của {{nguoi_nop}}; Mã hồ sơ: {{ma_ho_so}}.',
          'Ngày {{ngay_dung}}, {{co_quan}} dừng giải quyết hồ sơ nêu trên.',
        ].join('\n'),
      ),
      paragraphs('closing', 'Đoạn cuối, sau lý do (mỗi dòng một đoạn)', 'Xin thông báo để {{danh_xung}} được biết.'),
      signer('Người tiếp nhận hồ sơ'),
    ],
    placeholders: {
      ...DOSSIER_PLACEHOLDERS,
      ngay_tiep_nhan: 'Ngày tiếp nhận hồ sơ (dd/mm/yyyy)',
      ngay_dung: 'Ngày dừng giải quyết (dd/mm/yyyy)',
    },
  },
};

/** The receiving desk's name as the forms print it ({{co_quan}}, the letterhead). */
export function deskNameOf(agency: { name: string } | null | undefined): string {
  return agency?.name ?? 'Bộ phận tiếp nhận và trả kết quả';
}

export function isFormKey(value: unknown): value is FormKey {
  return (FORM_KEYS as readonly unknown[]).includes(value);
}

/** What an admin stored for one form and one agency (or every agency): the slots set, others absent. */
export type StoredTexts = Partial<Record<SlotKey, string>>;

/** A form's slots: the agency's own over every agency's over the circular's wording, slot by slot. */
export function resolveTexts(form: FormKey, ...stored: (StoredTexts | null | undefined)[]): Record<SlotKey, string> {
  const result = { title: '', intro: '', closing: '', signer: '' } as Record<SlotKey, string>;
  for (const slot of FORM_TEXTS[form].slots) {
    const own = stored.map((layer) => layer?.[slot.key]?.trim()).find((v) => v);
    result[slot.key] = own ?? slot.defaultText;
  }
  return result;
}

/** An admin's input for a form: each slot trimmed, '' where left empty (the inherited text applies). */
export type TextsInput = Record<SlotKey, string>;

/**
 * An admin's form as texts to save, and what is wrong with them by slot, in Vietnamese (none: they may be saved).
 * Each slot's text is trimmed, in NFC (as all stored text), with Windows line ends made plain.
 */
export function readTexts(form: FormKey, body: Readonly<Record<string, unknown>>): { input: TextsInput; errors: Partial<Record<SlotKey, string>> } {
  const def = FORM_TEXTS[form];
  const input: TextsInput = { title: '', intro: '', closing: '', signer: '' };
  const errors: Partial<Record<SlotKey, string>> = {};
  for (const slot of def.slots) {
    const raw = body[slot.key];
    if (raw !== undefined && typeof raw !== 'string') {
      errors[slot.key] = 'Giá trị không hợp lệ.';
      continue;
    }
    const text = (raw ?? '').normalize('NFC').replace(/\r\n?/g, '\n').trim();
    input[slot.key] = text;
    if (text.length > slot.max) errors[slot.key] = `Tối đa ${slot.max} ký tự (đang có ${text.length}).`;
    else if (!slot.multiline && text.includes('\n')) errors[slot.key] = 'Chỉ một dòng.';
    else if (CONTROL_CHARS.test(text)) errors[slot.key] = 'Có ký tự điều khiển không in được; hãy gõ lại đoạn này.';
    else {
      const unknown = unknownPlaceholders(text, def.placeholders);
      if (unknown.length) {
        errors[slot.key] =
          `Không có trường thay thế: ${unknown.map((u) => `{{${u}}}`).join(', ')}. ` +
          `Phiếu này dùng được: ${Object.keys(def.placeholders).map((k) => `{{${k}}}`).join(', ')}.`;
      }
    }
  }
  return { input, errors };
}

/** The printed wording: every slot with its placeholders filled, paragraphs split into lines. */
export interface PrintedTexts {
  title: string;
  intro: string[];
  closing: string[];
  signer: string;
}

/** {{danh_xung}}: the forms do not know whether the applicant is a man, a woman or an organisation. */
const SALUTATION = 'ông/bà';

export function printedTexts(form: FormKey, texts: Readonly<Record<SlotKey, string>>, facts: Readonly<Record<string, string>>): PrintedTexts {
  const values = { danh_xung: SALUTATION, ...facts };
  const lines = (text: string) =>
    renderText(text, values)
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  const oneLine = (text: string) => renderText(text, values).trim();
  const has = new Set(FORM_TEXTS[form].slots.map((s) => s.key));
  return {
    title: oneLine(texts.title),
    intro: has.has('intro') ? lines(texts.intro) : [],
    closing: has.has('closing') ? lines(texts.closing) : [],
    signer: oneLine(texts.signer),
  };
}

/** A paper of a list (the supplement request's table) with its counts by kind, when its line says them. */
export interface PaperLine {
  name: string;
  original: number | null;
  certified: number | null;
  photo: number | null;
}

/** The kinds of copy a paper comes as, written with or without marks; "bản sao" alone is a plain copy. */
const PAPER_KINDS: [kind: 'original' | 'certified' | 'photo', words: RegExp][] = [
  ['original', /^(?:bản|ban) (?:chính|chinh)$/],
  ['certified', /^(?:bản|ban) (?:sao )?(?:(?:có|co) )?(?:chứng|chung) (?:thực|thuc)$/],
  ['photo', /^(?:(?:bản|ban) )?(?:photo|chụp|chup|sao)$/],
];

/**
 * A line of papers as a clerk writes it, "Giấy chứng nhận quyền sử dụng đất (01 bản chính, 1 bản photo)": the name
 * and the counts its last brackets give, each part a kind with or without a number (none is one). A line whose
 * brackets say anything else ("Sơ đồ thửa đất (nếu có)") is kept whole, without counts: the clerk fills them by hand.
 */
export function paperLine(line: string): PaperLine {
  const whole: PaperLine = { name: line, original: null, certified: null, photo: null };
  const m = /^(.*\S)\s*\(([^()]+)\)\s*$/.exec(line);
  if (!m) return whole;
  const counts: PaperLine = { name: m[1], original: null, certified: null, photo: null };
  for (const part of m[2].split(/[,;+]/)) {
    const p = /^\s*(?:(\d{1,2})\s+)?(.+?)\s*$/.exec(part.toLowerCase().replace(/\s+/g, ' '));
    const kind = p && PAPER_KINDS.find(([, words]) => words.test(p[2]))?.[0];
    if (!p || !kind) return whole;
    counts[kind] = (counts[kind] ?? 0) + (p[1] ? Number(p[1]) : 1);
  }
  return counts;
}

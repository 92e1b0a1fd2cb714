// Vietnamese display formats; local time is always UTC+7 (Vietnam keeps no daylight saving).
const OFFSET_MS = 7 * 60 * 60 * 1000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The instant moved by UTC+7, read with the getUTC… methods. */
function local(instant: Date | string): Date {
  return new Date((typeof instant === 'string' ? Date.parse(instant) : instant.getTime()) + OFFSET_MS);
}

/**
 * The local hour of an instant written as the database writes instants ("2026-11-25T03:00:00.000Z", UTC), read off
 * the text, when its local day is the day the text names (before 17:00 UTC); null otherwise, and for any other value.
 * A list page formats about 150 instants: read off the text, 90 ns each, against 400 parsed into a Date.
 */
function sameDayLocalHour(value: Date | string): number | null {
  if (typeof value !== 'string' || value.length !== 24 || value.charCodeAt(10) !== 84 /* T */ || value.charCodeAt(23) !== 90 /* Z */) return null;
  const hour = (value.charCodeAt(11) - 48) * 10 + (value.charCodeAt(12) - 48) + 7;
  return hour >= 7 && hour < 24 ? hour : null;
}

/** "dd/mm/yyyy" of a text sameDayLocalHour reads. */
const dayOfText = (value: string) => `${value.slice(8, 10)}/${value.slice(5, 7)}/${value.slice(0, 4)}`;

/** "dd/mm/yyyy" and "HH:MM" of an instant already moved by local(). */
const dayOf = (l: Date) => `${pad(l.getUTCDate())}/${pad(l.getUTCMonth() + 1)}/${l.getUTCFullYear()}`;
const clockOf = (l: Date) => `${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}`;

// One collator: localeCompare(b, 'vi') builds a new one at every comparison (tens of milliseconds per report).
const VIETNAMESE = new Intl.Collator('vi');

/** Vietnamese alphabetical order (Đ after D, tones after the bare letter), for sorting names. */
export function compareVietnamese(a: string, b: string): number {
  return VIETNAMESE.compare(a, b);
}

/** 613655 -> "613.655" */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  const [int, frac] = Math.abs(n).toString().split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return (n < 0 ? '-' : '') + grouped + (frac ? `,${frac}` : '');
}

/**
 * A list page's title: its heading and what narrows the list ("Danh sách hồ sơ: chưa xong, trang 2"), so that lists
 * open in tabs, or announced by a screen reader, can be told apart (WCAG 2.4.2).
 */
export function narrowedTitle(heading: string, parts: (string | false | null | undefined)[]): string {
  const kept = parts.filter((p): p is string => !!p);
  return kept.length ? `${heading}: ${kept.join(', ')}` : heading;
}

/** An instant or a YYYY-MM-DD date -> "dd/mm/yyyy" (instants shown in UTC+7). */
export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return '';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-');
    return `${d}/${m}/${y}`;
  }
  if (sameDayLocalHour(value) !== null) return dayOfText(value as string);
  return dayOf(local(value));
}

/**
 * An instant as a spreadsheet's date and time: the local (UTC+7) clock's, since a spreadsheet's dates have no zone
 * and exceljs writes a Date's UTC fields. Shown with the format SHEET_DATE_TIME it reads as formatDateTime writes.
 */
export function sheetDateTime(value: Date | string | null | undefined): Date | null {
  return value ? local(value) : null;
}

/** The spreadsheet's number format of an instant from sheetDateTime: "10:00 25/02/2026". */
export const SHEET_DATE_TIME = 'hh:mm dd/mm/yyyy';

export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  return clockOf(local(value));
}

/** "10:00 25/02/2026" */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const hour = sameDayLocalHour(value);
  if (hour !== null) return `${pad(hour)}:${(value as string).slice(14, 16)} ${dayOfText(value as string)}`;
  // One parse for both halves.
  const l = local(value);
  return `${clockOf(l)} ${dayOf(l)}`;
}

const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

export function weekdayName(value: Date | string): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return WEEKDAYS[new Date(`${value}T00:00:00Z`).getUTCDay()];
  }
  return WEEKDAYS[local(value).getUTCDay()];
}

/** A document's number as Nghị định 30/2020 (Phụ lục I) writes it: a zero before one under 10 ("Số: 05/XL"). */
export function documentNumber(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Parts for the forms: "… giờ … phút, ngày … tháng … năm …". `month` has two digits, for "dd/mm/yyyy";
 * `monthInText` is the month written after "tháng" as Nghị định 30/2020 (Phụ lục I) wants it: a zero before 1 and 2
 * only ("tháng 02", "tháng 3"), as the apology letter already wrote it.
 */
export function dateParts(value: Date | string) {
  const l = local(value);
  const month = l.getUTCMonth() + 1;
  return {
    hour: pad(l.getUTCHours()),
    minute: pad(l.getUTCMinutes()),
    day: pad(l.getUTCDate()),
    month: pad(month),
    monthInText: month <= 2 ? pad(month) : String(month),
    year: String(l.getUTCFullYear()),
  };
}

/** UTC ISO instant -> ISO with +07:00 offset, as the API answers. */
export function isoLocal(value: Date | string | null | undefined): string | null {
  if (!value) return null;
  const l = local(value);
  return (
    `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())}` +
    `T${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())}+07:00`
  );
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(value: Date | string): string {
  const l = local(value);
  return `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())}`;
}

/** The date `n` days after (or before) a YYYY-MM-DD date. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Local "YYYY-MM-DD" + optional "HH:mm" -> the UTC instant. */
export function fromLocal(date: string, time = '00:00'): Date {
  return new Date(`${date}T${time}:00+07:00`);
}

const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** A copy of a flat record whose stored UTC instants are shown with +07:00, as everything in the API. */
export function localizeInstants<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = typeof v === 'string' && UTC_INSTANT.test(v) ? isoLocal(v) : v;
  return out as T;
}

const HTML_SPECIAL = /[&<>'"]/;
const HTML_SPECIALS = /[&<>'"]/g;
// EJS's entities: the templates' `<%= %>` write these too (shared/views.ts).
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * The text as HTML, in an element or a quoted attribute: what `<%= value %>` writes in a template (EJS's `escape`
 * option), nothing for null and undefined, as EJS's own. A text without any of the five characters, as nearly every
 * name, code and date is, is returned as it is after one test, where EJS replaced in every value with a function call
 * per match: 85-90 ns a value against 33 (in a loop over a list row's values; a late list of 50 rows writes about 550).
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return HTML_SPECIAL.test(text) ? text.replace(HTML_SPECIALS, (c) => HTML_ESCAPES[c]) : text;
}

export interface Choice {
  code: string;
  name: string;
}

/** Each choice list's tags, by the list: the catalog's lists are kept in memory and replaced, never changed. */
const optionTagsOf = new WeakMap<readonly Choice[], [code: string, tag: string][]>();

/**
 * The `<option>` tags of a choice list (the value is the code, the text the name), `selected` marked, `except` left
 * out. A list's tags are written once and reused while the list is: the dossier page's transfer form wrote its 119
 * agencies through the template on every request.
 */
export function optionTags(choices: readonly Choice[], selected?: string | null, except?: string | null): string {
  let tags = optionTagsOf.get(choices);
  if (!tags) {
    tags = choices.map((c) => [c.code, `<option value="${escapeHtml(c.code)}">${escapeHtml(c.name)}</option>`]);
    optionTagsOf.set(choices, tags);
  }
  let html = '';
  for (const [code, tag] of tags) {
    if (code === except) continue;
    html += code === selected ? `<option selected${tag.slice('<option'.length)}` : tag;
  }
  return html;
}

/**
 * Words of two syllables an agency's name is not broken inside when a letterhead wraps it ("TRUNG TÂM PHỤC VỤ HÀNH /
 * CHÍNH CÔNG" reads as a word cut in two), and the place its name ends with ("thành phố Cần Thơ", "phường Ninh Kiều"),
 * kept on one line. Vietnamese writes a word's syllables apart, so the browser may break at any of them.
 */
const NAME_WORDS = [
  'hành chính công', 'ủy ban', 'nhân dân', 'hành chính', 'phục vụ', 'trung tâm', 'văn phòng', 'chi nhánh', 'đăng ký', 'đất đai', 'nông nghiệp',
  'môi trường', 'tài nguyên', 'xây dựng', 'tư pháp', 'công thương', 'giao thông', 'vận tải', 'kế hoạch', 'đầu tư', 'tài chính',
  'y tế', 'giáo dục', 'đào tạo', 'lao động', 'thương binh', 'xã hội', 'văn hóa', 'thể thao', 'du lịch', 'khoa học', 'công nghệ',
  'thông tin', 'truyền thông', 'nội vụ', 'ngoại vụ', 'dân tộc', 'tôn giáo', 'công an', 'kinh tế', 'hạ tầng', 'đô thị', 'quản lý',
  'công nghiệp', 'dịch vụ', 'hộ tịch', 'chứng thực', 'doanh nghiệp', 'hợp tác', 'phát triển', 'sở hữu', 'trí tuệ',
];
const NAME_WORD = new RegExp(`(?<=^|\\s)(?:${NAME_WORDS.map((w) => w.replace(/ /g, '\\s+')).join('|')})(?=\\s|,|$)`, 'giu');
const NAME_PLACE = /(?<=^|\s)(?:thành phố|tỉnh|quận|huyện|thị xã|thị trấn|phường|xã|đặc khu)(?:\s+\S+){1,3}$/iu;

export function keepNameWordsTogether(name: string): string {
  const together = (s: string) => s.replace(/\s+/g, '\u00a0');
  return name.replace(NAME_PLACE, together).replace(NAME_WORD, together);
}

import { z, firstValue, optionalText, requiredText, CONTROL_CHARS, isRealDay, isRealIsoDate, wholeNumber } from '../shared/validation';
import { AGENCY_BASES, REPORT_COLUMNS } from '../reports/definitions';

export const CHANNELS = ['in_person', 'online', 'postal'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_NAMES: Record<Channel, string> = {
  in_person: 'Trực tiếp',
  online: 'Trực tuyến',
  postal: 'Dịch vụ bưu chính',
};

const noControl = (s: string | undefined) => s === undefined || !CONTROL_CHARS.test(s);
const NO_CONTROL_MSG = 'Chứa ký tự điều khiển không hợp lệ.';

/** Date.parse quietly rolls 30/02 over to 02/03: check the parts name a real day and time. */
function realCalendarParts(s: string): boolean {
  const [y, m, d, h, mi, sec] = [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10), s.slice(11, 13), s.slice(14, 16), s.slice(17, 19) || '0'].map(Number);
  return isRealDay(y, m, d) && h <= 23 && mi <= 59 && sec <= 59;
}

/** An instant with an explicit offset, e.g. 2026-02-13T10:00:00+07:00. */
export const instant = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/, 'Thời điểm phải theo ISO-8601 có múi giờ, ví dụ 2026-02-13T10:00:00+07:00.')
  .refine((s) => !Number.isNaN(Date.parse(s)) && realCalendarParts(s), 'Thời điểm không tồn tại.')
  .refine((s) => {
    const y = Number(s.slice(0, 4));
    return y >= 2000 && y <= 2100;
  }, 'Năm phải trong khoảng 2000–2100.')
  .transform((s) => new Date(s));

/**
 * The lengths of an identity number made of digits alone: CMND 9, a tax or enterprise code 10 (13 for a branch,
 * "0100111948-018"), CCCD 12. An 8- or 11-digit number is a digit missed or doubled, and was kept as typed.
 */
const ID_DIGITS = [9, 10, 12, 13];

export const applicantSchema = z.object({
  name: requiredText(200).refine(noControl, NO_CONTROL_MSG),
  // Spaces, dots and dashes are how the number is read out ("092 185 001 234"), not part of it.
  idNumber: optionalText(24)
    .transform((s) => (s === undefined ? s : withoutSeparators(s)))
    .refine(
      (s) => s === undefined || (/^\d+$/.test(s) ? ID_DIGITS.includes(s.length) : /^[0-9A-Za-z]{6,20}$/.test(s)),
      'Số giấy tờ không hợp lệ: CCCD 12 số, CMND 9 số, mã số doanh nghiệp, mã số thuế 10 hoặc 13 số; hộ chiếu gồm chữ và số.',
    ),
  // Kept as dialled in Vietnam (0939555777, from "+84 939 555 777"), the form the search finds it by.
  phone: optionalText(20)
    .transform((s) => (s === undefined ? s : nationalPhone(withoutSeparators(s))))
    .refine((s) => s === undefined || /^0[1-9]\d{8,9}$/.test(s), 'Số điện thoại không hợp lệ: di động 10 số (ví dụ 0912345678), cố định 11 số (ví dụ 02923820123).'),
  email: optionalText(200).refine((s) => s === undefined || z.email().safeParse(s).success, 'Địa chỉ e-mail không hợp lệ.'),
  address: optionalText(300).refine(noControl, NO_CONTROL_MSG),
});

export const intakeSchema = z.object({
  // Left blank (the picker's filter matched nothing, or no choice was made), the message says what to do.
  procedureCode: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string({ error: 'Chọn thủ tục.' }).min(1, 'Chọn thủ tục.').max(64)),
  agencyCode: optionalText(64),
  channel: z.enum(CHANNELS, { error: 'Chọn hình thức nộp: trực tiếp, trực tuyến hoặc bưu chính.' }),
  applicant: applicantSchema,
  sets: wholeNumber('Số bộ hồ sơ phải là số nguyên.').pipe(z.number().min(1, 'Ít nhất 1 bộ.').max(99, 'Tối đa 99 bộ.')).optional().transform((v) => v ?? 1),
  documents: optionalText(4000).refine(noControl, NO_CONTROL_MSG),
  receivedAt: instant.optional(),
});

export type IntakeInput = z.infer<typeof intakeSchema>;

/** A request the desk refuses to receive (Mẫu 03): what was asked, by whom, and why not. */
export const refusalSchema = z.object({
  // The intake's own message: the same picker, left empty, said "Không được để trống." here and "Chọn thủ tục." there.
  procedureCode: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string({ error: 'Chọn thủ tục công dân yêu cầu.' }).min(1, 'Chọn thủ tục công dân yêu cầu.').max(64)),
  agencyCode: optionalText(64),
  applicant: applicantSchema.pick({ name: true, phone: true, email: true, address: true }),
  reason: z
    .string({ error: 'Ghi lý do từ chối tiếp nhận.' })
    .trim()
    .min(5, 'Ghi lý do từ chối tiếp nhận (ít nhất 5 ký tự), để công dân biết cần làm gì.')
    .max(2000, 'Lý do tối đa 2.000 ký tự.')
    .refine(noControl, NO_CONTROL_MSG),
});

const yes = z.preprocess((v) => v === true || v === 'true' || v === '1', z.boolean());

/**
 * A hand scanner reading a receipt's QR code types the public lookup address (`…/tra-cuu/<code>`): searched for, it
 * means the dossier's code. Any other text is the search itself.
 */
export function scannedCode(text: string): string {
  const m = /^https?:\/\/\S*\/tra-cuu\/([^/?#\s]+)\/?(?:[?#]\S*)?$/i.exec(text);
  if (!m) return text;
  try {
    return decodeURIComponent(m[1]).trim() || text;
  } catch {
    return text;
  }
}

/**
 * A number typed in groups, as a phone or an identity number is read out ("0909 123 456"), is searched for without
 * its spaces, and a phone number in the national form ("+84 909 123 456" is 0909123456): intake keeps them that way.
 * Other text is left as typed.
 */
export function compactNumber(text: string): string {
  if (/^\d[\d ]*\d$/.test(text) && text.includes(' ') && text.replace(/ /g, '').length >= 8) return text.replace(/ /g, '');
  // A branch's tax code as printed, "0100111948-018" or "0100.111.948-018": intake keeps it bare. (A dash between
  // digits is otherwise a dossier code's: "260202-0001".)
  if (/^\d{4}\.?\d{3}\.?\d{3}-\d{3}$/.test(text)) return withoutSeparators(text);
  // A phone number as a citizen says or writes it ("0909.123.456", "+84 909 123 456"): as intake keeps it.
  const bare = withoutSeparators(text);
  return /^(\+84|0)[1-9]\d{7,9}$/.test(bare) ? nationalPhone(bare) : text;
}

/** A number without the spaces, dots and dashes it is read out or written with ("092 185 001 234", "0909.123.456"). */
function withoutSeparators(text: string): string {
  return text.replace(/[\s.-]/g, '');
}

/** +84… (Vietnam's country code) as dialled at home: 0…. */
export function nationalPhone(digits: string): string {
  return digits.startsWith('+84') ? `0${digits.slice(3)}` : digits;
}

/** The spellings a typed code is looked up under: as written, then in capitals (a code typed in lower case). */
export function codeSpellings(text: string): string[] {
  return [...new Set([text, text.toUpperCase()])];
}

export const listQuerySchema = z.object({
  status: firstValue(z.enum(['processing', 'awaiting_supplement', 'paused', 'resolved', 'returned', 'withdrawn', 'open']).optional()).catch(undefined),
  fieldCode: firstValue(optionalText(64)),
  agencyCode: firstValue(optionalText(64)),
  procedureCode: firstValue(optionalText(64)),
  late: firstValue(yes.optional()),
  dueSoon: firstValue(yes.optional()),
  // The head's watch (src/letters): deadline on or after / on or before a local date, and the apology letter.
  // A real date only: 2026-13-01 matches the pattern but is no day (it made an Invalid Date, then a 500).
  dueFrom: firstValue(z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(isRealIsoDate).optional()).catch(undefined),
  dueTo: firstValue(z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(isRealIsoDate).optional()).catch(undefined),
  letter: firstValue(z.enum(['issued', 'not_issued', 'draft']).optional()).catch(undefined),
  q: firstValue(optionalText(200)).transform((q) => (q === undefined ? q : compactNumber(scannedCode(q)))),
  sort: firstValue(z.enum(['due', '-due', 'received', '-received']).optional()).catch(undefined),
  page: firstValue(z.coerce.number().int().min(1).max(100_000).default(1)).catch(1),
  pageSize: firstValue(z.coerce.number().int().min(1).max(500).default(50)).catch(50),
  // Drill-down from the settlement report: the dossiers behind one number (src/reports/definitions.ts).
  report: firstValue(z.enum(REPORT_COLUMNS).optional()).catch(undefined),
  from: firstValue(optionalText(10)).catch(undefined),
  to: firstValue(optionalText(10)).catch(undefined),
  agencyBasis: firstValue(z.enum(AGENCY_BASES).optional()).catch(undefined),
  // The number was read in the report of all agencies (an agency's row of it): the way back leaves the agency out.
  reportScope: firstValue(z.enum(['all']).optional()).catch(undefined),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

/**
 * The API's list refuses a filter it cannot read (422 naming it, SPEC §7), where the pages' list drops it: a tool
 * asking `status=foo` or `report=bogus` got the whole unfiltered list and took it for the one it asked. Checked before
 * listQuerySchema reads the query; the keys it does not name (q, fieldCode, …) are free text.
 */
const apiDay = (what: string) =>
  firstValue(z.string({ error: `${what}: ngày dạng YYYY-MM-DD.` }).regex(/^\d{4}-\d{2}-\d{2}$/, `${what}: ngày dạng YYYY-MM-DD.`).refine(isRealIsoDate, `${what}: ngày này không có trên lịch.`).optional());
const apiFlag = (name: string) => firstValue(z.enum(['true', 'false', '1', '0'], { error: `${name} là true hoặc false.` }).optional());
const STATUS_FILTERS = ['processing', 'awaiting_supplement', 'paused', 'resolved', 'returned', 'withdrawn', 'open'] as const;
export const apiListChecks = z.looseObject({
  status: firstValue(z.enum(STATUS_FILTERS, { error: `status là một trong: ${STATUS_FILTERS.join(', ')}.` }).optional()),
  late: apiFlag('late'),
  dueSoon: apiFlag('dueSoon'),
  dueFrom: apiDay('dueFrom'),
  dueTo: apiDay('dueTo'),
  letter: firstValue(z.enum(['issued', 'not_issued', 'draft'], { error: 'letter là issued, not_issued hoặc draft.' }).optional()),
  sort: firstValue(z.enum(['due', '-due', 'received', '-received'], { error: 'sort là due, -due, received hoặc -received.' }).optional()),
  report: firstValue(z.enum(REPORT_COLUMNS, { error: `report là một trong: ${REPORT_COLUMNS.join(', ')}.` }).optional()),
  agencyBasis: firstValue(z.enum(AGENCY_BASES, { error: 'agencyBasis là handling hoặc receiving.' }).optional()),
  from: apiDay('from'),
  to: apiDay('to'),
  page: firstValue(z.coerce.number({ error: 'page là số nguyên từ 1.' }).int('page là số nguyên từ 1.').min(1, 'page là số nguyên từ 1.').max(100_000, 'page tối đa 100.000.').optional()),
  pageSize: firstValue(z.coerce.number({ error: 'pageSize là số nguyên 1–500.' }).int('pageSize là số nguyên 1–500.').min(1, 'pageSize là số nguyên 1–500.').max(500, 'pageSize là số nguyên 1–500.').optional()),
});

const localDay = (what: string) =>
  firstValue(
    z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string()
        .trim()
        .regex(/^\d{4}-\d{2}-\d{2}$/, `${what}: nhập ngày dạng ngày/tháng/năm.`)
        .refine(isRealIsoDate, `${what}: ngày này không có trên lịch.`)
        .optional(),
    ),
  );

/** The register's days (local dates; the page defaults them to today) and, for an admin, its desk. */
export const registerQuerySchema = z
  .object({ from: localDay('Từ ngày'), to: localDay('Đến ngày'), agency: firstValue(optionalText(64)) })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'Đến ngày phải từ "Từ ngày" trở về sau.' });

/** The register in the API: the same days, the desk as `agencyCode` (an admin's; SPEC §7 names agencies so). */
export const registerApiQuerySchema = z
  .object({ from: localDay('from'), to: localDay('to'), agencyCode: firstValue(optionalText(64)) })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to phải từ from trở về sau.' });

/** Lines of a textarea, or a JSON array: the missing papers of a supplement request. */
const itemList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/\r?\n/).map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().trim().min(1).max(300, 'Tối đa 300 ký tự cho mỗi giấy tờ: tách thành nhiều dòng.').refine(noControl, NO_CONTROL_MSG)).max(50).optional(),
);

/** A correction of what intake wrote of the applicant and the papers (a typo cannot be left on a citizen's dossier). */
export const correctionSchema = z.object({
  version: wholeNumber('version là số nguyên từ 1 (phiên bản hồ sơ).', 'Thiếu phiên bản hồ sơ (version).').pipe(z.number().min(1, 'version là số nguyên từ 1 (phiên bản hồ sơ).')),
  applicant: applicantSchema,
  sets: wholeNumber('Số bộ hồ sơ phải là số nguyên.').pipe(z.number().min(1, 'Ít nhất 1 bộ.').max(99, 'Tối đa 99 bộ.')).optional().transform((v) => v ?? 1),
  documents: optionalText(4000).refine(noControl, NO_CONTROL_MSG),
  reason: requiredText(500).refine(noControl, NO_CONTROL_MSG),
});
export type CorrectionInput = z.infer<typeof correctionSchema>;

export const actionInputSchema = z.object({
  action: z.string({ error: 'Thiếu thao tác (action).' }).max(40),
  version: wholeNumber('version là số nguyên từ 1 (phiên bản hồ sơ).', 'Thiếu phiên bản hồ sơ (version).').pipe(z.number().min(1, 'version là số nguyên từ 1 (phiên bản hồ sơ).')),
  at: instant.optional(),
  reason: optionalText(2000).refine(noControl, NO_CONTROL_MSG),
  outcome: z.enum(['approved', 'refused'], { error: 'Kết quả phải là "approved" (giải quyết) hoặc "refused" (từ chối).' }).optional(),
  toAgencyCode: optionalText(64),
  items: itemList,
});

export type ActionInput = z.infer<typeof actionInputSchema>;

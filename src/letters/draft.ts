// Apology letters (SPEC §5, FORMS.md "Apology letter"). PURE: the proposal of a new appointment, the
// wording from a template with placeholders, the printed document's parts and the SMS / e-mail texts.
import type { WorkCalendar } from '../calendar/working-time';
import type { FormRegime } from '../forms/regime';
import { renderText } from '../forms/texts';
import { clockRunning, type Status } from '../dossiers/status';
import { dateParts, formatDateTime, isoLocal, localDate } from '../shared/format';

export const LETTER_STATUSES = ['draft', 'issued', 'cancelled'] as const;
export type LetterStatus = (typeof LETTER_STATUSES)[number];

export const LETTER_STATUS_NAMES: Record<LetterStatus, string> = {
  draft: 'Bản nháp – chờ phát hành',
  issued: 'Đã phát hành',
  cancelled: 'Đã hủy (hồ sơ đã kết thúc)',
};

/** The letter queue's tabs, one per status. */
export const LETTER_TAB_NAMES: Record<LetterStatus, string> = { draft: 'Chờ phát hành', issued: 'Đã phát hành', cancelled: 'Đã hủy' };

/** Why the letter was drafted. */
export type DraftedFor = 'due_soon' | 'late' | 'override';

export const DRAFTED_FOR_NAMES: Record<DraftedFor, string> = {
  due_soon: 'Sắp đến hạn',
  late: 'Quá hạn',
  override: 'Hẹn lại lần nữa (ngoại lệ)',
};

/** A row of the `letters` table. */
export interface LetterRow {
  id: number;
  dossier_id: number;
  seq: number;
  agency_code: string;
  status: LetterStatus;
  drafted_for: DraftedFor;
  number_year: number | null;
  number_seq: number | null;
  number: string | null;
  addressee_name: string;
  addressee_address: string | null;
  reason: string | null;
  original_appointment_at: string;
  proposed_appointment_at: string;
  new_appointment_at: string;
  proposal_note: string | null;
  signer_title: string | null;
  signer_name: string | null;
  override_reason: string | null;
  title: string | null;
  body: string | null;
  recipients: string | null;
  sms_text: string | null;
  email_text: string | null;
  drafted_at: string;
  drafted_by: number | null;
  issued_at: string | null;
  issued_by: number | null;
  issued_by_name: string | null;
  cancelled_at: string | null;
  version: number;
  updated_at: string;
  // joined
  dossier_code?: string;
}

/** A letter in JSON (SPEC §7), with a few more facts for the tools that send it. */
export function toLetterJson(row: LetterRow & { dossier_code: string }) {
  return {
    id: row.id,
    dossierCode: row.dossier_code,
    status: row.status,
    number: row.number,
    reason: row.reason,
    newAppointmentAt: isoLocal(row.new_appointment_at),
    issuedAt: isoLocal(row.issued_at),
    seq: row.seq,
    agencyCode: row.agency_code,
    draftedFor: row.drafted_for,
    addressee: { name: row.addressee_name, address: row.addressee_address },
    originalAppointmentAt: isoLocal(row.original_appointment_at),
    proposedAppointmentAt: isoLocal(row.proposed_appointment_at),
    overrideReason: row.override_reason,
    signer: { title: row.signer_title, name: row.signer_name },
    smsText: row.sms_text,
    draftedAt: isoLocal(row.drafted_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Dates in words, as administrative documents write them (Nghị định 30/2020/NĐ-CP: a day below 10
// and the months 1 and 2 take a leading zero, the other months do not).

const MS_PER_MINUTE = 60_000;
const VN_OFFSET_MS = 7 * 60 * MS_PER_MINUTE;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** A document's date as its letterhead writes it (print/partials/letterhead, as dateParts of shared/format). */
export interface DateWordsParts {
  day: string;
  monthInText: string;
  year: string;
}

export function documentDateParts(instant: Date | string): DateWordsParts {
  const { day, monthInText, year } = dateParts(instant);
  return { day, monthInText, year };
}

/** "ngày 05 tháng 3 năm 2026" */
export function vnDateWords(instant: Date | string): string {
  const p = documentDateParts(instant);
  return `ngày ${p.day} tháng ${p.monthInText} năm ${p.year}`;
}

/** "17 giờ 00 phút, ngày 27 tháng 02 năm 2026" */
export function vnDateTimeWords(instant: Date | string): string {
  const l = new Date(new Date(instant).getTime() + VN_OFFSET_MS);
  return `${pad2(l.getUTCHours())} giờ ${pad2(l.getUTCMinutes())} phút, ${vnDateWords(instant)}`;
}

// ---------------------------------------------------------------------------------------------
// The proposed new appointment

export interface ProposalInput {
  now: Date;
  /** the promise the letter replaces: the deadline, or the appointment of an earlier letter */
  dueAt: Date;
  /** what dueAt is, for the note; default "hạn giải quyết" */
  dueName?: string;
  /** the clock runs only while the dossier is being processed */
  clockRunning: boolean;
  /** working minutes left when the clock stopped (paused / awaiting a supplement) */
  remainingMinutes: number | null;
  /** the least extension, in working days; default 1 */
  minDays?: number;
}

export interface Proposal {
  at: Date;
  /** the promised working time not used yet when the letter is drafted */
  unusedMinutes: number;
  /** what is added to `from`, whole working days */
  extensionMinutes: number;
  from: Date;
  note: string;
}

/** The end of the last working period of the working day an instant lies in (or the next one). */
export function endOfWorkingDay(cal: WorkCalendar, instant: Date): Date {
  const closeOf = (date: string) => {
    const [y, m, d] = date.split('-').map(Number);
    const midnight = new Date(Date.UTC(y, m - 1, d) - cal.tzOffsetMinutes * MS_PER_MINUTE);
    return cal.addWorkingMinutes(cal.normalizeStart(midnight), cal.minutesPerDay);
  };
  const date = cal.localDate(instant);
  if (cal.isWorkingDay(date)) {
    const close = closeOf(date);
    if (close.getTime() >= instant.getTime()) return close; // 17:00 itself stays on its day
  }
  return closeOf(cal.localDate(cal.normalizeStart(instant)));
}

/**
 * The engine's proposal of the new appointment: the promised working time not used yet (a late dossier has none
 * left), at least `minDays` working day(s), rounded up to whole working days, added to the promise the letter replaces
 * or, once that has passed, to the close of the working day the letter is drafted on; landing on the close of a
 * working day. A late dossier's letter drafted before the desk opened proposed the close of that same day (the
 * citizen would get the letter and the result on one day); it now proposes the next working day's. The head may
 * change it before issuing.
 */
export function proposeAppointment(cal: WorkCalendar, input: ProposalInput): Proposal {
  const perDay = cal.minutesPerDay;
  const unused = input.clockRunning
    ? cal.workingMinutesBetween(input.now, input.dueAt)
    : Math.max(0, input.remainingMinutes ?? cal.workingMinutesBetween(input.now, input.dueAt));
  const days = Math.max(input.minDays ?? 1, Math.ceil(unused / perDay));
  const extension = days * perDay;
  const passed = input.dueAt.getTime() <= input.now.getTime();
  const from = passed ? endOfWorkingDay(cal, input.now) : input.dueAt;
  const at = endOfWorkingDay(cal, cal.addWorkingMinutes(from, extension));
  const since = passed
    ? `sau ngày lập dự thảo (${formatDateTime(input.now)})`
    : `kể từ ${formatDateTime(from)} (${input.dueName ?? 'hạn giải quyết'})`;
  const note =
    `Đề xuất của hệ thống: thời hạn còn ${formatMinutes(unused, perDay)} chưa dùng; ` +
    `cộng ${days} ngày làm việc ${since}, trả vào cuối ngày làm việc: ${formatDateTime(at)}.`;
  return { at, unusedMinutes: unused, extensionMinutes: extension, from, note };
}

/**
 * Whether a draft's new appointment has been overtaken by the clock, so the engine's proposal of now replaces it on the
 * draft's page and in the queue (nothing is written): it is no later than `floor` (now, or the appointment already
 * given, whichever is later), or it is the system's own proposal, left as it was, and the engine now proposes later (a
 * late dossier's, drafted days ago, would promise the result for today). All three are UTC ISO instants.
 */
export function proposalOvertaken(
  letter: Pick<LetterRow, 'new_appointment_at' | 'proposed_appointment_at'>,
  freshAt: string,
  floor: string,
): boolean {
  const untouched = letter.new_appointment_at === letter.proposed_appointment_at;
  return letter.new_appointment_at <= floor || (untouched && freshAt > letter.new_appointment_at);
}

/**
 * Whether a running dossier's deadline is near enough for the sweep to draft its apology: within one working day
 * (SPEC §5), or, for a dossier whose whole duration is shorter than two working days, within half of it. A
 * procedure of 4 working hours is "within 1 working day" the instant it is received: every one of them had a draft
 * at intake, a queue of letters cancelled as the dossiers were resolved the same morning. Half its time gone, a
 * head still has time to issue one before the deadline.
 */
export function draftWindowReached(cal: WorkCalendar, now: Date, dueAt: Date, durationMinutes: number, horizon?: Date): boolean {
  if (dueAt <= now) return true;
  const perDay = cal.minutesPerDay;
  // A horizon later than one working day (APOLOGY_FROM=day_before) widens the window of the dossiers of two days or more.
  const window = durationMinutes < 2 * perDay ? durationMinutes / 2 : horizon ? Math.max(perDay, cal.workingMinutesBetween(now, horizon)) : perDay;
  return cal.workingMinutesBetween(now, dueAt) <= window;
}

/** When a running dossier's apology is owed (APOLOGY_FROM): SPEC §5's due soon, or from the working day before its deadline. */
export type ApologyFrom = 'due_soon' | 'day_before';

/**
 * The latest deadline of a running dossier whose apology is owed at `now`. `due_soon` (SPEC §5): one working day from
 * now. `day_before`: the law's, that the letter be sent no later than one day before the deadline (FORMS.md,
 * apology letter): the close of the working day after today's, so a dossier due any time on the next
 * working day is owed its letter from today's opening. With SPEC's window, a deadline at 17:00 (every dossier filed
 * outside working hours has one) was due soon from 17:00 the day before: no letter could be drafted or issued that day.
 */
export function apologyHorizon(cal: WorkCalendar, now: Date, from: ApologyFrom): Date {
  const dueSoon = cal.addWorkingMinutes(now, cal.minutesPerDay);
  if (from === 'due_soon') return dueSoon;
  const nextClose = cal.addWorkingMinutes(endOfWorkingDay(cal, cal.normalizeStart(now)), cal.minutesPerDay);
  return nextClose > dueSoon ? nextClose : dueSoon;
}

/**
 * Is a letter sent at `at` in time for its dossier's deadline: on a local day before the deadline's, as the law asks
 * (no later than one day before the deadline; letterDeadline)? The watch page counts letters by the same rule
 * (repository.ts, timing).
 */
export function sentInTime(at: Date | string, dueAt: Date | string): boolean {
  return localDate(at) < localDate(dueAt);
}

/**
 * The instant a letter is judged against (sentInTime): its dossier's deadline, or, for a further letter
 * (REAPPOINTMENTS=override), the appointment it moves, which the letter before it set: the law's rule, one day ahead,
 * applied to the appointment the citizen was last given. Judged against the deadline, long past by then, every further
 * letter counted as sent late. The SQL of the queue's timing filter states the same rule (repository.ts).
 */
export function letterDeadline(letter: Pick<LetterRow, 'seq' | 'original_appointment_at'>, dueAt: string): string {
  return letter.seq > 1 ? letter.original_appointment_at : dueAt;
}

/**
 * How many working days an open late dossier is past its deadline: the working time since the deadline while the clock
 * runs; for one paused or waiting for papers after its deadline, the minutes it had overrun when the clock stopped (its
 * negative minutes left), which waiting does not add to. The watch page counted the days of the pause as lateness.
 */
export function workingDaysLate(
  cal: WorkCalendar,
  d: { status: Status; due_at: string; remaining_minutes: number | null },
  now: Date,
): number {
  const minutes = !clockRunning(d.status) && d.remaining_minutes !== null ? Math.max(0, -d.remaining_minutes) : cal.workingMinutesBetween(new Date(d.due_at), now);
  return minutes / cal.minutesPerDay;
}

/** 0 -> "0 phút làm việc", 270 -> "4 giờ 30 phút làm việc", 840 -> "1 ngày 6 giờ 30 phút làm việc" (a 450-minute day). */
export function formatMinutes(minutes: number, perDay: number): string {
  const m = Math.round(minutes);
  const days = Math.floor(m / perDay);
  const rest = m - days * perDay;
  const hours = Math.floor(rest / 60);
  const parts = [days ? `${days} ngày` : '', hours ? `${hours} giờ` : '', rest % 60 || !m ? `${rest % 60} phút` : ''].filter(Boolean);
  return `${parts.join(' ')} làm việc`;
}

// ---------------------------------------------------------------------------------------------
// Addressee

const ORGANISATION =
  /^(công ty|tổng công ty|doanh nghiệp|dntn|hợp tác xã|htx|liên hiệp|chi nhánh|văn phòng|tổ chức|ngân hàng|quỹ|hội|trường|bệnh viện|trung tâm|ban |ủy ban|ubnd|cơ sở|hộ kinh doanh|nhà máy|xí nghiệp)/i;

export function isOrganisation(name: string): boolean {
  return ORGANISATION.test(name.trim());
}

/** A household as applicant ("Hộ ông Đặng Văn Tư và bà …", "Hộ gia đình …"): named as it is, addressed as a person. */
const HOUSEHOLD = /^hộ\s(?!kinh doanh)/iu;

/** The "Kính gửi" line of a new draft: "Ông/Bà Trần Thị Bích", or the organisation's or household's name as it is. */
export function addresseeFor(applicantName: string): string {
  const name = applicantName.trim();
  return isOrganisation(name) || HOUSEHOLD.test(name) ? name : `Ông/Bà ${name}`;
}

/**
 * How the body addresses the recipient: the prefix of the "Kính gửi" line for a person, "Ông/Bà" for a household
 * ("Ông/Bà Hộ ông …" was written), else "Quý tổ chức".
 */
export function salutationOf(addressee: string): string {
  const m = addressee.trim().match(/^(Ông\/Bà|Ông|Bà|Anh|Chị)(?=\s)/u);
  if (m) return m[1];
  return HOUSEHOLD.test(addressee.trim()) ? 'Ông/Bà' : 'Quý tổ chức';
}

/** A reasonable signer title from the agency's name; an admin sets the real one in the template. */
export function defaultSignerTitle(agencyName: string): string {
  if (/^(sở|trung tâm|ban quản lý|cục|chi cục|văn phòng đăng ký)/i.test(agencyName.trim())) return 'Giám đốc';
  if (/^(phường|xã|thị trấn|ủy ban|ubnd|quận|huyện)/i.test(agencyName.trim())) return 'Chủ tịch';
  return 'Thủ trưởng cơ quan, đơn vị';
}

// ---------------------------------------------------------------------------------------------
// Templates

export interface LetterTemplate {
  /** the series after the number: "XL" gives "15/XL" */
  numberSuffix: string;
  title: string;
  /** one paragraph a line, with {{placeholders}} */
  body: string;
  sms: string;
  /** "Nơi nhận", one line each */
  recipients: string;
  /** empty: guessed from the agency's name */
  signerTitle: string;
  /** who signs when the letter names no one and its issuer does not head the agency; empty: no one */
  signerName: string;
}

/** What an admin stored for an agency (or for every agency); an empty field keeps the default. */
export type StoredTemplate = Partial<Record<keyof LetterTemplate, string | null>>;

export const PLACEHOLDERS: Record<string, string> = {
  co_quan: 'Tên cơ quan giải quyết hồ sơ',
  nguoi_nhan: 'Người nhận như dòng "Kính gửi" (ví dụ: Ông/Bà Trần Thị Bích)',
  danh_xung: 'Cách gọi người nhận: Ông/Bà (cá nhân) hoặc Quý tổ chức',
  nguoi_nop: 'Họ tên người nộp hoặc tên tổ chức',
  ma_ho_so: 'Mã hồ sơ',
  thu_tuc: 'Tên thủ tục hành chính',
  ngay_tiep_nhan: 'Ngày tiếp nhận, bằng chữ (ngày … tháng … năm …)',
  hen_tra: 'Hẹn trả kết quả trước đây (… giờ … phút, ngày … tháng … năm …)',
  hen_tra_ngan: 'Hẹn trả trước đây, dạng ngắn (HH:mm dd/mm/yyyy)',
  ly_do: 'Lý do chậm trễ (lãnh đạo nhập)',
  hen_moi: 'Ngày hẹn trả kết quả mới (… giờ … phút, ngày … tháng … năm …)',
  hen_moi_ngan: 'Ngày hẹn mới, dạng ngắn (HH:mm dd/mm/yyyy)',
  so_van_ban: 'Số văn bản (ví dụ 15/XL)',
};

const TITLE_2018 = 'Phiếu xin lỗi và hẹn lại ngày trả kết quả';
const TITLE_2025 = 'Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết';

const BODY_2018 = [
  'Vào {{ngay_tiep_nhan}}, {{co_quan}} tiếp nhận giải quyết hồ sơ đề nghị giải quyết thủ tục hành chính: {{thu_tuc}} của {{nguoi_nhan}}; Mã hồ sơ: {{ma_ho_so}}.',
  'Thời hạn trả kết quả giải quyết hồ sơ: {{hen_tra}}.',
  'Tuy nhiên đến nay, {{co_quan}} chưa thể trả kết quả giải quyết hồ sơ của {{danh_xung}} đúng hẹn.',
  'Lý do: {{ly_do}}',
  'Sự chậm trễ này đã gây phiền hà cho {{danh_xung}}. {{co_quan}} xin lỗi {{danh_xung}} và sẽ trả kết quả giải quyết hồ sơ vào {{hen_moi}}.',
  'Xin trân trọng cảm ơn sự hợp tác của {{danh_xung}}./.',
].join('\n');

const BODY_2025 = [
  'Vào {{ngay_tiep_nhan}}, {{co_quan}} tiếp nhận giải quyết hồ sơ đề nghị giải quyết thủ tục hành chính: {{thu_tuc}} của {{nguoi_nhan}}; Mã hồ sơ: {{ma_ho_so}}.',
  'Thời hạn trả kết quả giải quyết hồ sơ: {{hen_tra}}.',
  'Tuy nhiên, đến nay {{co_quan}} chưa thể hoàn thành việc giải quyết hồ sơ của {{danh_xung}} đúng thời hạn.',
  'Lý do: {{ly_do}}',
  '{{co_quan}} xin lỗi {{danh_xung}} vì sự chậm trễ này và đề nghị gia hạn thời gian giải quyết hồ sơ; thời hạn trả kết quả mới là {{hen_moi}}.',
  'Xin trân trọng cảm ơn sự hợp tác của {{danh_xung}}./.',
].join('\n');

const SMS_DEFAULT =
  'Xin lỗi {{danh_xung}}: hồ sơ {{ma_ho_so}} chưa có kết quả đúng hẹn {{hen_tra_ngan}}. Hẹn trả kết quả mới: {{hen_moi_ngan}}. Lý do: {{ly_do}}';

const RECIPIENTS_DEFAULT = ['Như trên;', 'Lưu: VT, Bộ phận Một cửa.'].join('\n');

/** The wording of the circular in force on the receipt date, before an admin changes anything. */
export function defaultTemplate(regime: FormRegime): LetterTemplate {
  const is2025 = regime.circular.includes('03/2025');
  return {
    numberSuffix: 'XL',
    title: is2025 ? TITLE_2025 : TITLE_2018,
    body: is2025 ? BODY_2025 : BODY_2018,
    sms: SMS_DEFAULT,
    recipients: RECIPIENTS_DEFAULT,
    signerTitle: '',
    signerName: '',
  };
}

/** The agency's own template over the one for every agency over the circular's wording, field by field. */
export function resolveTemplate(regime: FormRegime, ...stored: (StoredTemplate | null | undefined)[]): LetterTemplate {
  const result = defaultTemplate(regime);
  for (const layer of [...stored].reverse()) {
    if (!layer) continue;
    for (const key of Object.keys(result) as (keyof LetterTemplate)[]) {
      const v = layer[key];
      if (typeof v === 'string' && v.trim() !== '') result[key] = v.trim();
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The letter as a document

/** Everything the wording needs, taken from the dossier, the letter row and the agency. */
export interface LetterFacts {
  status: LetterStatus;
  /** "15/XL" once issued, null before */
  number: string | null;
  issuedAt: string | null;
  agencyName: string;
  parentName: string;
  placeName: string;
  addresseeName: string;
  addresseeAddress: string | null;
  applicantName: string;
  dossierCode: string;
  procedureName: string;
  receivedAt: string;
  originalAppointmentAt: string;
  newAppointmentAt: string;
  reason: string | null;
  signerTitle: string | null;
  signerName: string | null;
  regime: FormRegime;
}

const BLANK = '……………………';

export function placeholderValues(f: LetterFacts, t: LetterTemplate): Record<string, string> {
  return {
    co_quan: f.agencyName,
    nguoi_nhan: f.addresseeName,
    danh_xung: salutationOf(f.addresseeName),
    nguoi_nop: f.applicantName,
    ma_ho_so: f.dossierCode,
    thu_tuc: f.procedureName,
    ngay_tiep_nhan: vnDateWords(f.receivedAt),
    hen_tra: vnDateTimeWords(f.originalAppointmentAt),
    hen_tra_ngan: formatDateTime(f.originalAppointmentAt),
    ly_do: f.reason?.trim() || BLANK,
    hen_moi: vnDateTimeWords(f.newAppointmentAt),
    hen_moi_ngan: formatDateTime(f.newAppointmentAt),
    so_van_ban: f.number ?? `……/${t.numberSuffix}`,
  };
}

export interface LetterDocument {
  isDraft: boolean;
  formNo: string;
  parentName: string;
  issuerName: string;
  numberLine: string;
  place: string;
  date: DateWordsParts;
  title: string;
  addressee: string;
  address: string | null;
  paragraphs: string[];
  recipients: string[];
  signerTitle: string;
  signerName: string;
}

/** The printed letter: Quốc hiệu, tiêu ngữ, số, địa danh và ngày, Kính gửi, nội dung, Nơi nhận, chữ ký. */
export function letterDocument(f: LetterFacts, t: LetterTemplate, frozen?: { title?: string | null; body?: string | null; recipients?: string | null }): LetterDocument {
  const values = placeholderValues(f, t);
  const body = frozen?.body ?? renderText(t.body, values);
  const isDraft = f.status !== 'issued';
  return {
    isDraft,
    formNo: `Mẫu số ${f.regime.numbers.apology} – ${f.regime.circular}`,
    parentName: f.parentName,
    issuerName: f.agencyName,
    numberLine: `Số: ${values.so_van_ban}`,
    place: f.placeName,
    date: f.issuedAt ? documentDateParts(f.issuedAt) : { day: '……', monthInText: '……', year: '……' },
    title: frozen?.title ?? t.title,
    addressee: f.addresseeName,
    address: f.addresseeAddress,
    paragraphs: lines(body),
    recipients: lines(frozen?.recipients ?? t.recipients).map((l) => l.replace(/^[-–•]\s*/, '')),
    signerTitle: f.signerTitle?.trim() || t.signerTitle || defaultSignerTitle(f.agencyName),
    signerName: f.signerName?.trim() || '',
  };
}

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

// ---------------------------------------------------------------------------------------------
// The short texts

export const SMS_MAX = 160;

/** Without diacritics, so one SMS holds 160 characters (GSM 7-bit) instead of 70. */
export function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[…]/g, '...')
    .replace(/[–—]/g, '-')
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/[^\x20-\x7E\n]/g, '');
}

/** One SMS: the template without diacritics, on one line, cut at a word with "..." when too long. */
export function smsText(f: LetterFacts, t: LetterTemplate, max = SMS_MAX): string {
  const text = stripDiacritics(renderText(t.sms, placeholderValues(f, t)))
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 3);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}...`;
}

/** A plain-text e-mail: subject and the letter's text with its number, addressee and signer. */
export function emailText(f: LetterFacts, t: LetterTemplate, frozenBody?: string | null): { subject: string; text: string } {
  const doc = letterDocument(f, t, { body: frozenBody });
  const subject = `${doc.title} – hồ sơ ${f.dossierCode}${f.number ? ` (số ${f.number})` : ''}`;
  const text = [
    `${f.agencyName}`,
    `${doc.numberLine}`,
    '',
    `Kính gửi: ${doc.addressee}`,
    ...(doc.address ? [`Địa chỉ: ${doc.address}`] : []),
    '',
    ...doc.paragraphs,
    '',
    doc.signerTitle.toUpperCase(),
    ...(doc.signerName ? [doc.signerName] : []),
  ].join('\n');
  return { subject, text };
}

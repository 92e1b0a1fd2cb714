// Importing dossiers from another system (SPEC §8 `import <file.csv>`, the admin page): one core for both.
// The whole file is checked first and every bad row reported; only a file without any problem is written,
// in one transaction, with the same events, state intervals and daily sequences that live intake writes.
import type { Knex } from 'knex';
import { computeDue, type TraceStep, type WorkCalendar } from '../calendar/working-time';
import { greatestFn, insertRows, isUniqueViolation, lockDeskCounts, selectRows } from '../db/dialect';
import { applicantSchema, CHANNELS } from '../dossiers/schema';
import { minutesLeft, moveClock, stateIntervals } from '../dossiers/lifecycle';
import { formatDossierCode, registerDay } from '../dossiers/service';
import type { DossierRow } from '../dossiers/repository';
import { STATUSES, type Status } from '../dossiers/status';
import { deferMonthEnds, refreshMonthEnds } from '../reports/month-ends';
import { formatDateTime, localDate } from '../shared/format';
import { isRealDay, optionalText, z } from '../shared/validation';
import { csvRecords, csvSeparatorOf, CsvSyntaxError, firstUnreadableLine, NOT_UTF8, type CsvRecord } from './csv-records';

/** The columns of the CSV layout (docs/IMPORT.md), in the order of the sample file. */
export const IMPORT_COLUMNS = [
  'code',
  'procedure_code',
  'agency_code',
  'channel',
  'applicant_name',
  'applicant_id_number',
  'applicant_phone',
  'applicant_email',
  'applicant_address',
  'sets',
  'received_at',
  'due_at',
  'status',
  'stopped_at',
  'finished_at',
  'outcome',
  'returned_at',
  'reason',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['procedure_code', 'channel', 'applicant_name', 'received_at'];

/** What each column holds, for the admin page (docs/IMPORT.md says the same at more length). */
export const COLUMN_DOCS: Record<ImportColumn, string> = {
  code: 'Mã hồ sơ ở hệ thống cũ, giữ nguyên nếu chưa có; để trống thì cấp mã mới <cơ quan>-<yymmdd>-<số thứ tự trong ngày>.',
  procedure_code: 'Mã thủ tục trong danh mục, ví dụ 1.012756.',
  agency_code: 'Mã cơ quan tiếp nhận; để trống thì lấy cơ quan của thủ tục.',
  channel: 'in_person (trực tiếp), online (trực tuyến) hoặc postal (bưu chính).',
  applicant_name: 'Họ tên người nộp hoặc tên tổ chức.',
  applicant_id_number: 'Số CCCD, hộ chiếu hoặc mã số doanh nghiệp (không bắt buộc).',
  applicant_phone: 'Số điện thoại (không bắt buộc).',
  applicant_email: 'Thư điện tử (không bắt buộc).',
  applicant_address: 'Địa chỉ (không bắt buộc).',
  sets: 'Số bộ hồ sơ, mặc định 1.',
  received_at: 'Thời điểm tiếp nhận, không được ở tương lai.',
  due_at: 'Hạn giải quyết theo hệ thống cũ; để trống thì tính theo lịch làm việc và thời hạn của thủ tục.',
  status: 'processing, awaiting_supplement, paused, resolved, returned hoặc withdrawn; mặc định processing.',
  stopped_at: 'Thời điểm dừng tính thời hạn, bắt buộc với awaiting_supplement và paused.',
  finished_at: 'Thời điểm có kết quả (resolved, returned) hoặc rút hồ sơ (withdrawn).',
  outcome: 'approved (giải quyết) hoặc refused (từ chối), bắt buộc với resolved và returned.',
  returned_at: 'Thời điểm trả kết quả, bắt buộc với returned.',
  reason: 'Lý do từ chối, rút, tạm dừng hoặc yêu cầu bổ sung (không bắt buộc).',
};

/** Who the history names for imported events. */
export const IMPORT_ACTOR = 'Nhập dữ liệu';
export const MAX_IMPORT_ROWS = 500_000;

export interface ImportProblem {
  /** line of the file (header = 1); null for a problem of the whole file */
  line: number | null;
  message: string;
}

export type ImportPhase = 'parse' | 'check' | 'write';
export const PHASE_NAMES: Record<ImportPhase, string> = {
  parse: 'Đọc tệp',
  check: 'Kiểm tra',
  write: 'Ghi vào cơ sở dữ liệu',
};

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
  /** since the phase began */
  elapsedMs: number;
  rowsPerSecond: number;
}

export interface ImportSummary {
  ok: true;
  rows: number;
  keptCodes: number;
  generatedCodes: number;
  byStatus: Partial<Record<Status, number>>;
  events: number;
  states: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** the first codes written, in file order */
  sample: string[];
}

export interface ImportFailure {
  ok: false;
  rows: number;
  problems: ImportProblem[];
  elapsedMs: number;
}

export type ImportResult = ImportSummary | ImportFailure;

export interface ImportOptions {
  /** the instant "now": nothing imported may happen after it */
  now: Date;
  calendar: WorkCalendar;
  onProgress?: (p: ImportProgress) => void | Promise<void>;
}

/** "dòng 7: …" as the page and the CLI print a problem. */
export function describeProblem(p: ImportProblem): string {
  return p.line === null ? p.message : `dòng ${p.line}: ${p.message}`;
}

// ---------------------------------------------------------------------------------------------
// One row: its shape (zod), then the checks that need the catalog, the calendar and "now".

const pad = (n: number) => String(n).padStart(2, '0');

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const LOCAL_VN = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;
export const INSTANT_FORMATS = 'dd/mm/yyyy HH:mm (giờ Việt Nam) hoặc ISO-8601 có múi giờ, ví dụ 2026-02-13T10:00:00+07:00';

/** An instant of the CSV: ISO-8601 with an offset, or a local time (UTC+7) "dd/mm/yyyy HH:mm[:ss]" / "yyyy-mm-dd HH:mm". */
export function parseImportInstant(text: string): Date | null {
  let m = ISO_INSTANT.exec(text);
  if (m) {
    const [, y, mo, d, h, mi] = m.map(Number);
    if (!isRealDay(y, mo, d) || h > 23 || mi > 59) return null;
    const at = new Date(text);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  let y: number, mo: number, d: number;
  m = LOCAL_VN.exec(text);
  if (m) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = LOCAL_ISO.exec(text);
    if (!m) return null;
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = m[6] ? Number(m[6]) : 0;
  if (!isRealDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  return new Date(`${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}+07:00`);
}

/**
 * Why a text is no instant of the CSV, in words that say what to change: a date without its time, or the number
 * Excel writes for a date in a column not formatted as one, get their own reasons.
 */
export function instantProblem(text: string): string {
  if (/^\d{1,2}\/\d{1,2}\/\d{4}$|^\d{4}-\d{2}-\d{2}$/.test(text)) {
    return `"${text}" thiếu giờ: ghi cả giờ, ví dụ "${text} 08:00" (chỉ có ngày thì không biết lúc nào trong ngày).`;
  }
  if (/^\d{5}([.,]\d+)?$/.test(text)) {
    return `"${text}" là ngày giờ dạng số của Excel: trong Excel định dạng cột thành dd/mm/yyyy hh:mm (Format Cells → Custom) rồi lưu lại tệp.`;
  }
  return `"${text}" không phải thời điểm hợp lệ (${INSTANT_FORMATS}).`;
}

const instantColumn = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
  z
    .string()
    .transform((s, ctx) => {
      const at = parseImportInstant(s);
      if (!at) {
        ctx.addIssue({ code: 'custom', message: instantProblem(s) });
        return z.NEVER;
      }
      const y = Number(localDate(at).slice(0, 4));
      if (y < 2000 || y > 2100) {
        ctx.addIssue({ code: 'custom', message: 'Năm phải trong khoảng 2000–2100.' });
        return z.NEVER;
      }
      return at;
    })
    .optional(),
);

/** Status codes of SPEC §4; the Vietnamese names are accepted too, as other systems often export them. */
const STATUS_ALIASES: Record<string, Status> = {
  'đang giải quyết': 'processing',
  'đang xử lý': 'processing',
  'chờ bổ sung': 'awaiting_supplement',
  'tạm dừng': 'paused',
  'đã có kết quả': 'resolved',
  'đã giải quyết': 'resolved',
  'đã trả kết quả': 'returned',
  'đã rút hồ sơ': 'withdrawn',
  'rút hồ sơ': 'withdrawn',
};

const rowSchema = z.object({
  code: optionalText(100).refine(
    (s) => s === undefined || /^[0-9A-Za-z.\-_]{3,100}$/.test(s),
    'Mã hồ sơ 3–100 ký tự, chỉ gồm chữ không dấu, số và các dấu . _ -',
  ),
  procedure_code: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().min(1, 'Không được để trống.').max(64)),
  agency_code: optionalText(64),
  channel: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.enum(CHANNELS, { error: 'Hình thức nộp phải là in_person (trực tiếp), online (trực tuyến) hoặc postal (bưu chính).' }),
  ),
  applicant_name: applicantSchema.shape.name,
  applicant_id_number: applicantSchema.shape.idNumber,
  applicant_phone: applicantSchema.shape.phone,
  applicant_email: applicantSchema.shape.email,
  applicant_address: applicantSchema.shape.address,
  sets: z.preprocess(
    (v) => (typeof v !== 'string' || v.trim() === '' ? 1 : /^\d+$/.test(v.trim()) ? Number(v.trim()) : v),
    z.number({ error: 'Số bộ hồ sơ phải là số nguyên.' }).int().min(1, 'Ít nhất 1 bộ.').max(99, 'Tối đa 99 bộ.'),
  ),
  received_at: instantColumn.refine((v) => v !== undefined, 'Không được để trống.'),
  due_at: instantColumn,
  status: z.preprocess(
    (v) => {
      if (typeof v !== 'string' || v.trim() === '') return 'processing';
      // NFC: a name typed with decomposed marks (Unikey's "Unicode tổ hợp") is the same name.
      const s = v.normalize('NFC').trim();
      return STATUS_ALIASES[s.toLowerCase()] ?? s;
    },
    z.enum(STATUSES, { error: `Trạng thái phải là một trong: ${STATUSES.join(', ')}.` }),
  ),
  stopped_at: instantColumn,
  finished_at: instantColumn,
  outcome: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
    z.enum(['approved', 'refused'], { error: 'Kết quả phải là approved (giải quyết) hoặc refused (từ chối).' }).optional(),
  ),
  returned_at: instantColumn,
  reason: optionalText(2000),
});
type ParsedRow = z.infer<typeof rowSchema>;

interface ProcedureRef {
  code: string;
  fieldCode: string;
  agencyCode: string | null;
  duration: { value: number; unit: 'working_days' | 'working_hours' };
  onSupplement: 'restart' | 'pause';
}

/** A checked row, ready to be written. */
interface PreparedRow {
  line: number;
  code: string | null;
  procedure: ProcedureRef;
  receivingAgency: string;
  handlingAgency: string;
  row: ParsedRow;
  receivedAt: Date;
  clockStartAt: Date;
  durationMinutes: number;
  dueAt: Date;
  remainingMinutes: number | null;
}

/** The engine's explanation of the deadline, as the dossier page shows it; a deadline from the file says so. */
function traceOf(cal: WorkCalendar, r: PreparedRow): TraceStep[] {
  const computed = computeDue(cal, r.receivedAt, r.procedure.duration);
  let trace = computed.trace;
  if (r.row.due_at) {
    trace = [
      computed.trace[0],
      { type: 'start', at: r.clockStartAt.toISOString(), text: `Bắt đầu tính thời hạn: ${formatDateTime(r.clockStartAt)}` },
      { type: 'note', text: `Hạn giải quyết lấy theo dữ liệu của hệ thống cũ (hạn tính theo lịch làm việc sẽ là ${formatDateTime(computed.dueAt)}).` },
      { type: 'due', at: r.dueAt.toISOString(), text: `Hạn giải quyết: ${formatDateTime(r.dueAt)}` },
    ];
  }
  if (r.row.stopped_at) {
    const action = r.row.status === 'paused' ? 'pause' : 'request_supplement';
    const state = { status: 'processing' as const, dueAt: r.dueAt, remainingMinutes: null, durationMinutes: r.durationMinutes, onSupplement: r.procedure.onSupplement };
    trace = [...trace, ...moveClock(cal, state, action, r.row.stopped_at)!.trace];
  }
  return trace;
}

const at = (d: Date | undefined) => (d ? formatDateTime(d) : '');

/** The rules between columns of one row: what each status needs, and times in order and not in the future. */
function consistencyProblems(r: ParsedRow, now: Date): string[] {
  const out: string[] = [];
  const received = r.received_at!;
  const has = { stopped: !!r.stopped_at, finished: !!r.finished_at, returned: !!r.returned_at, outcome: !!r.outcome };
  const need = (ok: boolean, text: string) => {
    if (!ok) out.push(text);
  };
  switch (r.status) {
    case 'processing':
      need(!has.finished && !has.returned && !has.outcome && !has.stopped, 'hồ sơ "processing" (đang giải quyết) không được có finished_at, returned_at, outcome hay stopped_at.');
      break;
    case 'awaiting_supplement':
    case 'paused':
      need(has.stopped, `hồ sơ "${r.status}" cần stopped_at (thời điểm dừng tính thời hạn).`);
      need(!has.finished && !has.returned && !has.outcome, `hồ sơ "${r.status}" chưa kết thúc: không được có finished_at, returned_at hay outcome.`);
      break;
    case 'resolved':
      need(has.finished, 'hồ sơ "resolved" (đã có kết quả) cần finished_at.');
      need(has.outcome, 'hồ sơ "resolved" cần outcome (approved hoặc refused).');
      need(!has.returned, 'hồ sơ đã trả kết quả phải có trạng thái "returned", không phải "resolved".');
      need(!has.stopped, 'hồ sơ đã có kết quả không được có stopped_at.');
      break;
    case 'returned':
      need(has.finished, 'hồ sơ "returned" (đã trả kết quả) cần finished_at.');
      need(has.outcome, 'hồ sơ "returned" cần outcome (approved hoặc refused).');
      need(has.returned, 'hồ sơ "returned" cần returned_at (thời điểm trả kết quả).');
      need(!has.stopped, 'hồ sơ đã trả kết quả không được có stopped_at.');
      break;
    case 'withdrawn':
      need(has.finished, 'hồ sơ "withdrawn" (đã rút) cần finished_at (thời điểm rút).');
      need(!has.outcome && !has.returned && !has.stopped, 'hồ sơ đã rút không được có outcome, returned_at hay stopped_at.');
      break;
  }
  const future = (name: string, d: Date | undefined) => {
    if (d && d > now) out.push(`${name} (${at(d)}) ở tương lai.`);
  };
  future('received_at', received);
  future('stopped_at', r.stopped_at);
  future('finished_at', r.finished_at);
  future('returned_at', r.returned_at);
  if (r.due_at && r.due_at <= received) out.push(`due_at (${at(r.due_at)}) phải sau received_at (${at(received)}).`);
  if (r.stopped_at && r.stopped_at < received) out.push(`stopped_at (${at(r.stopped_at)}) sớm hơn received_at (${at(received)}).`);
  if (r.finished_at && r.finished_at < received) out.push(`finished_at (${at(r.finished_at)}) sớm hơn received_at (${at(received)}).`);
  if (r.returned_at && r.finished_at && r.returned_at < r.finished_at) {
    out.push(`returned_at (${at(r.returned_at)}) sớm hơn finished_at (${at(r.finished_at)}).`);
  }
  return out;
}

function zodProblems(error: z.ZodError): string[] {
  const byColumn = new Map<string, string>();
  for (const issue of error.issues) {
    const column = String(issue.path[0] ?? '');
    if (!byColumn.has(column)) byColumn.set(column, issue.message);
  }
  return [...byColumn].map(([column, message]) => `${column}: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Progress

class ProgressReporter {
  private phaseStart = performance.now();
  private lastEmit = 0;
  private phase: ImportPhase = 'parse';

  constructor(private readonly onProgress?: (p: ImportProgress) => void | Promise<void>) {}

  start(phase: ImportPhase) {
    this.phase = phase;
    this.phaseStart = performance.now();
    this.lastEmit = 0;
  }

  /** Lets the event loop breathe (other requests, the streamed answer), and reports at most ~6 times a second. */
  async tick(done: number, total: number, force = false): Promise<void> {
    const now = performance.now();
    if (this.onProgress && (force || now - this.lastEmit >= 150)) {
      this.lastEmit = now;
      const elapsedMs = now - this.phaseStart;
      await this.onProgress({
        phase: this.phase,
        done,
        total,
        elapsedMs: Math.round(elapsedMs),
        rowsPerSecond: elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0,
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const TICK_ROWS = 2000;

// ---------------------------------------------------------------------------------------------
// The import

/** What a row is checked against: the file's columns, the catalog, the calendar and "now". */
interface RowChecks {
  columns: string[];
  /** the columns up to the last one with a name; those after it are Excel's empty ones */
  namedColumns: number;
  procedures: Map<string, ProcedureRef>;
  agencies: Set<string>;
  cal: WorkCalendar;
  now: Date;
}

/**
 * A row's checks that need no other row: its shape (zod), its columns together, the catalog, then its deadline.
 * `code`: the row's own dossier code, once its shape is right (the import looks for it in other rows and in the
 * database); `prepared`: the row ready to be written, when no reason is found.
 */
function checkRow(record: CsvRecord, checks: RowChecks): { code: string | null; reasons: string[]; prepared: PreparedRow | null } {
  const { columns, cal } = checks;
  // Empty cells after the last named column are what Excel writes for a column once used and then cleared.
  const named = checks.namedColumns;
  let cells = record.fields.length;
  while (cells > named && record.fields[cells - 1].trim() === '') cells--;
  if (cells < named || cells > columns.length) {
    return { code: null, reasons: [`có ${cells} ô nhưng dòng tiêu đề có ${named} cột.`], prepared: null };
  }
  const raw: Record<string, string> = {};
  for (let c = 0; c < cells; c++) {
    if (columns[c] !== '') raw[columns[c]] = record.fields[c];
    else if (record.fields[c].trim() !== '') {
      return { code: null, reasons: [`ô thứ ${c + 1} ("${record.fields[c].trim()}") nằm ở cột không có tên trên dòng tiêu đề.`], prepared: null };
    }
  }
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) return { code: null, reasons: zodProblems(parsed.error), prepared: null };
  const r = parsed.data;
  const code = r.code ?? null;
  const reasons = consistencyProblems(r, checks.now);

  const procedure = checks.procedures.get(r.procedure_code);
  if (!procedure) reasons.push(`procedure_code: không có thủ tục mã ${r.procedure_code}.`);
  const receiving = r.agency_code ?? procedure?.agencyCode ?? null;
  if (r.agency_code && !checks.agencies.has(r.agency_code)) reasons.push(`agency_code: không có cơ quan mã ${r.agency_code}.`);
  else if (procedure && !receiving) reasons.push('agency_code: thủ tục này không gắn với một cơ quan, cần ghi cơ quan tiếp nhận.');
  if (reasons.length || !procedure || !receiving) return { code, reasons, prepared: null };

  const receivedAt = r.received_at!;
  let clockStartAt: Date;
  let durationMinutes: number;
  let dueAt: Date;
  try {
    // The engine without its trace: the trace is written out row by row, not kept for 100,000 rows.
    clockStartAt = cal.normalizeStart(receivedAt);
    durationMinutes = cal.durationMinutes(procedure.duration);
    dueAt = r.due_at ?? cal.addWorkingMinutes(clockStartAt, durationMinutes);
  } catch (err) {
    return { code, reasons: [`không tính được hạn giải quyết: ${(err as Error).message}`], prepared: null };
  }
  const prepared: PreparedRow = {
    line: record.line,
    code,
    procedure,
    receivingAgency: receiving,
    handlingAgency: procedure.agencyCode ?? receiving,
    row: r,
    receivedAt,
    clockStartAt,
    durationMinutes,
    dueAt,
    // The working minutes left when the clock stopped, as a supplement request or a pause keeps them.
    remainingMinutes: r.stopped_at ? minutesLeft(cal, r.stopped_at, dueAt) : null,
  };
  return { code, reasons, prepared };
}

/**
 * What the write needs, gathered by the check, rows named by their index in the file: each row's instant of receipt
 * and their order by it (`byReceipt`, then by line); the highest number of each day that kept codes of this system's
 * format use; the rows without a code, by desk and day of receipt; every desk; the count of each status. `read`
 * checks a row again and gives it ready to be written.
 */
interface WritePlan {
  receivedMs: Float64Array;
  byReceipt(a: number, b: number): number;
  highest: Map<string, number>;
  needing: Map<string, number[]>;
  desks: Set<string>;
  byStatus: Partial<Record<Status, number>>;
  read(index: number): PreparedRow;
}

/**
 * Checks a CSV text and, when every row is valid, writes all its dossiers in one transaction.
 *
 * The rows are not kept between the passes: each pass reads them again from the text (the parse notes where each
 * starts), and the write checks each again just before writing it, a thousand at a time. Memory then holds the text
 * and a few numbers a row; kept whole, the records and their checked values took 460–510 MB for 100,000 rows.
 */
export async function importDossiers(db: Knex, text: string, opts: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const progress = new ProgressReporter(opts.onProgress);
  const fail = (problems: ImportProblem[], rows: number): ImportFailure => ({
    ok: false,
    rows,
    problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    elapsedMs: Math.round(performance.now() - started),
  });

  // A file that is not UTF-8 was imported with "Nguyễn" as "Nguy�n" in every name.
  const unreadable = firstUnreadableLine(text);
  if (unreadable !== null) return fail([{ line: unreadable, message: NOT_UTF8 }], 0);

  // 1. Read the records: the header, and where each row that is not blank starts.
  progress.start('parse');
  let header: CsvRecord | undefined;
  const starts: number[] = [];
  const lines: number[] = [];
  const separator = csvSeparatorOf(text);
  try {
    for (const r of csvRecords(text, undefined, separator)) {
      if (!header) header = r;
      else if (r.fields.some((f) => f.trim() !== '')) {
        starts.push(r.offset);
        lines.push(r.line);
        if (starts.length % (TICK_ROWS * 5) === 0) await progress.tick(starts.length, 0);
      }
    }
  } catch (err) {
    if (err instanceof CsvSyntaxError) return fail([{ line: err.line, message: `tệp CSV bị lỗi: ${err.message}` }], starts.length);
    throw err;
  }
  if (!header) return fail([{ line: null, message: 'Tệp trống: cần dòng tiêu đề và ít nhất một dòng hồ sơ.' }], 0);
  const rowCount = starts.length;
  await progress.tick(rowCount, rowCount, true);
  const recordAt = (i: number): CsvRecord => csvRecords(text, { offset: starts[i], line: lines[i] }, separator).next().value!;

  // Columns without a name (Excel's empty cells after the last one) are left aside; their cells must be empty.
  const columns = header.fields.map((h) => h.trim().toLowerCase());
  const headerProblems: string[] = [];
  const unknown = columns.filter((c) => c !== '' && !(IMPORT_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) headerProblems.push(`cột không có trong mẫu: ${unknown.map((c) => `"${c}"`).join(', ')} (xem docs/IMPORT.md).`);
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length) headerProblems.push(`thiếu cột bắt buộc: ${missing.join(', ')}.`);
  const repeated = columns.filter((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (repeated.length) headerProblems.push(`cột bị lặp: ${[...new Set(repeated)].join(', ')}.`);
  if (headerProblems.length) return fail([{ line: header.line, message: `dòng tiêu đề: ${headerProblems.join(' ')}` }], rowCount);
  if (!rowCount) return fail([{ line: null, message: 'Tệp chỉ có dòng tiêu đề, không có hồ sơ nào.' }], 0);
  if (rowCount > MAX_IMPORT_ROWS) {
    return fail([{ line: null, message: `Tệp có ${rowCount} dòng; mỗi lần nhập tối đa ${MAX_IMPORT_ROWS} dòng, hãy chia nhỏ tệp.` }], rowCount);
  }

  // 2. Check every row.
  progress.start('check');
  const checks: RowChecks = {
    columns,
    namedColumns: columns.reduce((n, c, i) => (c === '' ? n : i + 1), 0),
    procedures: new Map<string, ProcedureRef>(
      (await db('procedures').select('code', 'field_code', 'agency_code', 'duration_value', 'duration_unit', 'on_supplement')).map((p) => [
        p.code,
        {
          code: p.code,
          fieldCode: p.field_code,
          agencyCode: p.agency_code,
          duration: { value: Number(p.duration_value), unit: p.duration_unit },
          onSupplement: p.on_supplement === 'pause' ? 'pause' : 'restart',
        },
      ]),
    ),
    agencies: new Set<string>((await db('agencies').select('code')).map((a) => a.code)),
    cal: opts.calendar,
    now: opts.now,
  };
  const problems: ImportProblem[] = [];
  const lineOfCode = new Map<string, number>();
  const receivedMs = new Float64Array(rowCount);
  const plan: WritePlan = {
    receivedMs,
    byReceipt: (a, b) => receivedMs[a] - receivedMs[b] || lines[a] - lines[b],
    highest: new Map(),
    needing: new Map(),
    desks: new Set(),
    byStatus: {},
    read(i) {
      const { prepared, reasons } = checkRow(recordAt(i), checks);
      // The same text, catalog, calendar and instant as the check: a row cannot fail now.
      if (!prepared) throw new Error(`Dòng ${lines[i]} không còn hợp lệ khi ghi: ${reasons.join('; ')}`);
      return prepared;
    },
  };

  for (let i = 0; i < rowCount; i++) {
    if (i > 0 && i % TICK_ROWS === 0) await progress.tick(i, rowCount);
    const { code, reasons, prepared } = checkRow(recordAt(i), checks);
    if (code) {
      const first = lineOfCode.get(code);
      if (first !== undefined) reasons.push(`mã hồ sơ ${code} trùng với dòng ${first}.`);
      else lineOfCode.set(code, lines[i]);
    }
    if (reasons.length || !prepared) {
      problems.push({ line: lines[i], message: sentences(reasons) });
      continue;
    }
    receivedMs[i] = prepared.receivedAt.getTime();
    plan.byStatus[prepared.row.status] = (plan.byStatus[prepared.row.status] ?? 0) + 1;
    plan.desks.add(prepared.receivingAgency).add(prepared.handlingAgency);
    const ours = code ? CODE_OF_FORMAT.exec(code) : null;
    if (ours) {
      const key = `${ours[1]}|${ours[2]}`;
      plan.highest.set(key, Math.max(plan.highest.get(key) ?? 0, Number(ours[3])));
    } else if (!code) {
      const key = `${prepared.receivingAgency}|${registerDay(prepared.receivedAt)}`;
      const list = plan.needing.get(key);
      if (list) list.push(i);
      else plan.needing.set(key, [i]);
    }
  }

  // Codes already in the database.
  const kept = [...lineOfCode.keys()];
  for (let i = 0; i < kept.length; i += 500) {
    const existing = await db('dossiers').whereIn('code', kept.slice(i, i + 500)).pluck('code');
    for (const code of existing) problems.push({ line: lineOfCode.get(code)!, message: `mã hồ sơ ${code} đã có trong cơ sở dữ liệu.` });
  }
  await progress.tick(rowCount, rowCount, true);
  if (problems.length) return fail(mergeByLine(problems), rowCount);

  // 3. Write everything, or nothing.
  progress.start('write');
  try {
    const summary = await db.transaction((trx) => writeRows(trx, plan, opts.now, opts.calendar, progress));
    const elapsedMs = Math.round(performance.now() - started);
    return { ...summary, elapsedMs, rowsPerSecond: elapsedMs > 0 ? Math.round((rowCount * 1000) / elapsedMs) : 0 };
  } catch (err) {
    if (isUniqueViolation(err)) {
      return fail(
        [{ line: null, message: 'Một mã hồ sơ trong tệp vừa được tạo trong cơ sở dữ liệu (có người tiếp nhận hoặc nhập cùng lúc). Không có gì được ghi; hãy nhập lại.' }],
        rowCount,
      );
    }
    // Knex puts the whole statement, values included, in its message: name only the database's error code.
    const code = (err as { code?: unknown })?.code;
    throw new Error(`Ghi vào cơ sở dữ liệu thất bại, không có gì được ghi${typeof code === 'string' ? ` (${code})` : ''}.`, { cause: err });
  }
}

/** A line's problems as sentences one after the other (they were joined by "; " after their full stops: ".; "). */
function sentences(messages: string[]): string {
  return messages.map((m) => (/[.!?…]$/.test(m) ? m : `${m}.`)).join(' ');
}

/** One problem per line: the checks of the database join those of the row. */
function mergeByLine(problems: ImportProblem[]): ImportProblem[] {
  const byLine = new Map<number | null, string[]>();
  for (const p of problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p.message]);
  return [...byLine].map(([line, messages]) => ({ line, message: sentences(messages) }));
}

const CODE_OF_FORMAT = /^(.+)-(\d{6})-(\d{4,})$/;
/** Dossiers checked again and written at a time, with their events and state intervals. */
const DOSSIER_BATCH = 1000;
const DOSSIER_COLUMNS = [
  'code', 'procedure_code', 'field_code', 'received_agency_code', 'agency_code', 'channel', 'applicant_name',
  'applicant_id_number', 'applicant_phone', 'applicant_email', 'applicant_address', 'sets', 'documents',
  'received_at', 'clock_start_at', 'duration_minutes', 'on_supplement', 'due_at', 'appointment_at',
  'remaining_minutes', 'status', 'finished_at', 'returned_at', 'outcome', 'outcome_reason', 'due_trace',
  'version', 'created_by', 'created_at', 'updated_at',
] as const satisfies readonly (keyof Omit<DossierRow, 'id'>)[];
const EVENT_COLUMNS = ['dossier_id', 'type', 'at', 'actor_id', 'actor_name', 'data', 'recorded_at'] as const;
const STATE_COLUMNS = ['dossier_id', 'valid_from', 'valid_to', 'status', 'due_at', 'clock_running', 'agency_code'] as const;

async function upsertSequences(trx: Knex.Transaction, rows: { agency_code: string; day: string; last: number }[], set: string) {
  const out: { agency_code: string; day: string; last: number }[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500);
    const returned = await selectRows<{ agency_code: string; day: string; last: number | string }>(
      trx,
      `INSERT INTO dossier_sequences (agency_code, day, last) VALUES ${batch.map(() => '(?, ?, ?)').join(', ')}
       ON CONFLICT (agency_code, day) DO UPDATE SET last = ${set} RETURNING agency_code, day, last`,
      batch.flatMap((r) => [r.agency_code, r.day, r.last]),
    );
    for (const r of returned) out.push({ agency_code: r.agency_code, day: r.day, last: Number(r.last) });
  }
  return out;
}

async function writeRows(trx: Knex.Transaction, plan: WritePlan, now: Date, cal: WorkCalendar, progress: ProgressReporter): Promise<Omit<ImportSummary, 'elapsedMs' | 'rowsPerSecond'>> {
  const nowIso = now.toISOString();
  // In order of receipt: the indexes on times then grow at their end, which SQLite writes much faster.
  const order = Uint32Array.from(plan.receivedMs, (_, i) => i).sort(plan.byReceipt);
  const total = order.length;

  // Daily numbers: codes of our own format kept from the file raise the sequence so that live intake never
  // reuses them; rows without a code get a block of numbers reserved atomically after the highest one.
  const keyed = (entries: Iterable<[string, number]>) =>
    [...entries].map(([key, last]) => {
      const [agency_code, day] = key.split('|');
      return { agency_code, day, last };
    });
  const knownAgencies = new Set((await trx('agencies').select('code')).map((a) => a.code));
  const raise = keyed(plan.highest).filter((r) => knownAgencies.has(r.agency_code));
  await upsertSequences(trx, raise, `${greatestFn(trx)}(dossier_sequences.last, excluded.last)`);

  const reserved = await upsertSequences(
    trx,
    keyed([...plan.needing].map(([key, list]) => [key, list.length])),
    'dossier_sequences.last + excluded.last',
  );
  const generated = new Map<number, string>();
  for (const { agency_code, day, last } of reserved) {
    // Numbers follow the order of receipt within the day.
    const list = plan.needing.get(`${agency_code}|${day}`)!.sort(plan.byReceipt);
    list.forEach((i, k) => generated.set(i, formatDossierCode(agency_code, new Date(plan.receivedMs[i]), last - list.length + 1 + k)));
  }

  // Dossiers with their events and state intervals, a batch at a time; first the desks' kept counts, in order
  // (lockDeskCounts). The report's rows per month start are written once per dossier at the end, not by the
  // triggers row by row.
  await lockDeskCounts(trx, [...plan.desks], STATUSES);
  await deferMonthEnds(trx);
  const ids: number[] = [];
  const sample: string[] = [];
  let eventCount = 0;
  let stateCount = 0;
  for (let k = 0; k < total; k += DOSSIER_BATCH) {
    const batch = Array.from(order.subarray(k, k + DOSSIER_BATCH), (i) => {
      const r = plan.read(i);
      r.code ??= generated.get(i)!;
      return r;
    });
    const dossiers = batch.map((r) => {
      const row = dossierRow(r, nowIso, JSON.stringify(traceOf(cal, r)));
      return DOSSIER_COLUMNS.map((c) => row[c]);
    });
    const idOf = new Map((await insertRows(trx, 'dossiers', DOSSIER_COLUMNS, dossiers, ['id', 'code'])).map((x) => [String(x.code), Number(x.id)]));
    const events: unknown[][] = [];
    const states: unknown[][] = [];
    for (const r of batch) {
      const id = idOf.get(r.code!)!;
      ids.push(id);
      const history = historyOf(r);
      for (const e of history) events.push([id, e.type, e.at, null, IMPORT_ACTOR, JSON.stringify(e.data), nowIso]);
      for (const s of stateIntervals(history, { agencyCode: r.handlingAgency })) {
        states.push([id, s.validFrom, s.validTo, s.status, s.dueAt, s.clockRunning, s.agencyCode]);
      }
    }
    await insertRows(trx, 'dossier_events', EVENT_COLUMNS, events);
    await insertRows(trx, 'dossier_states', STATE_COLUMNS, states);
    eventCount += events.length;
    stateCount += states.length;
    for (const r of batch) if (sample.length < 10) sample.push(r.code!);
    await progress.tick(Math.min(k + DOSSIER_BATCH, total), total);
  }
  await refreshMonthEnds(trx, ids);
  await progress.tick(total, total, true);

  return {
    ok: true,
    rows: total,
    keptCodes: total - generated.size,
    generatedCodes: generated.size,
    byStatus: plan.byStatus,
    events: eventCount,
    states: stateCount,
    sample,
  };
}

/** The events of an imported dossier, as live work would have written them. */
function historyOf(r: PreparedRow): { type: string; at: string; data: Record<string, unknown> }[] {
  const { row } = r;
  const imported = { imported: true };
  const history: { type: string; at: string; data: Record<string, unknown> }[] = [
    {
      type: 'receive',
      at: r.receivedAt.toISOString(),
      // dueFromFile: the old system's deadline, which recomputing open dossiers keeps (it replaced 31/12 by 05/11).
      data: { channel: row.channel, agencyCode: r.receivingAgency, dueAt: r.dueAt.toISOString(), duration: r.procedure.duration, ...(row.due_at ? { dueFromFile: true } : {}), ...imported },
    },
  ];
  const reason = row.reason ? { reason: row.reason } : {};
  if (row.stopped_at) {
    history.push({
      type: row.status === 'paused' ? 'pause' : 'request_supplement',
      at: row.stopped_at.toISOString(),
      data: { ...reason, remainingMinutes: r.remainingMinutes, ...imported },
    });
  }
  if (row.status === 'resolved' || row.status === 'returned') {
    history.push({
      type: 'resolve',
      at: row.finished_at!.toISOString(),
      data: { ...reason, outcome: row.outcome, late: row.finished_at! > r.dueAt, ...imported },
    });
  }
  if (row.status === 'returned') history.push({ type: 'return', at: row.returned_at!.toISOString(), data: { ...imported } });
  if (row.status === 'withdrawn') history.push({ type: 'withdraw', at: row.finished_at!.toISOString(), data: { ...reason, ...imported } });
  return history;
}

function dossierRow(r: PreparedRow, nowIso: string, dueTrace: string): Omit<DossierRow, 'id'> {
  const { row } = r;
  const events = 1 + (row.stopped_at ? 1 : 0) + (row.status === 'resolved' || row.status === 'withdrawn' ? 1 : row.status === 'returned' ? 2 : 0);
  return {
    code: r.code!,
    procedure_code: r.procedure.code,
    field_code: r.procedure.fieldCode,
    received_agency_code: r.receivingAgency,
    agency_code: r.handlingAgency,
    channel: row.channel,
    applicant_name: row.applicant_name,
    applicant_id_number: row.applicant_id_number ?? null,
    applicant_phone: row.applicant_phone ?? null,
    applicant_email: row.applicant_email ?? null,
    applicant_address: row.applicant_address ?? null,
    sets: row.sets,
    documents: null,
    received_at: r.receivedAt.toISOString(),
    clock_start_at: r.clockStartAt.toISOString(),
    duration_minutes: r.durationMinutes,
    on_supplement: r.procedure.onSupplement,
    due_at: r.dueAt.toISOString(),
    appointment_at: r.dueAt.toISOString(),
    remaining_minutes: r.remainingMinutes,
    status: row.status,
    finished_at: row.finished_at?.toISOString() ?? null,
    returned_at: row.returned_at?.toISOString() ?? null,
    outcome: row.outcome ?? null,
    outcome_reason: row.outcome ? (row.reason ?? null) : null,
    due_trace: dueTrace,
    version: events,
    created_by: null,
    created_at: nowIso,
    updated_at: nowIso,
  };
}

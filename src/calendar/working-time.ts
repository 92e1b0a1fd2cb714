/**
 * Working-minute arithmetic over a calendar of working days (SPEC §3).
 *
 * Instants are JS Dates (UTC). Local time is a fixed offset (UTC+7: Vietnam keeps no daylight
 * saving), applied by shifting milliseconds, never through the machine's time zone. Inside this
 * file a "local ms" is the UTC-epoch millisecond count of the same wall-clock reading in UTC, so
 * that day numbers and time of day fall out of plain division.
 */
import { isWeekendJd, provisionalDaysOff, weekdayNameOfJd, type CalendarEntry } from './holidays';
import { isoFromJd, jdFromIso, jdToDate } from './lunar';

/** Minutes after local midnight, end exclusive. */
export interface WorkingPeriod {
  start: number;
  end: number;
}

/** 07:30–11:30 and 13:30–17:00: 450 minutes a day. */
export const DEFAULT_PERIODS: WorkingPeriod[] = [
  { start: 450, end: 690 },
  { start: 810, end: 1020 },
];

export type DayStatusKind = 'workday' | 'weekend' | 'holiday' | 'day_off' | 'working_day';

export interface DayInfo {
  date: string;
  working: boolean;
  kind: DayStatusKind;
  /** The entry's name, 'Thứ Bảy' / 'Chủ nhật' for a plain weekend, null for a plain workday. */
  name: string | null;
  /** The day's year has no official schedule: its status comes from provisionalDaysOff. */
  provisional: boolean;
}

export interface TraceStep {
  type: 'received' | 'start' | 'duration' | 'skip' | 'due' | 'note';
  /** ISO instant, UTC */
  at?: string;
  /** YYYY-MM-DD */
  date?: string;
  minutes?: number;
  /** Vietnamese, for people */
  text: string;
}

export interface Duration {
  value: number;
  unit: 'working_days' | 'working_hours';
}

export interface WorkCalendarOptions {
  /** Official days from the database. */
  entries: CalendarEntry[];
  /** Years whose official schedule is loaded; default: every year that appears in entries. */
  officialYears?: Iterable<number>;
  periods?: WorkingPeriod[];
  /** Local time = UTC + this; default 420 (UTC+7). */
  tzOffsetMinutes?: number;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** Julian day number of 1970-01-01, the day of local ms 0. */
const JD_OF_EPOCH = 2440588;
/** A calendar with no working day for ten years is broken; stop instead of looping forever. */
const MAX_CONSECUTIVE_DAYS_OFF = 3660;

interface YearCalendar {
  firstJd: number;
  provisional: boolean;
  /** 1 = working day, by day of the year. */
  working: Uint8Array;
  entries: Map<number, CalendarEntry>;
}

interface PeriodMs {
  start: number;
  end: number;
}

export class WorkCalendar {
  readonly minutesPerDay: number;
  readonly tzOffsetMinutes: number;

  private readonly periods: PeriodMs[];
  private readonly msPerDay: number;
  private readonly offsetMs: number;
  private readonly officialYears: Set<number>;
  private readonly officialEntries = new Map<number, CalendarEntry[]>();
  private readonly years = new Map<number, YearCalendar>();
  /** The year looked at last: day-by-day walks stay inside one year almost always. */
  private recentYear: YearCalendar | null = null;

  constructor(opts: WorkCalendarOptions) {
    const periods = validPeriods(opts.periods ?? DEFAULT_PERIODS);
    this.periods = periods.map((p) => ({ start: p.start * MS_PER_MINUTE, end: p.end * MS_PER_MINUTE }));
    this.minutesPerDay = periods.reduce((sum, p) => sum + p.end - p.start, 0);
    this.msPerDay = this.minutesPerDay * MS_PER_MINUTE;
    this.tzOffsetMinutes = opts.tzOffsetMinutes ?? 420;
    this.offsetMs = this.tzOffsetMinutes * MS_PER_MINUTE;

    for (const entry of opts.entries) {
      const year = jdToDate(jdFromIso(entry.date)).year;
      const list = this.officialEntries.get(year) ?? [];
      list.push(entry);
      this.officialEntries.set(year, list);
    }
    this.officialYears = new Set(opts.officialYears ?? this.officialEntries.keys());
  }

  isOfficialYear(year: number): boolean {
    return this.officialYears.has(year);
  }

  dayInfo(date: string): DayInfo {
    return this.dayInfoOfJd(jdFromIso(date));
  }

  isWorkingDay(date: string): boolean {
    return this.isWorkingJd(jdFromIso(date));
  }

  /** Every day from `from` to `to`, both included. */
  days(from: string, to: string): DayInfo[] {
    const result: DayInfo[] = [];
    for (let jd = jdFromIso(from), last = jdFromIso(to); jd <= last; jd += 1) result.push(this.dayInfoOfJd(jd));
    return result;
  }

  localDate(instant: Date): string {
    return isoFromJd(dayOfLocal(this.toLocal(instant)));
  }

  /**
   * The instant itself when it lies inside a working period of a working day, else the opening of
   * the next working period. Non-working days passed over are pushed to `trace` as 'skip' steps.
   */
  normalizeStart(instant: Date, trace?: TraceStep[]): Date {
    return this.toInstant(this.normalizeLocal(this.toLocal(instant), trace));
  }

  /**
   * The earliest instant at which `minutes` working minutes have elapsed after `start` (normalised
   * first): a duration that ends exactly at a closing time ends there, not at the next opening.
   */
  addWorkingMinutes(start: Date, minutes: number, trace?: TraceStep[]): Date {
    if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`Invalid working minutes: ${minutes}`);
    let remaining = Math.round(minutes * MS_PER_MINUTE);
    const startLocal = this.normalizeLocal(this.toLocal(start), trace);
    if (remaining === 0) return this.toInstant(startLocal);

    let jd = dayOfLocal(startLocal);
    let timeOfDay = startLocal - localOfDay(jd);
    for (let daysOff = 0; daysOff < MAX_CONSECUTIVE_DAYS_OFF; jd += 1, timeOfDay = 0) {
      if (!this.isWorkingJd(jd)) {
        daysOff += 1;
        if (trace) trace.push(this.skipStep(jd));
        continue;
      }
      daysOff = 0;
      // A Saturday or Sunday counted is a make-up day (làm bù): said, or a due date on a Saturday looks like a mistake.
      if (trace && isWeekendJd(jd)) trace.push({ type: 'note', date: isoFromJd(jd), text: `Tính ${this.describeJd(jd)}: ngày làm bù, là ngày làm việc.` });
      if (timeOfDay === 0 && remaining > this.msPerDay) {
        remaining -= this.msPerDay; // the whole day is used up: no need to look at its periods
        continue;
      }
      for (const period of this.periods) {
        if (timeOfDay >= period.end) continue;
        const from = Math.max(timeOfDay, period.start);
        if (remaining <= period.end - from) return this.toInstant(localOfDay(jd) + from + remaining);
        remaining -= period.end - from;
      }
    }
    throw new Error(`No working day within ${MAX_CONSECUTIVE_DAYS_OFF} days after ${isoFromJd(jd)}`);
  }

  /**
   * Inside a working period of a working day, its closing instant included: a deadline may end at 17:00, and so may
   * an appointment.
   */
  isWorkingInstant(instant: Date): boolean {
    const t = instant.getTime();
    return this.normalizeStart(instant).getTime() === t || this.normalizeStart(new Date(t - 1)).getTime() === t - 1;
  }

  /** Working minutes in [from, to); 0 when to <= from. */
  workingMinutesBetween(from: Date, to: Date): number {
    const a = this.toLocal(from);
    const b = this.toLocal(to);
    if (b <= a) return 0;
    let total = 0;
    for (let jd = dayOfLocal(a), last = dayOfLocal(b); jd <= last; jd += 1) {
      if (!this.isWorkingJd(jd)) continue;
      const dayStart = localOfDay(jd);
      if (dayStart >= a && dayStart + MS_PER_DAY <= b) {
        total += this.msPerDay;
        continue;
      }
      for (const period of this.periods) {
        const overlap = Math.min(b, dayStart + period.end) - Math.max(a, dayStart + period.start);
        if (overlap > 0) total += overlap;
      }
    }
    return total / MS_PER_MINUTE;
  }

  durationMinutes(d: Duration): number {
    if (!Number.isFinite(d.value) || d.value < 0) throw new RangeError(`Invalid duration: ${d.value}`);
    return d.unit === 'working_days' ? d.value * this.minutesPerDay : d.value * 60;
  }

  /** "Thứ Bảy 14/02/2026" or "Thứ Hai 16/02/2026 — Tết Nguyên đán Bính Ngọ (29 tháng Chạp)". */
  describeDay(date: string): string {
    return this.describeJd(jdFromIso(date));
  }

  // -------------------------------------------------------------------------------------------

  private describeJd(jd: number): string {
    const info = this.dayInfoOfJd(jd);
    const label = `${weekdayNameOfJd(jd)} ${formatDateVi(jd)}`;
    if (info.kind === 'weekend' || info.kind === 'workday' || info.name === null) return label;
    return `${label} — ${info.name}${info.provisional ? ' (lịch tạm tính)' : ''}`;
  }

  private toLocal(instant: Date): number {
    const ms = instant.getTime();
    if (Number.isNaN(ms)) throw new RangeError('Invalid date');
    return ms + this.offsetMs;
  }

  private toInstant(local: number): Date {
    return new Date(local - this.offsetMs);
  }

  private normalizeLocal(local: number, trace?: TraceStep[]): number {
    let jd = dayOfLocal(local);
    if (this.isWorkingJd(jd)) {
      const timeOfDay = local - localOfDay(jd);
      for (const period of this.periods) {
        if (timeOfDay < period.end) return localOfDay(jd) + Math.max(timeOfDay, period.start);
      }
    } else if (trace) {
      trace.push(this.skipStep(jd));
    }
    for (let daysOff = 0; daysOff < MAX_CONSECUTIVE_DAYS_OFF; daysOff += 1) {
      jd += 1;
      if (this.isWorkingJd(jd)) return localOfDay(jd) + this.periods[0].start;
      if (trace) trace.push(this.skipStep(jd));
    }
    throw new Error(`No working day within ${MAX_CONSECUTIVE_DAYS_OFF} days after ${isoFromJd(jd)}`);
  }

  private skipStep(jd: number): TraceStep {
    return { type: 'skip', date: isoFromJd(jd), text: `Bỏ qua ${this.describeJd(jd)}` };
  }

  private isWorkingJd(jd: number): boolean {
    let year = this.recentYear;
    if (!year || jd < year.firstJd || jd >= year.firstJd + year.working.length) {
      year = this.yearCalendar(jdToDate(jd).year);
      this.recentYear = year;
    }
    return year.working[jd - year.firstJd] === 1;
  }

  private dayInfoOfJd(jd: number): DayInfo {
    const calendar = this.yearCalendar(jdToDate(jd).year);
    const entry = calendar.entries.get(jd);
    const date = isoFromJd(jd);
    const provisional = calendar.provisional;
    // Plain object literals, no spread: this runs for every day skipped in a trace.
    if (entry) return { date, working: entry.kind === 'working_day', kind: entry.kind, name: entry.name, provisional };
    if (isWeekendJd(jd)) return { date, working: false, kind: 'weekend', name: weekdayNameOfJd(jd), provisional };
    return { date, working: true, kind: 'workday', name: null, provisional };
  }

  private yearCalendar(year: number): YearCalendar {
    const cached = this.years.get(year);
    if (cached) return cached;

    const provisional = !this.officialYears.has(year);
    const list = provisional ? provisionalDaysOff(year) : (this.officialEntries.get(year) ?? []);
    const firstJd = jdFromIso(`${String(year).padStart(4, '0')}-01-01`);
    const length = jdFromIso(`${String(year + 1).padStart(4, '0')}-01-01`) - firstJd;
    const working = new Uint8Array(length);
    for (let i = 0; i < length; i += 1) working[i] = isWeekendJd(firstJd + i) ? 0 : 1;
    const entries = new Map<number, CalendarEntry>();
    for (const entry of list) {
      const jd = jdFromIso(entry.date);
      entries.set(jd, entry);
      working[jd - firstJd] = entry.kind === 'working_day' ? 1 : 0;
    }

    const calendar = { firstJd, provisional, working, entries };
    this.years.set(year, calendar);
    return calendar;
  }
}

function validPeriods(periods: WorkingPeriod[]): WorkingPeriod[] {
  const sorted = [...periods].sort((a, b) => a.start - b.start);
  if (sorted.length === 0) throw new RangeError('At least one working period is needed');
  sorted.forEach((p, i) => {
    const inDay = Number.isInteger(p.start) && Number.isInteger(p.end) && p.start >= 0 && p.end <= 1440;
    if (!inDay || p.start >= p.end || (i > 0 && p.start < sorted[i - 1].end)) {
      throw new RangeError(`Invalid working periods: ${JSON.stringify(periods)}`);
    }
  });
  return sorted;
}

function dayOfLocal(local: number): number {
  return Math.floor(local / MS_PER_DAY) + JD_OF_EPOCH;
}

function localOfDay(jd: number): number {
  return (jd - JD_OF_EPOCH) * MS_PER_DAY;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function formatDateVi(jd: number): string {
  const { year, month, day } = jdToDate(jd);
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

/** 'HH:mm dd/mm/yyyy' in local time. */
export function formatLocal(instant: Date, tzOffsetMinutes = 420): string {
  const local = instant.getTime() + tzOffsetMinutes * MS_PER_MINUTE;
  const jd = dayOfLocal(local);
  const minuteOfDay = Math.floor((local - localOfDay(jd)) / MS_PER_MINUTE);
  return `${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)} ${formatDateVi(jd)}`;
}

/** "10:00 ngày 25/02/2026 (Thứ Tư)" */
function describeInstant(instant: Date, tzOffsetMinutes: number): string {
  const [time, date] = formatLocal(instant, tzOffsetMinutes).split(' ');
  const jd = dayOfLocal(instant.getTime() + tzOffsetMinutes * MS_PER_MINUTE);
  return `${time} ngày ${date} (${weekdayNameOfJd(jd)})`;
}

/** 1350 -> "1.350", 1.5 -> "1,5" (Vietnamese separators). */
function formatNumberVi(n: number): string {
  const [whole, fraction] = String(Math.round(Math.abs(n) * 100) / 100).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${n < 0 ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

function whyStartMoved(cal: WorkCalendar, receivedDate: string): string {
  const day = cal.dayInfo(receivedDate);
  if (day.working) return 'nhận ngoài giờ làm việc';
  if (day.kind === 'weekend') return `nhận vào ${day.name}`;
  return `nhận vào ngày nghỉ: ${day.name}`;
}

/**
 * Start and due instants of a duration counted from a receipt, with the steps that explain them:
 * received, the days off before the clock starts, start (and why it moved), duration, the days
 * skipped while counting, due, and a note for each year counted on a provisional calendar.
 */
export function computeDue(
  cal: WorkCalendar,
  receivedAt: Date,
  duration: Duration,
): { startAt: Date; dueAt: Date; minutes: number; trace: TraceStep[] } {
  const tz = cal.tzOffsetMinutes;
  const trace: TraceStep[] = [
    { type: 'received', at: receivedAt.toISOString(), text: `Tiếp nhận hồ sơ: ${describeInstant(receivedAt, tz)}` },
  ];

  const startAt = cal.normalizeStart(receivedAt, trace);
  const moved = startAt.getTime() !== receivedAt.getTime();
  trace.push({
    type: 'start',
    at: startAt.toISOString(),
    text:
      `Bắt đầu tính thời hạn: ${describeInstant(startAt, tz)}` +
      (moved ? ` — chuyển sang giờ làm việc kế tiếp vì ${whyStartMoved(cal, cal.localDate(receivedAt))}` : ''),
  });

  const minutes = cal.durationMinutes(duration);
  const unit = duration.unit === 'working_days' ? 'ngày làm việc' : 'giờ làm việc';
  trace.push({
    type: 'duration',
    minutes,
    text: `Thời hạn ${formatNumberVi(duration.value)} ${unit} = ${formatNumberVi(minutes)} phút làm việc`,
  });

  const dueAt = cal.addWorkingMinutes(startAt, minutes, trace);
  trace.push({ type: 'due', at: dueAt.toISOString(), text: `Hạn giải quyết: ${describeInstant(dueAt, tz)}` });

  trace.push(...provisionalNotes(cal, receivedAt, dueAt));
  return { startAt, dueAt, minutes, trace };
}

const PROVISIONAL_NOTE = / chưa có lịch nghỉ chính thức: dùng lịch tạm tính/;

/** A note for each year from `from` to `to` counted on the provisional calendar (no official schedule loaded). */
export function provisionalNotes(cal: WorkCalendar, from: Date, to: Date): TraceStep[] {
  const notes: TraceStep[] = [];
  const firstYear = Number(cal.localDate(from).slice(0, 4));
  const lastYear = Number(cal.localDate(to).slice(0, 4));
  for (let year = firstYear; year <= lastYear; year += 1) {
    if (cal.isOfficialYear(year)) continue;
    notes.push({
      type: 'note',
      text: `Năm ${year} chưa có lịch nghỉ chính thức: dùng lịch tạm tính theo Bộ luật Lao động 2019, Điều 112.`,
    });
  }
  return notes;
}

/**
 * The years a deadline was counted on the provisional calendar, from its trace's notes (provisionalNotes): what the
 * deadline was made of, not today's calendar, so a schedule imported since, until an admin recomputes, still shows.
 */
export function provisionalYearsOf(trace: readonly TraceStep[]): number[] {
  return trace
    .filter((s) => s.type === 'note' && PROVISIONAL_NOTE.test(s.text))
    .map((s) => Number(/^Năm (\d{4}) /.exec(s.text)?.[1]))
    .filter((y) => Number.isInteger(y));
}

/**
 * What the desk tells the citizen of a deadline counted on a provisional year's days off (Tết's are announced late in
 * the year before): the date may move once the official schedule is out, and the look-up shows the date then kept.
 */
export function provisionalDueNotice(years: readonly number[]): string | null {
  if (!years.length) return null;
  return `Ngày hẹn tạm tính theo lịch nghỉ ${yearsInWords(years)} chưa chính thức; nếu đổi, xem khi tra cứu hồ sơ.`;
}

/** Years as a sentence names them: "năm 2027", "các năm 2027, 2028". */
export function yearsInWords(years: readonly number[]): string {
  return years.length === 1 ? `năm ${years[0]}` : `các năm ${years.join(', ')}`;
}

// Report periods (SPEC §6): calendar month, quarter and year, the 15th-to-14th reporting windows of
// Nghị định 09/2019/NĐ-CP, or any range of local dates. PURE: "today" and "now" are passed in.
import { ValidationError } from '../shared/errors';
import { addDays, formatDate } from '../shared/format';

export const PERIOD_KINDS = ['month', 'quarter', 'year', 'rmonth', 'rquarter', 'rhalf', 'rhalf2', 'r9months', 'ryear', 'range'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export const PERIOD_KIND_NAMES: Record<PeriodKind, string> = {
  month: 'Tháng',
  quarter: 'Quý',
  year: 'Năm',
  rmonth: 'Kỳ báo cáo tháng (15 – 14)',
  rquarter: 'Kỳ báo cáo quý (15 – 14)',
  rhalf: 'Kỳ báo cáo 6 tháng đầu năm (15/12 – 14/6)',
  rhalf2: 'Kỳ báo cáo 6 tháng cuối năm (15/6 – 14/12)',
  r9months: 'Kỳ báo cáo 9 tháng (15/12 – 14/9)',
  ryear: 'Kỳ báo cáo năm (15/12 – 14/12)',
  range: 'Khoảng ngày tùy chọn',
};

export interface Period {
  kind: PeriodKind;
  /** first local date, YYYY-MM-DD */
  from: string;
  /** last local date, inclusive */
  to: string;
  /** e.g. "Tháng 02/2026", "Kỳ báo cáo quý I/2026" */
  label: string;
  year?: number;
  month?: number;
  quarter?: number;
}

const ROMAN = ['I', 'II', 'III', 'IV'];
const pad = (n: number) => String(n).padStart(2, '0');
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date between 2000 and 2100. */
export function isValidDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2100) return false;
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Last day of a month (month 1–12). */
function lastDay(year: number, month: number): string {
  return `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;
}

/** The 15th of the month before `month` (January → 15 December of the year before). */
function fifteenthBefore(year: number, month: number): string {
  return month === 1 ? `${year - 1}-12-15` : `${year}-${pad(month - 1)}-15`;
}

export function monthPeriod(year: number, month: number): Period {
  return { kind: 'month', from: `${year}-${pad(month)}-01`, to: lastDay(year, month), label: `Tháng ${pad(month)}/${year}`, year, month };
}

export function quarterPeriod(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1;
  return {
    kind: 'quarter',
    from: `${year}-${pad(first)}-01`,
    to: lastDay(year, first + 2),
    label: `Quý ${ROMAN[quarter - 1]}/${year}`,
    year,
    quarter,
  };
}

export function yearPeriod(year: number): Period {
  return { kind: 'year', from: `${year}-01-01`, to: `${year}-12-31`, label: `Năm ${year}`, year };
}

/** Reporting month of NĐ 09/2019 art. 12: from the 15th of the previous month to the 14th. */
export function reportingMonth(year: number, month: number): Period {
  return {
    kind: 'rmonth',
    from: fifteenthBefore(year, month),
    to: `${year}-${pad(month)}-14`,
    label: `Kỳ báo cáo tháng ${pad(month)}/${year}`,
    year,
    month,
  };
}

/** Reporting quarter: from the 15th of the month before the quarter to the 14th of its last month. */
export function reportingQuarter(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1;
  return {
    kind: 'rquarter',
    from: fifteenthBefore(year, first),
    to: `${year}-${pad(first + 2)}-14`,
    label: `Kỳ báo cáo quý ${ROMAN[quarter - 1]}/${year}`,
    year,
    quarter,
  };
}

/**
 * Reporting 6 months, 9 months and year: from 15 December of the year before to the 14th of June, September, December;
 * the last 6 months (rhalf2) from 15 June to 14 December (NĐ 09/2019 art. 12(3)).
 */
export function reportingYearPart(kind: YearPartKind, year: number): Period {
  if (kind === 'rhalf2') return { kind, from: `${year}-06-15`, to: `${year}-12-14`, label: `Kỳ báo cáo 6 tháng cuối năm ${year}`, year };
  const [month, text] =
    kind === 'rhalf' ? [6, `Kỳ báo cáo 6 tháng đầu năm ${year}`] : kind === 'r9months' ? [9, `Kỳ báo cáo 9 tháng năm ${year}`] : [12, `Kỳ báo cáo năm ${year}`];
  return { kind, from: `${year - 1}-12-15`, to: `${year}-${pad(month)}-14`, label: text, year };
}

type YearPartKind = 'rhalf' | 'rhalf2' | 'r9months' | 'ryear';

export function rangePeriod(from: string, to: string): Period {
  return { kind: 'range', from, to, label: `Từ ngày ${formatDate(from)} đến ngày ${formatDate(to)}` };
}

/** The named period that is exactly [from, to], or a plain range. */
export function describePeriod(from: string, to: string): Period {
  const y = Number(to.slice(0, 4));
  const m = Number(to.slice(5, 7));
  const candidates: Period[] = [monthPeriod(y, m), reportingMonth(y, m), yearPeriod(y), reportingYearPart('ryear', y)];
  if (m % 3 === 0) candidates.push(quarterPeriod(y, m / 3), reportingQuarter(y, m / 3));
  if (m === 6) candidates.push(reportingYearPart('rhalf', y));
  if (m === 9) candidates.push(reportingYearPart('r9months', y));
  if (m === 12) candidates.push(reportingYearPart('rhalf2', y));
  return candidates.find((p) => p.from === from && p.to === to) ?? rangePeriod(from, to);
}

/** "Kỳ báo cáo: Tháng 02/2026 (Từ ngày 01/02/2026 đến ngày 28/02/2026)" — the heading line of Biểu II.06a. */
export function periodHeading(p: Pick<Period, 'kind' | 'label' | 'from' | 'to'>): string {
  const range = `Từ ngày ${formatDate(p.from)} đến ngày ${formatDate(p.to)}`;
  if (p.kind === 'range') return `Kỳ báo cáo: ${range}`;
  // "Kỳ báo cáo tháng 02/2026" reads "Kỳ báo cáo: Tháng 02/2026 (Từ ngày 15/01/2026 …)" as on the filed form.
  const name = p.label.replace(/^Kỳ báo cáo /, '');
  return `Kỳ báo cáo: ${name.charAt(0).toUpperCase()}${name.slice(1)} (${range})`;
}

export interface PeriodInput {
  period?: unknown;
  year?: unknown;
  month?: unknown;
  quarter?: unknown;
  from?: unknown;
  to?: unknown;
}

const intIn = (v: unknown, min: number, max: number): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
};

const given = (v: unknown): boolean => v !== undefined && v !== null && String(v).trim() !== '';

/**
 * The period the picker asks for. Missing parts fall back to the month (or year) of `today`; a part given but not a
 * period's (month 13, quarter 5, a year outside 2000–2100, an unknown kind) is refused with its reason, as a bookmarked
 * link showed another month under its own heading without a word. A range needs valid dates. Without `period`,
 * explicit from/to are described (a link from elsewhere).
 */
export function resolvePeriod(input: PeriodInput, today: string): Period {
  const known = (PERIOD_KINDS as readonly string[]).includes(String(input.period));
  const kind = known ? (input.period as PeriodKind) : undefined;
  if (!kind && !given(input.period) && isValidDate(input.from) && isValidDate(input.to)) return describePeriod(input.from, input.to);
  const errors: Record<string, string> = {};
  if (given(input.period) && !known) errors.period = 'Loại kỳ báo cáo không có trong danh sách.';
  const uses = (part: 'year' | 'month' | 'quarter') =>
    part === 'year' ? kind !== 'range' : part === 'month' ? ['month', 'rmonth', undefined].includes(kind) : ['quarter', 'rquarter'].includes(kind ?? '');
  const part = (name: 'year' | 'month' | 'quarter', min: number, max: number, message: string): number | undefined => {
    const n = intIn(input[name], min, max);
    if (n === undefined && given(input[name]) && uses(name)) errors[name] = message;
    return n;
  };
  const year = part('year', 2000, 2100, 'Năm phải từ 2000 đến 2100.') ?? Number(today.slice(0, 4));
  const month = part('month', 1, 12, 'Tháng phải từ 1 đến 12.') ?? Number(today.slice(5, 7));
  const quarter = part('quarter', 1, 4, 'Quý phải từ I đến IV (1–4).') ?? Math.ceil(month / 3);
  if (Object.keys(errors).length) throw new ValidationError(errors, 'Kỳ báo cáo chưa hợp lệ.');
  switch (kind ?? 'month') {
    case 'month':
      return monthPeriod(year, month);
    case 'quarter':
      return quarterPeriod(year, quarter);
    case 'year':
      return yearPeriod(year);
    case 'rmonth':
      return reportingMonth(year, month);
    case 'rquarter':
      return reportingQuarter(year, quarter);
    case 'rhalf':
    case 'rhalf2':
    case 'r9months':
    case 'ryear':
      return reportingYearPart(kind as YearPartKind, year);
    case 'range': {
      const errors: Record<string, string> = {};
      const fromProblem = rangeDayProblem(input.from, 'bắt đầu');
      const toProblem = rangeDayProblem(input.to, 'kết thúc');
      if (fromProblem) errors.from = fromProblem;
      if (toProblem) errors.to = toProblem;
      if (Object.keys(errors).length) throw new ValidationError(errors, 'Khoảng thời gian báo cáo chưa hợp lệ.');
      return rangePeriod(input.from as string, input.to as string);
    }
  }
}

/**
 * Why a day of a custom range cannot be reported on, in the picker's words, or undefined when it can. A day typed
 * with a year out of 2000–2100 (01/01/1999, or 20266 for 2026) was told "Chọn ngày bắt đầu", as if none had been chosen.
 */
export function rangeDayProblem(value: unknown, which: 'bắt đầu' | 'kết thúc'): string | undefined {
  if (isValidDate(value)) return undefined;
  if (!given(value)) return `Chọn ngày ${which} (dd/mm/yyyy).`;
  const m = /^(\d{4,6})-(\d{2})-(\d{2})$/.exec(String(value).trim());
  if (!m) return `Ngày ${which} không đọc được; chọn ngày dạng dd/mm/yyyy.`;
  const shown = `${m[3]}/${m[2]}/${m[1]}`;
  const year = Number(m[1]);
  if (year < 2000 || year > 2100) return `Ngày ${which} ${shown}: năm phải từ 2000 đến 2100.`;
  return `Ngày ${which} ${shown} không có trên lịch.`;
}

/** The reporting window containing a local date: the 15th-to-14th month it falls in. */
export function reportingMonthOf(date: string): Period {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (d <= 14) return reportingMonth(y, m);
  return m === 12 ? reportingMonth(y + 1, 1) : reportingMonth(y, m + 1);
}

export interface ReportWindow {
  from: string;
  to: string;
  /** from 00:00 in UTC+7, as a UTC ISO instant */
  start: string;
  /** the day after `to`, 00:00 in UTC+7 */
  periodEnd: string;
  /**
   * The instant the report is taken at: the end of the period, or now while the period runs. Everything
   * "by the end" is judged here, so a past period depends only on the history and a running one on today.
   */
  end: string;
  /** the period is still running: the numbers are as of now */
  running: boolean;
}

const localMidnight = (date: string) => new Date(`${date}T00:00:00+07:00`).toISOString();

/** The instants of a period [from, to] of local dates; a period must have started by `now`. */
export function reportWindow(from: unknown, to: unknown, now: Date): ReportWindow {
  const errors: Record<string, string> = {};
  if (!isValidDate(from)) errors.from = 'Ngày bắt đầu phải có dạng YYYY-MM-DD (năm 2000–2100).';
  if (!isValidDate(to)) errors.to = 'Ngày kết thúc phải có dạng YYYY-MM-DD (năm 2000–2100).';
  if (!errors.from && !errors.to && (from as string) > (to as string)) errors.to = 'Ngày kết thúc phải từ ngày bắt đầu trở đi.';
  const start = errors.from ? '' : localMidnight(from as string);
  if (!errors.from && start > now.toISOString()) errors.from = 'Kỳ báo cáo chưa bắt đầu.';
  if (Object.keys(errors).length) throw new ValidationError(errors, 'Kỳ báo cáo chưa hợp lệ.');
  const periodEnd = localMidnight(addDays(to as string, 1));
  const nowIso = now.toISOString();
  const running = nowIso < periodEnd;
  return { from: from as string, to: to as string, start, periodEnd, end: running ? nowIso : periodEnd, running };
}

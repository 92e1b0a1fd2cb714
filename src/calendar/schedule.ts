// An announced schedule of days off as a CSV file (the format of ../shared/data/vn-days-off.csv): what an admin
// imports when the government announces a year's Tết, its swapped days and its make-up Saturdays (SPEC §3). PURE.
import { csvRecords, csvSeparatorOf, CsvSyntaxError, firstUnreadableLine, NOT_UTF8 } from '../imports/csv-records';
import { formatNumber } from '../shared/format';
import { CONTROL_CHARS, isRealDay } from '../shared/validation';
import type { CalendarEntry, DayKind } from './holidays';

/** The columns, in any order; `source` may be left out. */
export const SCHEDULE_COLUMNS = ['date', 'kind', 'name', 'source'] as const;

/** Years the calendar accepts; the lunar tables and the engine are checked for this span. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** Forty years of days off and make-up days: a file longer than this is not a schedule. */
export const MAX_SCHEDULE_ROWS = 2000;
const MAX_NAME = 300;
const MAX_SOURCE = 500;

/**
 * The kinds as the file may write them: the API's words, or the Vietnamese ones, with or without "ngày" — the page's
 * own names among them ("Ngày nghỉ (nghỉ bù, hoán đổi)" was refused, and so was "ngày lễ", while "lễ" was taken).
 */
const KIND_WORDS: Record<string, DayKind> = {
  holiday: 'holiday',
  day_off: 'day_off',
  working_day: 'working_day',
  'lễ': 'holiday',
  'tết': 'holiday',
  'lễ, tết': 'holiday',
  'lễ tết': 'holiday',
  'ngày lễ': 'holiday',
  'ngày tết': 'holiday',
  'ngày lễ, tết': 'holiday',
  'ngày lễ tết': 'holiday',
  'nghỉ': 'day_off',
  'nghỉ bù': 'day_off',
  'nghỉ hoán đổi': 'day_off',
  'ngày nghỉ': 'day_off',
  'ngày nghỉ bù': 'day_off',
  'ngày nghỉ hoán đổi': 'day_off',
  'ngày nghỉ (nghỉ bù, hoán đổi)': 'day_off',
  'làm bù': 'working_day',
  'ngày làm bù': 'working_day',
};

/** A kind as written, in one form: composed marks (a file typed with decomposed ones), lower case, single spaces. */
function kindOf(text: string): DayKind | undefined {
  return KIND_WORDS[text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim()];
}

export interface ScheduleProblem {
  /** the file's line (1-based), null for the file as a whole */
  line: number | null;
  text: string;
}

export type ParsedSchedule = { ok: true; entries: CalendarEntry[]; years: number[] } | { ok: false; problems: ScheduleProblem[] };

/** YYYY-MM-DD from "2027-02-05" or "05/02/2027" (the way a Vietnamese spreadsheet writes it); null when neither. */
function isoDay(text: string): string | null {
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const vi = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (vi) [y, m, d] = [Number(vi[3]), Number(vi[2]), Number(vi[1])];
  else return null;
  if (!isRealDay(y, m, d)) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * The entries of a schedule file, or every problem found in it (each with its line), in Vietnamese. Nothing is
 * taken from a file with a problem: a schedule half loaded gives wrong deadlines.
 */
export function parseSchedule(text: string): ParsedSchedule {
  const problems: ScheduleProblem[] = [];
  const entries: CalendarEntry[] = [];
  const seen = new Map<string, number>();
  let columns: Record<string, number> | null = null;
  const unreadable = firstUnreadableLine(text);
  if (unreadable !== null) return { ok: false, problems: [{ line: unreadable, text: `Dòng ${unreadable}: ${NOT_UTF8}` }] };
  try {
    // Cells apart by ',' or, as Excel on a Windows set to Vietnamese saves CSV, by ';' (read from the header line).
    const nfc = text.normalize('NFC');
    for (const record of csvRecords(nfc, undefined, csvSeparatorOf(nfc))) {
      const fields = record.fields.map((f) => f.trim());
      if (!columns) {
        const names = fields.map((f) => f.toLowerCase());
        const missing = SCHEDULE_COLUMNS.filter((c) => c !== 'source' && !names.includes(c));
        if (missing.length) {
          return {
            ok: false,
            problems: [{ line: record.line, text: `Dòng tiêu đề phải có các cột ${SCHEDULE_COLUMNS.join(', ')} (cột source có thể bỏ); thiếu cột ${missing.join(', ')}.` }],
          };
        }
        columns = Object.fromEntries(SCHEDULE_COLUMNS.map((c) => [c, names.indexOf(c)]));
        continue;
      }
      if (entries.length + problems.length >= MAX_SCHEDULE_ROWS) {
        return { ok: false, problems: [{ line: record.line, text: `Tệp có quá ${formatNumber(MAX_SCHEDULE_ROWS)} dòng: đây không phải một lịch nghỉ.` }] };
      }
      const at = (c: string) => (columns![c] >= 0 ? (fields[columns![c]] ?? '') : '');
      const say = (t: string) => problems.push({ line: record.line, text: t });
      const rawDate = at('date');
      const date = isoDay(rawDate);
      const kind = kindOf(at('kind'));
      const name = at('name');
      const source = at('source');
      const before = problems.length;
      if (!date) say(rawDate ? `Ngày "${rawDate}" không có trên lịch hoặc không đúng dạng YYYY-MM-DD hay dd/mm/yyyy.` : 'Thiếu ngày (cột date).');
      else {
        const year = Number(date.slice(0, 4));
        if (year < MIN_YEAR || year > MAX_YEAR) say(`Năm ${year} nằm ngoài khoảng ${MIN_YEAR}–${MAX_YEAR}.`);
        const first = seen.get(date);
        if (first !== undefined) say(`Ngày ${date} đã có ở dòng ${first}.`);
        else seen.set(date, record.line);
      }
      if (!kind) say(`Loại ngày "${at('kind')}" không hợp lệ: holiday (lễ, Tết), day_off (nghỉ bù, hoán đổi) hoặc working_day (làm bù).`);
      else if (kind === 'working_day' && date && ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay())) {
        say(`Ngày làm bù ${date} không phải thứ Bảy hay Chủ nhật.`);
      }
      if (!name) say('Thiếu tên ngày (cột name).');
      else if (name.length > MAX_NAME) say(`Tên ngày dài quá ${MAX_NAME} ký tự.`);
      if (source.length > MAX_SOURCE) say(`Nguồn dài quá ${MAX_SOURCE} ký tự.`);
      if (CONTROL_CHARS.test(name) || CONTROL_CHARS.test(source)) say('Chứa ký tự điều khiển không hợp lệ.');
      if (problems.length === before) entries.push({ date: date!, kind: kind!, name, source });
    }
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { ok: false, problems: [{ line: err.line, text: `Tệp CSV lỗi ở dòng ${err.line}: ${err.message}` }] };
    throw err;
  }
  if (!columns) return { ok: false, problems: [{ line: null, text: 'Tệp trống: cần dòng tiêu đề date,kind,name,source và ít nhất một ngày.' }] };
  if (problems.length) return { ok: false, problems };
  if (!entries.length) return { ok: false, problems: [{ line: null, text: 'Tệp không có ngày nào dưới dòng tiêu đề.' }] };
  entries.sort((a, b) => (a.date < b.date ? -1 : 1));
  const years = [...new Set(entries.map((e) => Number(e.date.slice(0, 4))))];
  return { ok: true, entries, years };
}

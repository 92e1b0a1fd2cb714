/**
 * Provisional days off for a year whose official schedule has not been announced (or loaded),
 * derived from the Labour Code 2019, art. 112:
 *
 * - the statutory holidays: 1/1; Tết Nguyên đán = the last day of the lunar year and mùng 1–4;
 *   Giỗ Tổ Hùng Vương (10/3 lunar); 30/4; 1/5; 2/9 and the day before it (1/9);
 * - art. 111(3): a holiday on the weekly rest day (Saturday or Sunday for state agencies) gives a
 *   compensatory day off on the next working day (art. 112(3) lets the Prime Minister set the Tết and
 *   Quốc khánh days each year, hence "provisional"). Several weekend holidays in a row give as many
 *   consecutive compensatory days.
 *
 * The government usually announces more (swapped days, make-up Saturdays); those only come from
 * the official schedule.
 */
import {
  canChi,
  isoFromJd,
  jdFromDate,
  jdFromIso,
  jdToDate,
  lastDayOfLunarYear,
  lunarNewYear,
  lunarToSolar,
  solarToLunar,
  weekdayOfJd,
} from './lunar';

export type DayKind = 'holiday' | 'day_off' | 'working_day';

export interface CalendarEntry {
  /** YYYY-MM-DD */
  date: string;
  kind: DayKind;
  name: string;
  source: string;
}

export const PROVISIONAL_SOURCE = 'Bộ luật Lao động 2019, Điều 112 (lịch tạm tính)';

const WEEKDAY_NAMES = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

/** 'Chủ nhật', 'Thứ Hai', … for a Julian day number. */
export function weekdayNameOfJd(jd: number): string {
  return WEEKDAY_NAMES[weekdayOfJd(jd)];
}

export function isWeekendJd(jd: number): boolean {
  const weekday = weekdayOfJd(jd);
  return weekday === 0 || weekday === 6;
}

interface Holiday {
  jd: number;
  name: string;
}

function tetHolidays(lunarYear: number, tz: number): Holiday[] {
  const yearName = `Tết Nguyên đán ${canChi(lunarYear)}`;
  const eve = jdFromIso(lastDayOfLunarYear(lunarYear - 1, tz));
  const eveDate = jdToDate(eve);
  const eveLunarDay = solarToLunar(eveDate.year, eveDate.month, eveDate.day, tz).day; // 29 or 30
  const firstDay = jdFromIso(lunarNewYear(lunarYear, tz));
  return [
    { jd: eve, name: `${yearName} (${eveLunarDay} tháng Chạp)` },
    ...[1, 2, 3, 4].map((n) => ({ jd: firstDay + n - 1, name: `${yearName} (mùng ${n})` })),
  ];
}

function hungKingsDay(year: number, tz: number): Holiday {
  // 10/3 always exists: month 3 is never missing and every month has at least 29 days.
  const date = lunarToSolar(year, 3, 10, false, tz)!;
  return { jd: jdFromDate(date.day, date.month, date.year), name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' };
}

/** The statutory holidays of art. 112 whose occasion belongs to Gregorian `year`, by date. */
function statutoryHolidays(year: number, tz: number): Holiday[] {
  // Tết of the lunar year that begins in this Gregorian year (mùng 1 lies between 21/1 and 20/2).
  const holidays = [
    { jd: jdFromDate(1, 1, year), name: 'Tết Dương lịch' },
    ...tetHolidays(year, tz),
    hungKingsDay(year, tz),
    { jd: jdFromDate(30, 4, year), name: 'Ngày Chiến thắng' },
    { jd: jdFromDate(1, 5, year), name: 'Ngày Quốc tế lao động' },
    { jd: jdFromDate(1, 9, year), name: 'Quốc khánh (ngày liền kề)' },
    { jd: jdFromDate(2, 9, year), name: 'Quốc khánh' },
  ];
  return holidays.sort((a, b) => a.jd - b.jd);
}

/**
 * Two holidays on one date (Giỗ Tổ fell on 30/4 in 1947; rare, but possible) become one entry;
 * the second one is treated like a holiday lost to a rest day and earns its own compensatory day.
 */
function mergeSameDay(holidays: Holiday[]): { holiday: Holiday; lostDays: Holiday[] }[] {
  const merged: { holiday: Holiday; lostDays: Holiday[] }[] = [];
  for (const holiday of holidays) {
    const last = merged[merged.length - 1];
    if (last && last.holiday.jd === holiday.jd) {
      last.holiday = { jd: holiday.jd, name: `${last.holiday.name}; ${holiday.name}` };
      last.lostDays.push(holiday);
    } else {
      merged.push({ holiday, lostDays: isWeekendJd(holiday.jd) ? [holiday] : [] });
    }
  }
  return merged;
}

function compensationName(lost: Holiday): string {
  const { day, month } = jdToDate(lost.jd);
  const why = `${day}/${month} là ${weekdayNameOfJd(lost.jd)}`;
  // "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch, 26/4 là Chủ nhật)", "Nghỉ bù Quốc khánh (2/9 là Chủ nhật)"
  return lost.name.endsWith(')') ? `Nghỉ bù ${lost.name.slice(0, -1)}, ${why})` : `Nghỉ bù ${lost.name} (${why})`;
}

/**
 * Days off for Gregorian `year` (sorted by date): the statutory holidays and their compensatory
 * days, kind 'holiday' / 'day_off', all with source PROVISIONAL_SOURCE.
 *
 * The holidays of the previous year are laid out too and only dates inside `year` are kept, so a
 * compensation chain that crossed 1 January would land where it should. With today's list it
 * never does (the last holiday is 2/9 and Tết's eve is never before 20/1), but the rule stays
 * right if the list changes.
 */
export function provisionalDaysOff(year: number, tz = 7): CalendarEntry[] {
  const holidays = mergeSameDay([...statutoryHolidays(year - 1, tz), ...statutoryHolidays(year, tz)]);
  const taken = new Set(holidays.map((h) => h.holiday.jd));
  const days: { jd: number; kind: DayKind; name: string }[] = [];

  for (const { holiday, lostDays } of holidays) {
    days.push({ jd: holiday.jd, kind: 'holiday', name: holiday.name });
    for (const lost of lostDays) {
      let jd = holiday.jd + 1;
      while (isWeekendJd(jd) || taken.has(jd)) jd += 1;
      taken.add(jd);
      days.push({ jd, kind: 'day_off', name: compensationName(lost) });
    }
  }

  const first = jdFromDate(1, 1, year);
  const last = jdFromDate(31, 12, year);
  return days
    .filter((d) => d.jd >= first && d.jd <= last)
    .sort((a, b) => a.jd - b.jd)
    .map((d) => ({ date: isoFromJd(d.jd), kind: d.kind, name: d.name, source: PROVISIONAL_SOURCE }));
}

import { describe, expect, it } from 'vitest';
import {
  canChi,
  isoFromJd,
  jdFromDate,
  jdFromIso,
  jdToDate,
  lastDayOfLunarYear,
  leapMonthOf,
  lunarNewYear,
  lunarToSolar,
  solarToLunar,
  weekdayOfJd,
} from '../../../src/calendar/lunar';

describe('Julian day numbers', () => {
  it('when converting known dates, then the JDN is the astronomical one', () => {
    expect(jdFromDate(1, 1, 2000)).toBe(2451545);
    expect(jdFromDate(1, 1, 1970)).toBe(2440588);
    expect(jdFromDate(15, 10, 1582)).toBe(2299161);
  });

  it('when going JDN -> date -> JDN over 1900–2100, then every day comes back', () => {
    const wrong: number[] = [];
    for (let jd = jdFromDate(1, 1, 1900); jd <= jdFromDate(31, 12, 2100); jd += 1) {
      const { year, month, day } = jdToDate(jd);
      if (jdFromDate(day, month, year) !== jd) wrong.push(jd);
    }
    expect(wrong).toEqual([]);
  });

  it('when reading ISO dates, then impossible dates are refused', () => {
    expect(isoFromJd(jdFromIso('2024-02-29'))).toBe('2024-02-29');
    expect(() => jdFromIso('2025-02-29')).toThrow(RangeError);
    expect(() => jdFromIso('2025-2-1')).toThrow(RangeError);
  });

  it('when asking the weekday, then 13/02/2026 is a Friday and 01/01/2000 a Saturday', () => {
    expect(weekdayOfJd(jdFromIso('2026-02-13'))).toBe(5);
    expect(weekdayOfJd(jdFromIso('2000-01-01'))).toBe(6);
  });
});

describe('Tết Nguyên đán (Vietnam, UTC+7)', () => {
  const tet: [number, string][] = [
    [1985, '1985-01-21'],
    [2007, '2007-02-17'],
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
    [2029, '2029-02-13'],
    [2030, '2030-02-02'],
  ];

  it.each(tet)('when the lunar year is %i, then mùng 1 Tết is %s', (year, date) => {
    expect(lunarNewYear(year)).toBe(date);
  });

  it('when computed for China (UTC+8), then the famous differences appear', () => {
    expect(lunarNewYear(1985, 8)).toBe('1985-02-20');
    expect(lunarNewYear(2007, 8)).toBe('2007-02-18');
    expect(lunarNewYear(2030, 8)).toBe('2030-02-03');
    expect(lunarNewYear(2026, 8)).toBe('2026-02-17');
  });

  it('when asking the last day of a lunar year, then it is the eve of the next Tết, 29 or 30 tháng Chạp', () => {
    expect(lastDayOfLunarYear(2023)).toBe('2024-02-09');
    expect(solarToLunar(2024, 2, 9)).toEqual({ year: 2023, month: 12, day: 30, leap: false });
    expect(lastDayOfLunarYear(2025)).toBe('2026-02-16');
    expect(solarToLunar(2026, 2, 16)).toEqual({ year: 2025, month: 12, day: 29, leap: false });
  });

  it('when converting mùng 1 Tết 2026, then it is 1/1 Bính Ngọ', () => {
    expect(solarToLunar(2026, 2, 17)).toEqual({ year: 2026, month: 1, day: 1, leap: false });
    expect(canChi(2026)).toBe('Bính Ngọ');
  });
});

describe('Giỗ Tổ Hùng Vương (10/3 âm lịch)', () => {
  it.each([
    [2024, { year: 2024, month: 4, day: 18 }],
    [2025, { year: 2025, month: 4, day: 7 }],
    [2026, { year: 2026, month: 4, day: 26 }],
  ])('when the year is %i, then 10/3 is %o', (year, expected) => {
    expect(lunarToSolar(year, 3, 10)).toEqual(expected);
    expect(solarToLunar(expected.year, expected.month, expected.day)).toEqual({ year, month: 3, day: 10, leap: false });
  });
});

describe('leap months', () => {
  it.each([
    [2012, 4],
    [2014, 9],
    [2017, 6],
    [2020, 4],
    [2023, 2],
    [2025, 6],
  ])('when the lunar year is %i, then the leap month is %i', (year, month) => {
    expect(leapMonthOf(year)).toBe(month);
  });

  it('when a year has no leap month, then leapMonthOf is null', () => {
    for (const year of [2021, 2022, 2024, 2026, 2027]) expect(leapMonthOf(year)).toBeNull();
  });

  it('when a date lies in the leap month 2 of 2023, then it is flagged leap', () => {
    // Tháng 2 nhuận Quý Mão began on 22/03/2023, the regular tháng 2 on 20/02/2023.
    expect(solarToLunar(2023, 2, 20)).toEqual({ year: 2023, month: 2, day: 1, leap: false });
    expect(solarToLunar(2023, 3, 22)).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(lunarToSolar(2023, 2, 1, true)).toEqual({ year: 2023, month: 3, day: 22 });
  });

  it('when the leap month 6 of 2025 is asked for, then it follows the regular month 6', () => {
    const regular = lunarToSolar(2025, 6, 1)!;
    const leap = lunarToSolar(2025, 6, 1, true)!;
    const gap = jdFromDate(leap.day, leap.month, leap.year) - jdFromDate(regular.day, regular.month, regular.year);
    expect([29, 30]).toContain(gap);
    expect(solarToLunar(leap.year, leap.month, leap.day).leap).toBe(true);
  });
});

describe('dates that do not exist', () => {
  it('when a leap month the year lacks is asked for, then null', () => {
    expect(lunarToSolar(2024, 2, 1, true)).toBeNull();
    expect(lunarToSolar(2025, 5, 1, true)).toBeNull();
  });

  it('when day 30 of a 29-day month is asked for, then null', () => {
    // Tháng Chạp Ất Tỵ has 29 days (Tết Bính Ngọ follows 29 Chạp).
    expect(lunarToSolar(2025, 12, 29)).toEqual({ year: 2026, month: 2, day: 16 });
    expect(lunarToSolar(2025, 12, 30)).toBeNull();
  });

  it('when the month or day is out of range, then null', () => {
    expect(lunarToSolar(2025, 13, 1)).toBeNull();
    expect(lunarToSolar(2025, 1, 0)).toBeNull();
    expect(lunarToSolar(2025, 1, 31)).toBeNull();
  });
});

describe('round trip solar -> lunar -> solar', () => {
  it('when every day of 1990–2040 is converted both ways, then it comes back', () => {
    const wrong: string[] = [];
    let previous = solarToLunar(1989, 12, 31);
    for (let jd = jdFromDate(1, 1, 1990); jd <= jdFromDate(31, 12, 2040); jd += 1) {
      const solar = jdToDate(jd);
      const lunar = solarToLunar(solar.year, solar.month, solar.day);
      const back = lunarToSolar(lunar.year, lunar.month, lunar.day, lunar.leap);
      // Days count up by one and a month starts after day 29 or 30.
      const steps = lunar.day === 1 ? previous.day === 29 || previous.day === 30 : lunar.day === previous.day + 1;
      if (!steps || JSON.stringify(back) !== JSON.stringify(solar)) wrong.push(isoFromJd(jd));
      previous = lunar;
    }
    expect(wrong).toEqual([]);
  });
});

describe('canChi', () => {
  it.each([
    [1984, 'Giáp Tý'],
    [2023, 'Quý Mão'],
    [2024, 'Giáp Thìn'],
    [2025, 'Ất Tỵ'],
    [2026, 'Bính Ngọ'],
    [2027, 'Đinh Mùi'],
    [2030, 'Canh Tuất'],
  ])('when the lunar year is %i, then its name is %s', (year, name) => {
    expect(canChi(year)).toBe(name);
  });
});

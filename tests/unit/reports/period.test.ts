import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/shared/format';
import {
  describePeriod,
  isValidDate,
  monthPeriod,
  periodHeading,
  quarterPeriod,
  reportingMonth,
  reportingMonthOf,
  reportingQuarter,
  reportingYearPart,
  rangeDayProblem,
  reportWindow,
  resolvePeriod,
  yearPeriod,
} from '../../../src/reports/period';
import { ValidationError } from '../../../src/shared/errors';

const span = (p: { from: string; to: string }) => [p.from, p.to];

describe('calendar periods', () => {
  it('when a month is picked, then it runs from the 1st to its last day (29 February in a leap year)', () => {
    expect(span(monthPeriod(2026, 2))).toEqual(['2026-02-01', '2026-02-28']);
    expect(span(monthPeriod(2028, 2))).toEqual(['2028-02-01', '2028-02-29']);
    expect(span(monthPeriod(2026, 12))).toEqual(['2026-12-01', '2026-12-31']);
    expect(monthPeriod(2026, 2).label).toBe('Tháng 02/2026');
  });

  it('when a quarter or a year is picked, then it covers its three months or the whole year', () => {
    expect(span(quarterPeriod(2026, 1))).toEqual(['2026-01-01', '2026-03-31']);
    expect(span(quarterPeriod(2026, 2))).toEqual(['2026-04-01', '2026-06-30']);
    expect(span(quarterPeriod(2026, 4))).toEqual(['2026-10-01', '2026-12-31']);
    expect(quarterPeriod(2026, 3).label).toBe('Quý III/2026');
    expect(span(yearPeriod(2026))).toEqual(['2026-01-01', '2026-12-31']);
  });
});

describe('reporting windows of Nghị định 09/2019 (15th to 14th)', () => {
  it('when a reporting month is picked, then it runs from the 15th of the month before to the 14th', () => {
    expect(span(reportingMonth(2026, 2))).toEqual(['2026-01-15', '2026-02-14']);
    expect(span(reportingMonth(2026, 3))).toEqual(['2026-02-15', '2026-03-14']);
    expect(reportingMonth(2026, 2).label).toBe('Kỳ báo cáo tháng 02/2026');
  });

  it('when the reporting month is January, then it starts on 15 December of the year before', () => {
    expect(span(reportingMonth(2026, 1))).toEqual(['2025-12-15', '2026-01-14']);
  });

  it('when a reporting quarter is picked, then it runs from the 15th of the month before the quarter to the 14th of its last month', () => {
    expect(span(reportingQuarter(2026, 1))).toEqual(['2025-12-15', '2026-03-14']);
    expect(span(reportingQuarter(2026, 2))).toEqual(['2026-03-15', '2026-06-14']);
    expect(span(reportingQuarter(2026, 3))).toEqual(['2026-06-15', '2026-09-14']);
    expect(span(reportingQuarter(2026, 4))).toEqual(['2026-09-15', '2026-12-14']);
  });

  it('when 6 months, 9 months or the year are picked, then they start on 15/12 of the year before and end on the 14th', () => {
    expect(span(reportingYearPart('rhalf', 2026))).toEqual(['2025-12-15', '2026-06-14']);
    expect(span(reportingYearPart('r9months', 2026))).toEqual(['2025-12-15', '2026-09-14']);
    expect(span(reportingYearPart('ryear', 2026))).toEqual(['2025-12-15', '2026-12-14']);
    expect(reportingYearPart('ryear', 2026).label).toBe('Kỳ báo cáo năm 2026');
  });

  it('when the last 6 months are picked, then they run from 15/06 to 14/12 of the year (NĐ 09/2019 art. 12(3)), and the picker resolves them', () => {
    expect(span(reportingYearPart('rhalf2', 2026))).toEqual(['2026-06-15', '2026-12-14']);
    expect(resolvePeriod({ period: 'rhalf2', year: '2025' }, '2026-12-04')).toMatchObject({ kind: 'rhalf2', from: '2025-06-15', to: '2025-12-14' });
    expect(describePeriod('2026-06-15', '2026-12-14').kind).toBe('rhalf2');
    expect(periodHeading(reportingYearPart('rhalf2', 2026))).toBe('Kỳ báo cáo: 6 tháng cuối năm 2026 (Từ ngày 15/06/2026 đến ngày 14/12/2026)');
  });

  it('when a date is given, then the reporting month containing it is found (the 15th opens the next one)', () => {
    expect(span(reportingMonthOf('2026-02-14'))).toEqual(['2026-01-15', '2026-02-14']);
    expect(span(reportingMonthOf('2026-02-15'))).toEqual(['2026-02-15', '2026-03-14']);
    expect(span(reportingMonthOf('2026-12-20'))).toEqual(['2026-12-15', '2027-01-14']);
  });
});

describe('picking and describing periods', () => {
  it('when the picker sends a kind with its parts, then the period is resolved; missing parts come from today', () => {
    const today = '2026-05-20';
    expect(span(resolvePeriod({ period: 'month', year: '2026', month: '2' }, today))).toEqual(['2026-02-01', '2026-02-28']);
    expect(span(resolvePeriod({}, today))).toEqual(['2026-05-01', '2026-05-31']);
    expect(span(resolvePeriod({ period: 'quarter' }, today))).toEqual(['2026-04-01', '2026-06-30']);
    expect(span(resolvePeriod({ period: 'rmonth', year: '2026', month: '1' }, today))).toEqual(['2025-12-15', '2026-01-14']);
    expect(span(resolvePeriod({ period: 'ryear', year: '2025' }, today))).toEqual(['2024-12-15', '2025-12-14']);
    expect(span(resolvePeriod({ period: 'range', from: '2026-03-03', to: '2026-03-09' }, today))).toEqual(['2026-03-03', '2026-03-09']);
    expect(span(resolvePeriod({ from: '2026-01-15', to: '2026-02-14' }, today))).toEqual(['2026-01-15', '2026-02-14']);
  });

  it('when a range lacks a valid date, then a validation error names the field', () => {
    expect(() => resolvePeriod({ period: 'range', from: '2026-02-30', to: '2026-03-01' }, '2026-05-20')).toThrow(ValidationError);
  });

  it('when a range day is typed with a year out of 2000–2100 or a day not on the calendar, then the message says that, not "choose a day"', () => {
    expect(rangeDayProblem('1999-01-01', 'bắt đầu')).toBe('Ngày bắt đầu 01/01/1999: năm phải từ 2000 đến 2100.');
    expect(rangeDayProblem('20266-11-30', 'kết thúc')).toBe('Ngày kết thúc 30/11/20266: năm phải từ 2000 đến 2100.');
    expect(rangeDayProblem('2026-02-30', 'bắt đầu')).toBe('Ngày bắt đầu 30/02/2026 không có trên lịch.');
    expect(rangeDayProblem('', 'bắt đầu')).toBe('Chọn ngày bắt đầu (dd/mm/yyyy).');
    expect(rangeDayProblem('hôm qua', 'kết thúc')).toBe('Ngày kết thúc không đọc được; chọn ngày dạng dd/mm/yyyy.');
    expect(rangeDayProblem('2026-11-30', 'kết thúc')).toBeUndefined();
    try {
      resolvePeriod({ period: 'range', from: '1999-01-01', to: '2026-11-30' }, '2026-12-04');
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).fields).toEqual({ from: 'Ngày bắt đầu 01/01/1999: năm phải từ 2000 đến 2100.' });
    }
  });

  it('when from and to match a named period, then it is described by name, otherwise as a range', () => {
    expect(describePeriod('2026-02-01', '2026-02-28').kind).toBe('month');
    expect(describePeriod('2026-01-15', '2026-02-14').kind).toBe('rmonth');
    expect(describePeriod('2026-01-01', '2026-03-31').kind).toBe('quarter');
    expect(describePeriod('2025-12-15', '2026-03-14').kind).toBe('rquarter');
    expect(describePeriod('2025-12-15', '2026-06-14').kind).toBe('rhalf');
    expect(describePeriod('2025-12-15', '2026-12-14').kind).toBe('ryear');
    expect(describePeriod('2026-01-01', '2026-12-31').kind).toBe('year');
    expect(describePeriod('2026-02-03', '2026-02-10').kind).toBe('range');
    expect(periodHeading(describePeriod('2026-01-15', '2026-02-14'))).toBe(
      'Kỳ báo cáo: Tháng 02/2026 (Từ ngày 15/01/2026 đến ngày 14/02/2026)',
    );
    expect(periodHeading(describePeriod('2026-02-03', '2026-02-10'))).toBe('Kỳ báo cáo: Từ ngày 03/02/2026 đến ngày 10/02/2026');
    expect(periodHeading(reportingYearPart('rhalf', 2026))).toBe('Kỳ báo cáo: 6 tháng đầu năm 2026 (Từ ngày 15/12/2025 đến ngày 14/06/2026)');
  });

  it('when dates are checked, then only real calendar dates of 2000–2100 pass, and days add across months', () => {
    expect(isValidDate('2026-02-28')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('26-02-01')).toBe(false);
    expect(isValidDate('1999-12-31')).toBe(false);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('the instants of a report window (UTC+7)', () => {
  it('when the period is over, then start is from 00:00 +07:00 and the end is the day after `to` 00:00 +07:00', () => {
    const w = reportWindow('2026-02-01', '2026-02-28', new Date('2026-06-01T00:00:00Z'));
    expect(w).toMatchObject({ start: '2026-01-31T17:00:00.000Z', periodEnd: '2026-02-28T17:00:00.000Z', end: '2026-02-28T17:00:00.000Z', running: false });
  });

  it('when the period is still running, then the report is taken at now', () => {
    const now = new Date('2026-02-13T03:00:00.000Z');
    const w = reportWindow('2026-02-01', '2026-02-28', now);
    expect(w).toMatchObject({ end: now.toISOString(), periodEnd: '2026-02-28T17:00:00.000Z', running: true });
  });

  it('when from is after to, a date is invalid or the period has not started, then a validation error names the field', () => {
    const now = new Date('2026-02-13T03:00:00.000Z');
    const fields = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ValidationError).fields;
      }
      return null;
    };
    expect(fields(() => reportWindow('2026-02-10', '2026-02-01', now))).toHaveProperty('to');
    expect(fields(() => reportWindow('2026-13-01', '2026-02-01', now))).toHaveProperty('from');
    expect(fields(() => reportWindow(undefined, '2026-02-01', now))).toHaveProperty('from');
    expect(fields(() => reportWindow('2026-02-14', '2026-02-20', now))).toHaveProperty('from');
    expect(fields(() => reportWindow('2026-02-13', '2026-02-20', now))).toBeNull(); // today has started
  });
});

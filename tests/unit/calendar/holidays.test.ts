import { describe, expect, it } from 'vitest';
import { PROVISIONAL_SOURCE, provisionalDaysOff, type CalendarEntry } from '../../../src/calendar/holidays';

const brief = (entries: CalendarEntry[]) => entries.map((e) => `${e.date} ${e.kind} ${e.name}`);

describe('provisionalDaysOff', () => {
  it('when the year is 2027 (Tết on a Saturday), then Tết is 5/2–9/2 and the weekend days are made up on 10/2 and 11/2', () => {
    expect(brief(provisionalDaysOff(2027))).toEqual([
      '2027-01-01 holiday Tết Dương lịch',
      '2027-02-05 holiday Tết Nguyên đán Đinh Mùi (29 tháng Chạp)',
      '2027-02-06 holiday Tết Nguyên đán Đinh Mùi (mùng 1)',
      '2027-02-07 holiday Tết Nguyên đán Đinh Mùi (mùng 2)',
      '2027-02-08 holiday Tết Nguyên đán Đinh Mùi (mùng 3)',
      '2027-02-09 holiday Tết Nguyên đán Đinh Mùi (mùng 4)',
      '2027-02-10 day_off Nghỉ bù Tết Nguyên đán Đinh Mùi (mùng 1, 6/2 là Thứ Bảy)',
      '2027-02-11 day_off Nghỉ bù Tết Nguyên đán Đinh Mùi (mùng 2, 7/2 là Chủ nhật)',
      '2027-04-16 holiday Giỗ Tổ Hùng Vương (10/3 âm lịch)',
      '2027-04-30 holiday Ngày Chiến thắng',
      '2027-05-01 holiday Ngày Quốc tế lao động',
      '2027-05-03 day_off Nghỉ bù Ngày Quốc tế lao động (1/5 là Thứ Bảy)',
      '2027-09-01 holiday Quốc khánh (ngày liền kề)',
      '2027-09-02 holiday Quốc khánh',
    ]);
  });

  it('when the year is 2030 (Tết on 2/2, a Saturday; 1/9 a Sunday), then compensation skips the holidays', () => {
    const days = brief(provisionalDaysOff(2030));
    expect(days).toContain('2030-02-01 holiday Tết Nguyên đán Canh Tuất (29 tháng Chạp)');
    expect(days).toContain('2030-02-02 holiday Tết Nguyên đán Canh Tuất (mùng 1)');
    expect(days).toContain('2030-02-06 day_off Nghỉ bù Tết Nguyên đán Canh Tuất (mùng 1, 2/2 là Thứ Bảy)');
    expect(days).toContain('2030-02-07 day_off Nghỉ bù Tết Nguyên đán Canh Tuất (mùng 2, 3/2 là Chủ nhật)');
    // 1/9 is a Sunday; 2/9 (Monday) is itself a holiday, so the day off is Tuesday 3/9.
    expect(days).toContain('2030-09-03 day_off Nghỉ bù Quốc khánh (ngày liền kề, 1/9 là Chủ nhật)');
    expect(days.filter((d) => d.includes('day_off'))).toHaveLength(3);
  });

  it('when 1/9 and 2/9 fall on Saturday and Sunday (2029), then Monday 3/9 and Tuesday 4/9 are off', () => {
    const september = provisionalDaysOff(2029).filter((e) => e.date.startsWith('2029-09'));
    expect(brief(september)).toEqual([
      '2029-09-01 holiday Quốc khánh (ngày liền kề)',
      '2029-09-02 holiday Quốc khánh',
      '2029-09-03 day_off Nghỉ bù Quốc khánh (ngày liền kề, 1/9 là Thứ Bảy)',
      '2029-09-04 day_off Nghỉ bù Quốc khánh (2/9 là Chủ nhật)',
    ]);
  });

  it('when Giỗ Tổ falls on a Sunday (26/4/2026), then Monday 27/4 is off, as announced officially', () => {
    const days = brief(provisionalDaysOff(2026));
    expect(days).toContain('2026-04-26 holiday Giỗ Tổ Hùng Vương (10/3 âm lịch)');
    expect(days).toContain('2026-04-27 day_off Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch, 26/4 là Chủ nhật)');
    expect(days).toContain('2026-02-16 holiday Tết Nguyên đán Bính Ngọ (29 tháng Chạp)');
  });

  it('when Tết eve is 30 tháng Chạp (2024), then the name says so', () => {
    expect(brief(provisionalDaysOff(2024))).toContain('2024-02-09 holiday Tết Nguyên đán Giáp Thìn (30 tháng Chạp)');
  });

  it('when 1/1 is a Saturday (2028), then Monday 3/1 is off', () => {
    expect(brief(provisionalDaysOff(2028)).slice(0, 2)).toEqual([
      '2028-01-01 holiday Tết Dương lịch',
      '2028-01-03 day_off Nghỉ bù Tết Dương lịch (1/1 là Thứ Bảy)',
    ]);
  });

  it('when any year 2000–2100 is derived, then entries are sorted, unique, inside the year, with 11 holidays', () => {
    for (let year = 2000; year <= 2100; year += 1) {
      const entries = provisionalDaysOff(year);
      const dates = entries.map((e) => e.date);
      expect([...dates].sort()).toEqual(dates);
      expect(new Set(dates).size).toBe(dates.length);
      expect(dates.every((d) => d.startsWith(`${year}-`))).toBe(true);
      expect(entries.filter((e) => e.kind === 'holiday')).toHaveLength(11);
      expect(entries.every((e) => e.source === PROVISIONAL_SOURCE)).toBe(true);
      for (const e of entries.filter((x) => x.kind === 'day_off')) {
        const weekday = new Date(`${e.date}T00:00:00Z`).getUTCDay();
        expect(weekday >= 1 && weekday <= 5).toBe(true);
      }
    }
  });

  it('when derived, then the source says the schedule is provisional', () => {
    expect(PROVISIONAL_SOURCE).toBe('Bộ luật Lao động 2019, Điều 112 (lịch tạm tính)');
  });
});

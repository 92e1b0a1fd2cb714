import { describe, expect, it } from 'vitest';
import {
  computeDue,
  DEFAULT_PERIODS,
  formatLocal,
  WorkCalendar,
  type TraceStep,
} from '../../../src/calendar/working-time';
import { OFFICIAL_2024_2026 } from './fixtures';

/** A wall-clock reading in Vietnam (UTC+7) as an instant. */
const vn = (local: string) => new Date(`${local}:00+07:00`);
const iso = (local: string) => vn(local).toISOString();

const cal = new WorkCalendar({ entries: OFFICIAL_2024_2026 });

describe('WorkCalendar days', () => {
  it('when built with the default periods, then a working day has 450 minutes', () => {
    expect(DEFAULT_PERIODS).toEqual([
      { start: 450, end: 690 },
      { start: 810, end: 1020 },
    ]);
    expect(cal.minutesPerDay).toBe(450);
  });

  it('when 10/01/2026 is a make-up Saturday, then it is a working day, and 02/01/2026 is off', () => {
    expect(cal.dayInfo('2026-01-10')).toEqual({
      date: '2026-01-10',
      working: true,
      kind: 'working_day',
      name: 'Làm bù cho ngày 2/1/2026',
      provisional: false,
    });
    expect(cal.dayInfo('2026-01-02')).toMatchObject({ working: false, kind: 'day_off' });
    expect(cal.isWorkingDay('2026-01-09')).toBe(true);
    expect(cal.isWorkingDay('2026-01-11')).toBe(false);
  });

  it('when listing Tết Bính Ngọ, then 14–22/02/2026 are all off, weekends named by their weekday', () => {
    const days = cal.days('2026-02-13', '2026-02-23');
    expect(days.map((d) => d.working)).toEqual([true, false, false, false, false, false, false, false, false, false, true]);
    expect(days.map((d) => d.kind)).toEqual([
      'workday', 'weekend', 'weekend', 'holiday', 'holiday', 'holiday', 'holiday', 'holiday', 'weekend', 'weekend', 'workday',
    ]);
    expect(days[1].name).toBe('Thứ Bảy');
    expect(days[2].name).toBe('Chủ nhật');
    expect(days[0].name).toBeNull();
  });

  it('when a year has no official schedule (2027), then the provisional days are used and flagged', () => {
    expect(cal.dayInfo('2027-02-10')).toEqual({
      date: '2027-02-10',
      working: false,
      kind: 'day_off',
      name: 'Nghỉ bù Tết Nguyên đán Đinh Mùi (mùng 1, 6/2 là Thứ Bảy)',
      provisional: true,
    });
    expect(cal.dayInfo('2027-03-10')).toMatchObject({ working: true, kind: 'workday', provisional: true });
    expect(cal.dayInfo('2026-03-10').provisional).toBe(false);
    expect(cal.isOfficialYear(2026)).toBe(true);
    expect(cal.isOfficialYear(2027)).toBe(false);
  });

  it('when officialYears leaves out 2026, then 2026 is provisional and its official rows are ignored', () => {
    const partial = new WorkCalendar({ entries: OFFICIAL_2024_2026, officialYears: [2024, 2025] });
    expect(partial.dayInfo('2026-01-10')).toMatchObject({ working: false, kind: 'weekend', provisional: true });
    expect(partial.dayInfo('2026-01-02')).toMatchObject({ working: true, kind: 'workday', provisional: true });
    expect(partial.dayInfo('2026-02-17')).toMatchObject({ working: false, kind: 'holiday', provisional: true });
  });

  it('when asked for the local date, then it is the date in UTC+7', () => {
    expect(cal.localDate(new Date('2026-02-24T17:30:00Z'))).toBe('2026-02-25');
    expect(cal.localDate(new Date('2026-02-24T16:59:59Z'))).toBe('2026-02-24');
  });

  it('when a date is malformed, then it is refused', () => {
    expect(() => cal.dayInfo('2026-02-30')).toThrow(RangeError);
  });

  it('when the periods overlap, then the calendar refuses them', () => {
    expect(() => new WorkCalendar({ entries: [], periods: [{ start: 450, end: 700 }, { start: 690, end: 1020 }] })).toThrow(
      RangeError,
    );
    expect(new WorkCalendar({ entries: [], periods: [{ start: 480, end: 720 }, { start: 780, end: 1020 }] }).minutesPerDay).toBe(
      480,
    );
  });
});

describe('normalizeStart', () => {
  // Tuesday 10/03/2026 is a plain working day.
  it.each([
    ['2026-03-10T12:00', '2026-03-10T13:30', 'at lunch'],
    ['2026-03-10T17:30', '2026-03-11T07:30', 'after closing'],
    ['2026-03-10T17:00', '2026-03-11T07:30', 'exactly at closing'],
    ['2026-03-10T06:00', '2026-03-10T07:30', 'before opening'],
    ['2026-03-14T23:00', '2026-03-16T07:30', 'online on Saturday night'],
    ['2026-03-13T17:30', '2026-03-16T07:30', 'on Friday evening'],
    ['2026-03-10T11:30', '2026-03-10T13:30', 'exactly at 11:30'],
    ['2026-03-10T07:30', '2026-03-10T07:30', 'exactly at opening'],
    ['2026-03-10T09:15', '2026-03-10T09:15', 'inside a period'],
    ['2026-02-13T17:30', '2026-02-23T07:30', 'on the evening before Tết'],
  ])('when received %s, then the clock starts %s (%s)', (received, start) => {
    expect(cal.normalizeStart(vn(received)).toISOString()).toBe(iso(start));
  });

  it('when seconds are set inside a period, then they are kept', () => {
    const instant = new Date('2026-03-10T02:15:30.250Z'); // 09:15:30.250 local
    expect(cal.normalizeStart(instant).getTime()).toBe(instant.getTime());
  });
});

describe('addWorkingMinutes', () => {
  it('when 1 working day starts Monday 07:30, then it ends Monday 17:00, not Tuesday 07:30', () => {
    expect(cal.addWorkingMinutes(vn('2026-03-09T07:30'), 450).toISOString()).toBe(iso('2026-03-09T17:00'));
  });

  it('when 1 working day starts Monday 10:00, then it ends Tuesday 10:00', () => {
    expect(cal.addWorkingMinutes(vn('2026-03-09T10:00'), 450).toISOString()).toBe(iso('2026-03-10T10:00'));
  });

  it('when 4 working hours start at 10:00, then they end at 16:00 (1.5 h before lunch, 2.5 h after)', () => {
    expect(cal.addWorkingMinutes(vn('2026-03-09T10:00'), 240).toISOString()).toBe(iso('2026-03-09T16:00'));
  });

  it('when 1.5 working hours start at 11:00, then they end at 14:30', () => {
    expect(cal.addWorkingMinutes(vn('2026-03-09T11:00'), 90).toISOString()).toBe(iso('2026-03-09T14:30'));
  });

  it('when 4 working hours start at 07:30, then they end at 11:30, not 13:30', () => {
    expect(cal.addWorkingMinutes(vn('2026-03-09T07:30'), 240).toISOString()).toBe(iso('2026-03-09T11:30'));
  });

  it('when 0 minutes are added, then the result is the normalised start', () => {
    expect(cal.addWorkingMinutes(vn('2026-03-10T12:00'), 0).toISOString()).toBe(iso('2026-03-10T13:30'));
  });

  it('when minutes are negative, then it throws', () => {
    expect(() => cal.addWorkingMinutes(vn('2026-03-10T12:00'), -1)).toThrow(RangeError);
  });

  it('when 2 days start Friday 09/01/2026 10:00, then the make-up Saturday counts: due Monday 12/01 10:00', () => {
    expect(cal.addWorkingMinutes(vn('2026-01-09T10:00'), 900).toISOString()).toBe(iso('2026-01-12T10:00'));
  });

  it('when 1 day starts Wednesday 07/02/2024 15:00, then Tết Giáp Thìn (08–14/02) is skipped: due 15/02 15:00', () => {
    const trace: TraceStep[] = [];
    expect(cal.addWorkingMinutes(vn('2024-02-07T15:00'), 450, trace).toISOString()).toBe(iso('2024-02-15T15:00'));
    expect(trace.map((s) => s.date)).toEqual([
      '2024-02-08', '2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13', '2024-02-14',
    ]);
    expect(trace[1].text).toBe('Bỏ qua Thứ Sáu 09/02/2024 — Tết Nguyên đán Giáp Thìn (30 tháng Chạp)');
  });

  it('when 1 day starts Friday 24/01/2025 16:00, then Tết Ất Tỵ (27–31/01) and two weekends are skipped: due 03/02 16:00', () => {
    const trace: TraceStep[] = [];
    expect(cal.addWorkingMinutes(vn('2025-01-24T16:00'), 450, trace).toISOString()).toBe(iso('2025-02-03T16:00'));
    expect(trace).toHaveLength(9);
  });

  it('when 3 days start Friday 26/04/2024 09:00, then 29/4–1/5 are off and Saturday 04/05/2024 is worked: due 04/05 09:00', () => {
    expect(cal.addWorkingMinutes(vn('2024-04-26T09:00'), 1350).toISOString()).toBe(iso('2024-05-04T09:00'));
  });

  it('when a duration crosses into 2027, then the provisional 1/1/2027 holiday is skipped', () => {
    expect(cal.addWorkingMinutes(vn('2026-12-31T16:00'), 450).toISOString()).toBe(iso('2027-01-04T16:00'));
  });
});

describe('workingMinutesBetween', () => {
  it('when measuring the SPEC example, then it is 1.350 minutes', () => {
    expect(cal.workingMinutesBetween(vn('2026-02-13T10:00'), vn('2026-02-25T10:00'))).toBe(1350);
  });

  it('when the interval is inside one day, then only the periods count', () => {
    expect(cal.workingMinutesBetween(vn('2026-03-10T06:00'), vn('2026-03-10T14:00'))).toBe(270);
    expect(cal.workingMinutesBetween(vn('2026-03-10T11:45'), vn('2026-03-10T13:00'))).toBe(0);
  });

  it('when to is not after from, then 0', () => {
    expect(cal.workingMinutesBetween(vn('2026-03-10T10:00'), vn('2026-03-10T10:00'))).toBe(0);
    expect(cal.workingMinutesBetween(vn('2026-03-10T10:00'), vn('2026-03-09T10:00'))).toBe(0);
  });

  it('when random starts and durations are added then measured, then the minutes come back exactly', () => {
    const random = seededRandom(20260213);
    const from = vn('2024-01-01T00:00').getTime();
    const span = vn('2027-12-31T00:00').getTime() - from;
    for (let i = 0; i < 5000; i += 1) {
      const start = new Date(from + Math.floor(random() * span / 60_000) * 60_000);
      const minutes = Math.floor(random() * 20 * 450);
      const due = cal.addWorkingMinutes(start, minutes);
      expect(cal.workingMinutesBetween(cal.normalizeStart(start), due)).toBe(minutes);
      // Adding in two steps lands on the same instant (the second step is never empty).
      const part = Math.floor(random() * minutes);
      if (part > 0 && part < minutes) {
        expect(cal.addWorkingMinutes(cal.addWorkingMinutes(start, part), minutes - part).getTime()).toBe(due.getTime());
      }
    }
  });
});

describe('computeDue', () => {
  it('when the count passes a make-up Saturday, then the trace says it counts as a working day (SPEC §3: every day explained)', () => {
    const due = computeDue(cal, vn('2026-01-09T10:00'), { value: 2, unit: 'working_days' });
    expect(due.dueAt).toEqual(vn('2026-01-12T10:00'));
    expect(due.trace.filter((s) => s.type === 'note' || s.type === 'skip').map((s) => s.text)).toEqual([
      'Tính Thứ Bảy 10/01/2026 — Làm bù cho ngày 2/1/2026: ngày làm bù, là ngày làm việc.',
      'Bỏ qua Chủ nhật 11/01/2026',
    ]);
  });

  it('when received Friday 13/02/2026 10:00 for 3 working days, then due Wednesday 25/02/2026 10:00 (SPEC example)', () => {
    const due = computeDue(cal, vn('2026-02-13T10:00'), { value: 3, unit: 'working_days' });
    expect(due.startAt.toISOString()).toBe(iso('2026-02-13T10:00'));
    expect(due.dueAt.toISOString()).toBe(iso('2026-02-25T10:00'));
    expect(due.minutes).toBe(1350);
    expect(due.trace.map((s) => s.type)).toEqual([
      'received', 'start', 'duration', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'due',
    ]);
    expect(due.trace[0]).toEqual({
      type: 'received',
      at: iso('2026-02-13T10:00'),
      text: 'Tiếp nhận hồ sơ: 10:00 ngày 13/02/2026 (Thứ Sáu)',
    });
    expect(due.trace[1].text).toBe('Bắt đầu tính thời hạn: 10:00 ngày 13/02/2026 (Thứ Sáu)');
    expect(due.trace[2]).toEqual({ type: 'duration', minutes: 1350, text: 'Thời hạn 3 ngày làm việc = 1.350 phút làm việc' });
    expect(due.trace.filter((s) => s.type === 'skip').map((s) => s.date)).toEqual([
      '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22',
    ]);
    expect(due.trace[3].text).toBe('Bỏ qua Thứ Bảy 14/02/2026');
    expect(due.trace[5].text).toBe('Bỏ qua Thứ Hai 16/02/2026 — Tết Nguyên đán Bính Ngọ (29 tháng Chạp)');
    expect(due.trace[12]).toEqual({
      type: 'due',
      at: iso('2026-02-25T10:00'),
      text: 'Hạn giải quyết: 10:00 ngày 25/02/2026 (Thứ Tư)',
    });
  });

  it('when received at 12:00, then the start says it moved because it was outside working hours', () => {
    const due = computeDue(cal, vn('2026-03-10T12:00'), { value: 4, unit: 'working_hours' });
    expect(due.startAt.toISOString()).toBe(iso('2026-03-10T13:30'));
    expect(due.dueAt.toISOString()).toBe(iso('2026-03-11T08:00'));
    expect(due.trace[1].text).toBe(
      'Bắt đầu tính thời hạn: 13:30 ngày 10/03/2026 (Thứ Ba) — chuyển sang giờ làm việc kế tiếp vì nhận ngoài giờ làm việc',
    );
    expect(due.trace[2].text).toBe('Thời hạn 4 giờ làm việc = 240 phút làm việc');
  });

  it('when received online on Saturday night, then the Saturday and Sunday are listed and the start says why', () => {
    const due = computeDue(cal, vn('2026-03-14T23:00'), { value: 1.5, unit: 'working_hours' });
    expect(due.trace.map((s) => s.type)).toEqual(['received', 'skip', 'skip', 'start', 'duration', 'due']);
    expect(due.trace[3].text).toBe(
      'Bắt đầu tính thời hạn: 07:30 ngày 16/03/2026 (Thứ Hai) — chuyển sang giờ làm việc kế tiếp vì nhận vào Thứ Bảy',
    );
    expect(due.trace[4].text).toBe('Thời hạn 1,5 giờ làm việc = 90 phút làm việc');
    expect(due.dueAt.toISOString()).toBe(iso('2026-03-16T09:00'));
  });

  it('when received on mùng 1 Tết, then the start names the holiday', () => {
    const due = computeDue(cal, vn('2026-02-17T09:00'), { value: 1, unit: 'working_days' });
    expect(due.trace.find((s) => s.type === 'start')?.text).toBe(
      'Bắt đầu tính thời hạn: 07:30 ngày 23/02/2026 (Thứ Hai) — chuyển sang giờ làm việc kế tiếp vì nhận vào ngày nghỉ: Tết Nguyên đán Bính Ngọ (mùng 1)',
    );
    expect(due.dueAt.toISOString()).toBe(iso('2026-02-23T17:00'));
  });

  it('when the duration runs in 2027, then the provisional Tết is skipped and a note says so', () => {
    const due = computeDue(cal, vn('2027-02-04T10:00'), { value: 1, unit: 'working_days' });
    expect(due.dueAt.toISOString()).toBe(iso('2027-02-12T10:00'));
    expect(due.trace.filter((s) => s.type === 'skip').map((s) => s.date)).toEqual([
      '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11',
    ]);
    expect(due.trace.find((s) => s.date === '2027-02-10')?.text).toBe(
      'Bỏ qua Thứ Tư 10/02/2027 — Nghỉ bù Tết Nguyên đán Đinh Mùi (mùng 1, 6/2 là Thứ Bảy) (lịch tạm tính)',
    );
    expect(due.trace[due.trace.length - 1]).toEqual({
      type: 'note',
      text: 'Năm 2027 chưa có lịch nghỉ chính thức: dùng lịch tạm tính theo Bộ luật Lao động 2019, Điều 112.',
    });
  });

  it('when the duration is 0, then due equals the start', () => {
    const due = computeDue(cal, vn('2026-03-10T12:00'), { value: 0, unit: 'working_days' });
    expect(due.dueAt.toISOString()).toBe(iso('2026-03-10T13:30'));
  });
});

describe('formatLocal', () => {
  it('when formatting an instant, then it reads HH:mm dd/mm/yyyy in UTC+7', () => {
    expect(formatLocal(new Date('2026-02-25T03:00:00Z'))).toBe('10:00 25/02/2026');
    expect(formatLocal(new Date('2026-12-31T17:05:00Z'))).toBe('00:05 01/01/2027');
    expect(formatLocal(new Date('2026-12-31T17:05:00Z'), 0)).toBe('17:05 31/12/2026');
  });
});

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit xorshift), so failures can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

describe('a deadline counted on a provisional year', () => {
  it('when the count runs from 2026 (official) over Tết 2027 (provisional), then the trace names 2027 and the citizen\'s notice says the date may move', async () => {
    const { provisionalDueNotice, provisionalYearsOf } = await import('../../../src/calendar/working-time');
    const { dueAt, trace } = computeDue(cal, vn('2026-12-15T11:00'), { value: 37, unit: 'working_days' });
    // 37 working days: 1/1/2027 and 5–11/2/2027 (Tết Đinh Mùi, provisional) skipped.
    expect(formatLocal(dueAt, cal.tzOffsetMinutes)).toBe('11:00 12/02/2027');
    expect(provisionalYearsOf(trace)).toEqual([2027]);
    expect(provisionalDueNotice([2027])).toBe(
      'Ngày hẹn tạm tính theo lịch nghỉ năm 2027 chưa chính thức; nếu đổi, xem khi tra cứu hồ sơ.',
    );
    expect(provisionalYearsOf(computeDue(cal, vn('2026-12-01T08:00'), { value: 3, unit: 'working_days' }).trace)).toEqual([]);
    expect(provisionalDueNotice([])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/calendar/working-time';
import { replayDue, stateIntervals } from '../../../src/dossiers/lifecycle';
import { OFFICIAL_2024_2026 } from '../calendar/fixtures';

const cal = new WorkCalendar({ entries: OFFICIAL_2024_2026 });
const at = (local: string) => new Date(`${local}+07:00`);
const iso = (local: string) => at(local).toISOString();

describe('replayDue', () => {
  it('when nothing happened after intake, then the deadline is the intake computation (Tết 2026 skipped)', () => {
    const r = replayDue(cal, { receivedAt: at('2026-02-13T10:00:00'), duration: { value: 3, unit: 'working_days' }, onSupplement: 'restart' }, []);
    expect(r.dueAt.toISOString()).toBe(iso('2026-02-25T10:00:00'));
    expect(r.status).toBe('processing');
    expect(r.remainingMinutes).toBeNull();
  });

  it('when a restart procedure got its supplement, then the whole duration counts again from that instant', () => {
    // Mon 02/03/2026 09:00 request, Wed 04/03/2026 14:00 supplement back: 3 days from 14:00 → Mon 09/03 14:00
    const r = replayDue(
      cal,
      { receivedAt: at('2026-03-02T08:00:00'), duration: { value: 3, unit: 'working_days' }, onSupplement: 'restart' },
      [
        { type: 'request_supplement', at: at('2026-03-02T09:00:00') },
        { type: 'receive_supplement', at: at('2026-03-04T14:00:00') },
      ],
    );
    expect(r.dueAt.toISOString()).toBe(iso('2026-03-09T14:00:00'));
    expect(r.clockStartAt.toISOString()).toBe(iso('2026-03-04T14:00:00'));
  });

  it('when a pause spans the make-up Saturday 10/01/2026, then the remaining minutes continue and that Saturday counts', () => {
    // received Thu 08/01/2026 07:30, 2 days → due Fri 09/01 17:00. Paused Thu 08/01 11:30 (left: 3.5 h + 7.5 h = 660 min).
    // Resumed Sat 10/01 (a working day) 07:30: 450 min that day, 210 more on Mon 12/01 → 11:00.
    const r = replayDue(
      cal,
      { receivedAt: at('2026-01-08T07:30:00'), duration: { value: 2, unit: 'working_days' }, onSupplement: 'restart' },
      [
        { type: 'pause', at: at('2026-01-08T11:30:00') },
        { type: 'resume', at: at('2026-01-10T07:30:00') },
      ],
    );
    expect(r.dueAt.toISOString()).toBe(iso('2026-01-12T11:00:00'));
  });

  it('when the history holds a refused action, then it is ignored like the service refused it', () => {
    const r = replayDue(
      cal,
      { receivedAt: at('2026-03-02T08:00:00'), duration: { value: 1, unit: 'working_days' }, onSupplement: 'pause' },
      [{ type: 'resume', at: at('2026-03-02T09:00:00') }],
    );
    expect(r.dueAt.toISOString()).toBe(iso('2026-03-03T08:00:00'));
  });

  it('when the calendar gains a day off, then the replayed deadline moves past it', () => {
    const extra = new WorkCalendar({ entries: [...OFFICIAL_2024_2026, { date: '2026-02-24', kind: 'day_off', name: 'Nghỉ đột xuất', source: 'test' }] });
    const r = replayDue(extra, { receivedAt: at('2026-02-13T10:00:00'), duration: { value: 3, unit: 'working_days' }, onSupplement: 'restart' }, []);
    expect(r.dueAt.toISOString()).toBe(iso('2026-02-26T10:00:00'));
  });
});

describe('stateIntervals', () => {
  it('when a dossier is received, paused, resumed, transferred and resolved, then each event opens the next interval', () => {
    const s = stateIntervals(
      [
        { type: 'receive', at: 'A', data: { dueAt: 'D1' } },
        { type: 'pause', at: 'B', data: {} },
        { type: 'resume', at: 'C', data: { dueAt: 'D2' } },
        { type: 'transfer', at: 'E', data: { toAgencyCode: 'Y' } },
        { type: 'resolve', at: 'F', data: {} },
      ],
      { agencyCode: 'X' },
    );
    expect(s.map((x) => [x.validFrom, x.validTo, x.status, x.dueAt, x.clockRunning, x.agencyCode])).toEqual([
      ['A', 'B', 'processing', 'D1', true, 'X'],
      ['B', 'C', 'paused', 'D1', false, 'X'],
      ['C', 'E', 'processing', 'D2', true, 'X'],
      ['E', 'F', 'processing', 'D2', true, 'Y'],
      ['F', null, 'resolved', 'D2', false, 'Y'],
    ]);
  });
});

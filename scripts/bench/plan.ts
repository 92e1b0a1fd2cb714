// The benchmark's dossiers, one history at a time, played with the engine the service uses (computeDue,
// moveClock) as the service would record it. PURE: the calendar, the random source and `now` are passed in.
import { computeDue, type TraceStep, type WorkCalendar } from '../../src/calendar/working-time';
import { moveClock, nextStatus, type Action, type ClockState } from '../../src/dossiers/lifecycle';
import type { Status } from '../../src/dossiers/status';
import { localDate } from '../../src/shared/format';

export interface BenchProcedure {
  code: string;
  fieldCode: string;
  agencyCode: string | null;
  duration: { value: number; unit: 'working_days' | 'working_hours' };
  onSupplement: 'restart' | 'pause';
}

export interface Desk {
  code: string;
  weight: number;
  procedures: BenchProcedure[];
}

export interface PlannedEvent {
  type: 'receive' | Action;
  at: Date;
  data: Record<string, unknown>;
}

export interface PlannedDossier {
  procedure: BenchProcedure;
  deskCode: string;
  agencyCode: string;
  channel: 'online' | 'in_person' | 'postal';
  receivedAt: Date;
  clockStartAt: Date;
  durationMinutes: number;
  dueAt: Date;
  remainingMinutes: number | null;
  status: Status;
  finishedAt: Date | null;
  returnedAt: Date | null;
  outcome: 'approved' | 'refused' | null;
  outcomeReason: string | null;
  trace: TraceStep[];
  events: PlannedEvent[];
}

/** What a dossier's life will be (before `now` cuts it short). */
export type Fate = 'normal' | 'late' | 'withdrawn' | 'stuck';

/** Shares of the fates and of the detours, tuned so that ~3% are pending and ~1.6% late at `now`. */
export const MIX = {
  late: 0.016,
  withdrawn: 0.012,
  /** asked for a supplement that never comes (the dossier waits until the citizen withdraws or it is closed) */
  stuck: 0.014,
  supplement: 0.07,
  pause: 0.025,
  transfer: 0.01,
  refused: 0.03,
  returned: 0.93,
} as const;

export interface Rng {
  next(): number;
}

const DAY = 450; // working minutes of a default working day, only to size random delays

/** Plays one dossier's history with the engine the service uses; events after `now` do not happen. */
export function planDossier(
  rnd: () => number,
  cal: WorkCalendar,
  now: Date,
  desk: Desk,
  agencies: readonly string[],
  receivedAt: Date,
): PlannedDossier {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const procedure = pick(desk.procedures);
  const u = rnd();
  const channel = u < 0.45 ? 'online' : u < 0.95 ? 'in_person' : 'postal';
  const f = rnd();
  const fate: Fate = f < MIX.late ? 'late' : f < MIX.late + MIX.withdrawn ? 'withdrawn' : f < MIX.late + MIX.withdrawn + MIX.stuck ? 'stuck' : 'normal';

  const due = computeDue(cal, receivedAt, procedure.duration);
  const agencyCode = procedure.agencyCode ?? desk.code;
  const d: PlannedDossier = {
    procedure,
    deskCode: desk.code,
    agencyCode,
    channel,
    receivedAt,
    clockStartAt: due.startAt,
    durationMinutes: due.minutes,
    dueAt: due.dueAt,
    remainingMinutes: null,
    status: 'processing',
    finishedAt: null,
    returnedAt: null,
    outcome: null,
    outcomeReason: null,
    trace: due.trace,
    events: [
      {
        type: 'receive',
        at: receivedAt,
        data: { channel, agencyCode: desk.code, dueAt: due.dueAt.toISOString(), duration: procedure.duration },
      },
    ],
  };
  let stopped = false;
  const last = () => d.events[d.events.length - 1].at;
  const after = (from: Date, minutes: number) => cal.addWorkingMinutes(from, Math.max(1, Math.round(minutes)));
  const left = () => Math.max(0, cal.workingMinutesBetween(last(), d.dueAt));

  // What the service does for one action (src/dossiers/service.ts act()): move the clock, patch, event.
  const act = (action: Action, at: Date, extra: Record<string, unknown> = {}): boolean => {
    if (stopped || at.getTime() > now.getTime()) {
      stopped = true;
      return false;
    }
    const data: Record<string, unknown> = { ...extra };
    const state: ClockState = {
      status: d.status,
      dueAt: d.dueAt,
      remainingMinutes: d.remainingMinutes,
      durationMinutes: d.durationMinutes,
      onSupplement: procedure.onSupplement,
    };
    const clock = moveClock(cal, state, action, at);
    if (clock) {
      if (clock.clockStartAt) d.clockStartAt = clock.clockStartAt;
      d.trace = [...d.trace, ...clock.trace];
      if (clock.remainingMinutes !== null) data.remainingMinutes = clock.remainingMinutes;
      if (clock.dueAt.getTime() !== d.dueAt.getTime()) Object.assign(data, { dueBefore: d.dueAt.toISOString(), dueAt: clock.dueAt.toISOString() });
      d.dueAt = clock.dueAt;
      d.remainingMinutes = clock.remainingMinutes;
    }
    if (action === 'transfer') {
      const to = extra.toAgencyCode as string;
      Object.assign(data, { fromAgencyCode: d.agencyCode });
      d.agencyCode = to;
    }
    if (action === 'resolve') {
      d.finishedAt = at;
      d.outcome = extra.outcome as 'approved' | 'refused';
      d.outcomeReason = (extra.reason as string | undefined) ?? null;
      data.late = at.toISOString() > d.dueAt.toISOString();
    }
    if (action === 'return') d.returnedAt = at;
    if (action === 'withdraw') {
      d.finishedAt = at;
      d.remainingMinutes = null;
    }
    d.status = nextStatus(d.status, action);
    d.events.push({ type: action, at, data });
    return true;
  };

  if (fate === 'withdrawn') {
    act('withdraw', after(last(), left() * (0.1 + 0.6 * rnd()) + 1), { reason: 'Công dân rút hồ sơ' });
    return d;
  }
  if (fate === 'stuck' || rnd() < MIX.supplement) {
    const at = after(last(), Math.min(left() * 0.4, int(30, 2 * DAY)));
    if (!act('request_supplement', at, { reason: 'Thiếu giấy tờ', items: ['Bản sao CCCD có chứng thực'] })) return d;
    const back = after(last(), fate === 'stuck' ? int(400, 2000) * DAY : int(60, 8 * DAY));
    if (!act('receive_supplement', back)) return d;
  }
  if (rnd() < MIX.pause) {
    if (!act('pause', after(last(), left() * (0.2 + 0.5 * rnd())), { reason: 'Chờ thực hiện nghĩa vụ tài chính' })) return d;
    if (!act('resume', after(last(), int(2 * DAY, 10 * DAY)))) return d;
  }
  if (rnd() < MIX.transfer) {
    let to = pick(agencies);
    if (to === d.agencyCode) to = agencies[(agencies.indexOf(to) + 1) % agencies.length];
    if (!act('transfer', after(last(), left() * 0.3 * rnd()), { toAgencyCode: to, toAgencyName: to })) return d;
  }
  let finishAt: Date;
  if (fate === 'late') finishAt = after(d.dueAt > last() ? d.dueAt : last(), int(20, 8 * DAY));
  else {
    // Most are done well before the deadline, some on its last day.
    const r = rnd();
    const [share, span] = r < 0.6 ? [0.1, 0.5] : r < 0.85 ? [0.6, 0.3] : [0.9, 0.099];
    finishAt = after(last(), left() * (share + span * rnd()));
    if (finishAt > d.dueAt && d.dueAt > last()) finishAt = d.dueAt; // rounding never makes a normal dossier late
  }
  const refused = rnd() < MIX.refused;
  if (!act('resolve', finishAt, refused ? { outcome: 'refused', reason: 'Không đủ điều kiện theo quy định' } : { outcome: 'approved' })) return d;
  if (rnd() < MIX.returned) act('return', after(last(), rnd() < 0.9 ? int(30, 3 * DAY) : int(5 * DAY, 25 * DAY)));
  return d;
}

/** Receipt instants over the working days of [from, now): desks in working time, a third of online filings at any hour. */
export function receiptSampler(cal: WorkCalendar, from: Date, now: Date, rnd: () => number) {
  const days: number[] = [];
  for (let t = from.getTime(); t < now.getTime(); t += 86_400_000) {
    const date = localDate(new Date(t));
    if (cal.isWorkingDay(date)) days.push(Date.parse(`${date}T00:00:00+07:00`));
  }
  return (channelOnline: boolean): Date => {
    for (;;) {
      let at: Date;
      if (channelOnline && rnd() < 0.3) at = new Date(from.getTime() + Math.floor((rnd() * (now.getTime() - from.getTime())) / 60_000) * 60_000);
      else at = cal.addWorkingMinutes(new Date(days[Math.floor(rnd() * days.length)]), Math.floor(rnd() * cal.minutesPerDay));
      if (at < now) return at;
    }
  };
}


// The dossier's lifecycle (SPEC §4) and how each action moves the deadline clock (SPEC §3). PURE.
import { computeDue, provisionalNotes, type DayInfo, type TraceStep, type WorkCalendar } from '../calendar/working-time';
import { formatDateTime, formatNumber, localDate, weekdayName } from '../shared/format';
import { OPEN_STATUSES, STATUS_NAMES, type Status } from './status';

export const ACTIONS = [
  'request_supplement',
  'receive_supplement',
  'pause',
  'resume',
  'transfer',
  'resolve',
  'return',
  'withdraw',
] as const;
export type Action = (typeof ACTIONS)[number];

export const ACTION_NAMES: Record<Action, string> = {
  request_supplement: 'Yêu cầu bổ sung hồ sơ',
  receive_supplement: 'Nhận hồ sơ bổ sung',
  pause: 'Tạm dừng',
  resume: 'Tiếp tục giải quyết',
  transfer: 'Chuyển liên thông',
  resolve: 'Ghi nhận kết quả',
  return: 'Trả kết quả',
  withdraw: 'Rút hồ sơ',
};

const RULES: Record<Action, { from: readonly Status[]; to: Status | 'same' }> = {
  request_supplement: { from: ['processing'], to: 'awaiting_supplement' },
  receive_supplement: { from: ['awaiting_supplement'], to: 'processing' },
  pause: { from: ['processing'], to: 'paused' },
  resume: { from: ['paused'], to: 'processing' },
  transfer: { from: ['processing'], to: 'same' },
  resolve: { from: ['processing'], to: 'resolved' },
  return: { from: ['resolved'], to: 'returned' },
  withdraw: { from: ['processing', 'awaiting_supplement', 'paused'], to: 'withdrawn' },
};

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

export function allowedActions(status: Status): Action[] {
  return ACTIONS.filter((a) => RULES[a].from.includes(status));
}

export function nextStatus(status: Status, action: Action): Status {
  const to = RULES[action].to;
  return to === 'same' ? status : to;
}

/** Why an action cannot be taken now (Vietnamese, naming the state), or null when it can. */
export function refusalReason(status: Status, action: Action): string | null {
  if (RULES[action].from.includes(status)) return null;
  const allowedIn = RULES[action].from.map((s) => `"${STATUS_NAMES[s]}"`).join(', ');
  return `Không thể "${ACTION_NAMES[action]}" khi hồ sơ đang ở trạng thái "${STATUS_NAMES[status]}" (chỉ được khi ${allowedIn}).`;
}

/**
 * Why the papers may not be asked for again, or null when they may. The law asks the agency to list everything
 * missing at once (FORMS.md, Mẫu 02), in one request: a second request, with a `restart` procedure, gave the agency a
 * whole new duration each time.
 * SUPPLEMENT_REQUESTS=repeat allows it (SPEC §4 sets no limit).
 */
export function supplementRefusal(policy: 'once' | 'repeat', earlierRequests: readonly { at: string }[]): string | null {
  if (policy === 'repeat' || !earlierRequests.length) return null;
  const first = earlierRequests[0];
  return `Hồ sơ đã được yêu cầu bổ sung lúc ${formatDateTime(new Date(first.at))}: theo quy định, việc yêu cầu bổ sung, hoàn thiện hồ sơ chỉ thực hiện một lần (liệt kê đầy đủ giấy tờ còn thiếu trong một phiếu). Không ghi yêu cầu bổ sung lần thứ hai.`;
}

/** What the clock needs to know of a dossier. */
export interface ClockState {
  status: Status;
  dueAt: Date;
  /** working minutes left when the clock stopped; null while it runs */
  remainingMinutes: number | null;
  durationMinutes: number;
  onSupplement: 'restart' | 'pause';
}

export interface ClockChange {
  dueAt: Date;
  remainingMinutes: number | null;
  /** set when a restart gives the dossier a whole new duration */
  clockStartAt?: Date;
  trace: TraceStep[];
}

const when = (at: Date) => `${formatDateTime(at)} (${weekdayName(at)})`;

/**
 * Whole working minutes from `at` to the deadline; negative when the deadline has already passed. A real
 * clock is never on a whole minute: the seconds are dropped (never in the agency's favour), so the minutes
 * kept fit the integer column (PostgreSQL refused 6299.99 with a 500; SQLite stored it as a real).
 * A deadline passed with no working minute since (due Friday 17:00, stopped on Saturday) counts as one minute
 * late: 0 would keep "nothing left, not late", and the stopped dossier left the late lists while it waited.
 */
export function minutesLeft(cal: WorkCalendar, at: Date, dueAt: Date): number {
  if (at <= dueAt) return Math.floor(cal.workingMinutesBetween(at, dueAt));
  return Math.min(-1, Math.floor(-cal.workingMinutesBetween(dueAt, at)));
}

/**
 * "quá hạn 450 phút làm việc"; a stop past the deadline with no working minute since (or, told later without the
 * instant of the stop, one minute, which may be that) names the deadline passed instead.
 */
function overdueWords(cal: WorkCalendar, left: number, dueAt: Date, at?: Date): string {
  const late = at ? cal.workingMinutesBetween(dueAt, at) : left < -1 ? -left : 0;
  return late >= 1 ? `quá hạn ${formatNumber(-left)} phút làm việc` : `quá hạn (hạn ${when(dueAt)} đã qua)`;
}

/**
 * How an action at `at` moves the deadline: a supplement request or a pause stops the clock and keeps
 * the minutes left; receiving the supplement restarts a whole duration (restart procedures) or continues
 * with what was left (pause procedures), as does resuming. A deadline already passed when the clock
 * stopped stays where it was: the dossier was late and waiting does not make it on time.
 */
export function moveClock(cal: WorkCalendar, state: ClockState, action: Action, at: Date): ClockChange | null {
  switch (action) {
    case 'request_supplement':
    case 'pause': {
      const left = minutesLeft(cal, at, state.dueAt);
      const what = action === 'pause' ? 'Tạm dừng' : 'Yêu cầu bổ sung';
      return {
        dueAt: state.dueAt,
        remainingMinutes: left,
        trace: [
          {
            type: 'note',
            at: at.toISOString(),
            minutes: left,
            text:
              left >= 0
                ? `${what} lúc ${when(at)}: dừng tính thời hạn, còn ${formatNumber(left)} phút làm việc.`
                : `${what} lúc ${when(at)}: dừng tính thời hạn; hồ sơ đã ${overdueWords(cal, left, state.dueAt, at)}.`,
          },
        ],
      };
    }
    case 'receive_supplement':
    case 'resume': {
      const restart = action === 'receive_supplement' && state.onSupplement === 'restart';
      const left = state.remainingMinutes ?? 0;
      // The days the new count passes over ('skip' steps) are told as the intake's are (SPEC §3: every deadline
      // explains itself), and a year counted on the provisional calendar is named.
      const steps: TraceStep[] = [];
      // A supplement asked for once the deadline had passed restarts nothing: the lateness has happened, and a whole
      // new duration made a dossier 196 working days late "resolved early" (the law asks for a supplement early, once).
      if (restart && left < 0) {
        return {
          dueAt: state.dueAt,
          remainingMinutes: null,
          trace: [
            {
              type: 'note',
              at: at.toISOString(),
              text: `Nhận hồ sơ bổ sung lúc ${when(at)}: yêu cầu bổ sung khi hồ sơ đã ${overdueWords(cal, left, state.dueAt)}, nên không tính lại từ đầu; giữ nguyên hạn ${when(state.dueAt)}.`,
            },
          ],
        };
      }
      if (restart) {
        const start = cal.normalizeStart(at, steps);
        const due = cal.addWorkingMinutes(start, state.durationMinutes, steps);
        return {
          dueAt: due,
          remainingMinutes: null,
          clockStartAt: start,
          trace: [
            {
              type: 'note',
              at: at.toISOString(),
              minutes: state.durationMinutes,
              text: `Nhận hồ sơ bổ sung lúc ${when(at)}: tính lại từ đầu ${formatNumber(state.durationMinutes)} phút làm việc, bắt đầu ${when(start)}.`,
            },
            ...steps,
            { type: 'due', at: due.toISOString(), text: `Hạn giải quyết mới: ${when(due)}` },
            ...provisionalNotes(cal, at, due),
          ],
        };
      }
      const what = action === 'resume' ? 'Tiếp tục giải quyết' : 'Nhận hồ sơ bổ sung';
      if (left <= 0) {
        return {
          dueAt: state.dueAt,
          remainingMinutes: null,
          trace: [{ type: 'note', at: at.toISOString(), text: `${what} lúc ${when(at)}: hạn giải quyết đã qua, giữ nguyên ${when(state.dueAt)}.` }],
        };
      }
      const due = cal.addWorkingMinutes(at, left, steps);
      return {
        dueAt: due,
        remainingMinutes: null,
        trace: [
          { type: 'note', at: at.toISOString(), minutes: left, text: `${what} lúc ${when(at)}: tính tiếp ${formatNumber(left)} phút làm việc còn lại.` },
          ...steps,
          { type: 'due', at: due.toISOString(), text: `Hạn giải quyết mới: ${when(due)}` },
          ...provisionalNotes(cal, at, due),
        ],
      };
    }
    default:
      return null;
  }
}

/**
 * The appointment given to the citizen after the deadline moved from `dueBefore` to `dueAfter` (UTC ISO strings): it
 * follows the deadline while it was the deadline; a later one an apology letter set stays, unless the deadline now
 * passes it (a supplement received after the letter), because nothing may be promised before the dossier is due.
 */
export function followAppointment(appointmentAt: string, dueBefore: string, dueAfter: string): string {
  if (appointmentAt === dueBefore) return dueAfter;
  return dueAfter > appointmentAt ? dueAfter : appointmentAt;
}

export interface ReplayEvent {
  type: string;
  at: Date;
}

/**
 * The deadline a dossier has under a calendar, played again from its history: intake, then every clock
 * move in order. Used to recompute open dossiers after an admin changes the calendar.
 */
export function replayDue(
  cal: WorkCalendar,
  base: { receivedAt: Date; duration: { value: number; unit: 'working_days' | 'working_hours' }; onSupplement: 'restart' | 'pause' },
  events: ReplayEvent[],
): { dueAt: Date; remainingMinutes: number | null; clockStartAt: Date; trace: TraceStep[]; status: Status } {
  const first = computeDue(cal, base.receivedAt, base.duration);
  let state: ClockState = {
    status: 'processing',
    dueAt: first.dueAt,
    remainingMinutes: null,
    durationMinutes: first.minutes,
    onSupplement: base.onSupplement,
  };
  let clockStartAt = first.startAt;
  const trace = [...first.trace];
  for (const e of events) {
    if (!isAction(e.type) || refusalReason(state.status, e.type)) continue;
    const change = moveClock(cal, state, e.type, e.at);
    if (change) {
      state = { ...state, dueAt: change.dueAt, remainingMinutes: change.remainingMinutes };
      if (change.clockStartAt) clockStartAt = change.clockStartAt;
      trace.push(...change.trace);
    }
    state = { ...state, status: nextStatus(state.status, e.type) };
  }
  return { dueAt: state.dueAt, remainingMinutes: state.remainingMinutes, clockStartAt, trace, status: state.status };
}

export interface StateInterval {
  validFrom: string;
  validTo: string | null;
  status: Status;
  dueAt: string;
  clockRunning: boolean;
  agencyCode: string;
}

/**
 * The dossier's states over time from its history: each event opens a new interval with the status it
 * leads to, the deadline it set (events that move the deadline carry `dueAt`) and the handling agency.
 */
export function stateIntervals(
  events: { type: string; at: string; data: { dueAt?: string; toAgencyCode?: string } }[],
  initial: { agencyCode: string },
): StateInterval[] {
  const intervals: StateInterval[] = [];
  for (const e of events) {
    const prev = intervals[intervals.length - 1];
    if (e.type === 'receive') {
      intervals.push({ validFrom: e.at, validTo: null, status: 'processing', dueAt: e.data.dueAt!, clockRunning: true, agencyCode: initial.agencyCode });
      continue;
    }
    if (!prev) continue;
    const status = isAction(e.type) ? nextStatus(prev.status, e.type) : prev.status;
    prev.validTo = e.at;
    intervals.push({
      validFrom: e.at,
      validTo: null,
      status,
      dueAt: e.data.dueAt ?? prev.dueAt,
      clockRunning: status === 'processing',
      agencyCode: e.data.toAgencyCode ?? prev.agencyCode,
    });
  }
  return intervals;
}

/**
 * The day off an open dossier's appointment falls on, when a letter set it apart from the deadline (an appointment
 * following the deadline is computed in working time and moves with it); null otherwise.
 */
export function appointmentDayOff(cal: WorkCalendar, row: { status: Status; appointment_at: string; due_at: string }): DayInfo | null {
  if (!OPEN_STATUSES.includes(row.status) || row.appointment_at === row.due_at) return null;
  const day = cal.dayInfo(localDate(row.appointment_at));
  return day.working ? null : day;
}

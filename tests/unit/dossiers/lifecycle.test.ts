import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/calendar/working-time';
import {
  ACTIONS,
  followAppointment,
  allowedActions,
  isAction,
  minutesLeft,
  moveClock,
  nextStatus,
  refusalReason,
  supplementRefusal,
  type Action,
  type ClockState,
} from '../../../src/dossiers/lifecycle';
import { STATUSES, STATUS_NAMES, type Status } from '../../../src/dossiers/status';
import { loadConfig } from '../../../src/config';
import { OFFICIAL_2024_2026 } from '../calendar/fixtures';

/** A wall-clock reading in Vietnam (UTC+7) as an instant. */
const vn = (local: string) => new Date(`${local}:00+07:00`);

const cal = new WorkCalendar({ entries: OFFICIAL_2024_2026 });

const THREE_DAYS = 3 * 450;
const TEN_DAYS = 10 * 450;

function state(over: Partial<ClockState>): ClockState {
  return {
    status: 'processing',
    dueAt: vn('2026-02-12T08:00'),
    remainingMinutes: null,
    durationMinutes: THREE_DAYS,
    onSupplement: 'restart',
    ...over,
  };
}

describe('allowedActions', () => {
  it('when the dossier is in each state, then exactly the actions of SPEC §4 are offered, in a fixed order', () => {
    const expected: Record<Status, Action[]> = {
      processing: ['request_supplement', 'pause', 'transfer', 'resolve', 'withdraw'],
      awaiting_supplement: ['receive_supplement', 'withdraw'],
      paused: ['resume', 'withdraw'],
      resolved: ['return'],
      returned: [],
      withdrawn: [],
    };
    for (const status of STATUSES) expect(allowedActions(status), status).toEqual(expected[status]);
  });

  it('when a string is checked, then only the eight action names are actions', () => {
    expect(ACTIONS).toHaveLength(8);
    for (const a of ACTIONS) expect(isAction(a)).toBe(true);
    for (const x of ['receive', 'approve', 'RESOLVE', '', 'recompute_due', null, 3]) expect(isAction(x)).toBe(false);
  });
});

describe('refusalReason', () => {
  it('when an allowed action is asked, then there is no refusal', () => {
    for (const status of STATUSES) {
      for (const action of allowedActions(status)) expect(refusalReason(status, action), `${status}/${action}`).toBeNull();
    }
  });

  it('when every other action is asked, then the refusal is Vietnamese and names the current state', () => {
    for (const status of STATUSES) {
      for (const action of ACTIONS) {
        if (allowedActions(status).includes(action)) continue;
        const reason = refusalReason(status, action);
        expect(reason, `${status}/${action}`).toContain(`"${STATUS_NAMES[status]}"`);
        expect(reason).toMatch(/^Không thể /);
      }
    }
  });

  it('when resolving a dossier that awaits a supplement, then the message says "Chờ bổ sung" and where resolving is allowed', () => {
    expect(refusalReason('awaiting_supplement', 'resolve')).toBe(
      'Không thể "Ghi nhận kết quả" khi hồ sơ đang ở trạng thái "Chờ bổ sung" (chỉ được khi "Đang giải quyết").',
    );
  });

  it('when withdrawing a returned dossier, then the message names "Đã trả kết quả" and the three open states', () => {
    const reason = refusalReason('returned', 'withdraw')!;
    expect(reason).toContain('"Đã trả kết quả"');
    expect(reason).toContain('"Đang giải quyết", "Chờ bổ sung", "Tạm dừng"');
  });
});

describe('nextStatus', () => {
  it('when each action is taken from its state, then the dossier moves as in SPEC §4 (transfer keeps processing)', () => {
    expect(nextStatus('processing', 'request_supplement')).toBe('awaiting_supplement');
    expect(nextStatus('awaiting_supplement', 'receive_supplement')).toBe('processing');
    expect(nextStatus('processing', 'pause')).toBe('paused');
    expect(nextStatus('paused', 'resume')).toBe('processing');
    expect(nextStatus('processing', 'transfer')).toBe('processing');
    expect(nextStatus('processing', 'resolve')).toBe('resolved');
    expect(nextStatus('resolved', 'return')).toBe('returned');
    expect(nextStatus('processing', 'withdraw')).toBe('withdrawn');
    expect(nextStatus('awaiting_supplement', 'withdraw')).toBe('withdrawn');
    expect(nextStatus('paused', 'withdraw')).toBe('withdrawn');
  });
});

describe('minutesLeft', () => {
  it('when the deadline is ahead, then the working minutes to it; when passed, then minus the working minutes since', () => {
    // Tue 10/02 10:00 → Thu 12/02 08:00: 90 + 210 + 450 + 30
    expect(minutesLeft(cal, vn('2026-02-10T10:00'), vn('2026-02-12T08:00'))).toBe(780);
    // Thu 12/02 10:00 → Fri 13/02 10:00: 90 + 210 + 150
    expect(minutesLeft(cal, vn('2026-02-13T10:00'), vn('2026-02-12T10:00'))).toBe(-450);
    expect(minutesLeft(cal, vn('2026-02-12T08:00'), vn('2026-02-12T08:00'))).toBe(0);
  });

  it('when the deadline passed with no working minute since (due Fri 17:00, stopped on Saturday), then one minute late, not 0', () => {
    expect(minutesLeft(cal, vn('2026-02-07T09:00'), vn('2026-02-06T17:00'))).toBe(-1);
    expect(minutesLeft(cal, vn('2026-02-06T17:20'), vn('2026-02-06T17:00'))).toBe(-1);
    // Monday 07:40 is ten working minutes past
    expect(minutesLeft(cal, vn('2026-02-09T07:40'), vn('2026-02-06T17:00'))).toBe(-10);
  });
});

describe('moveClock: supplement request and pause stop the clock', () => {
  it('when a supplement is requested Tue 10/02/2026 10:00 with the deadline Thu 12/02 08:00, then 780 minutes are kept and the deadline stays', () => {
    const change = moveClock(cal, state({}), 'request_supplement', vn('2026-02-10T10:00'))!;
    expect(change.dueAt).toEqual(vn('2026-02-12T08:00'));
    expect(change.remainingMinutes).toBe(780);
    expect(change.clockStartAt).toBeUndefined();
    expect(change.trace).toHaveLength(1);
    expect(change.trace[0]).toMatchObject({ type: 'note', at: vn('2026-02-10T10:00').toISOString(), minutes: 780 });
    expect(change.trace[0].text).toContain('Yêu cầu bổ sung lúc 10:00 10/02/2026 (Thứ Ba)');
    expect(change.trace[0].text).toContain('còn 780 phút làm việc');
  });

  it('when a pause is recorded at lunch time, then the minutes left are counted from the afternoon opening', () => {
    // Wed 11/02 12:00 → Thu 12/02 08:00: 210 (13:30–17:00) + 30
    const change = moveClock(cal, state({}), 'pause', vn('2026-02-11T12:00'))!;
    expect(change.remainingMinutes).toBe(240);
    expect(change.dueAt).toEqual(vn('2026-02-12T08:00'));
    expect(change.trace[0].text).toContain('Tạm dừng lúc 12:00 11/02/2026 (Thứ Tư)');
  });

  it('when the clock stops after the deadline has passed, then the overrun is kept as negative minutes and said in the trace', () => {
    const change = moveClock(cal, state({ dueAt: vn('2026-02-12T10:00') }), 'pause', vn('2026-02-13T10:00'))!;
    expect(change.remainingMinutes).toBe(-450);
    expect(change.dueAt).toEqual(vn('2026-02-12T10:00'));
    expect(change.trace[0].text).toContain('quá hạn 450 phút làm việc');
  });

  it('when a supplement is asked on the Saturday after a Friday 17:00 deadline, then the dossier stays late and receiving it restarts nothing', () => {
    const stop = moveClock(cal, state({ dueAt: vn('2026-02-06T17:00') }), 'request_supplement', vn('2026-02-07T09:00'))!;
    expect(stop.remainingMinutes).toBe(-1);
    expect(stop.trace[0].text).toBe(
      'Yêu cầu bổ sung lúc 09:00 07/02/2026 (Thứ Bảy): dừng tính thời hạn; hồ sơ đã quá hạn (hạn 17:00 06/02/2026 (Thứ Sáu) đã qua).',
    );
    const back = moveClock(
      cal,
      state({ status: 'awaiting_supplement', dueAt: vn('2026-02-06T17:00'), remainingMinutes: stop.remainingMinutes }),
      'receive_supplement',
      vn('2026-02-09T08:00'),
    )!;
    expect(back.dueAt).toEqual(vn('2026-02-06T17:00'));
    expect(back.clockStartAt).toBeUndefined();
    expect(back.trace[0].text).toBe(
      'Nhận hồ sơ bổ sung lúc 08:00 09/02/2026 (Thứ Hai): yêu cầu bổ sung khi hồ sơ đã quá hạn (hạn 17:00 06/02/2026 (Thứ Sáu) đã qua), nên không tính lại từ đầu; giữ nguyên hạn 17:00 06/02/2026 (Thứ Sáu).',
    );
  });
});

describe('moveClock: receiving the supplement', () => {
  it('when a restart procedure receives the supplement Fri 13/02/2026 15:00, then 3 whole working days run from then, across Tết: due Wed 25/02 15:00', () => {
    // 13/02: 15:00–17:00 = 120; 14–22/02 off (weekends, Tết 16–20); 23/02: 450; 24/02: 450; 25/02: 240 + 90 → 15:00
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', remainingMinutes: 780 }),
      'receive_supplement',
      vn('2026-02-13T15:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-02-25T15:00'));
    expect(change.remainingMinutes).toBeNull();
    expect(change.clockStartAt).toEqual(vn('2026-02-13T15:00'));
    // The nine days off it passes over are told, as an intake's are (SPEC §3).
    expect(change.trace.map((s) => s.type)).toEqual(['note', ...Array(9).fill('skip'), 'due']);
    expect(change.trace.filter((s) => s.type === 'skip').map((s) => s.date)).toEqual([
      '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22',
    ]);
    expect(change.trace[3].text).toContain('Tết Nguyên đán');
    expect(change.trace[0].text).toContain('Nhận hồ sơ bổ sung lúc 15:00 13/02/2026 (Thứ Sáu)');
    expect(change.trace[0].text).toContain('1.350 phút');
    expect(change.trace[10]).toEqual({
      type: 'due',
      at: vn('2026-02-25T15:00').toISOString(),
      text: 'Hạn giải quyết mới: 15:00 25/02/2026 (Thứ Tư)',
    });
  });

  it('when a restart procedure receives the supplement on a Tết Saturday, then the clock starts Mon 23/02 07:30 and 3 days end Wed 25/02 17:00', () => {
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', remainingMinutes: 780 }),
      'receive_supplement',
      vn('2026-02-14T09:00'),
    )!;
    expect(change.clockStartAt).toEqual(vn('2026-02-23T07:30'));
    expect(change.dueAt).toEqual(vn('2026-02-25T17:00'));
    expect(change.trace[0].text).toContain('bắt đầu 07:30 23/02/2026 (Thứ Hai)');
  });

  it('when a restart procedure asked for the supplement in time and receives it after its old deadline, then it gets a whole new duration', () => {
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', dueAt: vn('2026-02-12T10:00'), remainingMinutes: 30 }),
      'receive_supplement',
      vn('2026-02-23T08:00'),
    )!;
    // 23/02 08:00 + 1350: 420 + 450 + 450 = 1320, then 30 more on Thu 26/02 → 08:00
    expect(change.dueAt).toEqual(vn('2026-02-26T08:00'));
  });

  it('when a restart procedure asked for the supplement once already late, then receiving it restarts nothing: the deadline stays, and the dossier late', () => {
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', dueAt: vn('2026-02-12T10:00'), remainingMinutes: -450 }),
      'receive_supplement',
      vn('2026-02-23T08:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-02-12T10:00'));
    expect(change.remainingMinutes).toBeNull();
    expect(change.clockStartAt).toBeUndefined();
    expect(change.trace.map((t) => t.text)).toEqual([
      'Nhận hồ sơ bổ sung lúc 08:00 23/02/2026 (Thứ Hai): yêu cầu bổ sung khi hồ sơ đã quá hạn 450 phút làm việc, nên không tính lại từ đầu; giữ nguyên hạn 10:00 12/02/2026 (Thứ Năm).',
    ]);
  });

  it('when a pause procedure receives the supplement Fri 13/02/2026 15:00 with 780 minutes left, then they continue across Tết: due Tue 24/02 11:00', () => {
    // 13/02: 120 → 660 left; 23/02: 450 → 210 left; 24/02: 07:30 + 210 = 11:00
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', remainingMinutes: 780, onSupplement: 'pause', durationMinutes: TEN_DAYS }),
      'receive_supplement',
      vn('2026-02-13T15:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-02-24T11:00'));
    expect(change.remainingMinutes).toBeNull();
    expect(change.clockStartAt).toBeUndefined();
    expect(change.trace[0].text).toContain('Nhận hồ sơ bổ sung lúc 15:00 13/02/2026 (Thứ Sáu)');
    expect(change.trace[0].text).toContain('780 phút làm việc còn lại');
    expect(change.trace.map((s) => s.type)).toEqual(['note', ...Array(9).fill('skip'), 'due']);
    expect(change.trace[10]).toMatchObject({ type: 'due', at: vn('2026-02-24T11:00').toISOString() });
    expect(change.trace[10].text).toContain('11:00 24/02/2026 (Thứ Ba)');
  });

  it('when a pause procedure receives the supplement after the deadline had passed, then the old deadline is kept', () => {
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', dueAt: vn('2026-02-12T10:00'), remainingMinutes: -450, onSupplement: 'pause' }),
      'receive_supplement',
      vn('2026-02-23T08:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-02-12T10:00'));
    expect(change.remainingMinutes).toBeNull();
    expect(change.trace).toHaveLength(1);
    expect(change.trace[0].text).toContain('giữ nguyên 10:00 12/02/2026');
  });
});

describe('moveClock: pause and resume around New Year 2026 and the make-up Saturday', () => {
  // Paused Wed 31/12/2025 16:00, deadline Tue 06/01/2026 10:00:
  // 31/12: 60; 01/01 holiday, 02/01 day off, 03–04/01 weekend; 05/01: 450; 06/01: 150 → 660 minutes left.
  it('when paused Wed 31/12/2025 16:00 with the deadline Tue 06/01/2026 10:00, then 660 minutes are left (01–02/01 are off)', () => {
    const change = moveClock(cal, state({ dueAt: vn('2026-01-06T10:00'), onSupplement: 'pause' }), 'pause', vn('2025-12-31T16:00'))!;
    expect(change.remainingMinutes).toBe(660);
    expect(change.dueAt).toEqual(vn('2026-01-06T10:00'));
    expect(change.trace[0].text).toContain('16:00 31/12/2025 (Thứ Tư)');
    expect(change.trace[0].text).toContain('còn 660 phút');
  });

  it('when resumed Fri 09/01/2026 16:00 with 660 minutes, then the make-up Saturday 10/01 counts: due Mon 12/01 10:00', () => {
    // 09/01: 60 → 600; Sat 10/01 (làm bù): 450 → 150; Sun 11/01 off; Mon 12/01: 07:30 + 150 = 10:00
    const change = moveClock(
      cal,
      state({ status: 'paused', dueAt: vn('2026-01-06T10:00'), remainingMinutes: 660, onSupplement: 'pause' }),
      'resume',
      vn('2026-01-09T16:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-01-12T10:00'));
    expect(change.remainingMinutes).toBeNull();
    expect(change.trace[0].text).toContain('Tiếp tục giải quyết lúc 16:00 09/01/2026 (Thứ Sáu)');
    expect(change.trace[0].text).toContain('660 phút');
    expect(change.trace.map((s) => s.type)).toEqual(['note', 'note', 'skip', 'due']);
    expect(change.trace[1]).toMatchObject({ type: 'note', date: '2026-01-10' }); // the make-up Saturday, said
    expect(change.trace[2]).toMatchObject({ type: 'skip', date: '2026-01-11' });
    expect(change.trace[3].text).toContain('10:00 12/01/2026 (Thứ Hai)');
  });

  it('when resumed on the make-up Saturday 10/01/2026 08:00, then it runs that day: due Mon 12/01 11:30 (the end of a period, not 13:30)', () => {
    // 10/01 from 08:00: 210 + 210 = 420 → 240 left; Mon 12/01: 07:30 + 240 = 11:30
    const change = moveClock(
      cal,
      state({ status: 'paused', dueAt: vn('2026-01-06T10:00'), remainingMinutes: 660, onSupplement: 'pause' }),
      'resume',
      vn('2026-01-10T08:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-01-12T11:30'));
    expect(change.trace[0].text).toContain('08:00 10/01/2026 (Thứ Bảy)');
  });

  it('when resumed on Friday 02/01/2026 (a swapped day off), then the clock waits for Monday 05/01 07:30', () => {
    // 05/01: 450 → 210 left; 06/01: 07:30 + 210 = 11:00
    const change = moveClock(
      cal,
      state({ status: 'paused', dueAt: vn('2026-01-06T10:00'), remainingMinutes: 660, onSupplement: 'pause' }),
      'resume',
      vn('2026-01-02T09:00'),
    )!;
    expect(change.dueAt).toEqual(vn('2026-01-06T11:00'));
  });

  it('when a clock stopped after the deadline is resumed, then the old deadline is kept (waiting does not make it on time)', () => {
    const paused = moveClock(cal, state({ dueAt: vn('2026-01-09T08:00'), onSupplement: 'pause' }), 'pause', vn('2026-01-10T09:00'))!;
    // 09/01 08:00 → 10/01 09:00: 420 + 90 (the make-up Saturday is a working day)
    expect(paused.remainingMinutes).toBe(-510);
    const resumed = moveClock(
      cal,
      state({ status: 'paused', dueAt: paused.dueAt, remainingMinutes: paused.remainingMinutes, onSupplement: 'pause' }),
      'resume',
      vn('2026-01-14T09:00'),
    )!;
    expect(resumed.dueAt).toEqual(vn('2026-01-09T08:00'));
    expect(resumed.remainingMinutes).toBeNull();
    expect(resumed.trace).toHaveLength(1);
    expect(resumed.trace[0].text).toContain('Tiếp tục giải quyết lúc 09:00 14/01/2026 (Thứ Tư)');
    expect(resumed.trace[0].text).toContain('giữ nguyên 08:00 09/01/2026');
  });
});

describe('moveClock: actions that do not touch the clock', () => {
  it('when transferring, resolving, returning or withdrawing, then the clock is not moved', () => {
    for (const a of ['transfer', 'resolve', 'return', 'withdraw'] as const) {
      expect(moveClock(cal, state({}), a, vn('2026-02-10T10:00')), a).toBeNull();
    }
  });
});

describe('moveClock: a new count that runs into a year with no official schedule', () => {
  it('when a restart procedure receives the supplement Thu 30/12/2027, then the trace says 2027 and 2028 are counted on the provisional calendar', () => {
    // The fixture holds 2024–2026 only: 2027 and 2028 are provisional.
    const change = moveClock(
      cal,
      state({ status: 'awaiting_supplement', dueAt: vn('2027-12-20T10:00'), remainingMinutes: 100 }),
      'receive_supplement',
      vn('2027-12-30T10:00'),
    )!;
    // 30/12: 90 + 210 = 300; 31/12: 450 → 750 of 1,350; 01/01/2028 (Saturday, holiday), 02/01 Sunday, 03/01 its
    // compensatory day; 04/01: 450 → 1,200; 05/01: 07:30 + 150 → 10:00.
    expect(change.dueAt).toEqual(vn('2028-01-05T10:00'));
    expect(change.trace.filter((s) => s.type === 'skip').map((s) => s.date)).toEqual(['2028-01-01', '2028-01-02', '2028-01-03']);
    const notes = change.trace.filter((s) => s.type === 'note').map((s) => s.text);
    expect(notes.slice(1)).toEqual([
      'Năm 2027 chưa có lịch nghỉ chính thức: dùng lịch tạm tính theo Bộ luật Lao động 2019, Điều 112.',
      'Năm 2028 chưa có lịch nghỉ chính thức: dùng lịch tạm tính theo Bộ luật Lao động 2019, Điều 112.',
    ]);
  });
});

describe('followAppointment', () => {
  const due = vn('2026-03-04T08:00').toISOString();
  const letter = vn('2026-03-06T17:00').toISOString();
  it('when the appointment was the deadline, then it follows the deadline either way', () => {
    expect(followAppointment(due, due, vn('2026-03-09T08:00').toISOString())).toBe(vn('2026-03-09T08:00').toISOString());
    expect(followAppointment(due, due, vn('2026-03-03T08:00').toISOString())).toBe(vn('2026-03-03T08:00').toISOString());
  });
  it("when an apology set a later appointment, then it stays while the deadline is before it, and moves to a deadline past it", () => {
    expect(followAppointment(letter, due, vn('2026-03-05T08:00').toISOString())).toBe(letter);
    expect(followAppointment(letter, due, vn('2026-03-10T08:00').toISOString())).toBe(vn('2026-03-10T08:00').toISOString());
  });
});

describe('supplementRefusal: the papers are asked for once (SUPPLEMENT_REQUESTS)', () => {
  it('when none was asked for, then a request is allowed under either policy', () => {
    expect(supplementRefusal('once', [])).toBeNull();
    expect(supplementRefusal('repeat', [])).toBeNull();
  });

  it('when one was asked for, then `once` refuses naming the first request, and `repeat` allows it', () => {
    const asked = [{ at: '2026-05-04T02:00:00.000Z' }, { at: '2026-05-06T02:00:00.000Z' }];
    expect(supplementRefusal('once', asked)).toMatch(/^Hồ sơ đã được yêu cầu bổ sung lúc 09:00 04\/05\/2026: .*chỉ thực hiện một lần/);
    expect(supplementRefusal('repeat', asked)).toBeNull();
  });

  it('when the environment sets nothing, then the law\'s `once` applies; repeat is taken, anything else refused in Vietnamese', () => {
    expect(loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv).supplementRequests).toBe('once');
    expect(loadConfig({ NODE_ENV: 'test', SUPPLEMENT_REQUESTS: 'repeat' } as NodeJS.ProcessEnv).supplementRequests).toBe('repeat');
    expect(() => loadConfig({ NODE_ENV: 'test', SUPPLEMENT_REQUESTS: 'twice' } as NodeJS.ProcessEnv)).toThrow(/SUPPLEMENT_REQUESTS chỉ nhận once/);
  });
});

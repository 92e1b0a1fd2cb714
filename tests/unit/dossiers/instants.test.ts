import { describe, expect, it } from 'vitest';
import { checkInstant } from '../../../src/dossiers/service';
import { systemClock } from '../../../src/shared/clock';
import type { User } from '../../../src/auth/users';

const clerk = { id: 1, username: 'motcua', fullName: 'Cán bộ', role: 'clerk', agencyCode: '000.01.01.H13' } as User;
const admin = { ...clerk, role: 'admin', agencyCode: null } as User;
const now = new Date('2026-12-03T16:59:30.000Z'); // 23:59:30 in Vietnam

describe('checkInstant', () => {
  it('when an instant is a little ahead of the server, then it is recorded as now: the future is never written', () => {
    expect(checkInstant(new Date(now.getTime() + 90_000), now, clerk, 'at')).toEqual(now);
  });
  it('when an instant is a little behind, or an admin backdates, then it is kept as given', () => {
    expect(checkInstant(new Date(now.getTime() - 90_000), now, clerk, 'at')).toEqual(new Date(now.getTime() - 90_000));
    expect(checkInstant(new Date('2026-11-02T01:00:00Z'), now, admin, 'at')).toEqual(new Date('2026-11-02T01:00:00Z'));
  });
  it('when an instant is well ahead, or a clerk backdates, then it is refused', () => {
    expect(() => checkInstant(new Date(now.getTime() + 3 * 60_000), now, admin, 'at')).toThrow();
    expect(() => checkInstant(new Date(now.getTime() - 3 * 60_000), now, clerk, 'at')).toThrow('Chỉ quản trị viên');
  });
});

describe('systemClock', () => {
  it('when asked the time, then it is in whole seconds, as the API writes instants', () => {
    expect(systemClock.now().getUTCMilliseconds()).toBe(0);
  });
});

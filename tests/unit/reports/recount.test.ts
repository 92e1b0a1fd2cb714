import { describe, expect, it } from 'vitest';
import { agencyOf, classify, recountSettlement, stateAt, type DossierHistory } from '../../../src/reports/recount';

const at = (local: string) => new Date(`${local}:00+07:00`).toISOString();
// February 2026 in UTC+7
const FEB = { start: at('2026-02-01T00:00'), end: at('2026-03-01T00:00') };

function history(h: Partial<DossierHistory> & Pick<DossierHistory, 'receivedAt' | 'dueAt'>): DossierHistory {
  const states = h.states ?? [{ validFrom: h.receivedAt, validTo: h.finishedAt ?? null, dueAt: h.dueAt, clockRunning: true, agencyCode: 'A' }];
  if (h.finishedAt && !h.states) states.push({ validFrom: h.finishedAt, validTo: null, dueAt: h.dueAt, clockRunning: false, agencyCode: 'A' });
  return { fieldCode: 'F', channel: 'in_person', receivedAgencyCode: 'R', finishedAt: null, withdrawn: false, ...h, states };
}

describe('classify one dossier (SPEC §6)', () => {
  it('when resolved before the due date, then early; on the due date before the due time, then on time; after it, late', () => {
    const due = at('2026-02-10T16:00');
    expect(classify(history({ receivedAt: at('2026-02-02T08:00'), dueAt: due, finishedAt: at('2026-02-09T17:00') }), FEB)?.resolved).toBe('early');
    expect(classify(history({ receivedAt: at('2026-02-02T08:00'), dueAt: due, finishedAt: at('2026-02-10T00:00') }), FEB)?.resolved).toBe('onTime');
    expect(classify(history({ receivedAt: at('2026-02-02T08:00'), dueAt: due, finishedAt: due }), FEB)?.resolved).toBe('onTime');
    expect(classify(history({ receivedAt: at('2026-02-02T08:00'), dueAt: due, finishedAt: at('2026-02-10T16:01') }), FEB)?.resolved).toBe('late');
  });

  it('when withdrawn, then it counts on time, never early nor late (even after the due instant)', () => {
    const due = at('2026-02-10T16:00');
    expect(classify(history({ receivedAt: at('2026-02-02T08:00'), dueAt: due, finishedAt: at('2026-02-03T09:00'), withdrawn: true }), FEB)?.resolved).toBe('onTime');
    expect(classify(history({ receivedAt: at('2026-02-02T08:00'), dueAt: due, finishedAt: at('2026-02-11T09:00'), withdrawn: true }), FEB)?.resolved).toBe('onTime');
  });

  it('when received before the period and finished inside it, then carried over and resolved; finished before it, then not counted', () => {
    expect(classify(history({ receivedAt: at('2026-01-20T08:00'), dueAt: at('2026-02-05T08:00'), finishedAt: at('2026-02-02T08:00') }), FEB)).toMatchObject({
      received: 'carriedOver',
      resolved: 'early',
    });
    expect(classify(history({ receivedAt: at('2026-01-20T08:00'), dueAt: at('2026-02-05T08:00'), finishedAt: at('2026-01-31T23:59') }), FEB)).toBeNull();
    expect(classify(history({ receivedAt: at('2026-03-01T00:00'), dueAt: at('2026-03-05T08:00') }), FEB)).toBeNull();
  });

  it('when open at the end with the deadline passed, then overdue while the clock runs and within deadline while it is stopped', () => {
    const receivedAt = at('2026-02-02T08:00');
    const running = history({ receivedAt, dueAt: at('2026-02-20T08:00') });
    expect(classify(running, FEB)).toMatchObject({ received: 'inPersonOrPostal', pending: 'overdue' });
    const paused = history({
      receivedAt,
      dueAt: at('2026-02-20T08:00'),
      states: [
        { validFrom: receivedAt, validTo: at('2026-02-25T08:00'), dueAt: at('2026-02-20T08:00'), clockRunning: true, agencyCode: 'A' },
        { validFrom: at('2026-02-25T08:00'), validTo: at('2026-03-03T08:00'), dueAt: at('2026-02-20T08:00'), clockRunning: false, agencyCode: 'A' },
        { validFrom: at('2026-03-03T08:00'), validTo: null, dueAt: at('2026-03-10T08:00'), clockRunning: true, agencyCode: 'A' },
      ],
    });
    expect(classify(paused, FEB)?.pending).toBe('withinDeadline');
    // In March the clock runs again with a new deadline still ahead at the end of 5 March.
    expect(classify(paused, { start: at('2026-03-01T00:00'), end: at('2026-03-06T00:00') })).toMatchObject({ received: 'carriedOver', pending: 'withinDeadline' });
  });

  it('when a state changes exactly at the end, then the state just before the end is the one in force', () => {
    const h = history({
      receivedAt: at('2026-02-02T08:00'),
      dueAt: at('2026-02-10T08:00'),
      states: [
        { validFrom: at('2026-02-02T08:00'), validTo: FEB.end, dueAt: at('2026-02-10T08:00'), clockRunning: true, agencyCode: 'A' },
        { validFrom: FEB.end, validTo: null, dueAt: at('2026-02-10T08:00'), clockRunning: false, agencyCode: 'B' },
      ],
    });
    expect(stateAt(h, FEB.end)?.agencyCode).toBe('A');
    expect(classify(h, FEB)?.pending).toBe('overdue');
  });
});

describe('recount over many dossiers', () => {
  it('when a dossier is transferred, then it counts once, for the agency that had it at the end (or at its finish)', () => {
    const receivedAt = at('2026-02-02T08:00');
    const transferred = history({
      receivedAt,
      dueAt: at('2026-03-20T08:00'),
      states: [
        { validFrom: receivedAt, validTo: at('2026-02-10T08:00'), dueAt: at('2026-03-20T08:00'), clockRunning: true, agencyCode: 'A' },
        { validFrom: at('2026-02-10T08:00'), validTo: at('2026-03-05T08:00'), dueAt: at('2026-03-20T08:00'), clockRunning: true, agencyCode: 'B' },
        { validFrom: at('2026-03-05T08:00'), validTo: null, dueAt: at('2026-03-20T08:00'), clockRunning: true, agencyCode: 'C' },
      ],
    });
    expect(agencyOf(transferred, FEB, 'handling')).toBe('B');
    expect(agencyOf(transferred, FEB, 'receiving')).toBe('R');
    const r = recountSettlement([transferred, history({ receivedAt, dueAt: at('2026-02-05T08:00'), finishedAt: at('2026-02-04T08:00'), channel: 'online' })], FEB);
    expect([...r.byAgency.keys()].sort()).toEqual(['A', 'B']);
    expect(r.total).toEqual({
      received: { online: 1, inPersonOrPostal: 1, carriedOver: 0, total: 2 },
      resolved: { early: 1, onTime: 0, late: 0, total: 1 },
      pending: { withinDeadline: 1, overdue: 0, total: 1 },
    });
    expect(recountSettlement([transferred], FEB, { basis: 'handling', agencyCode: 'A' }).total.received.total).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/calendar/working-time';
import { replayDue, stateIntervals } from '../../../src/dossiers/lifecycle';
import { mulberry32 } from '../../../seeds/demo';
import { combineLoads, median, percentile, summarize, type LoadRun } from '../../../scripts/bench/load';
import { planDossier, receiptSampler, type Desk } from '../../../scripts/bench/plan';
import { intakeBody } from '../../../scripts/bench/pages';
import { intakeSchema } from '../../../src/dossiers/schema';
import { OFFICIAL_2024_2026 } from '../calendar/fixtures';

describe('percentile and median', () => {
  it('when asked for p99 of 1..100, then it is 99 (nearest rank), p100 the maximum and p0 the minimum', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it('when there are fewer values than 100, then p99 is the largest', () => {
    expect(percentile([3, 5, 8, 13], 99)).toBe(13);
    expect(percentile([], 99)).toBeNaN();
  });

  it('when the count is even, then the median is the mean of the two middle values, in any order given', () => {
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7, 1, 3])).toBe(3);
  });
});

describe('combining the rounds of a load', () => {
  const run = (seconds: number, latencies: number[], errors = 0, firstError: string | null = null): LoadRun => {
    const sorted = [...latencies].sort((a, b) => a - b);
    return { ...summarize(sorted, seconds, errors, firstError), latencies: sorted };
  };

  it('when a fast and a slow round are combined, then the rate is all requests over all the time and the percentiles cover every latency', () => {
    // 90 requests of 1 ms in 1 s, then 10 of 50 ms in 1 s: 100 requests in 2 s, p99 is the 99th latency, a slow one.
    const combined = combineLoads([run(1, Array(90).fill(1)), run(1, Array(10).fill(50), 2, 'HTTP 500 on GET /')]);
    expect(combined.requests).toBe(100);
    expect(combined.seconds).toBe(2);
    expect(combined.perSecond).toBe(50);
    expect(combined.p50).toBe(1);
    expect(combined.p99).toBe(50);
    expect(combined.max).toBe(50);
    expect(combined.errors).toBe(2);
    expect(combined.firstError).toBe('HTTP 500 on GET /');
    // The stored result carries no latency list (it is written to .bench/ as JSON).
    expect(Object.keys(combined)).not.toContain('latencies');
  });
});

describe('the benchmark data set', () => {
  const cal = new WorkCalendar({ entries: OFFICIAL_2024_2026 });
  const now = new Date('2026-11-20T03:00:00Z');
  const desk: Desk = {
    code: 'DESK',
    weight: 1,
    procedures: [
      { code: 'P3', fieldCode: 'F1', agencyCode: null, duration: { value: 3, unit: 'working_days' }, onSupplement: 'restart' },
      { code: 'P15', fieldCode: 'F2', agencyCode: 'DEPT', duration: { value: 15, unit: 'working_days' }, onSupplement: 'pause' },
      { code: 'H8', fieldCode: 'F3', agencyCode: null, duration: { value: 8, unit: 'working_hours' }, onSupplement: 'restart' },
    ],
  };
  const rnd = mulberry32(11);
  const sample = receiptSampler(cal, new Date(now.getTime() - 730 * 86_400_000), now, rnd);
  const planned = Array.from({ length: 4000 }, () => planDossier(rnd, cal, now, desk, ['DEPT', 'OTHER'], sample(rnd() < 0.45)));

  it('when a history is played again by the service engine (replayDue), then it gives the same deadline and status', () => {
    for (const d of planned) {
      const replay = replayDue(
        cal,
        { receivedAt: d.receivedAt, duration: d.procedure.duration, onSupplement: d.procedure.onSupplement },
        d.events.slice(1).map((e) => ({ type: e.type, at: e.at })),
      );
      expect(replay.dueAt.toISOString()).toBe(d.dueAt.toISOString());
      expect(replay.status).toBe(d.status);
      expect(replay.remainingMinutes).toBe(d.remainingMinutes);
    }
  });

  it('when generated, then events are in time order before now and the last state interval is the dossier as stored', () => {
    for (const d of planned) {
      const times = d.events.map((e) => e.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[times.length - 1]).toBeLessThanOrEqual(now.getTime());
      const states = stateIntervals(
        d.events.map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data as { dueAt?: string; toAgencyCode?: string } })),
        { agencyCode: d.procedure.agencyCode ?? d.deskCode },
      );
      const last = states[states.length - 1];
      expect(last.validTo).toBeNull();
      expect(last.status).toBe(d.status);
      expect(last.dueAt).toBe(d.dueAt.toISOString());
      expect(last.agencyCode).toBe(d.agencyCode);
      const finish = d.events.find((e) => e.type === 'resolve' || e.type === 'withdraw');
      expect(d.finishedAt?.toISOString() ?? null).toBe(finish ? finish.at.toISOString() : null);
    }
  });

  it('when 4,000 dossiers over two years are generated, then a few percent are pending and about 1–3% late', () => {
    const share = (pred: (d: (typeof planned)[number]) => boolean) => planned.filter(pred).length / planned.length;
    const pending = share((d) => d.finishedAt === null);
    const late = share((d) => d.status !== 'withdrawn' && (d.finishedAt ? d.finishedAt > d.dueAt : d.status === 'processing' && d.dueAt < now));
    expect(pending).toBeGreaterThan(0.01);
    expect(pending).toBeLessThan(0.06);
    expect(late).toBeGreaterThan(0.008);
    expect(late).toBeLessThan(0.03);
    expect(share((d) => d.events.some((e) => e.type === 'request_supplement'))).toBeGreaterThan(0.04);
    expect(share((d) => d.events.some((e) => e.type === 'pause'))).toBeGreaterThan(0.01);
  });
});

describe('the intake the bench sends', () => {
  it('when its bodies are checked as the API checks an intake, then every one passes, its CCCD 12 digits however far the count goes', () => {
    for (const i of [0, 1, 31, 999_999, 1_000_000, 2_345_678]) {
      const parsed = intakeSchema.safeParse(intakeBody(i, '1.000948'));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(parsed.data?.applicant.idNumber).toMatch(/^092085\d{6}$/);
    }
    expect(intakeBody(7, '1.000948')).toMatchObject({ channel: 'online', applicant: { name: 'Người nộp thử tải 7', idNumber: '092085000007' } });
  });
});

import { Router } from 'express';
import type { Knex } from 'knex';
import type { Services } from '../app';
import { audit } from '../audit/log';
import { requireRole, requireUser } from '../auth/guard';
import type { AppContext } from '../shared/context';
import { NotFoundError } from '../shared/errors';
import { isoLocal } from '../shared/format';
import { parseInput } from '../shared/http';
import { CONTROL_CHARS, isRealIsoDate, optionalText, requiredText, z } from '../shared/validation';
import type { CalendarEntry, DayKind } from './holidays';
import { deleteDay, loadEntries, writeDays, type DaysWritten } from './repository';
import { MAX_YEAR, MIN_YEAR } from './schedule';
import { computeDue } from './working-time';

export const DAY_KINDS = ['holiday', 'day_off', 'working_day'] as const satisfies readonly DayKind[];
export const DAY_KIND_NAMES: Record<DayKind, string> = {
  holiday: 'Ngày lễ, Tết',
  day_off: 'Ngày nghỉ (nghỉ bù, hoán đổi)',
  working_day: 'Ngày làm bù',
};

export { MAX_YEAR, MIN_YEAR };
const MAX_RANGE_YEARS = 3;
export const MAX_DUE_DAYS = 365;
export const MAX_DUE_HOURS = 2000;

function validIsoDate(s: unknown): s is string {
  return typeof s === 'string' && isRealIsoDate(s);
}

/** A local calendar date YYYY-MM-DD that exists, between MIN_YEAR and MAX_YEAR. */
export const isoDate = (label: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'Không được để trống.' : `${label} phải là một ngày.`) })
    .trim()
    .min(1, 'Không được để trống.')
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} phải có dạng YYYY-MM-DD, ví dụ 2026-02-16.`)
    .refine(isRealIsoDate, `${label} không tồn tại trong lịch.`)
    .refine((s) => {
      const y = Number(s.slice(0, 4));
      return y >= MIN_YEAR && y <= MAX_YEAR;
    }, `Năm phải trong khoảng ${MIN_YEAR}–${MAX_YEAR}.`);

export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export const calendarDaySchema = z
  .object({
    date: isoDate('Ngày'),
    kind: z.enum(DAY_KINDS, { error: 'Loại ngày là holiday (lễ, Tết), day_off (nghỉ bù) hoặc working_day (làm bù).' }),
    name: requiredText(300).refine((s) => !CONTROL_CHARS.test(s), 'Chứa ký tự điều khiển không hợp lệ.'),
    source: optionalText(500).refine((s) => s === undefined || !CONTROL_CHARS.test(s), 'Chứa ký tự điều khiển không hợp lệ.'),
  })
  .superRefine((d, issue) => {
    // A make-up day only means something on a weekend: Monday–Friday already are working days.
    if (!validIsoDate(d.date)) return;
    const weekday = weekdayOf(d.date);
    if (d.kind === 'working_day' && weekday !== 0 && weekday !== 6) {
      issue.addIssue({ code: 'custom', path: ['kind'], message: 'Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.' });
    }
  });
export type CalendarDayInput = z.infer<typeof calendarDaySchema>;

/**
 * Writes one day (into a year with no row of its own, after that year's provisional days: writeDays) and drops the
 * cached calendar; dossiers already received keep their due dates.
 */
export async function saveCalendarDay(
  ctx: AppContext,
  services: Services,
  input: CalendarDayInput,
  by: string | null,
): Promise<{ entry: CalendarEntry; written: DaysWritten }> {
  const entry: CalendarEntry = { date: input.date, kind: input.kind, name: input.name, source: input.source ?? '' };
  return { entry, written: await importSchedule(ctx, services, [entry], { by, replaceYears: false }) };
}

/** Writes an announced schedule (schedule.ts) and, in the same transaction, its `record` (the audit line); see writeDays. */
export async function importSchedule(
  ctx: AppContext,
  services: Services,
  entries: CalendarEntry[],
  opts: { by: string | null; replaceYears: boolean; record?: (trx: Knex.Transaction, written: DaysWritten) => Promise<void> },
): Promise<DaysWritten> {
  const written = await ctx.db.transaction(async (trx) => {
    const w = await writeDays(trx, entries, { by: opts.by, replaceYears: opts.replaceYears, now: ctx.clock.now() });
    await opts.record?.(trx, w);
    return w;
  });
  services.calendars.invalidate();
  return written;
}

/** Removes one day; false when there was none. */
export async function removeCalendarDay(ctx: AppContext, services: Services, date: string): Promise<boolean> {
  const removed = await deleteDay(ctx.db, date);
  services.calendars.invalidate();
  return removed > 0;
}

const rangeSchema = z
  .object({ from: isoDate('Ngày bắt đầu (from)'), to: isoDate('Ngày kết thúc (to)') })
  .superRefine(({ from, to }, issue) => {
    // Runs even when a date above failed a format check: compare only real dates.
    if (!validIsoDate(from) || !validIsoDate(to)) return;
    if (to < from) {
      issue.addIssue({ code: 'custom', path: ['to'], message: 'Ngày kết thúc (to) phải từ ngày bắt đầu (from) trở đi.' });
      return;
    }
    const [y, m, d] = from.split('-').map(Number);
    const limit = new Date(Date.UTC(y + MAX_RANGE_YEARS, m - 1, d)).toISOString().slice(0, 10);
    if (to >= limit) {
      issue.addIssue({ code: 'custom', path: ['to'], message: `Khoảng ngày tối đa ${MAX_RANGE_YEARS} năm.` });
    }
  });

const positiveInt = (max: number, unit: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v === '' ? undefined : v),
    z
      .number({ error: `Phải là số nguyên dương (${unit}).` })
      .int(`Phải là số nguyên dương (${unit}).`)
      .min(1, `Phải lớn hơn 0 ${unit}.`)
      .max(max, `Tối đa ${max} ${unit}.`)
      .optional(),
  );

/** An instant with an explicit offset; a "+" turned into a space by an unencoded query string is put back. */
export const instantSchema = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().replace(/ (\d{2}:\d{2})$/, '+$1') : v),
  z
    .string({ error: 'Không được để trống.' })
    .min(1, 'Không được để trống.')
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/,
      'Thời điểm phải theo ISO-8601 có múi giờ, ví dụ 2026-02-13T10:00:00+07:00.',
    )
    .refine((s) => !Number.isNaN(Date.parse(s)) && isRealIsoDate(s.slice(0, 10)), 'Thời điểm không tồn tại.')
    .refine((s) => {
      const y = Number(s.slice(0, 4));
      return y >= MIN_YEAR && y <= MAX_YEAR;
    }, `Năm phải trong khoảng ${MIN_YEAR}–${MAX_YEAR}.`)
    .transform((s) => new Date(s)),
);

const dueSchema = z
  .object({
    start: instantSchema,
    days: positiveInt(MAX_DUE_DAYS, 'ngày làm việc'),
    hours: positiveInt(MAX_DUE_HOURS, 'giờ làm việc'),
  })
  .superRefine((q, issue) => {
    if ((q.days === undefined) === (q.hours === undefined)) {
      issue.addIssue({
        code: 'custom',
        path: [q.days === undefined ? 'days' : 'hours'],
        message: 'Cho đúng một trong hai tham số: days (số ngày làm việc) hoặc hours (số giờ làm việc).',
      });
    }
  });

/** Instants in a trace step (Date or UTC string) become ISO with +07:00, like everything the API answers. */
export function traceToJson(trace: readonly object[]): Record<string, unknown>[] {
  return trace.map((step) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(step)) {
      if (value instanceof Date) out[key] = isoLocal(value);
      else if (typeof value === 'string' && (key === 'at' || key.endsWith('At')) && /T.*Z$/.test(value)) out[key] = isoLocal(value);
      else out[key] = value;
    }
    return out;
  });
}

function dayJson(d: { date: string; working: boolean; kind: unknown; name?: unknown; provisional: boolean }) {
  return { date: d.date, working: d.working, kind: d.kind, name: d.name ?? null, provisional: d.provisional };
}

export function calendarApi(ctx: AppContext, services: Services): Router {
  const router = Router();
  const nowMs = () => ctx.clock.now().getTime();

  router.get('/calendar/days', requireUser, async (req, res) => {
    const { from, to } = parseInput(rangeSchema, req.query);
    const calendar = await services.calendars.get(nowMs());
    res.json(calendar.days(from, to).map(dayJson));
  });

  router.put('/calendar/days/:date', requireRole('admin'), async (req, res) => {
    const input = parseInput(calendarDaySchema, { ...(req.body ?? {}), date: req.params.date });
    const { entry, written } = await saveCalendarDay(ctx, services, input, req.user!.username);
    await audit(ctx, req, 'calendar_day_saved', entry.date, {
      kind: entry.kind,
      name: entry.name,
      source: entry.source,
      via: 'api',
      ...(written.provisionalBase.length ? { provisionalBase: written.provisionalBase } : {}),
    });
    const [day] = (await services.calendars.get(nowMs())).days(entry.date, entry.date);
    res.json({ ...entry, working: day.working, provisional: day.provisional });
  });

  router.delete('/calendar/days/:date', requireRole('admin'), async (req, res) => {
    const { date } = parseInput(z.object({ date: isoDate('Ngày') }), { date: req.params.date });
    if (!(await removeCalendarDay(ctx, services, date))) {
      throw new NotFoundError(`Lịch không có dòng nào cho ngày ${date}.`);
    }
    await audit(ctx, req, 'calendar_day_deleted', date, { via: 'api' });
    res.status(204).end();
  });

  router.get('/calendar/due', requireUser, async (req, res) => {
    const q = parseInput(dueSchema, req.query);
    const duration = q.days !== undefined ? { value: q.days, unit: 'working_days' as const } : { value: q.hours!, unit: 'working_hours' as const };
    const due = computeDue(await services.calendars.get(nowMs()), q.start, duration);
    res.json({
      start: isoLocal(q.start),
      startAt: isoLocal(due.startAt),
      dueAt: isoLocal(due.dueAt),
      minutes: due.minutes,
      duration,
      trace: traceToJson(due.trace),
    });
  });

  return router;
}

/** The rows of the calendar table for one year (the official schedule, when one is loaded). */
export async function officialEntries(ctx: AppContext, year: number): Promise<CalendarEntry[]> {
  return (await loadEntries(ctx.db)).filter((e) => e.date.startsWith(`${year}-`));
}

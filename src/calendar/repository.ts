import type { Knex } from 'knex';
import { provisionalDaysOff, type CalendarEntry, type DayKind } from './holidays';
import { WorkCalendar, type WorkingPeriod } from './working-time';

export async function loadEntries(db: Knex): Promise<CalendarEntry[]> {
  const rows = await db('calendar_days').select('date', 'kind', 'name', 'source').orderBy('date');
  return rows.map((r) => ({ date: r.date, kind: r.kind as DayKind, name: r.name, source: r.source ?? '' }));
}

export interface DaysWritten {
  /** the years the days fall in */
  years: number[];
  /** years that had no row, whose provisional days were written first as the base of their schedule */
  provisionalBase: number[];
  /** rows of replaced years removed before the new ones were written */
  removed: number;
  written: number;
}

/**
 * Writes days into the calendar in `trx`. A year with a row of its own is an official year, no longer computed from the
 * Labour Code (WorkCalendar): so the first day written into a year that has none brings that year's provisional days
 * with it (its holidays, its compensatory days), and a day announced alone (Tết, months before the rest of the year's
 * schedule) does not take 30/4, 1/5 and 2/9 off the calendar. With `replaceYears`, the days are each of their years'
 * whole schedule: what those years held is removed first.
 */
export async function writeDays(
  trx: Knex.Transaction,
  entries: CalendarEntry[],
  opts: { by: string | null; now: Date; replaceYears?: boolean },
): Promise<DaysWritten> {
  const years = [...new Set(entries.map((e) => Number(e.date.slice(0, 4))))].sort((a, b) => a - b);
  const stamp = { updated_at: opts.now.toISOString(), updated_by: opts.by };
  const result: DaysWritten = { years, provisionalBase: [], removed: 0, written: 0 };
  for (const year of years) {
    const inYear = trx('calendar_days').where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`);
    if (opts.replaceYears) {
      result.removed += await inYear.delete();
    } else if ((await inYear.first('date')) === undefined) {
      // Another admin may be writing into the same provisional year at this instant (PostgreSQL's read committed saw
      // no row in either transaction, and the second insert of the base failed with a 500): its base is the same.
      const base = provisionalDaysOff(year).map((e) => ({ ...e, ...stamp }));
      if (base.length) await trx('calendar_days').insert(base).onConflict('date').ignore();
      result.provisionalBase.push(year);
    }
  }
  for (let i = 0; i < entries.length; i += 100) {
    const rows = entries.slice(i, i + 100).map((e) => ({ ...e, ...stamp }));
    await trx('calendar_days').insert(rows).onConflict('date').merge();
    result.written += rows.length;
  }
  return result;
}

export async function deleteDay(db: Knex, date: string): Promise<number> {
  return db('calendar_days').where({ date }).delete();
}

/**
 * Keeps one WorkCalendar built from the table; a change made through this process invalidates it at once,
 * a change from another process is seen within the refresh interval.
 */
export class CalendarService {
  private cached: { calendar: WorkCalendar; loadedAt: number } | null = null;

  constructor(
    private readonly db: Knex,
    private readonly periods: WorkingPeriod[],
    private readonly refreshMs = 60_000,
  ) {}

  async get(nowMs: number): Promise<WorkCalendar> {
    if (this.cached && nowMs - this.cached.loadedAt < this.refreshMs) return this.cached.calendar;
    const calendar = new WorkCalendar({ entries: await loadEntries(this.db), periods: this.periods });
    this.cached = { calendar, loadedAt: nowMs };
    return calendar;
  }

  invalidate(): void {
    this.cached = null;
  }
}

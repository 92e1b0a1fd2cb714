import type { Knex } from 'knex';
import type { CalendarEntry, DayKind } from './holidays';
import { WorkCalendar, type WorkingPeriod } from './working-time';

export async function loadEntries(db: Knex): Promise<CalendarEntry[]> {
  const rows = await db('calendar_days').select('date', 'kind', 'name', 'source').orderBy('date');
  return rows.map((r) => ({ date: r.date, kind: r.kind as DayKind, name: r.name, source: r.source ?? '' }));
}

export async function putDay(db: Knex, entry: CalendarEntry, by: string | null, now: Date): Promise<void> {
  await db('calendar_days')
    .insert({ ...entry, updated_at: now.toISOString(), updated_by: by })
    .onConflict('date')
    .merge();
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

import type { Knex } from 'knex';
import type { WorkingPeriod } from '../src/calendar/working-time';
import { seedCalendar } from './calendar';
import { seedCatalog } from './catalog';
import { seedDemo, type DemoUser } from './demo';

export type { DemoUser } from './demo';

export interface SeedOptions {
  /** Also create the demo users and dossiers. */
  demo: boolean;
  now: Date;
  periods?: WorkingPeriod[];
}

async function isEmpty(db: Knex, table: string): Promise<boolean> {
  return !(await db(table).first());
}

/**
 * What the server runs at start: the catalog and the calendar go into a database without agencies
 * (`seeded` tells whether that happened), the demo data into one without users.
 * `demoUsers` lists the demo accounts created now, with their passwords, to print; empty otherwise.
 */
export async function seedIfEmpty(db: Knex, opts: SeedOptions): Promise<{ seeded: boolean; demoUsers: DemoUser[] }> {
  const seeded = await isEmpty(db, 'agencies');
  if (seeded) {
    await seedCatalog(db);
    await seedCalendar(db, opts.now);
  }
  let demoUsers: DemoUser[] = [];
  if (opts.demo && (await isEmpty(db, 'users'))) {
    demoUsers = (await seedDemo(db, { now: opts.now, periods: opts.periods })).users;
  }
  return { seeded, demoUsers };
}

/**
 * The CLI `seed` command: adds the shipped catalog's rows that are missing and the announced days off of years
 * without any, changing nothing an admin may have edited, and with `demo` creates the demo data unless the user
 * `admin` exists. Safe to repeat.
 */
export async function seedAll(db: Knex, opts: SeedOptions): Promise<{ demoUsers: DemoUser[]; added: { agencies: number; fields: number; procedures: number; days: number } }> {
  const catalog = await seedCatalog(db);
  const calendar = await seedCalendar(db, opts.now);
  const demoUsers = opts.demo ? (await seedDemo(db, { now: opts.now, periods: opts.periods })).users : [];
  return { demoUsers, added: { ...catalog, days: calendar.inserted } };
}

// report_month_ends: the finished dossiers that were pending at a local month start, one row per dossier and month
// start, with what the settlement report counts of them there (field, agency handling it then, receiving desk,
// receipt, channel, overdue or not). A report ending at a month start — a month, a quarter, a year — counts the
// dossiers finished at or after its end from these rows instead of reading each one and evaluating the conditions of
// definitions.ts: for December 2025 on the bench's data, 11,600 dossiers, whose statement alone took 23 ms on SQLite.
//
// The rows are written by triggers whoever writes (service, imports, seeds, a tool): a change to a finished dossier,
// or to any state interval of one, writes that dossier's rows again from scratch, so they never drift. The values
// come from the very expressions the report uses (definitions.ts stateAtEnd), with the month start in place of the
// report's end. Changing those expressions needs a migration that recreates the triggers and rows.
import type { Knex } from 'knex';
import { isSqlite } from '../db/dialect';
import { stateAtEnd, type Sql } from './definitions';

/** The months report_month_starts holds; a report ending at another month start reads its dossiers one by one. */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2199;

/** The instant a local (UTC+7) month `YYYY-MM` begins, as the report's ISO strings. */
export function monthStartInstant(month: string): string {
  return new Date(`${month}-01T00:00:00+07:00`).toISOString();
}

/** The local (UTC+7) month `YYYY-MM` an instant falls in. */
export const localMonthOf = (instant: string): string => new Date(Date.parse(instant) + 7 * 3600_000).toISOString().slice(0, 7);

/** Whether `instant` is a local month start report_month_ends covers. */
export function isCoveredMonthStart(instant: string): boolean {
  const month = localMonthOf(instant);
  const year = Number(month.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR && monthStartInstant(month) === instant;
}

/** Every month report_month_starts holds, with its start. */
export function monthStartRows(): { month: string; start: string }[] {
  const rows: { month: string; start: string }[] = [];
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    for (let m = 1; m <= 12; m++) {
      const month = `${y}-${String(m).padStart(2, '0')}`;
      rows.push({ month, start: monthStartInstant(month) });
    }
  }
  return rows;
}

const MONTH_END_COLUMNS = ['dossier_id', 'month_start', 'field_code', 'agency_code', 'received_agency_code', 'received_at', 'online', 'overdue'] as const;

/** SQL text with its bound values written in: trigger bodies take no bindings, and these are fixed words. */
function inline(x: Sql): string {
  let i = 0;
  const text = x.sql.replace(/\?/g, () => {
    const v = x.bindings[i++];
    if (typeof v !== 'string' || !/^[a-z_]+$/.test(v)) throw new Error(`not a fixed word: ${String(v)}`);
    return `'${v}'`;
  });
  if (i !== x.bindings.length) throw new Error('bindings left over');
  return text;
}

/** Writes the rows of the finished dossiers `where` selects (on `dossiers d`). */
function insertRows(where: string): string {
  const atStart = stateAtEnd({ sql: 'm.start', bindings: [] });
  return (
    `INSERT INTO report_month_ends (${MONTH_END_COLUMNS.join(', ')}) ` +
    `SELECT d.id, m.start, d.field_code, ${inline(atStart.agency)}, d.received_agency_code, d.received_at, ` +
    `CASE WHEN d.channel = 'online' THEN 1 ELSE 0 END, CASE WHEN ${inline(atStart.overdue)} THEN 1 ELSE 0 END ` +
    // Pending at the month start m: received before it, finished at or after it (definitions.ts `pending`).
    `FROM dossiers d JOIN report_month_starts m ON m.start > d.received_at AND m.start <= d.finished_at WHERE ${where} ` +
    // Two transactions writing one dossier's intervals at once on PostgreSQL (the service holds the dossier's row
    // first; a tool might not): the later one's delete does not see the rows the earlier one committed meanwhile.
    `ON CONFLICT (dossier_id, month_start) DO UPDATE SET ${MONTH_END_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`
  );
}

/** The columns of a dossier row the rows depend on (with its state intervals). */
const SOURCE_COLUMNS = ['id', 'received_at', 'finished_at', 'field_code', 'agency_code', 'received_agency_code', 'channel', 'status', 'due_at', 'state_from', 'pre_finish_from'];

/** The triggers that keep report_month_ends, and the statement that fills it for the dossiers already there. */
export function monthEndsSql(db: Knex): { triggers: string[]; backfill: string } {
  const backfill = insertRows('d.finished_at IS NOT NULL');
  const clear = (id: string) => `DELETE FROM report_month_ends WHERE dossier_id = ${id}`;
  const finished = (id: string) => `(SELECT finished_at FROM dossiers WHERE id = ${id}) IS NOT NULL`;
  if (isSqlite(db)) {
    const refresh = (id: string, only = 'TRUE') => `${clear(id)} AND ${only}; ${insertRows(`d.id = ${id} AND ${only}`)};`;
    return {
      backfill,
      triggers: [
        `CREATE TRIGGER dossiers_month_ends_inserted AFTER INSERT ON dossiers WHEN NEW.finished_at IS NOT NULL BEGIN ${refresh('NEW.id')} END`,
        `CREATE TRIGGER dossiers_month_ends_updated AFTER UPDATE OF ${SOURCE_COLUMNS.join(', ')} ON dossiers ` +
          `WHEN OLD.finished_at IS NOT NULL OR NEW.finished_at IS NOT NULL BEGIN ${clear('OLD.id')}; ${refresh('NEW.id')} END`,
        `CREATE TRIGGER dossiers_month_ends_deleted AFTER DELETE ON dossiers WHEN OLD.finished_at IS NOT NULL BEGIN ${clear('OLD.id')}; END`,
        // Rows exist only for finished dossiers (the dossier triggers clear them when a finish is undone).
        `CREATE TRIGGER dossier_states_month_ends_inserted AFTER INSERT ON dossier_states WHEN ${finished('NEW.dossier_id')} ` +
          `BEGIN ${refresh('NEW.dossier_id')} END`,
        `CREATE TRIGGER dossier_states_month_ends_updated AFTER UPDATE ON dossier_states ` +
          `WHEN ${finished('OLD.dossier_id')} OR ${finished('NEW.dossier_id')} ` +
          `BEGIN ${refresh('OLD.dossier_id')} ${refresh('NEW.dossier_id', 'NEW.dossier_id <> OLD.dossier_id')} END`,
        `CREATE TRIGGER dossier_states_month_ends_deleted AFTER DELETE ON dossier_states WHEN ${finished('OLD.dossier_id')} ` +
          `BEGIN ${refresh('OLD.dossier_id')} END`,
      ],
    };
  }
  // An import puts the triggers' work off (deferMonthEnds) and writes the rows of all its dossiers at the end.
  const deferred = `current_setting('${DEFERRED}', true) = 'on'`;
  return {
    backfill,
    triggers: [
      `CREATE OR REPLACE FUNCTION report_month_ends_refresh(dossiers integer[]) RETURNS void LANGUAGE plpgsql AS $$ BEGIN
         ${clear('ANY(dossiers)')};
         ${insertRows('d.id = ANY(dossiers)')};
       END $$`,
      `CREATE OR REPLACE FUNCTION dossiers_month_ends_track() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF ${deferred} THEN RETURN NULL; END IF;
         IF TG_OP <> 'INSERT' AND OLD.finished_at IS NOT NULL THEN ${clear('OLD.id')}; END IF;
         IF TG_OP <> 'DELETE' AND NEW.finished_at IS NOT NULL THEN PERFORM report_month_ends_refresh(ARRAY[NEW.id]); END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER dossiers_month_ends_inserted AFTER INSERT ON dossiers FOR EACH ROW WHEN (NEW.finished_at IS NOT NULL) ` +
        `EXECUTE FUNCTION dossiers_month_ends_track()`,
      `CREATE TRIGGER dossiers_month_ends_updated AFTER UPDATE OF ${SOURCE_COLUMNS.join(', ')} ON dossiers FOR EACH ROW ` +
        `WHEN (OLD.finished_at IS NOT NULL OR NEW.finished_at IS NOT NULL) EXECUTE FUNCTION dossiers_month_ends_track()`,
      `CREATE TRIGGER dossiers_month_ends_deleted AFTER DELETE ON dossiers FOR EACH ROW WHEN (OLD.finished_at IS NOT NULL) ` +
        `EXECUTE FUNCTION dossiers_month_ends_track()`,
      // Rows exist only for finished dossiers (the dossier triggers clear them when a finish is undone).
      `CREATE OR REPLACE FUNCTION dossier_states_month_ends_track() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF ${deferred} THEN RETURN NULL; END IF;
         IF TG_OP <> 'INSERT' AND ${finished('OLD.dossier_id')} THEN PERFORM report_month_ends_refresh(ARRAY[OLD.dossier_id]); END IF;
         IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.dossier_id <> OLD.dossier_id) AND ${finished('NEW.dossier_id')} THEN
           PERFORM report_month_ends_refresh(ARRAY[NEW.dossier_id]);
         END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER dossier_states_month_ends AFTER INSERT OR UPDATE OR DELETE ON dossier_states FOR EACH ROW ` +
        `EXECUTE FUNCTION dossier_states_month_ends_track()`,
    ],
  };
}

/** The PostgreSQL setting, local to a transaction, under which the triggers leave report_month_ends alone. */
const DEFERRED = 'onestop.month_ends_deferred';

/**
 * Puts the triggers' work on report_month_ends off for the rest of the transaction, on PostgreSQL: an import writes
 * each finished dossier's row and then its intervals, and the triggers would write the dossier's rows three or four
 * times, each in about 0.4 ms (20,000 updates of finished dossiers one by one: 7.9 s, against 0.9 s put off).
 * `refreshMonthEnds` must then write the rows of every dossier written meanwhile, before the commit. On SQLite the
 * triggers go on: an import of 100,000 rows took as long as before the table (25–26 s against 26–27 s).
 */
export async function deferMonthEnds(trx: Knex.Transaction): Promise<void> {
  if (!isSqlite(trx)) await trx.raw(`SELECT set_config('${DEFERRED}', 'on', true)`);
}

/** Writes the rows of these dossiers at once and lets the triggers work again (see deferMonthEnds). */
export async function refreshMonthEnds(trx: Knex.Transaction, dossierIds: readonly number[]): Promise<void> {
  if (isSqlite(trx)) return;
  await trx.raw(`SELECT set_config('${DEFERRED}', 'off', true)`);
  await trx.raw('SELECT report_month_ends_refresh(?::integer[])', [dossierIds as number[]]);
}

export function dropMonthEndsSql(db: Knex): string[] {
  if (isSqlite(db)) {
    return [
      ...['inserted', 'updated', 'deleted'].map((w) => `DROP TRIGGER IF EXISTS dossiers_month_ends_${w}`),
      ...['inserted', 'updated', 'deleted'].map((w) => `DROP TRIGGER IF EXISTS dossier_states_month_ends_${w}`),
    ];
  }
  return [
    ...['inserted', 'updated', 'deleted'].map((w) => `DROP TRIGGER IF EXISTS dossiers_month_ends_${w} ON dossiers`),
    'DROP TRIGGER IF EXISTS dossier_states_month_ends ON dossier_states',
    'DROP FUNCTION IF EXISTS dossier_states_month_ends_track()',
    'DROP FUNCTION IF EXISTS dossiers_month_ends_track()',
    'DROP FUNCTION IF EXISTS report_month_ends_refresh(integer[])',
  ];
}

import type { Knex } from 'knex';

// A dossier stopped (awaiting a supplement, paused) after its deadline had passed with no working minute since (due
// Friday 17:00, paused on Saturday) kept 0 minutes left, read as "not late": it left the late lists and the letter
// sweep while it waited, and a restart procedure gave it a whole new duration on the supplement. The clock now keeps
// one minute late for such a stop (src/dossiers/lifecycle.ts, minutesLeft); this marks the dossiers already stopped
// that way, judged by the instant of their last stop. The events keep what was recorded then.
export async function up(db: Knex): Promise<void> {
  const lastStop = db('dossier_events as e')
    .max('e.at')
    .whereRaw('e.dossier_id = dossiers.id')
    .whereIn('e.type', ['request_supplement', 'pause']);
  await db('dossiers')
    .whereIn('status', ['awaiting_supplement', 'paused'])
    .where('remaining_minutes', 0)
    .where('due_at', '<', lastStop)
    .update({ remaining_minutes: -1 });
}

export async function down(): Promise<void> {
  // -1 and 0 both say the deadline was used up when the clock stopped; the later code reads -1 as late.
}

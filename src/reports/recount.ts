// The settlement report counted the plain way, dossier by dossier, straight from the words of SPEC §6.
// PURE. It exists to check the SQL (tests compare both over random histories); the app never uses it.
import { localDate } from '../shared/format';
import type { AgencyBasis } from './definitions';
import { emptyCounts, type Counts } from './settlement';

export interface HistoryState {
  validFrom: string;
  validTo: string | null;
  dueAt: string;
  clockRunning: boolean;
  agencyCode: string;
}

/** One dossier's history, all instants UTC ISO. */
export interface DossierHistory {
  fieldCode: string;
  channel: 'online' | 'in_person' | 'postal';
  receivedAgencyCode: string;
  receivedAt: string;
  /** the instant of resolve or withdraw */
  finishedAt: string | null;
  withdrawn: boolean;
  /** the deadline in force when it finished (or now) */
  dueAt: string;
  /** the state intervals in order */
  states: HistoryState[];
}

/** The state in force just before `at` (intervals are [validFrom, validTo)). */
export function stateAt(h: DossierHistory, at: string): HistoryState | undefined {
  let found: HistoryState | undefined;
  for (const s of h.states) if (s.validFrom < at && (s.validTo === null || s.validTo >= at)) found = s;
  return found;
}

/** Which column of each group a dossier falls in for the window, or null when the report does not count it. */
export function classify(h: DossierHistory, w: { start: string; end: string }) {
  const { start, end } = w;
  const finished = (before: string) => h.finishedAt !== null && h.finishedAt < before;
  if (!(h.receivedAt < end) || finished(start)) return null;
  const received = h.receivedAt < start ? 'carriedOver' : h.channel === 'online' ? 'online' : 'inPersonOrPostal';
  if (finished(end)) {
    const f = h.finishedAt!;
    let resolved: 'early' | 'onTime' | 'late';
    if (h.withdrawn) resolved = 'onTime'; // a withdrawal is never early nor late
    else if (f > h.dueAt) resolved = 'late';
    else if (localDate(f) < localDate(h.dueAt)) resolved = 'early';
    else resolved = 'onTime';
    return { received, resolved, pending: null, state: stateAt(h, end) } as const;
  }
  const s = stateAt(h, end);
  const pending = s && s.clockRunning && s.dueAt < end ? 'overdue' : 'withinDeadline';
  return { received, resolved: null, pending, state: s } as const;
}

/** The agency a dossier counts for under a basis (see AGENCY_BASES). */
export function agencyOf(h: DossierHistory, w: { end: string }, basis: AgencyBasis): string {
  if (basis === 'receiving') return h.receivedAgencyCode;
  if (h.finishedAt !== null && h.finishedAt < w.end) {
    // the state the finish opened (a dossier can be received and resolved in the same instant)
    return h.states.filter((s) => s.validFrom <= h.finishedAt!).at(-1)?.agencyCode ?? '';
  }
  return stateAt(h, w.end)?.agencyCode ?? '';
}

export interface Recount {
  byField: Map<string, Counts>;
  byAgency: Map<string, Counts>;
  total: Counts;
}

export function recountSettlement(
  histories: DossierHistory[],
  w: { start: string; end: string },
  opts: { basis: AgencyBasis; agencyCode?: string | null } = { basis: 'handling' },
): Recount {
  const result: Recount = { byField: new Map(), byAgency: new Map(), total: emptyCounts() };
  for (const h of histories) {
    const c = classify(h, w);
    if (!c) continue;
    const agency = agencyOf(h, w, opts.basis);
    if (opts.agencyCode && agency !== opts.agencyCode) continue;
    if (!result.byField.has(h.fieldCode)) result.byField.set(h.fieldCode, emptyCounts());
    if (!result.byAgency.has(agency)) result.byAgency.set(agency, emptyCounts());
    for (const counts of [result.byField.get(h.fieldCode)!, result.byAgency.get(agency)!, result.total]) {
      counts.received[c.received]++;
      counts.received.total++;
      if (c.resolved) {
        counts.resolved[c.resolved]++;
        counts.resolved.total++;
      } else {
        counts.pending[c.pending]++;
        counts.pending.total++;
      }
    }
  }
  return result;
}

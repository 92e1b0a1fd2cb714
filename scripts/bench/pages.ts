// The desk's other pages at the data set's size: one request at a time, as a head opens them, for three desks of
// very different sizes. The load measurements cover two pages; these are the ones a desk opens a few times a day,
// where a page that reads every dossier shows as seconds, not as a lower throughput.
import type { Knex } from 'knex';
import { basisOfDesk, type AgencyBasis } from '../../src/reports/definitions';
import { withoutMarks } from '../../src/shared/marks';

export interface Desk {
  label: string;
  agencyCode: string;
  agencyName: string;
  /** Dossiers the desk received or handles. */
  dossiers: number;
  username: string;
  /** The agency basis its head's report and the report's links use (the public service centre: the desk received). */
  basis: AgencyBasis;
}

export interface PageTiming {
  label: string;
  /** Per desk, in the order of the desks: median and max of the runs (ms), and the answer's status. */
  byDesk: { medianMs: number; maxMs: number; status: number }[];
}

export const PAGE_RUNS = 3;

/** The name the intake measurement gives its applicants, followed by a number. */
export const BENCH_APPLICANT = 'Người nộp thử tải';

/**
 * The i-th intake the bench sends (POST /api/v1/dossiers): an applicant with a 12-digit CCCD of Cần Thơ (092) and a
 * mobile number. It must pass the API's checks: an 11-digit number, sent until the intake refused such numbers,
 * made every intake of a run a 422, counted as dossiers per second.
 */
export function intakeBody(i: number, procedureCode: string) {
  return {
    procedureCode,
    channel: i % 2 ? 'online' : 'in_person',
    applicant: { name: `${BENCH_APPLICANT} ${i}`, idNumber: `092085${String(i % 1_000_000).padStart(6, '0')}`, phone: '0901234567' },
  };
}

/**
 * The desks: the public service centre (`centreCode`, as the bench chose it; it receives most dossiers), the
 * department that handles most, and the commune that handles most of the communes. A head for each, created (or
 * updated) with the given password hash.
 */
export async function prepareDesks(db: Knex, centreCode: string, passwordHash: string, now: Date): Promise<Desk[]> {
  const busiest = async (level: string) =>
    (await db('dossiers as d')
      .join('agencies as a', 'a.code', 'd.agency_code')
      .where('a.level', level)
      .whereNot('a.code', centreCode)
      .groupBy('d.agency_code')
      .orderBy([{ column: 'n', order: 'desc' }, { column: 'd.agency_code' }])
      .first('d.agency_code as code', db.raw('count(*) as n'))) as { code: string } | undefined;
  const picks: [string, string | undefined][] = [
    ['the public service centre', centreCode],
    ['the busiest department', (await busiest('province'))?.code],
    ['the busiest commune', (await busiest('commune'))?.code],
  ];
  const desks: Desk[] = [];
  for (const [label, code] of picks) {
    if (!code) continue;
    const agency = await db('agencies').where({ code }).first();
    const username = `bench.head.${desks.length + 1}`;
    const existing = await db('users').where({ username }).first();
    const row = { full_name: `Lãnh đạo thử tải ${desks.length + 1}`, role: 'head', agency_code: code, password_hash: passwordHash, active: true };
    if (existing) await db('users').where({ id: existing.id }).update(row);
    else await db('users').insert({ ...row, username, created_at: now.toISOString() });
    const [{ n }] = await db('dossiers').where('agency_code', code).orWhere('received_agency_code', code).count({ n: '*' });
    desks.push({ label, agencyCode: code, agencyName: agency.name, dossiers: Number(n), username, basis: basisOfDesk(agency) });
  }
  return desks;
}

/** A page the bench opens; `lands`: it answers with a redirect, followed, to exactly this path. */
export interface BenchPage {
  label: string;
  path: string;
  lands?: string;
}

/** The pages, with what they search for taken from the desk's own dossiers (its newest one). */
export async function pagesOf(db: Knex, desk: Desk, month: { from: string; to: string }, year: { from: string; to: string }): Promise<BenchPage[]> {
  // Among the generated dossiers: the intake measurement adds its own (one name each, "Người nộp thử tải …"), and a
  // PostgreSQL data set keeps them from run to run, which made its searches those of a unique name.
  const newest = await db('dossiers')
    .where((w) => w.where('received_agency_code', desk.agencyCode).orWhere('agency_code', desk.agencyCode))
    .whereNot('applicant_name', 'like', `${BENCH_APPLICANT} %`)
    .orderBy('id', 'desc')
    .first('code', 'applicant_name');
  const enc = encodeURIComponent;
  const givenName = String(newest?.applicant_name ?? 'An').split(' ').pop()!;
  const cell = (column: string, p: { from: string; to: string }) => `/ho-so?report=${column}&from=${p.from}&to=${p.to}&agencyBasis=${desk.basis}`;
  return [
    { label: 'start page `/`', path: '/' },
    { label: "the desk's dossiers `/ho-so`", path: '/ho-so' },
    { label: "the desk's dossiers by deadline `/ho-so?sort=due`", path: '/ho-so?sort=due' },
    { label: 'open dossiers `/ho-so?status=open`', path: '/ho-so?status=open' },
    { label: 'dossiers due last month `dueFrom`, `dueTo`', path: `/ho-so?dueFrom=${month.from}&dueTo=${month.to}` },
    { label: 'late dossiers, running or finished `/ho-so?late=1`', path: '/ho-so?late=1' },
    { label: 'search a whole dossier code', path: `/ho-so?q=${enc(newest?.code ?? '000')}` },
    // The header's quick search with the same code: the redirect to the dossier and its page.
    { label: "the header's quick search of that code (opens the dossier)", path: `/ho-so?go=1&q=${enc(newest?.code ?? '000')}`, lands: `/ho-so/${enc(newest?.code ?? '000')}` },
    { label: "search an applicant's full name", path: `/ho-so?q=${enc(newest?.applicant_name ?? 'Nguyễn')}` },
    { label: "search a given name (the newest applicant's last word)", path: `/ho-so?q=${enc(givenName)}` },
    // Typed without marks it also matches the names marked otherwise ("Hân" and "Hàn" for "han").
    { label: 'search that full name typed without marks', path: `/ho-so?q=${enc(withoutMarks(newest?.applicant_name ?? 'Nguyễn'))}` },
    { label: 'search that given name typed without marks', path: `/ho-so?q=${enc(withoutMarks(givenName))}` },
    // Shorter than a trigram, no index serves them (repository.ts cappedSearch): the best case and the worst.
    { label: 'search two letters most names hold (`an`)', path: '/ho-so?q=an' },
    { label: 'search two letters no dossier holds (`zq`)', path: '/ho-so?q=zq' },
    { label: "the head's watch `/theo-doi`", path: '/theo-doi' },
    { label: 'apology letter queue `/thu-xin-loi`', path: '/thu-xin-loi' },
    { label: 'dossiers without an issued letter `/ho-so?letter=not_issued`', path: '/ho-so?letter=not_issued' },
    { label: 'monthly report page, last month', path: `/bao-cao?from=${month.from}&to=${month.to}` },
    // A report number's list, as the report page links it for this desk's head (its agency basis).
    { label: "a year's late dossiers (report drill-down)", path: cell('resolved.late', year) },
    { label: "a year's resolved on time (report drill-down)", path: cell('resolved.onTime', year) },
    { label: "a year's received (report drill-down)", path: cell('received.total', year) },
    { label: "last month's received (report drill-down)", path: cell('received.total', month) },
    { label: "last month's resolved on time (report drill-down)", path: cell('resolved.onTime', month) },
    { label: "last month's pending past the deadline (report drill-down)", path: cell('pending.overdue', month) },
    // The register the desk prints (Sổ theo dõi hồ sơ): a day's, and a report month's (over 3,000 lines it asks for
    // fewer days instead).
    { label: "the desk's register of a day (the month's last day)", path: `/ho-so/so-theo-doi?from=${month.to}&to=${month.to}` },
    { label: "the desk's register of last month's days", path: `/ho-so/so-theo-doi?from=${month.from}&to=${month.to}` },
  ];
}

/** Each page PAGE_RUNS times for each desk, one request at a time, after one unmeasured request. */
export async function measurePages(port: number, desks: Desk[], sessions: string[], pages: BenchPage[][]): Promise<PageTiming[]> {
  const timings: PageTiming[] = pages[0].map((p) => ({ label: p.label, byDesk: [] }));
  for (let k = 0; k < desks.length; k++) {
    for (const [i, page] of pages[k].entries()) {
      const get = async () => {
        const started = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}${page.path}`, { headers: { cookie: sessions[k] }, redirect: page.lands ? 'follow' : 'manual' });
        await res.arrayBuffer();
        // A redirect elsewhere (to the login page, say) would time the wrong page.
        if (page.lands && new URL(res.url).pathname !== page.lands) throw new Error(`${page.label}: landed on ${res.url}`);
        return { ms: performance.now() - started, status: res.status };
      };
      await get();
      const runs = [];
      for (let r = 0; r < PAGE_RUNS; r++) runs.push(await get());
      const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
      timings[i].byDesk.push({ medianMs: sorted[sorted.length >> 1], maxMs: sorted[sorted.length - 1], status: runs.find((r) => r.status !== 200)?.status ?? 200 });
    }
  }
  return timings;
}

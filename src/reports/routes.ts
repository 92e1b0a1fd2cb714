import { Router, type Request } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireUser } from '../auth/guard';
import type { User } from '../auth/users';
import { getAgency, listAgencies } from '../catalog/repository';
import { ForbiddenError, ValidationError } from '../shared/errors';
import { dateParts, isoLocal, localDate } from '../shared/format';
import { z, firstValue, optionalText } from '../shared/validation';
import { parseInput } from '../shared/http';
import { AGENCY_BASES, AGENCY_BASIS_NAMES, basisOfDesk, COLUMN_INFO, type AgencyBasis, type ReportColumn } from './definitions';
import { PERIOD_KIND_NAMES, PERIOD_KINDS, describePeriod, monthPeriod, periodHeading, reportingMonthOf, resolvePeriod, type Period } from './period';
import { settlementReport, toSettlementJson, cellValue, type SettlementReport } from './settlement';
import { FORM_CODE, FORM_COLUMN_ORDER, REPORT_TITLE, UNIT_LINE, headerCells, reportSheet, toCsv, toXlsx } from './export';
import { onTimeChart, percent } from './chart';

// A key given twice counts once, its first value, as in the dossier list (a second from= was called missing).
const settlementQuerySchema = z.object({
  from: firstValue(z.string({ error: 'Thiếu ngày bắt đầu (from=YYYY-MM-DD).' })),
  to: firstValue(z.string({ error: 'Thiếu ngày kết thúc (to=YYYY-MM-DD).' })),
  agencyCode: firstValue(optionalText(64)),
  // Left out: as the report's desk counts its own (basisOfDesk), the same default as the page's.
  agencyBasis: firstValue(z.enum(AGENCY_BASES, { error: 'agencyBasis phải là "handling" hoặc "receiving".' }).optional()),
});

/**
 * The agency a user's report covers: an admin any one or all (null); a clerk or a head only their own,
 * which is also their default.
 */
export function reportAgencyFor(user: User, requested: string | undefined): string | null {
  if (user.role === 'admin') return requested ?? null;
  const own = user.agencyCode ?? '__none__';
  if (requested && requested !== own) throw new ForbiddenError('Bạn chỉ xem được báo cáo của cơ quan mình.');
  return own;
}

export async function buildReport(
  ctx: AppContext,
  user: User,
  input: { from: string; to: string; agencyCode?: string; agencyBasis?: AgencyBasis },
): Promise<SettlementReport> {
  const agencyCode = reportAgencyFor(user, input.agencyCode);
  const agency = agencyCode ? await getAgency(ctx.db, agencyCode) : null;
  if (agencyCode && user.role === 'admin' && !agency) {
    throw new ValidationError({ agencyCode: `Không có cơ quan mã ${agencyCode}.` });
  }
  const basis = input.agencyBasis ?? basisOfDesk(agency);
  return settlementReport(ctx.db, { from: input.from, to: input.to, agencyCode, basis, now: ctx.clock.now() });
}


/** The list of the dossiers behind one number. */
export function cellUrl(r: SettlementReport, column: ReportColumn, where: { fieldCode?: string; agencyCode?: string }): string {
  const params = new URLSearchParams({ report: column, from: r.window.from, to: r.window.to, agencyBasis: r.basis });
  if (where.fieldCode) params.set('fieldCode', where.fieldCode);
  const agency = where.agencyCode ?? r.agency?.code;
  if (agency) params.set('agencyCode', agency);
  // An agency's row of the whole city's report: its list leads back to the whole city's, not to that agency's alone.
  if (agency && !r.agency) params.set('reportScope', 'all');
  return `/ho-so?${params}`;
}

/** from/to/agency/basis of a report, for export and print links */
function reportParams(r: SettlementReport): string {
  const params = new URLSearchParams({ from: r.window.from, to: r.window.to });
  if (r.agency) params.set('agencyCode', r.agency.code);
  params.set('agencyBasis', r.basis);
  return params.toString();
}

/** The reporting unit printed on the form: the agency, or for the whole city its office (Văn phòng UBND). */
async function issuer(ctx: AppContext, r: SettlementReport) {
  const agencies = await listAgencies(ctx.db);
  const byCode = new Map(agencies.map((a) => [a.code, a]));
  const own = r.agency ? byCode.get(r.agency.code) : (agencies.find((a) => a.kind === 'office') ?? agencies.find((a) => !a.parentCode));
  const parent = own?.parentCode ? byCode.get(own.parentCode) : null;
  return {
    parentName: parent?.name ?? `Ủy ban nhân dân ${ctx.config.placeName}`,
    issuerName: own?.name ?? 'Bộ phận tiếp nhận và trả kết quả',
  };
}

function exportName(r: SettlementReport, ext: string): string {
  const agency = r.agency ? `_${r.agency.code}` : '';
  return `bao-cao-II06a_${r.window.from}_${r.window.to}${agency}.${ext}`;
}

/** The picker showing a period. */
function pickOf(period: Period) {
  const [y, m] = [Number(period.to.slice(0, 4)), Number(period.to.slice(5, 7))];
  return { kind: period.kind, year: period.year ?? y, month: period.month ?? m, quarter: period.quarter ?? Math.ceil(m / 3), from: period.from, to: period.to };
}

/** The picker as it was sent, when the period it asked for was refused (a reversed range keeps its two days). */
function pickAsTyped(q: Record<string, string | undefined>, shown: Period) {
  const pick = pickOf(shown);
  const int = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  // A year of up to six digits is a date the browser's picker holds (20266-11-01): kept, so it can be mended.
  const day = (v: string | undefined) => (v && /^\d{4,6}-\d{2}-\d{2}$/.test(v) ? v : '');
  return {
    kind: (PERIOD_KINDS as readonly string[]).includes(q.period ?? '') ? (q.period as Period['kind']) : pick.kind,
    year: int(q.year) ?? pick.year,
    month: int(q.month) ?? pick.month,
    quarter: int(q.quarter) ?? pick.quarter,
    from: q.period === 'range' ? day(q.from) : pick.from,
    to: q.period === 'range' ? day(q.to) : pick.to,
  };
}

/**
 * The years the picker offers: this year and six before; from 15 December also the next, whose reporting periods
 * (Kỳ báo cáo tháng 01, năm) start then. Before, a next year that had not started yet was always refused.
 */
function pickableYears(today: string): number[] {
  const year = Number(today.slice(0, 4));
  const first = today.slice(5) >= '12-15' ? year + 1 : year;
  return Array.from({ length: first - year + 7 }, (_, i) => first - i);
}

export function reportPages(ctx: AppContext, _services: Services): Router {
  const router = Router();

  const view = (r: SettlementReport) => ({
    report: r,
    COLUMN_INFO,
    FORM_COLUMN_ORDER,
    headerCells,
    cellValue,
    percent,
    periodHeading,
    AGENCY_BASIS_NAMES,
    UNIT_LINE,
    FORM_CODE,
    REPORT_TITLE,
    isoLocal,
  });

  router.get('/bao-cao', requireUser, async (req, res) => {
    const user = currentUser(req);
    const now = ctx.clock.now();
    const today = localDate(now);
    // A repeated key (?year=2025&year=2026) counts once, like the dossier list.
    const q = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])) as Record<string, string | undefined>;
    // Not chosen, the report's desk counts its own (buildReport), as the API and the CLI do: an admin's link to the public
    // service centre counted what it handles, nothing, where the API answered what it received.
    const agencyBasis = AGENCY_BASES.find((b) => b === q.agencyBasis);
    const agencyCode = q.agencyCode?.trim() || undefined;
    let period: Period;
    let report: SettlementReport;
    let flash: { kind: string; text: string } | undefined;
    try {
      period = resolvePeriod(q, today);
      report = await buildReport(ctx, user, { from: period.from, to: period.to, agencyCode, agencyBasis });
    } catch (err) {
      // A period not started yet or a half-filled range: say why, and show this month instead.
      if (!(err instanceof ValidationError)) throw err;
      flash = { kind: 'error', text: `${err.message} ${Object.values(err.fields).join(' ')} Đang hiển thị tháng này.` };
      period = resolvePeriod({ period: 'month' }, today);
      report = await buildReport(ctx, user, { from: period.from, to: period.to, agencyCode, agencyBasis });
    }
    const [ty, tm] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
    const presets = [
      { label: 'Tháng này', period: monthPeriod(ty, tm) },
      { label: 'Tháng trước', period: tm === 1 ? monthPeriod(ty - 1, 12) : monthPeriod(ty, tm - 1) },
      { label: 'Kỳ báo cáo tháng hiện tại', period: reportingMonthOf(today) },
      { label: 'Quý này', period: resolvePeriod({ period: 'quarter' }, today) },
      { label: 'Năm nay', period: resolvePeriod({ period: 'year' }, today) },
    ];
    res.status(flash ? 422 : 200).render('reports/index', {
      title: 'Báo cáo tình hình, kết quả giải quyết TTHC',
      wide: true,
      flash,
      ...view(report),
      period,
      pick: flash ? pickAsTyped(q, period) : pickOf(period),
      PERIOD_KINDS,
      PERIOD_KIND_NAMES,
      presets,
      agencies: user.role === 'admin' ? await listAgencies(ctx.db) : [],
      canPickAgency: user.role === 'admin',
      params: reportParams(report),
      cellUrl: (column: ReportColumn, where: { fieldCode?: string; agencyCode?: string } = {}) => cellUrl(report, column, where),
      chartSvg: onTimeChart(report.rows),
      years: pickableYears(today),
    });
  });

  async function fromQuery(req: Request) {
    const input = parseInput(settlementQuerySchema, req.query);
    return buildReport(ctx, currentUser(req), input);
  }

  router.get('/bao-cao/xuat.csv', requireUser, async (req, res) => {
    const report = await fromQuery(req);
    const csv = toCsv(reportSheet(report, { placeName: ctx.config.placeName, generatedAt: ctx.clock.now() }));
    res.type('text/csv; charset=utf-8').attachment(exportName(report, 'csv')).send(csv);
  });

  router.get('/bao-cao/xuat.xlsx', requireUser, async (req, res) => {
    const report = await fromQuery(req);
    const xlsx = await toXlsx(reportSheet(report, { placeName: ctx.config.placeName, generatedAt: ctx.clock.now() }));
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment(exportName(report, 'xlsx')).send(xlsx);
  });

  router.get('/bao-cao/in', requireUser, async (req, res) => {
    const report = await fromQuery(req);
    const now = ctx.clock.now();
    res.render('reports/print', {
      title: `${FORM_CODE} – ${describePeriod(report.window.from, report.window.to).label}`,
      ...view(report),
      ...(await issuer(ctx, report)),
      dateParts: dateParts(now),
      sheet: reportSheet(report, { placeName: ctx.config.placeName, generatedAt: now }),
      back: `/bao-cao?${reportParams(report)}`,
    });
  });

  return router;
}

/** GET /reports/settlement under /api/v1. */
export function reportApi(ctx: AppContext, _services: Services): Router {
  const router = Router();
  router.get('/reports/settlement', requireUser, async (req, res) => {
    const input = parseInput(settlementQuerySchema, req.query);
    const report = await buildReport(ctx, currentUser(req), input);
    res.json(toSettlementJson(report, isoLocal));
  });
  return router;
}

import { Router } from 'express';
import type { Services } from '../app';
import { requireRole } from '../auth/guard';
import { whereContains } from '../db/dialect';
import type { AppContext } from '../shared/context';
import { fromLocal } from '../shared/format';
import { firstValue, isRealIsoDate, optionalText, z } from '../shared/validation';
import { auditTitle, detailLines } from './detail';
import { AUDIT_ACTION_NAMES, AUDIT_ACTIONS, type AuditRow } from './log';

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Filters of the log page; a wrong value is dropped rather than refused (it is only a view). */
const filterSchema = z.object({
  action: firstValue(z.enum(AUDIT_ACTIONS).optional()).catch(undefined),
  user: firstValue(optionalText(64)).catch(undefined),
  from: firstValue(z.string().regex(DATE).optional()).catch(undefined),
  to: firstValue(z.string().regex(DATE).optional()).catch(undefined),
  page: firstValue(z.coerce.number().int().min(1).max(100_000).default(1)).catch(1),
});

const validDate = (s: string | undefined): string | undefined => (s && isRealIsoDate(s) ? s : undefined);

/** Why a date filter reads nothing: a day that does not exist is left out, a range that ends before it starts. */
function dateProblem(raw: Record<string, unknown>, filter: { from?: string; to?: string }): string | null {
  const typed = (key: 'from' | 'to') => (typeof raw[key] === 'string' ? (raw[key] as string).trim() : '');
  const dropped = (['from', 'to'] as const).filter((k) => typed(k) && !filter[k]).map((k) => `“${typed(k)}”`);
  if (dropped.length) return `Ngày ${dropped.join(', ')} không có thật nên không được dùng để lọc.`;
  if (filter.from && filter.to && filter.from > filter.to) return 'Từ ngày đang sau Đến ngày: không dòng nào nằm giữa hai ngày ấy, hãy đổi lại.';
  return null;
}

/** The audit log for admins, mounted at /quan-tri/nhat-ky. */
export function auditPages(ctx: AppContext, _services: Services): Router {
  const router = Router();
  router.use(requireRole('admin'));

  router.get('/', async (req, res) => {
    const parsed = filterSchema.parse(req.query);
    const filter = { ...parsed, from: validDate(parsed.from), to: validDate(parsed.to) };
    const problem = dateProblem(req.query, filter);
    const query = ctx.db<AuditRow>('audit_log');
    if (filter.action) query.where('action', filter.action);
    if (filter.user) {
      const text = filter.user;
      query.where((w) => {
        whereContains(ctx.db, w, 'actor_name', text);
        whereContains(ctx.db, w, 'target', text);
      });
    }
    // Local dates (UTC+7): from 00:00 of `from` to the end of `to`.
    if (filter.from) query.where('at', '>=', fromLocal(filter.from).toISOString());
    if (filter.to) query.where('at', '<', new Date(fromLocal(filter.to).getTime() + 86_400_000).toISOString());
    const countRow = await query.clone().count<{ n: number | string }[]>({ n: '*' }).first();
    const total = Number(countRow?.n ?? 0);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(PAGE_SIZE)
      .offset((filter.page - 1) * PAGE_SIZE);
    const entries = rows.map((r) => ({ ...r, detail: detailLines(parseDetail(r.detail)) }));
    const pageUrl = (page: number) => {
      const params = new URLSearchParams();
      for (const key of ['action', 'user', 'from', 'to'] as const) if (filter[key]) params.set(key, String(filter[key]));
      params.set('page', String(page));
      return `/quan-tri/nhat-ky?${params}`;
    };
    res.render('audit/index', {
      title: auditTitle(filter),
      section: 'audit',
      flash: problem ? { kind: 'warn', text: problem } : undefined,
      wide: true,
      entries,
      total,
      filter,
      page: filter.page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      pageUrl,
      AUDIT_ACTIONS,
      AUDIT_ACTION_NAMES,
    });
  });

  return router;
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

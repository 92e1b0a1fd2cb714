import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { RateLimiter } from '../auth/rate-limit';
import { STATUS_NAMES, type Status } from '../dossiers/status';
import { isoLocal } from '../shared/format';
import { AppError, NotFoundError } from '../shared/errors';
import { wantsJson } from '../shared/http';
import { codeSpellings, scannedCode } from '../dossiers/schema';
import { typedCode } from './typed-code';

// The citizen's look-up (SPEC §1, §7): by the code on the receipt or its QR code, without logging in.
// It tells what anyone holding the receipt may know — never who applied.

const CODE = /^[0-9A-Za-z.\-_]{3,100}$/;
export const LOOKUPS_PER_MINUTE = 30;

/** What the status means for the citizen, in plain words. */
export const STATUS_EXPLAINED: Record<Status, string> = {
  processing: 'Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết.',
  awaiting_supplement:
    'Hồ sơ cần bổ sung, hoàn thiện. Vui lòng xem phiếu yêu cầu bổ sung đã nhận hoặc liên hệ nơi nộp hồ sơ. Trong thời gian chờ bổ sung, thời hạn giải quyết tạm dừng; ngày hẹn trả kết quả sẽ được tính lại khi nộp đủ hồ sơ bổ sung.',
  paused: 'Việc giải quyết đang tạm dừng (ví dụ chờ thực hiện nghĩa vụ tài chính hoặc thẩm định); thời gian tạm dừng không tính vào thời hạn giải quyết.',
  resolved: 'Đã có kết quả giải quyết. Mời Ông/Bà đến nhận kết quả theo giấy tiếp nhận, mang theo giấy tiếp nhận và giấy tờ tùy thân.',
  returned: 'Kết quả đã được trả cho người nộp hồ sơ.',
  withdrawn: 'Hồ sơ đã được rút theo đề nghị của người nộp.',
};

export interface PublicDossier {
  code: string;
  procedureCode: string;
  procedureName: string;
  agencyName: string;
  /** The one-stop desk that received the dossier: where a supplement is brought and the result is collected. */
  deskName: string;
  status: Status;
  statusName: string;
  statusText: string;
  receivedAt: string;
  appointmentAt: string;
  apologyIssued: boolean;
}

/**
 * The dossier by its code as typed (spaces, long dashes, commas and missing dashes mended: typedCode), or else in
 * capitals (a code typed by hand in lower case). One query per
 * spelling whatever the code: an unknown code, or one that could never be a code, costs the same as a known one
 * written the same way, so the answer's timing does not tell which codes exist. Selects no personal column at all.
 */
async function publicView(ctx: AppContext, typed: string): Promise<PublicDossier | null> {
  const code = typedCode(typed);
  const wanted = CODE.test(code) ? code : '';
  for (const spelling of codeSpellings(wanted)) {
    const found = await publicViewOf(ctx, spelling);
    if (found) return found;
  }
  return null;
}

async function publicViewOf(ctx: AppContext, wanted: string): Promise<PublicDossier | null> {
  const row = await ctx.db('dossiers as d')
    .join('procedures as p', 'p.code', 'd.procedure_code')
    .join('agencies as a', 'a.code', 'd.agency_code')
    .join('agencies as desk', 'desk.code', 'd.received_agency_code')
    .where('d.code', wanted)
    .select(
      'd.code',
      'd.procedure_code',
      'p.name as procedure_name',
      'a.name as agency_name',
      'desk.name as desk_name',
      'd.status',
      'd.received_at',
      'd.appointment_at',
      ctx.db.raw(
        "EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.type = 'apology_issued') AS apology_issued",
      ),
    )
    .first();
  if (!row || !wanted) return null;
  const status = row.status as Status;
  return {
    code: row.code,
    procedureCode: row.procedure_code,
    procedureName: row.procedure_name,
    agencyName: row.agency_name,
    deskName: row.desk_name,
    status,
    statusName: STATUS_NAMES[status],
    statusText: STATUS_EXPLAINED[status],
    receivedAt: row.received_at,
    appointmentAt: row.appointment_at,
    apologyIssued: Boolean(Number(row.apology_issued)), // SQLite answers 0/1, PostgreSQL true/false
  };
}

/**
 * The appointment has passed and the dossier is still being worked on: the citizen holding a date in the past is told
 * so, and where to ask. (Waiting for a supplement or paused, the clock stands still and the date will move.)
 */
export function appointmentPassed(d: PublicDossier, now: Date): boolean {
  return d.status === 'processing' && new Date(d.appointmentAt).getTime() < now.getTime();
}

export function publicDossierJson(d: PublicDossier) {
  return {
    code: d.code,
    procedureCode: d.procedureCode,
    procedureName: d.procedureName,
    agencyName: d.agencyName,
    deskName: d.deskName,
    status: d.status,
    statusName: d.statusName,
    statusText: d.statusText,
    receivedAt: isoLocal(d.receivedAt),
    appointmentAt: isoLocal(d.appointmentAt),
    apologyIssued: d.apologyIssued,
  };
}

export function publicRoutes(ctx: AppContext, _services: Services): Router {
  const router = Router();
  const limiter = new RateLimiter(LOOKUPS_PER_MINUTE, 60_000);

  /** At most LOOKUPS_PER_MINUTE look-ups a minute from one address: guessing codes stays slow. */
  function rateLimited(req: Request, res: Response, next: NextFunction) {
    const wait = limiter.hit(`lookup:${req.ip ?? 'unknown'}`, ctx.clock.now().getTime());
    if (!wait) return next();
    res.set('Retry-After', String(wait));
    const message = `Bạn đã tra cứu quá nhiều lần trong một phút. Vui lòng thử lại sau ${wait} giây.`;
    if (wantsJson(req)) return next(new AppError(429, 'rate_limited', message));
    res.status(429).render('public/lookup', { title: 'Tra cứu hồ sơ', code: String(req.params.code ?? ''), dossier: null, notFound: false, limited: message });
  }

  const noStore = (_req: Request, res: Response, next: NextFunction) => {
    // A dossier's status changes; and a shared computer should not keep what was looked up.
    res.set('Cache-Control', 'no-store');
    next();
  };

  router.get('/tra-cuu', noStore, (req, res) => {
    // A scanner at a kiosk types the receipt's QR address: its code is what is looked up.
    const code = typeof req.query.ma === 'string' ? typedCode(scannedCode(req.query.ma.trim())) : '';
    if (code) return res.redirect(303, `/tra-cuu/${encodeURIComponent(code)}`);
    res.render('public/lookup', { title: 'Tra cứu hồ sơ', code: '', dossier: null, notFound: false, limited: null });
  });

  // The page the QR code of the receipt opens.
  router.get('/tra-cuu/:code', noStore, rateLimited, async (req, res) => {
    const code = String(req.params.code).trim();
    const dossier = await publicView(ctx, code);
    res.status(dossier ? 200 : 404).render('public/lookup', {
      title: dossier ? `Hồ sơ ${dossier.code}` : 'Tra cứu hồ sơ',
      code,
      dossier,
      appointmentPassed: dossier ? appointmentPassed(dossier, ctx.clock.now()) : false,
      notFound: !dossier,
      limited: null,
    });
  });

  router.get('/api/v1/public/dossiers/:code', noStore, rateLimited, async (req, res) => {
    const dossier = await publicView(ctx, String(req.params.code).trim());
    if (!dossier) throw new NotFoundError('Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại mã trên giấy tiếp nhận.');
    res.json(publicDossierJson(dossier));
  });

  return router;
}

import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../shared/context';
import { audit } from '../audit/log';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { getAgency, listAgencies } from '../catalog/repository';
import { lateAt } from '../dossiers/repository';
import { instant } from '../dossiers/schema';
import { STATUS_NAMES } from '../dossiers/status';
import { FORM_KEYS, FORM_TEXTS, unknownPlaceholders } from '../forms/texts';
import { AppError, NotFoundError, ValidationError } from '../shared/errors';
import { formatDate, formatDateTime, isoLocal, localDate, narrowedTitle } from '../shared/format';
import { parseInput } from '../shared/http';
import { strictPageFields } from '../api/pagination';
import { isRealIsoDate, optionalText, z } from '../shared/validation';
import {
  defaultTemplate,
  DRAFTED_FOR_NAMES,
  LETTER_STATUS_NAMES,
  LETTER_TAB_NAMES,
  LETTER_STATUSES,
  PLACEHOLDERS,
  sentInTime,
  letterDeadline,
  resolveTemplate,
  SMS_MAX,
  toLetterJson,
  type LetterStatus,
  type StoredTemplate,
} from './draft';
import { deleteTemplate, EVERY_AGENCY, saveTemplate, storedTemplate, templateAgencyCodes } from './repository';
import { draftMissingLetters, LetterService, queueUrl, signsFor, type IssueInput } from './service';

/** How often the server looks for dossiers that need a draft. */
export const SWEEP_INTERVAL_MS = 5 * 60_000;

const letterId = (req: Request) => {
  const raw = String(req.params.id);
  // At most 9 digits: an id PostgreSQL's integer can hold (a larger one was a 500, not a 404).
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError(`Không tìm thấy văn bản xin lỗi "${raw.slice(0, 40)}".`);
  return Number(raw);
};

// ---------------------------------------------------------------------------------------------
// Input

const issueSchema = z.object({
  reason: optionalText(2000),
  newAppointmentAt: instant.optional(),
  overrideReason: optionalText(2000),
  signerTitle: optionalText(200),
  signerName: optionalText(200),
  version: z.coerce.number().int().min(1).optional(),
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;

/** The letter page's flat form -> the service's input; the date and time of the new appointment are local. */
function formToInput(body: Record<string, string | undefined>): IssueInput & { version: number } {
  const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined);
  // A form field may arrive as an array or an object (name[]=…): only a string is a date or a time.
  const date = (typeof body.newAppointmentDate === 'string' ? body.newAppointmentDate : '').trim();
  const time = (typeof body.newAppointmentTime === 'string' ? body.newAppointmentTime : '').trim() || '17:00';
  let newAppointmentAt: Date | undefined;
  if (date) {
    newAppointmentAt = DATE.test(date) && TIME.test(time) ? new Date(`${date}T${time}:00+07:00`) : undefined;
    if (!newAppointmentAt || Number.isNaN(newAppointmentAt.getTime())) {
      throw new ValidationError({ newAppointmentAt: 'Ngày, giờ hẹn không hợp lệ.' });
    }
  }
  const version = Number(body.version);
  if (!Number.isInteger(version) || version < 1) throw new ValidationError({ _: 'Thiếu phiên bản của văn bản.' });
  return {
    addresseeName: text(body.addresseeName, 300),
    addresseeAddress: text(body.addresseeAddress, 300),
    reason: text(body.reason, 2000),
    newAppointmentAt,
    signerTitle: text(body.signerTitle, 200),
    signerName: text(body.signerName, 200),
    overrideReason: text(body.overrideReason, 2000),
    version,
  };
}

const templateSchema = z.object({
  numberSuffix: optionalText(40).refine(
    (s) => s === undefined || /^[\p{L}\p{N}.\-/]+$/u.test(s),
    'Chỉ gồm chữ, số, dấu chấm, gạch ngang (ví dụ XL hoặc XL-TTPVHCC).',
  ),
  title: optionalText(300),
  body: optionalText(6000),
  sms: optionalText(600),
  recipients: optionalText(1000),
  signerTitle: optionalText(200),
  signerName: optionalText(200),
});

/** The unknown placeholders of a template's texts, by field, read from the form as sent. */
function placeholderProblems(body: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const key of ['title', 'body', 'sms'] as const) {
    const unknown = unknownPlaceholders(typeof body[key] === 'string' ? body[key] : '', PLACEHOLDERS);
    if (unknown.length) fields[key] = `Không có trường thay thế: ${unknown.map((u) => `{{${u}}}`).join(', ')}.`;
  }
  return fields;
}

/**
 * A template as sent, with every problem of it at once: a suffix too long was reported first, and only once it was
 * mended an unknown placeholder in the body.
 */
function parseTemplate(body: Record<string, unknown>): StoredTemplate {
  const placeholders = placeholderProblems(body);
  let input: StoredTemplate;
  try {
    input = parseInput(templateSchema, body) as StoredTemplate;
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError({ ...placeholders, ...err.fields }, err.message);
    throw err;
  }
  if (Object.keys(placeholders).length) throw new ValidationError(placeholders);
  return input;
}

// ---------------------------------------------------------------------------------------------
// Pages

const SITUATION_NAMES: Record<string, string> = {
  late: 'Quá hạn',
  due_soon: 'Sắp đến hạn',
  open: 'Chưa đến hạn (thời hạn còn trên 1 ngày làm việc hoặc đang dừng tính)',
  finished: 'Hồ sơ đã kết thúc',
};

/** Pages of the apology letters and the head's dashboard. */
export function letterPages(ctx: AppContext, services: Services): Router {
  const router = Router();
  const letters = new LetterService(ctx, services);
  const locals = { LETTER_STATUS_NAMES, LETTER_TAB_NAMES, DRAFTED_FOR_NAMES, SITUATION_NAMES, STATUS_NAMES, reappointments: ctx.config.reappointments, apologyFrom: ctx.config.apologyFrom, sentInTime, letterDeadline };

  router.get('/theo-doi', requireRole('head', 'admin'), async (req, res) => {
    const board = await letters.dashboard(currentUser(req));
    res.render('letters/dashboard', { title: 'Theo dõi hồ sơ đến hạn, quá hạn', wide: true, board, now: ctx.clock.now(), ...locals });
  });

  const QUEUE_HEADING = 'Thư xin lỗi, hẹn lại ngày trả kết quả';
  const TIMING_NAMES = { in_time: 'gửi chậm nhất một ngày trước hạn', late: 'gửi muộn (trong hoặc sau ngày hết hạn)' } as const;
  router.get('/thu-xin-loi', requireRole('head', 'admin'), async (req, res) => {
    const status: LetterStatus = (LETTER_STATUSES as readonly string[]).includes(String(req.query.status)) ? (req.query.status as LetterStatus) : 'draft';
    const page = Math.max(1, Math.min(100_000, Number.parseInt(String(req.query.page ?? '1'), 10) || 1));
    const pageSize = 50;
    const user = currentUser(req);
    // The issued letters of some days, and those sent in time or late (the watch page's numbers link here).
    const day = (v: unknown) => (typeof v === 'string' && isRealIsoDate(v) ? v : undefined);
    const issued =
      status === 'issued'
        ? { issuedFrom: day(req.query.from), issuedTo: day(req.query.to), timing: (['in_time', 'late'] as const).find((t) => t === req.query.timing) }
        : {};
    const result = await letters.list(user, { status, openOnly: status === 'draft', ...issued, page, pageSize });
    const narrowed = [
      issued.issuedFrom && `từ ${formatDate(issued.issuedFrom)}`,
      issued.issuedTo && `đến ${formatDate(issued.issuedTo)}`,
      issued.timing && TIMING_NAMES[issued.timing],
    ].filter((p): p is string => !!p);
    /** This tab's address on another page, with its filters. */
    const pageUrl = (n: number) => queueUrl({ status, ...issued }, n);
    // The tabs' counts: the shown list's own total, the others counted (not listed).
    const counts = Object.fromEntries(
      await Promise.all(LETTER_STATUSES.map(async (s) => [s, s === status ? result.total : await letters.count(user, { status: s, openOnly: s === 'draft' })] as const)),
    );
    const appointments = await letters.queueAppointments(result.items);
    const now = ctx.clock.now();
    const cal = await services.calendars.get(now.getTime());
    const flash = req.query.ok === 'issued' ? { kind: 'ok', text: 'Đã phát hành văn bản xin lỗi.' } : null;
    res.render('letters/queue', {
      title: narrowedTitle(QUEUE_HEADING, [LETTER_TAB_NAMES[status].toLowerCase(), ...narrowed, page > 1 && `trang ${page}`]),
      heading: QUEUE_HEADING,
      narrowed,
      pageUrl,
      wide: true,
      status,
      result,
      appointments,
      isLate: lateAt(now),
      counts,
      page,
      pages: Math.max(1, Math.ceil(result.total / pageSize)),
      nowIso: now.toISOString(),
      soonIso: cal.addWorkingMinutes(now, cal.minutesPerDay).toISOString(),
      flash,
      ...locals,
    });
  });

  // Before "/thu-xin-loi/:id": the admin's wording per agency.
  router.get('/thu-xin-loi/mau', requireRole('admin'), async (req, res) => {
    await renderTemplates(req, res, String(req.query.agency ?? EVERY_AGENCY));
  });

  router.post('/thu-xin-loi/mau', requireRole('admin'), async (req, res) => {
    const body = req.body as Record<string, string>;
    const agencyCode = String(body.agency ?? '');
    if (agencyCode !== EVERY_AGENCY && !(await getAgency(ctx.db, agencyCode))) throw new NotFoundError(`Không có cơ quan mã ${agencyCode}.`);
    if (body.op === 'reset') {
      await deleteTemplate(ctx.db, agencyCode);
      await audit(ctx, req, 'letter_template_reset', agencyCode);
      return res.redirect(303, `/thu-xin-loi/mau?agency=${encodeURIComponent(agencyCode)}&ok=reset`);
    }
    try {
      const input = parseTemplate(body);
      await saveTemplate(ctx.db, agencyCode, input, currentUser(req).fullName, ctx.clock.now());
      await audit(ctx, req, 'letter_template_saved', agencyCode, { ...input });
      res.redirect(303, `/thu-xin-loi/mau?agency=${encodeURIComponent(agencyCode)}&ok=saved`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      res.status(422);
      await renderTemplates(req, res, agencyCode, { values: body, errors: err.fields, flash: { kind: 'error', text: err.message } });
    }
  });

  async function renderTemplates(req: Request, res: Response, agencyCode: string, extra: Record<string, unknown> = {}) {
    const agencies = await listAgencies(ctx.db);
    if (agencyCode !== EVERY_AGENCY && !agencies.some((a) => a.code === agencyCode)) throw new NotFoundError(`Không có cơ quan mã ${agencyCode}.`);
    const stored = await storedTemplate(ctx.db, agencyCode);
    const common = agencyCode === EVERY_AGENCY ? null : await storedTemplate(ctx.db, EVERY_AGENCY);
    const regimes = ctx.config.formRegimes;
    const regime = regimes[regimes.length - 1];
    const inherited = resolveTemplate(regime, common);
    const ok = req.query.ok === 'saved' ? 'Đã lưu mẫu văn bản.' : req.query.ok === 'reset' ? 'Đã xóa mẫu riêng; dùng lại mẫu chung.' : null;
    res.render('letters/templates', {
      title: 'Mẫu văn bản xin lỗi',
      section: 'forms',
      forms: FORM_KEYS.map((k) => FORM_TEXTS[k]),
      agencies,
      agencyCode,
      customised: new Set(await templateAgencyCodes(ctx.db)),
      values: stored ?? {},
      errors: {},
      inherited,
      defaults: regimes.map((r) => ({ circular: r.circular, t: defaultTemplate(r) })),
      PLACEHOLDERS,
      EVERY_AGENCY,
      SMS_MAX,
      stored,
      flash: ok ? { kind: 'ok', text: ok } : null,
      ...extra,
    });
  }

  const OK_TEXT: Record<string, string> = {
    saved: 'Đã lưu bản nháp.',
    issued: 'Đã phát hành văn bản xin lỗi; ngày hẹn trả kết quả của hồ sơ đã được cập nhật.',
    override: 'Đã tạo bản nháp hẹn lại lần nữa (ngoại lệ). Kiểm tra nội dung rồi phát hành.',
  };

  async function renderLetter(req: Request, res: Response, id: number, extra: Record<string, unknown> = {}) {
    const v = await letters.view(id, currentUser(req));
    const ok = typeof req.query.ok === 'string' ? OK_TEXT[req.query.ok] : undefined;
    const appointment = new Date(v.suggested?.at ?? v.letter.new_appointment_at);
    const local = isoLocal(appointment)!;
    res.render('letters/show', {
      title: `Văn bản xin lỗi – hồ sơ ${v.dossier.code}`,
      ...v,
      // Issued by someone who does not head the agency the letter goes out under: its signer must be named.
      signerHint: signsFor(currentUser(req), v.dossier.agency_code)
        ? null
        : v.template.signerName
          ? `Văn bản mang tên ${v.doc.issuerName}: để trống thì người ký là ${v.template.signerName} (theo mẫu văn bản của cơ quan).`
          : `Văn bản mang tên ${v.doc.issuerName}: ghi họ tên lãnh đạo cơ quan này ký (để trống thì không phát hành được).`,
      values: {
        addresseeName: v.letter.addressee_name,
        addresseeAddress: v.letter.addressee_address ?? '',
        reason: v.letter.reason ?? '',
        newAppointmentDate: local.slice(0, 10),
        newAppointmentTime: local.slice(11, 16),
        signerTitle: v.letter.signer_title ?? v.doc.signerTitle,
        signerName: v.letter.signer_name ?? '',
      },
      errors: {},
      flash: ok
        ? { kind: 'ok', text: ok }
        : v.stale
          ? { kind: 'warn', text: `Ngày hẹn đề xuất lúc lập dự thảo (${formatDateTime(v.letter.new_appointment_at)}) đã qua, không sau ngày hẹn hiện tại hoặc đã cũ; ô ngày hẹn mới đã điền đề xuất mới của hệ thống.` }
          : null,
      ...locals,
      ...extra,
    });
  }

  router.get('/thu-xin-loi/:id', requireUser, async (req, res) => {
    await renderLetter(req, res, letterId(req));
  });

  /** Save the draft, or save and issue it (op=issue), from the letter's page. */
  router.post('/thu-xin-loi/:id', requireRole('head', 'admin'), async (req, res) => {
    const id = letterId(req);
    const body = req.body as Record<string, string>;
    const user = currentUser(req);
    try {
      const input = formToInput(body);
      if (body.op === 'issue') {
        await letters.issue(id, input, user);
        return res.redirect(303, `/thu-xin-loi/${id}?ok=issued`);
      }
      await letters.update(id, input, user);
      res.redirect(303, `/thu-xin-loi/${id}?ok=saved`);
    } catch (err) {
      if (!(err instanceof AppError) || ![403, 409, 422].includes(err.status)) throw err;
      res.status(err.status);
      const errors: Record<string, string> = {};
      for (const [k, v] of Object.entries(err.fields)) errors[k === 'newAppointmentAt' ? 'newAppointmentDate' : k] = v;
      await renderLetter(req, res, id, { values: body, errors, flash: { kind: 'error', text: err.message } });
    }
  });

  /** A head's exception: a further new appointment for a dossier that already had one. */
  router.post('/thu-xin-loi/:id/hen-lai', requireRole('head', 'admin'), async (req, res) => {
    const id = letterId(req);
    try {
      const overrideReason = (req.body as Record<string, unknown>).overrideReason;
      const newId = await letters.draftOverride(id, typeof overrideReason === 'string' ? overrideReason : undefined, currentUser(req));
      res.redirect(303, `/thu-xin-loi/${newId}?ok=override`);
    } catch (err) {
      if (!(err instanceof AppError) || ![403, 409, 422].includes(err.status)) throw err;
      res.status(err.status);
      await renderLetter(req, res, id, {
        overrideValues: req.body,
        overrideErrors: err.fields,
        flash: { kind: 'error', text: err.message },
      });
    }
  });

  /** The letter in the administrative layout, A4 (default) or A5. */
  router.get('/thu-xin-loi/:id/in', requireUser, async (req, res) => {
    const v = await letters.view(letterId(req), currentUser(req));
    res.render('letters/print', {
      title: `Văn bản xin lỗi ${v.letter.number ?? '(dự thảo)'} – ${v.dossier.code}`,
      ...v,
      size: req.query.size === 'a5' ? 'a5' : 'a4',
      back: `/thu-xin-loi/${v.letter.id}`,
    });
  });

  return router;
}

// ---------------------------------------------------------------------------------------------
// API

/** GET /letters, GET /letters/:id, POST /letters/:id/issue under /api/v1. */
export function letterApi(ctx: AppContext, services: Services): Router {
  const router = Router();
  const letters = new LetterService(ctx, services);

  router.get('/letters', requireUser, async (req, res) => {
    const query = parseInput(
      z.object({
        status: z.enum(LETTER_STATUSES, { error: 'status phải là draft, issued hoặc cancelled.' }).optional(),
        ...strictPageFields(100, 500),
      }),
      req.query,
    );
    const { items, total } = await letters.list(currentUser(req), query);
    res.json({ items: items.map(toLetterJson), total, page: query.page, pageSize: query.pageSize });
  });

  router.get('/letters/:id', requireUser, async (req, res) => {
    res.json(toLetterJson(await letters.get(letterId(req), currentUser(req))));
  });

  router.post('/letters/:id/issue', requireRole('head', 'admin'), async (req, res) => {
    const input = parseInput(issueSchema, req.body ?? {});
    const letter = await letters.issue(letterId(req), input, currentUser(req));
    res.json(toLetterJson(letter));
  });

  return router;
}

// ---------------------------------------------------------------------------------------------
// The sweep

/** Starts the drafting sweep: once now, then every five minutes; returns a function that stops it. */
export function startLetterSweep(ctx: AppContext, services: Services): () => void {
  let running = false;
  const run = async () => {
    if (running) return; // a slow run is never overlapped by the next tick
    running = true;
    try {
      const created = await draftMissingLetters(ctx, services, ctx.clock.now());
      if (created) console.log(`Đã lập ${created} dự thảo văn bản xin lỗi cho hồ sơ sắp đến hạn hoặc quá hạn (${localDate(ctx.clock.now())}).`);
    } catch (err) {
      ctx.log('Letter sweep failed', err);
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { createHash, randomUUID } from 'node:crypto';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { getAgency, listAgencies, listProcedures } from '../catalog/repository';
import { agencyChoices, fieldChoices } from '../catalog/names';
import { AppError, NotFoundError, ValidationError } from '../shared/errors';
import { parseInput } from '../shared/http';
import { pageQuerySchema } from '../api/pagination';
import { z } from '../shared/validation';
import { addDays, dateParts, formatDate, formatDateTime, formatNumber, localDate, weekdayName } from '../shared/format';
import { regimeOn } from '../forms/regime';
import { paperLine, type FormKey } from '../forms/texts';
import { formHead, formWording } from '../forms/repository';
import { actionInputSchema, correctionSchema, instant, intakeSchema, type IntakeInput, listQuerySchema, refusalSchema, registerQuerySchema } from './schema';
import { getRefusal, listRefusals, refuseIntake, REFUSALS_PAGE_SIZE } from './refusals';
import { allowedActions, appointmentDayOff, supplementRefusal, ACTION_NAMES } from './lifecycle';
import { controlSlipSteps, coordinatingAgencies, TIMELINESS_NAMES } from './control-slip';
import { askRegister, dailyNumber, registerCells, registerPeriodLine, registerXlsx, REGISTER_MAX_DAYS, REGISTER_REFUSALS } from './register';
import { parseTrace, isLate, lateAt, type DossierEventRow, type DossierRow } from './repository';
import { isOpen } from './status';
import { listHeading, listTitle } from './list-title';
import { lettersOfDossier } from '../letters/repository';
import { isOrganisation, vnDateTimeWords, type LetterRow } from '../letters/draft';
import { withoutMarks } from '../shared/marks';
import { provisionalDueNotice, provisionalYearsOf, yearsInWords } from '../calendar/working-time';

/**
 * A backdated instant from a form's date and time fields (Vietnam's time), both or neither: a date alone was taken
 * as midnight ("Tiếp nhận hồ sơ: 00:00"), a time alone was dropped and the present instant recorded without a word.
 */
export function formInstant(date: unknown, time: unknown, fields: { date: string; time: string }): string | undefined {
  const day = String(date ?? '').trim();
  const hour = String(time ?? '').trim();
  if (!day && !hour) return undefined;
  if (!hour) throw new ValidationError({ [fields.time]: 'Nhập bù cần cả giờ: ghi giờ và phút.' });
  if (!day) throw new ValidationError({ [fields.date]: 'Nhập bù cần cả ngày: ghi ngày, tháng, năm (hoặc xóa giờ để lấy bây giờ).' });
  return `${day}T${hour}:00+07:00`;
}

/** The flat intake form's procedure, agency and applicant, as the API has them. */
function intakeParts(body: Record<string, unknown>) {
  return {
    procedureCode: body.procedureCode,
    agencyCode: body.agencyCode,
    applicant: {
      name: body.applicantName,
      idNumber: body.applicantIdNumber,
      phone: body.applicantPhone,
      email: body.applicantEmail,
      address: body.applicantAddress,
    },
  };
}

/** The flat intake form -> the API's input shape. */
export function formToIntake(body: Record<string, unknown>) {
  return {
    ...intakeParts(body),
    channel: body.channel,
    sets: body.sets,
    documents: body.documents,
    receivedAt: formInstant(body.receivedDate, body.receivedTime, { date: 'receivedDate', time: 'receivedTime' }),
  };
}

/**
 * The intake key of an intake form as sent: the key the form was served with (a new one for each fresh form) and what
 * was typed, so that the same form sent again (a slow answer, Ctrl+Enter twice after the browser's wait, a reload
 * that posts again) is received once, while a form reused with other content (the browser's Back, then the next
 * citizen typed over it) is another intake. None for a form served without one, or with a key it never held.
 */
export function formIntakeKey(served: unknown, input: IntakeInput): string | null {
  if (typeof served !== 'string' || !/^[0-9a-f-]{36}$/.test(served)) return null;
  return `form:${served}:${createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16)}`;
}

/** The intake form, sent to refuse the request instead (Mẫu 03) -> the refusal's input shape (zod drops the rest). */
export function formToRefusal(body: Record<string, unknown>) {
  const { procedureCode, agencyCode, applicant } = intakeParts(body);
  return { procedureCode, agencyCode, applicant, reason: body.refusalReason };
}

/** Field names of the API shape -> the form's input names, so errors land beside the right input. */
const FORM_FIELD: Record<string, string> = {
  reason: 'refusalReason',
  'applicant.name': 'applicantName',
  'applicant.idNumber': 'applicantIdNumber',
  'applicant.phone': 'applicantPhone',
  'applicant.email': 'applicantEmail',
  'applicant.address': 'applicantAddress',
  receivedAt: 'receivedDate',
};

const previewQuerySchema = z.object({ receivedAt: instant });

export function publicLookupUrl(ctx: AppContext, req: Request, code: string): string {
  const base = ctx.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${base.replace(/\/$/, '')}/tra-cuu/${encodeURIComponent(code)}`;
}

/**
 * The host of a look-up address no citizen's phone can open, when PUBLIC_URL is not set and the desk reaches the
 * server by an inside name (localhost, a name without a dot, a private address); null otherwise. The receipt's
 * toolbar says so: its QR code printed http://localhost:3000/… without a word.
 */
export function insideLookupHost(ctx: AppContext, url: string): string | null {
  if (ctx.config.publicUrl) return null;
  // A Host header no address is made of ("[", "a b") gave a 500: such a QR code opens nothing either.
  if (!URL.canParse(url)) return url.replace(/^\w+:\/\//, '').split('/tra-cuu/')[0];
  const host = new URL(url).hostname;
  const inside = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\]$)/i.test(host) || !host.includes('.');
  return inside ? host : null;
}

/** The search without marks a list offers when one typed with them found nothing: its text and address, or null. */
function plainSearchOf(q: string | undefined, total: number, url: (q: string) => string): { text: string; url: string } | null {
  if (!q || total > 0) return null;
  const text = withoutMarks(q);
  return text !== q && [...text].length >= 3 ? { text, url: url(text) } : null;
}

export function dossierPages(ctx: AppContext, services: Services): Router {
  const router = Router();
  const { dossiers } = services;

  /** A printed form's wording and head for a desk (forms/repository.ts). */
  const wording = (form: FormKey, agencyCode: string, values: Record<string, string>) => formWording(ctx.db, form, agencyCode, values);
  const formHeadOf = (agencyCode: string, day: string) => formHead(ctx.db, ctx.config.formRegimes, agencyCode, day);
  const dossierValues = (req: Request, row: DossierRow, deskName: string) => ({
    co_quan: deskName,
    nguoi_nop: row.applicant_name,
    // The forms wrote "ông/bà" to a company: an organisation is "Quý tổ chức", as in the apology letter.
    danh_xung: isOrganisation(row.applicant_name) ? 'Quý tổ chức' : 'ông/bà',
    thu_tuc: row.procedure_name ?? '',
    ma_ho_so: row.code,
    tra_cuu: publicLookupUrl(ctx, req, row.code),
  });

  async function intakeFormData(req: Request) {
    const user = currentUser(req);
    const agency = user.agencyCode ? await getAgency(ctx.db, user.agencyCode) : null;
    const procedures = await listProcedures(ctx.db, { activeOnly: true, forAgency: agency ?? undefined });
    const groups = new Map<string, { fieldName: string; items: typeof procedures }>();
    for (const p of procedures) {
      if (!groups.has(p.fieldCode)) groups.set(p.fieldCode, { fieldName: p.fieldName, items: [] });
      groups.get(p.fieldCode)!.items.push(p);
    }
    const agencies = user.role === 'admin' ? await agencyChoices(ctx.db) : [];
    // The menu's "Tiếp nhận" stays marked when the form answers a POST to /ho-so (a refusal, a preview, an error).
    return { agency, groups: [...groups.values()], agencies, currentPath: '/ho-so/moi', query: {} };
  }

  /**
   * The intake form again as it was typed, after input it could not take: each message beside its field (422), or the
   * refusal of the user's right (403). Anything else is not the form's to show.
   */
  async function intakeFormAgain(req: Request, res: Response, err: unknown, extra: Record<string, unknown> = {}) {
    if (!(err instanceof AppError) || (err.status !== 422 && err.status !== 403)) throw err;
    const errors: Record<string, string> = {};
    for (const [k, v] of Object.entries(err.fields)) errors[FORM_FIELD[k] ?? k] = v;
    res.status(err.status).render('dossiers/new', {
      title: 'Tiếp nhận hồ sơ',
      values: req.body,
      errors,
      message: err.message,
      preview: null,
      ...extra,
      ...(await intakeFormData(req)),
    });
  }

  router.get('/ho-so/moi', requireRole('clerk', 'admin'), async (req, res) => {
    res.render('dossiers/new', {
      title: 'Tiếp nhận hồ sơ',
      values: { channel: 'in_person', sets: '1', intakeKey: randomUUID() },
      errors: {},
      preview: null,
      // Empty as served: app.js may fill it back with an intake typed halfway in this tab.
      fresh: true,
      ...(await intakeFormData(req)),
    });
  });

  /** Due-date preview for the form's script: nothing is written. */
  router.get('/ho-so/han-du-kien', requireUser, async (req, res) => {
    const code = String(req.query.procedureCode ?? '');
    // An instant as intake takes it (ISO-8601 with its offset, a real day, years 2000–2100): anything Date could
    // parse was taken, and year -1 made the calendar fail with a 500.
    const asked = req.query.receivedAt;
    const at = typeof asked === 'string' && asked ? parseInput(previewQuerySchema, { receivedAt: asked }).receivedAt : ctx.clock.now();
    const p = await dossiers.preview(code, at);
    res.json({
      dueAt: p.dueAt.toISOString(),
      dueText: `${formatDateTime(p.dueAt)} (${weekdayName(p.dueAt)})`,
      duration: p.procedure.duration,
      statutoryDays: p.procedure.statutoryDays,
      trace: p.trace.map((s) => s.text),
    });
  });

  router.post('/ho-so', requireRole('clerk', 'admin'), async (req, res) => {
    const user = currentUser(req);
    const values = req.body as Record<string, string>;
    try {
      const input = parseInput(intakeSchema, formToIntake(values));
      if (values.preview) {
        const p = await dossiers.preview(input.procedureCode, input.receivedAt ?? ctx.clock.now());
        return res.render('dossiers/new', {
          title: 'Tiếp nhận hồ sơ',
          values,
          errors: {},
          preview: { dueText: `${formatDateTime(p.dueAt)} (${weekdayName(p.dueAt)})`, trace: p.trace.map((s) => s.text) },
          ...(await intakeFormData(req)),
        });
      }
      const { row, replayed } = await dossiers.receiveOnce(input, user, formIntakeKey(values.intakeKey, input));
      res.redirect(303, `/ho-so/${encodeURIComponent(row.code)}?ok=received${replayed ? '&again=1' : ''}`);
    } catch (err) {
      await intakeFormAgain(req, res, err);
    }
  });

  // Refusing to receive (Mẫu 03): the intake form sent with a reason. The refusal is kept and its slip printed; on
  // bad input the intake form comes back as typed, the refusal part open.
  router.post('/ho-so/tu-choi', requireRole('clerk', 'admin'), async (req, res) => {
    try {
      const row = await refuseIntake(ctx.db, parseInput(refusalSchema, formToRefusal(req.body)), currentUser(req), ctx.clock.now());
      res.redirect(303, `/ho-so/tu-choi/${row.id}?ok=refused`);
    } catch (err) {
      const invalid = err instanceof AppError && err.status === 422;
      await intakeFormAgain(req, res, err, { refusalOpen: true, ...(invalid ? { message: 'Chưa lập được phiếu từ chối: xem các ô được đánh dấu.' } : {}) });
    }
  });

  // The refusals kept, to find a slip again: the desk's, newest first (every desk's for an admin).
  router.get('/ho-so/tu-choi', requireRole('clerk', 'head', 'admin'), async (req, res) => {
    const user = currentUser(req);
    const { page } = pageQuerySchema(REFUSALS_PAGE_SIZE, REFUSALS_PAGE_SIZE).parse(req.query);
    const { items, total } = await listRefusals(ctx.db, user, page);
    res.render('dossiers/refusals', {
      title: 'Phiếu từ chối tiếp nhận',
      items,
      total,
      page,
      pages: Math.max(1, Math.ceil(total / REFUSALS_PAGE_SIZE)),
      agencyNames: user.role === 'admin' ? new Map((await listAgencies(ctx.db)).map((a) => [a.code, a.name])) : null,
    });
  });

  router.get('/ho-so/tu-choi/:id', requireRole('clerk', 'head', 'admin'), async (req, res) => {
    const row = await getRefusal(ctx.db, Number(req.params.id), currentUser(req));
    const head = await formHeadOf(row.agency_code, localDate(row.refused_at));
    res.render('print/refusal', {
      title: `Phiếu từ chối tiếp nhận số ${row.number}`,
      r: row,
      ...head,
      texts: await wording('refusal', row.agency_code, { co_quan: head.deskName, nguoi_nop: row.applicant_name, thu_tuc: row.procedure_name }),
      size: req.query.size === 'a4' ? 'a4' : 'a5',
    });
  });

  router.get('/ho-so', requireUser, async (req, res) => {
    const user = currentUser(req);
    const query = await dossiers.withReportBasis(parseInput(listQuerySchema, req.query), currentUser(req));
    // The header's quick search (`go`) opens the dossier its text is the code of (typed, or scanned from a receipt),
    // or the only dossier it finds (an ID number, a phone, a rare name); more than one are listed.
    const quick = req.query.go !== undefined ? query.q : undefined;
    if (quick) {
      const row = await dossiers.findByCode(quick, user);
      if (row) return res.redirect(303, `/ho-so/${encodeURIComponent(row.code)}`);
    }
    const result = await dossiers.listSummaries(query, user);
    if (quick && query.page === 1 && result.total === 1 && result.items.length === 1) {
      return res.redirect(303, `/ho-so/${encodeURIComponent(result.items[0].code)}`);
    }
    const now = ctx.clock.now();
    /** This list's address with some of its parameters changed (null: left out), never the quick search's `go`. */
    const listUrl = (changes: Record<string, string | null>) => {
      const params = new URLSearchParams(req.query as Record<string, string>);
      params.delete('go');
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) params.delete(k);
        else params.set(k, v);
      }
      return `/ho-so?${params}`;
    };
    res.render('dossiers/list', {
      title: listTitle(query),
      heading: listHeading(query),
      wide: true,
      filter: query,
      result,
      now,
      isLate: lateAt(now),
      fields: await fieldChoices(ctx.db),
      agencies: user.role === 'admin' ? await agencyChoices(ctx.db) : [],
      // A report number's banner names its agency: a head's list has no agency choices, and the banner wrote the code.
      reportAgency: query.report && query.agencyCode ? await getAgency(ctx.db, query.agencyCode) : null,
      pageUrl: (page: number) => listUrl({ page: String(page) }),
      // A text typed with marks found nothing: marked otherwise ("Nguyễn Văn Hung" for "Nguyễn Văn Hưng"), the same
      // text without them may; the page offers that search (from three characters, as the search reads them).
      plainSearch: plainSearchOf(query.q, result.total, (q) => listUrl({ q, page: null })),
    });
  });

  const OK_TEXT: Record<string, string> = {
    received: 'Đã tiếp nhận hồ sơ.',
    request_supplement: 'Đã ghi yêu cầu bổ sung. In phiếu yêu cầu bổ sung để giao cho công dân.',
    receive_supplement: 'Đã nhận hồ sơ bổ sung; thời hạn được tính lại.',
    pause: 'Đã tạm dừng giải quyết; thời hạn ngừng chạy.',
    resume: 'Đã tiếp tục giải quyết; thời hạn chạy tiếp.',
    transfer: 'Đã chuyển hồ sơ.',
    resolve: 'Đã ghi nhận kết quả giải quyết.',
    return: 'Đã trả kết quả cho công dân.',
    withdraw: 'Đã ghi nhận việc rút hồ sơ. In thông báo dừng giải quyết để giao cho công dân.',
    corrected: 'Đã sửa thông tin hồ sơ (lịch sử giữ thông tin cũ). In lại giấy tiếp nhận nếu công dân cần.',
  };

  async function renderDetail(
    req: Request,
    res: Response,
    row: DossierRow,
    extra: Record<string, unknown> = {},
    read?: { events: DossierEventRow[]; letters: LetterRow[] },
  ) {
    const user = currentUser(req);
    const events = read?.events ?? (await dossiers.events(row));
    const now = ctx.clock.now();
    const ok = typeof req.query.ok === 'string' ? OK_TEXT[req.query.ok] : undefined;
    // A desk the dossier was transferred away from reads it and acts on it no more (service.ts handledBefore).
    const handedOn = !dossiers.canSee(row, user);
    const trace = parseTrace(row);
    // The deadline counted on a year's provisional days off (Tết of a year not yet announced): said beside it while a
    // recompute may still move it (open dossiers only).
    const provisionalYears = isOpen(row.status) ? provisionalYearsOf(trace) : [];
    // The papers are asked for once (SUPPLEMENT_REQUESTS=once, the law's): not offered again once asked, by the rule the
    // action itself is refused by.
    const supplementRequests = events.filter((e) => e.type === 'request_supplement');
    const askedOnce = supplementRefusal(ctx.config.supplementRequests, supplementRequests) !== null;
    const actions = user.role === 'head' || handedOn ? [] : allowedActions(row.status).filter((a) => !(askedOnce && a === 'request_supplement'));
    const flash =
      req.query.ok === 'received' && req.query.again === '1'
        ? { kind: 'ok', text: `Phiếu này đã được gửi trước đó: hồ sơ ${row.code} đã được tiếp nhận một lần, không tạo hồ sơ mới. Hẹn trả kết quả ${formatDateTime(row.appointment_at)}.` }
        : req.query.ok === 'received'
        ? { kind: 'ok', text: `Đã tiếp nhận hồ sơ ${row.code}. Hẹn trả kết quả ${formatDateTime(row.appointment_at)}.` }
        : req.query.ok === 'receive_supplement' && row.status === 'processing'
          ? { kind: 'ok', text: `Đã nhận hồ sơ bổ sung. Hẹn trả kết quả ${formatDateTime(row.appointment_at)}: in lại giấy tiếp nhận để giao cho công dân.` }
        : ok
          ? { kind: 'ok', text: ok }
          : null;
    // While the dossier waits for its supplement, the request's slip is printed from the page's head, and right after
    // the request is recorded the button has the focus (Enter prints), as the receipt's has after intake.
    const supplementRequest = row.status === 'awaiting_supplement' ? [...events].reverse().find((e) => e.type === 'request_supplement') : undefined;
    // An appointment a letter gave, on a day that has become a day off since (a holiday announced later).
    const appointmentOff = row.appointment_at !== row.due_at ? appointmentDayOff(await services.calendars.get(now.getTime()), row) : null;
    res.render('dossiers/show', {
      title: `Hồ sơ ${row.code}`,
      d: row,
      supplementRequest,
      justRequested: req.query.ok === 'request_supplement',
      events: events.map((e) => ({ ...e, data: JSON.parse(e.data) })),
      trace,
      provisionalYears: provisionalYears.length ? yearsInWords(provisionalYears) : null,
      late: isLate(row, now),
      appointmentOff,
      // The law asks for a supplement once: the panel says when one was asked before.
      supplementsAsked: supplementRequests.map((e) => e.at),
      mayCorrect: !handedOn && dossiers.mayCorrect(row, user),
      correction: null,
      flash,
      // After intake, and after a supplement received (the appointment moved), Enter prints the receipt.
      justReceived: req.query.ok === 'received' || (req.query.ok === 'receive_supplement' && row.status === 'processing'),
      handedOn,
      actions,
      ACTION_NAMES,
      // The transfer form's choices, only when it is offered: most dossier pages have no use for them. The form leaves
      // out the dossier's own agency.
      agencies: actions.includes('transfer') ? await agencyChoices(ctx.db) : [],
      actionValues: {},
      actionErrors: {},
      openAction: null,
      letters: read?.letters ?? (await lettersOfDossier(ctx.db, row.id)),
      ...extra,
    });
  }

  /**
   * The desk's register asked for (Sổ theo dõi hồ sơ; register.ts askRegister): either its view, or the page to
   * answer instead (its status and what it says beside the form), with what was typed kept.
   */
  async function registerAsked(req: Request) {
    const user = currentUser(req);
    const typed = { from: String(req.query.from ?? ''), to: String(req.query.to ?? ''), agency: String(req.query.agency ?? '') };
    const agencies = user.role === 'admin' ? await agencyChoices(ctx.db) : [];
    const base = { title: 'Sổ theo dõi hồ sơ', values: typed, errors: {}, agencies, days: null, desk: null };
    const refuse = (status: number, extra: Record<string, unknown>) => ({ refused: { status, view: { ...base, ...extra } } }) as const;
    let query;
    try {
      query = parseInput(registerQuerySchema, req.query);
    } catch (err) {
      if (err instanceof ValidationError) return refuse(422, { errors: err.fields });
      throw err;
    }
    const asked = await askRegister(ctx, user, query);
    if (asked.kind === 'no_agency' || asked.kind === 'other_desk') return refuse(403, { message: REGISTER_REFUSALS[asked.kind] });
    const values = { from: asked.from, to: asked.to, agency: query.agency ?? '' };
    if (asked.kind === 'too_many_days') return refuse(422, { values, errors: { to: `Một lần in tối đa ${REGISTER_MAX_DAYS} ngày; chọn "Đến ngày" sớm hơn.` } });
    if (asked.kind === 'unknown_desk') return refuse(422, { values, errors: { agency: `Không có cơ quan mã ${asked.deskCode}.` } });
    if (asked.kind !== 'register') return refuse(200, { values, message: REGISTER_REFUSALS[asked.kind] });
    const { desk, from, to } = asked;
    return {
      view: {
        ...base,
        title: `Sổ theo dõi hồ sơ ${formatDate(from)}${to !== from ? ` – ${formatDate(to)}` : ''}`,
        values,
        desk,
        parent: desk.parentCode ? await getAgency(ctx.db, desk.parentCode) : null,
        from,
        to,
        regime: regimeOn(ctx.config.formRegimes, from),
        printedAt: dateParts(ctx.clock.now()),
        days: asked.days,
        registerCells,
        registerPeriodLine,
        xlsxUrl: `/ho-so/so-theo-doi.xlsx?${new URLSearchParams({ from, to, ...(user.role === 'admin' ? { agency: desk.code } : {}) })}`,
      },
    } as const;
  }

  // The register to print on A4 landscape, and the same lines for Excel.
  router.get('/ho-so/so-theo-doi', requireRole('clerk', 'head', 'admin'), async (req, res) => {
    const asked = await registerAsked(req);
    if ('refused' in asked) return res.status(asked.refused.status).render('print/register', asked.refused.view);
    res.render('print/register', asked.view);
  });

  router.get('/ho-so/so-theo-doi.xlsx', requireRole('clerk', 'head', 'admin'), async (req, res) => {
    const asked = await registerAsked(req);
    if ('refused' in asked) return res.status(asked.refused.status === 200 ? 422 : asked.refused.status).render('print/register', asked.refused.view);
    const v = asked.view;
    const xlsx = await registerXlsx({
      formLine: `Mẫu số ${v.regime.numbers.register} – ${v.regime.circular}`,
      parentName: v.parent ? v.parent.name : ctx.config.placeName,
      deskName: v.desk.name,
      from: v.from,
      to: v.to,
      days: v.days,
    });
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment(`so-theo-doi_${v.desk.code}_${v.from}_${v.to}.xlsx`).send(xlsx);
  });

  router.get('/ho-so/:code', requireUser, async (req, res) => {
    const { row, events, letters } = await dossiers.page(String(req.params.code), currentUser(req));
    await renderDetail(req, res, row, {}, { events, letters });
  });

  router.post('/ho-so/:code/thao-tac', requireUser, async (req, res) => {
    const user = currentUser(req);
    const code = String(req.params.code);
    const values = req.body as Record<string, string>;
    try {
      const input = parseInput(actionInputSchema, {
        ...values,
        at: formInstant(values.atDate, values.atTime, { date: 'atDate', time: 'atTime' }),
      });
      await dossiers.act(code, input, user);
      res.redirect(303, `/ho-so/${encodeURIComponent(code)}?ok=${encodeURIComponent(input.action)}`);
    } catch (err) {
      if (!(err instanceof AppError) || ![403, 409, 422].includes(err.status)) throw err;
      const row = await dossiers.get(code, user);
      const errors: Record<string, string> = {};
      for (const [k, v] of Object.entries(err.fields)) {
        // One of the papers asked for ("items.2"): the field is the list, the message says which.
        const item = /^items\.(\d+)$/.exec(k);
        if (item) errors.items ??= `Giấy tờ thứ ${Number(item[1]) + 1}: ${v}`;
        else errors[k === 'at' ? 'atDate' : k] = v;
      }
      res.status(err.status);
      await renderDetail(req, res, row, {
        flash: { kind: 'error', text: err.message },
        actionValues: values,
        actionErrors: errors,
        openAction: values.action,
      });
    }
  });

  /** Corrects the applicant's details and the papers as intake wrote them (service.ts correct). */
  router.post('/ho-so/:code/sua-thong-tin', requireUser, async (req, res) => {
    const user = currentUser(req);
    const code = String(req.params.code);
    const body = req.body as Record<string, string>;
    try {
      await dossiers.correct(code, parseInput(correctionSchema, { ...formToIntake(body), version: body.version, reason: body.reason }), user);
      res.redirect(303, `/ho-so/${encodeURIComponent(code)}?ok=corrected`);
    } catch (err) {
      if (!(err instanceof AppError) || ![403, 409, 422].includes(err.status)) throw err;
      const row = await dossiers.get(code, user);
      res.status(err.status);
      await renderDetail(req, res, row, {
        flash: { kind: 'error', text: err.message },
        correction: {
          values: body,
          errors: Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k === 'reason' ? 'reason' : (FORM_FIELD[k] ?? k), v])),
        },
      });
    }
  });

  /** Mẫu 02: the supplement request handed to the citizen, from its event in the history. */
  router.get('/ho-so/:code/phieu-bo-sung/:eventId', requireUser, async (req, res) => {
    const row = await dossiers.get(String(req.params.code), currentUser(req));
    const event = (await dossiers.events(row)).find((e) => String(e.id) === req.params.eventId && e.type === 'request_supplement');
    if (!event) throw new NotFoundError('Không tìm thấy yêu cầu bổ sung này.');
    const head = await formHeadOf(row.received_agency_code, localDate(row.received_at));
    const data = JSON.parse(event.data) as { items?: string[] };
    res.render('print/supplement', {
      title: `Phiếu yêu cầu bổ sung ${row.code}`,
      d: row,
      event: { ...event, data },
      papers: (data.items ?? []).map(paperLine),
      ...head,
      texts: await wording('supplement', row.received_agency_code, dossierValues(req, row, head.deskName)),
      size: req.query.size === 'a4' ? 'a4' : 'a5',
    });
  });

  /** Thông báo dừng giải quyết hồ sơ (03/2025 Mẫu 05): for a dossier withdrawn, with the withdrawal's reason and date. */
  router.get('/ho-so/:code/thong-bao-dung', requireUser, async (req, res) => {
    const row = await dossiers.get(String(req.params.code), currentUser(req));
    const event = (await dossiers.events(row)).filter((e) => e.type === 'withdraw').pop();
    if (row.status !== 'withdrawn' || !event) throw new NotFoundError('Hồ sơ này chưa dừng giải quyết (chưa rút), không có thông báo dừng.');
    const head = await formHeadOf(row.received_agency_code, localDate(row.received_at));
    res.render('print/stop', {
      title: `Thông báo dừng giải quyết ${row.code}`,
      d: row,
      event: { ...event, data: JSON.parse(event.data) },
      ...head,
      texts: await wording('stop', row.received_agency_code, {
        ...dossierValues(req, row, head.deskName),
        ngay_tiep_nhan: formatDate(row.received_at),
        ngay_dung: formatDate(event.at),
      }),
      size: req.query.size === 'a4' ? 'a4' : 'a5',
    });
  });

  /** Phiếu kiểm soát quá trình giải quyết hồ sơ: every hand-over with its time and whether it kept the deadline. */
  router.get('/ho-so/:code/phieu-kiem-soat', requireUser, async (req, res) => {
    const row = await dossiers.get(String(req.params.code), currentUser(req));
    const events = await dossiers.events(row);
    const agencies = new Map((await listAgencies(ctx.db)).map((a) => [a.code, a.name]));
    res.render('print/control-slip', {
      title: `Phiếu kiểm soát ${row.code}`,
      d: row,
      steps: controlSlipSteps(row, events, (code) => agencies.get(code) ?? code),
      coordinating: coordinatingAgencies(row, events).map((code) => agencies.get(code) ?? code),
      TIMELINESS_NAMES,
      ...(await formHeadOf(row.received_agency_code, localDate(row.received_at))),
      size: req.query.size === 'a5' ? 'a5' : 'a4',
    });
  });

  router.get('/ho-so/:code/giay-tiep-nhan', requireUser, async (req, res) => {
    const user = currentUser(req);
    const row = await dossiers.get(String(req.params.code), user);
    const head = await formHeadOf(row.received_agency_code, localDate(row.received_at));
    const url = publicLookupUrl(ctx, req, row.code);
    const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
    const procedureRow = await ctx.db('procedures').where({ code: row.procedure_code }).first();
    const receiver = row.created_by ? await ctx.db('users').where({ id: row.created_by }).first() : null;
    res.render('print/receipt', {
      title: `Giấy tiếp nhận ${row.code}`,
      d: row,
      procedure: procedureRow,
      ...head,
      texts: await wording('receipt', row.received_agency_code, { ...dossierValues(req, row, head.deskName), hen_tra: vnDateTimeWords(row.appointment_at) }),
      size: req.query.size === 'a4' ? 'a4' : 'a5',
      lookupUrl: url,
      lookupInside: insideLookupHost(ctx, url),
      qrSvg,
      receiverName: receiver?.full_name ?? '',
      // The line of the day in the register; an imported dossier's own code has none ("Số thứ tự: NaN" was printed).
      registerNumber: dailyNumber(row.code, row.received_agency_code, row.received_at),
      // An appointment counted on a provisional year's days off may move when the official schedule comes: the paper
      // says so, as the citizen holds it (an appointment a letter set is a head's own date, not the calendar's).
      dueNotice: row.appointment_at === row.due_at ? provisionalDueNotice(provisionalYearsOf(parseTrace(row))) : null,
    });
  });

  return router;
}


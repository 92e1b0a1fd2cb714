import { Router, type Request } from 'express';
import QRCode from 'qrcode';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { getAgency, listAgencies, listFields, listProcedures } from '../catalog/repository';
import { AppError, ValidationError } from '../shared/errors';
import { parseInput } from '../shared/http';
import { formatDateTime, localDate, weekdayName } from '../shared/format';
import { regimeOn } from '../forms/regime';
import { intakeSchema, listQuerySchema } from './schema';
import { parseTrace, isLate, type DossierRow } from './repository';

/** The flat intake form -> the API's input shape. */
export function formToIntake(body: Record<string, unknown>) {
  const receivedDate = String(body.receivedDate ?? '').trim();
  const receivedTime = String(body.receivedTime ?? '').trim() || '00:00';
  return {
    procedureCode: body.procedureCode,
    agencyCode: body.agencyCode,
    channel: body.channel,
    sets: body.sets,
    documents: body.documents,
    applicant: {
      name: body.applicantName,
      idNumber: body.applicantIdNumber,
      phone: body.applicantPhone,
      email: body.applicantEmail,
      address: body.applicantAddress,
    },
    receivedAt: receivedDate ? `${receivedDate}T${receivedTime}:00+07:00` : undefined,
  };
}

/** Field names of the API shape -> the form's input names, so errors land beside the right input. */
const FORM_FIELD: Record<string, string> = {
  'applicant.name': 'applicantName',
  'applicant.idNumber': 'applicantIdNumber',
  'applicant.phone': 'applicantPhone',
  'applicant.email': 'applicantEmail',
  'applicant.address': 'applicantAddress',
  receivedAt: 'receivedDate',
};

export function publicLookupUrl(ctx: AppContext, req: Request, code: string): string {
  const base = ctx.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${base.replace(/\/$/, '')}/tra-cuu/${encodeURIComponent(code)}`;
}

export function dossierPages(ctx: AppContext, services: Services): Router {
  const router = Router();
  const { dossiers } = services;

  async function intakeFormData(req: Request) {
    const user = currentUser(req);
    const agency = user.agencyCode ? await getAgency(ctx.db, user.agencyCode) : null;
    const procedures = await listProcedures(ctx.db, { activeOnly: true, forAgency: agency ?? undefined });
    const groups = new Map<string, { fieldName: string; items: typeof procedures }>();
    for (const p of procedures) {
      if (!groups.has(p.fieldCode)) groups.set(p.fieldCode, { fieldName: p.fieldName, items: [] });
      groups.get(p.fieldCode)!.items.push(p);
    }
    const agencies = user.role === 'admin' ? await listAgencies(ctx.db) : [];
    return { agency, groups: [...groups.values()], agencies };
  }

  router.get('/ho-so/moi', requireRole('clerk', 'admin'), async (req, res) => {
    res.render('dossiers/new', {
      title: 'Tiếp nhận hồ sơ',
      values: { channel: 'in_person', sets: '1' },
      errors: {},
      preview: null,
      ...(await intakeFormData(req)),
    });
  });

  /** Due-date preview for the form's script: nothing is written. */
  router.get('/ho-so/han-du-kien', requireUser, async (req, res) => {
    const code = String(req.query.procedureCode ?? '');
    const at = typeof req.query.receivedAt === 'string' && req.query.receivedAt ? new Date(req.query.receivedAt) : ctx.clock.now();
    if (Number.isNaN(at.getTime())) throw new ValidationError({ receivedAt: 'Thời điểm không hợp lệ.' });
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
      const row = await dossiers.receive(input, user);
      res.redirect(303, `/ho-so/${encodeURIComponent(row.code)}?ok=received`);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 422 && err.status !== 403)) throw err;
      const errors: Record<string, string> = {};
      for (const [k, v] of Object.entries(err.fields)) errors[FORM_FIELD[k] ?? k] = v;
      res.status(err.status).render('dossiers/new', {
        title: 'Tiếp nhận hồ sơ',
        values,
        errors,
        message: err.message,
        preview: null,
        ...(await intakeFormData(req)),
      });
    }
  });

  router.get('/ho-so', requireUser, async (req, res) => {
    const user = currentUser(req);
    const query = listQuerySchema.parse(req.query);
    const result = await dossiers.list(query, user);
    const now = ctx.clock.now();
    res.render('dossiers/list', {
      title: query.late ? 'Hồ sơ quá hạn' : query.dueSoon ? 'Hồ sơ sắp đến hạn' : 'Danh sách hồ sơ',
      wide: true,
      filter: query,
      result,
      now,
      isLate: (row: DossierRow) => isLate(row, now),
      fields: await listFields(ctx.db),
      agencies: user.role === 'admin' ? await listAgencies(ctx.db) : [],
      pageUrl: (page: number) => {
        const params = new URLSearchParams(req.query as Record<string, string>);
        params.set('page', String(page));
        return `/ho-so?${params}`;
      },
    });
  });

  router.get('/ho-so/:code', requireUser, async (req, res) => {
    const user = currentUser(req);
    const row = await dossiers.get(String(req.params.code), user);
    const events = await dossiers.events(row);
    const now = ctx.clock.now();
    const ok = req.query.ok === 'received' ? { kind: 'ok', text: `Đã tiếp nhận hồ sơ ${row.code}. Hẹn trả kết quả ${formatDateTime(row.appointment_at)}.` } : null;
    res.render('dossiers/show', {
      title: `Hồ sơ ${row.code}`,
      d: row,
      events: events.map((e) => ({ ...e, data: JSON.parse(e.data) })),
      trace: parseTrace(row),
      late: isLate(row, now),
      flash: ok,
      justReceived: req.query.ok === 'received',
    });
  });

  router.get('/ho-so/:code/giay-tiep-nhan', requireUser, async (req, res) => {
    const user = currentUser(req);
    const row = await dossiers.get(String(req.params.code), user);
    const receivingAgency = await getAgency(ctx.db, row.received_agency_code);
    const parent = receivingAgency?.parentCode ? await getAgency(ctx.db, receivingAgency.parentCode) : null;
    const url = publicLookupUrl(ctx, req, row.code);
    const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
    const procedureRow = await ctx.db('procedures').where({ code: row.procedure_code }).first();
    const receiver = row.created_by ? await ctx.db('users').where({ id: row.created_by }).first() : null;
    res.render('print/receipt', {
      title: `Giấy tiếp nhận ${row.code}`,
      d: row,
      procedure: procedureRow,
      agency: receivingAgency,
      parent,
      regime: regimeOn(localDate(row.received_at)),
      size: req.query.size === 'a4' ? 'a4' : 'a5',
      lookupUrl: url,
      qrSvg,
      receiverName: receiver?.full_name ?? '',
    });
  });

  return router;
}


// The admin's page of the forms' wording (/quan-tri/mau-phieu): per form, for every agency or one, each slot's text
// with what it inherits shown, saved or dropped as a whole; and a print of the form with sample facts to see it.
import { Router, type Response } from 'express';
import QRCode from 'qrcode';
import { audit } from '../audit/log';
import { currentUser, requireRole } from '../auth/guard';
import { getAgency, listAgencies, type Agency } from '../catalog/repository';
import { vnDateTimeWords } from '../letters/draft';
import type { AppContext } from '../shared/context';
import { NotFoundError } from '../shared/errors';
import { formatDate, localDate } from '../shared/format';
import { firstValue, z } from '../shared/validation';
import { customisedAgencies, EVERY_AGENCY, formHead, formWording, resetTexts, saveTexts, storedTexts } from './repository';
import { FORM_KEYS, FORM_TEXTS, isFormKey, paperLine, readTexts, resolveTexts, type FormKey } from './texts';
import { publicLookupUrl } from '../dossiers/routes';

const querySchema = z.object({
  form: firstValue(z.enum(FORM_KEYS)).catch('receipt'),
  agency: firstValue(z.string().max(64)).catch(EVERY_AGENCY),
});

export function formTextPages(ctx: AppContext): Router {
  const router = Router();
  router.use(requireRole('admin'));

  /** The agency a page is about: '*' (every agency) or one that exists. */
  async function agencyOf(code: string): Promise<Agency | null> {
    if (code === EVERY_AGENCY) return null;
    const agency = await getAgency(ctx.db, code);
    if (!agency) throw new NotFoundError(`Không có cơ quan mã ${code}.`);
    return agency;
  }

  const pageHref = (form: FormKey, agencyCode: string, extra = '') =>
    `/quan-tri/mau-phieu?form=${form}&agency=${encodeURIComponent(agencyCode)}${extra}`;

  router.get('/', async (req, res) => {
    const { form, agency } = querySchema.parse(req.query);
    await agencyOf(agency);
    const ok = req.query.ok === 'saved' ? 'Đã lưu lời văn của phiếu.' : req.query.ok === 'reset' ? 'Đã xóa lời văn riêng; dùng lại lời văn chung.' : null;
    await renderPage(res, form, agency, { flash: ok ? { kind: 'ok', text: ok } : null });
  });

  router.post('/', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const form = body.form;
    if (!isFormKey(form)) throw new NotFoundError('Không có mẫu phiếu này.');
    const agencyCode = typeof body.agency === 'string' ? body.agency : '';
    await agencyOf(agencyCode);
    if (body.op === 'reset') {
      await ctx.db.transaction(async (trx) => {
        await resetTexts(trx, form, agencyCode);
        await audit(ctx, req, 'form_texts_reset', agencyCode, { form }, { db: trx });
      });
      return res.redirect(303, pageHref(form, agencyCode, '&ok=reset'));
    }
    const { input, errors } = readTexts(form, body);
    if (Object.keys(errors).length) {
      res.status(422);
      return renderPage(res, form, agencyCode, {
        values: body,
        errors,
        flash: { kind: 'error', text: 'Lời văn chưa lưu được, vui lòng sửa các ô được đánh dấu.' },
      });
    }
    await ctx.db.transaction(async (trx) => {
      await saveTexts(trx, form, agencyCode, input, currentUser(req).fullName, ctx.clock.now());
      await audit(ctx, req, 'form_texts_saved', agencyCode, { form, ...input }, { db: trx });
    });
    res.redirect(303, pageHref(form, agencyCode, '&ok=saved'));
  });

  /** The form as it prints now for the agency, with sample facts (nothing of a real dossier). */
  router.get('/xem-thu', async (req, res) => {
    const { form, agency: agencyCode } = querySchema.parse(req.query);
    const now = ctx.clock.now();
    const deskCode = agencyCode === EVERY_AGENCY ? null : agencyCode;
    const head = await formHead(ctx.db, ctx.config.formRegimes, deskCode, localDate(now));
    if (deskCode && !head.agency) throw new NotFoundError(`Không có cơ quan mã ${deskCode}.`);
    const sample = sampleFacts(now, currentUser(req).fullName);
    const lookupUrl = publicLookupUrl(ctx, req, sample.d.code);
    const texts = await formWording(ctx.db, form, deskCode, {
      co_quan: head.deskName,
      nguoi_nop: sample.d.applicant_name,
      thu_tuc: sample.d.procedure_name,
      ma_ho_so: sample.d.code,
      tra_cuu: lookupUrl,
      hen_tra: vnDateTimeWords(sample.d.appointment_at),
      ngay_tiep_nhan: formatDate(sample.d.received_at),
      ngay_dung: formatDate(now),
    });
    res.render(`print/${form}`, {
      title: `Xem thử: ${FORM_TEXTS[form].name}`,
      ...sample,
      texts,
      ...head,
      size: req.query.size === 'a4' ? 'a4' : 'a5',
      preview: { back: pageHref(form, agencyCode), sizeQuery: `form=${form}&agency=${encodeURIComponent(agencyCode)}&` },
      lookupUrl,
      registerNumber: 1,
      qrSvg: await QRCode.toString(lookupUrl, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' }),
    });
  });

  async function renderPage(res: Response, form: FormKey, agencyCode: string, extra: Record<string, unknown>) {
    const agencies = await listAgencies(ctx.db);
    const stored = await storedTexts(ctx.db, form, agencyCode);
    const common = agencyCode === EVERY_AGENCY ? null : await storedTexts(ctx.db, form, EVERY_AGENCY);
    res.render('admin/form-texts', {
      title: `Lời văn mẫu phiếu: ${FORM_TEXTS[form].name}`,
      section: 'forms',
      def: FORM_TEXTS[form],
      forms: FORM_KEYS.map((k) => FORM_TEXTS[k]),
      regimes: ctx.config.formRegimes.flatMap((r) => {
        const number = r.numbers[FORM_TEXTS[form].regimeNumber];
        return number ? [{ circular: r.circular, number }] : [];
      }),
      agencies,
      agencyCode,
      EVERY_AGENCY,
      customised: await customisedAgencies(ctx.db, form),
      stored,
      values: stored?.texts ?? {},
      errors: {},
      inherited: resolveTexts(form, common?.texts),
      flash: null,
      ...extra,
    });
  }

  return router;
}

/** What the preview prints in place of a dossier's facts: plainly a sample. */
/** The papers of the sample supplement request: one with its counts, as a clerk writes them, one without. */
const SAMPLE_PAPERS = ['Giấy tờ còn thiếu (01 bản chính, 01 bản photo)', 'Giấy tờ khác (dữ liệu mẫu)'];

function sampleFacts(now: Date, actorName: string) {
  const applicant = {
    applicant_name: 'Nguyễn Văn Mẫu',
    applicant_address: '1 đường Mẫu, phường Mẫu',
    applicant_phone: '0900000000',
    applicant_email: null,
  };
  const procedure_name = 'Tên thủ tục hành chính (dữ liệu mẫu)';
  return {
    d: {
      ...applicant,
      code: 'XEM-THU-0001',
      procedure_name,
      procedure_code: '0.000000',
      channel: 'in_person',
      sets: 1,
      documents: 'Tờ khai (bản chính)\nGiấy tờ kèm theo (bản sao)',
      received_at: now.toISOString(),
      appointment_at: new Date(now.getTime() + 3 * 86_400_000).toISOString(),
    },
    procedure: { statutory_days: 3, duration_value: 3, duration_unit: 'working_days', fee: null },
    receiverName: actorName,
    event: { at: now.toISOString(), actor_name: actorName, data: { items: SAMPLE_PAPERS, reason: 'Lý do (dữ liệu mẫu).' } },
    papers: SAMPLE_PAPERS.map(paperLine),
    r: { ...applicant, number: 0, year: Number(localDate(now).slice(0, 4)), refused_at: now.toISOString(), procedure_name, reason: 'Lý do từ chối (dữ liệu mẫu).', actor_name: actorName },
  };
}

import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { findDossier } from '../dossiers/repository';
import { STATUS_NAMES } from '../dossiers/status';
import { isoLocal } from '../shared/format';
import { NotFoundError } from '../shared/errors';

const CODE = /^[0-9A-Za-z.\-_]{3,100}$/;

/** What anyone may know of a dossier: never the applicant's personal data. */
async function publicView(ctx: AppContext, code: string) {
  if (!CODE.test(code)) return null;
  const row = await findDossier(ctx.db, code);
  if (!row) return null;
  return {
    code: row.code,
    procedureName: row.procedure_name!,
    agencyName: row.agency_name!,
    status: row.status,
    statusName: STATUS_NAMES[row.status],
    receivedAt: row.received_at,
    appointmentAt: row.appointment_at,
  };
}

export function publicRoutes(ctx: AppContext, _services: Services): Router {
  const router = Router();

  router.get('/tra-cuu', async (req, res) => {
    const code = typeof req.query.ma === 'string' ? req.query.ma.trim() : '';
    if (code) return res.redirect(`/tra-cuu/${encodeURIComponent(code)}`);
    res.render('public/lookup', { title: 'Tra cứu hồ sơ', code: '', dossier: null, notFound: false });
  });

  router.get('/tra-cuu/:code', async (req, res) => {
    const dossier = await publicView(ctx, req.params.code);
    res.status(dossier ? 200 : 404).render('public/lookup', {
      title: 'Tra cứu hồ sơ',
      code: req.params.code,
      dossier,
      notFound: !dossier,
    });
  });

  router.get('/api/v1/public/dossiers/:code', async (req, res) => {
    const dossier = await publicView(ctx, req.params.code);
    if (!dossier) throw new NotFoundError('Không tìm thấy hồ sơ với mã này.');
    res.json({
      code: dossier.code,
      procedureName: dossier.procedureName,
      status: dossier.status,
      statusName: dossier.statusName,
      receivedAt: isoLocal(dossier.receivedAt),
      appointmentAt: isoLocal(dossier.appointmentAt),
    });
  });

  return router;
}

import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { requireUser, currentUser } from '../auth/guard';
import { listQuerySchema } from '../dossiers/schema';

export function homeRoutes(_ctx: AppContext, services: Services): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const user = currentUser(req);
    const count = async (q: Record<string, unknown>) =>
      (await services.dossiers.list(listQuerySchema.parse({ ...q, pageSize: 1 }), user)).total; // fixed, valid filters
    const [open, dueSoon, late, awaiting] = await Promise.all([
      count({ status: 'open' }),
      count({ dueSoon: true }),
      count({ late: true, status: 'open' }),
      count({ status: 'awaiting_supplement' }),
    ]);
    res.render('home/index', { title: 'Trang chính', counts: { open, dueSoon, late, awaiting } });
  });
  return router;
}

import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { requireUser, currentUser } from '../auth/guard';
import { listQuerySchema } from '../dossiers/schema';
import { lateAt } from '../dossiers/repository';

/** How many dossiers each short list on the home page shows; the full list is one click away. */
const SHORT_LIST = 8;

/**
 * The start page: the counters of the desk's work, the open dossiers whose deadline comes first (late ones on
 * top), and for a clerk the dossiers they received most recently, to reprint a receipt without searching.
 */
export function homeRoutes(ctx: AppContext, services: Services): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const user = currentUser(req);
    // fixed, valid filters
    const count = (q: Record<string, unknown>) => services.dossiers.count(listQuerySchema.parse(q), user);
    const [open, dueSoon, late, awaiting, toReturn, firstDue, recent] = await Promise.all([
      count({ status: 'open' }),
      count({ dueSoon: true }),
      count({ late: true, status: 'open' }),
      count({ status: 'awaiting_supplement' }),
      count({ status: 'resolved' }),
      services.dossiers.listSummaries(listQuerySchema.parse({ status: 'processing', sort: 'due', pageSize: SHORT_LIST }), user),
      user.role === 'clerk' ? services.dossiers.recentlyReceived(user, SHORT_LIST) : null,
    ]);
    const now = ctx.clock.now();
    res.render('home/index', {
      title: 'Trang chính',
      wide: true,
      counts: { open, dueSoon, late, awaiting, toReturn },
      firstDue: firstDue.items,
      recent,
      isLate: lateAt(now),
    });
  });
  return router;
}

import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { parseInput } from '../shared/http';
import { intakeSchema, listQuerySchema } from './schema';
import { parseTrace, toDossierJson, toEventJson } from './repository';

export function dossierApi(ctx: AppContext, services: Services): Router {
  const router = Router();
  const { dossiers } = services;

  router.post('/dossiers', requireRole('clerk', 'admin'), async (req, res) => {
    const input = parseInput(intakeSchema, req.body);
    const row = await dossiers.receive(input, currentUser(req));
    res.status(201).location(`/api/v1/dossiers/${encodeURIComponent(row.code)}`).json(toDossierJson(row, ctx.clock.now()));
  });

  router.get('/dossiers', requireUser, async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const { items, total } = await dossiers.list(query, currentUser(req));
    const now = ctx.clock.now();
    res.json({ items: items.map((r) => toDossierJson(r, now)), total, page: query.page, pageSize: query.pageSize });
  });

  router.get('/dossiers/:code', requireUser, async (req, res) => {
    const row = await dossiers.get(String(req.params.code), currentUser(req));
    const events = await dossiers.events(row);
    res.json({ ...toDossierJson(row, ctx.clock.now()), events: events.map(toEventJson), dueTrace: parseTrace(row) });
  });

  return router;
}

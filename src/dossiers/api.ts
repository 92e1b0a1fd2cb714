import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { parseInput } from '../shared/http';
import { actionInputSchema, intakeSchema, listQuerySchema } from './schema';
import { toDossierJson, toEventJson, traceJson } from './repository';

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

  const full = async (row: Awaited<ReturnType<typeof dossiers.get>>) => ({
    ...toDossierJson(row, ctx.clock.now()),
    events: (await dossiers.events(row)).map(toEventJson),
    dueTrace: traceJson(row),
  });

  router.get('/dossiers/:code', requireUser, async (req, res) => {
    res.json(await full(await dossiers.get(String(req.params.code), currentUser(req))));
  });

  router.post('/dossiers/:code/actions', requireUser, async (req, res) => {
    const input = parseInput(actionInputSchema, req.body);
    const row = await dossiers.act(String(req.params.code), input, currentUser(req));
    res.json(await full(row));
  });

  return router;
}

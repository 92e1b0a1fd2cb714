import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { parseInput } from '../shared/http';
import { z } from '../shared/validation';
import { actionInputSchema, intakeSchema, listQuerySchema, refusalSchema } from './schema';
import { getRefusal, listRefusals, refuseIntake, toRefusalJson } from './refusals';
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

  // Refusals to receive (Mẫu 03): a clerk's at their desk, an admin's at the desk named or the procedure's agency.
  router.post('/refusals', requireRole('clerk', 'admin'), async (req, res) => {
    const row = await refuseIntake(ctx.db, parseInput(refusalSchema, req.body), currentUser(req), ctx.clock.now());
    res.status(201).location(`/api/v1/refusals/${row.id}`).json(toRefusalJson(row));
  });

  router.get('/refusals', requireUser, async (req, res) => {
    const query = parseInput(
      z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1), pageSize: z.coerce.number().int().min(1).max(500).default(50) }),
      req.query,
    );
    const { items, total } = await listRefusals(ctx.db, currentUser(req), query.page, query.pageSize);
    res.json({ items: items.map(toRefusalJson), total, page: query.page, pageSize: query.pageSize });
  });

  router.get('/refusals/:id', requireUser, async (req, res) => {
    res.json(toRefusalJson(await getRefusal(ctx.db, Number(req.params.id), currentUser(req))));
  });

  return router;
}

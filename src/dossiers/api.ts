import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';
import { currentUser, requireRole, requireUser } from '../auth/guard';
import { parseInput } from '../shared/http';
import { z } from '../shared/validation';
import { ForbiddenError, ValidationError } from '../shared/errors';
import { actionInputSchema, apiListChecks, intakeSchema, listQuerySchema, refusalSchema, registerApiQuerySchema } from './schema';
import { askRegister, registerLineJson, REGISTER_MAX_DAYS, REGISTER_REFUSALS } from './register';
import { regimeOn } from '../forms/regime';
import { getRefusal, listRefusals, refuseIntake, REFUSALS_PAGE_SIZE, toRefusalJson } from './refusals';
import { strictPageFields } from '../api/pagination';
import { toDossierJson, toEventJson, traceJson } from './repository';

/** An Idempotency-Key header: 1 to 100 printable ASCII characters (a UUID, say), or none. */
export function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\x21-\x7e]{1,100}$/.test(header)) {
    throw new ValidationError({ 'Idempotency-Key': 'Khóa Idempotency-Key gồm 1 đến 100 ký tự ASCII in được, không dấu cách (ví dụ một UUID).' });
  }
  return header;
}

export function dossierApi(ctx: AppContext, services: Services): Router {
  const router = Router();
  const { dossiers } = services;

  // With an Idempotency-Key, a POST sent again (a timeout, a retry) answers the dossier the first one made: 200 and
  // Idempotent-Replayed: true, where the first answered 201 (service.ts receiveOnce).
  router.post('/dossiers', requireRole('clerk', 'admin'), async (req, res) => {
    const key = idempotencyKey(req.get('Idempotency-Key'));
    const input = parseInput(intakeSchema, req.body);
    const { row, replayed } = await dossiers.receiveOnce(input, currentUser(req), key);
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.status(replayed ? 200 : 201).location(`/api/v1/dossiers/${encodeURIComponent(row.code)}`).json(toDossierJson(row, ctx.clock.now()));
  });

  router.get('/dossiers', requireUser, async (req, res) => {
    parseInput(apiListChecks, req.query);
    const query = await dossiers.withReportBasis(parseInput(listQuerySchema, req.query), currentUser(req));
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
    const query = parseInput(z.object(strictPageFields(REFUSALS_PAGE_SIZE, 500)), req.query);
    const { items, total } = await listRefusals(ctx.db, currentUser(req), query.page, query.pageSize);
    res.json({ items: items.map(toRefusalJson), total, page: query.page, pageSize: query.pageSize });
  });

  router.get('/refusals/:id', requireUser, async (req, res) => {
    res.json(toRefusalJson(await getRefusal(ctx.db, Number(req.params.id), currentUser(req))));
  });

  // The desk's register (Sổ theo dõi hồ sơ) as data: the lines the page prints, for the days asked.
  router.get('/register', requireRole('clerk', 'head', 'admin'), async (req, res) => {
    const query = parseInput(registerApiQuerySchema, req.query);
    const asked = await askRegister(ctx, currentUser(req), { from: query.from, to: query.to, agency: query.agencyCode });
    if (asked.kind === 'no_agency' || asked.kind === 'other_desk') throw new ForbiddenError(REGISTER_REFUSALS[asked.kind]);
    if (asked.kind !== 'register') {
      throw new ValidationError(
        asked.kind === 'too_many_days' ? { to: `Tối đa ${REGISTER_MAX_DAYS} ngày một lần: to cách from không quá ${REGISTER_MAX_DAYS - 1} ngày.` }
        : asked.kind === 'unknown_desk' ? { agencyCode: `Không có cơ quan mã ${asked.deskCode}.` }
        : asked.kind === 'no_desk' ? { agencyCode: 'Quản trị viên cần chọn cơ quan có sổ (agencyCode).' }
        : { to: REGISTER_REFUSALS.too_long },
      );
    }
    const regime = regimeOn(ctx.config.formRegimes, asked.from);
    res.json({
      agencyCode: asked.desk.code,
      agencyName: asked.desk.name,
      from: asked.from,
      to: asked.to,
      form: `Mẫu số ${regime.numbers.register} – ${regime.circular}`,
      days: asked.days.map((d) => ({ date: d.date, lines: d.lines.map(registerLineJson) })),
    });
  });

  return router;
}

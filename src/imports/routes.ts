import express, { Router, type Request, type Response } from 'express';
import path from 'node:path';
import type { AppContext } from '../shared/context';
import { audit } from '../audit/log';
import type { Services } from '../app';
import { requireRole } from '../auth/guard';
import { ConflictError } from '../shared/errors';
import { formatNumber } from '../shared/format';
import { STATUS_NAMES, type Status } from '../dossiers/status';
import {
  COLUMN_DOCS,
  describeProblem,
  IMPORT_COLUMNS,
  importDossiers,
  INSTANT_FORMATS,
  PHASE_NAMES,
  REQUIRED_COLUMNS,
  type ImportProgress,
  type ImportResult,
} from './service';

export const SAMPLE_FILE = path.resolve(import.meta.dirname, '../../docs/import-sample.csv');
/** A file of 200,000 rows is about 40 MB. */
const MAX_UPLOAD = '80mb';

/** What the page (and the streamed answer) shows of a result: the statuses and the problems in words too. */
export function resultView(result: ImportResult) {
  if (result.ok) {
    const statusText = Object.entries(result.byStatus)
      .map(([s, n]) => `${STATUS_NAMES[s as Status]}: ${formatNumber(n)}`)
      .join('; ');
    return { ...result, statusText };
  }
  return { ...result, problems: result.problems.map((p) => ({ ...p, text: describeProblem(p) })) };
}

/**
 * Admin page for importing dossiers from CSV, mounted at /quan-tri/nhap-du-lieu. The page's script posts the
 * file as text/csv and reads back a stream of progress lines (NDJSON), the last one the result; without
 * script, a pasted CSV is posted as a form and the result comes back on the page.
 */
export function importPages(ctx: AppContext, services: Services): Router {
  const router = Router();
  router.use(requireRole('admin'));
  // One import at a time: on SQLite the write holds the only connection, and two files could race on codes.
  let running = false;

  async function run(req: Request, text: string, onProgress?: (p: ImportProgress) => void): Promise<ImportResult> {
    if (running) throw new ConflictError('Đang có một lần nhập dữ liệu khác chạy. Vui lòng đợi lần đó xong rồi thử lại.', 'import_running');
    running = true;
    try {
      const now = ctx.clock.now();
      const calendar = await services.calendars.get(now.getTime());
      const result = await importDossiers(ctx.db, text, { now, calendar, onProgress });
      // Refused files are logged too: who tried to load what is part of the record.
      await audit(ctx, req, 'import', null, result.ok
        ? { ok: true, rows: result.rows, keptCodes: result.keptCodes, generatedCodes: result.generatedCodes, firstCodes: result.sample.slice(0, 5) }
        : { ok: false, rows: result.rows, problems: result.problems.length });
      return result;
    } finally {
      running = false;
    }
  }

  const render = (res: Response, extra: object = {}, status = 200) =>
    res.status(status).render('imports/index', {
      title: 'Nhập hồ sơ từ hệ thống khác',
      section: 'imports',
      columns: IMPORT_COLUMNS.map((name) => ({ name, required: REQUIRED_COLUMNS.includes(name), text: COLUMN_DOCS[name] })),
      instantFormats: INSTANT_FORMATS,
      phaseNames: PHASE_NAMES,
      result: null,
      pasted: '',
      ...extra,
    });

  router.get('/', (_req, res) => render(res));

  router.get('/mau.csv', (_req, res) => {
    res.download(SAMPLE_FILE, 'mau-nhap-ho-so.csv', { headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
  });

  // The page's script: the file as text/csv, answered with progress lines and then the result.
  router.post('/', express.text({ type: 'text/csv', limit: MAX_UPLOAD }), async (req: Request, res: Response, next) => {
    if (!req.is('text/csv')) return next();
    if (running) return next(new ConflictError('Đang có một lần nhập dữ liệu khác chạy. Vui lòng đợi lần đó xong rồi thử lại.', 'import_running'));
    res.status(200);
    res.set({ 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const send = (line: object) => res.write(`${JSON.stringify(line)}\n`);
    try {
      const result = await run(req, typeof req.body === 'string' ? req.body : '', (p) => send({ type: 'progress', ...p }));
      send({ type: 'result', ...resultView(result) });
    } catch (err) {
      ctx.log('Import failed', err);
      send({ type: 'error', message: err instanceof ConflictError ? err.message : 'Nhập dữ liệu thất bại do lỗi hệ thống; không có gì được ghi. Vui lòng báo quản trị viên.' });
    }
    res.end();
  });

  // Without script: a pasted CSV in a form.
  router.post('/', async (req, res) => {
    const pasted = typeof req.body?.csv === 'string' ? req.body.csv : '';
    const result = await run(req, pasted);
    render(res, { result: resultView(result), pasted: result.ok ? '' : pasted }, result.ok ? 200 : 422);
  });

  return router;
}

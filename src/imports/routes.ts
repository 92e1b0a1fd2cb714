import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import type { AppContext } from '../shared/context';
import { audit } from '../audit/log';
import type { Services } from '../app';
import { requireRole } from '../auth/guard';
import { AppError, ConflictError } from '../shared/errors';
import { errorJson } from '../shared/http';
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

const MB = 1024 * 1024;
/** Heap an import holds for each byte of its file (importHeapNeed). */
const HEAP_PER_FILE_BYTE = 3.5;

/**
 * The heap an import of a file of this many bytes needs on top of what the server holds already: the file's text (two
 * bytes a character once a Vietnamese letter is in it), a few numbers a row, a thousand rows being written, and room
 * for the collector. Measured through this page, on servers limited by --max-old-space-size (docs/IMPORT.md, Memory):
 * 80 MB ran out of memory under 256 MB and imported under 320; 26 MB ran out under 96 MB, 22 MB imported under 128.
 */
export function importHeapNeed(fileBytes: number): number {
  return HEAP_PER_FILE_BYTE * fileBytes + 16 * MB;
}

/**
 * What V8's heap_size_limit counts beyond the old generation, where a file's text and rows live: the young generation
 * (measured on Node 20, 64-bit: --max-old-space-size=64, 96, 256 give limits of 112, 144, 304 MB).
 */
export const YOUNG_GENERATION = 48 * MB;

/**
 * What a file needs that the heap does not have now, in MB, and the largest file that would fit; null when it fits.
 * `limit` is V8's heap_size_limit, `used` its used_heap_size.
 */
export function heapShortfall(fileBytes: number, heap: { limit: number; used: number }): { fileMb: number; needMb: number; freeMb: number; fitsMb: number } | null {
  const free = heap.limit - YOUNG_GENERATION - heap.used;
  const need = importHeapNeed(fileBytes);
  if (need <= free) return null;
  const fits = Math.max(0, (free - importHeapNeed(0)) / HEAP_PER_FILE_BYTE);
  return { fileMb: Math.ceil(fileBytes / MB), needMb: Math.ceil(need / MB), freeMb: Math.max(0, Math.floor(free / MB)), fitsMb: Math.floor(fits / MB) };
}

/** The refusal of a file the heap has no room for, in words an admin can act on. */
export function heapShortfallMessage(s: NonNullable<ReturnType<typeof heapShortfall>>): string {
  const what = `Máy chủ không đủ bộ nhớ để nhập tệp ${formatNumber(s.fileMb)} MB lúc này: cần khoảng ${formatNumber(s.needMb)} MB, còn trống ${formatNumber(s.freeMb)} MB. Chưa ghi gì vào cơ sở dữ liệu.`;
  const then = s.fitsMb >= 1
    ? ` Hãy chia tệp thành các phần dưới ${formatNumber(s.fitsMb)} MB (phần nào cũng giữ dòng tiêu đề) rồi nhập lần lượt, hoặc nhờ quản trị viên cấp thêm bộ nhớ cho máy chủ (--max-old-space-size).`
    : ' Hãy thử lại sau ít phút, hoặc nhờ quản trị viên cấp thêm bộ nhớ cho máy chủ (--max-old-space-size).';
  return what + then;
}

/**
 * Before the page's file is read: one the heap has no room for is refused, where reading it would stop the server,
 * every desk's, on running out of memory (a deployment may limit the heap: docs/SCALING.md, Memory). The body is
 * read off and dropped first, as the body parsers do, so the browser gets the answer.
 */
function refuseWhatWouldNotFit() {
  return (req: Request, res: Response, next: NextFunction) => {
    const bytes = Number(req.headers['content-length']);
    if (!req.is('text/csv') || !(bytes > 0)) return next();
    const stats = v8.getHeapStatistics();
    const shortfall = heapShortfall(bytes, { limit: stats.heap_size_limit, used: stats.used_heap_size });
    if (!shortfall) return next();
    const answer = () => {
      if (!res.headersSent) res.status(413).json(errorJson(new AppError(413, 'import_memory', heapShortfallMessage(shortfall))));
    };
    if (req.readableEnded) return answer();
    req.once('end', answer);
    req.resume();
  };
}

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

  // With a BOM, as the report's CSV: without it Excel on Windows opens the sample in the ANSI code page and an admin
  // filling it in sees 'Nguyá»…n Thá»‹ Hoa'. The import drops a BOM.
  router.get('/mau.csv', async (_req, res) => {
    const sample = await readFile(SAMPLE_FILE, 'utf8');
    res.type('text/csv; charset=utf-8').attachment('mau-nhap-ho-so.csv').send(`\uFEFF${sample}`);
  });

  // The page's script: the file as text/csv, answered with progress lines and then the result.
  router.post('/', refuseWhatWouldNotFit(), express.text({ type: 'text/csv', limit: MAX_UPLOAD }), async (req: Request, res: Response, next) => {
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

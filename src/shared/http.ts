import type { NextFunction, Request, Response } from 'express';
import type { ZodType } from 'zod';
import { AppError, CHECK_MARKED_FIELDS, ValidationError } from './errors';
import './validation';

/** Parse input with a schema; on failure throw a ValidationError with one Vietnamese message per field. */
export function parseInput<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    fields[key] ??= issue.message;
  }
  throw new ValidationError(fields);
}

/**
 * Text no database can store as it is: a NUL character, or half of a UTF-16 surrogate pair (only a JSON escape such as
 * "\ud800" makes one). The drivers wrote such a half as U+FFFD, silently, and PostgreSQL's JSON refuses it (the
 * batched intake passes its rows as JSON).
 */
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Does a parsed body or query hold such text anywhere (in a value or a key)? */
function holdsBadText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return BAD_TEXT.test(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) if (BAD_TEXT.test(k) || holdsBadText(v, depth + 1)) return true;
  return false;
}

/**
 * Every handler gets an object body (Express 5 leaves it undefined when no parser took the request), and text no
 * database can store (BAD_TEXT) is refused at the door: PostgreSQL cannot even compare with a NUL (the query itself
 * would fail, with a 500).
 */
export function sanitizeInput() {
  return (req: Request, _res: Response, next: NextFunction) => {
    req.body ??= {};
    if (/%00/.test(req.originalUrl) || holdsBadText(req.body) || holdsBadText(req.query)) {
      return next(new AppError(400, 'bad_request', 'Dữ liệu gửi lên chứa ký tự không hợp lệ.'));
    }
    next();
  };
}

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/');
}

export function errorJson(err: AppError) {
  return { error: { code: err.code, message: err.message, fields: err.fields } };
}

/** The one error handler: known errors keep their status and message, anything else is a 500 without details. */
export function errorHandler(log: (msg: string, err: unknown) => void) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let appError: AppError;
    const e = err as { type?: string; status?: number };
    if (err instanceof AppError) appError = err;
    else if (e?.type === 'entity.parse.failed') appError = new AppError(400, 'bad_json', 'Nội dung JSON không hợp lệ.');
    else if (e?.type === 'entity.too.large') appError = new AppError(413, 'too_large', 'Nội dung gửi lên quá lớn.');
    else if (e?.status && e.status >= 400 && e.status < 500) appError = new AppError(e.status, 'bad_request', 'Yêu cầu không hợp lệ.');
    else {
      log(`Unhandled error on ${req.method} ${req.originalUrl}`, err);
      appError = new AppError(500, 'internal', 'Đã có lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên.');
    }
    if (res.headersSent) return;
    res.status(appError.status);
    if (wantsJson(req)) {
      res.json(errorJson(appError));
      return;
    }
    // A page of its own has no field to mark (a link to an export with a reversed period): it lists what is wrong.
    const details = [...new Set(Object.values(appError.fields))];
    const message = details.length && appError.message === CHECK_MARKED_FIELDS ? 'Dữ liệu gửi lên chưa hợp lệ:' : appError.message;
    res.render('errors/error', { title: 'Lỗi', error: appError, message, details }, (renderErr, html) => {
      if (renderErr) res.type('text/plain').send(appError.message);
      else res.send(html);
    });
  };
}

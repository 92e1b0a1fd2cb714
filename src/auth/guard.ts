import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '../shared/errors';
import { wantsJson } from '../shared/http';
import type { Role, User } from './users';

export function requireUser(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  if (wantsJson(req)) return next(new UnauthorizedError('Cần đăng nhập: gửi kèm "Authorization: Bearer <token>".'));
  // A very long address would make a Location header too big for browsers and proxies (then a 502): drop it.
  const back = req.originalUrl.length <= 2000 ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(`/dang-nhap${back}`);
}

export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) return requireUser(req, res, next);
    if (!roles.includes(req.user.role)) return next(new ForbiddenError());
    next();
  };
}

/** The agencies a user may see: an admin every agency (null), others their own. */
export function agencyScope(user: User): string | null {
  return user.role === 'admin' ? null : (user.agencyCode ?? '__none__');
}

export function currentUser(req: Request): User {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}

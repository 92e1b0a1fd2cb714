import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../shared/context';
import { selectRows } from '../db/dialect';
import { randomToken, sha256, toUser, userByApiToken, type User, type UserRow } from './users';
import { SessionCache } from './session-cache';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: User;
      sessionId?: string;
      csrfToken?: string;
      cookies: Record<string, string>;
    }
  }
}

export const SESSION_COOKIE = 'sid';
const PRE_SESSION_COOKIE = 'pre';
const SESSION_HOURS = 12;
/**
 * What a logged-in user is answered holds citizens' names, ID numbers and phones, on a desk's shared computer:
 * no browser or proxy keeps a copy, and Back after logging out shows the login page, not the last dossier.
 */
const PRIVATE = 'no-store';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const key = part.slice(0, i).trim();
    try {
      out[key] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed cookie is ignored, not an error
    }
  }
  return out;
}

function cookieOptions(ctx: AppContext, req: Request) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.config.trustProxy ? req.secure : false,
    path: '/',
  };
}

function csrfFor(ctx: AppContext, secret: string): string {
  return crypto.createHmac('sha256', ctx.config.sessionSecret).update(secret).digest('base64url');
}

/**
 * The session's user (a constant statement: db/dialect.ts selectRows), read when the process does not keep the session
 * already (session-cache.ts).
 */
const SESSION_USER_SQL =
  'SELECT u.*, s.csrf_secret, s.expires_at AS session_expires_at FROM sessions s JOIN users u ON u.id = s.user_id ' +
  'WHERE s.id = ? AND s.expires_at > ? LIMIT 1';

/** What a request needs of its session: the user (frozen: it is shared by the requests of a kept session), the CSRF token, the end. */
interface Session {
  user: User;
  csrfToken: string;
  expiresAt: number;
}

/** The session of an active user, or undefined. */
async function readSession(ctx: AppContext, sessionId: string, now: Date): Promise<Session | undefined> {
  const [row] = await selectRows<UserRow & { csrf_secret: string; session_expires_at: string | Date }>(ctx.db, SESSION_USER_SQL, [sessionId, now.toISOString()]);
  if (!row || !row.active) return undefined;
  return { user: Object.freeze(toUser(row)), csrfToken: csrfFor(ctx, row.csrf_secret), expiresAt: new Date(row.session_expires_at).getTime() };
}

/** Loads the user from the session cookie (pages) or the bearer token (API), and prepares the CSRF token. */
export function sessionMiddleware(ctx: AppContext) {
  const cache = ctx.config.sessionCache ? new SessionCache<Session>(ctx.db) : null;
  return async (req: Request, res: Response, next: NextFunction) => {
    req.cookies = parseCookies(req.headers.cookie);
    const auth = req.headers.authorization;
    if (req.path.startsWith('/api/')) {
      // The scheme's name is case-insensitive (RFC 9110 §11.1): "bearer …" was refused.
      const bearer = auth && /^bearer +(\S+)\s*$/i.exec(auth);
      if (bearer) req.user = (await userByApiToken(ctx.db, bearer[1], ctx.clock.now())) ?? undefined;
      if (req.user) res.setHeader('Cache-Control', PRIVATE);
      return next();
    }
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) {
      const now = ctx.clock.now();
      const sessionId = sha256(sid);
      const read = () => readSession(ctx, sessionId, now);
      const session = cache ? await cache.get(sessionId, now, read) : await read();
      if (session) {
        req.user = session.user;
        req.sessionId = sessionId;
        req.csrfToken = session.csrfToken;
        res.setHeader('Cache-Control', PRIVATE);
      }
    }
    if (!req.csrfToken) {
      let pre = req.cookies[PRE_SESSION_COOKIE];
      if (!pre || pre.length < 20) {
        pre = randomToken(18);
        res.cookie(PRE_SESSION_COOKIE, pre, cookieOptions(ctx, req));
      }
      req.csrfToken = csrfFor(ctx, `pre:${pre}`);
    }
    res.locals.user = req.user ?? null;
    res.locals.csrfToken = req.csrfToken;
    next();
  };
}

/** State-changing page requests must carry the form's CSRF token. */
export function csrfProtection() {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.path.startsWith('/api/')) return next();
    const sent = (req.body?._csrf as string | undefined) ?? (req.headers['x-csrf-token'] as string | undefined);
    const expected = Buffer.from(req.csrfToken ?? '');
    // Bytes, not characters: a token of as many characters but some non-ASCII has more bytes, and
    // timingSafeEqual throws (a 500) on buffers of different lengths.
    const given = typeof sent === 'string' ? Buffer.from(sent) : null;
    const ok = given !== null && given.length === expected.length && crypto.timingSafeEqual(given, expected);
    if (!ok) {
      const err = new Error('csrf') as Error & { status: number; csrf: true };
      err.status = 403;
      err.csrf = true;
      return next(err);
    }
    next();
  };
}

/** A new session id at every login, so a planted cookie never becomes a logged-in one. */
export async function startSession(ctx: AppContext, req: Request, res: Response, userId: number): Promise<void> {
  if (req.sessionId) await ctx.db('sessions').where({ id: req.sessionId }).delete();
  const sid = randomToken(32);
  const now = ctx.clock.now();
  await ctx.db('sessions').insert({
    id: sha256(sid),
    user_id: userId,
    csrf_secret: randomToken(24),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
  });
  // A cookie of the browser's session, not of 12 hours: on a desk computer shared by the counter, closing the browser
  // logs out (the session itself still ends 12 hours after the login, whatever the browser keeps).
  res.cookie(SESSION_COOKIE, sid, cookieOptions(ctx, req));
}

export async function endSession(ctx: AppContext, req: Request, res: Response): Promise<void> {
  if (req.sessionId) await ctx.db('sessions').where({ id: req.sessionId }).delete();
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}

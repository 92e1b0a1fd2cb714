import { Router } from 'express';
import type { AppContext } from '../shared/context';
import { z } from '../shared/validation';
import { DUMMY_HASH, verifyPassword } from './passwords';
import { RateLimiter } from './rate-limit';
import { endSession, startSession } from './sessions';
import { findUserRow } from './users';

const loginSchema = z.object({
  username: z.string().trim().min(1, 'Nhập tên đăng nhập.').max(64),
  password: z.string().min(1, 'Nhập mật khẩu.').max(200),
  next: z.string().optional(),
});

/** Only same-site paths are followed after login. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const failuresByIp = new RateLimiter(20, 15 * 60_000);
  const failuresByUser = new RateLimiter(8, 15 * 60_000);

  router.get('/dang-nhap', (req, res) => {
    if (req.user) return res.redirect('/');
    res.render('auth/login', { title: 'Đăng nhập', values: { next: req.query.next ?? '' }, errors: {} });
  });

  router.post('/dang-nhap', async (req, res) => {
    const values = { username: String(req.body.username ?? ''), next: String(req.body.next ?? '') };
    const show = (status: number, message: string, errors: Record<string, string> = {}) =>
      res.status(status).render('auth/login', { title: 'Đăng nhập', values, errors, message });

    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
      return show(422, 'Vui lòng nhập đủ tên đăng nhập và mật khẩu.', errors);
    }
    const { username, password } = parsed.data;
    const now = ctx.clock.now().getTime();
    const ipKey = `ip:${req.ip}`;
    const userKey = `user:${username.toLowerCase()}`;
    const wait = Math.max(failuresByIp.blockedFor(ipKey, now), failuresByUser.blockedFor(userKey, now));
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return show(429, `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${Math.ceil(wait / 60)} phút.`);
    }
    const row = await findUserRow(ctx.db, username);
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || !row.active) {
      failuresByIp.hit(ipKey, now);
      failuresByUser.hit(userKey, now);
      return show(401, 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
    failuresByUser.reset(userKey);
    await startSession(ctx, req, res, row.id);
    res.redirect(303, safeNext(parsed.data.next));
  });

  router.post('/dang-xuat', async (req, res) => {
    await endSession(ctx, req, res);
    res.redirect(303, '/dang-nhap');
  });

  return router;
}

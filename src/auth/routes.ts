import { Router } from 'express';
import { audit } from '../audit/log';
import type { AppContext } from '../shared/context';
import { z } from '../shared/validation';
import { DUMMY_HASH, verifyPassword } from './passwords';
import { LoginThrottle, RateLimiter } from './rate-limit';
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
  // Failed logins in 15 minutes: 8 per user name, 20 per address; counted in the database, shared by every process.
  const throttle = new LoginThrottle(ctx.db, 15 * 60_000);
  // One audit line per blocked address or name per window (and process), not one per refused attempt: those cost an
  // attacker nothing.
  const blockNoted = new RateLimiter(1, 15 * 60_000);

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
    // The attempt is counted before the password is checked (LoginThrottle.attempt); a success takes its count back.
    const { wait, blockedBy } = await throttle.attempt([{ key: ipKey, limit: 20 }, { key: userKey, limit: 8 }], now);
    if (blockedBy) {
      res.setHeader('Retry-After', String(wait));
      if (blockNoted.hit(blockedBy, now) === 0) {
        await audit(ctx, req, 'login_failed', username, { reason: 'rate_limited', blocked: blockedBy === ipKey ? 'address' : 'username' }, { actor: { id: null, name: username } });
      }
      return show(429, `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${Math.ceil(wait / 60)} phút.`);
    }
    const row = await findUserRow(ctx.db, username);
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || !row.active) {
      const reason = !row ? 'unknown_user' : !ok ? 'wrong_password' : 'account_locked';
      await audit(ctx, req, 'login_failed', username, { reason }, { actor: { id: row?.id ?? null, name: username } });
      // The right password of a locked account is told so (only its holder knows it): "wrong password" sent a clerk
      // whose account was locked to try again and again.
      if (reason === 'account_locked') return show(403, 'Tài khoản này đã bị khóa. Liên hệ quản trị viên để được mở khóa.');
      return show(401, 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
    await throttle.succeeded(userKey, ipKey, now);
    await startSession(ctx, req, res, row.id);
    await audit(ctx, req, 'login', row.username, {}, { actor: { id: row.id, name: row.username } });
    res.redirect(303, safeNext(parsed.data.next));
  });

  router.post('/dang-xuat', async (req, res) => {
    if (req.user) await audit(ctx, req, 'logout', req.user.username);
    await endSession(ctx, req, res);
    res.redirect(303, '/dang-nhap');
  });

  return router;
}

import { Router } from 'express';
import { audit } from '../audit/log';
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
  // One audit line per blocked address or name per window, not one per refused attempt: those cost an attacker nothing.
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
    // The attempt is counted before the password is checked: guesses sent all at once would otherwise all
    // pass the check while their hashes are being computed. A success (or a refusal) takes its count back.
    const ipWait = failuresByIp.hit(ipKey, now);
    const userWait = failuresByUser.hit(userKey, now);
    const wait = Math.max(ipWait, userWait);
    if (wait > 0) {
      failuresByIp.undo(ipKey);
      failuresByUser.undo(userKey);
      res.setHeader('Retry-After', String(wait));
      if (blockNoted.hit(ipWait > 0 ? ipKey : userKey, now) === 0) {
        await audit(ctx, req, 'login_failed', username, { reason: 'rate_limited', blocked: ipWait > 0 ? 'address' : 'username' }, { actor: { id: null, name: username } });
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
    failuresByUser.reset(userKey);
    failuresByIp.undo(ipKey);
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

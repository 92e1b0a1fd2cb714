import type { Knex } from 'knex';

/**
 * A fixed-window counter in one process's memory: the public look-up's limit, and the login's one audit line per blocked
 * key (the login's own limits are LoginThrottle's, shared by every process).
 */
export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a hit; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, now: number): number {
    const entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.hits.size > 10_000) this.prune(now);
      return 0;
    }
    entry.count += 1;
    return entry.count > this.limit ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}

/** A key the login is limited by, and how many attempts it may fail in a window. */
export interface ThrottleKey {
  key: string;
  limit: number;
}

/** Thrown inside the attempt's transaction to roll back its counts. */
class OverLimit extends Error {
  constructor(readonly wait: number, readonly key: string) {
    super('over the limit');
  }
}

/**
 * The login's limits, counted in the database (`login_attempts`), so that every process behind a load balancer counts
 * the same attempts: in each process's memory, N processes gave an attacker N times the guesses. A key found over its
 * limit is also remembered here until its window ends, so that a flood of refused attempts writes nothing.
 */
export class LoginThrottle {
  private blockedUntil = new Map<string, number>();

  constructor(
    private readonly db: Knex,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts an attempt under each key, before its password is checked: guesses sent all at once would otherwise all
   * pass while their hashes are computed. Over a key's limit nothing is counted (the transaction rolls back), and the
   * answer is the seconds to wait and the key that blocked it.
   */
  async attempt(keys: ThrottleKey[], now: number): Promise<{ wait: number; blockedBy: string | null }> {
    for (const { key } of keys) {
      const until = this.blockedUntil.get(key);
      if (until !== undefined && until > now) return { wait: Math.ceil((until - now) / 1000), blockedBy: key };
      if (until !== undefined) this.blockedUntil.delete(key);
    }
    try {
      await this.db.transaction(async (trx) => {
        for (const { key, limit } of keys) {
          // A window that has ended starts again at this attempt.
          const [row] = await trx('login_attempts')
            .insert({ key, attempts: 1, window_ends_at: now + this.windowMs })
            .onConflict('key')
            .merge({
              attempts: trx.raw('CASE WHEN login_attempts.window_ends_at <= ? THEN 1 ELSE login_attempts.attempts + 1 END', [now]),
              window_ends_at: trx.raw('CASE WHEN login_attempts.window_ends_at <= ? THEN ? ELSE login_attempts.window_ends_at END', [now, now + this.windowMs]),
            })
            .returning(['attempts', 'window_ends_at']);
          const endsAt = Number(row.window_ends_at);
          if (Number(row.attempts) > limit) throw new OverLimit(Math.ceil((endsAt - now) / 1000), key);
        }
      });
    } catch (err) {
      if (!(err instanceof OverLimit)) throw err;
      if (this.blockedUntil.size > 10_000) this.prune(now);
      this.blockedUntil.set(err.key, now + err.wait * 1000);
      return { wait: err.wait, blockedBy: err.key };
    }
    return { wait: 0, blockedBy: null };
  }

  /**
   * A login that succeeded: the failures of `forget` (its user name) are forgotten, and the attempt counted under
   * `takeBack` (its address) is taken back, with the windows that have ended everywhere.
   */
  async succeeded(forget: string, takeBack: string, now: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('login_attempts').where('window_ends_at', '<=', now).orWhere({ key: forget }).delete();
      await trx('login_attempts').where({ key: takeBack }).where('attempts', '>', 0).decrement('attempts', 1);
    });
  }

  private prune(now: number): void {
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
  }
}

import type { Knex } from 'knex';
import { isSqlite, sqliteDataVersion } from '../db/dialect';

/**
 * Sessions kept in each app process, so that a logged-in request does not read its session and user from the
 * database every time. On PostgreSQL that round trip was half of what every page paid before its own work (issue 7;
 * the logged-in floor went from 29% to 57% of the hello world). On SQLite the statement took 24 µs of a dossier page's
 * ~270 µs of server CPU under load (1M data set), and the session's CSRF token an HMAC more; kept, a page costs 10%
 * less (thirty-ninth session, scripts/bench/floor-cpu.ts).
 *
 * A kept session is used only while nothing may have changed a user or a session since it was read. What tells:
 * - this process's own writes: every statement knex runs is seen here (its `query` events); one that writes `users`
 *   or `sessions` stops the keeping until it is committed, and everything kept before it is dropped;
 * - other processes' writes (a second app process, the command line, psql): on PostgreSQL a notice it sends at the
 *   commit of any statement that changed a user or a session (migration 20261201002100_auth_notify), received on a
 *   connection of its own that listens; until that connection listens, and whenever it is lost, nothing is kept. On
 *   SQLite, the file's count of other connections' commits (`PRAGMA data_version`), asked before a kept session is
 *   used: any commit of another process, whatever it wrote, drops what was kept.
 * A session is also read again after KEEP_MS whatever happens, and its end (expires_at) is checked on every use.
 *
 * So a logout, a deactivation or a password change takes effect in this process at its commit, and in the others
 * when its notice arrives, milliseconds later (SQLite: at their next request). Behind a pooler that does not keep a
 * connection per client (PgBouncer in transaction mode) notices are not delivered: set SESSION_CACHE=0 there.
 */
export const AUTH_CHANNEL = 'onestop_auth';

/** The longest a kept session is used before it is read again, even with no sign of a change. */
const KEEP_MS = 60_000;
/** More kept sessions than this (a desk has tens of users; a city a few thousand) and they are all dropped. */
const MAX_KEPT = 10_000;
/** A committed transaction that wrote users or sessions, whose notice has not come back after this, is given up on. */
const NOTICE_WAIT_MS = 2_000;
/** The listening connection's name in pg_stat_activity. */
const LISTENER_NAME = 'onestop-auth-listen';
/** After a lost listening connection, the next try comes after this. */
const RETRY_MS = 1_000;

/** Any write naming one of the two tables. */
const AUTH_WRITE = /^\s*(?:with\b[\s\S]*?)?\b(?:insert|update|delete|replace|truncate|alter|drop)\b[\s\S]*?[`"\s.](?:users|sessions)(?:[`"\s(;,]|$)/i;
const TRANSACTION_END = /^\s*(?:commit|rollback|release)\b/i;

/** Whether a statement may change a user or a session (a false alarm only costs a read). */
export function writesAuth(sql: string): boolean {
  return AUTH_WRITE.test(sql);
}

/** The part of node-postgres's Client the listening connection uses (the driver knex loaded). */
interface ListeningClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error' | 'end' | 'notification', listener: () => void): unknown;
}

interface QueryEvent {
  sql: string;
  __knexQueryUid?: string;
  __knexTxId?: string;
}

/**
 * Whether a session read now may be kept: a generation that any sign of a change moves on, and a count of the
 * writes to users or sessions in progress (while any is, nothing read is kept). One per database handle.
 */
class AuthChanges {
  private generation = 0;
  private writes = new Set<string>();
  private dirtyTransactions = new Set<string>();
  private awaitingNotice = 0;
  private listener: ListeningClient | null = null;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly sqlite: boolean;
  private dataVersion: number | null = null;
  private look: Promise<void> | null = null;

  constructor(private readonly db: Knex) {
    db.on('query', (q: QueryEvent) => this.onQuery(q));
    db.on('query-response', (_r: unknown, q: QueryEvent) => this.onDone(q));
    db.on('query-error', (_e: unknown, q: QueryEvent) => this.onDone(q));
    this.sqlite = isSqlite(db);
    // SQLite has no connection to listen on: refresh()'s look at the file tells other processes' commits instead.
    if (this.sqlite) this.listening = true;
    else this.listen();
  }

  /**
   * SQLite: whether another process committed since the last look (its data_version moved), which may have changed
   * anything. The requests that start together (a turn of the event loop: shared/turns.ts) share one look, taken after
   * all of them had arrived. Null on PostgreSQL, which is told by notices: nothing to wait for.
   */
  refresh(): Promise<void> | null {
    if (!this.sqlite) return null;
    if (!this.look) {
      this.look = this.lookAtFile();
      queueMicrotask(() => (this.look = null));
    }
    return this.look;
  }

  private async lookAtFile(): Promise<void> {
    const version = await sqliteDataVersion(this.db);
    if (version !== this.dataVersion) {
      this.dataVersion = version;
      this.changed();
    }
  }

  /** The generation a session read now belongs to, or null when nothing may be kept now. */
  current(): number | null {
    return this.listening && this.quiet() ? this.generation : null;
  }

  /** Whether what was read in `generation` may be kept: nothing changed since, and no write is in progress. */
  keeps(generation: number | null): generation is number {
    return generation !== null && generation === this.generation && this.quiet();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.retry) clearTimeout(this.retry);
    const client = this.listener;
    this.listener = null;
    if (client) await client.end().catch(() => undefined);
  }

  private quiet(): boolean {
    return this.writes.size === 0 && this.dirtyTransactions.size === 0 && this.awaitingNotice === 0;
  }

  private changed(): void {
    this.generation += 1;
  }

  private onQuery(q: QueryEvent): void {
    const tx = q.__knexTxId;
    if (tx && TRANSACTION_END.test(q.sql)) {
      if (!this.dirtyTransactions.delete(tx)) return;
      this.changed();
      // A read on another connection could still see the rows as they were until the commit is done, which no event
      // tells: nothing is kept until the commit's notice comes back.
      if (!this.sqlite && /^\s*commit\b/i.test(q.sql)) this.awaitNotice();
      return;
    }
    if (!writesAuth(q.sql)) return;
    this.changed();
    if (tx) this.dirtyTransactions.add(tx);
    else if (q.__knexQueryUid) this.writes.add(q.__knexQueryUid);
  }

  private onDone(q: QueryEvent): void {
    if (q.__knexQueryUid && this.writes.delete(q.__knexQueryUid)) this.changed();
  }

  private awaitNotice(): void {
    this.awaitingNotice += 1;
    setTimeout(() => {
      if (this.awaitingNotice > 0) {
        this.awaitingNotice -= 1;
        this.changed();
      }
    }, NOTICE_WAIT_MS).unref();
  }

  private listen(): void {
    const knexClient = this.db.client as { config: { connection: string | object }; driver: { Client: new (config: object) => ListeningClient } };
    const connection = knexClient.config.connection;
    const client = new knexClient.driver.Client({
      ...(typeof connection === 'string' ? { connectionString: connection } : connection),
      keepAlive: true,
      application_name: LISTENER_NAME,
    });
    this.listener = client;
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      this.awaitingNotice = 0;
      this.changed();
      client.end().catch(() => undefined);
      if (!this.closed) {
        this.retry = setTimeout(() => this.listen(), RETRY_MS);
        this.retry.unref();
      }
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => {
      // Notices come in the order of the commits, this process's among the others': one is taken as the oldest
      // awaited one's (at worst an earlier one, another process's, ends the wait of this process's a little early).
      if (this.awaitingNotice > 0) this.awaitingNotice -= 1;
      this.changed();
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${AUTH_CHANNEL}`))
      .then(() => {
        if (this.listener !== client) return;
        this.changed();
        this.listening = true;
      })
      .catch(lost);
  }
}

const changesByDb = new WeakMap<Knex, AuthChanges>();

/** The database handle's watch on users and sessions, started at its first use and stopped by its destroy(). */
function authChanges(db: Knex): AuthChanges {
  let changes = changesByDb.get(db);
  if (!changes) {
    const watch = new AuthChanges(db);
    changes = watch;
    changesByDb.set(db, watch);
    // knex's destroy() is its client's (the handle's own property cannot be replaced).
    const client = db.client as { destroy(callback?: unknown): Promise<void> };
    const destroy = client.destroy.bind(client);
    client.destroy = (callback?: unknown) => watch.close().then(() => destroy(callback));
  }
  return changes;
}

/** A process's kept sessions, by the hash of the session cookie (see above). */
export class SessionCache<Kept extends { expiresAt: number }> {
  private kept = new Map<string, Kept & { generation: number; readAt: number }>();
  private changes: AuthChanges | null = null;

  constructor(private readonly db: Knex) {}

  /**
   * The session's kept value while it is still valid at `now`, otherwise `read()`'s, kept when nothing changed
   * while it was read. `read` gives undefined for no such session (not kept: a new session is a new key).
   */
  async get(sessionId: string, now: Date, read: () => Promise<Kept | undefined>): Promise<Kept | undefined> {
    const changes = (this.changes ??= authChanges(this.db));
    const look = changes.refresh();
    if (look) await look;
    const generation = changes.current();
    const entry = this.kept.get(sessionId);
    if (entry && entry.generation === generation && entry.expiresAt > now.getTime() && Date.now() - entry.readAt < KEEP_MS) return entry;
    const value = await read();
    if (value && changes.keeps(generation)) {
      if (this.kept.size >= MAX_KEPT) this.kept.clear();
      this.kept.set(sessionId, { ...value, generation, readAt: Date.now() });
    } else if (entry) this.kept.delete(sessionId);
    return value;
  }
}

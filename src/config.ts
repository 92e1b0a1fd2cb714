import { z } from 'zod';
import { formRegimes, FORMS_2025_FROM, type FormRegime } from './forms/regime';

/** SQLite's synchronous levels the app accepts (see SqliteDatabase). */
const SQLITE_SYNCHRONOUS_LEVELS = ['FULL', 'NORMAL'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_LEVELS)[number];

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z.string().trim().optional(),
    SESSION_SECRET: z.string().min(16, 'SESSION_SECRET phải dài ít nhất 16 ký tự').optional(),
    SEED_DEMO: z.enum(['0', '1']).default('1'),
    TRUST_PROXY: z.enum(['0', '1']).default('0'),
    SESSION_CACHE: z.enum(['0', '1'], 'SESSION_CACHE chỉ nhận 1 (mặc định) hoặc 0').default('1'),
    PUBLIC_URL: z.string().url().optional(),
    PLACE_NAME: z.string().default('Cần Thơ'),
    WORKING_PERIODS: z
      .string()
      .regex(/^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$/, 'WORKING_PERIODS dạng 07:30-11:30,13:30-17:00')
      .default('07:30-11:30,13:30-17:00'),
    FORMS_2025_FROM: z
      .string()
      .regex(/^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'FORMS_2025_FROM là một ngày dạng 2025-09-15')
      .refine((d) => d >= '2025-06-09', 'FORMS_2025_FROM không sớm hơn ngày ban hành Nghị định 118/2025/NĐ-CP (09/6/2025)')
      .default(FORMS_2025_FROM),
    APOLOGY_FROM: z
      .enum(['due_soon', 'day_before'], 'APOLOGY_FROM chỉ nhận day_before (mặc định) hoặc due_soon')
      .default('day_before'),
    REAPPOINTMENTS: z
      .enum(['once', 'override'], 'REAPPOINTMENTS chỉ nhận once (mặc định: hẹn lại ngày trả kết quả một lần) hoặc override')
      .default('once'),
    SUPPLEMENT_REQUESTS: z
      .enum(['once', 'repeat'], 'SUPPLEMENT_REQUESTS chỉ nhận once (mặc định: yêu cầu bổ sung một lần) hoặc repeat')
      .default('once'),
    SQLITE_SYNCHRONOUS: z
      .string()
      .transform((v) => v.trim().toUpperCase())
      .pipe(z.enum(SQLITE_SYNCHRONOUS_LEVELS, 'SQLITE_SYNCHRONOUS chỉ nhận FULL (mặc định: ghi chắc chắn xuống đĩa) hoặc NORMAL'))
      .default('FULL'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'Chạy production bắt buộc phải đặt SESSION_SECRET' });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  database: SqliteDatabase | { client: 'pg'; url: string };
  sessionSecret: string;
  seedDemo: boolean;
  trustProxy: boolean;
  /**
   * Sessions kept in the process between requests (src/auth/session-cache.ts). Off (SESSION_CACHE=0)
   * behind a pooler that does not deliver notices to its clients (PgBouncer in transaction mode).
   */
  sessionCache: boolean;
  publicUrl: string | null;
  placeName: string;
  workingPeriods: { start: number; end: number }[];
  /** The sets of official forms by the receipt date they apply from (FORMS.md; FORMS_2025_FROM moves the second). */
  formRegimes: readonly FormRegime[];
  /**
   * How many times a dossier's papers may be asked for (SUPPLEMENT_REQUESTS): `once`, the law's (the one-stop decrees ask
   * that everything missing be asked for at one time), or `repeat`, any number of times (SPEC §4 sets no limit).
   */
  supplementRequests: 'once' | 'repeat';
  /**
   * From when a running dossier's apology is drafted and may be issued (APOLOGY_FROM): `day_before`, the law's and
   * FORMS.md's (sent no later than one day before the deadline), from the opening of the working day before it
   * (letters/draft.ts), or `due_soon`, SPEC §5's one working day before the deadline.
   */
  apologyFrom: 'due_soon' | 'day_before';
  /**
   * How many new appointments a dossier's apology letters may set (REAPPOINTMENTS): `once`, the law's and FORMS.md's
   * (the return date is set again no more than once), or `override`, SPEC §5's exception: a head sets another with a
   * reason.
   */
  reappointments: 'once' | 'override';
}

/**
 * An SQLite file. `synchronous` is how a commit reaches the disk (WAL mode): FULL (the default when unset) syncs
 * the log before the commit returns, so a dossier whose receipt was printed survives a power loss; NORMAL syncs
 * only at checkpoints, faster, and a power loss or an OS crash may undo the last commits (never corrupts).
 */
export interface SqliteDatabase {
  client: 'sqlite';
  filename: string;
  synchronous?: SqliteSynchronous;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function parsePeriods(text: string): { start: number; end: number }[] {
  const periods = text.split(',').map((p) => {
    const [a, b] = p.split('-');
    return { start: minutes(a), end: minutes(b) };
  });
  periods.forEach((p, i) => {
    if (p.end <= p.start || (i > 0 && p.start < periods[i - 1].end) || p.end > 24 * 60) {
      throw new Error(`WORKING_PERIODS không hợp lệ: ${text}`);
    }
  });
  return periods;
}

/** The secret of a process that serves no page (the CLI): never signs anything a browser holds. */
const UNSERVED_SECRET = 'no-pages-served-by-this-process';

export function parseDatabaseUrl(url: string | undefined): Config['database'] {
  if (!url) return { client: 'sqlite', filename: 'db/onestop.sqlite3' };
  if (url.startsWith('sqlite:')) return { client: 'sqlite', filename: url.slice('sqlite:'.length) || ':memory:' };
  if (/^postgres(ql)?:\/\//.test(url)) return { client: 'pg', url };
  throw new Error(`DATABASE_URL không được hỗ trợ: ${url} (dùng sqlite:<tệp> hoặc postgres://…)`);
}

function withSynchronous(database: Config['database'], synchronous: SqliteSynchronous): Config['database'] {
  return database.client === 'sqlite' ? { ...database, synchronous } : database;
}

/**
 * Reads the environment once; throws with every problem listed when it is wrong. The CLI signs no session (the secret
 * keys only the forms' CSRF tokens): it runs in production without SESSION_SECRET (`serves: false`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { serves?: boolean } = {}): Readonly<Config> {
  const parsed = schema.safeParse(options.serves === false && !env.SESSION_SECRET ? { ...env, SESSION_SECRET: UNSERVED_SECRET } : env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Cấu hình không hợp lệ:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    database: withSynchronous(parseDatabaseUrl(e.DATABASE_URL), e.SQLITE_SYNCHRONOUS),
    // Outside production a fixed development secret keeps sessions across restarts.
    sessionSecret: e.SESSION_SECRET ?? 'development-only-secret-change-me',
    seedDemo: e.SEED_DEMO === '1',
    trustProxy: e.TRUST_PROXY === '1',
    sessionCache: e.SESSION_CACHE === '1',
    publicUrl: e.PUBLIC_URL ?? null,
    placeName: e.PLACE_NAME,
    workingPeriods: parsePeriods(e.WORKING_PERIODS),
    formRegimes: formRegimes(e.FORMS_2025_FROM),
    supplementRequests: e.SUPPLEMENT_REQUESTS,
    apologyFrom: e.APOLOGY_FROM,
    reappointments: e.REAPPOINTMENTS,
  });
}

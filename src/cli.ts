import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config';
import { openDb } from './db/knex';
import { migrateLatest } from './db/migrate';
import { seedAll } from '../seeds/index';
import { createApiToken, createUser, findUserRow, passwordRule, ROLES, setPassword, userCreateSchema, usernameTaken, type Role } from './auth/users';
import { hashPassword } from './auth/passwords';
import { readNewPassword } from './auth/password-prompt';
import { audit } from './audit/log';
import { getAgency } from './catalog/repository';
import { connectionErrorText } from './db/connect-errors';
import { systemClock } from './shared/clock';
import type { Knex } from 'knex';
// Modules that add commands with registerCommand (they run before this file's body: see `registered`).
import './imports/cli';
import './backup';
import './reports/cli';
import './calendar/cli';

type Command = (db: Knex, args: Record<string, string | true>, positional: string[]) => Promise<void>;

/**
 * The flags that are switches, never followed by a value: "calendar:import --replace lich.csv" read the file's name as
 * the switch's value. Any other flag needs one: "report --agency" without a code reported the whole city.
 */
const SWITCHES = new Set(['demo', 'replace', 'unlock']);

export function parseArgs(argv: string[]): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=', 2);
      if (inline !== undefined) flags[key] = inline;
      else if (SWITCHES.has(key)) flags[key] = true;
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[key] = argv[++i];
      else throw new Error(`--${key} cần một giá trị: --${key} <giá trị>.`);
    } else positional.push(a);
  }
  return { flags, positional };
}

function need(args: Record<string, string | true>, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || !v.trim()) throw new Error(`Thiếu tham số --${key}`);
  return v.trim();
}

/** The account --username names (in any case), or the reason there is none. */
async function namedUser(db: Knex, args: Record<string, string | true>) {
  const username = need(args, 'username');
  const row = await findUserRow(db, username);
  if (!row) throw new Error(`Không có người dùng ${username}`);
  return row;
}

const commands: Record<string, { help: string; run: Command }> = {
  migrate: {
    help: 'migrate                         áp dụng các migration còn thiếu',
    run: async (db) => {
      const applied = await migrateLatest(db);
      console.log(applied.length ? `Đã áp dụng: ${applied.join(', ')}` : 'Cơ sở dữ liệu đã ở phiên bản mới nhất.');
    },
  },
  seed: {
    help: 'seed [--demo]                   nạp danh mục, lịch nghỉ (và dữ liệu demo)',
    run: async (db, args) => {
      await migrateLatest(db);
      const config = loadConfig(process.env, { serves: false });
      const result = await seedAll(db, { demo: args.demo === true, now: systemClock.now(), periods: config.workingPeriods });
      const a = result.added;
      console.log(
        `Đã nạp danh mục và lịch nghỉ: thêm ${a.agencies} cơ quan, ${a.fields} lĩnh vực, ${a.procedures} thủ tục và ${a.days} ngày nghỉ còn thiếu; ` +
          'những gì đã có (có thể quản trị đã sửa) được giữ nguyên.',
      );
      for (const u of result.demoUsers) console.log(`  ${u.role} ${u.username} / ${u.password}`);
    },
  },
  'user:add': {
    help: 'user:add --username U --role clerk|head|admin [--agency CODE] [--name "Họ tên"]   (mật khẩu từ stdin, hoặc gõ ẩn hai lần; cán bộ, lãnh đạo cần --agency)',
    run: async (db, args) => {
      const username = need(args, 'username');
      const role = need(args, 'role') as Role;
      if (!ROLES.includes(role)) throw new Error(`Vai trò phải là một trong: ${ROLES.join(', ')}`);
      const agencyCode = typeof args.agency === 'string' ? args.agency : null;
      if (role !== 'admin' && !agencyCode) throw new Error('Cán bộ và lãnh đạo cần --agency');
      if (agencyCode && !(await getAgency(db, agencyCode))) throw new Error(`Không có cơ quan mã ${agencyCode}`);
      const password = await readNewPassword();
      if (password.length < 8) throw new Error('Mật khẩu cần ít nhất 8 ký tự (đọc từ stdin).');
      // The admin page's rules: a name of 3–64 letters without marks, digits and . _ -, not another's in any case.
      const parsed = userCreateSchema.safeParse({ username, fullName: typeof args.name === 'string' ? args.name : username, role, agencyCode: agencyCode ?? undefined, password });
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join(' '));
      if (await usernameTaken(db, parsed.data.username)) throw new Error(`Đã có người dùng ${username} (tên đăng nhập không phân biệt chữ hoa, thường).`);
      const u = parsed.data;
      const user = await createUser(db, { username: u.username, fullName: u.fullName, role: u.role, agencyCode: u.agencyCode ?? null, password: u.password }, systemClock.now());
      console.log(`Đã tạo người dùng ${user.username} (${user.role}).`);
    },
  },
  'user:password': {
    help: 'user:password --username U [--unlock]   đặt lại mật khẩu (từ stdin, hoặc gõ ẩn hai lần), đóng mọi phiên đăng nhập; --unlock mở khóa tài khoản',
    run: async (db, args) => {
      // The way back in for an administrator who lost the last admin's password, or locked that account: the admin page
      // that resets passwords and unlocks accounts needs an admin logged in.
      const row = await namedUser(db, args);
      const parsed = passwordRule.safeParse(await readNewPassword());
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join(' '));
      const hash = await hashPassword(parsed.data);
      const unlock = args.unlock === true && !row.active;
      const ctx = { db, clock: systemClock };
      const cli = { actor: { id: null, name: 'cli' } };
      await db.transaction(async (trx) => {
        await setPassword(trx, row.id, hash, { unlock });
        await audit(ctx, null, 'password_reset', row.username, { userId: row.id, via: 'cli' }, { ...cli, db: trx });
        if (unlock) await audit(ctx, null, 'user_unlocked', row.username, { userId: row.id, via: 'cli' }, { ...cli, db: trx });
      });
      console.log(`Đã đặt lại mật khẩu của ${row.username}; mọi phiên đăng nhập của người này đã bị đóng.`);
      if (unlock) console.log(`Đã mở khóa tài khoản ${row.username}.`);
      else if (!row.active) console.log(`Tài khoản ${row.username} đang bị khóa: chưa đăng nhập được. Chạy lại với --unlock để mở khóa.`);
    },
  },
  'token:add': {
    help: 'token:add --username U [--name "mô tả"]   in ra token API (chỉ token)',
    run: async (db, args) => {
      const user = await namedUser(db, args);
      const token = await createApiToken(db, user.id, typeof args.name === 'string' ? args.name : 'cli', systemClock.now());
      process.stdout.write(`${token}\n`);
    },
  },
};

// `var`, not `const`: the modules imported above call registerCommand while this file is still loading,
// before its body runs, when a `const` would not exist yet (ESM import cycle). Their commands land here.
// eslint-disable-next-line no-var
var registered: Record<string, { help: string; run: Command }> | undefined;

export function registerCommand(name: string, help: string, run: Command): void {
  (registered ??= {})[name] = { help, run };
}

function allCommands(): Record<string, { help: string; run: Command }> {
  return { ...commands, ...registered };
}

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const command = name ? allCommands()[name] : undefined;
  if (!command) {
    console.error(`Cách dùng: npm run --silent cli -- <lệnh>\n\n${Object.values(allCommands()).map((c) => `  ${c.help}`).join('\n')}`);
    process.exit(name ? 2 : 0);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { serves: false });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  // Only migrate and seed make a database: any other command on an SQLite file that is not there would open a new,
  // empty one, and a backup of it "succeeded" with 0 dossiers (a mistyped DATABASE_URL in a nightly job).
  const file = config.database.client === 'sqlite' && config.database.filename !== ':memory:' ? config.database.filename : null;
  if (file && !fs.existsSync(file) && name !== 'migrate' && name !== 'seed') {
    console.error(`Lỗi: không có cơ sở dữ liệu ${path.resolve(file)}. Kiểm tra DATABASE_URL (sqlite:<tệp>), hoặc tạo mới bằng lệnh migrate.`);
    process.exit(1);
  }
  const db = openDb(config.database);
  try {
    const { flags, positional } = parseArgs(rest);
    if (name !== 'migrate' && name !== 'seed') await migrateLatest(db);
    await command.run(db, flags, positional);
  } catch (err) {
    console.error(cliErrorText(err));
    process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}

/**
 * What the CLI says of an error: our own errors carry a Vietnamese message; a file's names the file (a directory given
 * for a CSV was reported as a database error); a database error's message holds SQL and values: never printed.
 */
export function cliErrorText(err: unknown): string {
  const unreachable = connectionErrorText(err);
  if (unreachable) return unreachable;
  const e = err as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof e?.syscall === 'string') {
    const why = e.code === 'ENOENT' ? 'không có tệp này' : e.code === 'EISDIR' ? 'đây là một thư mục, không phải tệp' : e.code === 'EACCES' || e.code === 'EPERM' ? 'không có quyền đọc, ghi' : String(e.code ?? e.syscall);
    return `Lỗi tệp${typeof e.path === 'string' ? ` ${e.path}` : ''}: ${why}.`;
  }
  if (typeof e?.code === 'string') return 'Lỗi cơ sở dữ liệu: thao tác không thực hiện được (xem nhật ký máy chủ).';
  return `Lỗi: ${err instanceof Error ? err.message : String(err)}`;
}

if (process.argv[1] && import.meta.filename === fs.realpathSync(process.argv[1])) {
  await main();
}

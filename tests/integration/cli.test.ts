import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Knex } from 'knex';
import { openDb } from '../../src/db/knex';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { fixedClock } from '../../src/shared/clock';
import { createApiToken } from '../../src/auth/users';

const ROOT = path.resolve(import.meta.dirname, '../..');
// A real agency of the shipped catalog (seeds/data/agencies.csv): Sở Nội vụ thành phố Cần Thơ.
const AGENCY = '000.00.02.H13';

let dir: string;
let file: string;

/** Runs `npx tsx src/cli.ts …` on the test's SQLite file, with `input` on standard input. */
function cli(args: string[], input = '') {
  const result = spawnSync('npx', ['tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${file}`, SEED_DEMO: '0' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function withDb<T>(work: (db: Knex) => Promise<T>): Promise<T> {
  const db = openDb({ client: 'sqlite', filename: file });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** The status of a login through the app on the test's file: 303 when it succeeds. */
async function loginStatus(db: Knex, username: string, password: string): Promise<number> {
  const app = createApp({ db, config: loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv), clock: fixedClock('2026-02-13T03:00:00.000Z'), log: () => {} });
  const agent = request.agent(app);
  const page = await agent.get('/dang-nhap');
  const csrf = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
  return (await agent.post('/dang-nhap').type('form').send({ _csrf: csrf, username, password })).status;
}

/**
 * Runs the CLI at a terminal (util-linux `script` gives it one) and types each line when the terminal shows the next
 * prompt: typed before the CLI turns echo off, a line would be echoed by the terminal itself.
 */
function atTerminal(args: string[], lines: string[]): Promise<{ code: number | null; output: string }> {
  const command = ['npx', 'tsx', 'src/cli.ts', ...args].join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${file}`, SEED_DEMO: '0' },
  });
  let output = '';
  let asked = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const prompts = output.split(/Mật khẩu mới \(không hiện khi gõ\): |Gõ lại mật khẩu: /).length - 1;
    while (asked < prompts && asked < lines.length) child.stdin.write(lines[asked++]);
  });
  // A CLI that never shows the prompt would wait for its input for ever.
  const stop = setTimeout(() => child.kill(), 90_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(stop), resolve({ code, output }))));
}

const count = (db: Knex, table: string) => db(table).count({ n: '*' }).first().then((r) => Number(r?.n ?? 0));

describe.skipIf(process.env.TEST_DB === 'pg')('the CLI (npx tsx src/cli.ts)', { timeout: 180_000 }, () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-cli-'));
    file = path.join(dir, 'cli.sqlite3');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when "migrate" runs on a new file, then it creates the schema and a second run says it is up to date', async () => {
    const first = cli(['migrate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Đã áp dụng: /);
    expect(first.stdout).toContain('20261126000400_dossiers');
    const second = cli(['migrate']);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('Cơ sở dữ liệu đã ở phiên bản mới nhất.');
    await withDb(async (db) => expect(await count(db, 'dossiers')).toBe(0));
  });

  it('when "seed" runs without --demo, then the catalog (≥ 12 fields, ≥ 60 procedures) and the calendar are loaded, with no users', async () => {
    const res = cli(['seed']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toMatch(/^Đã nạp danh mục và lịch nghỉ: thêm \d+ cơ quan, \d+ lĩnh vực, \d+ thủ tục và \d+ ngày nghỉ còn thiếu; những gì đã có \(có thể quản trị đã sửa\) được giữ nguyên\.$/);
    await withDb(async (db) => {
      expect(await count(db, 'procedures')).toBeGreaterThanOrEqual(60);
      expect(await count(db, 'fields')).toBeGreaterThanOrEqual(12);
      expect(await db('agencies').where({ code: AGENCY }).first()).toMatchObject({ name: 'Sở Nội vụ thành phố Cần Thơ' });
      expect(await db('calendar_days').where({ date: '2026-02-17' }).first()).toMatchObject({ kind: 'holiday' });
      expect(await count(db, 'users')).toBe(0);
      expect(await count(db, 'dossiers')).toBe(0);
    });
  });

  it('when "seed" runs again, then the counts stay the same (idempotent) and what an admin changed stays changed', async () => {
    // an admin promises 3 days where the file says more, renames a field and deletes a day of 2026 (all undone before)
    const procedure = await withDb((db) => db('procedures').where('duration_unit', 'working_days').where('duration_value', '>', 3).first());
    await withDb(async (db) => {
      await db('procedures').where({ code: procedure.code }).update({ duration_value: 3 });
      await db('fields').where({ code: procedure.field_code }).update({ name: 'Tên do quản trị đặt' });
      await db('calendar_days').where({ date: '2026-02-17' }).delete();
    });
    const before = await withDb(async (db) => [await count(db, 'procedures'), await count(db, 'fields'), await count(db, 'calendar_days')]);
    const res = cli(['seed']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('thêm 0 cơ quan, 0 lĩnh vực, 0 thủ tục và 0 ngày nghỉ còn thiếu');
    const after = await withDb(async (db) => [await count(db, 'procedures'), await count(db, 'fields'), await count(db, 'calendar_days')]);
    expect(after).toEqual(before);
    await withDb(async (db) => {
      expect((await db('procedures').where({ code: procedure.code }).first()).duration_value).toBe(3);
      expect((await db('fields').where({ code: procedure.field_code }).first()).name).toBe('Tên do quản trị đặt');
      expect(await db('calendar_days').where({ date: '2026-02-17' }).first()).toBeUndefined();
    });
  });

  it('when "user:add" gets a clerk with a real agency and the password on stdin, then the user can log in with it', async () => {
    const res = cli(['user:add', '--username', 'an.tran', '--role', 'clerk', '--agency', AGENCY, '--name', 'Trần Văn An'], 'mat-khau-cua-an\n');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('Đã tạo người dùng an.tran (clerk).');
    expect(res.stdout).not.toContain('mat-khau-cua-an');
    await withDb(async (db) => {
      const user = await db('users').where({ username: 'an.tran' }).first();
      expect(user).toMatchObject({ role: 'clerk', agency_code: AGENCY, full_name: 'Trần Văn An' });
      expect(user.password_hash).toMatch(/^scrypt\$/);
      const app = createApp({ db, config: loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv), clock: fixedClock('2026-02-13T03:00:00.000Z'), log: () => {} });
      const agent = request.agent(app);
      const page = await agent.get('/dang-nhap');
      const csrf = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
      const login = await agent.post('/dang-nhap').type('form').send({ _csrf: csrf, username: 'an.tran', password: 'mat-khau-cua-an' });
      expect(login.status).toBe(303);
    });
  });

  it('when "user:password" resets a password from stdin, then the old one fails, the new one logs in, the user\'s sessions are closed and the log names the CLI without the password', async () => {
    await withDb(async (db) => {
      const user = await db('users').where({ username: 'an.tran' }).first();
      await db('sessions').insert({ id: 'phien-cu-cua-an', user_id: user.id, csrf_secret: 'x', created_at: '2026-02-13T02:00:00.000Z', expires_at: '2099-01-01T00:00:00.000Z' });
    });
    const res = cli(['user:password', '--username', 'AN.TRAN'], 'mat-khau-moi-cua-an\n');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('Đã đặt lại mật khẩu của an.tran; mọi phiên đăng nhập của người này đã bị đóng.\n');
    await withDb(async (db) => {
      expect(await count(db, 'sessions')).toBe(0);
      const line = await db('audit_log').where({ action: 'password_reset' }).first();
      expect(line).toMatchObject({ actor_id: null, actor_name: 'cli', target: 'an.tran' });
      expect(JSON.parse(line.detail)).toEqual({ userId: expect.any(Number), via: 'cli' });
      expect(JSON.stringify(line)).not.toContain('mat-khau');
      expect(await loginStatus(db, 'an.tran', 'mat-khau-cua-an')).toBe(401);
      expect(await loginStatus(db, 'an.tran', 'mat-khau-moi-cua-an')).toBe(303);
    });
  });

  it('when "user:password" names a locked account, then the password is set and the account stays locked unless --unlock is given', async () => {
    await withDb((db) => db('users').where({ username: 'an.tran' }).update({ active: false }));
    const locked = cli(['user:password', '--username', 'an.tran'], 'mat-khau-thu-ba\n');
    expect(locked.code, locked.stderr).toBe(0);
    expect(locked.stdout.split('\n')[1]).toBe('Tài khoản an.tran đang bị khóa: chưa đăng nhập được. Chạy lại với --unlock để mở khóa.');
    await withDb(async (db) => expect(await loginStatus(db, 'an.tran', 'mat-khau-thu-ba')).toBe(403));
    const unlocked = cli(['user:password', '--username', 'an.tran', '--unlock'], 'mat-khau-thu-tu\n');
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout.split('\n')[1]).toBe('Đã mở khóa tài khoản an.tran.');
    await withDb(async (db) => {
      expect(await loginStatus(db, 'an.tran', 'mat-khau-thu-tu')).toBe(303);
      expect((await db('audit_log').where({ action: 'user_unlocked' })).map((l) => [l.actor_name, l.target])).toEqual([['cli', 'an.tran']]);
    });
  });

  it('when "user:password" gets an unknown user or a short password, then exit code 1 with the reason and nothing changes', async () => {
    const before = await withDb((db) => db('users').where({ username: 'an.tran' }).first('password_hash'));
    const unknown = cli(['user:password', '--username', 'khong-co'], 'mat-khau-dai-du\n');
    expect([unknown.code, unknown.stderr]).toEqual([1, 'Lỗi: Không có người dùng khong-co\n']);
    const short = cli(['user:password', '--username', 'an.tran'], 'ngan\n');
    expect([short.code, short.stderr]).toEqual([1, 'Lỗi: Mật khẩu cần ít nhất 8 ký tự.\n']);
    expect(await withDb((db) => db('users').where({ username: 'an.tran' }).first('password_hash'))).toEqual(before);
  });

  it('when a password is typed at a terminal, then it is not shown, it is asked twice, and two that differ set nothing', async () => {
    const typed = await atTerminal(['user:password', '--username', 'an.tran'], ['mat-khau-go-an\r', 'mat-khau-go-an\r']);
    expect(typed.code, typed.output).toBe(0);
    expect(typed.output).toContain('Mật khẩu mới (không hiện khi gõ): ');
    expect(typed.output).toContain('Gõ lại mật khẩu: ');
    expect(typed.output).toContain('Đã đặt lại mật khẩu của an.tran');
    expect(typed.output).not.toContain('mat-khau-go-an');
    await withDb(async (db) => expect(await loginStatus(db, 'an.tran', 'mat-khau-go-an')).toBe(303));

    const differ = await atTerminal(['user:password', '--username', 'an.tran'], ['mat-khau-mot\r', 'mat-khau-hai\r']);
    expect(differ.code).toBe(1);
    expect(differ.output).toContain('Lỗi: Hai lần gõ mật khẩu không giống nhau; chưa đặt mật khẩu.');
    await withDb(async (db) => expect(await loginStatus(db, 'an.tran', 'mat-khau-go-an')).toBe(303));
  });

  it('when "token:add" runs, then it prints only one ost_ token that authenticates against the API on the same file', async () => {
    const res = cli(['token:add', '--username', 'an.tran']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.endsWith('\n')).toBe(true);
    const lines = res.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const token = lines[0];
    expect(token).toMatch(/^ost_[A-Za-z0-9_-]+$/);
    await withDb(async (db) => {
      const app = createApp({ db, config: loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv), clock: fixedClock('2026-02-13T03:00:00.000Z'), log: () => {} });
      const ok = await request(app).get('/api/v1/dossiers').set('Authorization', `Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ items: [], total: 0 });
      const created = await request(app)
        .post('/api/v1/dossiers')
        .set('Authorization', `Bearer ${token}`)
        .send({ procedureCode: (await db('procedures').first()).code, agencyCode: AGENCY, channel: 'in_person', applicant: { name: 'Phan Thị Bé' } });
      // The clerk of Sở Nội vụ may receive at their own desk; the code carries their agency.
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.code).toBe(`${AGENCY}-260213-0001`);
      expect((await request(app).get('/api/v1/dossiers').set('Authorization', 'Bearer ost_sai')).status).toBe(401);
    });
  });

  it('when the role is unknown, then exit code 1 with a Vietnamese message and no user is created', async () => {
    const res = cli(['user:add', '--username', 'binh', '--role', 'boss', '--agency', AGENCY], 'mat-khau-cua-binh\n');
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Lỗi: Vai trò phải là một trong: clerk, head, admin');
    expect(res.stdout).toBe('');
    await withDb(async (db) => expect(await db('users').where({ username: 'binh' }).first()).toBeUndefined());
  });

  it('when the agency does not exist, the clerk has no agency or the password is too short, then exit code 1 with the reason', async () => {
    const cases: [string[], string, string][] = [
      [['--role', 'clerk', '--agency', '999.99.99.H13'], 'mat-khau-dai-du', 'Lỗi: Không có cơ quan mã 999.99.99.H13'],
      [['--role', 'clerk'], 'mat-khau-dai-du', 'Lỗi: Cán bộ và lãnh đạo cần --agency'],
      [['--role', 'clerk', '--agency', AGENCY], 'ngan\n', 'Lỗi: Mật khẩu cần ít nhất 8 ký tự (đọc từ stdin).'],
    ];
    for (const [flags, input, message] of cases) {
      const res = cli(['user:add', '--username', 'binh', ...flags], input);
      expect(res.code, message).toBe(1);
      expect(res.stderr.trim()).toBe(message);
    }
    await withDb(async (db) => expect(await db('users').where({ username: 'binh' }).first()).toBeUndefined());
  });

  it('when the same username is added twice, then exit code 1 with a Vietnamese message that leaks neither SQL nor the password hash', async () => {
    // in another case too: the login finds "AN.TRAN" as "an.tran", and the admin page refused it; a bad name as there
    const res = cli(['user:add', '--username', 'AN.TRAN', '--role', 'clerk', '--agency', AGENCY], 'mat-khau-khac-nua\n');
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Lỗi: Đã có người dùng AN.TRAN (tên đăng nhập không phân biệt chữ hoa, thường).');
    const odd = cli(['user:add', '--username', 'a b <script>', '--role', 'clerk', '--agency', AGENCY], 'mat-khau-khac-nua\n');
    expect(odd.stderr.trim()).toBe('Lỗi: Tên đăng nhập 3–64 ký tự: chữ không dấu, số và các dấu . _ -');
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stderr).not.toContain('scrypt$');
    expect(res.stderr).not.toMatch(/insert into|UNIQUE constraint/i);
    await withDb(async (db) => expect(await count(db, 'users')).toBe(1));
  });

  it('when token:add names an unknown user, then exit code 1 and nothing on stdout', async () => {
    const res = cli(['token:add', '--username', 'khong-co']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim()).toBe('Lỗi: Không có người dùng khong-co');
  });

  it('when "calendar:import" reads a schedule of a year with no official one, then its days land on that year\'s provisional base; a bad file exits 1 and writes nothing', async () => {
    const good = path.join(dir, 'lich-2030.csv');
    fs.writeFileSync(good, 'date,kind,name,source\n2030-02-08,day_off,Nghỉ hoán đổi dịp Tết Canh Tuất,Thông báo thử\n2030-02-16,working_day,Làm bù cho ngày 08/02/2030,Thông báo thử\n');
    const bad = path.join(dir, 'lich-sai.csv');
    fs.writeFileSync(bad, 'date,kind,name\n2030-02-18,working_day,Làm bù\n');
    const refused = cli(['calendar:import', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('Không nhập: 1 lỗi trong tệp. Chưa ghi ngày nào.\nDòng 2: Ngày làm bù 2030-02-18 không phải thứ Bảy hay Chủ nhật.\n');
    await withDb(async (db) => expect(await db('calendar_days').where('date', 'like', '2030-%')).toEqual([]));

    const res = cli(['calendar:import', good]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Đã nhập 2 ngày của năm 2030.');
    expect(res.stdout).toContain('Năm 2030 chưa có lịch chính thức: đã chép các ngày tạm tính');
    const { provisionalDaysOff } = await import('../../src/calendar/holidays');
    await withDb(async (db) => {
      const dates = (await db('calendar_days').where('date', 'like', '2030-%').orderBy('date')).map((r) => r.date);
      expect(dates).toEqual([...provisionalDaysOff(2030).map((e) => e.date), '2030-02-08', '2030-02-16'].sort());
      expect(JSON.parse((await db('audit_log').where({ action: 'calendar_imported' }).first()).detail)).toMatchObject({ via: 'cli', written: 2, provisionalBase: [2030] });
    });
  });

  it('when "calendar:recompute" runs after a day off is imported, then the open dossier whose deadline crosses it moves, with its event and an audit line', async () => {
    const code = await withDb(async (db) => {
      const app = createApp({ db, config: loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv), clock: fixedClock('2030-03-04T03:00:00.000Z'), log: () => {} });
      const clerk = await db('users').where({ username: 'an.tran' }).first('id');
      const token = await createApiToken(db, clerk.id, 'thu', new Date('2030-03-04T03:00:00.000Z'));
      // Thủ tục cấp Giấy xác nhận tình trạng hôn nhân: 3 working days
      const created = await request(app).post('/api/v1/dossiers').set('Authorization', `Bearer ${token}`).send({ procedureCode: '1.004873', agencyCode: AGENCY, channel: 'in_person', applicant: { name: 'Lý Văn Hạn' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.code as string;
    });
    const before = await withDb((db) => db('dossiers').where({ code }).first('due_at', 'appointment_at'));
    expect(before).toEqual({ due_at: '2030-03-07T03:00:00.000Z', appointment_at: '2030-03-07T03:00:00.000Z' }); // Thu 10:00
    const csv = path.join(dir, 'lich-nghi-dot-xuat.csv');
    fs.writeFileSync(csv, 'date,kind,name,source\n2030-03-05,day_off,Nghỉ đột xuất,Quyết định thử\n');
    const imported = cli(['calendar:import', csv]);
    expect(imported.stdout).toContain('tính lại hạn hồ sơ đang mở bằng lệnh calendar:recompute');
    expect(await withDb((db) => db('dossiers').where({ code }).first('due_at', 'appointment_at'))).toEqual(before);

    const res = cli(['calendar:recompute']);
    expect(res.code, res.stderr).toBe(0);
    const after = await withDb((db) => db('dossiers').where({ code }).first('due_at', 'appointment_at'));
    // Tuesday off: one working day later; the appointment was the deadline and follows it
    expect(after).toEqual({ due_at: '2030-03-08T03:00:00.000Z', appointment_at: '2030-03-08T03:00:00.000Z' });
    expect(res.stdout.split('\n')[0]).toBe('Đã tính lại hạn 2 hồ sơ đang mở; 1 hồ sơ đổi hạn (đã ghi vào lịch sử từng hồ sơ).');
    expect(res.stdout.split('\n')[1]).toBe(`  ${code}: 10:00 07/03/2030 → 10:00 08/03/2030`);
    await withDb(async (db) => {
      const event = await db('dossier_events as e').join('dossiers as d', 'd.id', 'e.dossier_id').where('d.code', code).where('e.type', 'recompute_due').first('e.actor_id', 'e.actor_name');
      expect(event).toEqual({ actor_id: null, actor_name: 'Quản trị viên (dòng lệnh)' });
      const line = await db('audit_log').where({ action: 'recompute_due' }).first();
      expect(line.actor_name).toBe('cli');
      expect(JSON.parse(line.detail)).toEqual({ checked: 2, moved: 1, codes: [code], via: 'cli' });
    });
    // Run again: nothing moves.
    expect(cli(['calendar:recompute']).stdout).toBe('Đã tính lại hạn 2 hồ sơ đang mở; 0 hồ sơ đổi hạn (đã ghi vào lịch sử từng hồ sơ).\n');
  });

  it('when the command is unknown, then the usage is printed and the exit code is not 0', async () => {
    const res = cli(['khong-co-lenh']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Cách dùng: npm run --silent cli -- <lệnh>');
    // the roles by name: an administrator making the first admin on a new database had to guess 'admin'
    expect(res.stderr).toContain('user:add --username U --role clerk|head|admin');
  });

  it('when DATABASE_URL names an SQLite file that is not there, then a backup exits 1 naming it and creates nothing (it backed up a new empty database)', async () => {
    const typo = path.join(dir, 'typo.sqlite3');
    const copy = path.join(dir, 'typo-backup.sqlite3');
    const res = spawnSync('npx', ['tsx', 'src/cli.ts', 'backup', copy], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${typo}` },
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(`Lỗi: không có cơ sở dữ liệu ${typo}. Kiểm tra DATABASE_URL (sqlite:<tệp>), hoặc tạo mới bằng lệnh migrate.\n`);
    expect(fs.existsSync(typo)).toBe(false);
    expect(fs.existsSync(copy)).toBe(false);
  });

  it('when the configuration is wrong, then the CLI says what without a stack trace; in production it needs no SESSION_SECRET, which signs only pages', async () => {
    const run = (env: Record<string, string>) =>
      spawnSync('npx', ['tsx', 'src/cli.ts', 'token:add', '--username', 'nobody'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: `sqlite:${file}`, ...env } });
    const mysql = run({ DATABASE_URL: 'mysql://x' });
    expect(mysql.status).toBe(2);
    expect(mysql.stderr).toBe('DATABASE_URL không được hỗ trợ: mysql://x (dùng sqlite:<tệp> hoặc postgres://…)\n');
    const production = run({ NODE_ENV: 'production', SESSION_SECRET: '' });
    expect(production.stderr).toBe('Lỗi: Không có người dùng nobody\n');
    expect(production.status).toBe(1);
  });

  it('when a CSV to import is a directory, then the CLI says so of the file, not of the database', async () => {
    const res = cli(['import', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('Lỗi tệp: đây là một thư mục, không phải tệp.\n');
  });
});

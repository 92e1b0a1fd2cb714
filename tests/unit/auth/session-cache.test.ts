import { describe, expect, it } from 'vitest';
import { writesAuth } from '../../../src/auth/session-cache';

// The statements after which a kept session may be out of date: those that write users or sessions, as knex writes
// them for SQLite (backquotes) and PostgreSQL (double quotes), and as raw SQL does.
describe('writesAuth', () => {
  it.each([
    'update `users` set `full_name` = ? where `id` = ?',
    'update "users" set "active" = $1 where "id" = $2',
    'delete from `sessions` where `user_id` = ?',
    'delete from "sessions" where "id" = $1',
    'insert into "sessions" ("created_at", "csrf_secret") values ($1, $2)',
    'UPDATE users SET active = false',
    'TRUNCATE users',
    'truncate table sessions;',
    'DROP TABLE IF EXISTS sessions',
    'with gone as (select id from users where active) delete from sessions where user_id in (select id from gone)',
    'update public.users set role = $1',
  ])('when the statement is %s, then it may change a session', (sql) => {
    expect(writesAuth(sql)).toBe(true);
  });

  it.each([
    'SELECT u.*, s.csrf_secret, s.expires_at AS session_expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?',
    'select * from "users" where "username" = $1 limit $2',
    'update `dossiers` set `updated_at` = ?, `status` = ? where `id` = ?',
    'update "api_tokens" set "last_used_at" = $1 where "id" = $2',
    'insert into `audit_log` (`action`, `user_id`) values (?, ?)',
    'delete from "user_sessions_archive"',
    'COMMIT;',
  ])('when the statement is %s, then it cannot', (sql) => {
    expect(writesAuth(sql)).toBe(false);
  });
});

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from './passwords';
import { optionalText, requiredText, z } from '../shared/validation';

export type Role = 'clerk' | 'head' | 'admin';
export const ROLES: Role[] = ['clerk', 'head', 'admin'];
export const ROLE_NAMES: Record<Role, string> = {
  clerk: 'Cán bộ một cửa',
  head: 'Lãnh đạo cơ quan',
  admin: 'Quản trị hệ thống',
};

// ---------------------------------------------------------------------------------------------
// An account as an admin creates it, on the page or with the CLI (which took any name: "MOTCUA" beside "motcua")

const USERNAME = /^[A-Za-z0-9._-]{3,64}$/;

export const passwordRule = z
  .string({ error: 'Nhập mật khẩu.' })
  .min(8, 'Mật khẩu cần ít nhất 8 ký tự.')
  .max(200, 'Mật khẩu tối đa 200 ký tự.');

export const profileShape = {
  fullName: requiredText(200),
  role: z.enum(ROLES, { error: 'Chọn vai trò.' }),
  agencyCode: optionalText(64),
};

/** Clerks and heads work for one agency; an admin may belong to none. */
export function agencyRequired(u: { role: Role; agencyCode?: string }, issue: z.RefinementCtx) {
  if (u.role !== 'admin' && !u.agencyCode) {
    issue.addIssue({ code: 'custom', path: ['agencyCode'], message: 'Cán bộ một cửa và lãnh đạo phải thuộc một cơ quan.' });
  }
}

export const userCreateSchema = z
  .object({
    username: z
      .string({ error: 'Nhập tên đăng nhập.' })
      .trim()
      .min(1, 'Nhập tên đăng nhập.')
      .regex(USERNAME, 'Tên đăng nhập 3–64 ký tự: chữ không dấu, số và các dấu . _ -'),
    ...profileShape,
    password: passwordRule,
  })
  .superRefine((u, issue) => {
    agencyRequired(u, issue);
    if (u.password.toLowerCase() === u.username.toLowerCase()) {
      issue.addIssue({ code: 'custom', path: ['password'], message: 'Mật khẩu không được trùng tên đăng nhập.' });
    }
  });

/** A name taken whatever its case: "MOTCUA" is "motcua" at the login. */
export async function usernameTaken(db: Knex, username: string): Promise<boolean> {
  return Boolean(await db('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first('id'));
}

export interface User {
  id: number;
  username: string;
  fullName: string;
  role: Role;
  agencyCode: string | null;
  active: boolean;
}

export interface UserRow {
  id: number;
  username: string;
  full_name: string;
  role: Role;
  agency_code: string | null;
  password_hash: string;
  active: boolean | number;
  created_at: string;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    fullName: row.full_name,
    role: row.role,
    agencyCode: row.agency_code,
    active: Boolean(row.active),
  };
}

/** The account of a username typed in any case ("Admin" is "admin"; no two differ by case alone, see the index). */
export async function findUserRow(db: Knex, username: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first();
}

export async function createUser(
  db: Knex,
  input: { username: string; fullName: string; role: Role; agencyCode: string | null; password: string },
  now: Date,
): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await db<UserRow>('users')
    .insert({
      username: input.username,
      full_name: input.fullName,
      role: input.role,
      agency_code: input.agencyCode,
      password_hash: passwordHash,
      active: true,
      created_at: now.toISOString(),
    })
    .returning('*');
  return toUser(row as UserRow);
}

/**
 * A user's new password, inside the caller's transaction (which writes the audit lines): whoever knew the old one is
 * signed out everywhere, but for `keepSession` (an admin resetting their own password stays in). With `unlock` the
 * account is unlocked too. The admin page and the CLI's `user:password` both reset this way.
 */
export async function setPassword(trx: Knex, userId: number, passwordHash: string, opts: { keepSession?: string | null; unlock?: boolean } = {}): Promise<void> {
  await trx('users').where({ id: userId }).update({ password_hash: passwordHash, ...(opts.unlock ? { active: true } : {}) });
  const sessions = trx('sessions').where({ user_id: userId });
  if (opts.keepSession) sessions.whereNot({ id: opts.keepSession });
  await sessions.delete();
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** Creates an API token for a user; only its hash is stored, the token itself is returned once. */
export async function createApiToken(db: Knex, userId: number, name: string | null, now: Date): Promise<string> {
  const token = `ost_${randomToken(24)}`;
  await db('api_tokens').insert({ user_id: userId, token_hash: sha256(token), name, created_at: now.toISOString() });
  return token;
}

export async function userByApiToken(db: Knex, token: string, now: Date): Promise<User | null> {
  const row = await db('api_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .where('t.token_hash', sha256(token))
    .whereNull('t.revoked_at')
    .select('u.*', 't.id as token_id', 't.last_used_at')
    .first();
  if (!row || !row.active) return null;
  // Writing on every call would serialise reads behind a write; a minute's precision is enough.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
    await db('api_tokens').where({ id: row.token_id }).update({ last_used_at: now.toISOString() });
  }
  return toUser(row as UserRow);
}

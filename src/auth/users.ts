import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from './passwords';

export type Role = 'clerk' | 'head' | 'admin';
export const ROLES: Role[] = ['clerk', 'head', 'admin'];
export const ROLE_NAMES: Record<Role, string> = {
  clerk: 'Cán bộ một cửa',
  head: 'Lãnh đạo cơ quan',
  admin: 'Quản trị hệ thống',
};

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

export async function findUserRow(db: Knex, username: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ username }).first();
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

import type { Request } from 'express';
import type { Knex } from 'knex';
import type { AppContext } from '../shared/context';

/** What the audit log records: sign-ins and every change an admin makes. */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'user_created',
  'user_updated',
  'user_locked',
  'user_unlocked',
  'password_reset',
  'token_created',
  'token_revoked',
  'field_saved',
  'agency_saved',
  'procedure_saved',
  'calendar_day_saved',
  'calendar_day_deleted',
  'calendar_year_copied',
  'calendar_imported',
  'recompute_due',
  'import',
  'letter_template_saved',
  'letter_template_reset',
  'form_texts_saved',
  'form_texts_reset',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ACTION_NAMES: Record<AuditAction, string> = {
  login: 'Đăng nhập',
  login_failed: 'Đăng nhập thất bại',
  logout: 'Đăng xuất',
  user_created: 'Tạo người dùng',
  user_updated: 'Sửa người dùng',
  user_locked: 'Khóa tài khoản',
  user_unlocked: 'Mở khóa tài khoản',
  password_reset: 'Đặt lại mật khẩu',
  token_created: 'Tạo token API',
  token_revoked: 'Thu hồi token API',
  field_saved: 'Lưu lĩnh vực',
  agency_saved: 'Thêm cơ quan',
  procedure_saved: 'Lưu thủ tục',
  calendar_day_saved: 'Lưu ngày trong lịch',
  calendar_day_deleted: 'Xóa ngày khỏi lịch',
  calendar_year_copied: 'Chép lịch tạm tính',
  calendar_imported: 'Nhập lịch nghỉ từ tệp',
  recompute_due: 'Tính lại hạn hồ sơ đang mở',
  import: 'Nhập dữ liệu',
  letter_template_saved: 'Lưu mẫu thư xin lỗi',
  letter_template_reset: 'Khôi phục mẫu thư xin lỗi',
  form_texts_saved: 'Lưu lời văn mẫu phiếu',
  form_texts_reset: 'Khôi phục lời văn mẫu phiếu',
};

export interface AuditRow {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string | null;
  action: AuditAction;
  target: string | null;
  detail: string;
  ip: string | null;
}

/** Keys whose values never go into the log, whatever a caller passes. */
const SECRET_KEY = /pass|secret|hash|csrf|^(api)?token$/i;

function clip(value: unknown, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = String(value);
  return text.length > max ? text.slice(0, max) : text;
}

function safeDetail(detail: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (value === undefined || SECRET_KEY.test(key)) continue;
    out[key] = typeof value === 'string' ? value.slice(0, 500) : value;
  }
  const json = JSON.stringify(out);
  return json.length > 4000 ? JSON.stringify({ truncated: json.slice(0, 3900) }) : json;
}

/**
 * Appends one line to the audit log. The actor is the signed-in user of `req` unless `actor` names one
 * (a login, before the session exists; a failed login, where only the typed name is known).
 * Pass a transaction as `db` to make the line part of the change it records.
 */
export async function audit(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  req: Request | null,
  action: AuditAction,
  target: string | number | null,
  detail: Record<string, unknown> = {},
  options: { actor?: { id: number | null; name: string | null }; db?: Knex } = {},
): Promise<void> {
  const user = req?.user;
  const actor = options.actor ?? (user ? { id: user.id, name: user.username } : { id: null, name: null });
  await (options.db ?? ctx.db)('audit_log').insert({
    at: ctx.clock.now().toISOString(),
    actor_id: actor.id,
    actor_name: clip(actor.name, 200),
    action,
    target: clip(target, 300),
    detail: safeDetail(detail),
    ip: clip(req?.ip, 64),
  });
}

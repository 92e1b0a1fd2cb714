import { ROLE_NAMES, type Role } from '../auth/users';
import { DAY_KIND_NAMES } from '../calendar/api';
import { ON_SUPPLEMENT_NAMES, UNIT_NAMES } from '../catalog/api';
import { FORM_TEXTS, isFormKey } from '../forms/texts';
import { formatDate, formatNumber, narrowedTitle } from '../shared/format';
import { AUDIT_ACTION_NAMES, type AuditAction } from './log';

/**
 * The audit log's details read by an admin: each recorded key under its name in Vietnamese, its value in words
 * ("Vai trò: Lãnh đạo", "Thời hạn: 15 ngày làm việc"), where the page showed `role: head` and
 * `duration: {"value":15,"unit":"working_days"}`. A key not named here keeps its own name and its value as recorded.
 */
const LABELS: Record<string, string> = {
  name: 'Tên',
  nameBefore: 'Tên trước đó',
  created: 'Tạo mới',
  via: 'Thực hiện qua',
  userId: 'Mã người dùng',
  fullName: 'Họ tên',
  role: 'Vai trò',
  roleBefore: 'Vai trò trước đó',
  agencyCode: 'Cơ quan',
  agencyCodeBefore: 'Cơ quan trước đó',
  tokenId: 'Mã token',
  fieldCode: 'Lĩnh vực',
  duration: 'Thời hạn',
  durationBefore: 'Thời hạn trước đó',
  statutoryDays: 'Thời hạn theo luật (ngày)',
  onSupplement: 'Khi bổ sung hồ sơ',
  active: 'Đang áp dụng',
  kind: 'Loại ngày',
  source: 'Căn cứ',
  provisionalBase: 'Năm chép từ lịch tạm tính',
  mode: 'Cách nhập',
  years: 'Năm',
  removed: 'Số ngày cũ đã xóa',
  written: 'Số ngày đã ghi',
  checked: 'Số hồ sơ đã xét',
  moved: 'Số hồ sơ đổi hạn',
  codes: 'Mã hồ sơ',
  reason: 'Lý do',
  blocked: 'Chặn theo',
  ok: 'Kết quả',
  rows: 'Số dòng',
  keptCodes: 'Số mã giữ từ tệp',
  generatedCodes: 'Số mã cấp mới',
  firstCodes: 'Mã đầu tiên',
  problems: 'Số dòng sai',
  form: 'Mẫu phiếu',
  numberSuffix: 'Ký hiệu sau số',
  title: 'Tên văn bản',
  intro: 'Đoạn mở đầu',
  closing: 'Đoạn kết',
  signer: 'Chức danh người ký',
  body: 'Nội dung',
  sms: 'Tin nhắn SMS',
  recipients: 'Nơi nhận',
  signerTitle: 'Chức danh người ký',
  signerName: 'Họ tên người ký',
  truncated: 'Chi tiết (đã cắt bớt)',
};

const WORDS: Record<string, Record<string, string>> = {
  via: { api: 'API' },
  mode: { merge: 'thêm vào lịch', replace: 'thay cả năm' },
  reason: { unknown_user: 'không có tài khoản này', wrong_password: 'sai mật khẩu', account_locked: 'tài khoản đã bị khóa', rate_limited: 'sai quá nhiều lần' },
  blocked: { address: 'địa chỉ IP', username: 'tên đăng nhập' },
  onSupplement: ON_SUPPLEMENT_NAMES,
  kind: DAY_KIND_NAMES,
};

/** Numbers written with the thousands' dots; the others (ids, years) as recorded. */
const COUNTS = new Set(['removed', 'written', 'checked', 'moved', 'rows', 'keptCodes', 'generatedCodes', 'problems']);

function words(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return key === 'ok' ? (value ? 'đã nhập' : 'không nhập, có dòng sai') : value ? 'có' : 'không';
  if (typeof value === 'number') return COUNTS.has(key) ? formatNumber(value) : String(value);
  if (Array.isArray(value)) return value.length ? value.map((v) => words(key, v)).join(', ') : '—';
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.value === 'number' && typeof o.unit === 'string') return `${formatNumber(o.value)} ${UNIT_NAMES[o.unit as keyof typeof UNIT_NAMES] ?? o.unit}`;
    return Object.entries(o).map(([k, v]) => `${LABELS[k] ?? k}: ${words(k, v)}`).join('; ');
  }
  const text = String(value);
  if ((key === 'role' || key === 'roleBefore') && text in ROLE_NAMES) return ROLE_NAMES[text as Role];
  if (key === 'form' && isFormKey(text)) return FORM_TEXTS[text].name;
  return WORDS[key]?.[text] ?? text;
}

/** One line per recorded key, in the order recorded. */
export function detailLines(detail: Record<string, unknown>): Array<{ label: string; value: string }> {
  return Object.entries(detail).map(([key, value]) => ({ label: LABELS[key] ?? key, value: words(key, value) }));
}

/** The log page's title: what its filters narrow it to ("Nhật ký hệ thống: Đăng nhập, “an”, từ 01/11/2026, trang 2"). */
export function auditTitle(filter: { action?: AuditAction; user?: string; from?: string; to?: string; page?: number }): string {
  return narrowedTitle('Nhật ký hệ thống', [
    filter.action && AUDIT_ACTION_NAMES[filter.action],
    filter.user && `“${filter.user}”`,
    filter.from && `từ ${formatDate(filter.from)}`,
    filter.to && `đến ${formatDate(filter.to)}`,
    (filter.page ?? 1) > 1 && `trang ${filter.page}`,
  ]);
}

import { describe, expect, it } from 'vitest';
import { auditTitle, detailLines } from '../../../src/audit/detail';

// The audit log's details as an admin reads them: names and values in words, not the recorded keys and JSON.
describe('detailLines', () => {
  it('names the keys and says the values in words: a role, a duration, a reason, a form', () => {
    expect(detailLines({ userId: 1234, role: 'head', roleBefore: 'clerk', agencyCode: null })).toEqual([
      { label: 'Mã người dùng', value: '1234' },
      { label: 'Vai trò', value: 'Lãnh đạo cơ quan' },
      { label: 'Vai trò trước đó', value: 'Cán bộ một cửa' },
      { label: 'Cơ quan', value: '—' },
    ]);
    expect(detailLines({ duration: { value: 15, unit: 'working_days' }, durationBefore: { value: 8, unit: 'working_hours' }, onSupplement: 'pause', active: false })).toEqual([
      { label: 'Thời hạn', value: '15 ngày làm việc' },
      { label: 'Thời hạn trước đó', value: '8 giờ làm việc' },
      { label: 'Khi bổ sung hồ sơ', value: 'Tạm dừng, tính tiếp phần còn lại' },
      { label: 'Đang áp dụng', value: 'không' },
    ]);
    expect(detailLines({ reason: 'rate_limited', blocked: 'address' })).toEqual([
      { label: 'Lý do', value: 'sai quá nhiều lần' },
      { label: 'Chặn theo', value: 'địa chỉ IP' },
    ]);
    expect(detailLines({ form: 'supplement', title: 'Phiếu yêu cầu' })[0]).toEqual({ label: 'Mẫu phiếu', value: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ' });
  });

  it('writes counts with the thousands\' dots and years and ids as they are; lists are joined; an import says its outcome', () => {
    expect(detailLines({ mode: 'replace', years: [2026, 2027], removed: 1250, written: 18 })).toEqual([
      { label: 'Cách nhập', value: 'thay cả năm' },
      { label: 'Năm', value: '2026, 2027' },
      { label: 'Số ngày cũ đã xóa', value: '1.250' },
      { label: 'Số ngày đã ghi', value: '18' },
    ]);
    expect(detailLines({ ok: false, rows: 12000, problems: 3 })).toEqual([
      { label: 'Kết quả', value: 'không nhập, có dòng sai' },
      { label: 'Số dòng', value: '12.000' },
      { label: 'Số dòng sai', value: '3' },
    ]);
    expect(detailLines({ codes: [] })).toEqual([{ label: 'Mã hồ sơ', value: '—' }]);
  });

  it('keeps a key it does not know under its own name, its object value in words of its parts', () => {
    expect(detailLines({ newKey: 'x', nested: { name: 'A', created: true } })).toEqual([
      { label: 'newKey', value: 'x' },
      { label: 'nested', value: 'Tên: A; Tạo mới: có' },
    ]);
  });
});

describe('auditTitle', () => {
  it('names what narrows the log, in the order of its filters, and leaves out the first page', () => {
    expect(auditTitle({ page: 1 })).toBe('Nhật ký hệ thống');
    expect(auditTitle({ action: 'password_reset', user: 'an', to: '2026-11-30', page: 3 })).toBe('Nhật ký hệ thống: Đặt lại mật khẩu, “an”, đến 30/11/2026, trang 3');
  });
});

import { describe, expect, it } from 'vitest';
import { listHeading, listTitle } from '../../../src/dossiers/list-title';

const plain = { page: 1 } as const;

describe('the dossier list title', () => {
  it('when the list is not narrowed, then the title is its heading', () => {
    expect(listTitle(plain)).toBe('Danh sách hồ sơ');
    expect(listTitle({ ...plain, late: true, status: undefined })).toBe('Hồ sơ quá hạn');
    expect(listHeading({ dueSoon: true })).toBe('Hồ sơ sắp đến hạn');
  });

  it('when the list is searched, filtered by status and paged, then the title says so', () => {
    expect(listTitle({ ...plain, q: 'nguyen van a' })).toBe('Danh sách hồ sơ: tìm “nguyen van a”');
    expect(listTitle({ status: 'awaiting_supplement', page: 3 })).toBe('Danh sách hồ sơ: chờ bổ sung, trang 3');
    expect(listTitle({ late: true, status: 'open', page: 1 })).toBe('Hồ sơ quá hạn: chưa xong');
  });

  it('when the list is a number of the report, then the title names its column and period, and leaves out a period it cannot read', () => {
    expect(listTitle({ page: 1, report: 'resolved.late', from: '2026-11-01', to: '2026-11-30' })).toBe('Danh sách hồ sơ: cột (10) của báo cáo kỳ 01/11/2026–30/11/2026');
    expect(listTitle({ page: 1, report: 'received.total', from: 'hôm qua', to: '2026-11-30' })).toBe('Danh sách hồ sơ: cột (3) của báo cáo');
  });
});

import { describe, expect, it } from 'vitest';
import { LINE_POINTS, wrappedLines, wrappedRowHeight } from '../../../src/shared/sheet-rows';

describe('the height of a workbook row whose text wraps', () => {
  it('when a name is longer than its column holds, then it counts the lines it wraps to, word by word', () => {
    // A column 44 wide holds 52 characters a line.
    expect(wrappedLines('Đất đai', 44)).toBe(1);
    expect(wrappedLines('Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã', 44)).toBe(2);
    // 10 wide holds 12: 'Trực tiếp,' (10) then 'dịch vụ bưu' (11) then 'chính'.
    expect(wrappedLines('Trực tiếp, dịch vụ bưu chính', 10)).toBe(3);
    // A word longer than a line is broken; a line break starts a line.
    expect(wrappedLines('000.01.01.H13-260202-0001', 10)).toBe(3);
    expect(wrappedLines('Số 5 Hòa Bình\n0912345678', 44)).toBe(2);
    // Marks typed as separate characters (NFD) count as the letters they make.
    expect(wrappedLines('Nguyễn Thị Hoa Nguyễn Thị Hoa'.normalize('NFD'), 30)).toBe(1);
  });

  it('when any cell of a row wraps, then the row is as high as its longest cell; otherwise it keeps the default', () => {
    expect(wrappedRowHeight([{ text: 'Chứng thực', width: 44 }, { text: '1', width: 8 }])).toBeUndefined();
    expect(wrappedRowHeight([{ text: 'Chứng thực', width: 44 }, { text: 'Sở Nông nghiệp và Môi trường', width: 10 }])).toBe(3 * LINE_POINTS);
  });
});

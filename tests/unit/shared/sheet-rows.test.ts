import { describe, expect, it } from 'vitest';
import { LINE_POINTS, wrappedLines, wrappedRowHeight } from '../../../src/shared/sheet-rows';

describe('the height of a workbook row whose text wraps', () => {
  it('when a name is longer than its column holds, then it counts the lines it wraps to, word by word', () => {
    // A column 44 wide holds 228 points of text: 'Thành lập … hợp tác,' of 11 pt, then the rest.
    expect(wrappedLines('Đất đai', 44)).toBe(1);
    expect(wrappedLines('Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã', 44)).toBe(2);
    expect(wrappedLines('Trực tiếp, dịch vụ bưu chính', 10)).toBe(3);
    // A line break starts a line; marks typed as separate characters (NFD) are the letters they make.
    expect(wrappedLines('Số 5 Hòa Bình\n0912345678', 44)).toBe(2);
    expect(wrappedLines('Nguyễn Thị Hoa Nguyễn Thị Hoa'.normalize('NFD'), 30)).toBe(1);
  });

  it('when letters are wide or narrow, then it measures them as Times New Roman draws them, not counts them', () => {
    expect(wrappedLines('MMMMMMMMMM', 15)).toBe(2);
    expect(wrappedLines('iiiiiiiiii', 15)).toBe(1);
    // Bold is wider; 10 pt holds more than 11.
    expect([wrappedLines('STT', 4, 10), wrappedLines('STT', 4, 10, true)]).toEqual([1, 2]);
    expect([wrappedLines('Sở Nông nghiệp và Môi trường', 10, 11), wrappedLines('Sở Nông nghiệp và Môi trường', 10, 10)]).toEqual([4, 3]);
  });

  it('when LibreOffice printed a cell of 10 pt, then it counts at least the lines it drew, and a date that did not fit does not fit', () => {
    // A code breaks after a hyphen: '000.01.01.H13-' / '261105-0001' in 12.5, '000.01.01.H' / '13-261105-' / '0001' in 10.
    expect(wrappedLines('000.01.01.H13-261105-0001', 12.5, 10)).toBe(2);
    expect(wrappedLines('000.01.01.H13-261105-0001', 10, 10)).toBe(3);
    expect(wrappedLines('Ấp Nhơn Lộc, Xã Thới Hưng, thành phố Cần Thơ; 0982486390', 15, 10)).toBe(4);
    expect(wrappedLines('Sở Nông nghiệp và Môi trường thành phố Cần Thơ', 12, 10)).toBe(4);
    expect(wrappedLines('Số 98 đường Trần Quang Diệu, Phường Đại Thành, thành phố Cần Thơ; 0989693313', 15, 10)).toBeGreaterThanOrEqual(5);
    // 'hh:mm dd/mm/yyyy' showed '###' in a column 13 wide.
    expect(wrappedLines('14:50 25/11/2026', 14.5, 10)).toBe(1);
    expect(wrappedLines('14:50 25/11/2026', 13, 10)).toBeGreaterThan(1);
  });

  it('when any cell of a row wraps, then the row is as high as its longest cell, in lines of its size; otherwise it keeps the default', () => {
    expect(wrappedRowHeight([{ text: 'Chứng thực', width: 44 }, { text: '1', width: 8 }])).toBeUndefined();
    expect(wrappedRowHeight([{ text: 'Chứng thực', width: 44 }, { text: 'Sở Nông nghiệp và Môi trường', width: 10 }])).toBe(4 * LINE_POINTS[11]);
    expect(wrappedRowHeight([{ text: 'Chứng thực', width: 44 }, { text: 'Sở Nông nghiệp và Môi trường', width: 10 }], 10)).toBe(3 * 12.75);
  });
});

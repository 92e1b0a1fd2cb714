import { describe, expect, it } from 'vitest';
import { heapShortfall, heapShortfallMessage, importHeapNeed } from '../../../src/imports/routes';

const MB = 1024 * 1024;

describe('heapShortfall: whether the admin page has heap room for a file before reading it', () => {
  it('needs three and a half bytes a byte of file and 16 MB more', () => {
    expect(importHeapNeed(0)).toBe(16 * MB);
    expect(importHeapNeed(20 * MB)).toBe(86 * MB);
    expect(importHeapNeed(80 * MB)).toBe(296 * MB);
  });

  it('when the need fits what the heap has left, then the file is read (20 MB under 192 MB with 50 used; exactly full too)', () => {
    expect(heapShortfall(20 * MB, { limit: (192 + 48) * MB, used: 50 * MB })).toBeNull();
    expect(heapShortfall(20 * MB, { limit: (136 + 48) * MB, used: 50 * MB })).toBeNull();
  });

  it('counts only the old generation: the 48 MB of the young one in V8\'s limit hold no file', () => {
    // 26 MB ran a server limited to --max-old-space-size=96 (a heap_size_limit of 144 MB) out of memory.
    expect(heapShortfall(26 * MB, { limit: 144 * MB, used: 35 * MB })).toEqual({ fileMb: 26, needMb: 107, freeMb: 61, fitsMb: 12 });
    // 22 MB imported under 128 (176 MB).
    expect(heapShortfall(22 * MB, { limit: 176 * MB, used: 35 * MB })).toBeNull();
  });

  it('when it does not, then it says what is needed, what is free and the largest file that fits', () => {
    // 80 MB under 256 MB ran a server out of memory (docs/IMPORT.md, Memory).
    expect(heapShortfall(80 * MB, { limit: (256 + 48) * MB, used: 50 * MB })).toEqual({ fileMb: 80, needMb: 296, freeMb: 206, fitsMb: 54 });
    expect(heapShortfall(20 * MB + 1, { limit: (136 + 48) * MB, used: 50 * MB })).toEqual({ fileMb: 21, needMb: 87, freeMb: 86, fitsMb: 20 });
    // The largest file it names does fit.
    expect(heapShortfall(54 * MB, { limit: (256 + 48) * MB, used: 50 * MB })).toBeNull();
    expect(heapShortfall(55 * MB, { limit: (256 + 48) * MB, used: 50 * MB })).not.toBeNull();
  });

  it('tells the admin, in Vietnamese, that nothing was written and what to do', () => {
    const split = heapShortfallMessage({ fileMb: 80, needMb: 296, freeMb: 206, fitsMb: 54 });
    expect(split).toBe(
      'Máy chủ không đủ bộ nhớ để nhập tệp 80 MB lúc này: cần khoảng 296 MB, còn trống 206 MB. Chưa ghi gì vào cơ sở dữ liệu. ' +
        'Hãy chia tệp thành các phần dưới 54 MB (phần nào cũng giữ dòng tiêu đề) rồi nhập lần lượt, hoặc nhờ quản trị viên cấp thêm bộ nhớ cho máy chủ (--max-old-space-size).',
    );
    // A heap nearly full leaves no size to suggest.
    const full = heapShortfall(1 * MB, { limit: (100 + 48) * MB, used: 90 * MB })!;
    expect(full.fitsMb).toBe(0);
    expect(heapShortfallMessage(full)).toMatch(/Chưa ghi gì vào cơ sở dữ liệu\. Hãy thử lại sau ít phút, hoặc nhờ quản trị viên/);
  });
});

import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MARKED_LETTERS, PLAIN_LETTERS, toneSpellings, withoutMarks, withoutMarksSql } from '../../../src/shared/marks';

describe('Vietnamese letters without their marks', () => {
  it('when the letters are listed, then they are the 66 marked vowels and đ, in both cases, each with one plain letter', () => {
    expect([...MARKED_LETTERS]).toHaveLength(134);
    expect([...PLAIN_LETTERS]).toHaveLength(134);
    expect(new Set(MARKED_LETTERS).size).toBe(134);
    expect(PLAIN_LETTERS).toMatch(/^[aeiouydAEIOUYD]+$/);
    expect(MARKED_LETTERS).toBe(MARKED_LETTERS.normalize('NFC'));
  });

  it('when a name is written with marks, then its plain form keeps every other character and the length', () => {
    expect(withoutMarks('Nguyễn Văn Hùng')).toBe('Nguyen Van Hung');
    expect(withoutMarks('ĐẶNG THỊ ÁNH TUYẾT')).toBe('DANG THI ANH TUYET');
    expect(withoutMarks('Trương Ngọc Ẩn, Phạm Ưng Đạt')).toBe('Truong Ngoc An, Pham Ung Dat');
    expect(withoutMarks('Hộ kinh doanh Phở_Bắc 100%')).toBe('Ho kinh doanh Pho_Bac 100%');
    for (const text of ['Nguyen Van A', '260202-0001', 'ΟΔΟΣ', 'Ç ñ ü', '']) expect(withoutMarks(text)).toBe(text);
    expect([...withoutMarks('Ỷ Lan Ưởng')]).toHaveLength([...'Ỷ Lan Ưởng'].length);
  });

  it("when SQLite computes the plain form with the migration's SQL, then it agrees with the JavaScript on every letter", () => {
    const db = new Database(':memory:');
    try {
      const texts = [MARKED_LETTERS, 'Nguyễn Văn Hùng', 'ĐẶNG THỊ ÁNH TUYẾT', 'Phố ΟΔΟΣ', "Bà 'Tư' Ánh"];
      for (const text of texts) {
        const { v } = db.prepare(`SELECT ${withoutMarksSql('?', 'sqlite')} AS v`).get(text) as { v: string };
        expect(v).toBe(withoutMarks(text));
      }
      expect(withoutMarks(MARKED_LETTERS)).toBe(PLAIN_LETTERS);
    } finally {
      db.close();
    }
  });
});

describe('the tone of oa, oe, uy placed either way', () => {
  it('when a name holds "òa", "ủy" or "ỏe" at a word\'s end, then the other placement is spelled too, in each case', () => {
    expect(toneSpellings('Hòa')).toEqual(['Hòa', 'Hoà']);
    expect(toneSpellings('HOÀ')).toEqual(['HOÀ', 'HÒA']);
    expect(toneSpellings('khoẻ')).toEqual(['khoẻ', 'khỏe']);
    expect(toneSpellings('Nguyễn Thị Thủy Hòa')).toEqual(['Nguyễn Thị Thủy Hòa', 'Nguyễn Thị Thủy Hoà', 'Nguyễn Thị Thuỷ Hòa', 'Nguyễn Thị Thuỷ Hoà']);
  });
  it('when the pair is inside a word, after q, or absent, then the text is its only spelling', () => {
    for (const text of ['Hoàng', 'Quý', 'quỳnh', 'Nguyen Van Hoa', '0912345678', '']) expect(toneSpellings(text)).toEqual([text]);
  });
  it('when a text holds many such pairs, then at most eight spellings are made, the text first', () => {
    const many = toneSpellings('hòa hòa hòa hòa hòa');
    expect(many).toHaveLength(8);
    expect(many[0]).toBe('hòa hòa hòa hòa hòa');
  });
});

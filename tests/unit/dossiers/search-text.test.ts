import { describe, expect, it } from 'vitest';
import { compactNumber } from '../../../src/dossiers/schema';

describe('compactNumber', () => {
  it('when a phone or an identity number is typed in groups, then the spaces go', () => {
    expect(compactNumber('0909 123 456')).toBe('0909123456');
    expect(compactNumber('092 190 010 001')).toBe('092190010001');
  });
  it('when the text is anything else, then it is searched as typed', () => {
    for (const text of ['0909123456', 'Nguyễn Văn A', '0909 12', '260202-0001', '000.01.01', '12 tháng 3', '0909 abc 456']) {
      expect(compactNumber(text)).toBe(text);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { typeKeys, type Typed } from '../../../src/auth/password-prompt';

const start: Typed = { value: '', done: false, cancelled: false };
/** The line after each chunk of keys in turn. */
const typed = (...chunks: string[]) => chunks.reduce(typeKeys, start);

describe('the hidden password prompt (typeKeys)', () => {
  it('when keys come one by one or as a paste, then they make the password, and Enter ends it', () => {
    expect(typed('m', 'k', '1')).toEqual({ value: 'mk1', done: false, cancelled: false });
    expect(typed('mật khẩu 9\r')).toEqual({ value: 'mật khẩu 9', done: true, cancelled: false });
    expect(typed('abc', '\n')).toEqual({ value: 'abc', done: true, cancelled: false });
  });

  it('when Backspace is pressed, then one letter goes, a precomposed Vietnamese letter whole', () => {
    expect(typed('khẩu', '\u007f').value).toBe('khẩ');
    expect(typed('khẩ', '\u007f').value).toBe('kh');
    expect(typed('ab\bc').value).toBe('ac');
    expect(typed('\u007f\u007fx').value).toBe('x');
  });

  it('when Ctrl-U is pressed, then the line is cleared; arrows and other control keys are not taken into the password', () => {
    expect(typed('sai roi\u0015dung').value).toBe('dung');
    expect(typed('ab\u001b[Dc\u001b[3~d\u0001\te').value).toBe('abcde');
  });

  it('when Ctrl-C is pressed, or Ctrl-D on an empty line, then the prompt is given up with nothing kept', () => {
    expect(typed('mat\u0003')).toEqual({ value: '', done: false, cancelled: true });
    expect(typed('\u0004')).toEqual({ value: '', done: false, cancelled: true });
    expect(typed('a\u0004b').value).toBe('ab');
  });

  it('when keys come after the line is done, then they change nothing', () => {
    expect(typed('xong\r', 'them\r')).toEqual({ value: 'xong', done: true, cancelled: false });
    expect(typed('\u0003', 'x\r')).toEqual({ value: '', done: false, cancelled: true });
  });
});

import { describe, expect, it } from 'vitest';
import { isRealDay, isRealIsoDate, optionalText, requiredText } from '../../../src/shared/validation';

describe('days of the calendar', () => {
  it('when a date names a day that exists, then it is real; one Date would roll over into the next month is not', () => {
    for (const s of ['2026-02-28', '2028-02-29', '2000-02-29', '2026-12-31', '2026-04-30']) expect(isRealIsoDate(s), s).toBe(true);
    for (const s of ['2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-01-32']) expect(isRealIsoDate(s), s).toBe(false);
  });

  it('when a date is not written YYYY-MM-DD, then it is not one', () => {
    for (const s of ['2026-2-1', '26-02-01', '2026/02/01', '01/02/2026', '2026-02-01T00:00', ' 2026-02-01', '']) expect(isRealIsoDate(s), s).toBe(false);
  });

  it('when the year is below 100, then it is that year, not 1900 and more (as Date.UTC would read it)', () => {
    expect(isRealDay(50, 1, 1)).toBe(true);
    expect(isRealIsoDate('0004-02-29')).toBe(true);
    expect(isRealIsoDate('0005-02-29')).toBe(false);
  });
});

describe('text as typed or pasted', () => {
  it('when a text holds invisible format characters, then they are dropped; one of them alone is empty', () => {
    expect(requiredText(200).safeParse('\u202e').success).toBe(false); // a direction override printed a blank name
    expect(requiredText(200).parse('\ufeffNguyễn\u200b Văn A\u202c ')).toBe('Nguyễn Văn A');
    expect(optionalText(200).parse('\u2066\u2069')).toBeUndefined();
    // decomposed marks (Unikey's "Unicode tổ hợp") are composed
    expect(requiredText(200).parse('Nguye\u0302\u0303n')).toBe('Nguyễn');
  });
});

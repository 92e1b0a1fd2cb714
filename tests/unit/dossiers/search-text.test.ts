import { describe, expect, it } from 'vitest';
import { applicantSchema, compactNumber } from '../../../src/dossiers/schema';

describe('compactNumber', () => {
  it('when a phone or an identity number is typed in groups, then the spaces go', () => {
    expect(compactNumber('0909 123 456')).toBe('0909123456');
    expect(compactNumber('092 190 010 001')).toBe('092190010001');
  });
  it('when a phone number is written with dots, dashes or the country code, then it is searched as intake keeps it', () => {
    expect(compactNumber('0909.123.456')).toBe('0909123456');
    expect(compactNumber('0909-123-456')).toBe('0909123456');
    expect(compactNumber('+84909123456')).toBe('0909123456');
    expect(compactNumber('+84 939 555 777')).toBe('0939555777');
    expect(compactNumber('+84.292.3821.234')).toBe('02923821234');
  });
  it('when a branch tax code is written as printed, then it is searched as intake keeps it', () => {
    expect(compactNumber('0100111948-018')).toBe('0100111948018');
    expect(compactNumber('0100.111.948-018')).toBe('0100111948018');
  });
  it('when the text is anything else, then it is searched as typed', () => {
    for (const text of ['0909123456', 'Nguyễn Văn A', '0909 12', '260202-0001', '261204-0001', '000.01.01', '000.00.04', '12 tháng 3', '0909 abc 456', '+84', '84909123456']) {
      expect(compactNumber(text)).toBe(text);
    }
  });
});

describe('applicantSchema', () => {
  const phone = (text: string) => applicantSchema.shape.phone.safeParse(text);
  const idNumber = (text: string) => applicantSchema.shape.idNumber.safeParse(text);

  it('when a phone number is typed in any usual way, then it is kept as dialled in Vietnam', () => {
    expect(phone('+84 939 555 777').data).toBe('0939555777');
    expect(phone('0909.123.456').data).toBe('0909123456');
    expect(phone('0292 3821 234').data).toBe('02923821234');
  });
  it('when a phone number is no number anyone can call, then it is refused', () => {
    // 9 digits: a digit missed ("0918 000 11")
    for (const text of ['0000000000', '+840000000000', '12345678', '0909', '+1 202 555 0100', '09091234567890', '0918 000 11', '091800011']) {
      expect(phone(text).success, text).toBe(false);
    }
  });
  it('when an identity number is typed in groups, then it is kept without the spaces, dots or dashes', () => {
    expect(idNumber('092 185 001 234').data).toBe('092185001234');
    expect(idNumber('1801234567-001').data).toBe('1801234567001');
    expect(idNumber('12 34').success).toBe(false);
  });
  it('when an identity number of digits has a length no paper has (a digit missed or doubled), then it is refused; a passport is letters and digits', () => {
    for (const text of ['18020001', '09218500123', '09218500123456']) expect(idNumber(text).success, text).toBe(false);
    for (const text of ['180200012', '0100111948', '092185001234', '0100111948018', 'C1234567', 'B7654321']) expect(idNumber(text).success, text).toBe(true);
  });
});

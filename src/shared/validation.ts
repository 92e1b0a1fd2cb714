import { z } from 'zod';

// One place for the Vietnamese wording of validation problems; schemas add their own where it reads better.
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined || issue.input === null || issue.input === ''
          ? 'Không được để trống.'
          : 'Giá trị không đúng kiểu.';
      case 'too_small':
        if (issue.origin === 'string') return issue.minimum === 1 ? 'Không được để trống.' : `Cần ít nhất ${issue.minimum} ký tự.`;
        if (issue.origin === 'array') return `Cần ít nhất ${issue.minimum} mục.`;
        return `Phải lớn hơn hoặc bằng ${issue.minimum}.`;
      case 'too_big':
        if (issue.origin === 'string') return `Tối đa ${issue.maximum} ký tự.`;
        if (issue.origin === 'array') return `Tối đa ${issue.maximum} mục.`;
        return `Phải nhỏ hơn hoặc bằng ${issue.maximum}.`;
      case 'invalid_value':
        return 'Giá trị không nằm trong danh sách cho phép.';
      case 'invalid_format':
        if (issue.format === 'email') return 'Địa chỉ e-mail không hợp lệ.';
        return 'Định dạng không hợp lệ.';
      case 'unrecognized_keys':
        return `Trường không được hỗ trợ: ${issue.keys.join(', ')}.`;
      default:
        return 'Giá trị không hợp lệ.';
    }
  },
});

/** Trimmed text; empty input becomes undefined so optional fields stay optional. */
// Text is stored in NFC: Unikey's "Unicode tổ hợp" sends decomposed letters that would never match a search. Invisible
// format characters (Unicode Cf: zero-width spaces and joiners, a byte-order mark pasted from Word, the direction
// overrides that turn printed text around) are dropped: a name of "\u202e" alone printed blank and was accepted.
const clean = (v: string) => v.normalize('NFC').replace(/\p{Cf}/gu, '').trim();

export const optionalText = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (clean(v) === '' ? undefined : clean(v)) : v),
    z.string().max(max).optional(),
  );

export const requiredText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' ? clean(v) : v), z.string().min(1).max(max));

/**
 * A whole number; numeric strings (from HTML forms) are accepted, an empty one counts as missing (`missing`, else
 * "Không được để trống."). Anything else is refused: z.coerce took `true` for 1 and `[2]` for 2.
 */
export const wholeNumber = (message: string, missing = 'Không được để trống.') =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const s = v.trim();
      if (s === '') return undefined;
      return /^-?\d+$/.test(s) ? Number(s) : s;
    },
    z.number({ error: (i) => (i.input === undefined || i.input === null ? missing : message) }).int(message),
  );

/** A query string may repeat a key (?q=a&q=b): the first value counts. */
export const firstValue = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v), schema);

/** A day of the calendar: 30/02 or 31/04 is none (Date.UTC would roll it over into the next month). */
export function isRealDay(y: number, m: number, d: number): boolean {
  // setUTCFullYear, as Date.UTC reads the years 0–99 as 1900–1999.
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** A YYYY-MM-DD naming a day of the calendar (isRealDay). */
export function isRealIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

// Control characters other than tab/newline are never legitimate in names and addresses.
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export { z };

// Vietnamese letters without their marks, for searching a name as it is often typed: "nguyen van hung" for "Nguyễn
// Văn Hùng", by a clerk whose keyboard is switched to English for codes and numbers, or by one who is in a hurry. The
// letters are the 12 vowels with each of the 5 tones and without, and đ: each one letter (NFC, as all stored text) for
// one plain letter, so a name and its plain form have the same length.
//
// The database indexes this plain form of every applicant's name (migration 20261203003000_search_without_marks),
// computed by the SQL below. Changing the letters changes that SQL: it then needs a migration that builds the index
// again, or PostgreSQL's index (on the exact expression) would no longer serve the search.

const VOWELS = 'aăâeêioôơuưy';
/** Grave, acute, tilde, hook above, dot below. */
const TONES = ['', '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];

function letterPairs(): [marked: string, plain: string][] {
  const lower: [string, string][] = [...VOWELS].flatMap((v) => TONES.map((t): [string, string] => [(v + t).normalize('NFC'), v.normalize('NFD')[0]]));
  lower.push(['đ', 'd']);
  const marked = lower.filter(([m, p]) => m !== p);
  return [...marked, ...marked.map(([m, p]): [string, string] => [m.toUpperCase(), p.toUpperCase()])];
}

const PAIRS = letterPairs();
/** The 134 Vietnamese letters that carry a mark (or are đ), lower case then capitals, */
export const MARKED_LETTERS = PAIRS.map(([m]) => m).join('');
/** and each one's plain letter, at the same place. */
export const PLAIN_LETTERS = PAIRS.map(([, p]) => p).join('');

const PLAIN_OF = new Map(PAIRS);

/** The text with each Vietnamese marked letter replaced by its plain one; everything else as it is. */
export function withoutMarks(text: string): string {
  let out = '';
  for (const ch of text) out += PLAIN_OF.get(ch) ?? ch;
  return out;
}

/**
 * withoutMarks in SQL, of a column or an expression: PostgreSQL's translate() (immutable, so it can be indexed);
 * SQLite has none, and replaces each letter in turn (134 calls nested, a few microseconds a name).
 */
export function withoutMarksSql(expr: string, dialect: 'sqlite' | 'pg'): string {
  if (dialect === 'pg') return `translate(${expr}, '${MARKED_LETTERS}', '${PLAIN_LETTERS}')`;
  return PAIRS.reduce((inner, [m, p]) => `replace(${inner}, '${m}', '${p}')`, expr);
}

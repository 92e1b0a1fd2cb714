// Vietnamese letters without their marks, for searching a name as it is often typed: "nguyen van hung" for "Nguyễn
// Văn Hùng", by a clerk whose keyboard is switched to English for codes and numbers, or by one who is in a hurry. The
// letters are the 12 vowels with each of the 5 tones and without, and đ: each one letter (NFC, as all stored text) for
// one plain letter, so a name and its plain form have the same length.
//
// The database indexes this plain form of every applicant's name (migration 20261203003000_search_without_marks):
// PostgreSQL computes it by the SQL below; SQLite by withoutMarks itself, a function of the app's connections
// (src/db/knex.ts, migration 20261205003700). Changing the letters then needs a migration that builds the index
// again: PostgreSQL's index (on the exact expression) would no longer serve the search, and SQLite's triggers would
// delete an entry with other values than it was written with.

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
 * SQLite has none, and replaces each letter in turn (134 calls nested: what migration 20261203003000 wrote, until
 * 20261205003700 put the function of the app's connections in their place).
 */
export function withoutMarksSql(expr: string, dialect: 'sqlite' | 'pg'): string {
  if (dialect === 'pg') return `translate(${expr}, '${MARKED_LETTERS}', '${PLAIN_LETTERS}')`;
  return PAIRS.reduce((inner, [m, p]) => `replace(${inner}, '${m}', '${p}')`, expr);
}

/**
 * Where the tone goes in "oa", "oe" and "uy" at a syllable's end is written two ways, both in use: "Hòa" (the older
 * way, kept by most identity cards) and "Hoà" (the newer, which many keyboards type), "Thủy" and "Thuỷ", "Khỏe" and
 * "Khoẻ". A name typed the one way is the same name written the other.
 */
const TONE_PLACES: [first: string, second: string][] = [
  ['o', 'a'],
  ['o', 'e'],
  ['u', 'y'],
];
const TONE_SWAPS = new Map<string, string>();
for (const [a, b] of TONE_PLACES) {
  for (const tone of TONES.slice(1)) {
    const older = (a + tone).normalize('NFC') + b;
    const newer = a + (b + tone).normalize('NFC');
    for (const [x, y] of [
      [older, newer],
      [older.toUpperCase(), newer.toUpperCase()],
      [older[0].toUpperCase() + older.slice(1), newer[0].toUpperCase() + newer.slice(1)],
    ]) {
      TONE_SWAPS.set(x, y);
      TONE_SWAPS.set(y, x);
    }
  }
}
const TONE_PAIR = new RegExp([...TONE_SWAPS.keys()].join('|'), 'g');
const MOST_SPELLINGS = 8;

/**
 * The text and its other spellings with the tone of "oa", "oe", "uy" placed the other way ("Hòa Thủy" gives "Hoà
 * Thủy", "Hòa Thuỷ", "Hoà Thuỷ"), at most eight; the text first. Only before the end of a word or the text: "hoàng"
 * and "quý" are written one way only.
 */
export function toneSpellings(text: string): string[] {
  const spellings = [''];
  let at = 0;
  for (const m of text.matchAll(TONE_PAIR)) {
    const end = m.index + m[0].length;
    if (end < text.length && /\p{L}/u.test(text[end])) continue;
    if (/^[uU]/.test(m[0]) && /[qQ]/.test(text[m.index - 1] ?? '')) continue; // "quý": qu is the consonant
    const between = text.slice(at, m.index);
    const next: string[] = [];
    for (const s of spellings) for (const pair of [m[0], TONE_SWAPS.get(m[0])!]) if (next.length < MOST_SPELLINGS) next.push(s + between + pair);
    spellings.splice(0, spellings.length, ...next);
    at = end;
  }
  return spellings.map((s) => s + text.slice(at));
}

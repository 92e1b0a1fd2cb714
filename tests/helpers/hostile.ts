// Nasty input for the robustness sweeps: script tags, SQL fragments, overlong and control-character strings,
// wrong types, impossible dates and odd Unicode. Deterministic: the same seed gives the same cases, so a
// failure can be replayed.

import { mulberry32 } from '../../seeds/demo';

export type Rng = () => number;
export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];

/**
 * Markup that would run or inject if echoed unescaped. `XSS_MARKERS` are the substrings that must never be
 * found in an HTML answer: each is the dangerous part of one payload, starting at its `<` or its quote.
 */
export const XSS = [
  '<script>hx(1)</script>',
  '"><script>hx(2)</script>',
  "'><img src=x onerror=hx(3)>",
  '<svg/onload=hx(4)>',
  '</textarea><script>hx(5)</script>',
  '</title><script>hx(6)</script>',
  '" autofocus onfocus="hx(7)',
  "' autofocus onfocus='hx(8)",
  '<iframe src="javascript:hx(9)">',
  '<a href="javascript:hx(10)">x</a>',
  '<%= process.exit() %>',
  '<%- include("/etc/passwd") %>',
] as const;

export const XSS_MARKERS = [
  '<script>hx(',
  '<img src=x onerror=hx(',
  '<svg/onload=hx(',
  '" autofocus onfocus="hx(',
  "' autofocus onfocus='hx(",
  '<iframe src="javascript:hx(',
  '<a href="javascript:hx(',
] as const;

export const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE dossiers; --",
  "1; DELETE FROM users --",
  "' UNION SELECT password_hash, token_hash FROM users, api_tokens --",
  '" OR ""="',
  "admin'--",
  '%',
  '_',
  '%%_%\\',
  '\\',
  "1' AND SLEEP(5) AND '1'='1",
  "$1",
  "?",
  "::text",
] as const;

export const TEMPLATE = ['{{7*7}}', '${7*7}', '#{7*7}', '{{constructor.constructor("hx(11)")()}}', '__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

export const CONTROL = [
  'a\u0000b',
  '\u0000',
  '\u0001\u0002\u0003',
  'dòng 1\r\ndòng 2',
  '\u001b[31mđỏ\u001b[0m',
  '\u007f',
  '\u0008\u0008\u0008',
  '\t',
  '\u000b\u000c',
  'Set-Cookie: x=1\r\n\r\n<script>hx(12)</script>',
] as const;

export const UNICODE = [
  '\u202eevil\u202c',
  'a\u200b\u200c\u200db',
  '\ufeffBOM',
  '👨‍👩‍👧‍👦🇻🇳',
  'Nguye\u0302\u0303n', // NFD
  'e\u0301'.repeat(300),
  '\ud800', // a lone surrogate
  '\udfff\ud800',
  '\uffff\ufffe',
  'ｆｕｌｌｗｉｄｔｈ１２３',
  '١٢٣٤', // Arabic-Indic digits
  'İıŞş',
  'ß'.repeat(70),
  ' '.repeat(50),
  '\u00a0\u2028\u2029',
] as const;

export const DATES = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '0000-00-00',
  '9999-12-31',
  '1899-12-31',
  '2101-01-01',
  '2026-2-3',
  '03/02/2026',
  '2026-02-13T25:00:00+07:00',
  '2026-02-13T10:61:00+07:00',
  '2026-02-13T10:00:00+99:00',
  '2026-02-13T10:00:00',
  '2026-02-13T10:00:00.9999999+07:00',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-29T10:00:00+07:00',
  '2024-02-29',
  'NaN',
  'Infinity',
  'now',
  '1e10',
  '-1',
  '',
  ' ',
] as const;

export const NUMBERS = ['-1', '0', '-0', '1.5', '1e3', '1e309', '0x10', '9'.repeat(400), 'NaN', '', ' 2 ', '２', '1,000', '1.000', '2147483648', '-9007199254740993'] as const;

/** Long strings: over every field's limit, and over the body limits. */
export function overlong(r: Rng): string {
  return pick(r, [
    () => 'a'.repeat(301),
    () => 'ệ'.repeat(2001),
    () => 'x'.repeat(10_000),
    () => '<script>hx(13)</script>'.repeat(500),
    () => `${'A'.repeat(64)}${'B'.repeat(64)}`,
    () => '\u0301'.repeat(5000),
  ])();
}

export const STRINGS: readonly string[] = [...XSS, ...SQL, ...TEMPLATE, ...CONTROL, ...UNICODE, ...DATES, ...NUMBERS];

/** A hostile string: a listed one, a combination of two, or an overlong one. */
export function hostileString(r: Rng): string {
  const x = r();
  if (x < 0.6) return pick(r, STRINGS);
  if (x < 0.85) return `${pick(r, STRINGS)}${pick(r, STRINGS)}`;
  return overlong(r);
}

/** A value of the wrong type for a JSON body. */
export function wrongType(r: Rng): unknown {
  return pick(r, [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER + 2,
    -1e308,
    [],
    [1, 2, 3],
    [pick(r, XSS)],
    {},
    { $gt: '' },
    { toString: 'x', valueOf: 1 },
    JSON.parse('{"__proto__": {"role": "admin", "polluted": true}}'),
    { a: { b: { c: { d: { e: { f: 'sâu' } } } } } },
    Array.from({ length: 1000 }, (_, i) => i),
  ]);
}

/** Any hostile value: mostly strings, sometimes wrong types (JSON) or form-shaped arrays/objects (forms). */
export function hostileValue(r: Rng, kind: 'json' | 'form'): unknown {
  if (kind === 'json' && r() < 0.3) return wrongType(r);
  if (kind === 'form' && r() < 0.15) return pick(r, [[hostileString(r), 'x'], { nested: hostileString(r) }, ['a', ['b']]]);
  return hostileString(r);
}

/**
 * Cases for one input: copies of a valid body with 1–3 keys replaced by hostile values, sometimes a key
 * dropped or an unknown one added; the first cases put every listed XSS payload in every key once.
 */
export function hostileBodies(
  valid: Record<string, unknown>,
  count: number,
  options: { seed: number; kind: 'json' | 'form'; keys?: string[] },
): Record<string, unknown>[] {
  const r = mulberry32(options.seed);
  const keys = options.keys ?? Object.keys(valid);
  const out: Record<string, unknown>[] = [];
  for (const key of keys) for (const x of XSS.slice(0, 3)) out.push({ ...valid, [key]: x });
  while (out.length < count) {
    const body: Record<string, unknown> = { ...valid };
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const key = pick(r, keys);
      const roll = r();
      if (roll < 0.05) delete body[key];
      else if (roll < 0.08) body[pick(r, ['__proto__', 'constructor', 'id', 'version', 'role', 'created_by', '_csrf'])] = hostileValue(r, options.kind);
      else body[key] = hostileValue(r, options.kind);
    }
    out.push(body);
  }
  return out.slice(0, count);
}

/** Hostile values for one URL segment or query parameter. */
export function hostileSegments(count: number, seed: number): string[] {
  const r = mulberry32(seed);
  const out = [...XSS.slice(0, 4), ...SQL.slice(0, 6), '..', '../..', '%', '%00', '%E0%A4%A', '%ff', '%2e%2e%2f', '0', '-1', '2147483648', '99999999999', '99999999999999999999'];
  while (out.length < count) {
    const s = hostileString(r);
    out.push(s.length > 2000 ? s.slice(0, 2000) : s);
  }
  return out.slice(0, count);
}

/**
 * Percent-encodes like encodeURIComponent, but never throws: a lone surrogate goes as its (invalid) 3-byte
 * UTF-8 form, as a hostile client could send it.
 */
export function pct(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/^[A-Za-z0-9\-_.~]$/.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    const bytes =
      cp < 0x80 ? [cp]
      : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
      : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
      : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** Encodes a segment for a URL; a few raw ones (already percent-written, possibly broken) go as they are. */
export function segment(s: string): string {
  return /^%[0-9A-Za-z%]*$/.test(s) ? s : pct(s);
}

/** The HTML answer shows none of the payloads unescaped. */
export function unescapedMarkers(html: string): string[] {
  return XSS_MARKERS.filter((m) => html.includes(m));
}

/** Encodes a form body the way a browser (or an attacker) would, arrays and nested objects included. */
export function formEncode(body: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (Array.isArray(value)) value.forEach((v) => add(`${key}[]`, v));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else parts.push(`${pct(key)}=${pct(String(value))}`);
  };
  for (const [k, v] of Object.entries(body)) add(k, v);
  return parts.join('&');
}

// A receipt's code as a citizen types it on a phone or reads it out: "000.01.01.H13-261117-0003" comes back as
// "000.01.01.H13 261117 0003", "000.01.01.H13 - 261117 - 0003", "000.01.01.H132611170003", with a dash a phone's
// keyboard made long (–) or with commas for dots (the Vietnamese keypad's decimal sign). A code never holds a space or
// a comma, so none of these can be another dossier's code.

/** Dashes a phone keyboard or a copy from a document may give for "-": hyphen, non-breaking hyphen, en/em dash, minus. */
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/**
 * The code as the desk wrote it, from what was typed: full-width characters made plain, spaces dropped, long dashes
 * and commas made "-" and ".", and the date (yymmdd) and the daily number (4 digits) at its end set apart by dashes
 * when they were run together or parted by spaces. Letters keep their case (looked up as written, then in capitals).
 */
export function typedCode(text: string): string {
  const plain = text.normalize('NFKC').replace(DASHES, '-').replace(/,/g, '.').replace(/\s+/g, '');
  const m = /^(.+?)-?(\d{6})-?(\d{4})$/.exec(plain);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : plain;
}

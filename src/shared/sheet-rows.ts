// Row heights for the workbooks we write (the report, the register). Neither LibreOffice nor Excel grows a row to
// its wrapped text when it opens a generated file: the row keeps its default 15 points and the second line of a
// long procedure or field name is drawn over the next row, in the sheet and on paper. So a row whose text wraps
// is given the height of its lines here: the text measured in Times New Roman of the cells' size (11 pt unless
// said) and wrapped word by word as the spreadsheet does. PURE.

/** One line of Times New Roman of each size the workbooks use, with its spacing: Excel's row (LibreOffice's is lower). */
export const LINE_POINTS = { 10: 12.75, 11: 15 } as const;
export type SheetSize = keyof typeof LINE_POINTS;

/**
 * The points a unit of a column's width holds, the narrower of the two: Excel's 7 pixels at 96 dpi (LibreOffice
 * prints 5.545), less the cell's padding.
 */
const UNIT_POINTS = 5.25;
const PADDING_POINTS = 3;

/** Times New Roman's advance widths of ' ' to '~', in thousandths of its size (Liberation Serif's, the same metrics). */
const ASCII_WIDTHS = [
  250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500, 500,
  500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
  556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500,
  500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];
/** Others the cells hold: đ, Đ and punctuation; a letter's tone marks take no width, the horn of ư and ơ a little. */
const OTHER_WIDTHS: Record<string, number> = { 'đ': 500, 'Đ': 722, '–': 500, '—': 1000, '“': 444, '”': 444, '…': 1000, '·': 250, '\u031b': 45 };
/** A bold letter is about a tenth wider. */
const BOLD = 1.1;

/** The width of `text` in thousandths of its size. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text.normalize('NFD')) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 32 && code <= 126) width += ASCII_WIDTHS[code - 32];
    else if (ch in OTHER_WIDTHS) width += OTHER_WIDTHS[ch];
    else if (code < 0x300 || code > 0x36f) width += 600;
  }
  return width;
}

/**
 * The lines `text` of `size` pt (bold or not) wraps to in a column `width` wide: word by word, a word longer than a
 * line broken after a hyphen where it can (as '000.01.01.H13-' / '261202-0005'), else where the line ends.
 */
export function wrappedLines(text: string, width: number, size: SheetSize = 11, bold = false): number {
  const room = ((width * UNIT_POINTS - PADDING_POINTS) * 1000) / size / (bold ? BOLD : 1);
  const space = ASCII_WIDTHS[0];
  let lines = 0;
  for (const paragraph of text.split('\n')) {
    lines++;
    let used = 0;
    for (const word of paragraph.split(' ').filter(Boolean)) {
      const w = textWidth(word);
      if (used > 0 && used + space + w <= room) {
        used += space + w;
        continue;
      }
      if (used > 0) lines++;
      used = 0;
      // Its parts after each hyphen, each on the line if it fits, else on the next, else broken where the line ends.
      for (const part of word.split(/(?<=-)/)) {
        let pw = textWidth(part);
        if (used > 0 && used + pw > room) {
          lines++;
          used = 0;
        }
        while (pw > room) {
          lines++;
          pw -= room;
        }
        used += pw;
      }
    }
  }
  return lines;
}

/** The height in points of `lines` lines of `size` pt. */
export function linesHeight(lines: number, size: SheetSize = 11): number {
  return lines * LINE_POINTS[size];
}

/**
 * The height in points of a row whose cells (of `size` pt) wrap, or undefined when every cell fits on one line (the
 * default height).
 */
export function wrappedRowHeight(cells: { text: string; width: number }[], size: SheetSize = 11): number | undefined {
  const lines = Math.max(1, ...cells.map((c) => wrappedLines(c.text, c.width, size)));
  return lines > 1 ? linesHeight(lines, size) : undefined;
}

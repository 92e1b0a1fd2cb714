// Row heights for the workbooks we write (the report, the register). Neither LibreOffice nor Excel grows a row to
// its wrapped text when it opens a generated file: the row keeps its default 15 points and the second line of a
// long procedure or field name is drawn over the next row, in the sheet and on paper. So a row whose text wraps
// is given the height of its lines here. PURE.

/** One line of 11 pt Times New Roman, with its spacing. */
export const LINE_POINTS = 15;

/**
 * Characters of Vietnamese text in 11 pt Times New Roman that one unit of a column's width holds, on the low side:
 * LibreOffice fits about 1.5 (68 in a column 44 wide), Excel's wider spacing fewer. Too few leaves a little space
 * under the text; too many would cut it off.
 */
const CHARS_PER_WIDTH = 1.2;

/** The lines `text` wraps to, word by word, in a column `width` wide (a word longer than a line is broken). */
export function wrappedLines(text: string, width: number): number {
  const perLine = Math.max(1, Math.floor(width * CHARS_PER_WIDTH));
  let lines = 0;
  for (const paragraph of text.normalize('NFC').split('\n')) {
    lines++;
    let used = 0;
    for (const word of paragraph.split(' ').filter(Boolean)) {
      const length = [...word].length;
      if (used > 0 && used + 1 + length <= perLine) {
        used += 1 + length;
        continue;
      }
      if (used > 0) lines++;
      lines += Math.ceil(length / perLine) - 1;
      used = length - (Math.ceil(length / perLine) - 1) * perLine;
    }
  }
  return lines;
}

/** The height in points of a row whose cells wrap, or undefined when every cell fits on one line (the default height). */
export function wrappedRowHeight(cells: { text: string; width: number }[]): number | undefined {
  const lines = Math.max(1, ...cells.map((c) => wrappedLines(c.text, c.width)));
  return lines > 1 ? lines * LINE_POINTS : undefined;
}

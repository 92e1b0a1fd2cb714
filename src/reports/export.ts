// CSV and XLSX of the report in the layout of Biểu II.06a: heading lines, the three-row column header with
// the column numbers (1)…(13), one row per field and the total, then the same per agency.
import ExcelJS from 'exceljs';
import { formatDateTime } from '../shared/format';
import { wrappedRowHeight } from '../shared/sheet-rows';
import { AGENCY_BASIS_NAMES, REPORT_COLUMNS } from './definitions';
import { periodHeading } from './period';
import { cellValue, type Counts, type SettlementReport } from './settlement';

export const FORM_CODE = 'Biểu số II.06a/VPCP/KSTT';
export const REPORT_TITLE = 'Tình hình, kết quả giải quyết thủ tục hành chính';
export const UNIT_LINE = 'Đơn vị tính: Số hồ sơ TTHC';

/** A header cell spanning rows and columns (1-based, within the header block). */
interface HeadCell {
  text: string;
  row: number;
  col: number;
  rowSpan?: number;
  colSpan?: number;
}

/** The column header of Biểu II.06a; `second` names column (2). */
export function headerCells(second: string): HeadCell[] {
  return [
    { text: 'TT', row: 1, col: 1, rowSpan: 3 },
    { text: second, row: 1, col: 2, rowSpan: 3 },
    { text: 'Số hồ sơ nhận giải quyết', row: 1, col: 3, colSpan: 4 },
    { text: 'Kết quả giải quyết: số hồ sơ đã giải quyết', row: 1, col: 7, colSpan: 4 },
    { text: 'Số hồ sơ đang giải quyết', row: 1, col: 11, colSpan: 3 },
    { text: 'Tổng số', row: 2, col: 3, rowSpan: 2 },
    { text: 'Trong kỳ', row: 2, col: 4, colSpan: 2 },
    { text: 'Từ kỳ trước', row: 2, col: 6, rowSpan: 2 },
    { text: 'Tổng số', row: 2, col: 7, rowSpan: 2 },
    { text: 'Trước hạn', row: 2, col: 8, rowSpan: 2 },
    { text: 'Đúng hạn', row: 2, col: 9, rowSpan: 2 },
    { text: 'Quá hạn', row: 2, col: 10, rowSpan: 2 },
    { text: 'Tổng số', row: 2, col: 11, rowSpan: 2 },
    { text: 'Trong hạn', row: 2, col: 12, rowSpan: 2 },
    { text: 'Quá hạn', row: 2, col: 13, rowSpan: 2 },
    { text: 'Trực tuyến', row: 3, col: 4 },
    { text: 'Trực tiếp, dịch vụ bưu chính', row: 3, col: 5 },
  ];
}

/** The columns (3)…(13) of the form are the report's columns in their order. */
export const FORM_COLUMN_ORDER = REPORT_COLUMNS;

export const numbers = (c: Counts) => FORM_COLUMN_ORDER.map((col) => cellValue(c, col));

export interface SheetSection {
  /** the worksheet it has to itself in the workbook */
  sheetName: string;
  second: string;
  rows: { label: string; counts: Counts }[];
  total: Counts;
}

export interface Sheet {
  heading: string[];
  sections: SheetSection[];
  notes: string[];
}

/** What both exports print, from the report. */
export function reportSheet(r: SettlementReport, opts: { placeName: string; generatedAt: Date }): Sheet {
  const agencyName = r.agency?.name ?? `Tất cả cơ quan, đơn vị (${opts.placeName})`;
  return {
    heading: [
      FORM_CODE,
      `${REPORT_TITLE.toUpperCase()}`,
      `Cơ quan, đơn vị: ${agencyName}`,
      periodHeading(r.period),
      UNIT_LINE,
    ],
    sections: [
      { sheetName: 'Biểu II.06a', second: 'Lĩnh vực, công việc giải quyết theo cấp', rows: r.rows.map((x) => ({ label: x.fieldName, counts: x })), total: r.total },
      {
        sheetName: r.basis === 'receiving' ? 'Theo nơi tiếp nhận' : 'Theo cơ quan giải quyết',
        second: r.basis === 'receiving' ? 'Nơi tiếp nhận hồ sơ' : 'Cơ quan giải quyết',
        rows: r.byAgency.map((x) => ({ label: x.agencyName, counts: x })),
        total: r.total,
      },
    ],
    notes: [
      `Số liệu ${r.window.running ? 'tính đến' : 'chốt lúc'} ${formatDateTime(r.window.end)}; lập lúc ${formatDateTime(opts.generatedAt)}.`,
      `Hồ sơ được tính cho: ${AGENCY_BASIS_NAMES[r.basis]}; mỗi hồ sơ được tính một lần.`,
      'Trước hạn, đúng hạn, quá hạn so với hạn giải quyết theo quy định (không theo ngày hẹn lại trong thư xin lỗi); hồ sơ công dân rút luôn được tính vào "Đúng hạn".',
    ],
  };
}

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR, e.g. a field
 * named "=HYPERLINK(…)") gets a leading apostrophe, so it shows as typed and runs nothing.
 */
export const csvCell = (v: string | number) => {
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV (UTF-8 with BOM so Excel reads the diacritics), numbers without separators so they stay numbers. */
export function toCsv(sheet: Sheet): string {
  const lines: (string | number)[][] = sheet.heading.map((h) => [h]);
  for (const section of sheet.sections) {
    lines.push([]);
    const grid: string[][] = [1, 2, 3].map(() => Array<string>(13).fill(''));
    for (const c of headerCells(section.second)) grid[c.row - 1][c.col - 1] = c.text;
    lines.push(...grid, Array.from({ length: 13 }, (_, i) => `(${i + 1})`));
    section.rows.forEach((row, i) => lines.push([i + 1, row.label, ...numbers(row.counts)]));
    lines.push(['', 'Tổng cộng', ...numbers(section.total)]);
  }
  lines.push([], ...sheet.notes.map((n) => [n]));
  return '\uFEFF' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * XLSX: the same layout with merged header cells, borders, number format #,##0 and landscape A4. Each table has a
 * worksheet of its own under the heading, so that printed its column heads repeat on every page: one sheet cannot
 * repeat two different heads, and a city's hundred wards ran the agencies' table over pages with none.
 */
export async function toXlsx(sheet: Sheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Một cửa – Theo dõi hồ sơ';
  const thin = { style: 'thin' as const };
  const border = { top: thin, left: thin, bottom: thin, right: thin };
  const font = { name: 'Times New Roman', size: 11 };

  for (const section of sheet.sections) {
    const ws = wb.addWorksheet(section.sheetName, {
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    ws.columns = [{ width: 5 }, { width: 44 }, ...Array.from({ length: 11 }, () => ({ width: 11 }))];
    let r = 1;
    sheet.heading.forEach((text, i) => {
      ws.mergeCells(r, 1, r, 13);
      const cell = ws.getCell(r, 1);
      cell.value = text;
      cell.font = { ...font, bold: i === 1, italic: i === 4, size: i === 1 ? 13 : 11 };
      cell.alignment = { horizontal: i === 0 || i === 4 ? 'right' : 'center' };
      r++;
    });
    r++;
    const top = r;
    for (const c of headerCells(section.second)) {
      const row = top + c.row - 1;
      const col = c.col;
      if ((c.rowSpan ?? 1) > 1 || (c.colSpan ?? 1) > 1) ws.mergeCells(row, col, row + (c.rowSpan ?? 1) - 1, col + (c.colSpan ?? 1) - 1);
      ws.getCell(row, col).value = c.text;
    }
    for (let i = 0; i < 13; i++) ws.getCell(top + 3, i + 1).value = `(${i + 1})`;
    ws.getRow(top).height = 30;
    // Three lines of 11 pt: 'Trực tiếp, dịch vụ bưu chính' wraps so in its column 11 wide, and at 30 Excel cut off 'bưu chính'.
    ws.getRow(top + 2).height = 45;
    for (let row = top; row <= top + 3; row++) {
      for (let col = 1; col <= 13; col++) {
        const cell = ws.getCell(row, col);
        cell.font = { ...font, bold: row < top + 3, italic: row === top + 3 };
        cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
        cell.border = border;
      }
    }
    ws.pageSetup.printTitlesRow = `${top}:${top + 3}`;
    ws.headerFooter.oddFooter = '&CTrang &P/&N';
    r = top + 4;
    const write = (values: (string | number)[], bold: boolean) => {
      const row = ws.getRow(r++);
      values.forEach((v, i) => {
        const cell = row.getCell(i + 1);
        cell.value = v;
        cell.border = border;
        cell.font = { ...font, bold };
        if (typeof v === 'number' && i > 0) cell.numFmt = '#,##0';
        cell.alignment = { vertical: 'top', wrapText: i === 1, horizontal: i === 0 ? 'center' : undefined };
      });
      // A long name ('Thành lập và hoạt động của tổ hợp tác, hợp tác xã, …') wraps; its row grows to hold it.
      const height = wrappedRowHeight([{ text: String(values[1]), width: ws.getColumn(2).width ?? 0 }]);
      if (height) row.height = height;
    };
    section.rows.forEach((row, i) => write([i + 1, row.label, ...numbers(row.counts)], false));
    write(['', 'Tổng cộng', ...numbers(section.total)], true);
    r++;
    for (const n of sheet.notes) {
      ws.mergeCells(r, 1, r, 13);
      const cell = ws.getCell(r, 1);
      cell.value = n;
      cell.font = { ...font, italic: true, size: 10 };
      r++;
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

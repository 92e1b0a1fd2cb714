import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { onTimeChart, percent } from '../../../src/reports/chart';
import { csvCell, reportSheet, toCsv, toXlsx } from '../../../src/reports/export';
import { describePeriod, reportWindow } from '../../../src/reports/period';
import { emptyCounts, type Counts, type SettlementReport } from '../../../src/reports/settlement';

function counts(n: number[]): Counts {
  const c = emptyCounts();
  [c.received.total, c.received.online, c.received.inPersonOrPostal, c.received.carriedOver] = n.slice(0, 4);
  [c.resolved.total, c.resolved.early, c.resolved.onTime, c.resolved.late] = n.slice(4, 8);
  [c.pending.total, c.pending.withinDeadline, c.pending.overdue] = n.slice(8, 11);
  return c;
}

const LAND = [613655, 300000, 200000, 113655, 600000, 500000, 90000, 10000, 13655, 13000, 655];
const CERT = [10, 4, 6, 0, 9, 1, 8, 0, 1, 1, 0];
const report: SettlementReport = {
  period: describePeriod('2026-01-15', '2026-02-14'),
  window: reportWindow('2026-01-15', '2026-02-14', new Date('2026-03-01T00:00:00Z')),
  basis: 'handling',
  agency: { code: '000.00.05.H13', name: 'Sở Nông nghiệp và Môi trường' },
  rows: [
    { fieldCode: 'DAT_DAI', fieldName: 'Đất đai', ...counts(LAND) },
    { fieldCode: 'CHUNG_THUC', fieldName: 'Chứng thực, "bản sao"', ...counts(CERT) },
  ],
  byAgency: [{ agencyCode: '000.00.05.H13', agencyName: 'Sở Nông nghiệp và Môi trường', ...counts(LAND.map((n, i) => n + CERT[i])) }],
  total: counts(LAND.map((n, i) => n + CERT[i])),
};
const sheet = reportSheet(report, { placeName: 'Cần Thơ', generatedAt: new Date('2026-03-02T02:00:00Z') });

describe('exports in the layout of Biểu II.06a', () => {
  it('when written as CSV, then a BOM, the heading lines, three header rows, the column numbers and plain numbers come out', () => {
    const csv = toCsv(sheet);
    expect(csv.startsWith('\uFEFFBiểu số II.06a/VPCP/KSTT\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.slice(0, 5)).toEqual([
      'Biểu số II.06a/VPCP/KSTT',
      '"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"',
      '"Cơ quan, đơn vị: Sở Nông nghiệp và Môi trường"',
      'Kỳ báo cáo: Tháng 02/2026 (Từ ngày 15/01/2026 đến ngày 14/02/2026)',
      'Đơn vị tính: Số hồ sơ TTHC',
    ]);
    expect(lines[6]).toBe('TT,"Lĩnh vực, công việc giải quyết theo cấp",Số hồ sơ nhận giải quyết,,,,Kết quả giải quyết: số hồ sơ đã giải quyết,,,,Số hồ sơ đang giải quyết,,');
    expect(lines[7]).toBe(',,Tổng số,Trong kỳ,,Từ kỳ trước,Tổng số,Trước hạn,Đúng hạn,Quá hạn,Tổng số,Trong hạn,Quá hạn');
    expect(lines[8]).toBe(',,,Trực tuyến,"Trực tiếp, dịch vụ bưu chính",,,,,,,,');
    expect(lines[10]).toBe(`1,Đất đai,${LAND.join(',')}`);
    expect(lines[11]).toBe(`2,"Chứng thực, ""bản sao""",${CERT.join(',')}`);
    expect(lines[12]).toBe(`,Tổng cộng,${LAND.map((n, i) => n + CERT[i]).join(',')}`);
  });

  it('when written as XLSX, then it opens with merged headers, the numbers as numbers and the format 613.655 in Excel', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(sheet)) as never);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Biểu II.06a');
    expect(ws.getCell('A3').value).toBe('Cơ quan, đơn vị: Sở Nông nghiệp và Môi trường');
    expect(ws.getCell('C7').value).toBe('Số hồ sơ nhận giải quyết');
    expect(ws.getCell('F7').isMerged).toBe(true);
    expect(ws.getCell('D8').value).toBe('Trong kỳ');
    expect(ws.getCell('E9').value).toBe('Trực tiếp, dịch vụ bưu chính');
    // Its row holds the three lines it wraps to in a column 11 wide (at 30 points the third, 'bưu chính', was cut off).
    expect(ws.getColumn(5).width).toBe(11);
    expect(ws.getRow(9).height).toBe(45);
    expect(ws.getCell('M10').value).toBe('(13)');
    expect(ws.getRow(11).values).toEqual([undefined, 1, 'Đất đai', ...LAND]);
    expect(ws.getCell('C11').numFmt).toBe('#,##0');
    expect(ws.pageSetup.orientation).toBe('landscape');
  });

  it('when written as XLSX, then the agencies\' table has a sheet of its own, and each sheet repeats its column heads on every printed page', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(sheet)) as never);
    expect(wb.worksheets.map((ws) => ws.name)).toEqual(['Biểu II.06a', 'Theo cơ quan giải quyết']);
    const [fields, agencies] = wb.worksheets;
    for (const ws of wb.worksheets) {
      expect(ws.getCell('A4').value).toBe('Kỳ báo cáo: Tháng 02/2026 (Từ ngày 15/01/2026 đến ngày 14/02/2026)');
      expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, fitToHeight: 0, printTitlesRow: '7:10' });
      expect(ws.headerFooter.oddFooter).toBe('&CTrang &P/&N');
    }
    expect(fields.getCell('B7').value).toBe('Lĩnh vực, công việc giải quyết theo cấp');
    expect(fields.getRow(13).values).toEqual([undefined, '', 'Tổng cộng', ...LAND.map((n, i) => n + CERT[i])]);
    expect(agencies.getCell('B7').value).toBe('Cơ quan giải quyết');
    expect(agencies.getRow(11).values).toEqual([undefined, 1, 'Sở Nông nghiệp và Môi trường', ...LAND.map((n, i) => n + CERT[i])]);
    expect(agencies.getCell('A14').value).toBe(sheet.notes[0]);
    const receiving = reportSheet({ ...report, basis: 'receiving' }, { placeName: 'Cần Thơ', generatedAt: new Date('2026-03-02T02:00:00Z') });
    const byDesk = new ExcelJS.Workbook();
    await byDesk.xlsx.load((await toXlsx(receiving)) as never);
    expect(byDesk.worksheets.map((ws) => ws.name)).toEqual(['Biểu II.06a', 'Theo nơi tiếp nhận']);
  });

  it('when a field\'s name is longer than its column, then its row is as high as the lines it wraps to, not drawn over the next', async () => {
    const long = 'Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã';
    const rows = [report.rows[0], { ...report.rows[1], fieldName: long }];
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(reportSheet({ ...report, rows }, { placeName: 'Cần Thơ', generatedAt: new Date('2026-03-02T02:00:00Z') }))) as never);
    const ws = wb.worksheets[0];
    expect(ws.getCell('B11').value).toBe('Đất đai');
    expect(ws.getRow(11).height).toBeUndefined();
    expect(ws.getCell('B12').value).toBe(long);
    expect(ws.getRow(12).height).toBe(30);
  });
});

describe('the chart of on-time and late dossiers per field', () => {
  it('when drawn, then each field with resolved dossiers gets its bar and share, names are escaped', () => {
    const svg = onTimeChart(report.rows);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('98,3% đúng hạn · 600.000 hồ sơ');
    expect(svg).toContain('Chứng thực, &#34;bản sao&#34;');
    expect(svg).not.toContain('"bản sao"');
    expect(onTimeChart([])).toContain('Chưa có hồ sơ nào được giải quyết trong kỳ.');
    expect(percent(1, 3)).toBe('33,3%');
    expect(percent(0, 0)).toBe('–');
  });
});

describe('CSV cells that a spreadsheet would run', () => {
  it('when a name starts with =, +, -, @ or a tab, then the cell gets an apostrophe and is quoted when needed; numbers and ordinary text stay as they are', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+84 912')).toBe("'+84 912");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell('Đất đai')).toBe('Đất đai');
    expect(csvCell('(1)')).toBe('(1)');
  });
});

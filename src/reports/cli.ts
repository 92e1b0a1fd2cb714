// CLI: report --from D --to D [--agency CODE] [--basis handling|receiving] [--format csv|json|table]
import { registerCommand } from '../cli';
import { loadConfig } from '../config';
import { systemClock } from '../shared/clock';
import { formatNumber, isoLocal } from '../shared/format';
import { getAgency } from '../catalog/repository';
import { AppError } from '../shared/errors';
import { AGENCY_BASES, basisOfDesk, type AgencyBasis } from './definitions';
import { numbers, reportSheet, toCsv } from './export';
import { periodHeading } from './period';
import { settlementReport, toSettlementJson, type SettlementReport } from './settlement';

const HEAD = ['TT', 'Lĩnh vực', '(3) Tổng', '(4) T.tuyến', '(5) T.tiếp', '(6) Kỳ trước', '(7) Đã GQ', '(8) Tr.hạn', '(9) Đ.hạn', '(10) Q.hạn', '(11) Đang GQ', '(12) Tr.hạn', '(13) Q.hạn'];

/** A plain-text table for the terminal, numbers right-aligned as 613.655. */
export function toTextTable(r: SettlementReport): string {
  const lines: string[][] = [HEAD];
  r.rows.forEach((row, i) => lines.push([String(i + 1), row.fieldName, ...numbers(row).map(formatNumber)]));
  lines.push(['', 'Tổng cộng', ...numbers(r.total).map(formatNumber)]);
  const widths = HEAD.map((_, c) => Math.max(...lines.map((l) => [...l[c]].length)));
  const labelMax = Math.min(widths[1], 48);
  const fmt = (l: string[]) =>
    l
      .map((cell, c) => {
        if (c === 1) {
          const chars = [...cell];
          return (chars.length > labelMax ? chars.slice(0, labelMax - 1).join('') + '…' : cell).padEnd(labelMax);
        }
        return c === 0 ? cell.padStart(widths[0]) : cell.padStart(widths[c]);
      })
      .join('  ');
  const rule = '-'.repeat(fmt(HEAD).length);
  const heading = [
    `Cơ quan, đơn vị: ${r.agency?.name ?? 'Tất cả cơ quan, đơn vị'}`,
    periodHeading(r.period),
    `Đơn vị tính: Số hồ sơ TTHC${r.window.running ? ` (tính đến ${isoLocal(r.window.end)})` : ''}`,
  ];
  return [...heading, '', fmt(lines[0]), rule, ...lines.slice(1, -1).map(fmt), rule, fmt(lines[lines.length - 1])].join('\n') + '\n';
}

registerCommand(
  'report',
  'report --from YYYY-MM-DD --to YYYY-MM-DD [--agency CODE] [--basis handling|receiving] [--format table|csv|json]   báo cáo Biểu II.06a',
  async (db, args) => {
    const text = (k: string) => (typeof args[k] === 'string' ? (args[k] as string).trim() : undefined);
    const format = text('format') ?? 'table';
    if (!['table', 'csv', 'json'].includes(format)) throw new Error('--format phải là table, csv hoặc json');
    const agencyCode = text('agency') ?? null;
    const agency = agencyCode ? await getAgency(db, agencyCode) : null;
    if (agencyCode && !agency) throw new Error(`Không có cơ quan mã ${agencyCode}`);
    // Left out, as the API and the page count a desk's own: a public service centre what it received.
    const basis = (text('basis') ?? basisOfDesk(agency)) as AgencyBasis;
    if (!AGENCY_BASES.includes(basis)) throw new Error('--basis phải là handling hoặc receiving');
    const now = systemClock.now();
    let report: SettlementReport;
    try {
      report = await settlementReport(db, { from: text('from') ?? '', to: text('to') ?? '', agencyCode, basis, now });
    } catch (err) {
      if (err instanceof AppError && Object.keys(err.fields).length) {
        throw new Error(Object.entries(err.fields).map(([k, v]) => `--${k}: ${v.replace(/\.$/, '')}`).join('; '));
      }
      throw err;
    }
    if (format === 'json') process.stdout.write(`${JSON.stringify(toSettlementJson(report, isoLocal), null, 2)}\n`);
    else if (format === 'csv') process.stdout.write(toCsv(reportSheet(report, { placeName: loadConfig().placeName, generatedAt: now })));
    else process.stdout.write(toTextTable(report));
  },
);

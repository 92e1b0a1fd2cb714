// A server-rendered SVG: for each field, the share of dossiers resolved on time (early or on the due date)
// and late in the period. PURE; presentation attributes only (the CSP allows no inline style).
import { escapeHtml, formatNumber } from '../shared/format';
import type { FieldRow } from './settlement';

/** "95,2%" */
export function percent(part: number, whole: number): string {
  if (!whole) return '–';
  const p = Math.round((part / whole) * 1000) / 10;
  return `${String(p).replace('.', ',')}%`;
}

const COLORS = { early: '#1d6b35', onTime: '#5fae6e', late: '#a3161a' };

export function onTimeChart(rows: FieldRow[], opts: { width?: number } = {}): string {
  const data = rows.filter((r) => r.resolved.total > 0);
  const width = opts.width ?? 960;
  const labelW = 300;
  const rightW = 170;
  const barW = width - labelW - rightW;
  const rowH = 24;
  const top = 34;
  const height = top + Math.max(data.length, 1) * rowH + 8;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="Segoe UI, Noto Sans, Arial, sans-serif" font-size="13">`,
    `<title id="chart-title">Tỷ lệ hồ sơ giải quyết đúng hạn và quá hạn theo lĩnh vực</title>`,
    `<desc id="chart-desc">Mỗi thanh là 100% hồ sơ đã giải quyết trong kỳ của một lĩnh vực: xanh đậm trước hạn, xanh nhạt đúng hạn, đỏ quá hạn.</desc>`,
  );
  // Legend
  const legend: [string, string][] = [[COLORS.early, 'Trước hạn'], [COLORS.onTime, 'Đúng hạn'], [COLORS.late, 'Quá hạn']];
  legend.forEach(([color, text], i) => {
    const x = labelW + i * 120;
    parts.push(`<rect x="${x}" y="6" width="14" height="14" fill="${color}"/><text x="${x + 20}" y="18" fill="#1b2430">${text}</text>`);
  });
  if (!data.length) {
    parts.push(`<text x="${labelW}" y="${top + 16}" fill="#5b6675">Chưa có hồ sơ nào được giải quyết trong kỳ.</text>`);
  }
  data.forEach((r, i) => {
    const y = top + i * rowH;
    const total = r.resolved.total;
    const name = r.fieldName.length > 44 ? `${r.fieldName.slice(0, 42)}…` : r.fieldName;
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="#1b2430"><title>${escapeHtml(r.fieldName)}</title>${escapeHtml(name)}</text>`);
    let x = labelW;
    for (const key of ['early', 'onTime', 'late'] as const) {
      const n = r.resolved[key];
      if (!n) continue;
      const w = (n / total) * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 7}" fill="${COLORS[key]}"><title>${escapeHtml(r.fieldName)}: ${{ early: 'trước hạn', onTime: 'đúng hạn', late: 'quá hạn' }[key]} ${formatNumber(n)}/${formatNumber(total)} (${percent(n, total)})</title></rect>`,
      );
      x += w;
    }
    const late = r.resolved.late;
    parts.push(
      `<text x="${labelW + barW + 8}" y="${y + 15}" fill="${late ? '#a3161a' : '#1b2430'}">${percent(total - late, total)} đúng hạn · ${formatNumber(total)} hồ sơ</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

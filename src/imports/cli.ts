// CLI `import <file.csv>`: a progress bar on standard error, the summary (or every bad row) on standard output.
import fs from 'node:fs';
import { registerCommand } from '../cli';
import { loadConfig } from '../config';
import { CalendarService } from '../calendar/repository';
import { systemClock } from '../shared/clock';
import { formatNumber } from '../shared/format';
import { STATUS_NAMES } from '../dossiers/status';
import { csvFileText } from './csv-records';
import { describeProblem, importDossiers, PHASE_NAMES, type ImportProgress } from './service';

function progressBar(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let lastPhase = '';
  return {
    update(p: ImportProgress) {
      const name = PHASE_NAMES[p.phase].padEnd(22);
      const rate = `${formatNumber(p.rowsPerSecond)} dòng/giây`;
      if (!p.total) {
        if (tty) stream.write(`\r${name} ${formatNumber(p.done)} dòng…\x1b[K`);
        return;
      }
      const ratio = Math.min(1, p.done / p.total);
      const width = 30;
      const filled = Math.round(ratio * width);
      const line = `${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${formatNumber(p.done)}/${formatNumber(p.total)} · ${rate}`;
      if (tty) {
        if (lastPhase && lastPhase !== p.phase) stream.write('\n');
        stream.write(`\r${line}\x1b[K`);
      } else if (lastPhase !== p.phase || p.done === p.total) {
        // Not a terminal (a log file): one line when a phase starts and one when it ends.
        stream.write(`${line}\n`);
      }
      lastPhase = p.phase;
    },
    end() {
      if (tty && lastPhase) stream.write('\n');
    },
  };
}

registerCommand(
  'import',
  'import <file.csv>               nhập hồ sơ từ hệ thống khác (cột: docs/IMPORT.md); lỗi ở bất kỳ dòng nào thì không ghi gì',
  async (db, _flags, positional) => {
    const file = positional[0];
    if (!file) throw new Error('Cách dùng: import <file.csv>');
    if (!fs.existsSync(file)) throw new Error(`Không có tệp ${file}`);
    const text = csvFileText(fs.readFileSync(file));
    const config = loadConfig();
    const now = systemClock.now();
    const calendar = await new CalendarService(db, config.workingPeriods).get(now.getTime());
    const bar = progressBar(process.stderr);
    const result = await importDossiers(db, text, { now, calendar, onProgress: (p) => bar.update(p) });
    bar.end();
    if (!result.ok) {
      console.log(`Không nhập: ${formatNumber(result.problems.length)} lỗi trong ${formatNumber(result.rows)} dòng hồ sơ. Chưa ghi gì vào cơ sở dữ liệu.`);
      for (const p of result.problems) console.log(describeProblem(p));
      process.exitCode = 1;
      return;
    }
    const statuses = Object.entries(result.byStatus)
      .map(([s, n]) => `${STATUS_NAMES[s as keyof typeof STATUS_NAMES]}: ${formatNumber(n)}`)
      .join('; ');
    console.log(
      `Đã nhập ${formatNumber(result.rows)} hồ sơ trong ${(result.elapsedMs / 1000).toFixed(1).replace('.', ',')} giây ` +
        `(${formatNumber(result.rowsPerSecond)} dòng/giây).\n` +
        `  Giữ mã cũ: ${formatNumber(result.keptCodes)}; cấp mã mới: ${formatNumber(result.generatedCodes)}.\n` +
        `  ${statuses}.\n` +
        `  Ghi ${formatNumber(result.events)} sự kiện và ${formatNumber(result.states)} khoảng trạng thái.`,
    );
  },
);

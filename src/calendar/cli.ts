// CLI `calendar:import <file.csv> [--replace]`: an announced schedule of days off into the calendar (schedule.ts).
import fs from 'node:fs';
import { audit } from '../audit/log';
import { registerCommand } from '../cli';
import { systemClock } from '../shared/clock';
import { formatDateTime, formatNumber } from '../shared/format';
import { loadConfig } from '../config';
import { DossierService, recomputeAuditDetail } from '../dossiers/service';
import { CalendarService, writeDays } from './repository';
import { parseSchedule } from './schedule';
import { csvFileText } from '../imports/csv-records';

registerCommand(
  'calendar:import',
  'calendar:import <file.csv> [--replace]   nhập lịch nghỉ (cột date,kind,name,source); --replace thay cả lịch của các năm trong tệp',
  async (db, flags, positional) => {
    const file = positional[0];
    if (!file) throw new Error('Cách dùng: calendar:import <file.csv> [--replace]');
    if (!fs.existsSync(file)) throw new Error(`Không có tệp ${file}`);
    const parsed = parseSchedule(csvFileText(fs.readFileSync(file)));
    if (!parsed.ok) {
      console.log(`Không nhập: ${formatNumber(parsed.problems.length)} lỗi trong tệp. Chưa ghi ngày nào.`);
      for (const p of parsed.problems) console.log(`${p.line ? `Dòng ${p.line}: ` : ''}${p.text}`);
      process.exitCode = 1;
      return;
    }
    const replaceYears = flags.replace === true;
    const ctx = { db, clock: systemClock };
    const written = await db.transaction(async (trx) => {
      const w = await writeDays(trx, parsed.entries, { by: 'cli', now: systemClock.now(), replaceYears });
      await audit(ctx, null, 'calendar_imported', null, { mode: replaceYears ? 'replace' : 'merge', via: 'cli', ...w }, { db: trx, actor: { id: null, name: 'cli' } });
      return w;
    });
    console.log(`Đã nhập ${formatNumber(written.written)} ngày của năm ${written.years.join(', ')}.`);
    if (written.removed) console.log(`  Đã thay ${formatNumber(written.removed)} ngày đã có của các năm đó.`);
    if (written.provisionalBase.length) {
      console.log(`  Năm ${written.provisionalBase.join(', ')} chưa có lịch chính thức: đã chép các ngày tạm tính theo Bộ luật Lao động vào lịch trước.`);
    }
    console.log('  Hồ sơ đã tiếp nhận giữ nguyên hạn; tính lại hạn hồ sơ đang mở bằng lệnh calendar:recompute, hoặc ở trang Lịch làm việc.');
  },
);

registerCommand(
  'calendar:recompute',
  'calendar:recompute                  tính lại hạn các hồ sơ đang mở theo lịch hiện có (sau khi nhập, sửa lịch nghỉ)',
  async (db) => {
    // What the calendar page's button does, for an administrator who imported the year's schedule with the CLI.
    const ctx = { db, config: loadConfig(process.env, { serves: false }), clock: systemClock, log: (msg: string) => console.error(msg) };
    const dossiers = new DossierService(ctx, new CalendarService(db, ctx.config.workingPeriods));
    const result = await dossiers.recomputeOpen({ id: null, fullName: 'Quản trị viên (dòng lệnh)', role: 'admin' });
    await audit(ctx, null, 'recompute_due', null, { ...recomputeAuditDetail(result), via: 'cli' }, { actor: { id: null, name: 'cli' } });
    console.log(`Đã tính lại hạn ${formatNumber(result.checked)} hồ sơ đang mở; ${formatNumber(result.moved.length)} hồ sơ đổi hạn (đã ghi vào lịch sử từng hồ sơ).`);
    for (const m of result.moved) console.log(`  ${m.code}: ${formatDateTime(m.dueBefore)} → ${formatDateTime(m.dueAt)}`);
    if (result.appointmentsOnDaysOff.length) {
      console.log(`Lưu ý: ${formatNumber(result.appointmentsOnDaysOff.length)} hồ sơ có ngày hẹn trả kết quả (theo văn bản xin lỗi đã phát hành) nay rơi vào ngày nghỉ; ngày hẹn không tự đổi, lãnh đạo cần hẹn lại bằng văn bản xin lỗi mới:`);
      for (const a of result.appointmentsOnDaysOff) console.log(`  ${a.code}: ${formatDateTime(a.appointmentAt)}${a.dayName ? ` (${a.dayName})` : ''}`);
    }
  },
);

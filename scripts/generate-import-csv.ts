// Writes a valid import file of N dossiers over the seeded catalog, to measure `import` on large files:
//   npx tsx scripts/generate-import-csv.ts [rows=100000] [out=/tmp/import-100000.csv] [now=ISO instant]
// Received times fall in working hours of the year before `now`; a third keeps the old system's code.
import fs from 'node:fs';
import path from 'node:path';
import { readCsv } from '../seeds/csv';
import { mulberry32 } from '../seeds/demo';

const [rowsArg = '100000', outArg, nowArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const out = outArg ?? `/tmp/import-${rows}.csv`;
const now = nowArg ? new Date(nowArg) : new Date();
const DATA = path.join(import.meta.dirname, '../seeds/data');

const procedures = readCsv(path.join(DATA, 'procedures.csv')).filter((p) => p.duration_unit === 'working_days' || p.duration_unit === 'working_hours');
const communes = readCsv(path.join(DATA, 'agencies.csv')).filter((a) => a.level === 'commune').map((a) => a.code);
const rnd = mulberry32(42);
const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ', 'Phan', 'Đặng'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Hữu', 'Thanh'];
const GIVEN = ['An', 'Bình', 'Hoa', 'Lan', 'Nam', 'Phúc', 'Trang', 'Vy', 'Tâm', 'Khoa'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const csv = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** dd/mm/yyyy HH:mm in UTC+7 */
function local(d: Date): string {
  const l = new Date(d.getTime() + 7 * 3600_000);
  return `${pad(l.getUTCDate())}/${pad(l.getUTCMonth() + 1)}/${l.getUTCFullYear()} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}`;
}

/**
 * A weekday instant in office hours, `daysBack` days before now at most and an hour before it at least: what follows
 * the receipt is kept before now, and a receipt in the last minute would have left it no room.
 */
function workingInstant(daysBack: number): Date {
  for (;;) {
    const d = new Date(now.getTime() - 3600_000 - Math.floor(rnd() * daysBack * 86_400_000));
    const l = new Date(d.getTime() + 7 * 3600_000);
    const day = l.getUTCDay();
    const minutes = l.getUTCHours() * 60 + l.getUTCMinutes();
    if (day !== 0 && day !== 6 && ((minutes >= 450 && minutes < 690) || (minutes >= 810 && minutes < 1020))) return d;
  }
}

const header = 'code,procedure_code,agency_code,channel,applicant_name,applicant_id_number,applicant_phone,applicant_email,applicant_address,sets,received_at,due_at,status,stopped_at,finished_at,outcome,returned_at,reason';
const lines: string[] = [header];
for (let i = 0; i < rows; i++) {
  const p = pick(procedures);
  const agency = p.agency_code ? '' : pick(communes);
  const receivedAt = workingInstant(365);
  const later = (maxDays: number) => {
    const t = new Date(receivedAt.getTime() + Math.floor(rnd() * maxDays * 86_400_000) + 3600_000);
    return t > now ? new Date(now.getTime() - 60_000) : t;
  };
  const r = rnd();
  const status = r < 0.6 ? 'returned' : r < 0.75 ? 'resolved' : r < 0.9 ? 'processing' : r < 0.93 ? 'awaiting_supplement' : r < 0.95 ? 'paused' : 'withdrawn';
  let stopped = '', finished = '', outcome = '', returned = '', reason = '';
  if (status === 'awaiting_supplement' || status === 'paused') {
    stopped = local(later(10));
    reason = status === 'paused' ? 'Chờ thực hiện nghĩa vụ tài chính' : 'Thiếu bản sao CCCD';
  }
  if (status === 'resolved' || status === 'returned' || status === 'withdrawn') {
    const f = later(25);
    finished = local(f);
    if (status !== 'withdrawn') {
      outcome = rnd() < 0.95 ? 'approved' : 'refused';
      if (outcome === 'refused') reason = 'Không đủ điều kiện theo quy định';
    } else reason = 'Công dân có đơn xin rút hồ sơ';
    if (status === 'returned') {
      const back = new Date(Math.min(f.getTime() + Math.floor(rnd() * 3 * 86_400_000), now.getTime() - 30_000));
      returned = local(back < f ? f : back);
    }
  }
  const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
  const code = i % 3 === 0 ? `HTC-${now.getUTCFullYear()}-${pad(i, 7)}` : '';
  lines.push(
    [
      code,
      p.code,
      agency,
      pick(['in_person', 'online', 'postal']),
      name,
      `0921${pad(Math.floor(rnd() * 1e8), 8)}`,
      `09${pad(Math.floor(rnd() * 1e8), 8)}`,
      i % 4 === 0 ? `cong.dan${i}@example.vn` : '',
      `${1 + (i % 300)} đường 30 Tháng 4, phường Ninh Kiều`,
      String(1 + (i % 3 === 0 ? 1 : 0)),
      local(receivedAt),
      '',
      status,
      stopped,
      finished,
      outcome,
      returned,
      reason,
    ]
      .map(csv)
      .join(','),
  );
}
fs.writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${rows} dòng -> ${out} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB)`);

// A consistent copy of the SQLite database while the server keeps running: VACUUM INTO reads one snapshot
// (a read transaction; in WAL mode writers carry on) and writes a compact new file. PostgreSQL has pg_dump.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export interface BackupResult {
  file: string;
  bytes: number;
  dossiers: number;
  events: number;
  /** "ok" when PRAGMA integrity_check of the copy finds nothing */
  integrity: string;
  elapsedMs: number;
}

export const PG_BACKUP_HELP = [
  'Cơ sở dữ liệu đang dùng là PostgreSQL: lệnh backup chỉ sao chép tệp SQLite.',
  'Với PostgreSQL hãy dùng pg_dump (bản sao nhất quán, máy chủ vẫn chạy bình thường):',
  '  pg_dump --format=custom --file=onestop-YYYYMMDD.dump "$DATABASE_URL"',
  'Khôi phục vào một cơ sở dữ liệu trống:',
  '  createdb onestop_restore',
  '  pg_restore --no-owner --exit-on-error --dbname=postgres://…/onestop_restore onestop-YYYYMMDD.dump',
  'Xem README, mục "Sao lưu và khôi phục".',
].join('\n');

/** Copies the SQLite file `source` to `dest` (which must not exist) through a connection of its own. */
export function backupSqlite(source: string, dest: string): BackupResult {
  const started = performance.now();
  const target = path.resolve(dest);
  if (path.resolve(source) === target) throw new Error('Tệp sao lưu phải khác tệp cơ sở dữ liệu.');
  if (fs.existsSync(target)) {
    throw new Error(`Tệp ${dest} đã có: không ghi đè một bản sao lưu. Chọn tên khác hoặc tự xoá tệp cũ trước.`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });

  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 10000');
    live.prepare('VACUUM INTO ?').run(target);
  } finally {
    live.close();
  }

  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(copy.pragma('integrity_check', { simple: true }));
    const count = (table: string) => Number((copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return {
      file: target,
      bytes: fs.statSync(target).size,
      dossiers: count('dossiers'),
      events: count('dossier_events'),
      integrity,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    copy.close();
  }
}

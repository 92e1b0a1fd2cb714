// CLI `backup <file>`: a consistent copy of the SQLite database, safe while the server runs.
import { registerCommand } from './cli';
import { backupSqlite, PG_BACKUP_HELP } from './db/backup';
import { isSqlite, sqliteFilename } from './db/dialect';
import { formatNumber } from './shared/format';

registerCommand('backup', 'backup <file>                   sao lưu nhất quán tệp SQLite khi máy chủ đang chạy (PostgreSQL: pg_dump)', async (db, _flags, positional) => {
  const dest = positional[0];
  if (!dest) throw new Error('Cách dùng: backup <file>   (ví dụ: backup backups/onestop-20260213.sqlite3)');
  if (!isSqlite(db)) throw new Error(PG_BACKUP_HELP);
  const source = sqliteFilename(db);
  if (!source) throw new Error('Cơ sở dữ liệu SQLite trong bộ nhớ (:memory:) không có tệp để sao lưu.');
  const r = backupSqlite(source, dest);
  if (r.integrity !== 'ok') throw new Error(`Bản sao ${r.file} không vượt qua kiểm tra toàn vẹn: ${r.integrity}`);
  console.log(
    `Đã sao lưu ${source} -> ${r.file} (${formatNumber(Math.round(r.bytes / 1024))} KB, ${formatNumber(r.dossiers)} hồ sơ, ` +
      `${formatNumber(r.events)} sự kiện; kiểm tra toàn vẹn: ok; ${formatNumber(r.elapsedMs)} ms).`,
  );
});

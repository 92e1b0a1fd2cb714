import { loadConfig } from './config';
import { openDb } from './db/knex';
import { migrateLatest } from './db/migrate';
import { createApp } from './app';
import { seedIfEmpty } from '../seeds/index';
import { systemClock } from './shared/clock';
import { startLetterSweep } from './letters/routes';
import { startSearchUpkeep } from './db/search-index';
import { keepPlannerStatistics, startStatisticsUpkeep, statisticsNote } from './db/statistics';
import { startNotes } from './first-run';
import { connectionErrorText } from './db/connect-errors';
import { listen } from './shared/http-server';

async function main() {
  const config = loadConfig();
  const db = openDb(config.database);
  const applied = await migrateLatest(db);
  if (applied.length) console.log(`Đã áp dụng ${applied.length} migration: ${applied.join(', ')}`);
  const seeded = await seedIfEmpty(db, { demo: config.seedDemo, now: systemClock.now(), periods: config.workingPeriods });
  if (seeded.demoUsers.length) {
    console.log('\nTài khoản dùng thử (demo):');
    for (const u of seeded.demoUsers) console.log(`  ${u.role.padEnd(6)} ${u.username.padEnd(15)} mật khẩu: ${u.password}   ${u.note}`);
    console.log('');
  }
  for (const note of await startNotes(db, { production: config.env === 'production', demoUsersMade: seeded.demoUsers.length > 0 })) console.log(note);
  // SQLite's planner statistics, before the first request (src/db/statistics.ts): at any hour, as nothing is served yet;
  // made again after migrations, whose new indexes the statistics do not describe yet. They only speed the planner:
  // a failure (another process writing the file for longer than the busy timeout) is said and the server starts.
  try {
    const statistics = statisticsNote(await keepPlannerStatistics(db, { force: applied.length > 0 }));
    if (statistics) console.log(statistics);
  } catch (err) {
    console.error(`Không cập nhật được thống kê của SQLite (${err instanceof Error ? err.message : err}); máy chủ vẫn chạy và sẽ thử lại sau.`);
  }

  const app = createApp({ db, config });
  // Called with the listen's error too (as Express 5's app.listen): a port already taken was reported "đang chạy" and
  // the process stayed up serving nothing (its letter sweep running) while the port answered for another program.
  const server = listen(app, config.port, (err?: Error) => {
    if (err) {
      const code = (err as { code?: string }).code;
      console.error(
        code === 'EADDRINUSE'
          ? `Lỗi: cổng ${config.port} đang có chương trình khác dùng (có thể một máy chủ Một cửa khác). Dừng chương trình đó hoặc đặt PORT khác.`
          : code === 'EACCES'
            ? `Lỗi: không có quyền mở cổng ${config.port} (cổng dưới 1024 cần quyền quản trị). Đặt PORT khác, ví dụ 3000, sau một reverse proxy.`
            : `Lỗi: không mở được cổng ${config.port}: ${code ?? err.message}.`,
      );
      void db.destroy().finally(() => process.exit(1));
      return;
    }
    const where = config.database.client === 'pg' ? 'PostgreSQL' : `SQLite ${config.database.filename}`;
    console.log(`Một cửa đang chạy tại http://localhost:${config.port} (${where})`);
  });
  app.locals.onShutdown = [
    startLetterSweep(app.locals.ctx, app.locals.services),
    startSearchUpkeep(app.locals.ctx),
    startStatisticsUpkeep(app.locals.ctx),
  ] as Array<() => void>;

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`Nhận ${signal}: dừng nhận kết nối mới, chờ các yêu cầu đang xử lý…`);
    for (const stop of app.locals.onShutdown as Array<() => void>) stop();
    server.close(async () => {
      await db.destroy();
      console.log('Đã đóng cơ sở dữ liệu. Tạm biệt.');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(connectionErrorText(err) ?? (err instanceof Error ? err.message : err));
  process.exit(1);
});

import type { Knex } from 'knex';

/**
 * What the server says at start about getting in, for the administrator reading its log. A production start with
 * SEED_DEMO=0 made a database without any account and said nothing: the way in (the CLI's user:add with
 * --role admin) was nowhere in sight. Demo accounts made on a production start have passwords printed in README.
 */
export async function startNotes(db: Knex, opts: { production: boolean; demoUsersMade: boolean }): Promise<string[]> {
  const notes: string[] = [];
  const admin = await db('users').where({ role: 'admin', active: true }).first('id');
  if (!admin) {
    notes.push(
      'Chưa có tài khoản quản trị nào đang hoạt động. Tạo quản trị viên đầu tiên bằng lệnh dưới đây, chạy với cùng DATABASE_URL như máy chủ (lệnh hỏi mật khẩu hai lần, không hiện khi gõ; ít nhất 8 ký tự), rồi đăng nhập và thêm các tài khoản khác ở /quan-tri/nguoi-dung/moi:',
      `  npm run --silent cli -- user:add --username quantri --role admin --name "Họ tên"`,
    );
    // Every admin locked (or its password lost and the account locked by a colleague): the way back is that account.
    const locked = await db('users').where({ role: 'admin', active: false }).orderBy('id').first('username');
    if (locked) notes.push(`Hoặc mở khóa, đặt lại mật khẩu tài khoản quản trị đã có: npm run --silent cli -- user:password --username ${locked.username} --unlock`);
  }
  if (opts.production && opts.demoUsersMade) {
    notes.push('Cảnh báo: NODE_ENV=production nhưng đã tạo tài khoản và hồ sơ dùng thử (mật khẩu demo1234 ai cũng biết). Cơ sở dữ liệu thật: tạo mới và chạy với SEED_DEMO=0.');
  }
  return notes;
}

/**
 * What the server and the CLI say when the database named by DATABASE_URL cannot be reached: pg's own words are
 * English ('database "x" does not exist'), knex's pool logged them with a stack, and the CLI called a refused
 * connection a file's error ("Lỗi tệp: ECONNREFUSED."). Null for any other error.
 */
export function connectionErrorText(err: unknown): string | null {
  const e = err as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown; hostname?: unknown; message?: unknown };
  if (!e || typeof e !== 'object') return null;
  const check = 'Kiểm tra DATABASE_URL.';
  if (e.code === '3D000') {
    const name = typeof e.message === 'string' ? /database "(.+)" does not exist/.exec(e.message)?.[1] : undefined;
    return `Lỗi: máy chủ PostgreSQL không có cơ sở dữ liệu${name ? ` "${name}"` : ''}. Tạo nó trước (createdb -h <máy chủ> -U <người dùng> ${name ?? '<tên>'}; máy chủ sẽ tự tạo các bảng khi chạy), hoặc sửa DATABASE_URL.`;
  }
  if (e.code === '28P01' || e.code === '28000') {
    return `Lỗi: PostgreSQL từ chối đăng nhập của người dùng trong DATABASE_URL (sai mật khẩu hoặc không được phép kết nối, xem pg_hba.conf). ${check}`;
  }
  if (e.code === '57P03') return `Lỗi: máy chủ PostgreSQL đang khởi động hoặc dừng, chưa nhận kết nối. Thử lại sau ít giây.`;
  if (e.syscall === 'connect' || e.syscall === 'getaddrinfo') {
    const where =
      typeof e.hostname === 'string' ? e.hostname : typeof e.address === 'string' ? `${e.address}${e.port !== undefined ? `:${String(e.port)}` : ''}` : 'của DATABASE_URL';
    const why =
      e.code === 'ECONNREFUSED'
        ? 'không có máy chủ nào nhận kết nối ở đó'
        : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? 'không tìm thấy tên máy'
          : e.code === 'ETIMEDOUT'
            ? 'quá thời gian chờ'
            : String(e.code ?? e.syscall);
    return `Lỗi: không kết nối được cơ sở dữ liệu PostgreSQL tại ${where} (${why}). Kiểm tra máy chủ PostgreSQL đang chạy và DATABASE_URL.`;
  }
  return null;
}

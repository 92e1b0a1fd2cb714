import type { Knex } from 'knex';

// A username is one whatever its case: the login finds "Admin" as "admin" (a phone keyboard capitalises the first
// letter, and the account seemed locked out), so two accounts may not differ by case alone. The admin page and the CLI
// checked it before inserting, but two admins creating "race.user" and "RACE.USER" at once both got through: the index
// on the lower-cased name decides. Accounts that already differ only by case must be renamed or removed first.
export async function up(db: Knex): Promise<void> {
  const twins = await db('users')
    .select(db.raw('lower(username) AS name'))
    .groupByRaw('lower(username)')
    .havingRaw('count(*) > 1');
  if (twins.length) {
    throw new Error(
      `Có tài khoản chỉ khác nhau chữ hoa, chữ thường: ${twins.map((t) => t.name).join(', ')}. ` +
        'Đổi tên hoặc xóa bớt các tài khoản này rồi chạy lại (users.username, not unique whatever the case).',
    );
  }
  await db.raw('CREATE UNIQUE INDEX users_username_any_case ON users (lower(username))');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX users_username_any_case');
}

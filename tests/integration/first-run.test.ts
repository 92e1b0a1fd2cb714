import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/users';
import { startNotes } from '../../src/first-run';
import { seedIfEmpty } from '../../seeds/index';
import { createTestDb, type TestDb } from '../helpers/db';

// A production start with SEED_DEMO=0 on an empty database: the administrator reading the log must see how to get in.

const NOW = new Date('2026-12-04T03:00:00Z');
let testDb: TestDb;
let db: Knex;

beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  await seedIfEmpty(db, { demo: false, now: NOW });
});
afterAll(async () => testDb.destroy());

describe('start notes', () => {
  it('when the database has no active admin, then the start says how to make the first one with user:add --role admin', async () => {
    const notes = (await startNotes(db, { production: true, demoUsersMade: false })).join('\n');
    expect(notes).toContain('Chưa có tài khoản quản trị');
    expect(notes).toContain('npm run --silent cli -- user:add --username quantri --role admin');
    expect(notes).not.toContain('user:password');

    // a clerk alone is no way into the admin pages; a locked admin neither
    await createUser(db, { username: 'an.tran', fullName: 'Trần Thị An', role: 'clerk', agencyCode: '000.01.01.H13', password: 'mat-khau-dai' }, NOW);
    const locked = await createUser(db, { username: 'cu.quantri', fullName: 'Quản trị cũ', role: 'admin', agencyCode: null, password: 'mat-khau-dai' }, NOW);
    await db('users').where({ id: locked.id }).update({ active: false });
    const withLocked = await startNotes(db, { production: true, demoUsersMade: false });
    expect(withLocked.join('\n')).toContain('user:add');
    expect(withLocked.at(-1)).toBe('Hoặc mở khóa, đặt lại mật khẩu tài khoản quản trị đã có: npm run --silent cli -- user:password --username cu.quantri --unlock');

    await createUser(db, { username: 'quantri', fullName: 'Quản trị', role: 'admin', agencyCode: null, password: 'mat-khau-dai' }, NOW);
    expect(await startNotes(db, { production: true, demoUsersMade: false })).toEqual([]);
  });

  it('when demo accounts were made on a production start, then it warns; in development it does not', async () => {
    expect((await startNotes(db, { production: true, demoUsersMade: true })).join('\n')).toContain('SEED_DEMO=0');
    expect(await startNotes(db, { production: false, demoUsersMade: true })).toEqual([]);
  });
});

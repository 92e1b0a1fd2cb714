import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';

// Fri 13/02/2026 10:00 in Vietnam.
const FRI_10 = '2026-02-13T03:00:00.000Z';

let t: TestDb;
let clerk: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
});
afterAll(() => t.destroy());

describe('templates kept compiled for the whole process (production)', () => {
  it('when two apps of one process print a receipt, then each writes its own place name beside the date', async () => {
    // EJS keeps a compiled template, with the context it was compiled with, for the process: the helpers shared as
    // that context must not carry what an app's configuration sets (src/app.ts TEMPLATE_HELPERS).
    const production = (place: string) => makeApp(t.db, FRI_10, { NODE_ENV: 'production', SESSION_SECRET: 'test-session-secret-0123456789', PLACE_NAME: place });
    const first = production('Cần Thơ');
    const second = production('Hậu Giang');
    const code = await receiveAs(first.app, clerk, '1.012756', 'Huỳnh Thị Mai');
    for (const [harness, place, other] of [
      [first, 'Cần Thơ', 'Hậu Giang'],
      [second, 'Hậu Giang', 'Cần Thơ'],
      [first, 'Cần Thơ', 'Hậu Giang'],
    ] as const) {
      const { agent } = await loginAgent(harness.app, 'land.clerk');
      const res = await agent.get(`/ho-so/${code}/giay-tiep-nhan`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`${place}, ngày 13 tháng 02 năm 2026`);
      expect(res.text).not.toContain(`${other}, ngày`);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog } from '../helpers/app';
import { FLOOR_PATH, addFloor } from '../../scripts/bench/floor';

// The bench's floor (scripts/bench/floor.ts) must pass through what a page passes through, or its ceiling means nothing.
describe("the bench's floor: a request through the app's middleware that builds no page", () => {
  let t: TestDb;
  let harness: ReturnType<typeof makeApp>;

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
    harness = makeApp(t.db);
    addFloor(harness.app);
  });
  afterAll(() => t.destroy());

  it("when a logged-in clerk asks for it, then the session's user was read and the page's headers set", async () => {
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    const res = await agent.get(FLOOR_PATH);
    expect(res.status).toBe(200);
    expect(res.text).toBe('logged in');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('when nobody is logged in, then it answers as anonymous, and the app still answers "not found" after it', async () => {
    expect((await request(harness.app).get(FLOOR_PATH)).text).toBe('anonymous');
    const missing = await request(harness.app).get('/khong-co-trang-nay');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Không tìm thấy trang');
  });
});

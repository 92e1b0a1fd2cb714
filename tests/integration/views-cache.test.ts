import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, receiveAs, seedSmallCatalog, type TestUser } from '../helpers/app';

// Fri 13/02/2026 10:00 in Vietnam.
const FRI_10 = '2026-02-13T03:00:00.000Z';

let t: TestDb;
let clerk: TestUser;
let head: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  clerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  head = await addUser(t.db, 'land.head', 'head', AGENCIES.land.code);
  admin = await addUser(t.db, 'quan.tri', 'admin', null);
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

  it('when pages are rendered with their templates and partials kept compiled, then each is the page rendered from the files', async () => {
    // Kept (production), a template's include runs the partial kept compiled with the page's own locals (shared/views.ts
    // keptInclude); read from the files (development and tests), EJS's include gives each partial a copy of them.
    const settings = { SESSION_SECRET: 'test-session-secret-0123456789' };
    const kept = makeApp(t.db, FRI_10, { NODE_ENV: 'production', ...settings });
    const read = makeApp(t.db, FRI_10, settings);
    const code = await receiveAs(read.app, clerk, '1.012756', 'Trần Thị "Bé" <Tư>');
    // The CSRF token is the session's own, the intake form's key new at each render, and the receipt's QR code holds
    // the address the request came to (a port of its own for each); the rest must be the same.
    const unsession = (html: string) =>
      html
        .replace(/(name="_csrf" value="|name="csrf-token" content="|name="intakeKey" value=")[^"]+"/g, '$1…"')
        .replace(/<div class="qr">[\s\S]*?<div class="qr-caption">[^<]*<\/div><\/div>/, '<div class="qr">…</div>');
    const pages = [
      [clerk, ['/', '/ho-so', '/ho-so?late=1&status=open', `/ho-so/${code}`, '/ho-so/moi', `/ho-so/${code}/giay-tiep-nhan`, `/ho-so/${code}/phieu-kiem-soat`, '/ho-so/so-theo-doi?from=2026-02-13&to=2026-02-13']],
      [head, ['/theo-doi', '/thu-xin-loi', '/bao-cao?from=2026-02-01&to=2026-02-28']],
      [admin, ['/quan-tri/nguoi-dung', '/quan-tri/nguoi-dung/moi', '/quan-tri/thu-tuc', '/quan-tri/lich']],
    ] as const;
    let compared = 0;
    for (const [user, paths] of pages) {
      const agents = [(await loginAgent(kept.app, user.username)).agent, (await loginAgent(read.app, user.username)).agent];
      for (const path of paths) {
        // Twice where kept: the first render compiles the partials through EJS's include, the second runs them kept.
        const [first, second, fromFiles] = [await agents[0].get(path), await agents[0].get(path), await agents[1].get(path)];
        expect(fromFiles.status, path).toBe(200);
        expect(unsession(first.text), path).toBe(unsession(fromFiles.text));
        expect(unsession(second.text), path).toBe(unsession(fromFiles.text));
        compared++;
      }
    }
    expect(compared).toBe(15);
    expect(kept.errors).toEqual([]);
    expect(read.errors).toEqual([]);
  });
});

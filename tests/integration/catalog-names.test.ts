import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { updateProcedure } from '../../src/catalog/api';
import { insertAgency, upsertField } from '../../src/catalog/repository';

// Lists take the names of procedures, fields and agencies from names kept in memory (src/catalog/names.ts), not from
// a join; these are the ways a name can change under a running app.
describe('names in the lists of dossiers follow the catalog', () => {
  let t: TestDb;
  let clerk: TestUser;
  let harness: ReturnType<typeof makeApp>;
  const list = async () => (await request(harness.app).get('/api/v1/dossiers').set('Authorization', `Bearer ${clerk.token}`)).body.items as { procedureCode: string; procedureName: string }[];
  const receive = (procedureCode: string, name: string) =>
    request(harness.app).post('/api/v1/dossiers').set('Authorization', `Bearer ${clerk.token}`).send({ procedureCode, channel: 'online', applicant: { name } });

  beforeAll(async () => {
    t = await createTestDb();
    await seedSmallCatalog(t.db);
    clerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
    harness = makeApp(t.db);
    expect((await receive('1.012756', 'Lê Văn Một')).status).toBe(201);
    expect((await list()).map((d) => d.procedureName)).toEqual(['Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý']);
  });
  afterAll(() => t.destroy());

  it('when an admin renames the procedure, then the next list shows the new name', async () => {
    await updateProcedure(t.db, '1.012756', {
      code: '1.012756',
      name: 'Đăng ký đất đai lần đầu (tên mới)',
      fieldCode: 'DAT_DAI',
      agencyCode: AGENCIES.land.code,
      level: 'province',
      statutoryDays: 17,
      duration: { value: 3, unit: 'working_days' },
      onSupplement: 'restart',
      fee: undefined,
      active: true,
    });
    expect((await list()).map((d) => d.procedureName)).toEqual(['Đăng ký đất đai lần đầu (tên mới)']);
    const [{ code }] = (await request(harness.app).get('/api/v1/dossiers').set('Authorization', `Bearer ${clerk.token}`)).body.items;
    const one = await request(harness.app).get(`/api/v1/dossiers/${encodeURIComponent(code)}`).set('Authorization', `Bearer ${clerk.token}`);
    expect(one.body.procedureName).toBe('Đăng ký đất đai lần đầu (tên mới)');
  });

  it('when a field is renamed, then the list page shows the new field name', async () => {
    await upsertField(t.db, { code: 'DAT_DAI', name: 'Đất đai (đổi tên)' });
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    const page = await agent.get('/ho-so');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<span class="muted">Đất đai (đổi tên)</span>');
  });

  it('when another process adds a procedure (written straight to the database) and a dossier of it is received, then the list shows its name', async () => {
    await t.db('procedures').insert({ code: '1.999001', name: 'Thủ tục vừa thêm ở tiến trình khác', field_code: 'DAT_DAI', level: 'province', agency_code: AGENCIES.land.code, statutory_days: 5, duration_value: 5, duration_unit: 'working_days', on_supplement: 'restart', fee: null, active: true });
    expect((await receive('1.999001', 'Lê Văn Hai')).status).toBe(201);
    const names = Object.fromEntries((await list()).map((d) => [d.procedureCode, d.procedureName]));
    expect(names).toEqual({ '1.012756': 'Đăng ký đất đai lần đầu (tên mới)', '1.999001': 'Thủ tục vừa thêm ở tiến trình khác' });
  });

  it("when an admin adds an agency, then the transfer form offers it: the province's agencies first, then the districts', then the communes', each in Vietnamese order, never the dossier's own", async () => {
    const { agent } = await loginAgent(harness.app, 'land.clerk');
    const [{ code }] = (await request(harness.app).get('/api/v1/dossiers').set('Authorization', `Bearer ${clerk.token}`)).body.items;
    const transferChoices = async () => {
      const page = await agent.get(`/ho-so/${encodeURIComponent(code)}`);
      expect(page.status).toBe(200);
      const select = /<select id="to-transfer" name="toAgencyCode"[^>]*>([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '';
      return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    };
    const province = ['000.01.01.H13', '000.00.00.H13']; // Trung tâm … before Ủy ban … (U with its hook sorts as U)
    const communes = ['000.02.92.H13', '000.01.92.H13']; // Phường Cái Khế before Phường Ninh Kiều
    expect(await transferChoices()).toEqual([...province, ...communes]);
    await insertAgency(t.db, { code: '000.05.92.H13', name: 'Phòng Tài nguyên và Môi trường quận Bình Thủy', parentCode: '000.00.00.H13', level: 'district', kind: null });
    await insertAgency(t.db, { code: '000.06.92.H13', name: 'Đội thuế quận Bình Thủy', parentCode: '000.00.00.H13', level: 'district', kind: null });
    // Đ sorts after D and before E, so before P (by code points it would come after every Latin letter); the
    // districts come between the province and the communes.
    expect(await transferChoices()).toEqual([...province, '000.06.92.H13', '000.05.92.H13', ...communes]);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db';
import { addUser, AGENCIES, csrfFrom, loginAgent, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { draftMissingLetters } from '../../src/letters/service';
import { startLetterSweep } from '../../src/letters/routes';
import { lettersOfDossier } from '../../src/letters/repository';
import { countDossiers, listEvents } from '../../src/dossiers/repository';
import { listQuerySchema } from '../../src/dossiers/schema';

/** A wall-clock reading in Vietnam (UTC+7) as an instant, and as the API writes it. */
const vn = (local: string) => new Date(`${local}:00+07:00`);
const api = (local: string) => `${local}:00+07:00`;
const bearer = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

const LAND = '1.012756'; // 3 working days, land department
const PAUSE = '1.012994'; // 10 working days, land department, clock pauses on supplement
const HOURS = '2.000908'; // 4 working hours, handled by the commune desk that receives it
/** SPEC §5's letters, where the law (the app's defaults) differs: drafted once due soon; a second appointment by a head's exception. */
const SPEC_LETTERS = { APOLOGY_FROM: 'due_soon', REAPPOINTMENTS: 'override' };

let t: TestDb;
let harness: ReturnType<typeof makeApp>;
let landClerk: TestUser;
let landHead: TestUser;
let wardClerk: TestUser;
let wardHead: TestUser;
let otherClerk: TestUser;
let otherHead: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestDb();
  await seedSmallCatalog(t.db);
  landClerk = await addUser(t.db, 'canbo_dat', 'clerk', AGENCIES.land.code);
  landHead = await addUser(t.db, 'lanhdao_dat', 'head', AGENCIES.land.code);
  wardClerk = await addUser(t.db, 'canbo_phuong', 'clerk', AGENCIES.ward.code);
  wardHead = await addUser(t.db, 'lanhdao_phuong', 'head', AGENCIES.ward.code);
  otherClerk = await addUser(t.db, 'canbo_caikhe', 'clerk', AGENCIES.otherWard.code);
  otherHead = await addUser(t.db, 'lanhdao_caikhe', 'head', AGENCIES.otherWard.code);
  admin = await addUser(t.db, 'quantri', 'admin', null);
  // SPEC §5's letters: drafted once due soon, and a head may set a second appointment with a reason (the law's
  // defaults are tested below).
  harness = makeApp(t.db, vn('2026-02-23T08:00').toISOString(), SPEC_LETTERS);
});

afterAll(async () => {
  expect(harness.errors).toEqual([]); // no request ended in an unhandled 500
  await t?.destroy();
});

const app = () => harness.app;
const sweep = (at: string, h = harness) => draftMissingLetters(h.app.locals.ctx, h.app.locals.services, vn(at));

async function receive(procedureCode: string, local: string, user = landClerk, name = 'Trần Thị Bích') {
  harness.clock.set(vn(local));
  const res = await request(app())
    .post('/api/v1/dossiers')
    .set(bearer(user))
    .send({ procedureCode, channel: 'in_person', applicant: { name, phone: '0912345678', address: 'Số 12 đường 30/4, phường Ninh Kiều' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { code: string; dueAt: string; version: number };
}

async function act(local: string, user: TestUser, code: string, body: Record<string, unknown>) {
  harness.clock.set(vn(local));
  const version = (await t.db('dossiers').where({ code }).first()).version;
  const res = await request(app()).post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`).set(bearer(user)).send({ version, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

function issue(user: TestUser, id: number, body: Record<string, unknown>) {
  return request(app()).post(`/api/v1/letters/${id}/issue`).set(bearer(user)).send(body);
}

async function letterOf(code: string, seq = 1) {
  const d = await t.db('dossiers').where({ code }).first();
  return t.db('letters').where({ dossier_id: d.id, seq }).first();
}

async function letterCount(codes: string[]) {
  const row = await t.db('letters as l').join('dossiers as d', 'd.id', 'l.dossier_id').whereIn('d.code', codes).count({ n: '*' }).first();
  return Number(row!.n);
}

const dossierJson = async (code: string, user = landHead) =>
  (await request(app()).get(`/api/v1/dossiers/${encodeURIComponent(code)}`).set(bearer(user))).body;

// Land department, week of Mon 02/03/2026 (no holidays); the sweep runs on Wed 04/03 at 10:00.
const codes: Record<string, string> = {};

describe('the sweep drafts apology letters', () => {
  beforeAll(async () => {
    codes.late = (await receive(LAND, '2026-02-27T08:00')).code; // due Wed 04/03 08:00: late at 10:00
    codes.soon = (await receive(LAND, '2026-03-02T09:00')).code; // due Thu 05/03 09:00: within 1 working day
    codes.onTime = (await receive(LAND, '2026-03-04T09:00')).code; // due Mon 09/03 09:00
    codes.resolvedLate = (await receive(LAND, '2026-02-26T08:00')).code; // due Tue 03/03 08:00
    codes.paused = (await receive(PAUSE, '2026-02-26T08:00', landClerk, 'Lê Văn Hậu')).code; // 10 days, paused the next day
    await act('2026-03-04T09:00', landClerk, codes.resolvedLate, { action: 'resolve', outcome: 'approved' });
    await act('2026-02-27T09:00', landClerk, codes.paused, { action: 'pause', reason: 'Chờ thẩm định' });
  });

  it('when it runs, then exactly the late and the due-soon open dossiers get one draft each, pre-filled from the dossier and the engine', async () => {
    expect(await sweep('2026-03-04T10:00')).toBe(2);
    expect(await letterCount(Object.values(codes))).toBe(2);

    const late = await letterOf(codes.late);
    expect(late).toMatchObject({
      status: 'draft',
      seq: 1,
      drafted_for: 'late',
      agency_code: AGENCIES.land.code,
      addressee_name: 'Ông/Bà Trần Thị Bích',
      addressee_address: 'Số 12 đường 30/4, phường Ninh Kiều',
      number: null,
      reason: null,
      signer_name: 'Nguyễn Văn lanhdao_dat',
      drafted_by: null,
    });
    expect(new Date(late.original_appointment_at)).toEqual(vn('2026-03-04T08:00'));
    // late: from now (Wed 10:00) one working day → Thu 10:00 → close of Thu 05/03
    expect(new Date(late.proposed_appointment_at)).toEqual(vn('2026-03-05T17:00'));
    expect(late.new_appointment_at).toBe(late.proposed_appointment_at);

    const soon = await letterOf(codes.soon);
    expect(soon).toMatchObject({ status: 'draft', drafted_for: 'due_soon' });
    // due soon: 390 minutes unused → one day from the deadline Thu 09:00 → Fri 09:00 → close of Fri 06/03
    expect(new Date(soon.proposed_appointment_at)).toEqual(vn('2026-03-06T17:00'));

    for (const key of ['onTime', 'resolvedLate', 'paused']) expect(await letterOf(codes[key]), key).toBeUndefined();
  });

  it('when it runs again, then nothing new is drafted', async () => {
    expect(await sweep('2026-03-04T10:05')).toBe(0);
    expect(await letterCount(Object.values(codes))).toBe(2);
  });

  it('when two app instances sweep the same database at once, then every dossier still has exactly one draft', async () => {
    const more = [];
    for (let i = 0; i < 4; i++) more.push((await receive(LAND, `2026-02-27T0${8 + (i % 2)}:${i < 2 ? '00' : '30'}`, landClerk, `Người nộp ${i}`)).code);
    const second = makeApp(t.db, vn('2026-03-04T10:10').toISOString(), SPEC_LETTERS);
    const created = await Promise.all([sweep('2026-03-04T10:10'), sweep('2026-03-04T10:10', second), sweep('2026-03-04T10:10', second)]);
    expect(created.reduce((a, b) => a + b, 0)).toBe(4);
    const perDossier = await t.db('letters as l').join('dossiers as d', 'd.id', 'l.dossier_id').whereIn('d.code', more).select('d.code').count({ n: '*' }).groupBy('d.code');
    expect(perDossier.map((r) => Number(r.n))).toEqual([1, 1, 1, 1]);
    expect(second.errors).toEqual([]);
  });
});

describe('issuing through the API', () => {
  it('when a clerk tries to issue, then 403 and nothing changes', async () => {
    harness.clock.set(vn('2026-03-04T11:00'));
    const letter = await letterOf(codes.late);
    const res = await issue(landClerk, letter.id, { reason: 'Chờ đo đạc', newAppointmentAt: api('2026-03-05T17:00') });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await letterOf(codes.late)).status).toBe('draft');
  });

  it('when the reason is missing or the date is wrong, then 422 with Vietnamese messages per field', async () => {
    const { id } = await letterOf(codes.late);
    let res = await issue(landHead, id, { newAppointmentAt: api('2026-03-05T17:00') });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.reason).toMatch(/lý do/i);
    res = await issue(landHead, id, { reason: 'Chờ đo đạc', newAppointmentAt: api('2026-03-04T09:00') });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.newAppointmentAt).toBe('Ngày hẹn mới không được ở trong quá khứ.');
    res = await issue(landHead, (await letterOf(codes.soon)).id, { reason: 'x', newAppointmentAt: api('2026-03-05T08:00') });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.newAppointmentAt).toBe('Ngày hẹn mới phải sau ngày hẹn hiện tại (09:00 05/03/2026).');
    // The citizen is told to come when the desk is open: not on a Saturday, not at night (17:00 itself is kept).
    res = await issue(landHead, id, { reason: 'Chờ đo đạc', newAppointmentAt: api('2026-03-07T09:00') });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.newAppointmentAt).toBe(
      'Ngày hẹn mới phải trong giờ làm việc của một ngày làm việc: Thứ Bảy 07/03/2026 là ngày nghỉ. Giờ làm việc gần nhất sau đó: 07:30 09/03/2026.',
    );
    res = await issue(landHead, id, { reason: 'Chờ đo đạc', newAppointmentAt: api('2026-03-06T12:15') });
    expect(res.body.error.fields.newAppointmentAt).toBe(
      'Ngày hẹn mới phải trong giờ làm việc của một ngày làm việc: 12:15 06/03/2026 là ngoài giờ làm việc. Giờ làm việc gần nhất sau đó: 13:30 06/03/2026.',
    );
    expect((await letterOf(codes.late)).status).toBe('draft');
  });

  it('when the head issues, then the letter gets 01/XL, the dossier a new appointment (not a new deadline) and an event', async () => {
    const { id } = await letterOf(codes.late);
    const before = await t.db('dossiers').where({ code: codes.late }).first();
    const res = await issue(landHead, id, { reason: 'Chờ kết quả đo đạc địa chính', newAppointmentAt: api('2026-03-05T17:00') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id,
      dossierCode: codes.late,
      status: 'issued',
      number: '01/XL',
      reason: 'Chờ kết quả đo đạc địa chính',
      newAppointmentAt: api('2026-03-05T17:00'),
      issuedAt: api('2026-03-04T11:00'),
    });
    const d = await dossierJson(codes.late);
    expect(d).toMatchObject({ appointmentAt: api('2026-03-05T17:00'), dueAt: api('2026-03-04T08:00'), late: true, version: before.version + 1 });
    expect(d.events.at(-1)).toMatchObject({
      type: 'apology_issued',
      actor: 'Nguyễn Văn lanhdao_dat',
      letterId: id,
      number: '01/XL',
      reason: 'Chờ kết quả đo đạc địa chính',
    });
    expect(new Date(d.events.at(-1).newAppointmentAt)).toEqual(vn('2026-03-05T17:00'));
    expect(new Date(d.events.at(-1).previousAppointmentAt)).toEqual(vn('2026-03-04T08:00'));
  });

  it('when the next letter of the agency is issued, then it is 02/XL', async () => {
    const res = await issue(landHead, (await letterOf(codes.soon)).id, { reason: 'Chờ ý kiến của Chi cục Thuế', newAppointmentAt: api('2026-03-06T17:00') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.number).toBe('02/XL');
  });

  it('when the deadline of a re-appointed dossier passes, then it is late in the dossier and in the late list although the appointment is later', async () => {
    harness.clock.set(vn('2026-03-05T14:00')); // after due Thu 09:00, before the new appointment Fri 17:00
    const d = await dossierJson(codes.soon);
    expect(d).toMatchObject({ late: true, appointmentAt: api('2026-03-06T17:00'), dueAt: api('2026-03-05T09:00') });
    const list = await request(app()).get('/api/v1/dossiers?late=true&status=open&pageSize=100').set(bearer(landHead));
    expect(list.body.items.map((x: { code: string }) => x.code)).toContain(codes.soon);
  });

  it('when an issued letter is issued again, then 409; with the head\'s override reason, a second letter moves the appointment again', async () => {
    harness.clock.set(vn('2026-03-05T15:00'));
    const first = await letterOf(codes.late);
    let res = await issue(landHead, first.id, { reason: 'Vẫn chờ đo đạc', newAppointmentAt: api('2026-03-10T17:00') });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_issued');
    expect((await dossierJson(codes.late)).appointmentAt).toBe(api('2026-03-05T17:00'));

    res = await issue(landHead, first.id, {
      reason: 'Vẫn chờ đo đạc',
      newAppointmentAt: api('2026-03-10T17:00'),
      overrideReason: 'Đơn vị đo đạc báo chậm do mưa lớn',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ number: '03/XL', seq: 2, status: 'issued', overrideReason: 'Đơn vị đo đạc báo chậm do mưa lớn' });
    expect(res.body.id).not.toBe(first.id);
    const d = await dossierJson(codes.late);
    expect(d.appointmentAt).toBe(api('2026-03-10T17:00'));
    expect(d.events.filter((e: { type: string }) => e.type === 'apology_issued')).toHaveLength(2);
  });

  it('when the dossier has finished, then its draft cannot be issued (409) and the next sweep cancels it', async () => {
    const code = (await receive(LAND, '2026-03-02T08:00', landClerk, 'Phạm Minh Tâm')).code; // due Thu 05/03 08:00
    expect(await sweep('2026-03-05T15:10')).toBe(1);
    await act('2026-03-05T15:20', landClerk, code, { action: 'resolve', outcome: 'approved' });
    harness.clock.set(vn('2026-03-05T15:30'));
    const { id } = await letterOf(code);
    const res = await issue(landHead, id, { reason: 'Chậm', newAppointmentAt: api('2026-03-09T17:00') });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('dossier_finished');
    expect(res.body.error.message).toContain('đã kết thúc');
    expect(await sweep('2026-03-05T15:40')).toBe(0);
    expect((await letterOf(code)).status).toBe('cancelled');
  });

  it('when a head of another agency asks for the letter, then 404', async () => {
    const { id } = await letterOf(codes.late);
    expect((await issue(wardHead, id, { reason: 'x', newAppointmentAt: api('2026-03-20T17:00') })).status).toBe(404);
    expect((await request(app()).get(`/api/v1/letters/${id}`).set(bearer(wardHead))).status).toBe(404);
  });

  it('when letters are listed, then drafts and issued ones come apart in the JSON shape of SPEC §7', async () => {
    const issued = await request(app()).get('/api/v1/letters?status=issued').set(bearer(landHead));
    expect(issued.status).toBe(200);
    expect(issued.body.items.map((l: { number: string }) => l.number)).toEqual(['03/XL', '02/XL', '01/XL']);
    expect(Object.keys(issued.body.items[0])).toEqual(expect.arrayContaining(['id', 'dossierCode', 'status', 'number', 'reason', 'newAppointmentAt', 'issuedAt']));
    const drafts = await request(app()).get('/api/v1/letters?status=draft').set(bearer(landHead));
    expect(drafts.body.items.every((l: { status: string; number: null }) => l.status === 'draft' && l.number === null)).toBe(true);
    expect(drafts.body.total).toBe(4);
    expect((await request(app()).get('/api/v1/letters?status=nothing').set(bearer(landHead))).status).toBe(422);
  });

  it("when the head opens the queue on any tab, then every tab shows its own list's count", async () => {
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    // Counted here from the tables: the queue's drafts are those of dossiers still open; issued and cancelled
    // letters, all of the desk's.
    const count = async (status: string, openOnly: boolean) => {
      const q = t.db('letters as l').join('dossiers as d', 'd.id', 'l.dossier_id').where('l.status', status);
      q.where((w) => w.where('d.agency_code', AGENCIES.land.code).orWhere('d.received_agency_code', AGENCIES.land.code));
      if (openOnly) q.whereIn('d.status', ['processing', 'awaiting_supplement', 'paused']);
      return Number((await q.count({ n: '*' }).first())?.n);
    };
    const expected = [await count('draft', true), await count('issued', false), await count('cancelled', false)];
    expect(expected[0]).toBeGreaterThan(0);
    expect(expected[1]).toBe(3);
    for (const tab of ['draft', 'issued', 'cancelled']) {
      const page = await agent.get(`/thu-xin-loi?status=${tab}`);
      expect(page.status).toBe(200);
      const badges = [...page.text.matchAll(/(Chờ phát hành|Đã phát hành|Đã hủy) <span class="badge">(\d+)<\/span>/g)].map((m) => Number(m[2]));
      expect(badges, tab).toEqual(expected);
    }
  });

  it('when the head opens the queue, then its table sits in a frame that scrolls sideways at 200 % zoom (the page under the menu does not) and a missing reason reads on one line', async () => {
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const page = await agent.get('/thu-xin-loi');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<div class="list-scroll">\s*<table class="data letters">[\s\S]*<\/table>\s*<\/div>/);
    // A draft's missing reason is one short line, not four ('—', 'chưa', 'nhập', '—' at 1024 px).
    expect(page.text).toContain('<span class="muted nowrap">— chưa nhập —</span>');
  });
});

describe('numbering under concurrent issuing', () => {
  it('when ten letters of one agency are issued at the same moment, then they get 01/XL … 10/XL, each once', async () => {
    const wardCodes = [];
    for (let i = 0; i < 10; i++) wardCodes.push((await receive(HOURS, `2026-03-09T0${7 + (i % 3)}:${String(30 + i).padStart(2, '0')}`, wardClerk, `Công dân ${i}`)).code);
    expect(await sweep('2026-03-10T10:00')).toBe(11); // and the land dossier that was on time on 04/03
    harness.clock.set(vn('2026-03-10T10:00'));
    const ids = await Promise.all(wardCodes.map(async (c) => (await letterOf(c)).id as number));
    const answers = await Promise.all(ids.map((id) => issue(wardHead, id, { reason: 'Thiếu người ký', newAppointmentAt: api('2026-03-11T17:00') })));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const numbers = answers.map((r) => r.body.number as string);
    expect(new Set(numbers).size).toBe(10);
    expect(numbers.map((n) => Number(n.split('/')[0])).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(numbers.every((n) => n.endsWith('/XL'))).toBe(true);
    const counter = await t.db('letter_numbers').where({ agency_code: AGENCIES.ward.code, year: 2026 }).first();
    expect(counter.last).toBe(10);
  });

  it('when two heads issue the same draft at once, then one wins and the dossier gets one new appointment', async () => {
    const code = (await receive(HOURS, '2026-03-10T08:00', wardClerk, 'Đỗ Thị Mỹ Duyên')).code;
    await sweep('2026-03-10T10:05');
    await addUser(t.db, 'lanhdao_phuong2', 'head', AGENCIES.ward.code).then(async (second) => {
      harness.clock.set(vn('2026-03-10T10:05'));
      const { id } = await letterOf(code);
      const answers = await Promise.all([
        issue(wardHead, id, { reason: 'A', newAppointmentAt: api('2026-03-11T17:00') }),
        issue(second, id, { reason: 'B', newAppointmentAt: api('2026-03-12T17:00') }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const events = (await dossierJson(code, wardHead)).events.filter((e: { type: string }) => e.type === 'apology_issued');
      expect(events).toHaveLength(1);
      expect((await letterOf(code)).number).toBe('11/XL');
      expect((await t.db('letter_numbers').where({ agency_code: AGENCIES.ward.code }).first()).last).toBe(11);
    });
  });
});

describe("the dossier page's rows", () => {
  it('when they are read for the page (one statement on PostgreSQL), then they are the dossier, its events and its letters as read one by one', async () => {
    const [most] = (await t.db('letters').select('dossier_id').count({ n: '*' }).groupBy('dossier_id').orderBy([{ column: 'n', order: 'desc' }, { column: 'dossier_id' }]).limit(1)) as unknown as { dossier_id: number }[];
    const { code } = await t.db('dossiers').where({ id: most.dossier_id }).first('code');
    const user = { id: admin.id, username: admin.username, fullName: 'Quản trị', role: admin.role, agencyCode: null, active: true };
    const { dossiers } = harness.app.locals.services;
    const page = await dossiers.page(code, user);
    const row = await dossiers.get(code, user);
    expect(page.row).toEqual(row);
    expect(page.events).toEqual(await listEvents(t.db, row.id));
    expect(page.letters).toEqual(await lettersOfDossier(t.db, row.id));
    expect(page.letters.length).toBeGreaterThanOrEqual(2);
    expect(page.events.map((e) => e.type)).toContain('apology_issued');
    // Another desk's head is told it does not exist, as by get().
    const other = { id: otherHead.id, username: otherHead.username, fullName: 'Khác', role: otherHead.role, agencyCode: otherHead.agencyCode, active: true };
    await expect(dossiers.page(code, other)).rejects.toMatchObject({ status: 404 });
    await expect(dossiers.page('KHONG-CO', user)).rejects.toMatchObject({ status: 404 });
  });
});

describe('the pages of a letter', () => {
  it('when the head prints an issued letter, then it has the administrative layout and every fact of the letter', async () => {
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const { id } = await letterOf(codes.late);
    const res = await agent.get(`/thu-xin-loi/${id}/in`);
    expect(res.status).toBe(200);
    const text = res.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text.toLowerCase()).toContain('cộng hòa xã hội chủ nghĩa việt nam');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain('Số: 01/XL');
    expect(text).toContain('Cần Thơ, ngày 04 tháng 3 năm 2026');
    expect(text).toContain('Kính gửi: Ông/Bà Trần Thị Bích');
    expect(text).toContain('Trần Thị Bích');
    expect(text).toContain(codes.late);
    expect(text).toContain('Đăng ký đất đai lần đầu');
    expect(text).toContain('Lý do: Chờ kết quả đo đạc địa chính');
    expect(text).toContain('17 giờ 00 phút, ngày 05 tháng 3 năm 2026');
    expect(text).toContain('Nơi nhận:');
    expect(text).toContain('Như trên;');
    expect(text).toContain('Giám đốc'); // upper case through the print style
    expect(text).toContain('Nguyễn Văn lanhdao_dat');
    expect(text).not.toContain('Dự thảo');
    expect(res.text).toContain('class="form-page size-a4"');
  });

  it('when a draft is printed on A5, then it says "Dự thảo" and leaves the number blank', async () => {
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const draft = (await request(app()).get('/api/v1/letters?status=draft').set(bearer(landHead))).body.items[0];
    const res = await agent.get(`/thu-xin-loi/${draft.id}/in?size=a5`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('class="form-page size-a5"');
    expect(res.text).toContain('Dự thảo');
    expect(res.text).toContain('Số: ……/XL');
  });

  it('when the head fills the reason on the page and issues, then the dossier page links the letter', async () => {
    const code = (await receive(LAND, '2026-03-10T08:00', landClerk, 'Công ty TNHH Xây dựng Phú Lợi')).code; // due Fri 13/03 08:00
    expect(await sweep('2026-03-12T09:00')).toBe(1);
    harness.clock.set(vn('2026-03-12T09:30'));
    const { id } = await letterOf(code);
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    let page = await agent.get(`/thu-xin-loi/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="Công ty TNHH Xây dựng Phú Lợi"');
    // The page opens in the reason, what the head writes.
    expect(page.text).toMatch(/<textarea id="f-reason" name="reason" rows="3" maxlength="2000" required autofocus >/);
    const csrf = csrfFrom(page.text);
    const form = { _csrf: csrf, version: '1', addresseeName: 'Công ty TNHH Xây dựng Phú Lợi', addresseeAddress: '', reason: '', newAppointmentDate: '2026-03-16', newAppointmentTime: '17:00', signerTitle: 'Giám đốc', signerName: 'Lê Văn Thành' };

    // issuing without a reason re-renders the form with the error and keeps what was typed
    let res = await agent.post(`/thu-xin-loi/${id}`).type('form').send({ ...form, op: 'issue' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Nhập lý do chậm trễ');
    expect(res.text).toContain('value="Lê Văn Thành"');

    res = await agent.post(`/thu-xin-loi/${id}`).type('form').send({ ...form, reason: 'Chờ ý kiến Sở Xây dựng', op: 'save' });
    expect(res.status).toBe(303);
    expect((await letterOf(code)).reason).toBe('Chờ ý kiến Sở Xây dựng');

    // a stale version (the page before the save) is refused
    res = await agent.post(`/thu-xin-loi/${id}`).type('form').send({ ...form, reason: 'Khác', op: 'issue' });
    expect(res.status).toBe(409);

    res = await agent.post(`/thu-xin-loi/${id}`).type('form').send({ ...form, version: '2', reason: 'Chờ ý kiến Sở Xây dựng', op: 'issue' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/thu-xin-loi/${id}?ok=issued`);
    const letter = await letterOf(code);
    expect(letter).toMatchObject({ status: 'issued', number: '04/XL', signer_name: 'Lê Văn Thành', signer_title: 'Giám đốc' });
    expect(letter.body).toContain('của Quý tổ chức đúng thời hạn');

    page = await agent.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(page.text).toContain(`href="/thu-xin-loi/${id}"`);
    expect(page.text).toContain('Số 04/XL');
  });

  it('when a clerk opens a letter, then it is read-only, and the queue and the dashboard are for heads', async () => {
    const { agent } = await loginAgent(app(), 'canbo_dat');
    const { id } = await letterOf(codes.late);
    const page = await agent.get(`/thu-xin-loi/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="op"');
    expect((await agent.get('/thu-xin-loi')).status).toBe(403);
    expect((await agent.get('/theo-doi')).status).toBe(403);
  });

  it("when an admin changes the agency's template, then the next letter uses its series and wording; an unknown placeholder is refused", async () => {
    const { agent } = await loginAgent(app(), 'quantri');
    const page = await agent.get(`/thu-xin-loi/mau?agency=${encodeURIComponent(AGENCIES.land.code)}`);
    expect(page.status).toBe(200);
    // A tab of "Mẫu phiếu" among the admin's sections, its sibling tabs keeping the agency chosen.
    expect(page.text).toContain('<a href="/quan-tri/mau-phieu" aria-current="page" class="active">Mẫu phiếu</a>');
    expect(page.text).toContain(`<a href="/quan-tri/mau-phieu?form=supplement&amp;agency=${encodeURIComponent(AGENCIES.land.code)}">`);
    expect(page.text).toContain(`<a href="/thu-xin-loi/mau?agency=${encodeURIComponent(AGENCIES.land.code)}" class="active" aria-current="page">Văn bản xin lỗi</a>`);
    expect(page.text).toContain('maxlength="6000"');
    const csrf = csrfFrom(page.text);
    let res = await agent.post('/thu-xin-loi/mau').type('form').send({ _csrf: csrf, agency: AGENCIES.land.code, op: 'save', body: 'Hồ sơ {{ma_ho_so}} {{ngay_hen}}' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('{{ngay_hen}}');
    // Every problem at once: a suffix too long and an unknown placeholder came one round after the other.
    res = await agent.post('/thu-xin-loi/mau').type('form').send({ _csrf: csrf, agency: AGENCIES.land.code, op: 'save', numberSuffix: 'X'.repeat(41), body: 'Hồ sơ {{ngay_hen}}' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Không có trường thay thế: {{ngay_hen}}.');
    expect(res.text).toContain('id="numberSuffix-error"');
    expect(res.text).toContain('aria-describedby="body-error"');
    expect(res.text).toContain('<p class="field-error" id="body-error">Không có trường thay thế: {{ngay_hen}}.</p>');
    res = await agent
      .post('/thu-xin-loi/mau')
      .type('form')
      .send({ _csrf: csrf, agency: AGENCIES.land.code, op: 'save', numberSuffix: 'XL-NNMT', sms: 'Ho so {{ma_ho_so}}: hen tra moi {{hen_moi_ngan}}' });
    expect(res.status).toBe(303);

    const code = (await receive(LAND, '2026-03-11T08:00', landClerk, 'Võ Minh Khôi')).code; // due Mon 16/03 08:00
    await sweep('2026-03-13T09:00');
    harness.clock.set(vn('2026-03-13T09:10'));
    const answer = await issue(landHead, (await letterOf(code)).id, { reason: 'Chờ thẩm tra', newAppointmentAt: api('2026-03-17T17:00') });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ number: '05/XL-NNMT', smsText: `Ho so ${code}: hen tra moi 17:00 17/03/2026` });
    expect((await letterOf(code)).body).toContain('Chờ thẩm tra'); // the body fell back to the circular's wording
  });
});

describe("the head's dashboard", () => {
  // Phường Cái Khế, April 2026; the dashboard is read on Wed 15/04/2026 at 15:00.
  const c: Record<string, string> = {};
  let html = '';

  beforeAll(async () => {
    c.march = (await receive(HOURS, '2026-03-27T08:00', otherClerk, 'Tháng Ba')).code; // due 27/03 14:00: late, but March
    c.resolvedLate = (await receive(HOURS, '2026-04-01T08:00', otherClerk, 'Xong trễ')).code; // due 01/04 14:00
    await act('2026-04-02T09:00', otherClerk, c.resolvedLate, { action: 'resolve', outcome: 'approved' });
    c.covered = (await receive(HOURS, '2026-04-02T08:00', otherClerk, 'Có thư')).code; // due 02/04 14:00
    expect(await sweep('2026-04-02T15:00')).toBe(2); // covered and march
    harness.clock.set(vn('2026-04-02T15:10'));
    const res = await issue(otherHead, (await letterOf(c.covered)).id, { reason: 'Thiếu người ký', newAppointmentAt: api('2026-04-03T17:00') });
    expect(res.status).toBe(200);
    c.draftOnly = (await receive(HOURS, '2026-04-06T08:00', otherClerk, 'Chỉ nháp')).code; // due 06/04 14:00
    c.dueToday = (await receive(HOURS, '2026-04-15T08:00', otherClerk, 'Hạn hôm nay')).code; // due 15/04 14:00: late at 15:00
    c.dueTomorrow = (await receive(HOURS, '2026-04-15T14:00', otherClerk, 'Hạn mai')).code; // due Thu 16/04 08:30
    c.paused = (await receive(HOURS, '2026-04-15T14:30', otherClerk, 'Tạm dừng')).code; // due 16/04 09:00, then paused
    await act('2026-04-15T14:40', otherClerk, c.paused, { action: 'pause', reason: 'Chờ xác minh' });
    await sweep('2026-04-15T15:00');
    harness.clock.set(vn('2026-04-15T15:00'));
    const { agent } = await loginAgent(app(), 'lanhdao_caikhe');
    const res2 = await agent.get('/theo-doi');
    expect(res2.status).toBe(200);
    html = res2.text;
  });

  const tile = (id: string) => {
    const m = html.match(new RegExp(`href="([^"]+)" id="n-${id}">(?:<span class="num">|<strong>)?([\\d.]+)`));
    if (!m) throw new Error(`no number ${id}`);
    return { href: m[1].replace(/&amp;/g, '&'), n: Number(m[2].replace(/\./g, '')) };
  };

  it('when the month has four late dossiers of which one has an issued letter, then the coverage reads 1 / 4', () => {
    expect(tile('covered').n).toBe(1);
    expect(tile('late-month').n).toBe(4);
    expect(tile('uncovered').n).toBe(3);
    expect(html).toContain('25%');
    expect(tile('late-month').href).toBe('/ho-so?late=1&dueFrom=2026-04-01&dueTo=2026-04-30');
    // Over the open late of every month (March's included, April's resolved late not): 1 of march, covered, draftOnly, dueToday.
    expect(tile('open-covered')).toEqual({ n: 1, href: '/ho-so?late=1&status=open&letter=issued' });
    expect(tile('open-uncovered')).toEqual({ n: 3, href: '/ho-so?late=1&status=open&letter=not_issued' });
  });

  it('when read on Wed 15/04 at 15:00, then due today, due tomorrow, late, due soon and drafts are counted', () => {
    expect(tile('due-today').n).toBe(1);
    expect(tile('due-next').n).toBe(1); // the paused one has no running deadline
    expect(tile('late').n).toBe(4); // march, covered, draftOnly, dueToday
    expect(tile('due-soon').n).toBe(1);
    // march, draftOnly, dueToday; not dueTomorrow: due soon, but 3 of its 4 working hours are left (a draft at half)
    expect(tile('drafts').n).toBe(3);
    expect(html).toContain('ngày mai, Thứ Năm 16/04/2026');
  });

  it('when any number of the dashboard is followed, then its list has exactly that many dossiers', async () => {
    const links = [...html.matchAll(/<a[^>]*href="(\/ho-so\?[^"]+)"[^>]*>\s*(?:<span class="num">|<strong>)?([\d.]+)/g)].map((m) => ({
      href: m[1].replace(/&amp;/g, '&'),
      n: Number(m[2].replace(/\./g, '')),
    }));
    expect(links.length).toBeGreaterThanOrEqual(12);
    for (const { href, n } of links) {
      const res = await request(app()).get(`/api/v1/dossiers?${href.split('?')[1]}&pageSize=1`).set(bearer(otherHead));
      expect(res.status).toBe(200);
      expect(res.body.total, href).toBe(n);
    }
    // and the page behind a link shows the same count in its heading
    const { agent } = await loginAgent(app(), 'lanhdao_caikhe');
    const list = await agent.get(tile('uncovered').href);
    expect(list.text).toMatch(/<small class="muted">\(3\)<\/small>/);
  });

  it("when a desk's dossiers with a draft are counted, then the letters are asked once, not once per way of belonging to the desk", async () => {
    const statements: string[] = [];
    const seen = (q: { sql: string }) => statements.push(q.sql);
    t.db.on('query', seen);
    try {
      const scope = { agencyCode: AGENCIES.otherWard.code, now: vn('2026-04-15T15:00'), dueSoonUntil: vn('2026-04-16T15:00') };
      expect(tile('drafts').n).toBeGreaterThan(0);
      expect(await countDossiers(t.db, listQuerySchema.parse({ status: 'open', letter: 'draft' }), scope)).toBe(tile('drafts').n);
    } finally {
      t.db.removeListener('query', seen);
    }
    expect(statements).toHaveLength(1);
    expect(statements[0].match(/\bletters\b/g)).toHaveLength(1);
  });

  it('when the list is asked for dossiers with an issued letter, a draft or no issued letter, without a deadline, then it finds exactly those', async () => {
    // Without a deadline's range the list starts from the letters (src/dossiers/repository.ts): the same answer.
    const codes = async (query: string) =>
      ((await request(app()).get(`/api/v1/dossiers?${query}&pageSize=500`).set(bearer(otherHead))).body.items as { code: string }[]).map((d) => d.code).sort();
    const mine = (await t.db('dossiers').where('agency_code', AGENCIES.otherWard.code).orWhere('received_agency_code', AGENCIES.otherWard.code).select('id', 'code')) as { id: number; code: string }[];
    const holding = async (status: string) => {
      const ids = new Set((await t.db('letters').where({ status }).pluck('dossier_id')) as number[]);
      return mine.filter((d) => ids.has(d.id)).map((d) => d.code).sort();
    };
    expect(await holding('issued')).toEqual([c.covered]);
    expect(await codes('letter=issued')).toEqual(await holding('issued'));
    expect(await codes('letter=draft')).toEqual(await holding('draft'));
    expect((await holding('draft')).length).toBe(3);
    const issued = new Set(await holding('issued'));
    expect(await codes('letter=not_issued')).toEqual(mine.map((d) => d.code).filter((code) => !issued.has(code)).sort());
  });

  it('when the late dossiers are listed, then the latest-due comes last and each shows its letter', () => {
    const table = html.slice(html.indexOf('id="late-title"'), html.indexOf('id="by-field-title"'));
    const order = [...table.matchAll(/href="\/ho-so\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
    expect(order).toEqual([c.march, c.covered, c.draftOnly, c.dueToday]);
    expect(table).toContain('Số 01/XL');
  });

  it('when half the working hours of the dossier due tomorrow morning are gone (15/04 16:00, 2 of 4 left), then the sweep drafts its letter, not before', async () => {
    expect(await sweep('2026-04-15T15:59')).toBe(0);
    expect(await sweep('2026-04-15T16:00')).toBe(1);
    expect(await letterOf(c.dueTomorrow)).toMatchObject({ status: 'draft', drafted_for: 'due_soon' });
  });
});

describe('the sweep in the server', () => {
  it('when the server starts it, then it drafts at once, and the stop function ends it', async () => {
    const code = (await receive(HOURS, '2026-04-20T08:00', otherClerk, 'Khởi động')).code; // due 20/04 14:00
    harness.clock.set(vn('2026-04-21T08:00'));
    const stop = startLetterSweep(harness.app.locals.ctx, harness.app.locals.services);
    try {
      await vi.waitFor(async () => expect((await letterOf(code))?.status).toBe('draft'), { timeout: 5000, interval: 50 });
    } finally {
      stop();
    }
    expect(await letterCount([code])).toBe(1);
  });
});

describe('an appointment the deadline overtakes', () => {
  it('when a supplement received after the apology gives a new deadline later than the new appointment, then the appointment follows the deadline', async () => {
    const code = (await receive(LAND, '2026-05-04T08:00', landClerk, 'Lê Văn Hẹn')).code; // 3 working days: due Thu 07/05 08:00
    await sweep('2026-05-06T10:00');
    const draft = await letterOf(code);
    expect(draft.status).toBe('draft');
    harness.clock.set(vn('2026-05-06T10:00'));
    const res = await issue(landHead, draft.id, { reason: 'Chờ ý kiến của Sở Xây dựng', newAppointmentAt: api('2026-05-08T17:00') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await act('2026-05-06T10:30', landClerk, code, { action: 'request_supplement', reason: 'Thiếu bản vẽ', items: ['Bản vẽ hiện trạng'] });
    // A restart procedure: 3 whole working days from Fri 08/05 08:00 → Wed 13/05 08:00, past the letter's Fri 08/05 17:00.
    const after = await act('2026-05-08T08:00', landClerk, code, { action: 'receive_supplement' });
    expect(after).toMatchObject({ dueAt: api('2026-05-13T08:00'), appointmentAt: api('2026-05-13T08:00') });
  });
});

describe('a dossier stopped after its deadline', () => {
  it('when it was paused late before any letter, then it is late in its JSON and the sweep drafts its apology', async () => {
    // 4 working hours from Mon 11/05 08:00: due 14:00; paused at 15:00, an hour past it.
    const code = (await receive(HOURS, '2026-05-11T08:00', wardClerk, 'Đặng Văn Dừng')).code;
    await act('2026-05-11T15:00', wardClerk, code, { action: 'pause', reason: 'Chờ nghĩa vụ tài chính' });
    harness.clock.set(vn('2026-05-12T09:00'));
    expect(await dossierJson(code, wardHead)).toMatchObject({ status: 'paused', late: true });
    expect(await letterOf(code)).toBeUndefined();
    await sweep('2026-05-12T09:00');
    expect(await letterOf(code)).toMatchObject({ status: 'draft', drafted_for: 'late' });
    // The queue calls it late too, as the watch page and the late list do (it showed only "Tạm dừng").
    const { agent } = await loginAgent(app(), 'lanhdao_phuong');
    const queue = (await agent.get('/thu-xin-loi')).text;
    const start = queue.indexOf(`<a href="/ho-so/${encodeURIComponent(code)}">`);
    expect(start).toBeGreaterThan(0);
    const row = queue.slice(queue.lastIndexOf('<tr', start), queue.indexOf('</tr>', start));
    expect(row).toContain('<tr class="is-late">');
    expect(row).toContain('14:00 11/05/2026<br><span class="badge late">Quá hạn</span> <span class="badge status-paused">Tạm dừng</span>');
    // The watch page counts the hour it had overrun when paused, not the pause: a week later it is still 0,1 day late.
    harness.clock.set(vn('2026-05-19T09:00'));
    const later = await loginAgent(app(), 'lanhdao_phuong');
    const board = (await later.agent.get('/theo-doi')).text;
    const at = board.indexOf(`<a href="/ho-so/${encodeURIComponent(code)}">`);
    expect(at).toBeGreaterThan(0);
    expect(board.slice(at, board.indexOf('</tr>', at))).toContain('<td class="num nowrap">0,1 ngày LV</td>');
  });

  it('when a due-soon draft\'s dossier waits for papers before its deadline, then the draft cannot be issued; it can once the clock runs again', async () => {
    // 3 working days from Mon 18/05 08:00: due Thu 21/05 08:00; drafted Wed, papers asked for Wed afternoon.
    const code = (await receive(LAND, '2026-05-18T08:00', landClerk, 'Phan Thị Chờ')).code;
    await sweep('2026-05-20T09:00');
    const draft = await letterOf(code);
    expect(draft).toMatchObject({ status: 'draft', drafted_for: 'due_soon' });
    await act('2026-05-20T14:00', landClerk, code, { action: 'request_supplement', reason: 'Thiếu giấy tờ', items: ['Sơ đồ thửa đất'] });
    harness.clock.set(vn('2026-05-20T15:00'));
    const refused = await issue(landHead, draft.id, { reason: 'Chờ bổ sung', newAppointmentAt: api('2026-05-25T17:00') });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('clock_stopped');
    expect(refused.body.error.message).toContain('đang dừng tính thời hạn (chờ bổ sung) và chưa quá hạn');
    expect(await letterOf(code)).toMatchObject({ status: 'draft' });
    // The papers come the next week: a whole new duration, and the draft may be issued (or left).
    await act('2026-05-25T08:00', landClerk, code, { action: 'receive_supplement' });
    harness.clock.set(vn('2026-05-27T09:00'));
    expect((await issue(landHead, draft.id, { reason: 'Hồ sơ phức tạp', newAppointmentAt: api('2026-06-01T17:00') })).status).toBe(200);
  });
});

describe('a draft whose deadline moved away', () => {
  it('when the papers came and the deadline began again, then the due-soon draft is not issued until the dossier is due soon again', async () => {
    // 3 working days from Mon 15/06 08:00: due Thu 18/06 08:00; drafted Wednesday, due soon.
    const code = (await receive(LAND, '2026-06-15T08:00', landClerk, 'Trịnh Văn Lùi')).code;
    await sweep('2026-06-17T09:00');
    const draft = await letterOf(code);
    expect(draft).toMatchObject({ status: 'draft', drafted_for: 'due_soon' });
    await act('2026-06-17T10:00', landClerk, code, { action: 'request_supplement', reason: 'Thiếu giấy tờ', items: ['Bản sao sổ hộ khẩu'] });
    // A restart procedure: 3 whole working days from Wed 17/06 14:00 → Mon 22/06 14:00.
    expect(await act('2026-06-17T14:00', landClerk, code, { action: 'receive_supplement' })).toMatchObject({ dueAt: api('2026-06-22T14:00') });
    harness.clock.set(vn('2026-06-17T15:00'));
    // A day after the new deadline, as a head would pick (one before it is refused anyway): still not owed.
    const refused = await issue(landHead, draft.id, { reason: 'Hồ sơ phức tạp', newAppointmentAt: api('2026-06-23T17:00') });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('not_due');
    expect(refused.body.error.message).toBe(
      `Hồ sơ ${code} có hạn giải quyết 14:00 22/06/2026, còn hơn 1 ngày làm việc: chưa cần văn bản xin lỗi, chưa phát hành. Bản nháp được giữ đến khi hồ sơ sắp đến hạn.`,
    );
    expect(await letterOf(code)).toMatchObject({ status: 'draft', number: null });
    expect((await dossierJson(code, landHead)).appointmentAt).toBe(api('2026-06-22T14:00'));
    // The queue and the letter's page say so.
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const queue = (await agent.get('/thu-xin-loi')).text;
    const at = queue.indexOf(`<a href="/ho-so/${encodeURIComponent(code)}">`);
    expect(at).toBeGreaterThan(0);
    expect(queue.slice(at, queue.indexOf('</tr>', at))).toContain('>Chưa đến hạn</span>');
    expect(queue).toContain('cho mọi hồ sơ quá hạn hoặc sắp đến hạn (trong 1 ngày làm việc)');
    expect((await agent.get(`/thu-xin-loi/${draft.id}`)).text).toContain('id="not-due"');
    // Friday afternoon the new deadline is within a working day: the draft is issued.
    harness.clock.set(vn('2026-06-19T15:00'));
    expect((await issue(landHead, draft.id, { reason: 'Hồ sơ phức tạp', newAppointmentAt: api('2026-06-23T17:00') })).status).toBe(200);
    // Asking for a second appointment without its reason: the box is marked and named by its message, and takes the focus.
    const again = await loginAgent(app(), 'lanhdao_dat');
    const refusedAgain = await again.agent.post(`/thu-xin-loi/${draft.id}/hen-lai`).type('form').send({ _csrf: again.csrf, overrideReason: ' ' });
    expect(refusedAgain.status).toBe(422);
    expect(refusedAgain.text).toMatch(/<textarea id="f-overrideReason"[^>]* aria-invalid="true" aria-describedby="overrideReason-error" autofocus>/);
    expect(refusedAgain.text).toContain('<p class="field-error" id="overrideReason-error">');
  });
});

describe('who signs a letter the receiving desk issues', () => {
  it('when the head of the desk that received a department\'s dossier issues its letter, then the department\'s signer must be named; the letter is signed by that name', async () => {
    // Received by the ward, handled by the land department: 3 working days from Mon 01/06 08:00, due Thu 04/06 08:00.
    const code = (await receive(LAND, '2026-06-01T08:00', wardClerk, 'Võ Văn Ký')).code;
    // The night's sweep before the desk opens on Friday: the citizen gets the letter that day, the result on Monday.
    await sweep('2026-06-05T01:30');
    const draft = await letterOf(code);
    expect(draft).toMatchObject({ status: 'draft', drafted_for: 'late', agency_code: AGENCIES.land.code });
    expect(new Date(draft.proposed_appointment_at)).toEqual(vn('2026-06-08T17:00'));
    expect(draft.proposal_note).toContain('cộng 1 ngày làm việc sau ngày lập dự thảo (01:30 05/06/2026)');
    // A department without a head's account: no signer is known.
    await t.db('letters').where({ id: draft.id }).update({ signer_name: null });

    harness.clock.set(vn('2026-06-05T09:00'));
    const body = { reason: 'Chờ kết quả đo đạc', newAppointmentAt: api('2026-06-08T17:00') };
    let res = await issue(wardHead, draft.id, body);
    expect(res.status).toBe(422);
    expect(res.body.error.fields.signerName).toContain('Ghi họ tên người ký');
    expect(await letterOf(code)).toMatchObject({ status: 'draft', number: null, signer_name: null });
    expect((await issue(admin, draft.id, body)).body.error.fields.signerName).toContain('Ghi họ tên người ký');

    res = await issue(wardHead, draft.id, { ...body, signerTitle: 'KT. Giám đốc – Phó Giám đốc', signerName: 'Trần Văn Sở' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.signer).toEqual({ title: 'KT. Giám đốc – Phó Giám đốc', name: 'Trần Văn Sở' });
  });

  it('when the head of the handling department issues its own letter without a signer, then the head signs it', async () => {
    const code = (await receive(LAND, '2026-06-01T09:00', landClerk, 'Võ Văn Tự Ký')).code;
    await sweep('2026-06-05T01:35');
    const draft = await letterOf(code);
    await t.db('letters').where({ id: draft.id }).update({ signer_name: null });
    harness.clock.set(vn('2026-06-05T09:05'));
    const res = await issue(landHead, draft.id, { reason: 'Chờ kết quả đo đạc', newAppointmentAt: api('2026-06-08T17:00') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.signer.name).toBe('Nguyễn Văn lanhdao_dat');
  });

  it('when an admin names the department\'s signer in its template, then its drafts carry that name and a letter left without one is signed by it', async () => {
    const { agent } = await loginAgent(app(), 'quantri');
    const form = await agent.get(`/thu-xin-loi/mau?agency=${encodeURIComponent(AGENCIES.land.code)}`);
    expect(form.text).toContain('name="signerName"');
    expect((await agent.get('/thu-xin-loi/mau?agency=*')).text).not.toContain('name="signerName"');
    const saved = await agent.post('/thu-xin-loi/mau').type('form').send({ _csrf: csrfFrom(form.text), agency: AGENCIES.land.code, op: 'save', signerName: 'Phạm Thị Giám Đốc' });
    expect(saved.status).toBe(303);

    const code = (await receive(LAND, '2026-06-08T08:00', wardClerk, 'Võ Văn Mẫu')).code; // due Thu 11/06 08:00
    await sweep('2026-06-11T10:00');
    const draft = await letterOf(code);
    // The template's name wins over the head's account: the agency named who signs.
    expect(draft.signer_name).toBe('Phạm Thị Giám Đốc');
    await t.db('letters').where({ id: draft.id }).update({ signer_name: null });
    harness.clock.set(vn('2026-06-11T10:10'));
    const res = await issue(wardHead, draft.id, { reason: 'Chờ kết quả đo đạc', newAppointmentAt: api('2026-06-15T17:00') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.signer.name).toBe('Phạm Thị Giám Đốc');
  });

  it('when a late draft made days ago is opened, then the form proposes the engine\'s date of now, not the old one the clock has caught up with', async () => {
    const code = (await receive(LAND, '2026-06-15T08:00', landClerk, 'Võ Văn Cũ')).code; // due Thu 18/06 08:00
    await sweep('2026-06-18T10:00'); // proposes the close of Fri 19/06
    const draft = await letterOf(code);
    expect(new Date(draft.proposed_appointment_at)).toEqual(vn('2026-06-19T17:00'));
    harness.clock.set(vn('2026-06-19T09:00'));
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const page = await agent.get(`/thu-xin-loi/${draft.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="2026-06-22"');
    expect(page.text).toContain('đã cũ; ô ngày hẹn mới đã điền đề xuất mới của hệ thống');
  });

  it("when the queue lists a late draft made days ago, then it shows the date the draft's page proposes now, not the sweep's date already past", async () => {
    const code = (await receive(LAND, '2026-06-22T08:00', landClerk, 'Đỗ Thị Tuần Trước')).code; // due Thu 25/06 08:00
    await sweep('2026-06-25T10:00'); // proposes the close of Fri 26/06
    const draft = await letterOf(code);
    expect(new Date(draft.new_appointment_at)).toEqual(vn('2026-06-26T17:00'));
    harness.clock.set(vn('2026-06-29T09:00')); // Monday: the proposal has passed
    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const page = await agent.get(`/thu-xin-loi/${draft.id}`);
    expect(page.text).toContain('value="2026-06-30"');
    const queue = (await agent.get('/thu-xin-loi')).text;
    const start = queue.indexOf(`<a href="/ho-so/${encodeURIComponent(code)}">`);
    expect(start).toBeGreaterThan(0);
    const row = queue.slice(start, queue.indexOf('</tr>', start));
    expect(row).toContain('17:00 30/06/2026<br><small class="muted">đề xuất mới (ngày trong dự thảo 17:00 26/06/2026 đã cũ)</small>');
    // A date the head saved that is still ahead stays as saved.
    await t.db('letters').where({ id: draft.id }).update({ new_appointment_at: vn('2026-07-02T10:00').toISOString() });
    const saved = (await agent.get('/thu-xin-loi')).text;
    const at = saved.indexOf(`<a href="/ho-so/${encodeURIComponent(code)}">`);
    const savedRow = saved.slice(at, saved.indexOf('</tr>', at));
    expect(savedRow).toContain('10:00 02/07/2026</td>');
    expect(savedRow).not.toContain('đề xuất mới');
  });
});

describe('APOLOGY_FROM=day_before (the default): the letter can go out the working day before the deadline, as the law asks', () => {
  // Land registration, 3 working days, received at the opening Mon 14/09/2026 07:30 (as every dossier filed outside
  // working hours starts): due Wed 16/09 17:00. The law (Nghị định 61/2018, kept by 118/2025/NĐ-CP; FORMS.md) asks for
  // the apology at the latest one day before the deadline, that is on Tuesday.
  let lawful: ReturnType<typeof makeApp>;
  const issueWith = (h: ReturnType<typeof makeApp>, local: string, id: number) => {
    h.clock.set(vn(local));
    return request(h.app)
      .post(`/api/v1/letters/${id}/issue`)
      .set(bearer(landHead))
      .send({ reason: 'Chờ kết quả đo đạc thửa đất', newAppointmentAt: api('2026-09-18T17:00') });
  };

  beforeAll(() => {
    lawful = makeApp(t.db, vn('2026-09-14T07:30').toISOString());
  });
  afterAll(() => expect(lawful.errors).toEqual([]));

  it("when SPEC's due soon applies (APOLOGY_FROM=due_soon), then no draft exists on Tuesday before 17:00, the close of the day before: the letter could not go out that day", async () => {
    const code = (await receive(LAND, '2026-09-14T07:30', landClerk, 'Phan Văn Mặc Định')).code;
    expect((await dossierJson(code)).dueAt).toBe(api('2026-09-16T17:00'));
    await sweep('2026-09-15T16:55');
    expect(await letterOf(code)).toBeUndefined();
    await sweep('2026-09-15T17:00');
    expect(await letterOf(code)).toMatchObject({ status: 'draft', drafted_for: 'due_soon' });
  });

  it('when day_before applies, then the draft is made at Tuesday 07:30, not on Monday, and the head issues it Tuesday morning; under due_soon that issue waits (409 not_due)', async () => {
    const code = (await receive(LAND, '2026-09-14T07:30', landClerk, 'Phan Thị Đúng Luật')).code; // due Wed 16/09 17:00
    await sweep('2026-09-14T16:00', lawful);
    expect(await letterOf(code)).toBeUndefined();
    await sweep('2026-09-15T07:30', lawful);
    const draft = await letterOf(code);
    expect(draft).toMatchObject({ status: 'draft', drafted_for: 'due_soon' });

    const waits = await issueWith(harness, '2026-09-15T09:00', draft.id);
    expect(waits.status).toBe(409);
    expect(waits.body.error.code).toBe('not_due');
    expect(waits.body.error.message).toContain('còn hơn 1 ngày làm việc');

    // Monday, not owed yet: a reason for an exception does not pass it under the law's one appointment.
    lawful.clock.set(vn('2026-09-14T16:00'));
    const early = await request(lawful.app)
      .post(`/api/v1/letters/${draft.id}/issue`)
      .set(bearer(landHead))
      .send({ reason: 'Chờ đo đạc', newAppointmentAt: api('2026-09-18T17:00'), overrideReason: 'Báo trước cho công dân' });
    expect([early.status, early.body.error?.code]).toEqual([409, 'not_due']);

    const issued = await issueWith(lawful, '2026-09-15T09:00', draft.id);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ status: 'issued', newAppointmentAt: api('2026-09-18T17:00') });
    expect((await dossierJson(code)).appointmentAt).toBe(api('2026-09-18T17:00'));
  });

  it('when the new appointment has passed too, then the law allows no second one (REAPPOINTMENTS=once, the default): the API, the form and the page say so, and nothing is written', async () => {
    const code = (await receive(LAND, '2026-09-14T07:30', landClerk, 'Phan Văn Hẹn Một Lần')).code; // due Wed 16/09 17:00
    await sweep('2026-09-15T07:30', lawful);
    const first = await letterOf(code);
    expect((await issueWith(lawful, '2026-09-15T09:00', first.id)).status).toBe(200);
    const { number } = await letterOf(code);
    lawful.clock.set(vn('2026-09-21T09:00')); // after the new appointment, Fri 18/09 17:00
    const again = await request(lawful.app)
      .post(`/api/v1/letters/${first.id}/issue`)
      .set(bearer(landHead))
      .send({ reason: 'Vẫn chờ đo đạc', newAppointmentAt: api('2026-09-25T17:00'), overrideReason: 'Đơn vị đo đạc báo chậm' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'reappointed_once',
      message: `Hồ sơ ${code} đã được hẹn lại ngày trả kết quả bằng văn bản số ${number}: pháp luật chỉ cho hẹn lại một lần, không hẹn lại lần nữa. Hồ sơ vẫn được theo dõi là quá hạn.`,
    });
    // Without a reason, the refusal does not send the head to an exception the law does not have.
    const plain = await request(lawful.app).post(`/api/v1/letters/${first.id}/issue`).set(bearer(landHead)).send({ reason: 'Vẫn chờ', newAppointmentAt: api('2026-09-25T17:00') });
    expect(plain.status).toBe(409);
    expect(plain.body.error.message).toContain('pháp luật không cho hẹn lại lần thứ hai');
    expect(plain.body.error.message).not.toContain('ngoại lệ');
    const { agent, csrf } = await loginAgent(lawful.app, 'lanhdao_dat');
    // The queue says from when drafts are made, as the law asks.
    expect((await agent.get('/thu-xin-loi')).text).toContain('có hạn giải quyết đến hết ngày làm việc kế tiếp (văn bản xin lỗi gửi chậm nhất một ngày trước ngày hết hạn)');
    const page = (await agent.get(`/thu-xin-loi/${first.id}`)).text;
    expect(page).toContain('id="reappointed-once"');
    expect(page).not.toContain('name="overrideReason"');
    const form = await agent.post(`/thu-xin-loi/${first.id}/hen-lai`).type('form').send({ _csrf: csrf, overrideReason: 'Đơn vị đo đạc báo chậm' });
    expect(form.status).toBe(409);
    expect(form.text).toContain('pháp luật chỉ cho hẹn lại một lần');
    expect(await lettersOfDossier(t.db, (await t.db('dossiers').where({ code }).first('id')).id)).toHaveLength(1);
    expect((await dossierJson(code)).appointmentAt).toBe(api('2026-09-18T17:00'));
  });

  it("when a letter goes out on its deadline's day, then the watch page counts it late among the month's letters, and each number lists its letters", async () => {
    const code = (await receive(LAND, '2026-09-14T07:30', landClerk, 'Phan Văn Gửi Muộn')).code; // due Wed 16/09 17:00
    await sweep('2026-09-15T07:30', lawful);
    const { agent } = await loginAgent(lawful.app, 'lanhdao_dat');
    const draft = await letterOf(code);
    // Tuesday the draft may still go out in time; on Wednesday, the deadline's day, its page says it is late to send.
    lawful.clock.set(vn('2026-09-15T16:00'));
    expect((await agent.get(`/thu-xin-loi/${draft.id}`)).text).not.toContain('id="send-late"');
    lawful.clock.set(vn('2026-09-16T08:00'));
    expect((await agent.get(`/thu-xin-loi/${draft.id}`)).text).toContain('id="send-late"');
    expect((await issueWith(lawful, '2026-09-16T10:00', draft.id)).status).toBe(200);
    lawful.clock.set(vn('2026-09-21T09:00'));
    expect((await agent.get(`/thu-xin-loi/${draft.id}`)).text).toContain('id="sent-late"');
    const watch = (await agent.get('/theo-doi')).text;
    const number = (id: string) => new RegExp(`<a href="([^"]*)" id="${id}"><strong>([\\d.]+)</strong>`).exec(watch)!;
    // The two letters of this section issued Tuesday 15/09 for Wednesday's deadline, and this one.
    expect([number('n-issued-month')[2], number('n-issued-in-time')[2], number('n-issued-late')[2]]).toEqual(['3', '2', '1']);
    const codesOf = (html: string) => [...html.matchAll(/<td class="code"><a href="\/ho-so\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    const late = await agent.get(number('n-issued-late')[1].replaceAll('&amp;', '&'));
    expect(codesOf(late.text)).toEqual([code]);
    expect(late.text.match(/>Gửi muộn<\/span>/g)).toHaveLength(1);
    expect(late.text).toContain('<title>Thư xin lỗi, hẹn lại ngày trả kết quả: đã phát hành, từ 01/09/2026, đến 30/09/2026, gửi muộn (trong hoặc sau ngày hết hạn)');
    const inTime = await agent.get(number('n-issued-in-time')[1].replaceAll('&amp;', '&'));
    expect(codesOf(inTime.text)).toHaveLength(2);
    expect(codesOf(inTime.text)).not.toContain(code);
    expect(inTime.text).not.toContain('>Gửi muộn</span>');
    const onTime = await letterOf(codesOf(inTime.text)[0]);
    expect((await agent.get(`/thu-xin-loi/${onTime.id}`)).text).not.toContain('id="sent-late"');
  });
});

describe('a further letter (REAPPOINTMENTS=override) is judged against the appointment it moves', () => {
  it('when a head sends a further letter the day before the appointment the first one set, then the watch page and the queue count it in time, not against the deadline long past', async () => {
    const code = (await receive(LAND, '2026-10-05T07:30', landClerk, 'Phan Văn Hẹn Lại')).code;
    expect((await dossierJson(code)).dueAt).toBe(api('2026-10-07T17:00')); // Wed
    await sweep('2026-10-06T17:00');
    const first = await letterOf(code);
    harness.clock.set(vn('2026-10-06T17:30')); // Tue, the day before the deadline
    expect((await issue(landHead, first.id, { reason: 'Chờ đo đạc', newAppointmentAt: api('2026-10-12T17:00') })).status).toBe(200);
    // Fri 09/10, the working day before Monday's appointment, long after Wednesday's deadline.
    harness.clock.set(vn('2026-10-09T09:00'));
    const further = await issue(landHead, first.id, { reason: 'Vẫn chờ đo đạc', newAppointmentAt: api('2026-10-16T17:00'), overrideReason: 'Đơn vị đo đạc báo chậm' });
    expect(further.status, JSON.stringify(further.body)).toBe(200);
    expect(further.body).toMatchObject({ seq: 2, status: 'issued' });
    expect((await letterOf(code, 2)).original_appointment_at).toBe(vn('2026-10-12T17:00').toISOString());

    const { agent } = await loginAgent(app(), 'lanhdao_dat');
    const watch = (await agent.get('/theo-doi')).text;
    const number = (id: string) => new RegExp(`<a href="([^"]*)" id="${id}"><strong>([\\d.]+)</strong>`).exec(watch)!;
    expect([number('n-issued-month')[2], number('n-issued-in-time')[2], number('n-issued-late')[2]]).toEqual(['2', '2', '0']);
    const issued = await agent.get('/thu-xin-loi?status=issued&from=2026-10-01&to=2026-10-31');
    expect(issued.text.match(new RegExp(`>${code.replaceAll('.', '\\.')}<`, 'g'))).toHaveLength(2);
    expect(issued.text).not.toContain('>Gửi muộn</span>');

    // The same further letter sent on Monday, the appointment's own day, is late.
    await t.db('letters').where({ id: further.body.id }).update({ issued_at: vn('2026-10-12T08:00').toISOString() });
    const after = (await agent.get('/theo-doi')).text;
    expect(new RegExp('id="n-issued-late"><strong>1</strong>').test(after)).toBe(true);
    const late = await agent.get('/thu-xin-loi?status=issued&from=2026-10-01&to=2026-10-31&timing=late');
    expect(late.text.match(/>Gửi muộn<\/span>/g)).toHaveLength(1);
  });
});

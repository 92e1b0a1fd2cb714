import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';

// Fri 13/02/2026 10:00 in Vietnam; Tết (Mon 16 – Fri 20/02/2026) is off in the test calendar.
const FRI_10 = '2026-02-13T03:00:00.000Z';
const LAND_PROCEDURE = '1.012756'; // 3 working days, land department
const LAND_PROCEDURE_NAME = 'Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý';

const APPLICANT = {
  name: 'Nguyễn Thị Hoa',
  idNumber: '092190001234',
  phone: '0912345678',
  email: 'hoa@example.vn',
  address: '12 Hòa Bình, phường Ninh Kiều',
};
const SECOND = { name: 'Trương Văn Khải', idNumber: '092088776655', phone: '0987001122', email: 'khai@example.vn', address: '7 Mậu Thân, phường An Hòa' };
const PERSONAL = [...Object.values(APPLICANT), ...Object.values(SECOND), 'Hòa Bình', 'Mậu Thân'];

interface Setup {
  t: TestDb;
  clerk: TestUser;
  harness: ReturnType<typeof makeApp>;
  plain: string; // a dossier being processed
  apologised: string; // a dossier with an issued apology letter
}

async function setup(): Promise<Setup> {
  const t = await createTestDb();
  await seedSmallCatalog(t.db);
  const clerk = await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code);
  const harness = makeApp(t.db, FRI_10);
  const receive = async (applicant: object) => {
    const res = await request(harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ procedureCode: LAND_PROCEDURE, channel: 'in_person', applicant });
    expect(res.status).toBe(201);
    return res.body.code as string;
  };
  const plain = await receive(APPLICANT);
  const apologised = await receive(SECOND);
  // The letters module records an issued apology as this event; the look-up relies on nothing else.
  const row = await t.db('dossiers').where({ code: apologised }).first();
  await t.db('dossier_events').insert({
    dossier_id: row.id,
    type: 'apology_issued',
    at: '2026-02-13T04:00:00.000Z',
    actor_id: null,
    actor_name: 'Lãnh đạo',
    data: JSON.stringify({ newAppointmentAt: '2026-02-27T03:00:00.000Z' }),
    recorded_at: '2026-02-13T04:00:00.000Z',
  });
  await t.db('dossiers').where({ id: row.id }).update({ appointment_at: '2026-02-27T03:00:00.000Z' });
  return { t, clerk, harness, plain, apologised };
}

function expectNoPersonalData(text: string) {
  for (const value of PERSONAL) expect(text, `"${value}" must not appear`).not.toContain(value);
}

describe('the public look-up /tra-cuu and GET /api/v1/public/dossiers/:code', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.destroy());

  it('when anyone opens /tra-cuu without logging in, then the form asks for the dossier code', async () => {
    const res = await request(s.harness.app).get('/tra-cuu');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Tra cứu tình trạng hồ sơ');
    expect(res.text).toContain('name="ma"');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when the form is sent with a code, then it goes to the page the receipt QR code opens', async () => {
    const res = await request(s.harness.app).get(`/tra-cuu?ma=${encodeURIComponent(` ${s.plain} `)}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/tra-cuu/${encodeURIComponent(s.plain)}`);
  });

  it('when the form gets the QR address a scanner types, or the code in lower case, then the dossier is found all the same', async () => {
    const scanned = await request(s.harness.app).get(`/tra-cuu?ma=${encodeURIComponent(`http://127.0.0.1:3000/tra-cuu/${encodeURIComponent(s.plain)}`)}`);
    expect(scanned.status).toBe(303);
    expect(scanned.headers.location).toBe(`/tra-cuu/${encodeURIComponent(s.plain)}`);
    const lower = await request(s.harness.app).get(`/tra-cuu/${encodeURIComponent(s.plain.toLowerCase())}`);
    expect(lower.status).toBe(200);
    expect(lower.text).toContain(LAND_PROCEDURE_NAME);
    const json = await request(s.harness.app).get(`/api/v1/public/dossiers/${encodeURIComponent(s.plain.toLowerCase())}`);
    expect(json.status).toBe(200);
    expect(json.body.code).toBe(s.plain);
  });

  it('when the code is typed with spaces, a dash missing, long dashes or commas, then page, form and API find the dossier', async () => {
    const [agency, day, number] = s.plain.split(/-(?=\d{6}-|\d{4}$)/);
    expect(`${agency}-${day}-${number}`).toBe(s.plain);
    const typings = [
      `${agency} - ${day} - ${number}`,
      `${agency} ${day} ${number}`,
      `${agency}${day}${number}`.toLowerCase(),
      `${agency}–${day}–${number}`,
      `${agency.replace(/\./g, ',')}-${day}-${number}`,
    ];
    for (const typed of typings) {
      const page = await request(s.harness.app).get(`/tra-cuu/${encodeURIComponent(typed)}`);
      expect(page.status, typed).toBe(200);
      expect(page.text).toContain(LAND_PROCEDURE_NAME);
      const api = await request(s.harness.app).get(`/api/v1/public/dossiers/${encodeURIComponent(typed)}`);
      expect(api.status, typed).toBe(200);
      expect(api.body.code).toBe(s.plain);
      const form = await request(s.harness.app).get(`/tra-cuu?ma=${encodeURIComponent(typed)}`);
      expect(form.headers.location, typed).toBe(`/tra-cuu/${encodeURIComponent(typed === typings[2] ? s.plain.toLowerCase() : s.plain)}`);
    }
    s.harness.clock.advance(61_000); // past the look-up limit of the minute
  });

  it('when a known code is looked up, then the page shows procedure, status in plain words, receipt and appointment — and no personal data', async () => {
    const res = await request(s.harness.app).get(`/tra-cuu/${s.plain}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(s.plain);
    expect(res.text).toContain(LAND_PROCEDURE_NAME);
    expect(res.text).toContain(AGENCIES.land.name);
    expect(res.text).toContain('Đang giải quyết');
    expect(res.text).toContain('Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết.');
    expect(res.text).toContain('13/02/2026');
    expect(res.text).toContain('10:00 ngày 25/02/2026'); // 3 working days after Fri 13/02 10:00, Tết skipped
    expect(res.text).not.toContain('văn bản xin lỗi');
    expect(res.headers['cache-control']).toBe('no-store');
    expectNoPersonalData(res.text);
  });

  it('when a known code is asked of the API, then it answers exactly the public fields', async () => {
    const res = await request(s.harness.app).get(`/api/v1/public/dossiers/${s.plain}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: s.plain,
      procedureCode: LAND_PROCEDURE,
      procedureName: LAND_PROCEDURE_NAME,
      agencyName: AGENCIES.land.name,
      deskName: AGENCIES.land.name,
      status: 'processing',
      statusName: 'Đang giải quyết',
      statusText: 'Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết.',
      receivedAt: '2026-02-13T10:00:00+07:00',
      appointmentAt: '2026-02-25T10:00:00+07:00',
      apologyIssued: false,
    });
    expectNoPersonalData(res.text);
  });

  it('when an apology letter was issued, then page and API say so and show the new appointment', async () => {
    const page = await request(s.harness.app).get(`/tra-cuu/${s.apologised}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('văn bản xin lỗi và hẹn lại ngày trả kết quả');
    expect(page.text).toContain('10:00 ngày 27/02/2026');
    expectNoPersonalData(page.text);
    const api = await request(s.harness.app).get(`/api/v1/public/dossiers/${s.apologised}`);
    expect(api.body).toMatchObject({ apologyIssued: true, appointmentAt: '2026-02-27T10:00:00+07:00' });
    expectNoPersonalData(api.text);
  });

  it('when the dossier has its result, then the status tells the citizen to come for it', async () => {
    const row = await s.t.db('dossiers').where({ code: s.plain }).first();
    const res = await request(s.harness.app)
      .post(`/api/v1/dossiers/${s.plain}/actions`)
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ action: 'resolve', version: row.version, outcome: 'approved' });
    expect(res.status).toBe(200);
    const api = await request(s.harness.app).get(`/api/v1/public/dossiers/${s.plain}`);
    expect(api.body).toMatchObject({ status: 'resolved', statusName: 'Đã có kết quả' });
    expect(api.body.statusText).toContain('Mời Ông/Bà đến nhận kết quả');
  });

  it('when the public service centre received a department\'s dossier, then page and API name the centre as where to bring papers and collect the result', async () => {
    const centreClerk = await addUser(s.t.db, 'centre.clerk', 'clerk', AGENCIES.centre.code);
    const res = await request(s.harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${centreClerk.token}`)
      .send({ procedureCode: LAND_PROCEDURE, agencyCode: AGENCIES.centre.code, channel: 'in_person', applicant: { name: 'Người Nộp Ở Trung Tâm' } });
    expect(res.status).toBe(201);
    expect(res.body.code.startsWith(AGENCIES.centre.code)).toBe(true);
    const api = await request(s.harness.app).get(`/api/v1/public/dossiers/${res.body.code}`);
    expect(api.body).toMatchObject({ agencyName: AGENCIES.land.name, deskName: AGENCIES.centre.name });
    const page = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    expect(page.text).toMatch(new RegExp(`<dt>Nơi nộp hồ sơ và nhận kết quả</dt><dd>${AGENCIES.centre.name}</dd>`));
    expect(page.text).toContain(`<dt>Cơ quan giải quyết</dt><dd>${AGENCIES.land.name}</dd>`);
    expect(page.text).not.toContain('Người Nộp Ở Trung Tâm');
  });

  it('when the desk asked for a supplement, then the page promises no date while the clock stands still, and says a new one is counted', async () => {
    const res = await request(s.harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ procedureCode: LAND_PROCEDURE, channel: 'in_person', applicant: { name: 'Người Bổ Sung' } });
    const before = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    const appointment = before.text.match(/<dt>Hẹn trả kết quả<\/dt><dd><strong>(\d\d:\d\d ngày \d\d\/\d\d\/\d{4})<\/strong>/)?.[1];
    expect(appointment).toMatch(/ngày \d\d\/\d\d\/2026/);
    const asked = await request(s.harness.app)
      .post(`/api/v1/dossiers/${res.body.code}/actions`)
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ action: 'request_supplement', version: res.body.version, reason: 'Thiếu giấy tờ', items: ['Bản vẽ sơ đồ thửa đất'] });
    expect(asked.status).toBe(200);
    const page = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    expect(page.text).toContain('Chờ bổ sung');
    expect(page.text).toContain('<dt>Hẹn trả kết quả</dt><dd><strong>Sẽ hẹn lại khi nộp đủ hồ sơ bổ sung</strong></dd>');
    expect(page.text).not.toContain(appointment);
    const api = await request(s.harness.app).get(`/api/v1/public/dossiers/${res.body.code}`);
    expect(api.body.statusText).toBe(
      'Hồ sơ cần bổ sung, hoàn thiện. Vui lòng xem phiếu yêu cầu bổ sung đã nhận hoặc liên hệ nơi nộp hồ sơ. Trong thời gian chờ bổ sung, thời hạn giải quyết tạm dừng; ngày hẹn trả kết quả sẽ được tính lại khi nộp đủ hồ sơ bổ sung.',
    );
    // A dossier with an apology letter: its note points at the date above, which is not shown while waiting.
    s.harness.clock.set('2026-02-13T05:00:00.000Z'); // after the letter was issued (04:00)
    const row = await s.t.db('dossiers').where({ code: s.apologised }).first();
    const apologisedAsked = await request(s.harness.app)
      .post(`/api/v1/dossiers/${s.apologised}/actions`)
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ action: 'request_supplement', version: row.version, reason: 'Thiếu giấy tờ', items: ['Tờ khai'] });
    expect(apologisedAsked.status, JSON.stringify(apologisedAsked.body)).toBe(200);
    const apologisedPage = await request(s.harness.app).get(`/tra-cuu/${s.apologised}`);
    expect(apologisedPage.text).toContain('Sẽ hẹn lại khi nộp đủ hồ sơ bổ sung');
    expect(apologisedPage.text).not.toContain('Ngày hẹn trả ở trên là ngày hẹn mới');
  });

  it('when the appointment has passed and the dossier is still being worked on, then the page says so and where to ask', async () => {
    const res = await request(s.harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ procedureCode: LAND_PROCEDURE, channel: 'in_person', applicant: { name: 'Người Chờ Lâu' } });
    const appointmentAt = new Date(res.body.appointmentAt).getTime();
    const onTime = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    expect(onTime.text).not.toContain('Đã quá ngày hẹn');
    s.harness.clock.set(new Date(appointmentAt + 60_000).toISOString());
    const late = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    expect(late.text).toContain('Đã quá ngày hẹn trả kết quả nhưng hồ sơ chưa giải quyết xong.');
    expect(late.text).toContain('Ông/Bà có thể liên hệ nơi nộp hồ sơ để được thông tin.');
    expect(late.text).not.toContain('Người Chờ Lâu');
  });

  it('when the citizen withdrew the dossier, then the page no longer shows an appointment', async () => {
    const res = await request(s.harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ procedureCode: LAND_PROCEDURE, channel: 'in_person', applicant: { name: 'Người Rút Hồ Sơ' } });
    const before = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    expect(before.text).toContain('Hẹn trả kết quả');
    const withdrawn = await request(s.harness.app)
      .post(`/api/v1/dossiers/${res.body.code}/actions`)
      .set('Authorization', `Bearer ${s.clerk.token}`)
      .send({ action: 'withdraw', version: res.body.version, reason: 'Công dân xin rút' });
    expect(withdrawn.status).toBe(200);
    const page = await request(s.harness.app).get(`/tra-cuu/${res.body.code}`);
    expect(page.text).toContain('Đã rút hồ sơ');
    expect(page.text).not.toContain('Hẹn trả kết quả');
  });

  it('when an unknown or malformed code is looked up, then page and API answer 404 with a Vietnamese message, the code shown escaped', async () => {
    const page = await request(s.harness.app).get('/tra-cuu/000.00.05.H13-260213-9999');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Không tìm thấy hồ sơ có mã');
    const odd = await request(s.harness.app).get(`/tra-cuu/${encodeURIComponent('<b>x</b>')}`);
    expect(odd.status).toBe(404);
    expect(odd.text).toContain('&lt;b&gt;x&lt;/b&gt;');
    const api = await request(s.harness.app).get('/api/v1/public/dossiers/000.00.05.H13-260213-9999');
    expect(api.status).toBe(404);
    expect(api.body).toEqual({
      error: { code: 'not_found', message: 'Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại mã trên giấy tiếp nhận.', fields: {} },
    });
  });

  it('when known and unknown codes are looked up 30 times each, then their median times are alike (within 2× or 3 ms)', async () => {
    const unknown = `${AGENCIES.land.code}-260213-0999`;
    const time = async (code: string) => {
      const started = performance.now();
      const res = await request(s.harness.app).get(`/api/v1/public/dossiers/${code}`);
      const ms = performance.now() - started;
      expect([200, 404]).toContain(res.status);
      return ms;
    };
    const known: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 5; i++) await time(i % 2 ? s.plain : unknown); // warm up
    for (let i = 0; i < 30; i++) {
      // The look-up is rate limited: step the clock past the window now and then.
      if (i % 10 === 0) s.harness.clock.advance(61_000);
      known.push(await time(s.plain));
      missing.push(await time(unknown));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [a, b] = [median(known), median(missing)];
    expect(Math.max(a, b) <= 2 * Math.min(a, b) || Math.abs(a - b) <= 3, `known ${a.toFixed(2)} ms, unknown ${b.toFixed(2)} ms`).toBe(true);
  });
});

describe('rate limit of the public look-up', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.destroy());

  it('when one address looks up more than 30 codes a minute, then page and API answer 429 in Vietnamese until the minute is over', async () => {
    s.harness.clock.set('2026-02-13T05:00:00.000Z');
    for (let i = 0; i < 30; i++) {
      const res = await request(s.harness.app).get(i % 2 ? `/tra-cuu/${s.plain}` : `/api/v1/public/dossiers/UNKNOWN-${i}`);
      expect(res.status).toBe(i % 2 ? 200 : 404);
    }
    const api = await request(s.harness.app).get(`/api/v1/public/dossiers/${s.plain}`);
    expect(api.status).toBe(429);
    expect(api.headers['retry-after']).toBe('60');
    expect(api.body).toEqual({
      error: { code: 'rate_limited', message: 'Bạn đã tra cứu quá nhiều lần trong một phút. Vui lòng thử lại sau 60 giây.', fields: {} },
    });
    s.harness.clock.advance(30_000);
    const page = await request(s.harness.app).get(`/tra-cuu/${s.plain}`);
    expect(page.status).toBe(429);
    expect(page.text).toContain('Vui lòng thử lại sau 30 giây.');
    expect(page.text).not.toContain(LAND_PROCEDURE_NAME);
    // The form itself is never limited.
    expect((await request(s.harness.app).get('/tra-cuu')).status).toBe(200);

    s.harness.clock.advance(31_000);
    expect((await request(s.harness.app).get(`/api/v1/public/dossiers/${s.plain}`)).status).toBe(200);
  });
});

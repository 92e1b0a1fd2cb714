import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Knex } from 'knex';
import { createTestDb, type TestDb } from '../helpers/db';
import { AGENCIES, addUser, makeApp, seedSmallCatalog, type TestUser } from '../helpers/app';
import { isSqlite } from '../../src/db/dialect';

// Fri 13/02/2026 10:00 in Vietnam; the Tết holidays of the test calendar are Mon 16 – Fri 20/02/2026.
const FRI_10 = '2026-02-13T03:00:00.000Z';

const LAND_PROCEDURE = '1.012756'; // 3 working days, land department
const HOURS_PROCEDURE = '2.000908'; // 4 working hours, any commune desk

interface Setup {
  t: TestDb;
  land: TestUser;
  ward: TestUser;
  otherWard: TestUser;
  head: TestUser;
  admin: TestUser;
  harness: ReturnType<typeof makeApp>;
}

async function setup(): Promise<Setup> {
  const t = await createTestDb();
  await seedSmallCatalog(t.db);
  return {
    t,
    land: await addUser(t.db, 'land.clerk', 'clerk', AGENCIES.land.code),
    ward: await addUser(t.db, 'ward.clerk', 'clerk', AGENCIES.ward.code),
    otherWard: await addUser(t.db, 'otherward.clerk', 'clerk', AGENCIES.otherWard.code),
    head: await addUser(t.db, 'land.head', 'head', AGENCIES.land.code),
    admin: await addUser(t.db, 'city.admin', 'admin', null),
    harness: makeApp(t.db, FRI_10),
  };
}

function api(s: Setup, user: TestUser) {
  return {
    post: (path: string, body: object) => request(s.harness.app).post(path).set('Authorization', `Bearer ${user.token}`).send(body),
    get: (path: string) => request(s.harness.app).get(path).set('Authorization', `Bearer ${user.token}`),
  };
}

const applicant = (name: string, extra: Record<string, string> = {}) => ({ name, ...extra });

async function rowCounts(db: Knex) {
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
  return {
    dossiers: await count('dossiers'),
    events: await count('dossier_events'),
    sequences: await count('dossier_sequences'),
    states: await count('dossier_states'),
  };
}

describe('POST /api/v1/dossiers: receiving a dossier', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.destroy());

  it('when a land clerk receives a 3-working-day procedure on Fri 13/02/2026 10:00, then it is due Wed 25/02/2026 10:00 after Tết', async () => {
    const res = await api(s, s.land).post('/api/v1/dossiers', {
      procedureCode: LAND_PROCEDURE,
      channel: 'in_person',
      sets: 2,
      applicant: applicant('Nguyễn Thị Hoa', {
        idNumber: '092190001234',
        phone: '0912 345 678',
        email: 'hoa@example.vn',
        address: '12 Hòa Bình, phường Ninh Kiều',
      }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/v1/dossiers/000.00.05.H13-260213-0001');
    expect(res.body).toMatchObject({
      code: '000.00.05.H13-260213-0001',
      procedureCode: LAND_PROCEDURE,
      fieldCode: 'DAT_DAI',
      agencyCode: AGENCIES.land.code,
      channel: 'in_person',
      applicant: {
        name: 'Nguyễn Thị Hoa',
        idNumber: '092190001234',
        phone: '0912345678',
        email: 'hoa@example.vn',
        address: '12 Hòa Bình, phường Ninh Kiều',
      },
      sets: 2,
      status: 'processing',
      receivedAt: '2026-02-13T10:00:00+07:00',
      dueAt: '2026-02-25T10:00:00+07:00',
      appointmentAt: '2026-02-25T10:00:00+07:00',
      finishedAt: null,
      outcome: null,
      late: false,
      version: 1,
    });
  });

  it('when the dossier is read back, then it has one receive event by the clerk and a due trace that ends with the due step', async () => {
    const res = await api(s, s.land).get('/api/v1/dossiers/000.00.05.H13-260213-0001');
    expect(res.status).toBe(200);
    expect(res.body.dueAt).toBe('2026-02-25T10:00:00+07:00');
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      type: 'receive',
      at: '2026-02-13T10:00:00+07:00',
      actor: 'Nguyễn Văn land.clerk',
      channel: 'in_person',
      agencyCode: AGENCIES.land.code,
    });
    const trace = res.body.dueTrace as { type: string; at?: string; date?: string; text: string }[];
    expect(trace.length).toBeGreaterThan(2);
    expect(trace[0]).toMatchObject({ type: 'received', at: '2026-02-13T10:00:00+07:00' });
    expect(trace.at(-1)).toMatchObject({ type: 'due', at: '2026-02-25T10:00:00+07:00' });
    expect(trace.at(-1)!.text).toContain('25/02/2026');
    const skipped = trace.filter((st) => st.type === 'skip').map((st) => st.date);
    expect(skipped).toEqual(expect.arrayContaining(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']));
  });

  it('when a ward clerk receives a 4-working-hour procedure at 10:00, then it is due 16:00 the same day (lunch 11:30–13:30 not counted)', async () => {
    const res = await api(s, s.ward).post('/api/v1/dossiers', { procedureCode: HOURS_PROCEDURE, channel: 'in_person', applicant: applicant('Trần Văn Bình') });
    expect(res.status).toBe(201);
    // 10:00–11:30 = 90 min, then 150 min from 13:30.
    expect(res.body).toMatchObject({
      code: '000.01.92.H13-260213-0001',
      agencyCode: AGENCIES.ward.code,
      receivedAt: '2026-02-13T10:00:00+07:00',
      dueAt: '2026-02-13T16:00:00+07:00',
      appointmentAt: '2026-02-13T16:00:00+07:00',
    });
  });

  it('when a ward clerk receives a 4-working-hour procedure at 12:00 on Fri 13/02, then the clock starts 13:30 and it is due 08:00 Mon 23/02 (after Tết)', async () => {
    s.harness.clock.set('2026-02-13T05:00:00.000Z');
    try {
      const res = await api(s, s.ward).post('/api/v1/dossiers', { procedureCode: HOURS_PROCEDURE, channel: 'in_person', applicant: applicant('Lê Thị Cúc') });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        code: '000.01.92.H13-260213-0002',
        receivedAt: '2026-02-13T12:00:00+07:00',
        dueAt: '2026-02-23T08:00:00+07:00',
      });
      const full = await api(s, s.ward).get(`/api/v1/dossiers/${res.body.code}`);
      const start = (full.body.dueTrace as { type: string; at?: string }[]).find((st) => st.type === 'start');
      expect(start?.at).toBe('2026-02-13T13:30:00+07:00');
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });
});

describe('dossier codes: <agency>-<yymmdd>-<NNNN>', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.destroy());

  const receive = (user: TestUser, name: string, procedureCode = LAND_PROCEDURE) =>
    api(s, user).post('/api/v1/dossiers', { procedureCode, channel: 'online', applicant: applicant(name) });

  it('when one agency receives two dossiers on a day, then they are numbered 0001 and 0002', async () => {
    expect((await receive(s.land, 'Một')).body.code).toBe('000.00.05.H13-260213-0001');
    expect((await receive(s.land, 'Hai')).body.code).toBe('000.00.05.H13-260213-0002');
  });

  it('when another agency receives on the same day, then its numbering is separate and starts at 0001', async () => {
    expect((await receive(s.ward, 'Ba', HOURS_PROCEDURE)).body.code).toBe('000.01.92.H13-260213-0001');
    expect((await receive(s.land, 'Bốn')).body.code).toBe('000.00.05.H13-260213-0003');
  });

  it('when the next working day comes, then the numbering restarts at 0001', async () => {
    s.harness.clock.set('2026-02-23T02:00:00.000Z'); // Mon 23/02/2026 09:00
    try {
      expect((await receive(s.land, 'Năm')).body.code).toBe('000.00.05.H13-260223-0001');
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });

  it('when the desk has numbered 9998 dossiers on a day, then the next two are 9999 and 10000 (wider, never wrapped)', async () => {
    s.harness.clock.set('2026-03-04T02:00:00.000Z'); // Wed 04/03/2026 09:00
    try {
      await s.t.db('dossier_sequences').insert({ agency_code: AGENCIES.land.code, day: '260304', last: 9998 });
      expect((await receive(s.land, 'Sáu')).body.code).toBe('000.00.05.H13-260304-9999');
      expect((await receive(s.land, 'Bảy')).body.code).toBe('000.00.05.H13-260304-10000');
      const stored = await s.t.db('dossiers').where('code', '000.00.05.H13-260304-10000').first();
      expect(stored.applicant_name).toBe('Bảy');
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });

  it('when 40 dossiers are posted at once, then all succeed with the distinct codes 0001..0040 and the sequence ends at 40', async () => {
    s.harness.clock.set('2026-03-03T02:00:00.000Z'); // Tue 03/03/2026 09:00
    try {
      const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => receive(s.land, `Người nộp ${i + 1}`)));
      expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));
      const codes = responses.map((r) => r.body.code as string).sort();
      expect(codes).toEqual(Array.from({ length: 40 }, (_, i) => `000.00.05.H13-260303-${String(i + 1).padStart(4, '0')}`));
      const sequence = await s.t.db('dossier_sequences').where({ agency_code: AGENCIES.land.code, day: '260303' }).first();
      expect(Number(sequence.last)).toBe(40);
      const stored = await s.t.db('dossiers').where('code', 'like', '000.00.05.H13-260303-%').count({ n: '*' }).first();
      expect(Number(stored?.n)).toBe(40);
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });
  it('when 30 dossiers at one desk and 5 at another are posted at once past its 9,999th, then each answer is its own stored dossier, numbered 9986..10015 and 0001..0005, with its event and state', async () => {
    // Intakes that wait together are written together (one transaction on SQLite, one statement per desk on
    // PostgreSQL): each answer must still be the dossier written from its own request.
    s.harness.clock.set('2026-03-06T02:00:00.000Z'); // Fri 06/03/2026 09:00
    try {
      await s.t.db('dossier_sequences').insert({ agency_code: AGENCIES.land.code, day: '260306', last: 9985 });
      const asked = [
        ...Array.from({ length: 30 }, (_, i) => ({ user: s.land, name: `Đất ${i + 1}`, procedure: LAND_PROCEDURE })),
        ...Array.from({ length: 5 }, (_, i) => ({ user: s.ward, name: `Phường ${i + 1}`, procedure: HOURS_PROCEDURE })),
      ];
      const responses = await Promise.all(asked.map((a) => receive(a.user, a.name, a.procedure)));
      expect(responses.map((r) => r.status)).toEqual(asked.map(() => 201));
      for (const [i, r] of responses.entries()) {
        expect(r.body.applicant.name).toBe(asked[i].name);
        const stored = await s.t.db('dossiers').where('code', r.body.code).first();
        expect(stored.applicant_name).toBe(asked[i].name);
        expect(stored.procedure_code).toBe(asked[i].procedure);
        const events = await s.t.db('dossier_events').where('dossier_id', stored.id).pluck('type');
        expect(events).toEqual(['receive']);
        const states = await s.t.db('dossier_states').where('dossier_id', stored.id).select('status', 'valid_from', 'valid_to');
        expect(states).toEqual([{ status: 'processing', valid_from: stored.received_at, valid_to: null }]);
      }
      const codes = (from: number) => responses.filter((r) => r.body.code.startsWith(from === 9986 ? AGENCIES.land.code : '000.01.92.H13')).map((r) => Number(r.body.code.split('-')[2]));
      expect(codes(9986).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => 9986 + i));
      expect(codes(1).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
      expect(responses.find((r) => r.body.code.endsWith('-10000'))?.body.code).toBe('000.00.05.H13-260306-10000');
      expect(responses.find((r) => r.body.code.endsWith('-9999'))?.body.code).toBe('000.00.05.H13-260306-9999');
      const sequence = await s.t.db('dossier_sequences').where({ agency_code: AGENCIES.land.code, day: '260306' }).first();
      expect(Number(sequence.last)).toBe(10015);
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });

  it('when one of 12 simultaneous intakes fails in the database, then only it fails, the 11 others are numbered 0001..0011 and nothing of it is left', async () => {
    // A trigger refuses one applicant's row, as a full disk or a broken constraint would. On SQLite the intakes
    // share a transaction (group commit): its failure must neither take the others with it nor burn a number.
    s.harness.clock.set('2026-03-05T02:00:00.000Z'); // Thu 05/03/2026 09:00
    const sqlite = isSqlite(s.t.db);
    if (sqlite) {
      await s.t.db.raw(`CREATE TRIGGER refuse_one BEFORE INSERT ON dossiers WHEN NEW.applicant_name = 'Bị từ chối' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    } else {
      await s.t.db.raw(`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.applicant_name = 'Bị từ chối' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await s.t.db.raw('CREATE TRIGGER refuse_one BEFORE INSERT ON dossiers FOR EACH ROW EXECUTE FUNCTION refuse_one()');
    }
    const before = await rowCounts(s.t.db);
    const errorsBefore = s.harness.errors.length;
    try {
      const names = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'Bị từ chối' : `Đồng thời ${i + 1}`));
      const responses = await Promise.all(names.map((name) => receive(s.land, name)));
      expect(responses.map((r) => r.status)).toEqual(names.map((n) => (n === 'Bị từ chối' ? 500 : 201)));
      expect(responses[5].body.error.message).toBe('Đã có lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên.');
      const codes = responses.filter((r) => r.status === 201).map((r) => r.body.code as string).sort();
      expect(codes).toEqual(Array.from({ length: 11 }, (_, i) => `000.00.05.H13-260305-${String(i + 1).padStart(4, '0')}`));
      for (const r of responses.filter((x) => x.status === 201)) {
        const stored = await s.t.db('dossiers').where('code', r.body.code).first();
        expect(stored.applicant_name).toBe(r.body.applicant.name);
      }
      const after = await rowCounts(s.t.db);
      expect(after.dossiers - before.dossiers).toBe(11);
      expect(after.events - before.events).toBe(11);
      expect(after.states - before.states).toBe(11);
      const sequence = await s.t.db('dossier_sequences').where({ agency_code: AGENCIES.land.code, day: '260305' }).first();
      expect(Number(sequence.last)).toBe(11);
      expect(s.harness.errors.length - errorsBefore).toBe(1);
    } finally {
      await s.t.db.raw('DROP TRIGGER refuse_one' + (sqlite ? '' : ' ON dossiers'));
      if (!sqlite) await s.t.db.raw('DROP FUNCTION refuse_one()');
      s.harness.clock.set(FRI_10);
    }
  });
});

describe('POST /api/v1/dossiers: refusals', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.destroy());

  const good = { procedureCode: LAND_PROCEDURE, channel: 'in_person', sets: 1, applicant: applicant('Võ Thị Diệu', { phone: '0912345678', email: 'dieu@example.vn' }) };

  const invalid: [string, object, string, string][] = [
    ['the applicant name is missing', { ...good, applicant: { phone: '0912345678' } }, 'applicant.name', 'Không được để trống.'],
    ['the applicant name is blank', { ...good, applicant: { name: '   ' } }, 'applicant.name', 'Không được để trống.'],
    ['the e-mail is malformed', { ...good, applicant: applicant('Võ Thị Diệu', { email: 'dieu@' }) }, 'applicant.email', 'Địa chỉ e-mail không hợp lệ.'],
    ['the phone is malformed', { ...good, applicant: applicant('Võ Thị Diệu', { phone: '12345' }) }, 'applicant.phone', 'Số điện thoại không hợp lệ: di động 10 số (ví dụ 0912345678), cố định 11 số (ví dụ 02923820123).'],
    ['the procedure is unknown', { ...good, procedureCode: '9.999999' }, 'procedureCode', 'Không có thủ tục mã 9.999999.'],
    ['no procedure is chosen', { ...good, procedureCode: ' ' }, 'procedureCode', 'Chọn thủ tục.'],
    ['the channel is fax', { ...good, channel: 'fax' }, 'channel', 'Chọn hình thức nộp: trực tiếp, trực tuyến hoặc bưu chính.'],
    ['the number of sets is 0', { ...good, sets: 0 }, 'sets', 'Ít nhất 1 bộ.'],
    // z.coerce took [3] for 3 sets and true for 1
    ['the number of sets is a list', { ...good, sets: [3] }, 'sets', 'Số bộ hồ sơ phải là số nguyên.'],
    ['the number of sets is true', { ...good, sets: true }, 'sets', 'Số bộ hồ sơ phải là số nguyên.'],
  ];

  for (const [what, body, field, message] of invalid) {
    it(`when ${what}, then 422 validation_failed with "${message}" under ${field} and nothing is written`, async () => {
      const before = await rowCounts(s.t.db);
      const res = await api(s, s.land).post('/api/v1/dossiers', body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toBe('Dữ liệu chưa hợp lệ, vui lòng kiểm tra các ô được đánh dấu.');
      expect(res.body.error.fields[field]).toBe(message);
      expect(await rowCounts(s.t.db)).toEqual(before);
    });
  }

  it('when an admin names a receiving agency that does not exist, then 422 with "Không có cơ quan mã …" under agencyCode and nothing is written', async () => {
    const before = await rowCounts(s.t.db);
    const res = await api(s, s.admin).post('/api/v1/dossiers', { ...good, agencyCode: '999.99.99.H13' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toEqual({ agencyCode: 'Không có cơ quan mã 999.99.99.H13.' });
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when an admin names no agency for a procedure any commune desk handles, then 422 "Chọn cơ quan tiếp nhận." and nothing is written', async () => {
    const before = await rowCounts(s.t.db);
    const res = await api(s, s.admin).post('/api/v1/dossiers', { ...good, procedureCode: HOURS_PROCEDURE });
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toEqual({ agencyCode: 'Chọn cơ quan tiếp nhận.' });
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when an admin names no agency for a land procedure, then the land department receives it and handles it', async () => {
    const res = await api(s, s.admin).post('/api/v1/dossiers', good);
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^000\.00\.05\.H13-260213-\d{4}$/);
    expect(res.body).toMatchObject({ receivedAgencyCode: AGENCIES.land.code, agencyCode: AGENCIES.land.code, procedureName: 'Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý' });
  });

  it('when a text holds a NUL or half of a surrogate pair, then 400 "chứa ký tự không hợp lệ" and nothing is written', async () => {
    // JSON can escape a lone surrogate ("\ud800"); no UTF-8 text can hold one. Together with others at the same desk,
    // such a name reached PostgreSQL's JSON as an escape it refuses, a 500.
    const before = await rowCounts(s.t.db);
    for (const name of ['Võ \\ud800 Diệu', 'Võ \\udc00 Diệu', 'Võ \\udfff\\ud800 Diệu', 'Võ \\u0000 Diệu']) {
      const res = await request(s.harness.app)
        .post('/api/v1/dossiers')
        .set('Authorization', `Bearer ${s.land.token}`)
        .set('Content-Type', 'application/json')
        .send(`{"procedureCode": "${LAND_PROCEDURE}", "channel": "online", "applicant": {"name": "${name}"}}`);
      expect(res.status, name).toBe(400);
      expect(res.body.error, name).toMatchObject({ code: 'bad_request', message: 'Dữ liệu gửi lên chứa ký tự không hợp lệ.' });
    }
    expect(await rowCounts(s.t.db)).toEqual(before);
    const paired = await request(s.harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${s.land.token}`)
      .set('Content-Type', 'application/json')
      .send(`{"procedureCode": "${LAND_PROCEDURE}", "channel": "online", "applicant": {"name": "Võ \\ud83c\\uddfb\\ud83c\\uddf3 Diệu"}}`);
    expect(paired.status).toBe(201);
    expect(paired.body.applicant.name).toBe('Võ 🇻🇳 Diệu');
  });

  it('when the body is malformed JSON, then 400 bad_json and nothing is written', async () => {
    const before = await rowCounts(s.t.db);
    const res = await request(s.harness.app)
      .post('/api/v1/dossiers')
      .set('Authorization', `Bearer ${s.land.token}`)
      .set('Content-Type', 'application/json')
      .send('{"procedureCode": "1.012756", ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_json', message: 'Nội dung JSON không hợp lệ.' });
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when no token is sent, then 401 unauthorized', async () => {
    const res = await request(s.harness.app).post('/api/v1/dossiers').send(good);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('when a head posts a dossier, then 403 forbidden and nothing is written', async () => {
    const before = await rowCounts(s.t.db);
    const res = await api(s, s.head).post('/api/v1/dossiers', good);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when a clerk names another agency as receiver, then 403 forbidden and nothing is written', async () => {
    const before = await rowCounts(s.t.db);
    const res = await api(s, s.land).post('/api/v1/dossiers', { ...good, agencyCode: AGENCIES.ward.code });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', message: 'Bạn chỉ được tiếp nhận hồ sơ cho cơ quan của mình.' });
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when receivedAt is in the future, then 422 with the message under receivedAt (also for an admin)', async () => {
    const before = await rowCounts(s.t.db);
    for (const user of [s.land, s.admin]) {
      const res = await api(s, user).post('/api/v1/dossiers', { ...good, receivedAt: '2026-02-13T11:00:00+07:00' });
      expect(res.status).toBe(422);
      expect(res.body.error.fields.receivedAt).toBe('Không được ghi thời điểm trong tương lai.');
    }
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when a clerk backdates receivedAt, then 403 and nothing is written', async () => {
    const before = await rowCounts(s.t.db);
    const res = await api(s, s.land).post('/api/v1/dossiers', { ...good, receivedAt: '2026-02-12T15:00:00+07:00' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', message: 'Chỉ quản trị viên được ghi thời điểm trong quá khứ.' });
    expect(await rowCounts(s.t.db)).toEqual(before);
  });

  it('when an admin backdates receivedAt to a day that does not exist (30/02/2026), then 422 "Thời điểm không tồn tại." and nothing is written', async () => {
    s.harness.clock.set('2026-03-10T03:00:00.000Z');
    try {
      const before = await rowCounts(s.t.db);
      for (const receivedAt of ['2026-02-30T10:00:00+07:00', '2026-02-29T10:00:00+07:00']) {
        const res = await api(s, s.admin).post('/api/v1/dossiers', { ...good, receivedAt });
        expect(res.status, receivedAt).toBe(422);
        expect(res.body.error.fields.receivedAt, receivedAt).toBe('Thời điểm không tồn tại.');
      }
      expect(await rowCounts(s.t.db)).toEqual(before);
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });

  it('when an admin backdates receivedAt to Thu 12/02/2026 15:00, then 201 with that instant, the code of that day and a due date counted from it', async () => {
    const res = await api(s, s.admin).post('/api/v1/dossiers', { ...good, receivedAt: '2026-02-12T15:00:00+07:00' });
    expect(res.status).toBe(201);
    // Thu 15:00–17:00 = 120, Fri 450, (Tết), Mon 23 450, Tue 24 330 more -> 15:00.
    expect(res.body).toMatchObject({
      code: '000.00.05.H13-260212-0001',
      agencyCode: AGENCIES.land.code,
      receivedAt: '2026-02-12T15:00:00+07:00',
      dueAt: '2026-02-24T15:00:00+07:00',
      appointmentAt: '2026-02-24T15:00:00+07:00',
    });
    const full = await api(s, s.admin).get(`/api/v1/dossiers/${res.body.code}`);
    expect(full.body.events[0]).toMatchObject({ type: 'receive', at: '2026-02-12T15:00:00+07:00', actor: 'Nguyễn Văn city.admin' });
  });
});

describe('GET /api/v1/dossiers: scope, filters and pages', () => {
  let s: Setup;
  const codes: Record<string, string> = {};
  beforeAll(async () => {
    s = await setup();
    for (const name of ['Nguyễn Thị Hoa', 'Trần Văn Bình', 'Lê Minh Châu']) {
      const res = await api(s, s.land).post('/api/v1/dossiers', {
        procedureCode: LAND_PROCEDURE,
        channel: 'in_person',
        applicant: applicant(name, name === 'Nguyễn Thị Hoa' ? { phone: '0912345678', idNumber: '092190001234' } : {}),
      });
      codes[name] = res.body.code;
    }
    codes['Phạm Văn Dũng'] = (await api(s, s.ward).post('/api/v1/dossiers', { procedureCode: HOURS_PROCEDURE, channel: 'online', applicant: applicant('Phạm Văn Dũng') })).body.code;
    const resolved = await api(s, s.land).post(`/api/v1/dossiers/${codes['Lê Minh Châu']}/actions`, { action: 'resolve', version: 1, outcome: 'approved' });
    expect(resolved.status).toBe(200);
  });
  afterAll(() => s.t.destroy());

  const names = (body: { items: { applicant: { name: string } }[] }) => body.items.map((i) => i.applicant.name).sort();

  it('when a clerk of another agency lists, then they see no dossier', async () => {
    const res = await api(s, s.otherWard).get('/api/v1/dossiers');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], total: 0 });
  });

  it('when the land clerk lists, then they see the 3 land dossiers only; an admin sees all 4', async () => {
    const own = await api(s, s.land).get('/api/v1/dossiers');
    expect(own.body.total).toBe(3);
    expect(names(own.body)).toEqual(['Lê Minh Châu', 'Nguyễn Thị Hoa', 'Trần Văn Bình']);
    const all = await api(s, s.admin).get('/api/v1/dossiers');
    expect(all.body.total).toBe(4);
    expect(names(all.body)).toEqual(['Lê Minh Châu', 'Nguyễn Thị Hoa', 'Phạm Văn Dũng', 'Trần Văn Bình']);
  });

  it('when searching "nguyễn" in lower case, then the dossier of "Nguyễn Thị Hoa" is found', async () => {
    const res = await api(s, s.land).get(`/api/v1/dossiers?q=${encodeURIComponent('nguyễn')}`);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0]).toMatchObject({ code: codes['Nguyễn Thị Hoa'], applicant: { name: 'Nguyễn Thị Hoa' } });
  });

  it('when searching "NGUYỄN" in capitals as printed on the citizen ID card, then the dossier of "Nguyễn Thị Hoa" is found', async () => {
    const res = await api(s, s.land).get(`/api/v1/dossiers?q=${encodeURIComponent('NGUYỄN THỊ HOA')}`);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0]?.code).toBe(codes['Nguyễn Thị Hoa']);
  });

  it('when searching by phone, id number or code, then the matching dossier is found', async () => {
    for (const q of ['0912345678', '092190001234', codes['Nguyễn Thị Hoa']]) {
      const res = await api(s, s.land).get(`/api/v1/dossiers?q=${encodeURIComponent(q)}`);
      expect(res.body.total, q).toBe(1);
      expect(res.body.items[0].code).toBe(codes['Nguyễn Thị Hoa']);
    }
  });

  it('when searching for a name of another agency, then nothing is found', async () => {
    const res = await api(s, s.land).get(`/api/v1/dossiers?q=${encodeURIComponent('Phạm Văn Dũng')}`);
    expect(res.body).toMatchObject({ items: [], total: 0 });
  });

  it('when filtering by status, then resolved, processing and open dossiers are told apart', async () => {
    const resolved = await api(s, s.land).get('/api/v1/dossiers?status=resolved');
    expect(names(resolved.body)).toEqual(['Lê Minh Châu']);
    expect(resolved.body.items[0]).toMatchObject({ status: 'resolved', outcome: 'approved', finishedAt: '2026-02-13T10:00:00+07:00', version: 2 });
    const processing = await api(s, s.land).get('/api/v1/dossiers?status=processing');
    expect(names(processing.body)).toEqual(['Nguyễn Thị Hoa', 'Trần Văn Bình']);
    const open = await api(s, s.land).get('/api/v1/dossiers?status=open');
    expect(open.body.total).toBe(2);
  });

  it('when filtering by fieldCode and agencyCode, then only matching dossiers come back', async () => {
    expect((await api(s, s.admin).get('/api/v1/dossiers?fieldCode=CHUNG_THUC')).body.items.map((i: { code: string }) => i.code)).toEqual([codes['Phạm Văn Dũng']]);
    expect((await api(s, s.admin).get(`/api/v1/dossiers?agencyCode=${AGENCIES.land.code}`)).body.total).toBe(3);
  });

  it('when asking for page 2 of size 2, then the third dossier comes back with the total of 3', async () => {
    const first = await api(s, s.land).get('/api/v1/dossiers?page=1&pageSize=2');
    const second = await api(s, s.land).get('/api/v1/dossiers?page=2&pageSize=2');
    expect(first.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(second.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(first.body.items).toHaveLength(2);
    expect(second.body.items).toHaveLength(1);
    const seen = [...first.body.items, ...second.body.items].map((i: { code: string }) => i.code).sort();
    expect(seen).toEqual(Object.entries(codes).filter(([n]) => n !== 'Phạm Văn Dũng').map(([, c]) => c).sort());
  });

  it('when the clock is still before the deadlines, then late=true finds nothing', async () => {
    const res = await api(s, s.land).get('/api/v1/dossiers?late=true');
    expect(res.body.total).toBe(0);
  });

  it('when the clock passes the due instant 25/02/2026 10:00, then late=true lists the open land dossiers marked late, not the one resolved in time', async () => {
    s.harness.clock.set('2026-02-25T03:01:00.000Z');
    try {
      const res = await api(s, s.land).get('/api/v1/dossiers?late=true');
      expect(names(res.body)).toEqual(['Nguyễn Thị Hoa', 'Trần Văn Bình']);
      expect(res.body.items.map((i: { late: boolean }) => i.late)).toEqual([true, true]);
      const all = await api(s, s.admin).get('/api/v1/dossiers?late=true');
      expect(all.body.total).toBe(3); // + the ward's 4-hour dossier due 13/02 16:00
      const one = await api(s, s.land).get(`/api/v1/dossiers/${codes['Nguyễn Thị Hoa']}`);
      expect(one.body.late).toBe(true);
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });

  it('when the clock is Tue 24/02 11:00 (due within one working day), then dueSoon=true lists the open land dossiers; on Mon 23/02 10:00 it does not', async () => {
    s.harness.clock.set('2026-02-24T04:00:00.000Z');
    try {
      const soon = await api(s, s.land).get('/api/v1/dossiers?dueSoon=true');
      expect(names(soon.body)).toEqual(['Nguyễn Thị Hoa', 'Trần Văn Bình']);
      expect(soon.body.items.map((i: { late: boolean }) => i.late)).toEqual([false, false]);
      s.harness.clock.set('2026-02-23T03:00:00.000Z');
      const notYet = await api(s, s.land).get('/api/v1/dossiers?dueSoon=true');
      expect(notYet.body.total).toBe(0);
    } finally {
      s.harness.clock.set(FRI_10);
    }
  });

  it('when a clerk of another agency asks for a dossier by code, then 404', async () => {
    const res = await api(s, s.otherWard).get(`/api/v1/dossiers/${codes['Nguyễn Thị Hoa']}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('GET /api/v1/public/dossiers/:code: the citizen lookup', () => {
  let s: Setup;
  let code: string;
  const personal = { name: 'Đặng Thị Quỳnh', idNumber: '079301004567', phone: '0987654321', email: 'quynh@example.vn', address: '45 Mậu Thân, phường An Hòa' };
  beforeAll(async () => {
    s = await setup();
    code = (await api(s, s.land).post('/api/v1/dossiers', { procedureCode: LAND_PROCEDURE, channel: 'postal', applicant: personal })).body.code;
  });
  afterAll(() => s.t.destroy());

  it('when looked up without login, then only code, procedure, status and dates come back', async () => {
    const res = await request(s.harness.app).get(`/api/v1/public/dossiers/${code}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: '000.00.05.H13-260213-0001',
      procedureCode: LAND_PROCEDURE,
      procedureName: 'Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý',
      agencyName: 'Sở Nông nghiệp và Môi trường',
      deskName: 'Sở Nông nghiệp và Môi trường',
      status: 'processing',
      statusName: 'Đang giải quyết',
      statusText: 'Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết.',
      receivedAt: '2026-02-13T10:00:00+07:00',
      appointmentAt: '2026-02-25T10:00:00+07:00',
      apologyIssued: false,
    });
    for (const value of Object.values(personal)) expect(res.text).not.toContain(value);
  });

  it('when the public lookup page is opened, then it shows the status but none of the personal data', async () => {
    const res = await request(s.harness.app).get(`/tra-cuu/${code}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đang giải quyết');
    expect(res.text).toContain('10:00 ngày 25/02/2026');
    for (const value of Object.values(personal)) expect(res.text).not.toContain(value);
  });

  it('when the code is unknown, then 404 with a JSON error', async () => {
    const res = await request(s.harness.app).get('/api/v1/public/dossiers/000.00.05.H13-260213-9999');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại mã trên giấy tiếp nhận.', fields: {} } });
  });
});

describe('applicant names in Vietnamese', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.destroy());

  it('when a name arrives in decomposed Unicode (NFD, as typed with Unikey "Unicode tổ hợp"), then it is stored in NFC and found by an NFC search', async () => {
    const nfd = 'Võ Thị Ngọc Ẩn'.normalize('NFD');
    expect(nfd).not.toBe('Võ Thị Ngọc Ẩn');
    const res = await api(s, s.land).post('/api/v1/dossiers', { procedureCode: LAND_PROCEDURE, channel: 'online', applicant: applicant(nfd) });
    expect(res.status).toBe(201);
    expect(res.body.applicant.name).toBe('Võ Thị Ngọc Ẩn');
    const found = await api(s, s.land).get(`/api/v1/dossiers?q=${encodeURIComponent('Ngọc Ẩn')}`);
    expect(found.body.items.map((i: { code: string }) => i.code)).toEqual([res.body.code]);
  });
});

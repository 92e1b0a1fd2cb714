import { describe, expect, it } from 'vitest';
import { dailyNumber, registerCells, registerDays, registerLineJson, registerWindow, type RegisterSource, type RegisterTransfer } from '../../../src/dossiers/register';

const DESK = '000.01.92.H13';
const LAND = '000.00.05.H13';
const NAMES: Record<string, string> = { [DESK]: 'Phường Ninh Kiều', [LAND]: 'Sở Nông nghiệp và Môi trường', '000.02.92.H13': 'Phường Cái Khế' };
const utc = (local: string) => new Date(`${local}:00+07:00`).toISOString();

let nextId = 1;
function dossier(over: Partial<RegisterSource> & { code: string; received_at: string }): RegisterSource {
  return {
    id: nextId++,
    received_agency_code: DESK,
    agency_code: DESK,
    procedure_name: 'Chứng thực bản sao từ bản chính',
    sets: 1,
    applicant_name: 'Nguyễn Văn An',
    applicant_address: null,
    applicant_phone: null,
    due_at: utc('2026-02-02T12:00'),
    appointment_at: utc('2026-02-02T12:00'),
    status: 'processing',
    finished_at: null,
    returned_at: null,
    outcome: null,
    outcome_reason: null,
    ...over,
  };
}
const view = (rows: RegisterSource[], transfers: RegisterTransfer[] = [], now = '2026-02-02T09:00') =>
  registerDays(rows, transfers, { now: new Date(utc(now)), agencyName: (code) => NAMES[code] ?? code });

describe('dailyNumber: the "Số thứ tự" a receipt gives', () => {
  it('is the number of a code the desk issued on the day of receipt, and none for another code', () => {
    expect(dailyNumber(`${DESK}-260202-0007`, DESK, utc('2026-02-02T08:00'))).toBe(7);
    expect(dailyNumber(`${DESK}-260202-12345`, DESK, utc('2026-02-02T08:00'))).toBe(12345);
    // received on the 2nd, local time, though the 1st in UTC
    expect(dailyNumber(`${DESK}-260202-0001`, DESK, utc('2026-02-02T06:30'))).toBe(1);
    expect(dailyNumber(`${DESK}-260201-0001`, DESK, utc('2026-02-02T06:30'))).toBeNull();
    expect(dailyNumber('HTC-2026-0167544', DESK, utc('2026-02-02T08:00'))).toBeNull();
    expect(dailyNumber(`000.02.92.H13-260202-0001`, DESK, utc('2026-02-02T08:00'))).toBeNull();
  });
});

describe('registerWindow', () => {
  it('bounds whole local days: from midnight of the first to midnight after the last, as stored (UTC)', () => {
    expect(registerWindow('2026-02-02', '2026-02-03')).toEqual({ start: '2026-02-01T17:00:00.000Z', end: '2026-02-03T17:00:00.000Z' });
    expect(registerWindow('2026-12-31', '2026-12-31')).toEqual({ start: '2026-12-30T17:00:00.000Z', end: '2026-12-31T17:00:00.000Z' });
  });
});

describe('registerDays: the lines of the desk\'s book', () => {
  it('groups by the local day of receipt and orders a day by its numbers, then codes kept from another system by receipt', () => {
    const days = view([
      dossier({ code: `${DESK}-260202-0002`, received_at: utc('2026-02-02T08:00') }),
      dossier({ code: 'HTC-2026-0000009', received_at: utc('2026-02-02T07:40') }),
      // back-dated by an admin: an earlier hour, a later number
      dossier({ code: `${DESK}-260202-0003`, received_at: utc('2026-02-02T07:35') }),
      dossier({ code: `${DESK}-260202-0001`, received_at: utc('2026-02-02T07:50') }),
      dossier({ code: 'HTC-2026-0000001', received_at: utc('2026-02-02T07:30') }),
      dossier({ code: `${DESK}-260203-0001`, received_at: utc('2026-02-03T06:30') }),
    ]);
    expect(days.map((d) => [d.date, d.lines.map((l) => [l.number, l.code])])).toEqual([
      ['2026-02-02', [[1, `${DESK}-260202-0001`], [2, `${DESK}-260202-0002`], [3, `${DESK}-260202-0003`], [null, 'HTC-2026-0000001'], [null, 'HTC-2026-0000009']]],
      ['2026-02-03', [[1, `${DESK}-260203-0001`]]],
    ]);
  });

  it('fills the five dates: received, appointment, handed to the resolving agency, result back, returned', () => {
    const [day] = view([
      // resolved and returned by the desk's own agency: never handed over
      dossier({ code: `${DESK}-260202-0001`, received_at: utc('2026-02-02T08:00'), status: 'returned', finished_at: utc('2026-02-02T10:00'), returned_at: utc('2026-02-02T10:30'), outcome: 'approved', applicant_address: 'Phường Ninh Kiều', applicant_phone: '0901234567', sets: 2 }),
      // for the land department: handed over at receipt
      dossier({ code: `${DESK}-260202-0002`, received_at: utc('2026-02-02T08:30'), agency_code: LAND, due_at: utc('2026-02-05T08:30'), appointment_at: utc('2026-02-05T08:30'), procedure_name: 'Đăng ký đất đai lần đầu' }),
    ]);
    const [own, land] = day.lines;
    expect(own).toEqual({
      number: 1,
      code: `${DESK}-260202-0001`,
      procedureName: 'Chứng thực bản sao từ bản chính',
      sets: 2,
      applicantName: 'Nguyễn Văn An',
      applicantAddress: 'Phường Ninh Kiều',
      applicantPhone: '0901234567',
      agencyCode: DESK,
      agencyName: 'Phường Ninh Kiều',
      receivedAt: utc('2026-02-02T08:00'),
      appointmentAt: utc('2026-02-02T12:00'),
      sentAt: null,
      resultAt: utc('2026-02-02T10:00'),
      returnedAt: utc('2026-02-02T10:30'),
      notes: [],
    });
    // The book's cells, as the page and the workbook show them; the API's instants, in +07:00.
    expect(registerCells(own)).toEqual([
      1, `${DESK}-260202-0001`, 'Chứng thực bản sao từ bản chính', 2, 'Nguyễn Văn An', 'Phường Ninh Kiều; 0901234567', 'Phường Ninh Kiều',
      '08:00 02/02/2026', '12:00 02/02/2026', '', '10:00 02/02/2026', '10:30 02/02/2026', '', '',
    ]);
    expect(registerCells(land).slice(5, 12)).toEqual(['', 'Sở Nông nghiệp và Môi trường', '08:30 02/02/2026', '08:30 05/02/2026', '08:30 02/02/2026', '', '']);
    expect(land.notes).toEqual(['Đang giải quyết']);
    expect(registerLineJson(land)).toMatchObject({
      handlingAgency: { code: LAND, name: 'Sở Nông nghiệp và Môi trường' },
      receivedAt: '2026-02-02T08:30:00+07:00',
      sentAt: '2026-02-02T08:30:00+07:00',
      resultAt: null,
      returnedAt: null,
    });
  });

  it('notes what a clerk must see: refused, withdrawn, transferred, late (finished after the deadline or open past it)', () => {
    const [day] = view(
      [
        dossier({ code: `${DESK}-260202-0001`, received_at: utc('2026-02-02T08:00'), status: 'resolved', finished_at: utc('2026-02-02T13:00'), outcome: 'refused', outcome_reason: 'Không đủ điều kiện' }),
        dossier({ code: `${DESK}-260202-0002`, received_at: utc('2026-02-02T08:00'), status: 'withdrawn', finished_at: utc('2026-02-02T14:00') }),
        dossier({ code: `${DESK}-260202-0003`, received_at: utc('2026-02-02T08:00'), agency_code: '000.02.92.H13' }),
        dossier({ code: `${DESK}-260202-0004`, received_at: utc('2026-02-02T08:00'), status: 'awaiting_supplement', due_at: utc('2026-02-04T08:00') }),
        dossier({ code: `${DESK}-260202-0005`, received_at: utc('2026-02-02T08:00'), status: 'resolved', finished_at: utc('2026-02-02T12:00'), outcome: 'approved' }),
      ],
      [
        // given to the wrong ward first, then sent on: the first origin is the agency it was handed to at receipt
        { dossier_id: nextId - 3, at: utc('2026-02-02T11:00'), data: JSON.stringify({ fromAgencyCode: LAND, toAgencyCode: DESK }) },
        { dossier_id: nextId - 3, at: utc('2026-02-02T09:00'), data: JSON.stringify({ fromAgencyCode: DESK, toAgencyCode: LAND }) },
      ],
      '2026-02-03T08:00',
    );
    expect(day.lines.map((l) => [l.number, l.resultAt, l.sentAt, l.notes])).toEqual([
      [1, utc('2026-02-02T13:00'), null, ['Từ chối: Không đủ điều kiện', 'Quá hạn']],
      [2, null, null, ['Công dân rút hồ sơ 14:00 02/02/2026']],
      [3, null, null, ['Đang giải quyết', 'Chuyển Sở Nông nghiệp và Môi trường 09:00 02/02/2026', 'Chuyển Phường Ninh Kiều 11:00 02/02/2026', 'Quá hạn']],
      [4, null, null, ['Chờ bổ sung']],
      // finished at the very deadline: on time
      [5, utc('2026-02-02T12:00'), null, []],
    ]);
  });

  it('has no days when the desk received nothing', () => {
    expect(view([])).toEqual([]);
  });
});

describe('the register\'s book (Quyển số)', () => {
  it('when the days lie in one year, then the book is that year; across 31 December, then both books with their days', async () => {
    const { registerBooks } = await import('../../../src/dossiers/register');
    expect(registerBooks('2026-12-01', '2026-12-31')).toBe('2026');
    expect(registerBooks('2027-01-04', '2027-01-04')).toBe('2027');
    expect(registerBooks('2026-12-28', '2027-01-04')).toBe('2026 (28/12/2026 – 31/12/2026), 2027 (01/01/2027 – 04/01/2027)');
    expect(registerBooks('2026-12-31', '2027-01-01')).toBe('2026 (31/12/2026), 2027 (01/01/2027)');
  });
});

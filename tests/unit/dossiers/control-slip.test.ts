import { describe, expect, it } from 'vitest';
import { controlSlipSteps, coordinatingAgencies, judge, TIMELINESS_NAMES } from '../../../src/dossiers/control-slip';
import type { DossierEventRow, DossierRow } from '../../../src/dossiers/repository';

/** A wall-clock reading in Vietnam (UTC+7) as a UTC ISO string, as stored. */
const iso = (local: string) => new Date(`${local}:00+07:00`).toISOString();

const AGENCY_NAMES: Record<string, string> = {
  CENTRE: 'Trung tâm Phục vụ hành chính công',
  LAND: 'Sở Nông nghiệp và Môi trường',
  WARD: 'Phường Ninh Kiều',
};
const agencyName = (code: string) => AGENCY_NAMES[code] ?? code;
const DESK = 'Bộ phận tiếp nhận và trả kết quả';

function dossier(over: Partial<DossierRow> = {}): DossierRow {
  return {
    id: 1,
    code: 'CENTRE-260209-0001',
    procedure_code: '1.012756',
    field_code: 'DAT_DAI',
    received_agency_code: 'CENTRE',
    agency_code: 'WARD',
    channel: 'in_person',
    applicant_name: 'Trần Thị Bích',
    applicant_id_number: null,
    applicant_phone: null,
    applicant_email: null,
    applicant_address: null,
    sets: 1,
    documents: null,
    received_at: iso('2026-02-09T08:00'),
    clock_start_at: iso('2026-02-09T08:00'),
    duration_minutes: 1350,
    on_supplement: 'restart',
    due_at: iso('2026-02-25T15:00'),
    appointment_at: iso('2026-02-25T15:00'),
    remaining_minutes: null,
    status: 'returned',
    finished_at: iso('2026-02-25T14:00'),
    returned_at: iso('2026-02-26T09:00'),
    outcome: 'approved',
    outcome_reason: null,
    due_trace: '[]',
    version: 7,
    created_by: 1,
    created_at: iso('2026-02-09T08:00'),
    updated_at: iso('2026-02-26T09:00'),
    ...over,
  };
}

let nextId = 1;
function event(type: string, local: string, actor: string, data: Record<string, unknown> = {}): DossierEventRow {
  return { id: nextId++, dossier_id: 1, type, at: iso(local), actor_id: 1, actor_name: actor, data: JSON.stringify(data), recorded_at: iso(local) };
}

describe('judge', () => {
  it('when the step is on an earlier local day than the deadline, then it is early', () => {
    expect(judge(iso('2026-02-24T16:59'), iso('2026-02-25T08:00'))).toBe('early');
  });

  it('when the step is on the deadline day before or at the deadline, then it is on time', () => {
    expect(judge(iso('2026-02-25T07:31'), iso('2026-02-25T15:00'))).toBe('on_time');
    expect(judge(iso('2026-02-25T15:00'), iso('2026-02-25T15:00'))).toBe('on_time');
  });

  it('when the step is a minute after the deadline, even on the same day, then it is late', () => {
    expect(judge(iso('2026-02-25T15:01'), iso('2026-02-25T15:00'))).toBe('late');
    expect(judge(iso('2026-02-26T07:30'), iso('2026-02-25T15:00'))).toBe('late');
  });

  it('when the UTC dates differ but the Vietnamese date is the same, then the local date decides (on time, not early)', () => {
    // 06:00 on 25/02 in Vietnam is still 24/02 in UTC; the deadline 08:00 is 25/02 in both.
    expect(judge(iso('2026-02-25T06:00'), iso('2026-02-25T08:00'))).toBe('on_time');
  });

  it('when shown, then the three results read Trước hạn / Đúng hạn / Quá hạn', () => {
    expect(TIMELINESS_NAMES).toEqual({ early: 'Trước hạn', on_time: 'Đúng hạn', late: 'Quá hạn' });
  });
});

describe('controlSlipSteps', () => {
  it('when a dossier went receive → transfer → supplement → resolve → return, then one step per hand-over, judged against the deadline in force, supplements as notes', () => {
    const events = [
      event('receive', '2026-02-09T08:00', 'Lê Văn Nhận', { dueAt: iso('2026-02-12T08:00') }),
      event('transfer', '2026-02-10T09:00', 'Phạm Thị Chuyển', {
        fromAgencyCode: 'LAND',
        toAgencyCode: 'WARD',
        toAgencyName: 'Phường Ninh Kiều',
      }),
      event('request_supplement', '2026-02-10T10:00', 'Phạm Thị Chuyển', { reason: 'Thiếu bản sao giấy chứng nhận', items: ['Bản sao giấy chứng nhận'], remainingMinutes: 780 }),
      event('receive_supplement', '2026-02-13T15:00', 'Lê Văn Nhận', { dueBefore: iso('2026-02-12T08:00'), dueAt: iso('2026-02-25T15:00') }),
      event('resolve', '2026-02-25T14:00', 'Đỗ Văn Giải', { outcome: 'approved', late: false }),
      event('return', '2026-02-26T09:00', 'Lê Văn Nhận'),
    ];
    const steps = controlSlipSteps(dossier(), events, agencyName);
    expect(steps).toEqual([
      {
        from: `${DESK} (Trung tâm Phục vụ hành chính công)`,
        to: 'Sở Nông nghiệp và Môi trường',
        at: iso('2026-02-09T08:00'),
        actor: 'Lê Văn Nhận',
        timeliness: 'early',
        notes: [],
      },
      {
        from: 'Sở Nông nghiệp và Môi trường',
        to: 'Phường Ninh Kiều',
        at: iso('2026-02-10T09:00'),
        actor: 'Phạm Thị Chuyển',
        timeliness: 'early',
        notes: ['Yêu cầu bổ sung 10:00 10/02/2026: Thiếu bản sao giấy chứng nhận', 'Nhận bổ sung 15:00 13/02/2026'],
      },
      {
        from: 'Phường Ninh Kiều',
        to: DESK,
        at: iso('2026-02-25T14:00'),
        actor: 'Đỗ Văn Giải',
        timeliness: 'on_time',
        notes: [],
      },
      {
        from: DESK,
        to: 'Trần Thị Bích',
        at: iso('2026-02-26T09:00'),
        actor: 'Lê Văn Nhận',
        timeliness: 'late',
        notes: [],
      },
    ]);
  });

  it('when the supplement moved the deadline, then a step after it is judged against the new deadline, not the first one', () => {
    const events = [
      event('receive', '2026-02-09T08:00', 'A', { dueAt: iso('2026-02-12T08:00') }),
      event('request_supplement', '2026-02-10T10:00', 'A', { reason: 'Thiếu tờ khai', items: ['Tờ khai'] }),
      event('receive_supplement', '2026-02-13T15:00', 'A', { dueAt: iso('2026-02-25T15:00') }),
      // 24/02 is after the first deadline (12/02) but before the new one (25/02)
      event('resolve', '2026-02-24T10:00', 'B', { outcome: 'approved' }),
    ];
    const steps = controlSlipSteps(dossier({ agency_code: 'LAND', received_agency_code: 'LAND' }), events, agencyName);
    expect(steps.map((s) => s.timeliness)).toEqual(['early', 'early']);
    expect(steps[1]).toMatchObject({ from: 'Sở Nông nghiệp và Môi trường', to: DESK });
    expect(steps[0].notes).toEqual(['Yêu cầu bổ sung 10:00 10/02/2026: Thiếu tờ khai', 'Nhận bổ sung 15:00 13/02/2026']);
  });

  it('when a dossier is paused and resumed, then the pause and its reason are notes and the resumed deadline judges the result', () => {
    const events = [
      event('receive', '2026-01-05T08:00', 'A', { dueAt: iso('2026-01-16T08:00') }),
      event('pause', '2026-01-07T10:00', 'A', { reason: 'Chờ thực hiện nghĩa vụ tài chính', remainingMinutes: 3480 }),
      event('resume', '2026-01-12T14:00', 'A', { dueBefore: iso('2026-01-16T08:00'), dueAt: iso('2026-01-22T10:00') }),
      event('resolve', '2026-01-22T10:00', 'B', { outcome: 'refused', reason: 'Không đủ điều kiện', late: false }),
      event('return', '2026-01-22T10:30', 'A'),
    ];
    const steps = controlSlipSteps(dossier({ agency_code: 'LAND', received_agency_code: 'LAND' }), events, agencyName);
    expect(steps).toHaveLength(3);
    expect(steps[0].from).toBe(`${DESK} (Sở Nông nghiệp và Môi trường)`);
    expect(steps[0].notes).toEqual(['Tạm dừng 10:00 07/01/2026: Chờ thực hiện nghĩa vụ tài chính', 'Tiếp tục 14:00 12/01/2026']);
    expect(steps[1]).toMatchObject({ timeliness: 'on_time', notes: ['Từ chối: Không đủ điều kiện'] });
    expect(steps[2].timeliness).toBe('late');
  });

  it('when the citizen withdraws, then it is a note on the last hand-over and no step is added', () => {
    const events = [
      event('receive', '2026-02-09T08:00', 'A', { dueAt: iso('2026-02-12T08:00') }),
      event('request_supplement', '2026-02-10T10:00', 'A', { reason: 'Thiếu tờ khai', items: ['Tờ khai'] }),
      event('withdraw', '2026-02-11T09:00', 'A', { reason: 'Công dân có đơn xin rút' }),
    ];
    const steps = controlSlipSteps(dossier({ agency_code: 'LAND', received_agency_code: 'LAND', status: 'withdrawn' }), events, agencyName);
    expect(steps).toHaveLength(1);
    expect(steps[0].notes).toEqual(['Yêu cầu bổ sung 10:00 10/02/2026: Thiếu tờ khai', 'Công dân rút hồ sơ 09:00 11/02/2026: Công dân có đơn xin rút']);
  });

  it('when there are two transfers, then the chain of holders follows them', () => {
    const events = [
      event('receive', '2026-02-09T08:00', 'A', { dueAt: iso('2026-02-12T08:00') }),
      event('transfer', '2026-02-09T09:00', 'A', { fromAgencyCode: 'LAND', toAgencyCode: 'WARD' }),
      event('transfer', '2026-02-12T08:00', 'B', { fromAgencyCode: 'WARD', toAgencyCode: 'CENTRE' }),
      event('resolve', '2026-02-12T08:30', 'C', { outcome: 'approved', late: true }),
    ];
    const steps = controlSlipSteps(dossier({ agency_code: 'CENTRE', received_agency_code: 'LAND' }), events, agencyName);
    expect(steps.map((s) => [s.from, s.to, s.timeliness])).toEqual([
      [`${DESK} (Sở Nông nghiệp và Môi trường)`, 'Sở Nông nghiệp và Môi trường', 'early'],
      ['Sở Nông nghiệp và Môi trường', 'Phường Ninh Kiều', 'early'],
      ['Phường Ninh Kiều', 'Trung tâm Phục vụ hành chính công', 'on_time'],
      ['Trung tâm Phục vụ hành chính công', DESK, 'late'],
    ]);
  });
});

describe('coordinatingAgencies', () => {
  it('when the dossier went land → ward → centre and the centre resolves it, then land and the ward co-ordinated, in that order, once each', () => {
    const events = [
      event('receive', '2026-02-09T08:00', 'Lê Văn Nhận'),
      event('transfer', '2026-02-10T09:00', 'A', { fromAgencyCode: 'LAND', toAgencyCode: 'WARD' }),
      event('transfer', '2026-02-11T09:00', 'B', { fromAgencyCode: 'WARD', toAgencyCode: 'LAND' }),
      event('transfer', '2026-02-12T09:00', 'C', { fromAgencyCode: 'LAND', toAgencyCode: 'CENTRE' }),
    ];
    expect(coordinatingAgencies(dossier({ agency_code: 'CENTRE' }), events)).toEqual(['LAND', 'WARD']);
  });

  it('when it was never transferred, then none', () => {
    expect(coordinatingAgencies(dossier(), [event('receive', '2026-02-09T08:00', 'Lê Văn Nhận')])).toEqual([]);
  });
});

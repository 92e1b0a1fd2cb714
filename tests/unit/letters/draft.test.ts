import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/calendar/working-time';
import { formRegimes, regimeOn as regimeIn } from '../../../src/forms/regime';
import {
  addresseeFor,
  apologyHorizon,
  defaultSignerTitle,
  draftWindowReached,
  emailText,
  endOfWorkingDay,
  letterDocument,
  proposeAppointment,
  proposalOvertaken,
  sentInTime,
  letterDeadline,
  workingDaysLate,
  formatMinutes,
  resolveTemplate,
  salutationOf,
  smsText,
  stripDiacritics,
  vnDateTimeWords,
  vnDateWords,
  PLACEHOLDERS,
  type LetterFacts,
} from '../../../src/letters/draft';
import { renderText, unknownPlaceholders } from '../../../src/forms/texts';
import { OFFICIAL_2024_2026 } from '../calendar/fixtures';

const regimeOn = (localDate: string) => regimeIn(formRegimes(), localDate);
/** A wall-clock reading in Vietnam (UTC+7) as an instant. */
const vn = (local: string) => new Date(`${local}:00+07:00`);
const cal = new WorkCalendar({ entries: OFFICIAL_2024_2026 });

function facts(over: Partial<LetterFacts> = {}): LetterFacts {
  return {
    status: 'issued',
    number: '15/XL',
    issuedAt: vn('2026-03-05T09:00').toISOString(),
    agencyName: 'Sở Nông nghiệp và Môi trường',
    parentName: 'Ủy ban nhân dân thành phố Cần Thơ',
    placeName: 'Cần Thơ',
    addresseeName: 'Ông/Bà Trần Thị Bích',
    addresseeAddress: 'Số 12 đường 30/4, phường Ninh Kiều',
    applicantName: 'Trần Thị Bích',
    dossierCode: '000.00.05.H13-260213-0001',
    procedureName: 'Đăng ký đất đai lần đầu',
    receivedAt: vn('2026-02-13T10:00').toISOString(),
    originalAppointmentAt: vn('2026-03-04T10:00').toISOString(),
    newAppointmentAt: vn('2026-03-09T17:00').toISOString(),
    reason: 'Chờ kết quả đo đạc bổ sung của Văn phòng đăng ký đất đai',
    signerTitle: null,
    signerName: 'Lê Văn Thành',
    regime: regimeOn('2026-02-13'),
    ...over,
  };
}

describe('dates in words', () => {
  it('when a date is written in a document, then days below 10 and the months 1–2 take a zero, other months do not', () => {
    expect(vnDateWords(vn('2026-03-05T10:00'))).toBe('ngày 05 tháng 3 năm 2026');
    expect(vnDateWords(vn('2026-02-27T10:00'))).toBe('ngày 27 tháng 02 năm 2026');
    expect(vnDateWords(vn('2026-12-15T10:00'))).toBe('ngày 15 tháng 12 năm 2026');
  });

  it('when an instant is late in the UTC day, then its Vietnamese date and time are used', () => {
    expect(vnDateTimeWords(new Date('2026-02-26T20:15:00Z'))).toBe('03 giờ 15 phút, ngày 27 tháng 02 năm 2026');
    expect(vnDateTimeWords(vn('2026-03-09T17:00'))).toBe('17 giờ 00 phút, ngày 09 tháng 3 năm 2026');
  });
});

describe('the proposed new appointment', () => {
  it('when a dossier is due soon before Tết, then the unused time is added after the deadline, skipping Tết, to the close of that day', () => {
    const p = proposeAppointment(cal, { now: vn('2026-02-12T10:00'), dueAt: vn('2026-02-13T10:00'), clockRunning: true, remainingMinutes: null });
    expect(p.unusedMinutes).toBe(450);
    expect(p.extensionMinutes).toBe(450);
    expect(p.from).toEqual(vn('2026-02-13T10:00'));
    // Fri 13/02 10:00 + 450 working minutes: 300 on Friday, Tết 16–20/02 and the weekend skipped, Mon 23/02 10:00
    expect(p.at).toEqual(vn('2026-02-23T17:00'));
    expect(p.note).toContain('17:00 23/02/2026');
  });

  it('when a dossier is already late, then at least one working day is added after the day of drafting, landing at 17:00', () => {
    const p = proposeAppointment(cal, { now: vn('2026-02-11T09:00'), dueAt: vn('2026-02-09T10:00'), clockRunning: true, remainingMinutes: null });
    expect(p.unusedMinutes).toBe(0);
    expect(p.from).toEqual(vn('2026-02-11T17:00'));
    expect(p.at).toEqual(vn('2026-02-12T17:00'));
    expect(p.note).toBe(
      'Đề xuất của hệ thống: thời hạn còn 0 phút làm việc chưa dùng; cộng 1 ngày làm việc sau ngày lập dự thảo (09:00 11/02/2026), ' +
        'trả vào cuối ngày làm việc: 17:00 12/02/2026.',
    );
  });

  it('when a late dossier\'s letter is drafted before the desk opens, then the appointment is the next working day\'s close, not that day\'s', () => {
    // Friday 04/12/2026 01:30, the night's sweep: the head issues it that day, the citizen comes on Monday.
    const p = proposeAppointment(cal, { now: vn('2026-12-04T01:30'), dueAt: vn('2026-11-25T07:57'), clockRunning: true, remainingMinutes: null });
    expect(p.at).toEqual(vn('2026-12-07T17:00'));
    // After closing, the letter is the next working day's: Wednesday 18:00 → Friday.
    expect(proposeAppointment(cal, { now: vn('2026-03-04T18:00'), dueAt: vn('2026-03-02T09:00'), clockRunning: true, remainingMinutes: null }).at).toEqual(vn('2026-03-06T17:00'));
  });

  it('when a second letter replaces an earlier appointment, then the note names it as that appointment, not the deadline', () => {
    const p = proposeAppointment(cal, { now: vn('2026-03-02T09:00'), dueAt: vn('2026-03-04T16:00'), dueName: 'ngày hẹn đã hẹn lại', clockRunning: true, remainingMinutes: null });
    // Mon 09:00 → Wed 16:00: 2 days 300 minutes unused → 3 days from Wed 16:00 → Mon 09/03 16:00 → its close.
    expect(p.unusedMinutes).toBe(2 * 450 + 300);
    expect(p.at).toEqual(vn('2026-03-09T17:00'));
    expect(p.note).toContain('thời hạn còn 2 ngày 5 giờ làm việc chưa dùng; cộng 3 ngày làm việc kể từ 16:00 04/03/2026 (ngày hẹn đã hẹn lại)');
  });

  it('when working minutes are written out, then days, hours and minutes are named', () => {
    expect(formatMinutes(0, 450)).toBe('0 phút làm việc');
    expect(formatMinutes(45, 450)).toBe('45 phút làm việc');
    expect(formatMinutes(270, 450)).toBe('4 giờ 30 phút làm việc');
    expect(formatMinutes(450, 450)).toBe('1 ngày làm việc');
    expect(formatMinutes(4 * 450 + 390, 450)).toBe('4 ngày 6 giờ 30 phút làm việc');
  });

  it('when the clock is stopped with 1,000 minutes left, then three whole working days are proposed', () => {
    const p = proposeAppointment(cal, { now: vn('2026-03-02T08:00'), dueAt: vn('2026-03-02T09:00'), clockRunning: false, remainingMinutes: 1000 });
    expect(p.extensionMinutes).toBe(1350);
    // from Mon 02/03 09:00 + 3 days → Thu 05/03 09:00 → close of Thu 05/03
    expect(p.at).toEqual(vn('2026-03-05T17:00'));
  });

  it('when the sum ends exactly at a closing time, then the appointment stays on that day', () => {
    expect(endOfWorkingDay(cal, vn('2026-03-05T11:30'))).toEqual(vn('2026-03-05T17:00'));
    expect(endOfWorkingDay(cal, vn('2026-03-05T17:00'))).toEqual(vn('2026-03-05T17:00'));
    expect(endOfWorkingDay(cal, vn('2026-03-07T10:00'))).toEqual(vn('2026-03-09T17:00')); // Saturday → Monday
    expect(endOfWorkingDay(cal, vn('2026-03-05T18:00'))).toEqual(vn('2026-03-06T17:00')); // after closing → next day
  });
});

describe('when the sweep drafts a due-soon letter', () => {
  it('when a dossier of 4 working hours is received Mon 09/02/2026 08:00 (due 14:00), then no draft until half its time is gone (10:00), one after', () => {
    const due = vn('2026-02-09T14:00');
    expect(draftWindowReached(cal, vn('2026-02-09T08:00'), due, 240)).toBe(false);
    expect(draftWindowReached(cal, vn('2026-02-09T09:59'), due, 240)).toBe(false);
    expect(draftWindowReached(cal, vn('2026-02-09T10:00'), due, 240)).toBe(true);
    expect(draftWindowReached(cal, vn('2026-02-09T14:30'), due, 240)).toBe(true);
  });

  it('when a dossier has two working days or more, then the window is one working day (SPEC §5), across a weekend', () => {
    // Due Mon 09/02 08:00: Fri 06/02 08:00 is 450 working minutes before, 07:59 451.
    const due = vn('2026-02-09T08:00');
    expect(draftWindowReached(cal, vn('2026-02-06T08:00'), due, 3 * 450)).toBe(true);
    expect(draftWindowReached(cal, vn('2026-02-06T07:59'), due, 3 * 450)).toBe(false);
    expect(draftWindowReached(cal, vn('2026-02-06T08:00'), due, 2 * 450)).toBe(true);
    // One working day: half of it, 225 minutes: 30 on Monday morning and 195 from Fri 13:45.
    expect(draftWindowReached(cal, vn('2026-02-06T13:45'), due, 450)).toBe(true);
    expect(draftWindowReached(cal, vn('2026-02-06T13:44'), due, 450)).toBe(false);
  });
});

describe('addressee and signer', () => {
  it('when the applicant is a person, then the letter is addressed to Ông/Bà; an organisation keeps its name', () => {
    expect(addresseeFor('Trần Thị Bích')).toBe('Ông/Bà Trần Thị Bích');
    expect(addresseeFor('Công ty TNHH Xây dựng Phú Lợi')).toBe('Công ty TNHH Xây dựng Phú Lợi');
    expect(addresseeFor('Hợp tác xã Nông nghiệp Mỹ Khánh')).toBe('Hợp tác xã Nông nghiệp Mỹ Khánh');
    expect(salutationOf('Ông/Bà Trần Thị Bích')).toBe('Ông/Bà');
    expect(salutationOf('Bà Trần Thị Bích')).toBe('Bà');
    expect(salutationOf('Công ty TNHH Xây dựng Phú Lợi')).toBe('Quý tổ chức');
    // A household is named as it is and addressed as a person ("Ông/Bà Hộ ông …" was written); a household business is an organisation.
    expect(addresseeFor('Hộ ông Đặng Văn Tư và bà Lê Thị Hoa')).toBe('Hộ ông Đặng Văn Tư và bà Lê Thị Hoa');
    expect(salutationOf('Hộ ông Đặng Văn Tư và bà Lê Thị Hoa')).toBe('Ông/Bà');
    expect(salutationOf(addresseeFor('Hộ kinh doanh Tư Hoa'))).toBe('Quý tổ chức');
  });

  it('when no signer title is set, then it follows the kind of agency', () => {
    expect(defaultSignerTitle('Sở Nông nghiệp và Môi trường')).toBe('Giám đốc');
    expect(defaultSignerTitle('Phường Ninh Kiều')).toBe('Chủ tịch');
    expect(defaultSignerTitle('Công an thành phố')).toBe('Thủ trưởng cơ quan, đơn vị');
  });
});

describe('templates', () => {
  it('when a template names a placeholder that does not exist, then it is reported and left as written', () => {
    expect(unknownPlaceholders('Kính gửi {{nguoi_nhan}}, hồ sơ {{ma_ho_so}} {{ngay_hen}} {{ ten }}', PLACEHOLDERS)).toEqual(['ngay_hen', 'ten']);
    expect(renderText('{{ma_ho_so}} / {{khong_co}}', { ma_ho_so: 'X-1' })).toBe('X-1 / {{khong_co}}');
  });

  it('when the receipt falls under Thông tư 01/2018 or 03/2025, then the default title follows it', () => {
    expect(resolveTemplate(regimeOn('2025-09-14')).title).toBe('Phiếu xin lỗi và hẹn lại ngày trả kết quả');
    expect(resolveTemplate(regimeOn('2025-09-15')).title).toBe('Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết');
  });

  it("when an agency's template sets some fields, then they win over the common one, and empty ones fall through", () => {
    const t = resolveTemplate(regimeOn('2026-01-05'), { numberSuffix: 'XL-STNMT', body: '  ' }, { numberSuffix: 'XL-CT', signerTitle: 'Giám đốc', sms: 'Hồ sơ {{ma_ho_so}}' });
    expect(t.numberSuffix).toBe('XL-STNMT');
    expect(t.signerTitle).toBe('Giám đốc');
    expect(t.sms).toBe('Hồ sơ {{ma_ho_so}}');
    expect(t.body).toContain('{{ly_do}}');
  });
});

describe('the letter document', () => {
  const t = resolveTemplate(regimeOn('2026-02-13'));

  it('when a letter is issued, then the number, the place and date, the addressee, the reason and the new date in words are in it', () => {
    const doc = letterDocument(facts(), t);
    expect(doc.isDraft).toBe(false);
    expect(doc.formNo).toBe('Mẫu số 04 – Thông tư số 03/2025/TT-VPCP');
    expect(doc.numberLine).toBe('Số: 15/XL');
    expect(doc.date).toEqual({ day: '05', monthInText: '3', year: '2026' });
    expect(doc.addressee).toBe('Ông/Bà Trần Thị Bích');
    expect(doc.paragraphs[0]).toBe(
      'Vào ngày 13 tháng 02 năm 2026, Sở Nông nghiệp và Môi trường tiếp nhận giải quyết hồ sơ đề nghị giải quyết thủ tục hành chính: ' +
        'Đăng ký đất đai lần đầu của Ông/Bà Trần Thị Bích; Mã hồ sơ: 000.00.05.H13-260213-0001.',
    );
    expect(doc.paragraphs[1]).toBe('Thời hạn trả kết quả giải quyết hồ sơ: 10 giờ 00 phút, ngày 04 tháng 3 năm 2026.');
    expect(doc.paragraphs).toContain('Lý do: Chờ kết quả đo đạc bổ sung của Văn phòng đăng ký đất đai');
    expect(doc.paragraphs.join(' ')).toContain('thời hạn trả kết quả mới là 17 giờ 00 phút, ngày 09 tháng 3 năm 2026.');
    expect(doc.recipients).toEqual(['Như trên;', 'Lưu: VT, Bộ phận Một cửa.']);
    expect(doc.signerTitle).toBe('Giám đốc');
    expect(doc.signerName).toBe('Lê Văn Thành');
  });

  it('when a letter is a draft without a reason, then the number and date are left blank and the reason is dotted', () => {
    const doc = letterDocument(facts({ status: 'draft', number: null, issuedAt: null, reason: null }), t);
    expect(doc.isDraft).toBe(true);
    expect(doc.numberLine).toBe('Số: ……/XL');
    expect(doc.date).toEqual({ day: '……', monthInText: '……', year: '……' });
    expect(doc.paragraphs).toContain('Lý do: ……………………');
  });

  it('when an issued letter has a frozen body, then a later template change does not alter it', () => {
    const doc = letterDocument(facts(), resolveTemplate(regimeOn('2026-02-13'), { body: 'Mới {{ma_ho_so}}' }), { body: 'Đoạn một\nĐoạn hai' });
    expect(doc.paragraphs).toEqual(['Đoạn một', 'Đoạn hai']);
  });
});

describe('the short texts', () => {
  const t = resolveTemplate(regimeOn('2026-02-13'));

  it('when the reason is short, then the SMS is one plain ASCII message with the code, both dates and the whole reason', () => {
    const sms = smsText(facts({ reason: 'Cho do dac' }), t);
    expect(sms).toBe(
      'Xin loi Ong/Ba: ho so 000.00.05.H13-260213-0001 chua co ket qua dung hen 10:00 04/03/2026. Hen tra ket qua moi: 17:00 09/03/2026. Ly do: Cho do dac',
    );
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms).toMatch(/^[\x20-\x7E]+$/);
  });

  it('when the reason is long, then the SMS is cut at a word to 160 characters and ends with "..."', () => {
    const sms = smsText(facts({ reason: 'Hồ sơ phải lấy ý kiến của nhiều cơ quan liên quan về quy hoạch, ranh giới thửa đất và nghĩa vụ tài chính' }), t);
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms.endsWith('...')).toBe(true);
    expect(sms).toContain('Hen tra ket qua moi: 17:00 09/03/2026. Ly do: Ho so phai lay');
  });

  it('when Vietnamese text is stripped, then đ and every tone mark go', () => {
    expect(stripDiacritics('Đường Nguyễn Trãi, Hồ sơ đã được giải quyết – cảm ơn')).toBe('Duong Nguyen Trai, Ho so da duoc giai quyet - cam on');
  });

  it('when the e-mail is written, then its subject names the dossier and the number and its text is the letter', () => {
    const mail = emailText(facts(), t);
    expect(mail.subject).toBe('Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết – hồ sơ 000.00.05.H13-260213-0001 (số 15/XL)');
    expect(mail.text.split('\n').slice(0, 4)).toEqual(['Sở Nông nghiệp và Môi trường', 'Số: 15/XL', '', 'Kính gửi: Ông/Bà Trần Thị Bích']);
    expect(mail.text).toContain('Lý do: Chờ kết quả đo đạc bổ sung');
    expect(mail.text.endsWith('GIÁM ĐỐC\nLê Văn Thành')).toBe(true);
  });
});

describe("a draft's new appointment the clock has overtaken", () => {
  const letter = (newAt: string, proposedAt = newAt) => ({ new_appointment_at: newAt, proposed_appointment_at: proposedAt });
  it('when the draft\'s date is no later than now or the appointment already given, then it is overtaken', () => {
    expect(proposalOvertaken(letter('2026-06-26T10:00:00.000Z'), '2026-06-30T10:00:00.000Z', '2026-06-29T02:00:00.000Z')).toBe(true);
    expect(proposalOvertaken(letter('2026-06-29T02:00:00.000Z', 'x'), '2026-06-30T10:00:00.000Z', '2026-06-29T02:00:00.000Z')).toBe(true);
  });
  it("when the system's own proposal is ahead but the engine now proposes later, then it is overtaken; a date the head typed is kept", () => {
    expect(proposalOvertaken(letter('2026-06-30T03:00:00.000Z'), '2026-06-30T10:00:00.000Z', '2026-06-29T02:00:00.000Z')).toBe(true);
    expect(proposalOvertaken(letter('2026-06-30T03:00:00.000Z', '2026-06-26T10:00:00.000Z'), '2026-06-30T10:00:00.000Z', '2026-06-29T02:00:00.000Z')).toBe(false);
    expect(proposalOvertaken(letter('2026-07-01T10:00:00.000Z'), '2026-06-30T10:00:00.000Z', '2026-06-29T02:00:00.000Z')).toBe(false);
  });
});

describe('how long a late dossier is past its deadline', () => {
  it('when the clock runs, then the working time since the deadline, over Tết: due Thu 12/02 10:00, read Mon 23/02 10:00 = 2 days', () => {
    const d = { status: 'processing' as const, due_at: vn('2026-02-12T10:00').toISOString(), remaining_minutes: null };
    expect(workingDaysLate(cal, d, vn('2026-02-23T10:00'))).toBe(2);
  });
  it('when it was paused an hour after its deadline, then it stays an hour late however long the pause lasts', () => {
    const d = { status: 'paused' as const, due_at: vn('2026-02-09T14:00').toISOString(), remaining_minutes: -60 };
    expect(workingDaysLate(cal, d, vn('2026-02-11T09:00'))).toBe(60 / 450);
    expect(workingDaysLate(cal, { ...d, status: 'awaiting_supplement' as const }, vn('2026-03-11T09:00'))).toBe(60 / 450);
  });
});

describe('apologyHorizon: the latest deadline whose apology is owed now (APOLOGY_FROM)', () => {
  const iso = (d: Date) => d.toISOString();

  it('when due_soon (SPEC §5), then one working day from now; when day_before (the law), the close of the working day after today', () => {
    expect(iso(apologyHorizon(cal, vn('2026-02-02T09:00'), 'due_soon'))).toBe(iso(vn('2026-02-03T09:00')));
    expect(iso(apologyHorizon(cal, vn('2026-02-02T09:00'), 'day_before'))).toBe(iso(vn('2026-02-03T17:00')));
    // from the opening: a dossier due at 17:00 the next day is owed its letter the whole day before
    expect(iso(apologyHorizon(cal, vn('2026-02-02T07:30'), 'day_before'))).toBe(iso(vn('2026-02-03T17:00')));
    expect(iso(apologyHorizon(cal, vn('2026-02-02T16:59'), 'due_soon'))).toBe(iso(vn('2026-02-03T16:59')));
  });

  it('when the working day is over, or it is a day off, then day_before counts from the next working day, across the weekend and Tết', () => {
    expect(iso(apologyHorizon(cal, vn('2026-02-02T17:00'), 'day_before'))).toBe(iso(vn('2026-02-04T17:00')));
    expect(iso(apologyHorizon(cal, vn('2026-02-06T10:00'), 'day_before'))).toBe(iso(vn('2026-02-09T17:00')));
    expect(iso(apologyHorizon(cal, vn('2026-02-07T10:00'), 'day_before'))).toBe(iso(vn('2026-02-10T17:00')));
    // Fri 13/02/2026, Tết 14–22/02: the next working day is Mon 23/02
    expect(iso(apologyHorizon(cal, vn('2026-02-13T10:00'), 'day_before'))).toBe(iso(vn('2026-02-23T17:00')));
    expect(iso(apologyHorizon(cal, vn('2026-02-13T10:00'), 'due_soon'))).toBe(iso(vn('2026-02-23T10:00')));
  });

  it('when the horizon is given, then a dossier of three working days due at 17:00 the next day is in the draft window from the opening; short ones still wait for half their time', () => {
    const due = vn('2026-02-03T17:00');
    expect(draftWindowReached(cal, vn('2026-02-02T07:30'), due, 3 * 450)).toBe(false);
    expect(draftWindowReached(cal, vn('2026-02-02T07:30'), due, 3 * 450, apologyHorizon(cal, vn('2026-02-02T07:30'), 'day_before'))).toBe(true);
    expect(draftWindowReached(cal, vn('2026-02-02T07:30'), due, 3 * 450, apologyHorizon(cal, vn('2026-02-02T07:30'), 'due_soon'))).toBe(false);
    // 4 working hours, due Mon 09/02 14:00: half its time, whatever the horizon
    const short = vn('2026-02-09T14:00');
    expect(draftWindowReached(cal, vn('2026-02-09T09:59'), short, 240, apologyHorizon(cal, vn('2026-02-09T09:59'), 'day_before'))).toBe(false);
    expect(draftWindowReached(cal, vn('2026-02-09T10:00'), short, 240, apologyHorizon(cal, vn('2026-02-09T10:00'), 'day_before'))).toBe(true);
  });
});

describe('sentInTime: a letter goes out no later than one day before the deadline (local days, UTC+7)', () => {
  it("is in time on any local day before the deadline's, and late from the first minute of that day", () => {
    const due = '2026-09-16T10:00:00.000Z'; // Wed 16/09 17:00 in Vietnam
    expect(sentInTime('2026-09-15T16:59:59.000Z', due)).toBe(true); // Tue 23:59:59
    expect(sentInTime('2026-09-15T17:00:00.000Z', due)).toBe(false); // Wed 00:00
    expect(sentInTime(new Date('2026-09-17T01:00:00.000Z'), due)).toBe(false);
  });
});

describe('letterDeadline: what a letter is judged against', () => {
  it('when the letter is the first, then its dossier\'s deadline; when a further one, then the appointment it moves', () => {
    const due = '2026-10-07T10:00:00.000Z';
    expect(letterDeadline({ seq: 1, original_appointment_at: due }, due)).toBe(due);
    expect(letterDeadline({ seq: 2, original_appointment_at: '2026-10-12T10:00:00.000Z' }, due)).toBe('2026-10-12T10:00:00.000Z');
    // Sent Friday 09/10 for Monday's appointment: in time, though days after the deadline.
    expect(sentInTime('2026-10-09T02:00:00.000Z', letterDeadline({ seq: 2, original_appointment_at: '2026-10-12T10:00:00.000Z' }, due))).toBe(true);
    expect(sentInTime('2026-10-09T02:00:00.000Z', due)).toBe(false);
  });
});

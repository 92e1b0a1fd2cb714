import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../src/calendar/schedule';
import { NOT_UTF8 } from '../../../src/imports/csv-records';

// The copy the seeds ship (seeds/data), of ../shared/data/vn-days-off.csv.
const SHIPPED = path.resolve(import.meta.dirname, '../../../seeds/data/vn-days-off.csv');

const problemsOf = (text: string) => {
  const parsed = parseSchedule(text);
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems;
};

describe('parseSchedule', () => {
  it('when the shipped schedule of 2024–2026 is read, then every one of its days comes back, sorted, with its years', () => {
    const text = fs.readFileSync(SHIPPED, 'utf8');
    const parsed = parseSchedule(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const lines = text.trim().split(/\r?\n/).length - 1;
    expect(parsed.entries).toHaveLength(lines);
    expect(parsed.years).toEqual([2024, 2025, 2026]);
    expect(parsed.entries.find((e) => e.date === '2026-01-10')).toEqual({
      date: '2026-01-10',
      kind: 'working_day',
      name: 'Làm bù cho ngày 2/1/2026',
      source: 'Công văn 12729/VPCP-KGVX ngày 25/12/2025',
    });
  });

  it('when a spreadsheet writes dates dd/mm/yyyy, kinds in Vietnamese, columns in another order and no source, then it is read the same', () => {
    const ok = parseSchedule('\ufeffName,Kind,Date\r\n"Tết Nguyên đán Đinh Mùi (mùng 1)",Lễ,06/02/2027\r\nLàm bù cho ngày 12/02/2027,làm bù,20/2/2027\r\nNghỉ hoán đổi,Nghỉ bù,2027-02-12\r\n');
    expect(ok).toEqual({
      ok: true,
      years: [2027],
      entries: [
        { date: '2027-02-06', kind: 'holiday', name: 'Tết Nguyên đán Đinh Mùi (mùng 1)', source: '' },
        { date: '2027-02-12', kind: 'day_off', name: 'Nghỉ hoán đổi', source: '' },
        { date: '2027-02-20', kind: 'working_day', name: 'Làm bù cho ngày 12/02/2027', source: '' },
      ],
    });
  });

  it('when the kinds are written as the admin page names them, or as "ngày lễ", or with decomposed marks, then they are read', () => {
    const ok = parseSchedule(
      [
        'date,kind,name,source',
        '05/02/2027,ngày lễ,Tết Nguyên đán,TB 2027',
        '08/02/2027,"Ngày lễ, Tết",Tết Nguyên đán,TB 2027',
        '04/02/2027,"Ngày nghỉ (nghỉ bù, hoán đổi)",Nghỉ hoán đổi,TB 2027',
        `11/02/2027,${'Ngày  nghỉ bù'.normalize('NFD')},Nghỉ bù,TB 2027`,
        '20/02/2027,Ngày làm bù,Làm bù,TB 2027',
      ].join('\n'),
    );
    expect(ok.ok && ok.entries.map((e) => `${e.date} ${e.kind}`)).toEqual([
      '2027-02-04 day_off',
      '2027-02-05 holiday',
      '2027-02-08 holiday',
      '2027-02-11 day_off',
      '2027-02-20 working_day',
    ]);
  });

  it('when Excel on a Windows set to Vietnamese saved it with ";" between cells, then it is read the same, a name holding a comma kept whole', () => {
    const ok = parseSchedule('\ufeffdate;kind;name;source\r\n06/02/2027;Lễ;Tết Nguyên đán, mùng 1;QĐ 1/2026\r\n20/2/2027;làm bù;Làm bù cho ngày 12/02/2027;\r\n');
    expect(ok).toEqual({
      ok: true,
      years: [2027],
      entries: [
        { date: '2027-02-06', kind: 'holiday', name: 'Tết Nguyên đán, mùng 1', source: 'QĐ 1/2026' },
        { date: '2027-02-20', kind: 'working_day', name: 'Làm bù cho ngày 12/02/2027', source: '' },
      ],
    });
  });

  it('when rows are wrong, then every problem is named with its line and nothing is taken', () => {
    const problems = problemsOf(
      [
        'date,kind,name,source',
        '2027-02-30,holiday,Ngày không có,',
        '2027-02-06,party,Tết,',
        '2027-02-08,working_day,Làm bù,', // a Monday
        '2027-02-06,holiday,Tết lần hai,',
        '1999-01-01,holiday,Quá xa,',
        '2027-02-07,holiday,,',
        '2027-02-09,holiday,Tết,Nguồn\u0007',
      ].join('\n'),
    );
    expect(problems).toEqual([
      { line: 2, text: 'Ngày "2027-02-30" không có trên lịch hoặc không đúng dạng YYYY-MM-DD hay dd/mm/yyyy.' },
      { line: 3, text: 'Loại ngày "party" không hợp lệ: holiday (lễ, Tết), day_off (nghỉ bù, hoán đổi) hoặc working_day (làm bù).' },
      { line: 4, text: 'Ngày làm bù 2027-02-08 không phải thứ Bảy hay Chủ nhật.' },
      { line: 5, text: 'Ngày 2027-02-06 đã có ở dòng 3.' },
      { line: 6, text: 'Năm 1999 nằm ngoài khoảng 2000–2100.' },
      { line: 7, text: 'Thiếu tên ngày (cột name).' },
      { line: 8, text: 'Chứa ký tự điều khiển không hợp lệ.' },
    ]);
  });

  it('when the file is empty, has no header, only a header, or an unclosed quote, then one problem says so', () => {
    expect(problemsOf('')).toEqual([{ line: null, text: 'Tệp trống: cần dòng tiêu đề date,kind,name,source và ít nhất một ngày.' }]);
    expect(problemsOf('2027-02-06,holiday,Tết\n')).toEqual([
      { line: 1, text: 'Dòng tiêu đề phải có các cột date, kind, name, source (cột source có thể bỏ); thiếu cột date, kind, name.' },
    ]);
    expect(problemsOf('date,kind,name\n\n')).toEqual([{ line: null, text: 'Tệp không có ngày nào dưới dòng tiêu đề.' }]);
    expect(problemsOf('date,kind,name\n2027-02-06,holiday,"Tết\n')).toEqual([
      { line: 2, text: 'Tệp CSV lỗi ở dòng 2: có dấu ngoặc kép mở mà không đóng.' },
    ]);
  });

  it('when the file is not UTF-8, then the line of its first unreadable letter is named and nothing is taken', () => {
    // "Tết Nguyên đán" written by a program of one byte a letter (ế is no single byte there: a Latin-1 "é" stands in).
    const text = Buffer.concat([Buffer.from('date,kind,name\n2027-02-06,holiday,T'), Buffer.from([0xe9]), Buffer.from('t\n')]).toString('utf8');
    expect(problemsOf(text)).toEqual([{ line: 2, text: `Dòng 2: ${NOT_UTF8}` }]);
  });

  it('when a file is longer than any schedule, then it is refused at the limit', () => {
    const rows = Array.from({ length: 2001 }, (_, i) => `${new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10)},holiday,Ngày ${i}`);
    const problems = problemsOf(`date,kind,name\n${rows.join('\n')}`);
    expect(problems).toEqual([{ line: 2002, text: 'Tệp có quá 2.000 dòng: đây không phải một lịch nghỉ.' }]);
  });
});

import { describe, expect, it } from 'vitest';
import ejs from 'ejs';
import { dateParts, escapeHtml, sheetDateTime, formatDate, formatDateTime, formatNumber, fromLocal, isoLocal, keepNameWordsTogether, localDate, optionTags, weekdayName } from '../../../src/shared/format';
import { loadConfig, parseDatabaseUrl, parsePeriods } from '../../../src/config';
import { formatDossierCode } from '../../../src/dossiers/service';

describe('Vietnamese formats', () => {
  it('when a number has thousands, then they are grouped with dots', () => {
    expect(formatNumber(613655)).toBe('613.655');
    expect(formatNumber(584968)).toBe('584.968');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-1234567)).toBe('-1.234.567');
    expect(formatNumber(1.5)).toBe('1,5');
  });

  it('when an instant is late in the UTC day, then it is shown on the next local day (UTC+7)', () => {
    const at = new Date('2026-02-24T20:30:00Z');
    expect(formatDate(at)).toBe('25/02/2026');
    expect(formatDateTime(at)).toBe('03:30 25/02/2026');
    expect(localDate(at)).toBe('2026-02-25');
    expect(weekdayName(at)).toBe('Thứ Tư');
  });

  it('when an instant is stored as text, then it is shown as the same instant, across a local new year too', () => {
    expect(formatDateTime('2026-12-31T17:30:00.000Z')).toBe('00:30 01/01/2027');
    expect(formatDateTime('2026-12-31T16:59:59.999Z')).toBe('23:59 31/12/2026');
    expect(formatDateTime(new Date('2026-12-31T17:30:00.000Z'))).toBe('00:30 01/01/2027');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('')).toBe('');
  });

  it('when a calendar date string is formatted, then no time zone shifts it', () => {
    expect(formatDate('2026-02-17')).toBe('17/02/2026');
    expect(weekdayName('2026-02-17')).toBe('Thứ Ba');
  });

  it('when the API shows an instant, then it carries the +07:00 offset', () => {
    expect(isoLocal('2026-02-25T03:00:00.000Z')).toBe('2026-02-25T10:00:00+07:00');
    expect(isoLocal(null)).toBeNull();
    expect(fromLocal('2026-02-25', '10:00').toISOString()).toBe('2026-02-25T03:00:00.000Z');
  });

  it('when an instant goes into a spreadsheet, then it is the local clock\'s date and time, late evening on the next local day', () => {
    expect(sheetDateTime('2026-02-12T17:30:00.000Z')).toEqual(new Date('2026-02-13T00:30:00.000Z'));
    expect(sheetDateTime(new Date('2026-02-13T03:00:00.000Z'))).toEqual(new Date('2026-02-13T10:00:00.000Z'));
    expect(sheetDateTime(null)).toBeNull();
  });

  it('when a form prints a time, then it gets hour, minute, day, month and year parts', () => {
    expect(dateParts('2026-02-25T03:05:00.000Z')).toEqual({ hour: '10', minute: '05', day: '25', month: '02', monthInText: '02', year: '2026' });
    expect(dateParts('2026-03-04T03:05:00.000Z')).toMatchObject({ day: '04', month: '03', monthInText: '3' }); // "ngày 04 tháng 3" (Nghị định 30/2020)
  });
});

describe('dossier code', () => {
  it('when received on a local date, then the code carries that yymmdd and a 4-digit sequence', () => {
    expect(formatDossierCode('000.00.05.H13', new Date('2026-02-13T03:00:00Z'), 7)).toBe('000.00.05.H13-260213-0007');
    // 23:30 local on 31/12 is still 2025 locally although UTC says 16:30
    expect(formatDossierCode('X', new Date('2025-12-31T16:30:00Z'), 1)).toBe('X-251231-0001');
    expect(formatDossierCode('X', new Date('2025-12-31T17:30:00Z'), 12345)).toBe('X-260101-12345');
  });
});

describe('config', () => {
  it('when nothing is set, then SQLite in db/onestop.sqlite3 on port 3000 with the standard working periods', () => {
    const c = loadConfig({} as NodeJS.ProcessEnv);
    expect(c.database).toEqual({ client: 'sqlite', filename: 'db/onestop.sqlite3', synchronous: 'FULL' });
    expect(c.port).toBe(3000);
    expect(c.workingPeriods).toEqual([{ start: 450, end: 690 }, { start: 810, end: 1020 }]);
    expect(c.seedDemo).toBe(true);
  });

  it('when production has no SESSION_SECRET, then it refuses to start with a Vietnamese reason', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' } as NodeJS.ProcessEnv)).toThrow(/SESSION_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) } as NodeJS.ProcessEnv).env).toBe('production');
  });

  it('when DATABASE_URL names sqlite or postgres, then the client follows; anything else is refused', () => {
    expect(parseDatabaseUrl('sqlite:/tmp/a.db')).toEqual({ client: 'sqlite', filename: '/tmp/a.db' });
    expect(parseDatabaseUrl('postgres://u@h:5432/d')).toEqual({ client: 'pg', url: 'postgres://u@h:5432/d' });
    expect(() => parseDatabaseUrl('mysql://x')).toThrow(/không được hỗ trợ/);
  });

  it('when SQLITE_SYNCHRONOUS is set, then NORMAL is taken in any case, FULL is the default and anything else is refused in Vietnamese', () => {
    expect(loadConfig({ SQLITE_SYNCHRONOUS: ' normal ' } as NodeJS.ProcessEnv).database).toEqual({ client: 'sqlite', filename: 'db/onestop.sqlite3', synchronous: 'NORMAL' });
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db', SQLITE_SYNCHRONOUS: 'Full' } as NodeJS.ProcessEnv).database).toEqual({ client: 'sqlite', filename: '/tmp/x.db', synchronous: 'FULL' });
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'OFF' } as NodeJS.ProcessEnv)).toThrow(/SQLITE_SYNCHRONOUS chỉ nhận FULL/);
    // PostgreSQL has its own settings (synchronous_commit): the variable does not touch its config.
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/d', SQLITE_SYNCHRONOUS: 'NORMAL' } as NodeJS.ProcessEnv).database).toEqual({ client: 'pg', url: 'postgres://u@h/d' });
  });

  it('when working periods overlap or run backwards, then they are refused', () => {
    expect(parsePeriods('08:00-12:00,13:00-17:00')).toEqual([{ start: 480, end: 720 }, { start: 780, end: 1020 }]);
    expect(() => parsePeriods('08:00-12:00,11:00-17:00')).toThrow();
    expect(() => parsePeriods('12:00-08:00')).toThrow();
  });
});

describe('option tags of a choice list', () => {
  const agencies = [
    { code: 'A1', name: 'Sở Tư pháp' },
    { code: 'B"2', name: 'UBND <Xã> Thạnh Phú & "Tân" Lộc' },
    { code: 'C3', name: "Công an tỉnh 'Cần Thơ'" },
  ];

  it('when nothing is selected, then every choice is an option with its code and escaped name, in order', () => {
    expect(optionTags(agencies)).toBe(
      '<option value="A1">Sở Tư pháp</option>' +
        '<option value="B&#34;2">UBND &lt;Xã&gt; Thạnh Phú &amp; &#34;Tân&#34; Lộc</option>' +
        '<option value="C3">Công an tỉnh &#39;Cần Thơ&#39;</option>',
    );
  });

  it('when a choice is selected and another left out, then only the selected one is marked and the other is missing', () => {
    const html = optionTags(agencies, 'C3', 'A1');
    expect(html).toBe('<option value="B&#34;2">UBND &lt;Xã&gt; Thạnh Phú &amp; &#34;Tân&#34; Lộc</option><option selected value="C3">Công an tỉnh &#39;Cần Thơ&#39;</option>');
    // the kept tags are not changed by a selection: the next page marks nothing
    expect(optionTags(agencies)).not.toContain('selected');
  });

  it('when the catalog gives a new list, then its options are the new ones', () => {
    expect(optionTags(agencies)).toContain('Sở Tư pháp');
    const renamed = [{ code: 'A1', name: 'Sở Tư pháp thành phố' }];
    expect(optionTags(renamed, 'A1')).toBe('<option selected value="A1">Sở Tư pháp thành phố</option>');
  });

  it('when a template writes a value, then it is escaped as EJS escapes it, a text without special characters unchanged', () => {
    const values = [`<a href="x" title='y'>&amp;</a>`, 'Nguyễn Thị Hồng Nhung', '000.01.01.H13-261125-0468', 'a"b', "O'Neil", '&', '', 0, 42.5, false, null, undefined, { toString: () => '<b>' }, ['x', '<y>']];
    for (const value of values) expect(escapeHtml(value), String(value)).toBe(ejs.escapeXML(value));
    const plain = 'Cấp Giấy chứng nhận quyền sử dụng đất';
    expect(escapeHtml(plain)).toBe(plain);
  });

  it('when an instant is written as the database writes it, then read off its text it is formatted as through a Date', () => {
    // Every half hour of three days across a year's end, and the minutes around UTC 17:00, where the local day turns.
    const instants: string[] = [];
    for (let t = Date.UTC(2026, 11, 30); t < Date.UTC(2027, 0, 2); t += 30 * 60_000) instants.push(new Date(t).toISOString());
    for (const m of [-61, -1, 0, 1, 59]) instants.push(new Date(Date.UTC(2026, 1, 28, 17) + m * 60_000).toISOString());
    for (const iso of instants) {
      expect(formatDateTime(iso), iso).toBe(formatDateTime(new Date(iso)));
      expect(formatDate(iso), iso).toBe(formatDate(new Date(iso)));
    }
    expect(formatDateTime('2026-02-28T16:59:00.000Z')).toBe('23:59 28/02/2026');
    expect(formatDateTime('2026-02-28T17:00:00.000Z')).toBe('00:00 01/03/2026');
    // Another way of writing the same instant is parsed.
    expect(formatDateTime('2026-02-28T10:00:00+07:00')).toBe('10:00 28/02/2026');
  });

  it('when text holds every HTML special character, then none is left raw', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
});

describe('keepNameWordsTogether', () => {
  const shown = (name: string) => keepNameWordsTogether(name).replace(/\u00a0/g, '_');
  it('when an agency name wraps in a letterhead, then its two-syllable words and its place are never cut', () => {
    expect(shown('Trung tâm Phục vụ hành chính công thành phố Cần Thơ')).toBe('Trung_tâm Phục_vụ hành_chính_công thành_phố_Cần_Thơ');
    expect(shown('Phòng Hành chính - Tổng hợp')).toBe('Phòng Hành_chính - Tổng hợp');
    expect(shown('Sở Nông nghiệp và Môi trường thành phố Cần Thơ')).toBe('Sở Nông_nghiệp và Môi_trường thành_phố_Cần_Thơ');
    expect(shown('ỦY BAN NHÂN DÂN PHƯỜNG NINH KIỀU')).toBe('ỦY_BAN NHÂN_DÂN PHƯỜNG_NINH_KIỀU');
  });
  it('when a syllable only begins or ends a listed word, then it is left free', () => {
    expect(shown('Ban Dân vận')).toBe('Ban Dân vận');
    expect(shown('Hội Nông dân')).toBe('Hội Nông dân');
  });
});

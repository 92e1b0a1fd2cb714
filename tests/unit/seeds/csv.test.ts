import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, parseCsvRecords, readCsv } from '../../../seeds/csv';

describe('parseCsvRecords', () => {
  it('when fields are plain, then it splits on commas and line feeds', () => {
    expect(parseCsvRecords('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('when lines end with CRLF or the last line has no newline, then the records are the same', () => {
    expect(parseCsvRecords('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('when a field is quoted, then commas, CRLF, LF and doubled quotes inside it are kept', () => {
    const text = 'name,note\r\n"Sở Văn hóa, Thể thao","dòng 1\r\ndòng 2\nnói ""có"""\r\n';
    expect(parseCsvRecords(text)).toEqual([
      ['name', 'note'],
      ['Sở Văn hóa, Thể thao', 'dòng 1\r\ndòng 2\nnói "có"'],
    ]);
  });

  it('when fields are empty or quoted empty, then they are empty strings', () => {
    expect(parseCsvRecords('a,,""\n,,\n')).toEqual([
      ['a', '', ''],
      ['', '', ''],
    ]);
  });

  it('when the text starts with a BOM, then the BOM is not part of the first name', () => {
    expect(parseCsvRecords('\uFEFFcode,name\n1,x\n')[0]).toEqual(['code', 'name']);
  });

  it('when there are blank lines, then they are skipped, but a quoted empty line is a record', () => {
    expect(parseCsvRecords('a\n\n1\n\n""\n')).toEqual([['a'], ['1'], ['']]);
  });

  it('when a quote is never closed, then it fails naming the line where it opened', () => {
    expect(() => parseCsvRecords('a,b\n1,"open\nstill\n')).toThrow(/line 2: a quoted field is never closed/);
  });

  it('when text follows a closing quote or a quote starts mid-field, then it fails', () => {
    expect(() => parseCsvRecords('"a"b\n')).toThrow(CsvError);
    expect(() => parseCsvRecords('ab"c"\n')).toThrow(/line 1: a quote inside an unquoted field/);
  });
});

describe('parseCsv', () => {
  it('when there is a header row, then each record becomes an object keyed by the header', () => {
    const rows = parseCsv('code,name,parent_code\n000.00.00.H13,"Ủy ban nhân dân, TP",\n');
    expect(rows).toEqual([{ code: '000.00.00.H13', name: 'Ủy ban nhân dân, TP', parent_code: '' }]);
  });

  it('when a record has a different number of fields than the header, then it fails naming the record', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n')).toThrow(/record 2: 1 fields, the header has 2/);
  });

  it('when the text is empty, then there are no rows', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('a,b\n')).toEqual([]);
  });

  it('when reading the shipped procedures, then every row has a code and a name with a multi-line-safe parse', () => {
    const rows = readCsv(path.join(import.meta.dirname, '../../../seeds/data/procedures.csv'));
    expect(rows.length).toBeGreaterThanOrEqual(60);
    for (const r of rows) {
      expect(r.code).toMatch(/^\d\.\d{6}$/);
      expect(r.name.length).toBeGreaterThan(5);
      expect(['working_days', 'working_hours']).toContain(r.duration_unit);
    }
  });
});

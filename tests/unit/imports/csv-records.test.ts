import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvSyntaxError } from '../../../src/imports/csv-records';

const all = (text: string) => [...csvRecords(text)];

describe('csvRecords: CSV records with the line each starts on', () => {
  it('when fields are quoted, hold commas, "" and line breaks, then they are read whole and the next record names its real line', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",z\n3,,\n';
    expect(all(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
      { line: 3, fields: ['2', 'two\nlines', 'z'] },
      { line: 5, fields: ['3', '', ''] },
    ]);
  });

  it('when there are blank lines, a lone CR or no final line break, then blank lines are skipped and lines still count', () => {
    expect(all('h\n\n\nx\ry\n\n"q"')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 4, fields: ['x'] },
      { line: 5, fields: ['y'] },
      { line: 7, fields: ['q'] },
    ]);
  });

  it('when a quote is never closed or stray, then the error names the line', () => {
    const errorOf = (text: string) => {
      try {
        all(text);
      } catch (err) {
        return err as CsvSyntaxError;
      }
      throw new Error('no error');
    };
    expect(errorOf('a\n"open,\n\n')).toMatchObject({ name: 'CsvSyntaxError', line: 2 });
    expect(errorOf('a\nb\nx"y\n')).toMatchObject({ line: 3 });
    expect(errorOf('a\n"b"c\n').line).toBe(2);
    expect(errorOf('a\n"b"c\n').message).toContain('sau dấu ngoặc kép đóng');
  });

  it('when 100.000 rows are read, then every field of every row is read', () => {
    const row = ',1.001193,000.02.92.H13,online,"Nguyễn Văn An","12 đường 3/2, phường Ninh Kiều",1,12/01/2026 09:30,,processing\n';
    const text = `h\n${row.repeat(100_000)}`;
    let n = 0;
    for (const r of csvRecords(text)) n += r.fields.length;
    expect(n).toBe(1 + 100_000 * 10);
  });
});

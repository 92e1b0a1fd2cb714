import { describe, expect, it } from 'vitest';
import { csvRecords, csvSeparatorOf, type CsvSyntaxError } from '../../../src/imports/csv-records';

const all = (text: string) => [...csvRecords(text)];

describe('csvRecords: CSV records with the line each starts on', () => {
  it('when fields are quoted, hold commas, "" and line breaks, then they are read whole and the next record names its real line', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",z\n3,,\n';
    expect(all(text)).toEqual([
      { line: 1, offset: 1, fields: ['a', 'b', 'c'] },
      { line: 2, offset: 8, fields: ['1', 'x, y', 'say "hi"'] },
      { line: 3, offset: 31, fields: ['2', 'two\nlines', 'z'] },
      { line: 5, offset: 47, fields: ['3', '', ''] },
    ]);
  });

  it('when there are blank lines, a lone CR or no final line break, then blank lines are skipped and lines still count', () => {
    expect(all('h\n\n\nx\ry\n\n"q"')).toEqual([
      { line: 1, offset: 0, fields: ['h'] },
      { line: 4, offset: 4, fields: ['x'] },
      { line: 5, offset: 6, fields: ['y'] },
      { line: 7, offset: 9, fields: ['q'] },
    ]);
  });

  it("when read again from a record's offset and line, then that record and those after it come out the same", () => {
    const text = '\uFEFFa,b\r\n"x\ny",1\n\n"q ""r""",2\n3,4';
    const first = all(text);
    for (const [k, r] of first.entries()) {
      expect([...csvRecords(text, { offset: r.offset, line: r.line })]).toEqual(first.slice(k));
    }
    expect(first.map((r) => [r.line, r.fields])).toEqual([[1, ['a', 'b']], [2, ['x\ny', '1']], [5, ['q "r"', '2']], [6, ['3', '4']]]);
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

describe('csvSeparatorOf: what separates the cells, read from the header line', () => {
  it('when Excel set to Vietnamese saved the file (";"), or its "Unicode text" (tabs), then that separator is found, not a comma of a later quoted cell', () => {
    expect(csvSeparatorOf('\uFEFFcode;procedure_code;channel\r\nA;1.001193;"Số 1, phường Ninh Kiều"\r\n')).toBe(';');
    expect(csvSeparatorOf('code\tprocedure_code\tchannel\nA\t1\tx,y,z,w\n')).toBe('\t');
    expect(csvSeparatorOf('code,procedure_code,"a;b;c"\n')).toBe(',');
    expect(csvSeparatorOf('code\n')).toBe(',');
  });

  it('when the records are read with ";", then commas stay inside cells and quoting still works', () => {
    expect([...csvRecords('a;b\n"x;y";1,5\n', undefined, ';')].map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['x;y', '1,5'],
    ]);
  });
});

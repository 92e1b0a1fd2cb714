import fs from 'node:fs';

// RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a quoted field may hold commas,
// line breaks and "" for a quote. A leading UTF-8 BOM is dropped. Blank lines are skipped.

export class CsvError extends Error {
  constructor(message: string, readonly where: string) {
    super(`CSV ${where}: ${message}`);
    this.name = 'CsvError';
  }
}

/** Splits CSV text into records of raw string fields. */
export function parseCsvRecords(text: string): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field started with a quote
  let lastFieldWasQuoted = false;
  let line = 1;
  let quoteLine = 1;

  const endField = () => {
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is a record with one empty, unquoted field: skip it.
    if (!(record.length === 1 && record[0] === '' && !lastFieldWasQuoted)) records.push(record);
    record = [];
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '' || wasQuoted) throw new CsvError('a quote inside an unquoted field', `line ${line}`);
      quoted = true;
      wasQuoted = true;
      quoteLine = line;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      lastFieldWasQuoted = wasQuoted;
      endRecord();
      line++;
    } else {
      if (wasQuoted) throw new CsvError('text after a closing quote', `line ${line}`);
      field += c;
    }
  }
  if (quoted) throw new CsvError('a quoted field is never closed', `line ${quoteLine}`);
  if (field !== '' || wasQuoted || record.length > 0) {
    lastFieldWasQuoted = wasQuoted;
    endRecord();
  }
  return records;
}

/** Parses CSV text with a header row into one object per record, keyed by the header's names. */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsvRecords(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rows.map((fields, index) => {
    if (fields.length !== names.length) {
      throw new CsvError(`${fields.length} fields, the header has ${names.length}`, `record ${index + 1}`);
    }
    const row: Record<string, string> = {};
    names.forEach((name, i) => (row[name] = fields[i]));
    return row;
  });
}

export function readCsv(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(file, 'utf8'));
}

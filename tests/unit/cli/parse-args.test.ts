import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli';

describe('parseArgs: the CLI flags', () => {
  it('when a switch comes before a file, then the file stays a file ("--replace lich.csv" took it as the value)', () => {
    expect(parseArgs(['--replace', 'lich.csv'])).toEqual({ flags: { replace: true }, positional: ['lich.csv'] });
    expect(parseArgs(['--demo'])).toEqual({ flags: { demo: true }, positional: [] });
  });

  it('when a flag has its value after it or after "=", then it is read; without one, it is refused', () => {
    expect(parseArgs(['--from', '2026-01-01', '--agency=000.01.01.H13', 'x'])).toEqual({ flags: { from: '2026-01-01', agency: '000.01.01.H13' }, positional: ['x'] });
    // "report --agency" without a code reported the whole city
    expect(() => parseArgs(['--from', '2026-01-01', '--agency'])).toThrow('--agency cần một giá trị: --agency <giá trị>.');
    expect(() => parseArgs(['--agency', '--format', 'csv'])).toThrow('--agency cần một giá trị');
  });
});

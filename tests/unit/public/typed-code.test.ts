import { describe, expect, it } from 'vitest';
import { typedCode } from '../../../src/public/typed-code';

const CODE = '000.01.01.H13-261117-0003';

describe('typedCode', () => {
  it('when the code is typed as printed, then it is left as it is', () => {
    expect(typedCode(CODE)).toBe(CODE);
    expect(typedCode('000.01.01.h13-261117-0003')).toBe('000.01.01.h13-261117-0003');
  });
  it('when spaces stand around or instead of the dashes and dots, then the code is the printed one', () => {
    expect(typedCode(' 000.01.01.H13 - 261117 - 0003 ')).toBe(CODE);
    expect(typedCode('000.01.01.H13 261117 0003')).toBe(CODE);
    expect(typedCode('000. 01. 01. H13-261117-0003')).toBe(CODE);
  });
  it('when a dash is missing, then the date and the daily number are set apart again', () => {
    expect(typedCode('000.01.01.H13261117-0003')).toBe(CODE);
    expect(typedCode('000.01.01.H13-2611170003')).toBe(CODE);
    expect(typedCode('000.01.01.H132611170003')).toBe(CODE);
  });
  it('when a phone keyboard gave long dashes, commas or full-width digits, then they are the printed marks', () => {
    expect(typedCode('000.01.01.H13–261117—0003')).toBe(CODE);
    expect(typedCode('000,01,01,H13-261117-0003')).toBe(CODE);
    expect(typedCode('０００.０１.０１.Ｈ１３－２６１１１７－０００３')).toBe(CODE);
  });
  it('when the text is no code at all, then only its spaces go', () => {
    expect(typedCode('UNKNOWN-1')).toBe('UNKNOWN-1');
    expect(typedCode('<b>x</b>')).toBe('<b>x</b>');
    expect(typedCode('a b')).toBe('ab');
  });
});

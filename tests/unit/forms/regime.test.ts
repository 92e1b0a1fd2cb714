import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { regimeOn } from '../../../src/forms/regime';

// Which circular's forms a dossier prints (FORMS.md: the regime in force on its receipt date), and the day the second
// one starts, which a province may set (FORMS_2025_FROM).

const config = (env: Record<string, string> = {}) => loadConfig(env as NodeJS.ProcessEnv);

describe('the forms in force on a receipt date', () => {
  it('when nothing is set, then Thông tư 03/2025 applies from the day it was signed, 15/9/2025, and 01/2018 before', () => {
    const regimes = config().formRegimes;
    expect(regimeOn(regimes, '2025-07-01').circular).toBe('Thông tư số 01/2018/TT-VPCP');
    expect(regimeOn(regimes, '2025-09-14').numbers.controlSlip).toBe('05');
    const from = regimeOn(regimes, '2025-09-15');
    expect(from.circular).toBe('Thông tư số 03/2025/TT-VPCP');
    expect(from.numbers).toEqual({ receipt: '01', supplement: '02', refusal: '03', apology: '04', stopNotice: '05', controlSlip: '06', register: '07' });
    expect(regimeOn(regimes, '2018-01-01').numbers.stopNotice).toBeNull();
  });

  it('when FORMS_2025_FROM names another day, then the change happens on it; a day that is no date or is before the decree is refused in Vietnamese', () => {
    const regimes = config({ FORMS_2025_FROM: '2025-07-01' }).formRegimes;
    expect(regimeOn(regimes, '2025-06-30').circular).toBe('Thông tư số 01/2018/TT-VPCP');
    expect(regimeOn(regimes, '2025-07-01').circular).toBe('Thông tư số 03/2025/TT-VPCP');
    expect(() => config({ FORMS_2025_FROM: '15/9/2025' })).toThrow(/FORMS_2025_FROM là một ngày dạng 2025-09-15/);
    expect(() => config({ FORMS_2025_FROM: '2024-01-01' })).toThrow(/không sớm hơn ngày ban hành Nghị định 118\/2025/);
  });
});

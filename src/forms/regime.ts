// Which set of official forms applies to a dossier: the regime in force on its receipt date (FORMS.md).
export interface FormRegime {
  from: string; // first local date in force
  circular: string;
  /** null: the circular has no such form (01/2018 has no notice to stop processing) */
  numbers: { receipt: string; supplement: string; refusal: string; apology: string; stopNotice: string | null; controlSlip: string; register: string };
}

/**
 * The first day of the forms of Thông tư 03/2025/TT-VPCP when FORMS_2025_FROM does not say otherwise: the day it was
 * signed, 15/9/2025. Nghị định 118/2025/NĐ-CP, which it guides, applies from 01/7/2025, but a circular's forms
 * cannot apply before it exists; a province that applied them from another day sets that day.
 */
export const FORMS_2025_FROM = '2025-09-15';

/** The two sets of forms, the second from `from2025` (a local date). */
export function formRegimes(from2025: string = FORMS_2025_FROM): readonly FormRegime[] {
  return [
    {
      from: '2018-05-21',
      circular: 'Thông tư số 01/2018/TT-VPCP',
      numbers: { receipt: '01', supplement: '02', refusal: '03', apology: '04', stopNotice: null, controlSlip: '05', register: '06' },
    },
    {
      from: from2025,
      circular: 'Thông tư số 03/2025/TT-VPCP',
      numbers: { receipt: '01', supplement: '02', refusal: '03', apology: '04', stopNotice: '05', controlSlip: '06', register: '07' },
    },
  ];
}

/** The set in force on a local date (YYYY-MM-DD). */
export function regimeOn(regimes: readonly FormRegime[], localDate: string): FormRegime {
  let current = regimes[0];
  for (const r of regimes) if (r.from <= localDate) current = r;
  return current;
}

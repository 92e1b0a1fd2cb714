// Which set of official forms applies to a dossier: the regime in force on its receipt date (FORMS.md).
export interface FormRegime {
  from: string; // first local date in force
  circular: string;
  /** null: the circular has no such form (01/2018 has no notice to stop processing) */
  numbers: { receipt: string; supplement: string; refusal: string; apology: string; stopNotice: string | null; controlSlip: string; register: string };
}

export const REGIMES: FormRegime[] = [
  {
    from: '2018-05-21',
    circular: 'Thông tư số 01/2018/TT-VPCP',
    numbers: { receipt: '01', supplement: '02', refusal: '03', apology: '04', stopNotice: null, controlSlip: '05', register: '06' },
  },
  {
    // Nghị định 118/2025/NĐ-CP and its circular apply from 01/7/2025.
    from: '2025-07-01',
    circular: 'Thông tư số 03/2025/TT-VPCP',
    numbers: { receipt: '01', supplement: '02', refusal: '03', apology: '04', stopNotice: '05', controlSlip: '06', register: '07' },
  },
];

export function regimeOn(localDate: string): FormRegime {
  let current = REGIMES[0];
  for (const r of REGIMES) if (r.from <= localDate) current = r;
  return current;
}

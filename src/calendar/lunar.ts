/**
 * The Vietnamese lunar calendar (âm lịch), computed astronomically.
 *
 * The rules are those of the Chinese calendar, but every astronomical event is placed on a civil
 * day of the time zone `tz` (hours east of UTC; Vietnam uses UTC+7 since 1968, China UTC+8).
 * That is the whole reason the two calendars sometimes differ by a day or a month (Tết 1985,
 * 2007, 2030):
 *
 * - a month begins on the local day that contains a new moon;
 * - month 11 is the month that contains the December solstice;
 * - when 13 new moons begin months between one month 11 and the next, the first of those
 *   months that contains no major solar term (a sun longitude multiple of 30°) is a leap month,
 *   numbered like the month before it.
 *
 * Astronomy: new moons by Meeus' series (Astronomical Algorithms, 2nd ed., ch. 49), the sun's
 * apparent longitude by Meeus' low-precision series (ch. 25, about 0.01°), ΔT by the
 * Espenak–Meeus polynomials. Calendar dates use the proleptic Gregorian calendar.
 */

export interface SolarDate {
  year: number;
  month: number;
  day: number;
}

export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

const DEGREE = Math.PI / 180;
const SYNODIC_MONTH = 29.530588861;
/** Julian ephemeris day of the mean new moon k = 0 (6 January 2000). */
const NEW_MOON_EPOCH = 2451550.09766;
const J2000 = 2451545.0;

// ---------------------------------------------------------------------------------------------
// Julian day numbers

/** Julian day number (the integer JD of noon) of a proleptic Gregorian date. */
export function jdFromDate(day: number, month: number, year: number): number {
  // Count years from March so that the leap day is the last day of the counted year.
  const a = Math.floor((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  return (
    day +
    Math.floor((153 * m + 2) / 5) +
    365 * y +
    Math.floor(y / 4) -
    Math.floor(y / 100) +
    Math.floor(y / 400) -
    32045
  );
}

/** Proleptic Gregorian date of a Julian day number. */
export function jdToDate(jd: number): SolarDate {
  const a = jd + 32044;
  const centuries = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * centuries) / 4);
  const years = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * years) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    year: 100 * centuries + years - 4800 + Math.floor(m / 10),
    month: m + 3 - 12 * Math.floor(m / 10),
    day: e - Math.floor((153 * m + 2) / 5) + 1,
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 'YYYY-MM-DD' of a Julian day number. */
export function isoFromJd(jd: number): string {
  const { year, month, day } = jdToDate(jd);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Julian day number of a 'YYYY-MM-DD' date; throws on anything else (including 2025-02-30). */
export function jdFromIso(iso: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new RangeError(`Not a YYYY-MM-DD date: ${iso}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const jd = jdFromDate(day, month, year);
  const back = jdToDate(jd);
  if (back.year !== year || back.month !== month || back.day !== day) {
    throw new RangeError(`No such date: ${iso}`);
  }
  return jd;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOfJd(jd: number): number {
  return (((jd + 1) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// Astronomy

/**
 * ΔT = TT − UT in seconds. Meeus' series give Terrestrial Time; a civil day needs Universal Time.
 * About a minute today: it only matters for a new moon a minute from local midnight.
 */
function deltaTSeconds(year: number): number {
  if (year >= 2005 && year < 2050) {
    const t = year - 2000;
    return 62.92 + 0.32217 * t + 0.005589 * t * t;
  }
  if (year >= 1986 && year < 2005) {
    const t = year - 2000;
    return 63.86 + 0.3345 * t - 0.060374 * t ** 2 + 0.0017275 * t ** 3 + 0.000651814 * t ** 4 + 0.00002373599 * t ** 5;
  }
  if (year >= 1961 && year < 1986) {
    const t = year - 1975;
    return 45.45 + 1.067 * t - t ** 2 / 260 - t ** 3 / 718;
  }
  if (year >= 1941 && year < 1961) {
    const t = year - 1950;
    return 29.07 + 0.407 * t - t ** 2 / 233 + t ** 3 / 2547;
  }
  if (year >= 1920 && year < 1941) {
    const t = year - 1920;
    return 21.2 + 0.84493 * t - 0.0761 * t ** 2 + 0.0020936 * t ** 3;
  }
  if (year >= 1900 && year < 1920) {
    const t = year - 1900;
    return -2.79 + 1.494119 * t - 0.0598939 * t ** 2 + 0.0061966 * t ** 3 - 0.000197 * t ** 4;
  }
  const u = (year - 1820) / 100;
  if (year >= 2050 && year < 2150) return -20 + 32 * u * u - 0.5628 * (2150 - year);
  return -20 + 32 * u * u;
}

function deltaTDays(jd: number): number {
  return deltaTSeconds(2000 + (jd - J2000) / 365.25) / 86400;
}

const sinDeg = (degrees: number) => Math.sin(degrees * DEGREE);

/** Instant (JD, Universal Time) of the true new moon number k (k = 0: 6 January 2000). */
function newMoonUT(k: number): number {
  const t = k / 1236.85; // Julian centuries from J2000
  const t2 = t * t;
  const t3 = t2 * t;
  const t4 = t3 * t;
  const meanJde = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.00015437 * t2 - 0.00000015 * t3 + 0.00000000073 * t4;

  const e = 1 - 0.002516 * t - 0.0000074 * t2; // shrinking eccentricity of the Earth's orbit
  const sunAnomaly = 2.5534 + 29.1053567 * k - 0.0000014 * t2 - 0.00000011 * t3;
  const moonAnomaly = 201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4;
  const latitudeArg = 160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4;
  const node = 124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3;
  const [M, Mm, F] = [sunAnomaly, moonAnomaly, latitudeArg];

  const periodic =
    -0.4072 * sinDeg(Mm) +
    0.17241 * e * sinDeg(M) +
    0.01608 * sinDeg(2 * Mm) +
    0.01039 * sinDeg(2 * F) +
    0.00739 * e * sinDeg(Mm - M) -
    0.00514 * e * sinDeg(Mm + M) +
    0.00208 * e * e * sinDeg(2 * M) -
    0.00111 * sinDeg(Mm - 2 * F) -
    0.00057 * sinDeg(Mm + 2 * F) +
    0.00056 * e * sinDeg(2 * Mm + M) -
    0.00042 * sinDeg(3 * Mm) +
    0.00042 * e * sinDeg(M + 2 * F) +
    0.00038 * e * sinDeg(M - 2 * F) -
    0.00024 * e * sinDeg(2 * Mm - M) -
    0.00017 * sinDeg(node) -
    0.00007 * sinDeg(Mm + 2 * M) +
    0.00004 * sinDeg(2 * Mm - 2 * F) +
    0.00004 * sinDeg(3 * M) +
    0.00003 * sinDeg(Mm + M - 2 * F) +
    0.00003 * sinDeg(2 * Mm + 2 * F) -
    0.00003 * sinDeg(Mm + M + 2 * F) +
    0.00003 * sinDeg(Mm - M + 2 * F) -
    0.00002 * sinDeg(Mm - M - 2 * F) -
    0.00002 * sinDeg(3 * Mm + M) +
    0.00002 * sinDeg(4 * Mm);

  // Perturbations by the planets (Meeus' arguments A1–A14).
  const planetary =
    0.000325 * sinDeg(299.77 + 0.107408 * k - 0.009173 * t2) +
    0.000165 * sinDeg(251.88 + 0.016321 * k) +
    0.000164 * sinDeg(251.83 + 26.651886 * k) +
    0.000126 * sinDeg(349.42 + 36.412478 * k) +
    0.00011 * sinDeg(84.66 + 18.206239 * k) +
    0.000062 * sinDeg(141.74 + 53.303771 * k) +
    0.00006 * sinDeg(207.14 + 2.453732 * k) +
    0.000056 * sinDeg(154.84 + 7.30686 * k) +
    0.000047 * sinDeg(34.52 + 27.261239 * k) +
    0.000042 * sinDeg(207.19 + 0.121824 * k) +
    0.00004 * sinDeg(291.34 + 1.844379 * k) +
    0.000037 * sinDeg(161.72 + 24.198154 * k) +
    0.000035 * sinDeg(239.56 + 25.513099 * k) +
    0.000023 * sinDeg(331.55 + 3.592518 * k);

  const jde = meanJde + periodic + planetary;
  return jde - deltaTDays(jde);
}

/** Apparent geocentric longitude of the sun, degrees in [0, 360), at an instant in UT. */
function sunLongitude(jdUT: number): number {
  const t = (jdUT + deltaTDays(jdUT) - J2000) / 36525;
  const meanLongitude = 280.46646 + 36000.76983 * t + 0.0003032 * t * t;
  const meanAnomaly = 357.52911 + 35999.05029 * t - 0.0001537 * t * t;
  const center =
    (1.914602 - 0.004817 * t - 0.000014 * t * t) * sinDeg(meanAnomaly) +
    (0.019993 - 0.000101 * t) * sinDeg(2 * meanAnomaly) +
    0.000289 * sinDeg(3 * meanAnomaly);
  const node = 125.04 - 1934.136 * t;
  const apparent = meanLongitude + center - 0.00569 - 0.00478 * sinDeg(node);
  return ((apparent % 360) + 360) % 360;
}

// ---------------------------------------------------------------------------------------------
// Months in local time

/** Julian day number of the local civil day on which new moon k falls. */
function newMoonDay(k: number, tz: number): number {
  return Math.floor(newMoonUT(k) + 0.5 + tz / 24);
}

/**
 * Which 30° sector the sun is in at the local midnight that begins day `jd`. A month contains a
 * major term exactly when the sector differs between its first day and the next month's.
 */
function solarSectorAt(jd: number, tz: number): number {
  return Math.floor(sunLongitude(jd - 0.5 - tz / 24) / 30);
}

/** Number k of the new moon that begins the lunar month containing day `jd`. */
function lunationContaining(jd: number, tz: number): number {
  let k = Math.floor((jd - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  while (newMoonDay(k + 1, tz) <= jd) k += 1;
  while (newMoonDay(k, tz) > jd) k -= 1;
  return k;
}

/** A suì: the months from month 11 of lunar year `year` up to, not including, the next month 11. */
interface Sui {
  year: number;
  firstK: number;
  /** Offset from firstK of the leap month, or null in a 12-month suì. */
  leapOffset: number | null;
}

/** New moon number of month 11, the month containing the solstice of December `year`. */
function month11(year: number, tz: number): number {
  const k = lunationContaining(jdFromDate(31, 12, year), tz);
  // A month that already begins past longitude 270° begins after the solstice.
  return solarSectorAt(newMoonDay(k, tz), tz) >= 9 ? k - 1 : k;
}

function suiOf(year: number, tz: number): Sui {
  const firstK = month11(year, tz);
  const months = month11(year + 1, tz) - firstK;
  return { year, firstK, leapOffset: months === 13 ? firstLeapOffset(firstK, tz) : null };
}

function firstLeapOffset(firstK: number, tz: number): number {
  for (let offset = 1; offset <= 12; offset += 1) {
    const start = solarSectorAt(newMoonDay(firstK + offset, tz), tz);
    const next = solarSectorAt(newMoonDay(firstK + offset + 1, tz), tz);
    if (start === next) return offset;
  }
  // Twelve major terms cannot fill thirteen months; reaching this means the astronomy is wrong.
  throw new Error(`No month without a major term after new moon ${firstK}`);
}

/** Months counted from month 11 of a suì, ignoring the leap month: 0 = month 11, 1 = 12, 2 = 1 … */
function rankOfMonth(month: number): number {
  return (month + 1) % 12;
}

function monthOfRank(rank: number): number {
  return ((rank + 10) % 12) + 1;
}

// ---------------------------------------------------------------------------------------------
// Conversions

export function solarToLunar(year: number, month: number, day: number, tz = 7): LunarDate {
  const jd = jdFromDate(day, month, year);
  const k = lunationContaining(jd, tz);
  let sui = suiOf(year, tz);
  if (k < sui.firstK) sui = suiOf(year - 1, tz);

  const offset = k - sui.firstK;
  const leap = offset === sui.leapOffset;
  const rank = sui.leapOffset !== null && offset >= sui.leapOffset ? offset - 1 : offset;
  return {
    // Months 11 and 12 (and a leap 11 or 12) belong to the lunar year of the suì; the rest to the next.
    year: rank < 2 ? sui.year : sui.year + 1,
    month: monthOfRank(rank),
    day: jd - newMoonDay(k, tz) + 1,
    leap,
  };
}

/** Null when the lunar date does not exist (a leap month the year lacks, day 30 of a short month…). */
export function lunarToSolar(
  lunarYear: number,
  lunarMonth: number,
  lunarDay: number,
  leap = false,
  tz = 7,
): SolarDate | null {
  const valid = [lunarYear, lunarMonth, lunarDay].every(Number.isInteger);
  if (!valid || lunarMonth < 1 || lunarMonth > 12 || lunarDay < 1 || lunarDay > 30) return null;

  const rank = rankOfMonth(lunarMonth);
  const sui = suiOf(rank < 2 ? lunarYear : lunarYear - 1, tz);
  let offset: number;
  if (leap) {
    if (sui.leapOffset !== rank + 1) return null;
    offset = sui.leapOffset;
  } else {
    offset = sui.leapOffset !== null && rank >= sui.leapOffset ? rank + 1 : rank;
  }

  const firstDay = newMoonDay(sui.firstK + offset, tz);
  const length = newMoonDay(sui.firstK + offset + 1, tz) - firstDay;
  if (lunarDay > length) return null;
  return jdToDate(firstDay + lunarDay - 1);
}

/** The leap month of a lunar year (1–12), or null when the year has none. */
export function leapMonthOf(lunarYear: number, tz = 7): number | null {
  // Months 1–10 live in the previous year's suì, a leap 11 or 12 in this year's.
  const early = suiOf(lunarYear - 1, tz);
  if (early.leapOffset !== null && early.leapOffset - 1 >= 2) return monthOfRank(early.leapOffset - 1);
  const late = suiOf(lunarYear, tz);
  if (late.leapOffset !== null && late.leapOffset - 1 < 2) return monthOfRank(late.leapOffset - 1);
  return null;
}

function lunarNewYearJd(lunarYear: number, tz: number): number {
  const tet = lunarToSolar(lunarYear, 1, 1, false, tz);
  if (!tet) throw new Error(`Lunar year ${lunarYear} has no first month`); // month 1 day 1 always exists
  return jdFromDate(tet.day, tet.month, tet.year);
}

/** ISO date of mùng 1 Tết of a lunar year (the one whose Tết falls in Gregorian `lunarYear`). */
export function lunarNewYear(lunarYear: number, tz = 7): string {
  return isoFromJd(lunarNewYearJd(lunarYear, tz));
}

/** ISO date of the last day of a lunar year (29 or 30 tháng Chạp): the eve of the next Tết. */
export function lastDayOfLunarYear(lunarYear: number, tz = 7): string {
  return isoFromJd(lunarNewYearJd(lunarYear + 1, tz) - 1);
}

const STEMS = ['Giáp', 'Ất', 'Bính', 'Đinh', 'Mậu', 'Kỷ', 'Canh', 'Tân', 'Nhâm', 'Quý'];
const BRANCHES = ['Tý', 'Sửu', 'Dần', 'Mão', 'Thìn', 'Tỵ', 'Ngọ', 'Mùi', 'Thân', 'Dậu', 'Tuất', 'Hợi'];

/** Can chi name of a lunar year, e.g. 2026 -> "Bính Ngọ" (year 4 was Giáp Tý). */
export function canChi(lunarYear: number): string {
  const mod = (n: number, m: number) => ((n % m) + m) % m;
  return `${STEMS[mod(lunarYear - 4, 10)]} ${BRANCHES[mod(lunarYear - 4, 12)]}`;
}

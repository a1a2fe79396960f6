// Calendar arithmetic on "civil" (wall-clock) times, with no zone: pure integer maths so the
// per-line path never allocates a Date.

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian; m is 1..12). Hinnant's days_from_civil. */
export function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]!;
}

/** Wall-clock seconds since 1970-01-01T00:00 of a civil time (as if it were UTC). */
export function civilSeconds(y: number, m: number, d: number, hh: number, mm: number, ss: number): number {
  return daysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/** The civil date of a wall-clock second count: [year, month, day]. */
export function civilDate(civil: number): [number, number, number] {
  const dt = new Date(Math.floor(civil / 86400) * 86400000);
  return [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
}

/** Month number (1..12) from the first three letters, any case; 0 when not a month. */
export function monthFromAbbrev(s: string, i: number): number {
  const key = ((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32);
  switch (key) {
    case 0x6a616e: return 1; // jan
    case 0x666562: return 2; // feb
    case 0x6d6172: return 3; // mar
    case 0x617072: return 4; // apr
    case 0x6d6179: return 5; // may
    case 0x6a756e: return 6; // jun
    case 0x6a756c: return 7; // jul
    case 0x617567: return 8; // aug
    case 0x736570: return 9; // sep
    case 0x6f6374: return 10; // oct
    case 0x6e6f76: return 11; // nov
    case 0x646563: return 12; // dec
    default: return 0;
  }
}

/** Whether three letters at i are a weekday abbreviation (any case). */
export function isWeekdayAbbrev(s: string, i: number): boolean {
  const key = ((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32);
  switch (key) {
    case 0x6d6f6e: case 0x747565: case 0x776564: case 0x746875: case 0x667269: case 0x736174: case 0x73756e:
      return true;
    default:
      return false;
  }
}

/** A regex word character as JS `\w` sees it (ASCII letters, digits, underscore); the fast parsers
 *  use it so they agree with the template regexes (Python's `\w` also counts non-ASCII letters). */
export function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

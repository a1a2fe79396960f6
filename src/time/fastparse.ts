// Hand-written readers for the two formats most logs use, at a known position: they look at the
// characters in place instead of running a regex, and allocate nothing. Each returns the end of
// the date text, or -1 when the line is not in the plain shape it knows; the caller then asks
// the template's regex, so these readers only ever speed up, never change, what is read.

import { isWeekdayAbbrev, isWordCode, monthFromAbbrev } from './civil.ts';
import type { DateFields } from './fields.ts';
import { EXY_MAX } from './strptime.ts';

export type FastParser = (line: string, pos: number, f: DateFields) => number;

function digit(line: string, i: number): number {
  const c = line.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at i as a number, or -1. */
function two(line: string, i: number): number {
  const a = digit(line, i);
  const b = digit(line, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * `.123` fraction at i: 1 to `max` digits, of which the first six count (as `%f` reads them);
 * returns the end, or -1 when absent or longer.
 */
function fraction(line: string, i: number, f: DateFields, max = 6): number {
  let j = i + 1;
  let v = 0;
  let scale = 1;
  while (j < line.length && j - i <= max + 1) {
    const d = digit(line, j);
    if (d < 0) break;
    if (j - i <= 6) {
      v = v * 10 + d;
      scale *= 10;
    }
    j++;
  }
  if (j === i + 1 || j - i > max + 1) return -1;
  f.frac = v / scale;
  return j;
}

/** HH:MM:SS (two digits each, as logs write them) at i; returns the end or -1. */
function clock(line: string, i: number, f: DateFields): number {
  const h = two(line, i);
  const m = two(line, i + 3);
  const s = two(line, i + 6);
  if (h < 0 || m < 0 || s < 0 || line.charCodeAt(i + 2) !== 58 || line.charCodeAt(i + 5) !== 58) return -1;
  if (h > 23 || m > 59 || s > 59) return -1;
  f.H = h;
  f.M = m;
  f.S = s;
  return i + 8;
}

function atBoundary(line: string, i: number): boolean {
  return i >= line.length || !isWordCode(line.charCodeAt(i));
}

/** `+01`, `+0100`, `+01:00` at j (a sign there) up to a word boundary; the end, or -1. */
function offsetAt(line: string, j: number, f: DateFields): number {
  const hh = two(line, j + 1);
  if (hh < 0 || hh > 19) return -1;
  let k = j + 3;
  let mm = 0;
  if (line.charCodeAt(k) === 58) {
    mm = two(line, k + 1);
    if (mm < 0) return -1;
    k += 3;
  } else if (digit(line, k) >= 0) {
    mm = two(line, k);
    if (mm < 0) return -1;
    k += 2;
  }
  if (mm > 59 || !atBoundary(line, k)) return -1;
  f.offset = (line.charCodeAt(j) === 45 ? -1 : 1) * (hh * 3600 + mm * 60);
  return k;
}

/** `[Sun ]Jan 23 21:59:59[.123]` — the syslog form without a year. */
export const parseSyslog: FastParser = (line, pos, f) => {
  let i = pos;
  if (line.charCodeAt(i + 3) !== 32) return -1;
  let month = monthFromAbbrev(line, i);
  if (month === 0) {
    // "Sun Jan 23 …": a weekday first
    if (!isWeekdayAbbrev(line, i) || line.charCodeAt(i + 7) !== 32) return -1;
    i += 4;
    month = monthFromAbbrev(line, i);
    if (month === 0) return -1;
  }
  i += 4;
  let day: number;
  const c = line.charCodeAt(i);
  if (c === 32) {
    day = digit(line, i + 1);
    if (day < 1) return -1;
    i += 2;
  } else {
    day = two(line, i);
    if (day < 1 || day > 31 || line.charCodeAt(i + 2) !== 32) return -1;
    i += 2;
  }
  if (line.charCodeAt(i) !== 32) return -1;
  i = clock(line, i + 1, f);
  if (i < 0) return -1;
  if (line.charCodeAt(i) === 46) {
    i = fraction(line, i, f);
    if (i < 0) return -1;
  }
  // " 2005" may follow (the optional year): leave that to the regex
  if (line.charCodeAt(i) === 32 && line.charCodeAt(i + 1) === 50) return -1;
  if (!atBoundary(line, i)) return -1;
  f.m = month;
  f.d = day;
  f.any = true;
  return i;
};

/** `2005-01-23T21:59:59[.123456789][ ][Z|UTC|GMT|+01|+0100|+01:00]` — ISO 8601 and its relatives. */
export const parseIso: FastParser = (line, pos, f) => {
  const y1 = two(line, pos);
  const y2 = two(line, pos + 2);
  if (y1 !== 20 || y2 < 0 || 2000 + y2 > EXY_MAX) return -1;
  const sep = line.charCodeAt(pos + 4);
  if ((sep !== 45 && sep !== 47 && sep !== 46) || line.charCodeAt(pos + 7) !== sep) return -1;
  const m = two(line, pos + 5);
  const d = two(line, pos + 8);
  if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
  const t = line.charCodeAt(pos + 10);
  if ((t !== 84 && t !== 32) || line.charCodeAt(pos + 11) === 32) return -1;
  let i = clock(line, pos + 11, f);
  if (i < 0) return -1;
  const c = line.charCodeAt(i);
  if (c === 46 || c === 44) {
    if (digit(line, i + 1) >= 0) {
      i = fraction(line, i, f, 9);
      if (i < 0) return -1;
    }
  }
  // optional zone after optional white space
  let j = i;
  while (j < line.length) {
    const w = line.charCodeAt(j);
    if (w !== 32 && w !== 9) break;
    j++;
  }
  const z = line.charCodeAt(j);
  if ((z >= 9 && z <= 13) || z > 127) return -1; // other white space \s knows: leave to the regex
  if (z === 90) { // Z
    if (!atBoundary(line, j + 1)) return -1;
    f.offset = 0;
    i = j + 1;
  } else if (z === 43 || z === 45) { // + or -
    const k = offsetAt(line, j, f);
    if (k < 0) return -1;
    i = k;
  } else if (z === 85 || z === 71) { // UTC / GMT
    return -1;
  } else if (!atBoundary(line, i)) {
    return -1;
  }
  f.Y = y1 * 100 + y2;
  f.m = m;
  f.d = d;
  f.any = true;
  return i;
};

/** `23/Jan/2005:21:59:59 +0100` (Apache, nginx access) and `23-Jan-2005 21:59:59.02` (BIND). */
export const parseApache: FastParser = (line, pos, f) => {
  const d = two(line, pos);
  const sep = line.charCodeAt(pos + 2);
  if (d < 1 || d > 31 || (sep !== 47 && sep !== 45) || line.charCodeAt(pos + 6) !== sep) return -1;
  const month = monthFromAbbrev(line, pos + 3);
  const y1 = two(line, pos + 7);
  const y2 = two(line, pos + 9);
  if (month === 0 || y1 !== 20 || y2 < 0 || 2000 + y2 > EXY_MAX) return -1;
  const t = line.charCodeAt(pos + 11);
  if (t !== 58 && t !== 32) return -1;
  let i = clock(line, pos + 12, f);
  if (i < 0) return -1;
  if (line.charCodeAt(i) === 46 && digit(line, i + 1) >= 0) {
    i = fraction(line, i, f);
    if (i < 0) return -1;
  }
  if (line.charCodeAt(i) === 32) {
    const z = line.charCodeAt(i + 1);
    if (z === 43 || z === 45) {
      const k = offsetAt(line, i + 1, f);
      if (k < 0) return -1;
      i = k;
    } else if (z === 90 || z === 85 || z === 71) {
      return -1; // Z, UTC, GMT: leave to the regex
    }
  }
  if (!atBoundary(line, i)) return -1;
  f.Y = y1 * 100 + y2;
  f.m = month;
  f.d = d;
  f.any = true;
  return i;
};

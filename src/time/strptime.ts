// The strptime-style directives of a datepattern (`%Y-%m-%d %H:%M:%S`) turned into a JS regex with
// one named group per field. The widths follow what fail2ban accepts: plain directives allow
// unpadded numbers (`%m` reads `1` and `01`), the `%Ex…` forms demand the exact width.

import { ZONE_NAME_PATTERN } from './zone.ts';

const MON = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const MONTH = 'september|february|november|december|january|october|august|march|april|june|july|may';
const DAY = 'mon|tue|wed|thu|fri|sat|sun';
const DAYNAME = 'wednesday|thursday|saturday|tuesday|monday|friday|sunday';
const X = '(?<H>2[0-3]|[0-1]\\d|\\d):(?<M>[0-5]\\d|\\d):(?<S>6[0-1]|[0-5]\\d|\\d)';

/**
 * %ExY reads this century's years up to the decade of three years from now, by the machine's
 * clock as fail2ban does (in 2026: 2000-2029), so that "20504:24:16" is no year 2050.
 */
const EXY_DECADE = Math.min(9, Math.floor((new Date().getUTCFullYear() + 3 - 2000) / 10));
const EXY = `20[0-${EXY_DECADE}]\\d`;
/** The last year %ExY reads. */
export const EXY_MAX = 2009 + 10 * EXY_DECADE;

/** directive → regex; names (month, weekday, am/pm, zone names) make the pattern case-insensitive. */
const DIRECTIVES: Readonly<Record<string, { re: string; names?: boolean }>> = {
  Y: { re: '(?<Y>\\d{4})' },
  y: { re: '(?<y>\\d\\d)' },
  m: { re: '(?<m>0?[1-9]|1[0-2])' },
  d: { re: '(?<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])' },
  b: { re: `(?<b>${MON})`, names: true },
  h: { re: `(?<b>${MON})`, names: true },
  B: { re: `(?<B>${MONTH})`, names: true },
  a: { re: `(?<a>${DAY})`, names: true },
  A: { re: `(?<A>${DAYNAME})`, names: true },
  H: { re: '(?<H>[0-1]?\\d|2[0-3])' },
  I: { re: '(?<I>1[0-2]|0[1-9]|[1-9])' },
  p: { re: '(?<p>am|pm)', names: true },
  M: { re: '(?<M>[0-5]?\\d)' },
  S: { re: '(?<S>[0-5]?\\d|6[0-1])' },
  f: { re: '(?<f>[0-9]{1,6})' },
  z: { re: '(?<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)' },
  Z: { re: `(?<Z>${ZONE_NAME_PATTERN})`, names: true },
  j: { re: '(?<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])' },
  s: { re: '(?<s>\\d{1,11}(?:\\.\\d{1,9})?)' },
  k: { re: ' ?(?<H>[0-2]?\\d)' },
  l: { re: ' ?(?<I>1?\\d)' },
  // read but not used for the instant (weeks, weekday numbers, ISO year)
  U: { re: '(?:5[0-3]|[0-4]\\d|\\d)' },
  W: { re: '(?:5[0-3]|[0-4]\\d|\\d)' },
  V: { re: '(?:5[0-3]|0[1-9]|[1-4]\\d|\\d)' },
  w: { re: '[0-6]' },
  u: { re: '[1-7]' },
  G: { re: '\\d{4}' },
  X: { re: X },
  x: { re: '(?<m>1[0-2]|0[1-9]|[1-9])/(?<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])/(?<y>\\d\\d)' },
  c: {
    re: `(?<a>${DAY})\\s+(?<b>${MON})\\s+(?<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])\\s+${X}\\s+(?<Y>\\d{4})`,
    names: true,
  },
  // fail2ban's exact-width forms
  ExY: { re: `(?<Y>${EXY})` },
  Exy: { re: '(?<y>\\d\\d)' },
  Exm: { re: '(?<m>0[1-9]|1[0-2])' },
  Exd: { re: '(?<d>[1-2]\\d|0[1-9]|3[0-1])' },
  ExH: { re: '(?<H>[0-1]\\d|2[0-3])' },
  ExM: { re: '(?<M>[0-5]\\d)' },
  ExS: { re: '(?<S>[0-5]\\d|6[0-1])' },
  Exk: { re: ' ?(?<H>[0-1]?\\d|2[0-3])' },
  Exl: { re: ' ?(?<I>1[0-2]|\\d)' },
  ExZ: { re: `(?<Z>${ZONE_NAME_PATTERN})`, names: true },
  Exz: { re: '(?<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)' },
};

export interface Directives {
  /** JS regex source with the directives replaced. */
  source: string;
  /** True when month or weekday names are read: the match ignores case. */
  ignoreCase: boolean;
}

/** Thrown for an unknown directive; the caller adds the place. */
export class DirectiveError extends Error {}

/** Replace the `%…` directives of a (JS-dialect) pattern; `%%` is a literal percent sign. */
export function expandDirectives(pattern: string): Directives {
  let out = '';
  let ignoreCase = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      out += c + pattern[i + 1];
      i++;
      continue;
    }
    if (c !== '%') {
      out += c;
      continue;
    }
    const n = pattern[i + 1];
    if (n === '%') {
      out += '%';
      i++;
      continue;
    }
    const key = n === 'E' && pattern[i + 2] === 'x' ? 'Ex' + (pattern[i + 3] ?? '') : n ?? '';
    const d = DIRECTIVES[key];
    if (d === undefined) throw new DirectiveError(`unknown date directive %${key || '(end of pattern)'}`);
    out += d.re;
    if (d.names) ignoreCase = true;
    i += key.length;
  }
  return { source: out, ignoreCase };
}

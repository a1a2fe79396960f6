// Where a template may match in a line: its anchor at a column, its leftmost allowed match, and
// whether a date of another template could start further left (which would make it the line's date).

import type { Template } from './template.ts';

/**
 * Something every date of the default set holds (a `H:M` time, an epoch at the line start or in
 * audit(…), a TAI64N label, an epoch field, a short ISO day): a date cannot start before the first
 * of these.
 */
const DATE_PART = /\d:\d|^\W{0,2}\d{10}|audit\(|@[0-9a-f]{24}|"(?:ts|time|timestamp|@timestamp)"\s*:\s*"?\d{10}|\b(?:ts|time|timestamp)="?\d{10}|\d{8}[T ]/;

/**
 * Default set: whether no other template's date can start before the learned template's match
 * (which starts at `matchStart`, its date text at `start`), so that taking it is what a search of
 * all templates for the leftmost date would do. A weekday or zone name just before the date could
 * make a longer date of another template (systemd short-full around ISO), a space before a
 * one-digit day a longer date of the same: not then either.
 */
export function nothingBefore(line: string, matchStart: number, start: number): boolean {
  if (start === 0) return true;
  // a date wholly before the match has a digit there; most prefixes (`{"ts":`) have none
  let digitBefore = false;
  for (let i = 0; i < matchStart; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) { digitBefore = true; break; }
  }
  if (digitBefore) {
    const g = line.search(DATE_PART);
    if (g !== -1 && g < matchStart) return false;
  }
  if (line.charCodeAt(start - 1) === 32) {
    if (start >= 2) {
      const c = line.charCodeAt(start - 2) | 32;
      if (c >= 97 && c <= 122) return false;
    }
    // a one-digit day may be padded with that space (`%d` reads " 9"): the date may start there
    const d0 = line.charCodeAt(start) - 48;
    const d1 = line.charCodeAt(start + 1) - 48;
    if (d0 >= 0 && d0 <= 9 && !(d1 >= 0 && d1 <= 9)) return false;
  }
  return true;
}

/** A time `H:M` somewhere: what most templates need. */
export const TIME = /\d:\d/;

/** A template's leftmost match whose start is allowed (see anchoredTemplate). */
export function firstMatch(t: Template, line: string): RegExpExecArray | null {
  const re = t.search;
  re.lastIndex = 0;
  let m = re.exec(line);
  if (t.anchor === 'word') {
    while (m !== null && !startAllowed(t, line, m.index)) {
      re.lastIndex = m.index + 1;
      m = re.exec(line);
    }
  }
  return m;
}

/**
 * Where the date text of a match starts. Anchored templates end with a zero-width boundary, so
 * their date group closes the match and no group indices (regex flag `d`, slower) are needed.
 */
export function dateStart(t: Template, m: RegExpExecArray): number {
  if (t.groupAtEnd) return m.index + m[0].length - (m[t.group]?.length ?? 0);
  return m.indices?.[t.group]?.[0] ?? m.index;
}

/** Whether a template learned at `pos` may start there in this line (its anchor still holds). */
export function startAllowed(t: Template, line: string, pos: number): boolean {
  switch (t.anchor) {
    case 'caret':
      return pos === 0;
    case 'lnbeg':
      if (pos > 2) return false;
      for (let i = 0; i < pos; i++) if (isWord(line.charCodeAt(i))) return false;
      return true;
    case 'word':
      // (?=^|\b|\W): column 0, a non-word character, or a word character after a non-word one
      return pos === 0 || !isWord(line.charCodeAt(pos)) || !isWord(line.charCodeAt(pos - 1));
    default:
      return false;
  }
}

/**
 * A date found at column 0 or 1 that starts with a space after non-word characters only
 * (" 9/Jan/2005…", "[ 9/Jan/2005…"): fail2ban tries each form at the line start first, skipping
 * up to two non-word characters, so that space is not part of its date text.
 */
export function spacePaddedAtStart(t: Template, line: string, pos: number): boolean {
  if (t.sticky === null || pos > 1 || line.charCodeAt(pos) !== 32) return false;
  for (let i = 0; i < pos; i++) if (isWord(line.charCodeAt(i))) return false;
  return true;
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

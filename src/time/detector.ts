// The per-file date detector. A line's date is the leftmost match of any template (ties go to the
// earlier template), as fail2ban's detector finds it. The template and column that matched last
// are tried first on the next line: for a file in one format that is a fixed-position parse
// (hand-written for syslog and ISO, a sticky regex otherwise) and no scan of the template set.

import { DateFields, Clock } from './fields.ts';
import type { Template } from './template.ts';

/** What `read` returns; `line.slice(start, end)` is the date text (cut out before rule matching). */
export interface DateHit {
  /** epoch seconds, fractions allowed; NaN when the text has a date's form but names no real
   *  instant (Feb 30, year 0): fail2ban cuts such text out too, and the line has no time */
  time: number;
  start: number;
  end: number;
  /** name of the template that read the date (for "date template hits" statistics) */
  template?: string;
}

const TAI64_HIGH = 0x40000000; // 2^62 seen from the upper 32 bits

export class Detector {
  /** Reused for every line (see DateReader.read). */
  private readonly hit: DateHit = { time: 0, start: 0, end: 0, template: '' };
  private readonly f = new DateFields();
  private learned: Template | null = null;
  private learnedIndex = -1;
  private learnedPos = 0;
  private lastTime = NaN;
  private readonly needsDigit: boolean;

  constructor(
    private readonly templates: readonly Template[],
    private readonly clock: Clock,
    /** Whether two templates of the set may read one date differently (a custom datepattern
     *  list): then the learned template must not take a column an earlier template also takes. */
    private readonly tiesMatter: boolean,
  ) {
    this.needsDigit = templates.length > 0 && templates.every((t) => t.needsDigit);
  }

  read(line: string): DateHit | null {
    const t = this.learned;
    if (t !== null) {
      if (t.sticky === null) {
        // a template whose own regex says where it may start (epoch, JSON field, custom): run it
        const m = firstMatch(t, line);
        if (m !== null) {
          const start = dateStart(t, m);
          if (this.tiesMatter ? !this.othersTake(line, start) : nothingBefore(line, m.index, start)) {
            return this.take(t, this.learnedIndex, m, line);
          }
        }
        return this.scan(line);
      }
      const pos = this.learnedPos;
      if (pos < line.length && startAllowed(t, line, pos)
        && (this.tiesMatter ? !this.othersTake(line, pos) : nothingBefore(line, pos, pos))) {
        const hit = this.readAt(t, line, pos);
        if (hit !== undefined) return hit;
      }
      // The date moved (an access log's date follows a client address of varying length): find
      // the learned template elsewhere, and keep it when no other date can start further left.
      if (t.finder !== null && !this.tiesMatter) {
        const q = line.search(t.finder);
        if (q >= 0 && startAllowed(t, line, q) && nothingBefore(line, q, q)) {
          const hit = this.readAt(t, line, q);
          if (hit !== undefined) {
            this.learnedPos = q;
            return hit;
          }
        }
      }
    }
    return this.scan(line);
  }

  /** Read template `t` at column `pos`: the hand-written reader, else its sticky regex.
   *  undefined when it does not match there. */
  private readAt(t: Template, line: string, pos: number): DateHit | null | undefined {
    const f = this.f;
    f.reset();
    let end = t.fast === null ? -1 : t.fast(line, pos, f);
    if (end < 0) {
      f.reset();
      t.sticky!.lastIndex = pos;
      const m = t.sticky!.exec(line);
      if (m === null) return undefined;
      if (m.groups !== undefined) f.fromGroups(m.groups);
      end = pos + m[0].length;
    }
    return this.finish(t, line, pos, end);
  }

  /**
   * For a custom pattern list (where two patterns may read one date differently): whether another
   * template would win over the learned one starting at `pos`, i.e. starts further left, or at
   * the same column and comes earlier in the list. The default set skips this: its templates never
   * disagree, and the file's format wins over a second date further left, as in fail2ban.
   */
  private othersTake(line: string, pos: number): boolean {
    if (!this.tiesMatter) return false;
    const n = pos === 0 ? this.learnedIndex : this.templates.length;
    for (let i = 0; i < n; i++) {
      if (i === this.learnedIndex) continue;
      const t = this.templates[i]!;
      const m = firstMatch(t, line);
      if (m === null) continue;
      const start = dateStart(t, m);
      if (start < pos || (start === pos && i < this.learnedIndex)) return true;
    }
    return false;
  }

  /** Try every template; keep the leftmost date. */
  private scan(line: string): DateHit | null {
    if (this.needsDigit && !/\d/.test(line)) return null;
    const hasTime = TIME.test(line);
    let best: Template | null = null;
    let bestIndex = -1;
    let bestMatch: RegExpExecArray | null = null;
    let bestStart = Infinity;
    for (let i = 0; i < this.templates.length; i++) {
      const t = this.templates[i]!;
      if (t.needsTime && !hasTime) continue;
      const m = firstMatch(t, line);
      if (m === null) continue;
      const start = dateStart(t, m);
      if (start < bestStart) {
        best = t;
        bestIndex = i;
        bestMatch = m;
        bestStart = start;
      }
    }
    if (best === null || bestMatch === null) return null;
    return this.take(best, bestIndex, bestMatch, line);
  }

  /** Read the date a template's match found and learn the template and its column. */
  private take(t: Template, index: number, m: RegExpExecArray, line: string): DateHit | null {
    const start = dateStart(t, m);
    const end = start + (m[t.group]?.length ?? 0);
    this.learned = t;
    this.learnedIndex = index;
    this.learnedPos = start;
    this.f.reset();
    if (m.groups !== undefined) this.f.fromGroups(m.groups);
    return this.finish(t, line, start, end);
  }

  private finish(t: Template, line: string, start: number, end: number): DateHit | null {
    let time: number;
    switch (t.kind) {
      case 'fields':
        // a template that matched without reading any field (fail2ban's `^WARNING:()**`) marks a
        // line that belongs to the previous one: it takes the last time read
        time = this.f.any ? this.clock.toEpoch(this.f) : Number.isNaN(this.lastTime) ? this.clock.now : this.lastTime;
        break;
      case 'epoch':
        time = decimal(line, start, end);
        break;
      case 'lepoch':
        time = longEpoch(line.slice(start, end));
        break;
      case 'fieldEpoch': {
        // 13 digits before any fraction: milliseconds
        const v = decimal(line, start, end);
        let dot = start;
        while (dot < end && line.charCodeAt(dot) !== 46) dot++;
        time = dot - start >= 13 ? v / 1000 : v;
        break;
      }
      case 'tai64n':
        time = tai64n(line, start);
        break;
    }
    if (Number.isFinite(time)) this.lastTime = time;
    else time = NaN;
    const hit = this.hit;
    hit.time = time;
    hit.start = start;
    hit.end = end;
    hit.template = t.name;
    return hit;
  }
}

/**
 * Something every date of the default set holds (a `H:M` time, an epoch at the line start or in
 * audit(…), a TAI64N label, an epoch field, a short ISO day): a date cannot start before the first
 * of these.
 */
const DATE_PART = /\d:\d|^\W{0,2}\d{10}|audit\(|@[0-9a-fA-F]{24}|"(?:ts|time|timestamp|@timestamp)"\s*:\s*"?\d{10}|\b(?:ts|time|timestamp)="?\d{10}|\d{8}[T ]/;

/**
 * Default set: whether no other template's date can start before the learned template's match
 * (which starts at `matchStart`, its date text at `start`), so that taking it is what a search of
 * all templates for the leftmost date would do. A weekday or zone name just before the date could
 * make a longer date of another template (systemd short-full around ISO), a space before a
 * one-digit day a longer date of the same: not then either.
 */
function nothingBefore(line: string, matchStart: number, start: number): boolean {
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
const TIME = /\d:\d/;

/** A template's leftmost match whose start is allowed (see anchoredTemplate). */
function firstMatch(t: Template, line: string): RegExpExecArray | null {
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
function dateStart(t: Template, m: RegExpExecArray): number {
  if (t.groupAtEnd) return m.index + m[0].length - (m[t.group]?.length ?? 0);
  return m.indices?.[t.group]?.[0] ?? m.index;
}

/** Whether a template learned at `pos` may start there in this line (its anchor still holds). */
function startAllowed(t: Template, line: string, pos: number): boolean {
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

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The number written at [start, end) (digits and one optional `.` fraction), without slicing. */
function decimal(line: string, start: number, end: number): number {
  let v = 0;
  let i = start;
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) break;
    v = v * 10 + (c - 48);
  }
  let scale = 1;
  let frac = 0;
  for (i++; i < end; i++) {
    frac = frac * 10 + (line.charCodeAt(i) - 48);
    scale *= 10;
  }
  return scale === 1 ? v : v + frac / scale;
}

/** LEPOCH: seconds, milliseconds (13 digits) or microseconds (16 digits), with an optional fraction. */
function longEpoch(s: string): number {
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot);
  const scale = int.length >= 16 ? 1e6 : int.length >= 13 ? 1e3 : 1;
  return Number(int + frac) / scale;
}

/** `@4000000041f4104f00000000`: 2^62 + TAI seconds, then nanoseconds (read as UTC like fail2ban). */
function tai64n(line: string, start: number): number {
  // 2^62 + seconds does not fit a double exactly: take the two 32-bit halves apart
  const high = parseInt(line.slice(start + 1, start + 9), 16) - TAI64_HIGH;
  const secs = high * 4294967296 + parseInt(line.slice(start + 9, start + 17), 16);
  const nanos = parseInt(line.slice(start + 17, start + 25), 16);
  return secs + nanos / 1e9;
}

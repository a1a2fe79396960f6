// The per-file date detector. A line's date is the leftmost match of any template (ties go to the
// earlier template), as fail2ban's detector finds it. The template and column that matched last
// are tried first on the next line: for a file in one format that is a fixed-position parse
// (hand-written for syslog and ISO, a sticky regex otherwise) and no scan of the template set.

import { decimal, fieldEpoch, longEpoch, tai64n } from './epochs.ts';
import { DateFields, Clock } from './fields.ts';
import { dateStart, firstMatch, nothingBefore, spacePaddedAtStart, startAllowed, TIME } from './position.ts';
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
        if (hit !== undefined) {
          this.learnedPos = hit.start;
          return hit;
        }
      }
      // The date moved (an access log's date follows a client address of varying length): find
      // the learned template elsewhere, and keep it when no other date can start further left.
      if (t.finder !== null && !this.tiesMatter) {
        const q = line.search(t.finder);
        if (q >= 0 && startAllowed(t, line, q) && nothingBefore(line, q, q)) {
          const hit = this.readAt(t, line, q);
          if (hit !== undefined) {
            this.learnedPos = hit.start;
            return hit;
          }
        }
      }
    }
    return this.scan(line);
  }

  /** Read template `t` at column `pos` (see spacePaddedAtStart); undefined when it does not match there. */
  private readAt(t: Template, line: string, pos: number): DateHit | undefined {
    if (spacePaddedAtStart(t, line, pos)) {
      const hit = this.parseAt(t, line, pos + 1);
      if (hit !== undefined) return hit;
    }
    return this.parseAt(t, line, pos);
  }

  /** Template `t` at exactly column `pos`: the hand-written reader, else its sticky regex. */
  private parseAt(t: Template, line: string, pos: number): DateHit | undefined {
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
    if (spacePaddedAtStart(best, line, bestStart)) {
      const hit = this.parseAt(best, line, bestStart + 1);
      if (hit !== undefined) {
        this.learned = best;
        this.learnedIndex = bestIndex;
        this.learnedPos = hit.start;
        return hit;
      }
    }
    return this.take(best, bestIndex, bestMatch, line);
  }

  /** Read the date a template's match found and learn the template and its column. */
  private take(t: Template, index: number, m: RegExpExecArray, line: string): DateHit {
    const start = dateStart(t, m);
    const end = start + (m[t.group]?.length ?? 0);
    this.learned = t;
    this.learnedIndex = index;
    this.learnedPos = start;
    this.f.reset();
    if (m.groups !== undefined) this.f.fromGroups(m.groups);
    return this.finish(t, line, start, end);
  }

  private finish(t: Template, line: string, start: number, end: number): DateHit {
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
      case 'fieldEpoch':
        time = fieldEpoch(line, start, end);
        break;
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

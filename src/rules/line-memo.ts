// What the matchers of the jails reading one file share about the line being read: sshd's
// modes (and the jails of one service) test the same words, cut the same date and run the same
// prefregex and many of the same failregexes on every line, and each gives the same result on
// the same text, so each is done once per line for all of them. Everything here is a pure
// function of the line's text, kept for the last text only; what depends on a matcher's own
// past (sessions, the line before, the last date seen) stays the matcher's.

import type { DateReader } from './matcher.ts';
import type { Groups } from './failure.ts';
import { unfoldRepeated, type Unfolded } from './repeated.ts';
import { anyWordRegex } from './any-word.ts';

/** Small numbers for regex keys (slots): equal keys, equal results on equal text. */
const slotOfKey = new Map<string, number>();
export function slotOf(key: string): number {
  let n = slotOfKey.get(key);
  if (n === undefined) slotOfKey.set(key, (n = slotOfKey.size));
  return n;
}

/** Results of regexes on one text (the last given), by slot; a new text starts a new round. */
export class TextResults {
  private text: string | null = null;
  private round = 0;
  private readonly rounds: number[] = [];
  private readonly results: (RegExpExecArray | null)[] = [];

  /** The result of regex `slot` on `text` when known, else undefined. */
  get(slot: number, text: string): RegExpExecArray | null | undefined {
    if (text !== this.text) {
      this.text = text;
      this.round++;
      return undefined;
    }
    return this.rounds[slot] === this.round ? this.results[slot] : undefined;
  }

  /** The result of regex `slot` on the text of the last get(). */
  set(slot: number, result: RegExpExecArray | null): void {
    while (this.rounds.length <= slot) {
      this.rounds.push(-1);
      this.results.push(null);
    }
    this.rounds[slot] = this.round;
    this.results[slot] = result;
  }
}

/**
 * The prefilters of the file's rules joined into one: a line holding none of their words is
 * refused by every rule after one test instead of one per rule (most lines of a busy log). A
 * line holding one is passed at once by every rule that looks for the word the union found.
 */
class PrefilterUnion {
  private readonly sources = new Set<string>();
  private readonly words = new Set<string>();
  /** Some prefilter came without its words: the union is then the prefilters side by side. */
  private wordless = false;
  private union: RegExp | null = null;
  private line: string | null = null;
  /** The word the union found in the line (null: none). */
  private found: string | null = null;

  add(prefilter: RegExp, words: readonly string[] | undefined): void {
    if (this.sources.has(prefilter.source)) return;
    this.sources.add(prefilter.source);
    if (words) for (const w of words) this.words.add(w);
    else this.wordless = true;
    this.union = this.wordless ? new RegExp([...this.sources].join('|')) : anyWordRegex([...this.words]);
    this.line = null;
  }

  /** The last line given to test() holds no word of any prefilter: every one refuses it. */
  get refusedByAll(): boolean {
    return this.found === null;
  }

  /** Whether `line` holds no word of any prefilter given to add() (some must have been). */
  refuses(line: string): boolean {
    if (line !== this.line) {
      this.line = line;
      const m = this.union!.exec(line);
      this.found = m === null ? null : m[0];
    }
    return this.found === null;
  }

  /** prefilter.test(line), for a prefilter given to add() that looks for `words` (null: not known). */
  test(prefilter: RegExp, words: ReadonlySet<string> | null, line: string): boolean {
    if (line !== this.line) {
      this.line = line;
      const m = this.union!.exec(line);
      this.found = m === null ? null : m[0];
    }
    if (this.found === null) return false;
    return this.sources.size === 1 || (words !== null && words.has(this.found)) || prefilter.test(line);
  }
}

/** One date reader's last cut: the line and the line without its date. */
interface Cut {
  line: string | null;
  text: string;
}

export class LineMemo {
  /** The prefregex on the line without its date. */
  readonly whole = new TextResults();
  /** The failregexes on the prefregex's content. */
  readonly content = new TextResults();
  readonly prefilters = new PrefilterUnion();
  private readonly cuts = new Map<DateReader, Cut>();
  private lastReader: DateReader | null = null;
  private lastCut: Cut | undefined;
  private contentMatch: RegExpExecArray | null = null;
  private contentText = '';
  private unfoldText: string | null = null;
  private unfolded: Unfolded | null = null;

  /** The prefregex's content in `m` (matcher.ts contentOf), once per match. */
  contentOf(m: RegExpExecArray, names: readonly string[]): string {
    if (m !== this.contentMatch) {
      this.contentMatch = m;
      this.contentText = contentOf(m, names);
    }
    return this.contentText;
  }

  /** unfoldRepeated(text), once per text. */
  unfold(text: string): Unfolded | null {
    if (text !== this.unfoldText) {
      this.unfoldText = text;
      this.unfolded = unfoldRepeated(text);
    }
    return this.unfolded;
  }
  private groupsPref: RegExpExecArray | null = null;
  private groupsFail: RegExpExecArray | null = null;
  private groups: Groups | null = null;

  /**
   * The groups read from these two results (the same objects: the same regexes on the same
   * text), or null. Read only: every matcher that found the same match gets this object.
   */
  groupsOf(pref: RegExpExecArray | null, fail: RegExpExecArray): Groups | null {
    return fail === this.groupsFail && pref === this.groupsPref ? this.groups : null;
  }

  keepGroups(pref: RegExpExecArray | null, fail: RegExpExecArray, g: Groups): void {
    this.groupsPref = pref;
    this.groupsFail = fail;
    this.groups = g;
  }

  /**
   * `line` without [start, end), the date `reader` found there: one string for all the matchers
   * reading dates alike, so the regex results above are found by identity, not by comparing text.
   */
  cut(reader: DateReader, line: string, start: number, end: number): string {
    // Most files have one date setting: its cut is found without the map.
    let c = reader === this.lastReader ? this.lastCut : this.cuts.get(reader);
    if (c === undefined) this.cuts.set(reader, (c = { line: null, text: '' }));
    this.lastReader = reader;
    this.lastCut = c;
    if (c.line !== line) {
      c.line = line;
      c.text = cutOut(line, start, end);
    }
    return c.text;
  }
}

/** The prefregex's <F-CONTENT>: the first of its JS copies that took part ('' when none did). */
export function contentOf(m: RegExpExecArray, names: readonly string[]): string {
  for (let k = 0; k < names.length; k++) {
    const v = m.groups?.[names[k]!];
    if (v !== undefined) return v;
  }
  return '';
}

export function cutOut(line: string, start: number, end: number): string {
  return start === 0 ? line.slice(end) : line.slice(0, start) + line.slice(end);
}

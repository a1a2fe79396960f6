// What the matchers of the jails reading one file share about the line being read: sshd's
// modes (and the jails of one service) test the same words, cut the same date and run the same
// prefregex and many of the same failregexes on every line, and each gives the same result on
// the same text, so each is done once per line for all of them. Everything here is a pure
// function of the line's text, kept for the last text only; what depends on a matcher's own
// past (sessions, the line before, the last date seen) stays the matcher's.
//
// A scan tells the memo each new line (next()): what is kept for the line before is then replaced
// without comparing texts (a log's lines are often of one length, and two such texts, slices of
// the read chunk, compare in a runtime call). Within one line, texts are still compared (most by
// identity: the matchers are handed the same strings), so a memo nobody tells is only slower.

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

/** The line being read: next() counts it. */
interface LineCount {
  line: number;
}

/**
 * Results of regexes on one text (the last given), by slot; a new text starts a new round. Only
 * a regex that more than one matcher runs (use()) keeps its result: another's would never be
 * asked for, and keeping it cost each line its text compared and its result stored.
 */
export class TextResults {
  private text: string | null = null;
  /** The line `text` was given on. */
  private at = -1;
  private round = 0;
  private readonly rounds: number[] = [];
  private readonly results: (RegExpExecArray | null)[] = [];
  private readonly users: number[] = [];

  constructor(private readonly now: LineCount) {}

  /** A matcher runs regex `slot` on the texts it gives. */
  use(slot: number): void {
    while (this.users.length <= slot) {
      this.users.push(0);
      this.rounds.push(-1);
      this.results.push(null);
    }
    this.users[slot]!++;
  }

  /** The result of regex `slot` on `text` when known, else undefined. */
  get(slot: number, text: string): RegExpExecArray | null | undefined {
    if ((this.users[slot] ?? 0) < 2) return undefined;
    if (this.at !== this.now.line || text !== this.text) {
      this.at = this.now.line;
      this.text = text;
      this.round++;
      return undefined;
    }
    return this.rounds[slot] === this.round ? this.results[slot] : undefined;
  }

  /** The result of regex `slot` on the text of the last get(). */
  set(slot: number, result: RegExpExecArray | null): void {
    if ((this.users[slot] ?? 0) < 2) return;
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
  constructor(private readonly now: LineCount) {}

  private readonly sources = new Set<string>();
  private readonly words = new Set<string>();
  /** Some prefilter came without its words: the union is then the prefilters side by side. */
  private wordless = false;
  private union: RegExp | null = null;
  private line: string | null = null;
  /** The line `line` was given on (-1: none kept). */
  private at = -1;
  /** Whether the union found a word in the line. */
  private hit = false;
  /** The word the union found in the line (null: none, or one prefilter: no word needed). */
  private found: string | null = null;

  add(prefilter: RegExp, words: readonly string[] | undefined): void {
    if (this.sources.has(prefilter.source)) return;
    this.sources.add(prefilter.source);
    if (words) for (const w of words) this.words.add(w);
    else this.wordless = true;
    this.union = this.wordless ? new RegExp([...this.sources].join('|')) : anyWordRegex([...this.words]);
    this.at = -1;
  }

  /** The last line given to test() holds no word of any prefilter: every one refuses it. */
  get refusedByAll(): boolean {
    return !this.hit;
  }

  /**
   * Whether `line`, the line next() counted, holds no word of any prefilter given to add() (some
   * must have been). A line refused is not kept (no store per quiet line): no matcher asks test()
   * of it but the few read the long way, and those look again.
   */
  refuses(line: string): boolean {
    if (this.look(line)) {
      this.line = line;
      this.at = this.now.line;
      return false;
    }
    this.at = -1;
    return true;
  }

  /** prefilter.test(line), for a prefilter given to add() that looks for `words` (null: not known). */
  test(prefilter: RegExp, words: ReadonlySet<string> | null, line: string): boolean {
    if (this.at !== this.now.line || line !== this.line) {
      this.look(line);
      this.line = line;
      this.at = this.now.line;
    }
    if (!this.hit) return false;
    return this.sources.size === 1 || (words !== null && words.has(this.found!)) || prefilter.test(line);
  }

  /** Whether the union finds a word in `line` (into hit, and found). One prefilter needs no word: test() makes no match array. */
  private look(line: string): boolean {
    if (this.sources.size === 1) return (this.hit = this.union!.test(line));
    const m = this.union!.exec(line);
    this.found = m === null ? null : m[0];
    return (this.hit = m !== null);
  }
}

/** One date reader's last cut: the line and the line without its date. */
interface Cut {
  line: string | null;
  /** The line `line` was given on. */
  at: number;
  text: string;
  /** Matchers reading dates with this reader: one alone keeps no cut. */
  users: number;
}

export class LineMemo {
  private readonly now: LineCount = { line: 0 };
  /** The prefregex on the line without its date. */
  readonly whole = new TextResults(this.now);
  /** The failregexes on the prefregex's content. */
  readonly content = new TextResults(this.now);
  readonly prefilters = new PrefilterUnion(this.now);
  private readonly cuts = new Map<DateReader, Cut>();
  private lastReader: DateReader | null = null;
  private lastCut: Cut | undefined;
  private contentMatch: RegExpExecArray | null = null;
  private contentText = '';
  private unfoldText: string | null = null;
  private unfoldAt = -1;
  private unfolded: Unfolded | null = null;

  /** The matchers are about to read a new line. */
  next(): void {
    this.now.line++;
  }

  /**
   * A matcher reading dates with `reader` shares this memo (scan/match-groups.ts hands one only to
   * two or more matchers).
   */
  use(reader: DateReader): void {
    let c = this.cuts.get(reader);
    if (c === undefined) this.cuts.set(reader, (c = { line: null, at: -1, text: '', users: 0 }));
    c.users++;
  }

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
    if (this.unfoldAt !== this.now.line || text !== this.unfoldText) {
      this.unfoldAt = this.now.line;
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
    if (c === undefined) this.cuts.set(reader, (c = { line: null, at: -1, text: '', users: 0 }));
    this.lastReader = reader;
    this.lastCut = c;
    if (c.users < 2) return cutOut(line, start, end);
    if (c.at !== this.now.line || c.line !== line) {
      c.at = this.now.line;
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

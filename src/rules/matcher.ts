// Matches a stream of log lines against a compiled filter, as fail2ban does: the date
// is read and cut out of the line, the rest goes through prefregex (its <F-CONTENT>
// is what failregexes see), the failregexes in order, then ignoreregex. Lines that
// cannot match (the prefilter says no) cost one regex test and no allocation.
// With maxlines > 1 the last lines are kept in a buffer and matched together.
// A syslog daemon's "message repeated N times: [ ... ]" is read as the message inside,
// and its match carries repeat = N (see repeated.ts). A record of Docker's json-file log
// is read as the line the container printed (docker-line.ts).

import type { RuleMatch } from '../types.ts';
import type { CompiledRegex, Filter } from './compile.ts';
import { readGroups, SessionCache, toRuleMatch, type Groups, type SessionEntry } from './failure.ts';
import { LinearRegex, type RegexRunner } from './linear-regex.ts';
import { unwrapDockerLine } from './docker-line.ts';
import { lastRepeated, unfoldRepeated, type Unfolded } from './repeated.ts';
import { contentOf, cutOut, slotOf, type LineMemo } from './line-memo.ts';
import { FirstCharIndex } from './first-chars.ts';

export interface DateHit {
  time: number;
  start: number;
  end: number;
  /** Name of the date template that matched, when the reader tells. */
  template?: string;
}

export interface DateReader {
  read(line: string): DateHit | null;
}

export interface MatcherStats {
  lines: number;
  /** Lines a failregex matched (failures, F-NOFAIL helper lines included). */
  matched: number;
  ignored: number;
  missed: number;
  failregexHits: number[];
  ignoreregexHits: number[];
  /** Date template -> lines whose date it read (lines the prefilter dropped are not read). */
  dateHits: Map<string, number>;
  /** Lines read for a date that had none. */
  noDate: number;
  /** Line numbers ignoreregex dropped (kept for test-rule; capped). */
  ignoredLines: number[];
  /** Line numbers a failregex matched without a failure being reported. */
  helperLines: number;
}

export interface Matcher {
  push(line: string): RuleMatch[];
  readonly stats: MatcherStats;
}

/** What a matcher's classify() found on a line. */
export interface Classified {
  /** The line read (a Docker record's inside) and Docker's time of the record (null: none). */
  line: string;
  docker: number | null;
  /** A date was read: its time and template. */
  date: boolean;
  time: number;
  template: string | undefined;
  /** N of a "last message repeated N times" line. */
  repeat: number;
  unfolded: Unfolded | null;
  /** The prefregex's content and match (null: no prefregex, or it did not match). */
  content: string | null;
  pref: RegExpExecArray | null;
  verdict: number;
  /** DROPPED by every prefilter of the file's rules (line-memo.ts), not only this rule's. */
  droppedByAll: boolean;
  /** The failregex (index) that matched, and its match. */
  index: number;
  match: RegExpExecArray | null;
}

/** What a single-line matcher remembers between lines (sessions, the last dates seen). */
export interface MatcherState {
  lastTime: number | null;
  skipped: (string | null)[];
  skippedAt: number;
  skippedCount: number;
  sessions: SessionCache | null;
}

/**
 * A matcher of a single-line rule taken apart for matcher-group.ts: push(line) is
 * classify(line, repeatable) then take(lineNo).
 */
export interface MatcherCore extends Matcher {
  classify(raw: string, repeatable: boolean): number;
  take(lineNo: number): RuleMatch[];
  /** What the last classify() found (its index: the failregex's, when the verdict is a slot). */
  readonly classified: Readonly<Classified>;
  /** Each failregex's slot (line-memo.ts) and first characters (first-chars.ts), in order; the prefilter's source (null: none). */
  readonly slots: readonly number[];
  readonly firsts: readonly (string | null)[];
  readonly prefilterSource: string | null;
  /** The words the prefilter looks for (null: not known). */
  readonly prefilterWords: ReadonlySet<string> | null;
  /**
   * Whether this rule's verdict on the line another rule of its group just classified (`o`, its
   * classified) is that one's, for a matcher whose own "repeatable" is the other's: the same but
   * for the failregexes `extra` (this rule's indexes the other did not rule out, among those
   * that may match the content's first character: line-memo.ts results, run when not known) and, unless `prefilterAgrees` (known to), the prefilter. When it is,
   * classified.index becomes `at` (the verdict's index here) and, with `adopt`, o is taken as this
   * matcher's own classify() of the line (take() may follow).
   */
  agrees(o: Readonly<Classified>, prefilterAgrees: boolean, extra: readonly number[], at: number, adopt: boolean): boolean;
  /** A failure was found on the line before: a "last message repeated" line repeats it. */
  repeatable(): boolean;
  /** Not a multi-line rule (maxlines 1): classify() and take() may stand for push(). */
  readonly singleLine: boolean;
  /**
   * take() of `count` lines in a row that every prefilter of the file's rules refuses
   * (line-memo.ts), none a Docker record nor a "last message repeated" line: what classify()
   * would find, without looking. The i-th of them (from 0) is `ring[i % SKIP_KEPT]` for the
   * last SKIP_KEPT of them (a dateless line matched later may take its date from those).
   */
  takeDropped(ring: readonly string[], count: number): void;
  /** push() of such lines. */
  pushDropped(ring: readonly string[], count: number): void;
  /**
   * What taking the last classify()'s line in does to what this matcher remembers besides the
   * date and the failure of the line before: '' nothing, 'F' + id forgets connection id (F-MLFFORGET),
   * null anything else (a connection merged, a dropped or repeated line, an ignoreregex to ask).
   * Two rules of a group in the same state with equal effects are in the same state after the line.
   */
  effect(): string | null;
  /** Before take(): keep the connection the line forgets (effect() 'F' + id) for followers' takeAside(). */
  holdBefore(): void;
  /** After take(): the state a follower's takeAside() reads (this matcher's sessions, the held connection, the line's time). */
  aside(): AsideBase;
  /**
   * The last classify()'s matches, for a follower of `base`'s matcher whose verdict differed but
   * whose effect() was the same: its own failure, from the connection as it was before the line.
   * Changes nothing this matcher remembers (it follows the other's state).
   */
  takeAside(lineNo: number, base: AsideBase): RuleMatch[];
  /** A copy of what this matcher remembers, for another matcher to go on from. */
  snapshot(): MatcherState;
  /** Go on from `s` (a snapshot nobody else uses), with `last` as the failure of the line before. */
  restore(s: MatcherState, last: RuleMatch | null): void;
}

/** A leader's state for its followers' takeAside() (see MatcherCore.aside). */
export interface AsideBase {
  sessions: SessionCache | null;
  entry: SessionEntry | undefined;
  time: number | null;
}

const NONE: RuleMatch[] = [];
Object.freeze(NONE);

/**
 * A matcher's one accessor lives on its prototype: V8 keeps an object literal with getters of its
 * own as a dictionary, and every property read of it (classify, take, agrees: several per line
 * in a MatcherGroup) was then a hash look-up.
 */
const MATCHER_PROTO = {
  get stats(): MatcherStats {
    return (this as unknown as MatcherInside).statsNow();
  },
};

interface MatcherInside {
  /** The stats, the dates counted apart folded in. */
  statsNow(): MatcherStats;
}

// classify()'s verdicts besides a failregex's slot (slots are >= 0).
export const DROPPED = -1;
export const NO_MATCH = -2;
export const REPEAT_LAST = -3;
const MAX_IGNORED_KEPT = 100000;
/** Lines the prefilter dropped that a dateless matching line may take its date from. */
export const SKIP_KEPT = 4;

type Names = [string, string[]][];
interface Prepared {
  /** What a LineMemo knows the regex by (engine, flags and source: equal results on equal text). */
  slot: number;
  r: CompiledRegex;
  /** The engine that runs it: the RegExp itself, or RE2 (linear-regex.ts). */
  re: RegexRunner;
  names: Names;
  /** The regex cannot match a line holding none of these words (empty: no shortcut). */
  needles: string[];
  /** The regex's required words not already its needle: all must be in the line (after the needles). */
  words: string[];
  /** A match starts with one of these characters (null: unknown; first-chars.ts). */
  first: string | null;
}

/** RE2 programs by compiled regex: one per rule, shared by the matchers of its files. */
const linearOf = new WeakMap<CompiledRegex, LinearRegex>();

export function runnerOf(r: CompiledRegex): RegexRunner {
  if (!r.linear) return r.re;
  let l = linearOf.get(r);
  if (!l) linearOf.set(r, (l = new LinearRegex(r.linear.source, r.re.flags, r.linear.lookbehind, r.re.flags.includes('d'))));
  return l;
}

function prep(r: CompiledRegex): Prepared {
  return { slot: slotOf(`${r.linear ? 'L' : 'R'}/${r.re.flags}/${r.re.source}`), r, re: runnerOf(r), names: [...r.groups].filter(([n]) => n !== 'content' && !n.startsWith('__atomic')), needles: r.needles, words: r.words.filter((w) => !r.needles.includes(w)), first: r.first ?? null };
}

/** s.trim() === '' without making the trimmed string (an sshd session id ends in a space). */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 32 && c < 127) return false;
    if (c !== 32 && c !== 9) return s.trim() === ''; // other white space: as trim() sees it
  }
  return true;
}

function holdsAny(line: string, needles: string[]): boolean {
  for (let k = 0; k < needles.length; k++) if (line.includes(needles[k]!)) return true;
  return false;
}

function holdsAll(line: string, words: string[]): boolean {
  for (let k = 0; k < words.length; k++) if (!line.includes(words[k]!)) return false;
  return true;
}

/**
 * A matcher reading dates with `reader`. Matchers of one file may share a `memo` (and a reader)
 * so that what their rules have in common is done once per line (line-memo.ts); a lone matcher
 * needs neither.
 */
export function createMatcherWith(filter: Filter, reader: DateReader, memo?: LineMemo): MatcherCore {
  const shared = memo ?? null;
  const wholeMemo = memo?.whole ?? null;
  const contentMemo = memo?.content ?? null;
  const pref = filter.prefregex ? prep(filter.prefregex) : null;
  const prefContent = filter.prefregex?.groups.get('content') ?? [];
  const fails = filter.failregex.map(prep);
  const byFirst = new FirstCharIndex(fails.map((f) => f.first));
  const ignores = filter.ignoreregex.map(runnerOf);
  const prefilter = filter.prefilter;
  if (shared !== null) {
    shared.use(reader);
    if (pref !== null) shared.whole.use(pref.slot);
    for (const f of fails) shared.content.use(f.slot);
    if (prefilter !== null) shared.prefilters.add(prefilter, filter.prefilterWords);
  }
  const prefilterWords = filter.prefilterWords ? new Set(filter.prefilterWords) : null;
  let sessions = filter.mlfid ? new SessionCache() : null;
  const stats: MatcherStats = {
    lines: 0,
    matched: 0,
    ignored: 0,
    missed: 0,
    failregexHits: fails.map(() => 0),
    ignoreregexHits: ignores.map(() => 0),
    dateHits: new Map(),
    noDate: 0,
    ignoredLines: [],
    helperLines: 0,
  };
  let lastTime: number | null = null;
  const multi = filter.maxlines > 1;
  const buffer: { text: string; line: string }[] = [];

  // takeDate() leaves the line's time here (no object per line).
  let cutTime: number | null = null;
  let dateHits = 0;


  /** The line to read: the container's line inside a Docker json-file record, else the line. */
  function unwrap(line: string): string {
    cls.docker = null;
    if (line.charCodeAt(0) !== 123 /* { */) return line;
    const d = unwrapDockerLine(line);
    if (!d) return line;
    cls.docker = d.time;
    return d.text;
  }

  // The last lines the prefilter dropped unread, newest at skippedAt - 1 (a ring of SKIP_KEPT):
  // a line without a date takes the last date seen (java.util.logging and Erlang's error_logger
  // write the date on a line of its own, which names none of a rule's words), so when such a
  // line matches, these are read for it. Keeping them costs one reference per dropped line.
  const skipped: (string | null)[] = new Array(SKIP_KEPT).fill(null);
  let skippedAt = 0;
  let skippedCount = 0;

  /** The newest date among the dropped lines since the last date read, into lastTime. */
  function dateOfSkipped(): void {
    for (let k = 1; k <= Math.min(skippedCount, SKIP_KEPT); k++) {
      const l = skipped[(skippedAt - k + SKIP_KEPT) % SKIP_KEPT]!;
      const d = reader.read(l);
      if (d && Number.isFinite(d.time)) {
        lastTime = d.time;
        break;
      }
    }
    skippedCount = 0;
  }

  /**
   * The effects of the date classify() read (cls.date: a date was found) on what this matcher
   * remembers; the line's time (the last date seen when it has none) goes to cutTime.
   */
  function takeDate(): void {
    if (cls.docker !== null) lastTime = cls.docker;
    if (!cls.date) {
      stats.noDate++;
      if (skippedCount !== 0 && cls.docker === null) dateOfSkipped();
      cutTime = lastTime;
      return;
    }
    skippedCount = 0;
    if (cls.template !== undefined) stats.dateHits.set(cls.template, (stats.dateHits.get(cls.template) ?? 0) + 1);
    else dateHits++;
    // A date that matched a template but is not a real date (year 0) is still cut out,
    // as fail2ban does; the line then has no time.
    cutTime = cls.docker ?? (Number.isFinite(cls.time) ? cls.time : null);
    if (cutTime !== null) lastTime = cutTime;
  }

  /** The line with its date cut out; whether there was one, and its time, go to cls.date, cls.time, cls.template. */
  function readDate(line: string): string {
    const d = reader.read(line);
    cls.date = d !== null;
    if (!d) return line;
    // The reader may hand the same object for another line later (dateOfSkipped): keep the values.
    cls.time = d.time;
    cls.template = d.template;
    return shared === null ? cutOut(line, d.start, d.end) : shared.cut(reader, line, d.start, d.end);
  }


  function content(text: string): string | null {
    cls.pref = null;
    if (!pref) return text;
    let m = wholeMemo === null ? undefined : wholeMemo.get(pref.slot, text);
    if (m === undefined) {
      m = pref.re.exec(text);
      wholeMemo?.set(pref.slot, m);
    }
    if (!m) return null;
    cls.pref = m;
    return shared === null ? contentOf(m, prefContent) : shared.contentOf(m, prefContent);
  }

  /** The groups of a match (the prefregex's, then the failregex's); matchers sharing the results share them too. */
  function groupsOf(fm: RegExpExecArray, names: Names): Groups {
    const pm = cls.pref;
    if (shared !== null) {
      const known = shared.groupsOf(pm, fm);
      if (known !== null) return known;
    }
    const g: Groups = {};
    if (pm !== null) readGroups(pm, pref!.names, g);
    readGroups(fm, names, g);
    shared?.keepGroups(pm, fm, g);
    return g;
  }

  function ignored(c: string, lineNo: number): boolean {
    for (let k = 0; k < ignores.length; k++) {
      ignores[k]!.lastIndex = 0;
      if (ignores[k]!.test(c)) {
        stats.ignoreregexHits[k]!++;
        stats.ignored++;
        if (stats.ignoredLines.length < MAX_IGNORED_KEPT) stats.ignoredLines.push(lineNo);
        return true;
      }
    }
    return false;
  }

  /** `aside`: the line is a follower's takeAside() (merged aside in the leader's sessions). */
  function report(g: Groups, j: number, lineNo: number, time: number | null, lines: string[], repeat: number, aside: AsideBase | null): RuleMatch[] {
    stats.matched++;
    let groups: Groups | null = g;
    let ls = lines;
    // An empty id (a log without the program's pid: daemontools, s6, runit) ties nothing together.
    if (sessions && g.mlfid !== undefined && !isBlank(g.mlfid)) {
      const from = aside === null ? sessions : aside.sessions!;
      groups = aside === null ? sessions.merge(g.mlfid, g, lines, time) : from.mergeAside(aside.entry, g, lines);
      if (groups !== null) ls = from.reported;
    } else if (g.nofail !== undefined || g.mlfgained !== undefined) groups = null;
    const r = groups ? toRuleMatch(groups, j, lineNo, time, ls) : null;
    if (!r) {
      stats.helperLines++;
      return NONE;
    }
    if (repeat > 1) r.repeat = repeat;
    return [r];
  }

  // The failure of the line before, for sysklogd's "last message repeated N times".
  let lastFailure: RuleMatch | null = null;

  // What classify() found on its line, for apply() (and for agrees() to hand to another rule).
  const cls: Classified = { line: '', docker: null, date: false, time: NaN, template: undefined, repeat: 0, unfolded: null, content: null, pref: null, verdict: NO_MATCH, droppedByAll: false, index: -1, match: null };

  /** Failregex `f` on content `c` of `line`, its result shared with the file's other rules (line-memo.ts). */
  function runFail(f: (typeof fails)[number], c: string, line: string): RegExpExecArray | null {
    let m = contentMemo === null ? undefined : contentMemo.get(f.slot, c);
    if (m === undefined) {
      // A regex cannot match a line without one of its needles, or without every word it
      // requires (its result is null then too).
      m = (f.needles.length !== 0 && !holdsAny(line, f.needles)) || !holdsAll(line, f.words) ? null : f.re.exec(c);
      contentMemo?.set(f.slot, m);
    }
    return m;
  }

  /**
   * The index of the first failregex that matches content `c` of `line` (-1: none), its match
   * into cls.match. Only those whose match may start with c's first character, in order.
   */
  function firstFailure(c: string, line: string): number {
    const candidates = byFirst.candidates(c);
    for (let x = 0; x < candidates.length; x++) {
      const j = candidates[x]!;
      const m = runFail(fails[j]!, c, line);
      if (m) {
        cls.match = m;
        return j;
      }
    }
    return -1;
  }

  /** Whether the rule's prefilter lets `line` through (asked of the file's joined test when shared). */
  function passes(line: string): boolean {
    return prefilter === null || (shared === null ? prefilter.test(line) : shared.prefilters.test(prefilter, prefilterWords, line));
  }

  /** A line the prefilter refused: kept a while, a dateless matching line may take its date. */
  function skip(line: string): RuleMatch[] {
    stats.missed++;
    skipped[skippedAt] = line;
    skippedAt = (skippedAt + 1) % SKIP_KEPT;
    skippedCount++;
    return NONE;
  }

  /**
   * What `raw` is to this rule, as a verdict: REPEAT_LAST, DROPPED (the prefilter), NO_MATCH,
   * or the slot of the first failregex that matches. Changes nothing this matcher remembers
   * (the same line in the same state gives the same verdict): apply() does. `repeatable`: a
   * failure was found on the line before (lastFailure).
   */
  function classify(raw: string, repeatable: boolean): number {
    const line = unwrap(raw);
    cls.line = line;
    if (repeatable && line.includes('last message repeated ')) {
      // Read behind its date: "Dec  1 10:00:00 host last message repeated 3 times".
      const n = lastRepeated(readDate(line));
      if (n !== null) {
        cls.repeat = n;
        return (cls.verdict = REPEAT_LAST);
      }
    }
    if (!passes(line)) {
      cls.droppedByAll = shared !== null && shared.prefilters.refusedByAll;
      return (cls.verdict = DROPPED);
    }
    const cutText = readDate(line);
    const unfolded = shared === null ? unfoldRepeated(cutText) : shared.unfold(cutText);
    cls.unfolded = unfolded;
    const c = content(unfolded ? unfolded.text : cutText);
    cls.content = c;
    if (c !== null) {
      const j = firstFailure(c, line);
      if (j >= 0) {
        cls.index = j;
        return (cls.verdict = fails[j]!.slot);
      }
    }
    return (cls.verdict = NO_MATCH);
  }

  /** The last classify()'s line taken in: what this matcher remembers moves on; its matches. */
  function apply(lineNo: number): RuleMatch[] {
    const line = cls.line;
    const v = cls.verdict;
    if (v === DROPPED) return skip(line);
    takeDate();
    if (v === REPEAT_LAST) {
      // The failure before, once more, N times: the daemon's count of lines it did not write.
      const before = lastFailure!;
      stats.matched++;
      return [{ ...before, lineNo, time: cutTime ?? before.time, lines: [line], repeat: cls.repeat }];
    }
    if (v === NO_MATCH) {
      stats.missed++;
      return NONE;
    }
    const j = cls.index;
    const c = cls.content!;
    stats.failregexHits[j]!++;
    if (ignored(c, lineNo)) return NONE;
    return report(groupsOf(cls.match!, fails[j]!.names), j, lineNo, cutTime, [line], cls.unfolded ? cls.unfolded.repeat : 1, null);
  }

  /** apply(), and the failure to repeat for a "last message repeated" line after it. */
  function take(lineNo: number): RuleMatch[] {
    const found = apply(lineNo);
    lastFailure = found.length === 1 ? found[0]! : null;
    return found;
  }

  /**
   * classify() then take(), in one: a matcher alone (most files have one jail) keeps what it
   * finds on the line in locals. The same steps in the same order; test/rules/matcher-group.test.ts
   * compares the two ways line by line.
   */
  function pushSingle(raw: string, lineNo: number): RuleMatch[] {
    const found = matchSingle(raw, lineNo);
    lastFailure = found.length === 1 ? found[0]! : null;
    return found;
  }

  function matchSingle(raw: string, lineNo: number): RuleMatch[] {
    const line = unwrap(raw);
    if (lastFailure !== null && line.includes('last message repeated ')) {
      const n = lastRepeated(readDate(line));
      if (n !== null) {
        cls.line = line;
        cls.repeat = n;
        cls.verdict = REPEAT_LAST;
        return apply(lineNo);
      }
    }
    if (!passes(line)) return skip(line);
    const cutText = readDate(line);
    takeDate();
    const time = cutTime;
    const unfolded = shared === null ? unfoldRepeated(cutText) : shared.unfold(cutText);
    const c = content(unfolded ? unfolded.text : cutText);
    if (c !== null) {
      const j = firstFailure(c, line);
      if (j >= 0) {
        stats.failregexHits[j]!++;
        if (ignored(c, lineNo)) return NONE;
        return report(groupsOf(cls.match!, fails[j]!.names), j, lineNo, time, [line], unfolded ? unfolded.repeat : 1, null);
      }
    }
    stats.missed++;
    return NONE;
  }

  function pushMulti(raw: string, lineNo: number): RuleMatch[] {
    const line = unwrap(raw);
    const cutText = readDate(line);
    takeDate();
    const time = cutTime;
    const unfolded = unfoldRepeated(cutText);
    const text = unfolded ? unfolded.text : cutText;
    buffer.push({ text, line });
    if (buffer.length > filter.maxlines) buffer.shift();
    const joined = buffer.map((b) => b.text).join('\n');
    const c = content(joined);
    if (c !== null) {
      for (let j = 0; j < fails.length; j++) {
        const f = fails[j]!;
        const m = f.re.exec(c);
        if (!m) continue;
        stats.failregexHits[j]!++;
        const used = usedLines(c, joined, m);
        if (ignored(c, lineNo)) {
          removeLines(used);
          return NONE;
        }
        const g = groupsOf(m, f.names);
        const lines = used.map((k) => buffer[k]!.line);
        removeLines(used);
        return report(g, j, lineNo, time, lines, unfolded ? unfolded.repeat : 1, null);
      }
    }
    stats.missed++;
    return NONE;
  }

  /** Buffer indexes the match covers, without the lines <SKIPLINES> stepped over. */
  function usedLines(c: string, joined: string, m: RegExpExecArray): number[] {
    const base = joined.indexOf(c);
    const start = base + m.index;
    const end = start + m[0].length;
    const skipped: [number, number][] = [];
    const ind = m.indices?.groups;
    if (ind) for (const [k, v] of Object.entries(ind)) if (k.startsWith('skiplines') && v) skipped.push([base + v[0], base + v[1]]);
    const out: number[] = [];
    let pos = 0;
    for (let k = 0; k < buffer.length; k++) {
      const a = pos;
      const b = pos + buffer[k]!.text.length;
      pos = b + 1;
      if (b < start || a > end || (a === end && end > start)) continue;
      if (skipped.some(([s, e]) => a >= s && b <= e && b > a)) continue;
      out.push(k);
    }
    return out;
  }

  function removeLines(used: number[]): void {
    for (let k = used.length - 1; k >= 0; k--) buffer.splice(used[k]!, 1);
  }

  /** See MatcherCore.agrees. */
  function agrees(o: Readonly<Classified>, prefilterAgrees: boolean, extra: readonly number[], at: number, adopt: boolean): boolean {
    const v = o.verdict;
    // The same state and line: a repeat for one is a repeat for the other.
    if (v !== REPEAT_LAST) {
      const line = o.line;
      if (!prefilterAgrees) {
        if (passes(line) !== (v !== DROPPED)) return false;
      }
      const c = o.content;
      if (v !== DROPPED && c !== null) {
        for (let x = 0; x < extra.length; x++) if (runFail(fails[extra[x]!]!, c, line)) return false;
      }
    }
    // Adopted, the other's classification is this one's (the same regex on the same text) but for
    // the index. Field by field: Object.assign here cost five jails ~2 % (interleaved runs).
    if (adopt) {
      cls.line = o.line;
      cls.docker = o.docker;
      cls.date = o.date;
      cls.time = o.time;
      cls.template = o.template;
      cls.repeat = o.repeat;
      cls.unfolded = o.unfolded;
      cls.content = o.content;
      cls.pref = o.pref;
      cls.verdict = v;
      cls.droppedByAll = o.droppedByAll;
      cls.match = o.match;
    }
    cls.index = at;
    return true;
  }

  // The connection effect() found the line forgets, and (holdBefore) as it was before the line.
  let effectId = '';
  const base: AsideBase = { sessions: null, entry: undefined, time: null };

  function effect(): string | null {
    effectId = '';
    const v = cls.verdict;
    if (v === NO_MATCH) return '';
    if (v < 0 || ignores.length !== 0) return null;
    if (sessions === null) return '';
    const g = groupsOf(cls.match!, fails[cls.index]!.names);
    const id = g.mlfid;
    if (id === undefined || isBlank(id)) return '';
    if (g.mlfforget === undefined || g.mlfforget === '') return null;
    effectId = id;
    return `F${id}`;
  }

  function takeAside(lineNo: number, from: AsideBase): RuleMatch[] {
    if (cls.verdict < 0) {
      stats.missed++;
      return NONE;
    }
    const j = cls.index;
    stats.failregexHits[j]!++;
    return report(groupsOf(cls.match!, fails[j]!.names), j, lineNo, from.time, [cls.line], cls.unfolded ? cls.unfolded.repeat : 1, from);
  }

  function takeDropped(ring: readonly string[], count: number): void {
    stats.missed += count;
    for (let i = Math.max(0, count - SKIP_KEPT); i < count; i++) {
      skipped[skippedAt] = ring[i % SKIP_KEPT]!;
      skippedAt = (skippedAt + 1) % SKIP_KEPT;
    }
    skippedCount += count;
    lastFailure = null;
    cls.line = ring[(count - 1) % SKIP_KEPT]!;
    cls.verdict = DROPPED;
    cls.droppedByAll = true;
  }

  const core: Omit<MatcherCore, 'stats'> & MatcherInside = {
    classify,
    take,
    effect,
    takeAside,
    holdBefore(): void {
      base.entry = sessions === null || effectId === '' ? undefined : sessions.before(effectId);
    },
    aside(): AsideBase {
      base.sessions = sessions;
      base.time = cutTime;
      return base;
    },
    takeDropped,
    pushDropped(ring: readonly string[], count: number): void {
      stats.lines += count;
      takeDropped(ring, count);
    },
    agrees,
    slots: fails.map((f) => f.slot),
    firsts: fails.map((f) => f.first),
    singleLine: !multi,
    prefilterSource: prefilter?.source ?? null,
    prefilterWords,
    classified: cls,
    repeatable: () => lastFailure !== null,
    snapshot: () => ({ lastTime, skipped: skipped.slice(), skippedAt, skippedCount, sessions: sessions?.clone() ?? null }),
    restore(s: MatcherState, last: RuleMatch | null): void {
      lastTime = s.lastTime;
      for (let k = 0; k < SKIP_KEPT; k++) skipped[k] = s.skipped[k]!;
      skippedAt = s.skippedAt;
      skippedCount = s.skippedCount;
      sessions = s.sessions;
      lastFailure = last;
    },
    statsNow(): MatcherStats {
      if (dateHits) {
        stats.dateHits.set('date', (stats.dateHits.get('date') ?? 0) + dateHits);
        dateHits = 0;
      }
      return stats;
    },
    push(line: string): RuleMatch[] {
      const n = ++stats.lines;
      return multi ? pushMulti(line, n) : pushSingle(line, n);
    },
  };
  return Object.setPrototypeOf(core, MATCHER_PROTO) as MatcherCore;
}

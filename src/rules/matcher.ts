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
import { readGroups, SessionCache, toRuleMatch, type Groups } from './failure.ts';
import { LinearRegex, type RegexRunner } from './linear-regex.ts';
import { unwrapDockerLine } from './docker-line.ts';
import { lastRepeated, unfoldRepeated } from './repeated.ts';
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

const NONE: RuleMatch[] = [];
Object.freeze(NONE);
const MAX_IGNORED_KEPT = 100000;
/** Lines the prefilter dropped that a dateless matching line may take its date from. */
const SKIP_KEPT = 4;

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
  return { slot: slotOf(`${r.linear ? 'L' : 'R'}/${r.re.flags}/${r.re.source}`), r, re: runnerOf(r), names: [...r.groups].filter(([n]) => n !== 'content' && !n.startsWith('__atomic')), needles: r.needles, first: r.first ?? null };
}

/** s.trim() === '' without making the trimmed string (an sshd session id ends in a space). */
function isBlank(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c > 32 && c < 127) return false;
  return s.trim() === '';
}

function holdsAny(line: string, needles: string[]): boolean {
  for (let k = 0; k < needles.length; k++) if (line.includes(needles[k]!)) return true;
  return false;
}

/**
 * A matcher reading dates with `reader`. Matchers of one file may share a `memo` (and a reader)
 * so that what their rules have in common is done once per line (line-memo.ts); a lone matcher
 * needs neither.
 */
export function createMatcherWith(filter: Filter, reader: DateReader, memo?: LineMemo): Matcher {
  const shared = memo ?? null;
  const wholeMemo = memo?.whole ?? null;
  const contentMemo = memo?.content ?? null;
  const pref = filter.prefregex ? prep(filter.prefregex) : null;
  const prefContent = filter.prefregex?.groups.get('content') ?? [];
  const fails = filter.failregex.map(prep);
  const byFirst = new FirstCharIndex(fails.map((f) => f.first));
  const ignores = filter.ignoreregex.map(runnerOf);
  const prefilter = filter.prefilter;
  if (prefilter !== null) shared?.prefilters.add(prefilter, filter.prefilterWords);
  const prefilterWords = filter.prefilterWords ? new Set(filter.prefilterWords) : null;
  const sessions = filter.mlfid ? new SessionCache() : null;
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

  // cut() leaves its result here (no object per line).
  let cutTime: number | null = null;
  let dateHits = 0;

  // Docker's time of the record being read: it wins over the container's own date (most
  // containers log in UTC, or a time of day only). Null for other lines.
  let dockerTime: number | null = null;

  /** The line to read: the container's line inside a Docker json-file record, else the line. */
  function unwrap(line: string): string {
    dockerTime = null;
    if (line.charCodeAt(0) !== 123 /* { */) return line;
    const d = unwrapDockerLine(line);
    if (!d) return line;
    dockerTime = d.time;
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

  /** The line with its date cut out; its time (the last date seen when it has none) goes to cutTime. */
  function cut(line: string): string {
    const d = reader.read(line);
    if (dockerTime !== null) lastTime = dockerTime;
    if (!d) {
      stats.noDate++;
      if (skippedCount !== 0 && dockerTime === null) dateOfSkipped();
      cutTime = lastTime;
      return line;
    }
    skippedCount = 0;
    if (d.template !== undefined) stats.dateHits.set(d.template, (stats.dateHits.get(d.template) ?? 0) + 1);
    else dateHits++;
    // A date that matched a template but is not a real date (year 0) is still cut out,
    // as fail2ban does; the line then has no time.
    cutTime = dockerTime ?? (Number.isFinite(d.time) ? d.time : null);
    if (cutTime !== null) lastTime = cutTime;
    return shared === null ? cutOut(line, d.start, d.end) : shared.cut(reader, line, d.start, d.end);
  }

  // content() leaves the prefregex's match here: its groups are read only when a failregex matches.
  let prefMatch: RegExpExecArray | null = null;

  function content(text: string): string | null {
    prefMatch = null;
    if (!pref) return text;
    let m = wholeMemo === null ? undefined : wholeMemo.get(pref.slot, text);
    if (m === undefined) {
      m = pref.re.exec(text);
      wholeMemo?.set(pref.slot, m);
    }
    if (!m) return null;
    prefMatch = m;
    return shared === null ? contentOf(m, prefContent) : shared.contentOf(m, prefContent);
  }

  /** The groups of a match (the prefregex's, then the failregex's); matchers sharing the results share them too. */
  function groupsOf(fm: RegExpExecArray, names: Names): Groups {
    const pm = prefMatch;
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

  function report(g: Groups, j: number, lineNo: number, time: number | null, lines: string[], repeat: number): RuleMatch[] {
    stats.matched++;
    let groups: Groups | null = g;
    let ls = lines;
    // An empty id (a log without the program's pid: daemontools, s6, runit) ties nothing together.
    if (sessions && g.mlfid !== undefined && !isBlank(g.mlfid)) {
      const merged = sessions.merge(g.mlfid, g, lines, time);
      groups = merged?.groups ?? null;
      ls = merged?.lines ?? lines;
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

  function pushSingle(line: string, lineNo: number): RuleMatch[] {
    const found = matchSingle(line, lineNo);
    lastFailure = found.length === 1 ? found[0]! : null;
    return found;
  }

  /** The failure before, once more, N times: the daemon's count of lines it did not write. */
  function repeatLast(line: string, lineNo: number, n: number): RuleMatch[] {
    const before = lastFailure!;
    cut(line);
    stats.matched++;
    return [{ ...before, lineNo, time: cutTime ?? before.time, lines: [line], repeat: n }];
  }

  function matchSingle(raw: string, lineNo: number): RuleMatch[] {
    const line = unwrap(raw);
    if (lastFailure !== null && line.includes('last message repeated ')) {
      const n = lastRepeated(line);
      if (n !== null) return repeatLast(line, lineNo, n);
    }
    if (prefilter !== null && !(shared === null ? prefilter.test(line) : shared.prefilters.test(prefilter, prefilterWords, line))) {
      stats.missed++;
      skipped[skippedAt] = line;
      skippedAt = (skippedAt + 1) % SKIP_KEPT;
      skippedCount++;
      return NONE;
    }
    const cutText = cut(line);
    const time = cutTime;
    const unfolded = shared === null ? unfoldRepeated(cutText) : shared.unfold(cutText);
    const text = unfolded ? unfolded.text : cutText;
    const c = content(text);
    if (c !== null) {
      // Only the failregexes whose match may start with the text's first character, in order.
      const candidates = byFirst.candidates(c);
      for (let x = 0; x < candidates.length; x++) {
        const j = candidates[x]!;
        const f = fails[j]!;
        let m = contentMemo === null ? undefined : contentMemo.get(f.slot, c);
        if (m === undefined) {
          // A regex cannot match a line without one of its words (its result is null then too).
          m = f.needles.length !== 0 && !holdsAny(line, f.needles) ? null : f.re.exec(c);
          contentMemo?.set(f.slot, m);
        }
        if (!m) continue;
        stats.failregexHits[j]!++;
        if (ignored(c, lineNo)) return NONE;
        return report(groupsOf(m, f.names), j, lineNo, time, [line], unfolded ? unfolded.repeat : 1);
      }
    }
    stats.missed++;
    return NONE;
  }

  function pushMulti(raw: string, lineNo: number): RuleMatch[] {
    const line = unwrap(raw);
    const cutText = cut(line);
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
        return report(g, j, lineNo, time, lines, unfolded ? unfolded.repeat : 1);
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

  return {
    get stats() {
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
}

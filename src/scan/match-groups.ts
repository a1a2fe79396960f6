// The matchers of the jails that read one file from the same line, in the main thread and in
// the scan workers alike: one matcher per loaded rule (jails on an equal rule, with other
// bantimes or actions, share it), and the matchers of rules that read a line alike (sshd's
// modes) in one MatcherGroup (rules/matcher-group.ts). All of them take each line at once.

import { createMatcherWith, LineMemo, type DateReader, type Filter } from '../rules/index.ts';
import { groupKeyOf, MatcherGroup, ruleSignature } from '../rules/matcher-group.ts';
import { SKIP_KEPT, type MatcherCore } from '../rules/matcher.ts';
import type { RuleMatch } from '../types.ts';

const NONE: readonly RuleMatch[] = Object.freeze([]);

/** A group's matching: each group of a JailSet is pushed every line. */
interface GroupRun {
  group: MatcherGroup;
  /** What pushing the last line threw (null: nothing): each of the group's jails gets it. */
  error: unknown;
}

/**
 * The groups made for jails starting at one line, pushed each line (`seq`) once for all. Lines
 * no prefilter of the file passes (most lines of a busy log) are only counted, the last few
 * kept: the groups take such a run in at once before the next line any rule looks at, so a
 * quiet line costs one test of the joined prefilter whatever the number of jails.
 */
class JailSet {
  private seq = -1;
  /** Whether the last line pushed may have matches (false: it was dropped, every jail found nothing). */
  private busy = false;
  /** Most lines hold no word of any rule's prefilter: then no group needs to look at them. */
  private readonly droppable: boolean;
  /** Dropped lines not yet taken in by the groups, the last SKIP_KEPT of them in `ring`. */
  private pending = 0;
  private readonly ring: string[] = new Array<string>(SKIP_KEPT).fill('');

  constructor(
    readonly runs: GroupRun[],
    private readonly memo: LineMemo | undefined,
  ) {
    this.droppable = memo !== undefined && runs.every((r) => r.group.droppable);
  }

  /** Some group found a failure on the line before (most lines follow none: no text search then). */
  private repeatable(): boolean {
    for (let i = 0; i < this.runs.length; i++) if (this.runs[i]!.group.repeatable) return true;
    return false;
  }

  /** Takes line `seq` in (once); false when every jail of the set found nothing on it. */
  push(line: string, seq: number): boolean {
    if (seq === this.seq) return this.busy;
    this.seq = seq;
    this.memo?.next();
    // A Docker record is read inside out, and "last message repeated" repeats a failure before
    // any prefilter looks (none can follow a dropped line): those go the long way.
    if (this.droppable && this.memo!.prefilters.refuses(line) && line.charCodeAt(0) !== 123 /* { */ && !(this.pending === 0 && this.repeatable() && line.includes('last message repeated '))) {
      this.ring[this.pending % SKIP_KEPT] = line;
      this.pending++;
      return (this.busy = false);
    }
    if (this.pending !== 0) {
      for (let i = 0; i < this.runs.length; i++) this.runs[i]!.group.pushDropped(this.ring, this.pending);
      this.pending = 0;
    }
    for (let i = 0; i < this.runs.length; i++) {
      const r = this.runs[i]!;
      r.error = null;
      try {
        r.group.push(line);
      } catch (e) {
        r.error = e;
      }
    }
    return (this.busy = true);
  }
}

/** A jail's matches: its set, its group, and its rule's place in it. */
export interface JailMatch {
  set: JailSet;
  run: GroupRun;
  index: number;
}

/** How a jail reads dates: a reader per key (date settings), shared by the jails with that key. */
export interface ReaderChoice {
  key: string;
  reader: DateReader;
}

/**
 * Matchers for `jails` (all reading one file from the same line). `filterOf` and `readerOf` may
 * throw (a rule that does not load, an unknown time zone): such a jail is left out of the map
 * (the caller asks again and reports the error as that jail's).
 */
export function matchJails<T>(jails: readonly T[], filterOf: (j: T) => Filter, readerOf: (j: T, f: Filter) => ReaderChoice, memo: LineMemo | undefined): Map<T, JailMatch> {
  const loaded: [T, Filter, ReaderChoice, string][] = [];
  for (const j of jails) {
    try {
      const f = filterOf(j);
      const r = readerOf(j, f);
      loaded.push([j, f, r, `${r.key}\u0002${ruleSignature(f)}`]);
    } catch {
      continue;
    }
  }
  // One matcher for all (a jail twice, with other bantimes): nothing to share, it reads alone.
  const shared = new Set(loaded.map(([, , , sig]) => sig)).size > 1 ? memo : undefined;
  const members = new Map<string, { group: MatcherCore[]; index: number }>();
  const groups = new Map<string, MatcherCore[]>();
  const placed: [T, MatcherCore[], number][] = [];
  for (const [j, f, r, sig] of loaded) {
    let m = members.get(sig);
    if (!m) {
      const gk = groupKeyOf(f);
      const key = gk === null ? sig : `${r.key}\u0002${gk}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(createMatcherWith(f, r.reader, shared));
      members.set(sig, (m = { group, index: group.length - 1 }));
    }
    placed.push([j, m.group, m.index]);
  }
  const runs = new Map<MatcherCore[], GroupRun>();
  for (const g of groups.values()) runs.set(g, { group: new MatcherGroup(g), error: null });
  const set = new JailSet([...runs.values()], shared);
  return new Map(placed.map(([j, g, index]) => [j, { set, run: runs.get(g)!, index }]));
}

/** The jail's matches of line `seq` (all its set's groups take the line if not yet); throws what its group's push threw. */
export function matchesOf(jm: JailMatch, line: string, seq: number): readonly RuleMatch[] {
  if (!jm.set.push(line, seq)) return NONE;
  if (jm.run.error !== null) throw jm.run.error;
  return jm.run.group.found[jm.index]!;
}

/** Every group of the jails' sets takes line `seq` (a warm-up line nobody reads the matches of); throws what a push threw. */
export function pushAll(jms: Iterable<JailMatch>, line: string, seq: number): void {
  for (const jm of jms) {
    if (jm.set.push(line, seq) && jm.run.error !== null) throw jm.run.error;
  }
}

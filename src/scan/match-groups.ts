// The matchers of the jails that read one file from the same line, in the main thread and in
// the scan workers alike: one matcher per loaded rule (jails on an equal rule, with other
// bantimes or actions, share it), and the matchers of rules that read a line alike (sshd's
// modes) in one MatcherGroup (rules/matcher-group.ts), which is pushed each line once.

import { createMatcherWith, LineMemo, type DateReader, type Filter } from '../rules/index.ts';
import { groupKeyOf, MatcherGroup, ruleSignature } from '../rules/matcher-group.ts';
import type { MatcherCore } from '../rules/matcher.ts';

/** One group's matching, pushed once per line (`seq`) for all its jails. */
export interface GroupRun {
  group: MatcherGroup;
  /** The line (the caller's count) whose matches the group holds. */
  seq: number;
  /** What pushing that line threw (null: nothing): each of the group's jails gets it. */
  error: unknown;
}

/** A jail's matches: its group, and its rule's place in it. */
export interface JailMatch {
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
  const members = new Map<string, { group: MatcherCore[]; index: number }>();
  const groups = new Map<string, MatcherCore[]>();
  const placed: [T, MatcherCore[], number][] = [];
  for (const j of jails) {
    let f: Filter;
    let r: ReaderChoice;
    try {
      f = filterOf(j);
      r = readerOf(j, f);
    } catch {
      continue;
    }
    const sig = `${r.key}\u0002${ruleSignature(f)}`;
    let m = members.get(sig);
    if (!m) {
      const gk = groupKeyOf(f);
      const key = gk === null ? sig : `${r.key}\u0002${gk}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(createMatcherWith(f, r.reader, memo));
      members.set(sig, (m = { group, index: group.length - 1 }));
    }
    placed.push([j, m.group, m.index]);
  }
  const runs = new Map<MatcherCore[], GroupRun>();
  for (const g of groups.values()) runs.set(g, { group: new MatcherGroup(g), seq: -1, error: null });
  return new Map(placed.map(([j, g, index]) => [j, { run: runs.get(g)!, index }]));
}

/** The jail's matches of line `seq` (pushed to its group if not yet); throws what pushing threw. */
export function matchesOf(jm: JailMatch, line: string, seq: number): MatcherGroup['found'][number] {
  const run = jm.run;
  if (run.seq !== seq) {
    run.seq = seq;
    run.error = null;
    try {
      run.group.push(line);
    } catch (e) {
      run.error = e;
    }
  }
  if (run.error !== null) throw run.error;
  return run.group.found[jm.index]!;
}

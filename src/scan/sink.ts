// Where the scan hands its failures: a sink, called once per failure as the lines are read (no
// array of every failure). The run's sink folds each into its (jail, address) ticket at once
// (policy/decide.ts); `report` aggregates with its own; tools collect into a list.

import type { AddrKey } from '../net/key.ts';
import type { Epoch, RuleMatch } from '../types.ts';

export interface FailureSink {
  /**
   * Whether the failures of `jail` need their text (matched lines, user): the run's sink only
   * where an action shows them. Worker threads send the text back only then.
   */
  wantsText(jail: string): boolean;
  /**
   * One failure of `jail` by the address `key`, at `time` (the line's own, or the run's clock
   * for a line without one), standing for `m.repeat ?? 1` failures. Called in log order for each
   * file. `m` (and the strings it holds) is the caller's: copy what you keep (see own()).
   */
  failure(jail: string, key: AddrKey, time: Epoch, m: RuleMatch): void;
}

/** What one jail's part of a read left besides the failures handed on. */
export interface JailTally {
  /** Failures the rule found (old ones included; "message repeated N times" counts N). */
  failures: number;
  /** Matches naming a host rather than an address: resolved (usedns) after the read. */
  names: RuleMatch[];
}

export function newTally(): JailTally {
  return { failures: 0, names: [] };
}

/**
 * A copy of a string that does not keep its source alive: a line cut out of a read chunk is a
 * view of the whole chunk, and what a sink keeps lives to the end of the run.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Hand a line's matches to the sink. Failures at or before `oldest` are only counted (older than
 * findtime: no counting can use them; -Infinity keeps all).
 */
export function deliver(matches: readonly RuleMatch[], jail: string, now: Epoch, oldest: number, sink: FailureSink, tally: JailTally): void {
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    tally.failures += m.repeat ?? 1;
    if (m.time !== null && m.time <= oldest) continue;
    if (m.key === null || m.key === undefined) {
      tally.names.push({ ...m, host: own(m.host), lines: m.lines.map(own) });
      continue;
    }
    sink.failure(jail, m.key, m.time ?? now, m);
  }
}

// What becomes of a jail's matcher output for one file, the same in the main thread and in a
// scan worker: failures inside findtime kept (as owned strings), older ones only counted,
// matches that name a host (no address) set aside for usedns.

import type { Matcher } from '../rules/index.ts';
import type { Failure, RuleMatch } from '../types.ts';

/** The few jail fields a scan needs (a Jail minus what cannot cross to a worker). */
export interface ScanJail {
  name: string;
  filter: import('../types.ts').Ref;
  findtime: number;
  datepattern?: string;
  maxlines?: number;
  logtimezone?: string;
}

/** Where failures go: an array, or the report's aggregation fed as they come. */
export interface FailureSink {
  push(f: Failure): unknown;
}

export interface SinkOut<F extends FailureSink = Failure[]> {
  failures: F;
  /** Matches with a host name instead of an address: resolved by the main thread. */
  names: { match: RuleMatch; file: string }[];
  /** Failures older than findtime, counted but not kept. */
  old: number;
}

/**
 * A copy of a string that does not keep its source alive: a line cut out of a read chunk
 * is a view of the whole chunk, and a failure is kept to the end of the run.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

export function toFailure(jail: string, m: RuleMatch, ip: string, file: string, now: number): Failure {
  const f: Failure = { jail, ip: own(ip), time: m.time ?? now, line: own(m.lines.join('\n')), source: file };
  if (m.user !== undefined) f.user = own(m.user);
  return f;
}

/** Feed a line's matches into `out`. `oldest`: failures at or before it are only counted (-Infinity: keep all). */
export function sinkMatches(matches: RuleMatch[], jail: string, file: string, now: number, oldest: number, out: SinkOut<FailureSink>): void {
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    if (m.time !== null && m.time <= oldest) {
      out.old++;
      continue;
    }
    if (m.ip) out.failures.push(toFailure(jail, m, m.ip, file, now));
    else out.names.push({ match: m, file });
  }
}

export type { Matcher };

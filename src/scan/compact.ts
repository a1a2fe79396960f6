// What a scan worker thread sends back for its part of a log: per jail, the failures as parallel
// arrays (address key, time, and only where the sink wants it, the text), not an object per
// failure. The main thread replays them into the run's sink in file order, so counting sees the
// failures in the order the log has them.

import { keyText, type AddrKey } from '../net/key.ts';
import type { Epoch, RuleMatch } from '../types.ts';
import type { FailureSink, JailTally } from './sink.ts';

export interface CompactFailures {
  /** Tally of failures the rule found (old ones included). */
  failures: number;
  keys: AddrKey[];
  times: Epoch[];
  /** "message repeated N times": N per failure; absent when every one is 1. */
  repeats?: number[];
  /** Matched lines (joined) and users, when the sink wants text. */
  texts?: string[];
  users?: (string | null)[];
  /** Matches naming a host, for the main thread to resolve. */
  names: RuleMatch[];
}

export function emptyCompact(wantsText: boolean): CompactFailures {
  return { failures: 0, keys: [], times: [], names: [], ...(wantsText ? { texts: [], users: [] } : {}) };
}

/** A sink that fills CompactFailures (one per jail, by name). */
export class CompactSink implements FailureSink {
  constructor(private readonly outs: Map<string, CompactFailures>) {}

  wantsText(jail: string): boolean {
    return this.outs.get(jail)?.texts !== undefined;
  }

  failure(jail: string, key: AddrKey, time: Epoch, m: RuleMatch): void {
    const o = this.outs.get(jail)!;
    const i = o.keys.length;
    o.keys.push(key);
    o.times.push(time);
    const n = m.repeat ?? 1;
    if (n !== 1 || o.repeats) {
      o.repeats ??= new Array(i).fill(1);
      o.repeats.push(n);
    }
    if (o.texts) {
      o.texts.push(m.lines.join('\n'));
      o.users!.push(m.user ?? null);
    }
  }
}

/** Hand one jail's compact failures to the real sink, in order, and add its tally. */
export function replayCompact(jail: string, c: CompactFailures, sink: FailureSink, tally: JailTally): void {
  tally.failures += c.failures;
  for (const n of c.names) tally.names.push(n);
  const m: RuleMatch = { lineNo: 0, host: '', ip: null, key: null, time: null, regex: 0, lines: [] };
  for (let i = 0; i < c.keys.length; i++) {
    const key = c.keys[i]!;
    m.key = key;
    m.host = m.ip = keyText(key);
    m.time = c.times[i]!;
    if (c.repeats) m.repeat = c.repeats[i]!;
    if (c.texts) {
      m.lines = [c.texts[i]!];
      const u = c.users![i];
      if (u !== null && u !== undefined) m.user = u;
      else delete m.user;
    }
    sink.failure(jail, key, m.time, m);
  }
}

/** Replay a worker's part: each of its jails' failures into the sink, in the task's jail order. */
export function replayPart(part: { jails: CompactFailures[] }, scans: { jail: { name: string }; tally: JailTally; error?: string }[], sink: FailureSink): void {
  part.jails.forEach((c, i) => {
    const js = scans[i]!;
    if (!js.error) replayCompact(js.jail.name, c, sink, js.tally);
  });
}

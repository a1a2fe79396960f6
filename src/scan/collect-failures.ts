// The scan as a list: every failure of every jail as a Failure object, for the tools that want
// them all at once (report, init's survey). A run never does this: it folds each failure as it
// is read (scan.ts with the policy's sink).

import { own, type FailureSink } from './sink.ts';
import { scanLogs, type ScanInput, type ScanResult } from './scan.ts';
import type { Failure, RuleMatch } from '../types.ts';
import { keyText, type AddrKey } from '../net/key.ts';

export type { ProgressSink } from './scan.ts';
export type CollectInput = ScanInput;

export interface Collected extends ScanResult {
  failures: Failure[];
}

/** A sink that keeps every failure as a Failure (with its line). */
export class ListSink implements FailureSink {
  readonly failures: Failure[] = [];

  wantsText(): boolean {
    return true;
  }

  failure(jail: string, key: AddrKey, time: number, m: RuleMatch): void {
    const f: Failure = { jail, ip: keyText(key), time, line: own(m.lines.join('\n')), source: '' };
    if (m.user !== undefined) f.user = own(m.user);
    this.failures.push(f);
  }
}

export async function collectFailures(input: CollectInput): Promise<Collected> {
  const sink = new ListSink();
  const r = await scanLogs(input, sink);
  return { ...r, failures: sink.failures };
}

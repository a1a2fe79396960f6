// The run's sink for the scan: each failure is folded into its (jail, address) ticket at once
// (policy/decide.ts), with its text only where the jail's actions show it; its own-log "Found"
// line goes to the FoundLog (appended in batches) when the log's level writes them.

import type { AddrKey } from '../net/key.ts';
import type { FoundLog } from '../log/index.ts';
import type { JailFold, PolicyPass } from '../policy/index.ts';
import { own, type FailureSink } from '../scan/sink.ts';
import type { Epoch, RuleMatch } from '../types.ts';

export class RunSink implements FailureSink {
  /** Failures folded per jail ("Total failed"). */
  readonly folded = new Map<string, number>();
  private lastName = '';
  private last: JailFold | undefined;

  /** `found`: where the own log's Found lines go (null: a dry run, or a level above INFO). */
  constructor(private readonly pass: PolicyPass, private readonly found: FoundLog | null) {}

  private fold(jail: string): JailFold | undefined {
    if (jail !== this.lastName) {
      this.lastName = jail;
      this.last = this.pass.jail(jail);
    }
    return this.last;
  }

  wantsText(jail: string): boolean {
    const f = this.fold(jail);
    return f !== undefined && (f.keepLines || f.keepUser);
  }

  failure(jail: string, key: AddrKey, time: Epoch, m: RuleMatch): void {
    const f = this.fold(jail);
    if (!f) return;
    const n = m.repeat ?? 1;
    this.folded.set(jail, (this.folded.get(jail) ?? 0) + n);
    this.found?.add(jail, key, time);
    const line = f.keepLines && m.lines.length > 0 ? own(m.lines.length === 1 ? m.lines[0]! : m.lines.join('\n')) : undefined;
    const user = f.keepUser && m.user !== undefined ? own(m.user) : undefined;
    this.pass.fold(f, key, time, line, user, n);
  }
}

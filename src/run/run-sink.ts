// The run's sink for the scan: each failure is folded into its (jail, address) ticket at once
// (policy/decide.ts), with its text only where the jail's actions show it; its own-log "Found"
// line goes to the FoundLog (appended in batches) when the log's level writes them.

import type { AddrKey } from '../net/key.ts';
import type { FoundLog } from '../log/index.ts';
import type { JailFold, PolicyPass } from '../policy/index.ts';
import { own, type FailureSink } from '../scan/sink.ts';
import type { Epoch, RuleMatch } from '../types.ts';

export class RunSink implements FailureSink {
  private lastName = '';
  private last: JailFold | undefined;
  /** Failures folded per jail, counted in the last jail's slot: no map look-up per failure. */
  private readonly counts = new Map<string, { n: number }>();
  private lastCount: { n: number } = { n: 0 };

  /** `found`: where the own log's Found lines go (null: a dry run, or a level above INFO). */
  constructor(private readonly pass: PolicyPass, private readonly found: FoundLog | null) {}

  /** Failures folded per jail ("Total failed"). */
  get folded(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [jail, c] of this.counts) out.set(jail, c.n);
    return out;
  }

  private fold(jail: string): JailFold | undefined {
    if (jail !== this.lastName) {
      this.lastName = jail;
      this.last = this.pass.jail(jail);
      let c = this.counts.get(jail);
      if (c === undefined && this.last !== undefined) this.counts.set(jail, (c = { n: 0 }));
      this.lastCount = c ?? { n: 0 };
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
    this.lastCount.n += n;
    this.found?.add(jail, key, time);
    const line = f.keepLines && m.lines.length > 0 ? own(m.lines.length === 1 ? m.lines[0]! : m.lines.join('\n')) : undefined;
    const user = f.keepUser && m.user !== undefined ? own(m.user) : undefined;
    this.pass.fold(f, key, time, line, user, n);
  }
}

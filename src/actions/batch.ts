// A batch is never hostage to one entry. Firewall tools take many bans in one process
// (`ipset restore`, `iptables-restore`, `nft -f`, `shorewall drop a b c`), and reject the whole
// batch when one line is bad: before, one unusable entry left every ban of its jail pending,
// retried and rejected with it on every run. When a batch is rejected, it is split in halves and
// each half tried again, down to single addresses: every good address is applied, and each bad
// one carries the tool's own message about it. One bad entry among n costs about 2·log2(n) more
// runs (28 for 10,000), not n.
//
// Not retried: a failure that is not about an entry — the tool missing, killed or timed out, or
// (when the backend can tell) its chain/set/table gone. Then every address gets the batch's error
// and stays pending for the next run, whose reconcile puts the chain or set back first.

import type { CommandResult } from '../exec/run.ts';
import type { StepResult } from './backend.ts';

/** The most tool runs one batch may cost while isolating bad entries. */
export const MAX_BATCH_RUNS = 100;

export interface IsolateOptions {
  /** Whether what the bans live in is still there (the backend's check): false means no retry. */
  stillUsable?: () => Promise<boolean>;
  maxRuns?: number;
}

/**
 * Run `runBatch` over `ips`; when the tool rejects the batch, find the entries it rejects by
 * halving. One result per address: ok, or the error of the smallest batch that failed with it.
 */
export async function runBatchIsolating(
  ips: readonly string[],
  runBatch: (part: readonly string[]) => Promise<CommandResult>,
  describe: (ip: string) => string,
  opts: IsolateOptions = {},
): Promise<Map<string, StepResult>> {
  const out = new Map<string, StepResult>();
  if (ips.length === 0) return out;
  const fail = (part: readonly string[], error: string) => {
    for (const ip of part) out.set(ip, { ok: false, command: describe(ip), error });
  };
  const first = await runBatch(ips);
  if (first.ok) {
    for (const ip of ips) out.set(ip, { ok: true, command: describe(ip) });
    return out;
  }
  // A batch's command line can hold 500 addresses (shorewall): the message shows its start.
  const batchError = (r: CommandResult, part: readonly string[]) =>
    part.length === 1 ? (r.error ?? `${r.command} failed`) : `${r.error ?? 'failed'} (batch: ${r.command.length > 200 ? r.command.slice(0, 200) + '...' : r.command})`;
  // The tool did not run, was killed or timed out: not about any entry.
  if (ips.length === 1 || first.code === null || (opts.stillUsable && !(await opts.stillUsable()))) {
    fail(ips, batchError(first, ips));
    return out;
  }
  let runs = 1;
  const max = opts.maxRuns ?? MAX_BATCH_RUNS;
  const isolate = async (part: readonly string[]): Promise<void> => {
    if (runs >= max) {
      fail(part, `not applied: ${batchError(first, ips)}; more entries were rejected than one run isolates (${max} runs), the rest is retried next run`);
      return;
    }
    runs++;
    const r = await runBatch(part);
    if (r.ok) for (const ip of part) out.set(ip, { ok: true, command: describe(ip) });
    else if (part.length === 1) fail(part, batchError(r, part));
    else await halves(part);
  };
  const halves = async (part: readonly string[]) => {
    const mid = Math.ceil(part.length / 2);
    await isolate(part.slice(0, mid));
    await isolate(part.slice(mid));
  };
  await halves(ips);
  return out;
}

// `ban --fleet`, `import --fleet`, `unban --fleet`: what an operator did by hand goes to the
// other hosts too. Queued and published as the run's fleet step does, without importing:
// reading the stream here would move the fleet cursor past bans this command does not apply.
// What Redis does not take waits in the outbox (the command saves the state) for the next run.

import { join } from 'node:path';
import type { NewBan } from '../fleet/index.ts';
import { addFleetTotals } from './totals.ts';
import { EXIT, UsageError } from '../util/errors.ts';
import type { OpsOptions, Session } from './session.ts';

export type FleetPublish = (what: { bans?: NewBan[]; unbans?: { jail: string; ip: string }[] }) => Promise<string | null>;

/**
 * A publisher for `command` (e.g. "ban --fleet"), or a one-line usage error when this host
 * cannot publish: no [fleet] url, or no key_file (a read-only host). Asked before anything is
 * changed. The publisher returns an error line or null.
 */
export async function fleetPublisher(s: Session, opts: OpsOptions, command: string): Promise<FleetPublish> {
  if (!s.config.main.get('fleet', 'url')?.trim()) throw new UsageError(`${command}: no [fleet] url in f2b-scan.conf`);
  const { exchange, readFleetSettings } = await import('../fleet/index.ts');
  const settings = readFleetSettings(s.config.main, join(s.config.configDir, 'f2b-scan.conf'))!;
  if (!settings.signingKey) {
    throw new UsageError(`${command}: this host has no [fleet] key_file, so it only reads the fleet and cannot publish (f2b-scan fleet keygen makes a key)`);
  }
  // Asked for by hand: published whatever `publish` lists.
  const publishing = { ...settings, import: false, publish: 'all' as const };
  return async ({ bans = [], unbans = [] }) => {
    const res = await exchange(publishing, s.state, bans, { dryRun: opts.dryRun, now: opts.now, unbans });
    // Counted into the metrics file's f2b_scan_fleet_published_total like a run's publishing.
    if (!opts.dryRun) addFleetTotals(s.state, { published: res.published, imported: [], dropped: 0, error: res.error });
    return res.error;
  };
}

/**
 * Publish `what` and say so as the commands do: `done` (the lines for the output) when Redis
 * took it, else one warning line. The exit code: 6 (fleet unreachable) when it did not.
 */
export async function publishAndSay(fleet: FleetPublish, what: Parameters<FleetPublish>[0], done: string[], out: { lines: string[]; messages: string[] }): Promise<number> {
  const error = await fleet(what);
  if (error) {
    out.messages.push(`warning: fleet: ${error}`);
    return EXIT.fleetUnreachable;
  }
  out.lines.push(...done);
  return EXIT.ok;
}

/** The output line for `n` bans of `jail` published (`verb`: "would " on a dry run). */
export function publishedBansLine(verb: string, n: number, jail: string): string {
  return `${verb}publish ${n} ban${n === 1 ? '' : 's'} in ${jail} to the fleet`;
}

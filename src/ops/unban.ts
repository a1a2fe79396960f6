// `f2b-scan unban <ip>... | --all [--jail j] [--fleet]`: lift bans by hand, in the state and
// the firewall. With --fleet the unban is published to the other hosts ([fleet] url set),
// the fleet code loaded only then.

import { unbanRecord } from '../log/index.ts';
import { addTotals } from './totals.ts';
import type { Decision } from '../types.ts';
import { UsageError } from '../util/errors.ts';
import { parseCommandLineAddresses } from './addresses.ts';
import { applyAndSave, findJail, withSession, type OpsOptions, type OpsResult } from './session.ts';
import { fleetPublisher, publishAndSay } from './fleet-publish.ts';
import { saveState } from '../state/store.ts';
import { EXIT } from '../util/errors.ts';
import { keyText, parseKeyOrRange, type AddrKey } from '../net/key.ts';
import { banKeys, deleteBan, jailsWithBans } from '../state/bans.ts';

export interface UnbanOptions extends OpsOptions {
  ips: string[];
  all: boolean;
  jail?: string;
  fleet: boolean;
}

export async function runUnban(opts: UnbanOptions): Promise<OpsResult> {
  if (opts.all === opts.ips.length > 0) throw new UsageError('unban: name addresses, or --all (not both)');
  const ips = parseCommandLineAddresses(opts.ips, 'unban', true);
  return withSession(opts, async (s) => {
    if (opts.jail) findJail(s.config, opts.jail);
    // Settings first: a host that cannot publish is told so before anything is lifted.
    const fleet = opts.fleet ? await fleetPublisher(s, opts, 'unban --fleet') : null;
    const verb = opts.dryRun ? 'would ' : '';
    const messages = s.warnings.map((w) => `warning: ${w}`);
    const decisions: Decision[] = [];
    const lines: string[] = [];
    const jails = opts.jail ? [opts.jail] : jailsWithBans(s.state);
    const found = new Set<string>();
    const named: AddrKey[] = ips.map((ip) => parseKeyOrRange(ip)!);
    for (const jail of jails) {
      for (const key of opts.all ? [...banKeys(s.state, jail)] : named) {
        if (!deleteBan(s.state, jail, key)) continue;
        const ip = keyText(key);
        found.add(ip);
        addTotals(s.state, jail, { unbanned: 1 }); // saved only when not a dry run
        decisions.push({ kind: 'unban', jail, ip, reason: 'manual' });
        lines.push(`${verb}unban ${ip} in ${jail}`);
      }
    }
    for (const ip of ips) if (!found.has(ip)) messages.push(`${ip} is not banned${opts.jail ? ` in ${opts.jail}` : ''}${fleet ? ' here' : ''}`);
    for (const d of decisions) {
      if (!s.config.jails.some((j) => j.name === d.jail)) messages.push(`warning: jail ${d.jail} is no longer configured: ${d.ip} left the state, but its firewall rule (if any) stays`);
    }

    let exitCode: number = EXIT.ok;
    if (fleet) {
      // Published whether or not this host holds the ban: other hosts may (imported, or from
      // their own logs before this host's cursor). Without --jail: every jail (`*`).
      const unbans = opts.all ? decisions.map((d) => ({ jail: d.jail, ip: d.ip })) : ips.map((ip) => ({ jail: opts.jail ?? '*', ip }));
      const done = unbans.map((u) => `${verb}publish unban ${u.ip} in ${u.jail === '*' ? 'every jail' : u.jail} to the fleet`);
      exitCode = await publishAndSay(fleet, { unbans }, done, { lines, messages });
    }
    if (decisions.length === 0) {
      // Nothing lifted here; an unban Redis did not take waits in the outbox for the next run.
      if (fleet && !opts.dryRun) await saveState(opts.statePath, s.state);
      return { output: lines.map((l) => l + '\n').join(''), messages, exitCode };
    }
    const applied = await applyAndSave(s, opts, decisions, decisions.map((d) => unbanRecord(opts.now, d.jail, d.ip)));
    return {
      output: lines.map((l) => l + '\n').join(''),
      messages: [...messages, ...applied.messages],
      exitCode: applied.exitCode !== EXIT.ok ? applied.exitCode : exitCode,
    };
  });
}

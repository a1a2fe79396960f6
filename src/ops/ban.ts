// `f2b-scan ban <jail> <ip|range>... [--fleet]`: ban by hand for the jail's bantime, applied
// through the jail's actions like any other ban (origin 'manual'), remembered in the state;
// with --fleet published to the other hosts too. A CIDR range only where the jail's firewall
// holds ranges (ipset, nftables, iptables, route).

import { banRecord } from '../log/index.ts';
import type { BanRecord, Decision } from '../types.ts';
import { parseCommandLineAddresses } from './addresses.ts';
import { applyAndSave, findJail, iso, withSession, type OpsOptions, type OpsResult } from './session.ts';
import { addTotals } from './totals.ts';
import { parseKeyOrRange } from '../net/key.ts';
import { rangeRefusalFor } from '../actions/index.ts';
import type { NewBan } from '../fleet/index.ts';
import { isRangeText } from '../net/cidr.ts';
import { saveState } from '../state/store.ts';
import { EXIT, UsageError } from '../util/errors.ts';
import { fleetPublisher, publishAndSay, publishedBansLine } from './fleet-publish.ts';
import { getBan, setBan } from '../state/bans.ts';
import { deleteTicket } from '../state/tickets.ts';
import { getHistory } from '../state/history.ts';

export async function runBan(opts: OpsOptions & { jail: string; ips: string[]; fleet?: boolean }): Promise<OpsResult> {
  const ips = parseCommandLineAddresses(opts.ips, 'ban', true);
  return withSession(opts, async (s) => {
    const jail = findJail(s.config, opts.jail);
    const range = ips.find(isRangeText);
    const refused = range === undefined ? null : await rangeRefusalFor(jail, s.config.actionDirs, range);
    if (refused) throw new UsageError(`ban: jail ${jail.name}: ${refused}; nothing was banned`);
    const fleet = opts.fleet ? await fleetPublisher(s, opts, 'ban --fleet') : null;
    const verb = opts.dryRun ? 'would ' : '';
    const lines: string[] = [];
    const messages = s.warnings.map((w) => `warning: ${w}`);
    const decisions: Decision[] = [];
    const until = jail.bantime < 0 ? null : opts.now + jail.bantime;
    const published: NewBan[] = [];
    for (const ip of ips) {
      const key = parseKeyOrRange(ip)!;
      const have = getBan(s.state, jail.name, key);
      if (have && (have.until === null || have.until > opts.now)) {
        messages.push(`${ip} is already banned in ${jail.name} until ${iso(have.until)}`);
        // Held here already: the other hosts still get it with --fleet.
        published.push({ jail: jail.name, ip, start: opts.now, until: have.until, failures: 0 });
        continue;
      }
      published.push({ jail: jail.name, ip, start: opts.now, until, failures: 0 });
      const h = getHistory(s.state, key);
      const prior = h && Object.hasOwn(h.jails, jail.name) ? h.jails[jail.name]! : 0;
      const rec: BanRecord = { start: opts.now, until, failures: 0, count: prior + 1, origin: 'manual' };
      setBan(s.state, jail.name, key, rec);
      // Failures counted so far are settled by the ban, as a log ban settles them.
      deleteTicket(s.state, jail.name, key);
      addTotals(s.state, jail.name, { banned: 1 });
      decisions.push({ kind: 'ban', jail: jail.name, ip, failures: 0, start: opts.now, until, count: rec.count, origin: 'manual', lines: [] });
      lines.push(`${verb}ban ${ip} in ${jail.name} until ${iso(until)}`);
    }
    const fleetCode = fleet ? await publishAndSay(fleet, { bans: published }, [publishedBansLine(verb, published.length, jail.name)], { lines, messages }) : EXIT.ok;
    const output = lines.map((l) => l + '\n').join('');
    if (decisions.length === 0) {
      // Nothing new here; a ban Redis did not take waits in the outbox for the next run.
      if (fleet && !opts.dryRun) await saveState(opts.statePath, s.state);
      return { output, messages, exitCode: fleetCode };
    }
    const applied = await applyAndSave(s, opts, decisions, decisions.map((d) => banRecord(opts.now, d.jail, d.ip)));
    return { output, messages: [...messages, ...applied.messages], exitCode: applied.exitCode !== EXIT.ok ? applied.exitCode : fleetCode };
  });
}

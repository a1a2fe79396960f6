// `f2b-scan ban <jail> <ip>...`: ban by hand for the jail's bantime, applied through the
// jail's actions like any other ban (origin 'manual'), remembered in the state.

import { banRecord } from '../log/index.ts';
import type { BanRecord, Decision } from '../types.ts';
import { parseCommandLineAddresses } from './addresses.ts';
import { applyAndSave, findJail, iso, withSession, type OpsOptions, type OpsResult } from './session.ts';
import { addTotals } from './totals.ts';
import { parseKey } from '../net/key.ts';
import { getBan, setBan } from '../state/bans.ts';
import { deleteTicket } from '../state/tickets.ts';
import { getHistory } from '../state/history.ts';

export async function runBan(opts: OpsOptions & { jail: string; ips: string[] }): Promise<OpsResult> {
  const ips = parseCommandLineAddresses(opts.ips, 'ban');
  return withSession(opts, async (s) => {
    const jail = findJail(s.config, opts.jail);
    const verb = opts.dryRun ? 'would ' : '';
    const lines: string[] = [];
    const messages = s.warnings.map((w) => `warning: ${w}`);
    const decisions: Decision[] = [];
    const until = jail.bantime < 0 ? null : opts.now + jail.bantime;
    for (const ip of ips) {
      const key = parseKey(ip)!;
      const have = getBan(s.state, jail.name, key);
      if (have && (have.until === null || have.until > opts.now)) {
        messages.push(`${ip} is already banned in ${jail.name} until ${iso(have.until)}`);
        continue;
      }
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
    if (decisions.length === 0) return { output: '', messages, exitCode: 0 };
    const applied = await applyAndSave(s, opts, decisions, decisions.map((d) => banRecord(opts.now, d.jail, d.ip)));
    return { output: lines.map((l) => l + '\n').join(''), messages: [...messages, ...applied.messages], exitCode: applied.exitCode };
  });
}

// `f2b-scan banned <ip>...`: which jails ban these addresses, until when and why — what
// `fail2ban-client banned <ip>` answers, from the state file. A range ban (a fleet's or an
// import's CIDR entry) that covers the address counts too. Reads only: no lock, nothing written.

import { parseAddress } from '../net/address.ts';
import { cidrContains, parseCidr } from '../net/cidr.ts';
import type { State } from '../state/schema.ts';
import { isRangeKey, keyOfAddress, type AddrKey } from '../net/key.ts';
import { banKeys, getBan, jailsWithBans } from '../state/bans.ts';
import type { BanRecord } from '../types.ts';
import { UsageError } from '../util/errors.ts';
import { isoSeconds } from '../util/time-text.ts';
import { withSession, type OpsOptions, type OpsResult } from './session.ts';

export interface BanOfAddress {
  jail: string;
  /** The banned key when it is a range holding the address (`192.0.2.0/24`). */
  range?: string;
  until: string | null;
  origin: BanRecord['origin'];
  /** The fleet host that published it. */
  from?: string;
  /** The firewall still owes it (an action failed; retried next run). */
  pending: boolean;
}

export interface BannedAnswer {
  ip: string;
  bans: BanOfAddress[];
}

/** Each address's bans in force at `now`, jails in name order. Addresses are normalised first. */
export function bansOf(state: State, addresses: string[], now: number): BannedAnswer[] {
  const wanted = addresses.map((text) => {
    const a = parseAddress(text);
    if (!a) throw new UsageError(`banned: not an IP address: ${JSON.stringify(text)}`);
    return a;
  });
  const answers: BannedAnswer[] = wanted.map((a) => ({ ip: a.ip, bans: [] }));
  const jails = jailsWithBans(state).sort();
  for (const jail of jails) {
    // The addresses' own keys are looked up; range keys (few) are found among the keys.
    const keys: AddrKey[] = [...new Set([...wanted.map(keyOfAddress), ...[...banKeys(state, jail)].filter(isRangeKey)])];
    for (const key of keys) {
      const ban = getBan(state, jail, key);
      if (!ban) continue;
      if (ban.until !== null && ban.until <= now) continue; // expired: the next run lifts it
      const range = isRangeKey(key) ? parseCidr(key as string) : null;
      wanted.forEach((a, i) => {
        if (range ? !cidrContains(range, a) : key !== keyOfAddress(a)) return;
        const b: BanOfAddress = { jail, until: ban.until === null ? null : isoSeconds(ban.until), origin: ban.origin, pending: ban.pending === 'ban' };
        if (range) b.range = range.text;
        if (ban.from !== undefined) b.from = ban.from;
        answers[i]!.bans.push(b);
      });
    }
  }
  return answers;
}

export function formatBanned(answers: BannedAnswer[]): string {
  const lines: string[] = [];
  for (const a of answers) {
    if (a.bans.length === 0) lines.push(`${a.ip} not banned`);
    for (const b of a.bans) {
      const why = b.origin === 'fleet' && b.from ? `fleet, from ${b.from}` : b.origin;
      lines.push(
        `${a.ip} banned in ${b.jail}${b.range ? ` (range ${b.range})` : ''} ${b.until ? `until ${b.until}` : 'for good'} (${why})${b.pending ? ', pending: the firewall does not hold it yet' : ''}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export async function runBanned(opts: Omit<OpsOptions, 'dryRun'> & { ips: string[]; json: boolean }): Promise<OpsResult> {
  return withSession(
    { ...opts, dryRun: true },
    async (s) => {
      const answers = bansOf(s.state, opts.ips, opts.now);
      return {
        output: opts.json ? JSON.stringify(answers) + '\n' : formatBanned(answers),
        messages: s.warnings.map((w) => `warning: ${w}`),
        exitCode: 0,
      };
    },
    false,
  );
}

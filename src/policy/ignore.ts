// Ignore rules, matched over data prepared up front (prepare-ignore.ts does the look-ups):
// ignoreip (addresses, CIDR ranges, host names already resolved), ignoreself (the machine's own
// addresses) and the cached answers of ignorecommand. An address that is not a host (loopback,
// 0.0.0.0, multicast: src/net/host.ts) is never banned in any case.

import type { Jail } from '../types.ts';
import { parseAddress } from '../net/address.ts';
import { whyNotBannable, whyNotBannableRange } from '../net/host.ts';
import { CidrSet, parseCidr } from '../net/cidr.ts';
import { looksLikeHostName } from '../net/resolve.ts';

export interface IgnoreIpEntries {
  /** Addresses and CIDR ranges, canonical text. */
  cidrs: string[];
  /** Host names to resolve. */
  names: string[];
  /** Entries that are none of these. */
  bad: string[];
}

/** Sort a jail's ignoreip entries (space and/or comma separated, as fail2ban allows). */
export function parseIgnoreIp(entries: string[]): IgnoreIpEntries {
  const out: IgnoreIpEntries = { cidrs: [], names: [], bad: [] };
  for (const token of entries.flatMap((e) => e.split(/[\s,]+/)).filter(Boolean)) {
    const c = parseCidr(token);
    if (c) out.cidrs.push(c.text);
    else if (looksLikeHostName(token) && !/^[\d.]+$/.test(token)) out.names.push(token.toLowerCase().replace(/\.$/, ''));
    else out.bad.push(token);
  }
  return out;
}

interface Rule {
  reason: string;
  set: CidrSet;
}

export interface PreparedIgnore {
  /** The machine's own addresses (used by jails with ignoreself). */
  own: string[];
  /** jail -> ignoreip entries */
  ignoreip: Record<string, IgnoreIpEntries>;
  /** host name -> its addresses, looked up once for the run */
  resolved: Record<string, string[]>;
  /** `${jail}\0${ip}` -> the jail's ignorecommand said "ignore" (true) or not (false) */
  commandAnswers: Record<string, boolean>;
  /** jail -> the ignorecommand text, for reasons */
  commands: Record<string, string>;
}

const own = <T>(r: Record<string, T>, k: string): T | undefined => (Object.hasOwn(r, k) ? r[k] : undefined);

export function commandKey(jail: string, ip: string): string {
  return `${jail}\0${ip}`;
}

/** `(jail, ip) => reason | null` over prepared data: pure, and cheap enough to call per failure. */
export function makeIsIgnored(p: PreparedIgnore): (jail: Jail, ip: string) => string | null {
  const self = new CidrSet();
  for (const ip of p.own) {
    const c = parseCidr(ip);
    if (c) self.add(c);
  }
  const rules = new Map<string, Rule[]>();
  const rulesFor = (jail: string): Rule[] => {
    let r = rules.get(jail);
    if (r) return r;
    r = [];
    const e = own(p.ignoreip, jail);
    for (const text of e?.cidrs ?? []) {
      const set = new CidrSet();
      set.add(parseCidr(text)!);
      r.push({ reason: `ignoreip ${text}`, set });
    }
    for (const name of e?.names ?? []) {
      const set = new CidrSet();
      for (const ip of own(p.resolved, name) ?? []) {
        const c = parseCidr(ip);
        if (c) set.add(c);
      }
      if (set.size) r.push({ reason: `ignoreip ${name}`, set });
    }
    rules.set(jail, r);
    return r;
  };

  return (jail: Jail, ip: string): string | null => {
    if (ip.includes('/')) return rangeIgnored(jail, ip);
    const a = parseAddress(ip);
    if (!a) return 'not an address';
    const notHost = whyNotBannable(a);
    if (notHost) return notHost;
    if (jail.ignoreself && self.has(a)) return 'own address (ignoreself)';
    for (const rule of rulesFor(jail.name)) if (rule.set.has(a)) return rule.reason;
    if (own(p.commandAnswers, commandKey(jail.name, a.ip))) return `ignorecommand ${own(p.commands, jail.name) ?? ''} exited 0`.trim();
    return null;
  };

  /** A CIDR range (fleet, import): ignored when it shares an address with ignoreip or, with ignoreself, this host. */
  function rangeIgnored(jail: Jail, text: string): string | null {
    const c = parseCidr(text);
    if (!c) return 'not an address or range';
    const notHost = whyNotBannableRange(c);
    if (notHost) return notHost;
    if (jail.ignoreself && self.overlaps(c)) return 'holds an own address (ignoreself)';
    for (const rule of rulesFor(jail.name)) if (rule.set.overlaps(c)) return `overlaps ${rule.reason}`;
    return null;
  }
}

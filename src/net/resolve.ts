// DNS look-ups with a timeout: ignoreip host names (once per run) and usedns for rules that
// capture host names. The system resolver (getaddrinfo: /etc/hosts, then DNS) answers; a slow
// one must not hold up a cron run, so every look-up gives up after `timeoutMs`.

import { lookup as dnsLookup } from 'node:dns/promises';
import { normalizeAddress } from './address.ts';

export const DEFAULT_RESOLVE_TIMEOUT_MS = 3000;

export type UseDns = 'yes' | 'warn' | 'no' | 'raw';

export interface ResolveOptions {
  timeoutMs?: number;
  /** Called with one line for usedns = warn, and when a look-up fails or times out. */
  warn?: (message: string) => void;
}

export class ResolveTimeout extends Error {}

/** Addresses of a host name (normalised, no duplicates); [] when it has none. Rejects on timeout. */
export async function resolveHost(name: string, timeoutMs = DEFAULT_RESOLVE_TIMEOUT_MS): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ResolveTimeout(`resolving ${name} took longer than ${timeoutMs} ms`)), timeoutMs);
    // getaddrinfo cannot be cancelled; the timer must not keep the process alive after the run.
    timer.unref();
  });
  try {
    const found = await Promise.race([dnsLookup(name, { all: true, verbatim: true }), timeout]);
    const out: string[] = [];
    for (const f of found) {
      const ip = normalizeAddress(f.address);
      if (ip && !out.includes(ip)) out.push(ip);
    }
    return out;
  } catch (e) {
    if (e instanceof ResolveTimeout) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME' || code === 'EAI_AGAIN') return [];
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** A host name as fail2ban would try it: letters, digits, dots and hyphens, no spaces or shell text. */
export function looksLikeHostName(s: string): boolean {
  return s.length <= 253 && /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?$/.test(s);
}

/**
 * The addresses to ban for a host a rule captured, following the jail's usedns:
 *  - an address is kept as it is, whatever usedns says;
 *  - no:  names are never resolved, the match is dropped;
 *  - raw: only addresses are used (a name is dropped);
 *  - warn / yes: names are resolved (with a timeout); warn also says so.
 */
export async function resolveHostForBan(host: string, usedns: UseDns, opts: ResolveOptions = {}): Promise<string[]> {
  const ip = normalizeAddress(host);
  if (ip) return [ip];
  if (usedns === 'no' || usedns === 'raw' || !looksLikeHostName(host)) return [];
  if (usedns === 'warn') opts.warn?.(`Determined IP using DNS lookup: ${host} (usedns = warn)`);
  try {
    return await resolveHost(host, opts.timeoutMs);
  } catch (e) {
    opts.warn?.(`cannot resolve ${host}: ${(e as Error).message}`);
    return [];
  }
}

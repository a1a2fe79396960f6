// DNS look-ups with a timeout: ignoreip host names (once per run) and usedns for rules that
// capture host names. Names are looked up as nsswitch's usual "files dns" does: /etc/hosts
// first, then DNS through c-ares. Not getaddrinfo: a stalled resolver would hold a threadpool
// request that keeps a cron run from exiting until glibc gives up; a c-ares query is cancelled
// when our timeout fires.

import { readFile } from 'node:fs/promises';
import { normalizeAddress } from './address.ts';

export const DEFAULT_RESOLVE_TIMEOUT_MS = 3000;

export type UseDns = 'yes' | 'warn' | 'no' | 'raw';

export interface ResolveOptions {
  timeoutMs?: number;
  /** Called with one line for usedns = warn, and when a look-up fails or times out. */
  warn?: (message: string) => void;
  /** DNS servers (`addr` or `addr:port`) instead of /etc/resolv.conf's. */
  servers?: string[];
  /** Default /etc/hosts. */
  hostsFile?: string;
}

export class ResolveTimeout extends Error {}

/** Addresses /etc/hosts gives a name (normalised), in file order. Pure. */
export function hostsFileAddresses(text: string, name: string): string[] {
  const want = name.toLowerCase().replace(/\.$/, '');
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const [addr, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!addr || !names.some((n) => n.toLowerCase() === want)) continue;
    const ip = normalizeAddress(addr);
    if (ip && !out.includes(ip)) out.push(ip);
  }
  return out;
}

async function readHosts(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NOTFOUND', 'NODATA', 'ESERVFAIL', 'EREFUSED', 'EFORMERR', 'EBADNAME']);

/**
 * Addresses of a host name (normalised, no duplicates); [] when it has none.
 * Rejects with ResolveTimeout when no answer came within the timeout.
 */
export async function resolveHost(name: string, opts: ResolveOptions | number = {}): Promise<string[]> {
  const o = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const timeoutMs = o.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const fromHosts = hostsFileAddresses(await readHosts(o.hostsFile ?? '/etc/hosts'), name);
  if (fromHosts.length) return fromHosts;

  // Loaded here: most runs look up no name, and start without the resolver (~3 ms).
  const { Resolver } = process.getBuiltinModule('node:dns/promises');
  const resolver = new Resolver({ timeout: Math.max(1, timeoutMs), tries: 1 });
  if (o.servers?.length) resolver.setServers(o.servers);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolver.cancel(); // pending queries reject with ECANCELLED; nothing keeps the process alive
      resolve();
    }, timeoutMs);
  });
  try {
    const answers = Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const [v4, v6] = await Promise.race([answers, deadline.then(() => answers)]);
    const out: string[] = [];
    const errors: string[] = [];
    for (const r of [v4, v6]) {
      if (r.status === 'fulfilled') {
        for (const a of r.value) {
          const ip = normalizeAddress(a);
          if (ip && !out.includes(ip)) out.push(ip);
        }
      } else {
        const code = (r.reason as NodeJS.ErrnoException).code ?? '';
        if (!NO_ANSWER.has(code)) errors.push(code || String(r.reason));
      }
    }
    if (out.length || errors.length === 0) return out;
    if (timedOut || errors.some((c) => c === 'ETIMEOUT' || c === 'ECANCELLED')) {
      throw new ResolveTimeout(`resolving ${name} took longer than ${timeoutMs} ms`);
    }
    throw new Error(`resolving ${name} failed: ${errors.join(', ')}`);
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
    return await resolveHost(host, opts);
  } catch (e) {
    opts.warn?.(`cannot resolve ${host}: ${(e as Error).message}`);
    return [];
  }
}

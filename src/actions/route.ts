// route: a ban is a route that sends replies to the attacker nowhere (`blocktype` =
// unreachable (default, as fail2ban), blackhole or prohibit), added with `ip route` /
// `ip -6 route`, many at once through `ip -batch -`.
// Our routes carry `proto 242` (f2b-scan's) and a metric derived from the jail's name, so
// each jail lists, reconciles and stops only its own routes and never an administrator's.
// A host route is more specific than any connected network, so the metric never weakens it.
// Ranges (a.b.c.d/n) are routes to their prefix.

import { run } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import type { Family } from '../net/address.ts';
import { normalizeTarget, targetFamily } from '../net/cidr.ts';
import { ActionParamError, nothingToCreate, type Backend, type BackendFactory, type StepResult } from './backend.ts';
import { runBatchIsolating } from './batch.ts';

export const ROUTE_PROTO = '242';
const BLOCKTYPES = new Set(['unreachable', 'blackhole', 'prohibit']);

/** A metric per jail name (FNV-1a folded to 16 bits, offset above metrics people use). */
export function jailMetric(name: string): number {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(name, 'utf8')) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return 0xf2b00000 + ((h ^ (h >>> 16)) & 0xffff);
}

/** Addresses of `ip route show proto 242` lines of the given metric. */
export function parseRoutes(text: string, metric: number, family: Family): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(unreachable|blackhole|prohibit)\s+(\S+)/.exec(line.trim());
    if (!m) continue;
    const mm = /\bmetric (\d+)\b/.exec(line);
    // IPv4 omits a zero metric; ours is never zero.
    if (!mm || Number(mm[1]) !== metric) continue;
    // A host route lists as the address (or with /32, /128); a range route as a.b.c.d/n.
    const ip = normalizeTarget(m[2]!);
    if (ip && targetFamily(ip) === family) out.push(ip);
  }
  return out;
}

export const route: BackendFactory = (params) => {
  const blocktype = (params.options.blocktype ?? 'unreachable').trim();
  if (!BLOCKTYPES.has(blocktype)) {
    throw new ActionParamError(params.action, params.jail, 'blocktype', `${JSON.stringify(blocktype)} is not one of unreachable, blackhole, prohibit`);
  }
  const metric = String(jailMetric(params.options.name ?? params.jail));
  const famFlag = (family: Family) => (family === 6 ? '-6' : '-4');
  const routeArgs = (verb: string, ip: string) => ['route', verb, blocktype, ip, 'proto', ROUTE_PROTO, 'metric', metric];
  const familyOf = (ip: string): Family => targetFamily(ip) ?? 4;

  async function held(family: Family): Promise<string[]> {
    const r = await run('ip', [famFlag(family), 'route', 'show', 'proto', ROUTE_PROTO]);
    if (!r.ok) throw new Error(r.error ?? `${r.command} failed`);
    return parseRoutes(r.stdout, Number(metric), family);
  }

  /**
   * One batch; each address's result is what the routing table shows afterwards. -force goes on
   * past a line the kernel refuses, but ip stops at a line it cannot parse: such a batch is split
   * until the line is alone (batch.ts), so the others still get their routes.
   */
  async function batch(family: Family, verb: 'replace' | 'del', ips: string[], describe: (ip: string) => string) {
    const input = (part: readonly string[]) => part.map((ip) => routeArgs(verb, ip).join(' ') + '\n').join('');
    const results = await runBatchIsolating(ips, (part) => run('ip', ['-force', famFlag(family), '-batch', '-'], { input: input(part) }), describe);
    let after: Set<string> | null = null;
    try {
      after = new Set(await held(family));
    } catch {
      return results; // judged by the exit codes alone
    }
    const out = new Map<string, StepResult>();
    for (const ip of ips) {
      const r = results.get(ip)!;
      const there = after.has(normalizeTarget(ip) ?? ip);
      // A del of a route already gone fails in ip, and is what was wanted.
      if (verb === 'replace' ? there : !there) out.set(ip, { ok: true, command: r.command });
      else out.set(ip, r.ok ? { ok: false, command: r.command, error: 'route not in place afterwards' } : r);
    }
    return out;
  }

  const backend: Backend = {
    action: params.action,
    enforcing: true,
    // A range is a route to a prefix. (A range wider than a connected network still loses to
    // that network's route for the addresses inside it: the kernel takes the longest prefix.)
    ranges: true,
    // Routes need nothing created first; a reboot that drops them is seen by list().
    ...nothingToCreate,
    list: held,
    async ban(family, items) {
      if (items.length === 0) return new Map();
      return batch(family, 'replace', items.map((i) => i.ip), backend.describeBan);
    },
    async unban(family, ips) {
      if (ips.length === 0) return new Map();
      return batch(family, 'del', ips, backend.describeUnban);
    },
    async stop(family) {
      const ips = await held(family).catch(() => [] as string[]);
      if (ips.length === 0) return { ok: true, command: '' };
      const results = await batch(family, 'del', ips, backend.describeUnban);
      const failed = [...results.values()].find((r) => !r.ok);
      return failed ?? { ok: true, command: `ip ${famFlag(family)} -batch - (${ips.length} route del)` };
    },
    describeBan(ip) {
      return printableCommand('ip', [famFlag(familyOf(ip)), ...routeArgs('replace', ip)]);
    },
    describeUnban(ip) {
      return printableCommand('ip', [famFlag(familyOf(ip)), ...routeArgs('del', ip)]);
    },
  };
  return backend;
};

// shorewall: bans go to Shorewall's dynamic blacklist (`shorewall <blocktype> <ip>...`,
// `shorewall6` for IPv6; blocktype reject (fail2ban's default), drop, logdrop, logreject),
// unbans are `shorewall allow <ip>...`. Both take many addresses per command, so a run's
// bans are one process per family (in chunks, for the argument limit).
// The dynamic blacklist is one list for the whole host: it cannot tell which jail, or the
// administrator, put an address there. So this backend lists nothing (a run never removes
// an entry it did not decide to lift) and marks its start instead: a per-jail canary
// address from ranges that never send packets (240.0.0.0/4, IPv6 discard prefix 100::/64).
// A Shorewall restart or reboot empties the blacklist, the canary goes with it, the next
// run's check sees that and puts every ban of the jail back.

import { run } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import { addressFamily, normalizeAddress, type Family } from '../net/address.ts';
import { ActionParamError, type Backend, type BackendFactory, type StepResult } from './backend.ts';
import { runBatchIsolating } from './batch.ts';

const BLOCKTYPES = new Set(['reject', 'drop', 'logdrop', 'logreject']);
/** Addresses per command: well under the argument-size limit, few processes. */
const CHUNK = 500;

/** The canary of a jail: 240.242.x.y / 100::f2b:x:y from a hash of its name. */
export function canary(name: string, family: Family): string {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(name, 'utf8')) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  const a = (h >>> 8) & 0xff;
  const b = h & 0xff;
  return family === 4 ? `240.242.${a}.${b}` : normalizeAddress(`100::f2b:${a.toString(16)}:${b.toString(16)}`)!;
}

/** Addresses in `shorewall show dynamic` output (the source column of the dynamic chain). */
export function parseDynamic(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    // A rule line starts with its packet and byte counters; its first host address is the source.
    const fields = line.trim().split(/\s+/);
    if (!/^\d+[KMGT]?$/.test(fields[0] ?? '')) continue;
    for (const f of fields.slice(2)) {
      const ip = normalizeAddress(f.replace(/\/(32|128)$/, ''));
      if (ip && !f.endsWith('/0')) {
        out.add(ip);
        break;
      }
    }
  }
  return out;
}

export const shorewall: BackendFactory = (params) => {
  // An iptables blocktype left at jail level (REJECT --reject-with ..., DROP) means the same here.
  const blocktype = (params.options.blocktype ?? 'reject').trim().split(/\s+/)[0]!.toLowerCase();
  if (!BLOCKTYPES.has(blocktype)) {
    throw new ActionParamError(params.action, params.jail, 'blocktype', `${JSON.stringify(params.options.blocktype)} is not one of reject, drop, logdrop, logreject`);
  }
  const name = params.options.name ?? params.jail;
  const binary = (family: Family) => (family === 6 ? 'shorewall6' : 'shorewall');
  const familyOf = (ip: string): Family => addressFamily(ip) ?? 4;

  async function dynamic(family: Family): Promise<Set<string> | null> {
    const r = await run(binary(family), ['show', 'dynamic']);
    return r.ok ? parseDynamic(r.stdout) : null;
  }

  async function apply(family: Family, verb: string, ips: string[], describe: (ip: string) => string): Promise<Map<string, StepResult>> {
    const out = new Map<string, StepResult>();
    // A command Shorewall rejects is split until each address it refuses is alone (batch.ts).
    for (let i = 0; i < ips.length; i += CHUNK) {
      const chunk = await runBatchIsolating(ips.slice(i, i + CHUNK), (part) => run(binary(family), [verb, ...part]), describe);
      for (const [ip, r] of chunk) out.set(ip, r);
    }
    // Shorewall 5.2 answers `reject` with success and does nothing when its configuration
    // has no reject chain: what the blacklist holds afterwards is the real answer.
    const after = verb === 'allow' ? null : await dynamic(family);
    if (after) {
      for (const [ip, r] of out) {
        if (r.ok && !after.has(normalizeAddress(ip) ?? ip)) {
          out.set(ip, { ok: false, command: r.command, error: `${binary(family)} ${verb} left no entry in the dynamic blacklist (Shorewall needs a ${verb} chain: use a ${verb.toUpperCase()} rule or policy, or blocktype=drop)` });
        }
      }
    }
    return out;
  }

  const backend: Backend = {
    action: params.action,
    enforcing: true,
    async start(family) {
      // The canary goes in like a ban, checked the same way.
      const results = await apply(family, blocktype, [canary(name, family)], backend.describeBan);
      return results.get(canary(name, family))!;
    },
    async check(family) {
      return (await dynamic(family))?.has(canary(name, family)) ?? false;
    },
    ban(family, items) {
      return apply(family, blocktype, items.map((i) => i.ip), backend.describeBan);
    },
    unban(family, ips) {
      return apply(family, 'allow', ips, backend.describeUnban);
    },
    async stop(family) {
      const r = await run(binary(family), ['allow', canary(name, family)]);
      return r.ok ? { ok: true, command: r.command } : { ok: false, command: r.command, error: r.error };
    },
    describeBan(ip) {
      return printableCommand(binary(familyOf(ip)), [blocktype, ip]);
    },
    describeUnban(ip) {
      return printableCommand(binary(familyOf(ip)), ['allow', ip]);
    },
  };
  return backend;
};

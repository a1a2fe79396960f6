// iptables-ipset, iptables-ipset-proto4, iptables-ipset-proto6 and
// iptables-ipset-proto6-allports: the banned addresses live in an ipset per family
// (ipset.ts); one rule per protocol in the jail's chain (INPUT, DOCKER-USER...) matches the
// set for the jail's ports and applies the blocktype. A ban is one set entry, not a rule,
// so 10,000 bans cost the packet path one hash lookup.
// fail2ban's -proto4 variant spoke the ipset 4 syntax of old kernels; here it is the same
// modern set. The single-port names take a port list too (`-m multiport` holds one port).

import { run, type CommandResult } from '../exec/run.ts';
import type { Family } from '../net/address.ts';
import type { Backend, BackendFactory } from './backend.ts';
import { blocktypeFor, iptablesBinary, iptablesConfig, type IptablesConfig, type PortMode } from './iptables-rules.ts';
import { ensureSet, ipsetConfig, removeSet, setBans, setExists, stepOf, type IpsetConfig } from './ipset.ts';

/** The rules in cfg.chain that send matching traffic from the set to the blocktype: one per protocol. */
export function setRules(cfg: IptablesConfig, set: string, family: Family): string[][] {
  return cfg.protocols.map((proto) => {
    const ports = cfg.mode === 'allports' ? [] : ['-m', 'multiport', '--dports', cfg.port];
    return ['-p', proto, ...ports, '-m', 'set', '--match-set', set, 'src', '-j', ...blocktypeFor(cfg, family)];
  });
}

function factory(mode: PortMode): BackendFactory {
  return (params) => {
    const ipt = iptablesConfig(params, mode);
    const sets: IpsetConfig = ipsetConfig(params);
    const iptables = (family: Family, args: string[]) => run(iptablesBinary(family), ['-w', ...args]);
    const rules = (family: Family) => setRules(ipt, sets.names[family], family);

    const backend: Backend = {
      action: params.action,
      enforcing: true,
      // hash:net sets: hosts and ranges (a set made as hash:ip refuses ranges in one line).
      ranges: true,

      async start(family) {
        const done: CommandResult[] = [await ensureSet(sets, family)];
        if (!done[0]!.ok) return stepOf(done);
        for (const rule of rules(family)) {
          if ((await iptables(family, ['-C', ipt.chain, ...rule])).ok) continue;
          const r = await iptables(family, ['-I', ipt.chain, '1', ...rule]);
          done.push(r);
          if (!r.ok) break;
        }
        return stepOf(done);
      },

      async check(family) {
        if (!(await setExists(sets.names[family]))) return false;
        for (const rule of rules(family)) if (!(await iptables(family, ['-C', ipt.chain, ...rule])).ok) return false;
        return true;
      },

      ...setBans(sets),

      async stop(family) {
        const done: CommandResult[] = [];
        for (const rule of rules(family)) {
          // Every copy: start may have been run twice by hand.
          for (let i = 0; i < 16 && (await iptables(family, ['-C', ipt.chain, ...rule])).ok; i++) {
            done.push(await iptables(family, ['-D', ipt.chain, ...rule]));
          }
        }
        done.push(...(await removeSet(sets.names[family])));
        return stepOf(done);
      },
    };
    return backend;
  };
}

export const ipsetMultiport = factory('multiport');
export const ipsetAllports = factory('allports');

// firewallcmd-ipset: for hosts whose firewall is firewalld. The banned addresses live in
// an ipset per jail and family (ipset.ts: hash:ip with a bantime timeout, batched through
// `ipset restore`); one firewalld direct rule per family matches the set for the jail's
// ports (chain INPUT_direct, as fail2ban). Direct rules are runtime rules: a
// `firewall-cmd --reload` drops them, the next run's check sees that and starts again.
// Options as fail2ban names them: chain, port, protocol, blocktype, actiontype (multiport |
// allports), ipsettime, default-ipsettime. ipsettype=firewalld (sets kept by firewalld
// itself) is not implemented: the kernel ipset works under every firewalld backend.

import { run, type CommandResult } from '../exec/run.ts';
import type { Family } from '../net/address.ts';
import { ActionParamError, type Backend, type BackendFactory } from './backend.ts';
import { blocktypeFor, iptablesConfig } from './iptables-rules.ts';
import { ensureSet, ipsetConfig, removeSet, setBans, setExists, stepOf } from './ipset.ts';

export const firewallcmdIpset: BackendFactory = (params) => {
  const o = params.options;
  const ipsettype = o.ipsettype ?? 'ipset';
  if (ipsettype !== 'ipset') throw new ActionParamError(params.action, params.jail, 'ipsettype', `${JSON.stringify(ipsettype)} is not supported (only ipset)`);
  const actiontype = (o.actiontype ?? 'multiport').replace(/^<(.*)>$/, '$1');
  if (actiontype !== 'multiport' && actiontype !== 'allports') {
    throw new ActionParamError(params.action, params.jail, 'actiontype', `${JSON.stringify(o.actiontype)} is neither multiport nor allports`);
  }
  // fail2ban's firewalld default: every port; a full range is every port too.
  const port = o.port ?? '1:65535';
  const allports = actiontype === 'allports' || /^[01][:-]65535$/.test(port.trim());
  const ipt = iptablesConfig({ ...params, options: { ...o, port, chain: o.chain ?? 'INPUT_direct' } }, allports ? 'allports' : 'multiport');
  const sets = ipsetConfig(params);

  /** The direct rules (`ipv4 filter INPUT_direct 0 ...`), one per protocol. */
  const rules = (family: Family): string[][] =>
    ipt.protocols.map((proto) => [
      family === 6 ? 'ipv6' : 'ipv4',
      'filter',
      ipt.chain,
      '0',
      '-p',
      proto,
      ...(allports ? [] : ['-m', 'multiport', '--dports', ipt.port]),
      '-m',
      'set',
      '--match-set',
      sets.names[family],
      'src',
      '-j',
      ...blocktypeFor(ipt, family),
    ]);
  const direct = (verb: string, rule: string[]) => run('firewall-cmd', ['--direct', verb, ...rule]);

  const backend: Backend = {
    action: params.action,
    enforcing: true,

    async start(family) {
      const done: CommandResult[] = [await ensureSet(sets, family)];
      for (const rule of rules(family)) {
        if (!done.at(-1)!.ok) break;
        if ((await direct('--query-rule', rule)).ok) continue;
        done.push(await direct('--add-rule', rule));
      }
      return stepOf(done);
    },

    async check(family) {
      if (!(await setExists(sets.names[family]))) return false;
      for (const rule of rules(family)) if (!(await direct('--query-rule', rule)).ok) return false;
      return true;
    },

    ...setBans(sets),

    async stop(family) {
      const done: CommandResult[] = [];
      for (const rule of rules(family)) if ((await direct('--query-rule', rule)).ok) done.push(await direct('--remove-rule', rule));
      done.push(...(await removeSet(sets.names[family])));
      return stepOf(done);
    },
  };
  return backend;
};

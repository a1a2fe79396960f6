// iptables-multiport, iptables-allports and iptables (one port): a chain f2b-<name> that
// INPUT (or the jail's chain) jumps to for the jail's ports, one blocktype rule per banned
// address, ip6tables for IPv6. Bans and unbans go in one iptables-restore --noflush batch
// per family, so 10,000 bans are one process, not 10,000.

import { run, type CommandResult } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import type { Family } from '../net/address.ts';
import { targetFamily } from '../net/cidr.ts';
import { type Backend, type BackendFactory, type StepResult } from './backend.ts';
import { runBatchIsolating } from './batch.ts';
import {
  banBatch,
  banRule,
  deleteBatch,
  iptablesBinary,
  iptablesConfig,
  jumpRules,
  parseChainRules,
  restoreBinary,
  type PortMode,
} from './iptables-rules.ts';

const WAIT = '-w';

function step(results: CommandResult[]): StepResult {
  const failed = results.find((r) => !r.ok);
  const command = results.map((r) => r.command).join('; ');
  return failed ? { ok: false, command, error: failed.error } : { ok: true, command };
}

function factory(mode: PortMode): BackendFactory {
  return (params) => {
    const cfg = iptablesConfig(params, mode);
    // What the last list() saw, so an unban deletes the rules exactly as they are written.
    const seen = new Map<Family, Map<string, string[]>>();
    const ipt = (family: Family, args: string[]) => run(iptablesBinary(family), [WAIT, ...args]);

    const familyOf = (ip: string): Family => targetFamily(ip) ?? 4;

    /** One iptables-restore transaction; a rejected one is split until each bad line is alone (batch.ts). */
    function restore(family: Family, input: (part: readonly string[]) => string, ips: string[], describe: (ip: string) => string): Promise<Map<string, StepResult>> {
      return runBatchIsolating(ips, (part) => run(restoreBinary(family), [WAIT, '--noflush'], { input: input(part) }), describe, {
        stillUsable: async () => (await ipt(family, ['-S', cfg.target])).ok,
      });
    }

    const backend: Backend = {
      action: params.action,
      enforcing: true,
      // -s takes a.b.c.d/n as it takes an address; iptables -S lists it back the same way.
      ranges: true,

      async start(family) {
        const done: CommandResult[] = [];
        const exists = await ipt(family, ['-S', cfg.target]);
        if (!exists.ok) {
          const made = await ipt(family, ['-N', cfg.target]);
          done.push(made);
          if (!made.ok) return step(done);
        }
        if (!(await ipt(family, ['-C', cfg.target, '-j', cfg.returntype])).ok) {
          const r = await ipt(family, ['-A', cfg.target, '-j', cfg.returntype]);
          done.push(r);
          if (!r.ok) return step(done);
        }
        for (const jump of jumpRules(cfg)) {
          if ((await ipt(family, ['-C', cfg.chain, ...jump])).ok) continue;
          const r = await ipt(family, ['-I', cfg.chain, '1', ...jump]);
          done.push(r);
          if (!r.ok) return step(done);
        }
        return done.length ? step(done) : { ok: true, command: '' };
      },

      async check(family) {
        for (const jump of jumpRules(cfg)) {
          // -C fails when the rule or our chain (its target) is missing.
          if (!(await ipt(family, ['-C', cfg.chain, ...jump])).ok) return false;
        }
        return true;
      },

      async list(family) {
        const r = await ipt(family, ['-S', cfg.target]);
        if (!r.ok) throw new Error(r.error ?? `${r.command} failed`);
        const held = parseChainRules(r.stdout, cfg.target);
        seen.set(family, held);
        return [...held.keys()];
      },

      async ban(family, items) {
        const ips = items.map((i) => i.ip);
        if (ips.length === 0) return new Map();
        return restore(family, (part) => banBatch(cfg, family, part), ips, backend.describeBan);
      },

      async unban(family, ips) {
        if (ips.length === 0) return new Map();
        const held = seen.get(family);
        const specs = (part: readonly string[]) => part.flatMap((ip) => held?.get(ip) ?? [banRule(cfg, family, ip).join(' ')]);
        const out = await restore(family, (part) => deleteBatch(cfg.target, specs(part)), ips, backend.describeUnban);
        if (held) for (const [ip, r] of out) if (r.ok) held.delete(ip);
        return out;
      },

      async stop(family) {
        const done: CommandResult[] = [];
        for (const jump of jumpRules(cfg)) {
          // Remove every copy of the jump: someone may have run start twice by hand.
          for (let i = 0; i < 16 && (await ipt(family, ['-C', cfg.chain, ...jump])).ok; i++) {
            done.push(await ipt(family, ['-D', cfg.chain, ...jump]));
          }
        }
        if ((await ipt(family, ['-S', cfg.target])).ok) {
          done.push(await ipt(family, ['-F', cfg.target]));
          done.push(await ipt(family, ['-X', cfg.target]));
        }
        seen.delete(family);
        return done.length ? step(done) : { ok: true, command: '' };
      },

      describeBan(ip) {
        const family = familyOf(ip);
        return printableCommand(iptablesBinary(family), [WAIT, '-I', cfg.target, '1', ...banRule(cfg, family, ip)]);
      },

      describeUnban(ip) {
        const family = familyOf(ip);
        return printableCommand(iptablesBinary(family), [WAIT, '-D', cfg.target, ...banRule(cfg, family, ip)]);
      },
    };
    return backend;
  };
}

export const multiport = factory('multiport');
export const allports = factory('allports');
export const oneport = factory('oneport');

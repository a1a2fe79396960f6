// nftables, nftables-multiport and nftables-allports: one table (`inet f2b-table`) with a
// chain hooked on input, shared by all jails; per jail and family a set of addresses
// (`addr-set-<name>`, `addr6-set-<name>`), an interval set of CIDR ranges (`net-set-<name>`,
// `net6-set-<name>`), and per set one rule per protocol that sends the jail's ports from that
// set to the blocktype. Every change is one `nft -f -` transaction, so
// 10,000 bans are one process and the ruleset is never seen half-written.

import { run, type CommandResult } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import type { Family } from '../net/address.ts';
import { isRangeText, normalizeTarget, targetFamily } from '../net/cidr.ts';
import { type Backend, type BackendFactory, type StepResult } from './backend.ts';
import { runBatchIsolating } from './batch.ts';
import { nftConfig, ruleBodies, type NftConfig } from './nftables-rules.ts';

/** Elements per `add element` line: keeps lines short without many round trips. */
const CHUNK = 1000;

function stepOf(results: CommandResult[]): StepResult {
  const failed = results.find((r) => !r.ok);
  const command = results.map((r) => r.command).join('; ');
  return failed ? { ok: false, command, error: failed.error } : { ok: true, command };
}

const nft = (args: string[], input?: string) => run('nft', args, input === undefined ? {} : { input });

/** Handles of the rules in our chain that use one of `sets` (from `nft -a list chain`). */
export function ruleHandles(listing: string, sets: readonly string[]): number[] {
  const out: number[] = [];
  for (const line of listing.split('\n')) {
    if (!sets.some((set) => line.includes(`@${set} `))) continue;
    const m = /# handle (\d+)\s*$/.exec(line);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** The addresses and ranges in `nft -j list set` output, canonical. */
export function parseSetJson(text: string): string[] {
  const doc = JSON.parse(text) as { nftables?: { set?: { elem?: unknown[] } }[] };
  const out: string[] = [];
  for (const item of doc.nftables ?? []) {
    for (const e of item.set?.elem ?? []) {
      // A plain address, {"prefix": {"addr", "len"}} in an interval set, or either inside
      // {"elem": {"val": ..., "timeout": ...}} in sets with timeouts.
      const v = typeof e === 'string' || (e as { prefix?: unknown }).prefix ? e : (e as { elem?: { val?: unknown } }).elem?.val;
      const p = typeof v === 'object' && v !== null ? (v as { prefix?: { addr?: unknown; len?: unknown } }).prefix : undefined;
      const text = typeof v === 'string' ? v : p && typeof p.addr === 'string' && typeof p.len === 'number' ? `${p.addr}/${p.len}` : null;
      const ip = text === null ? null : normalizeTarget(text);
      if (ip) out.push(ip);
    }
  }
  return out;
}

/** The set an address (host set) or range (interval set) goes in. */
const setFor = (cfg: NftConfig, family: Family, ip: string) => (isRangeText(ip) ? cfg.netSets : cfg.sets)[family];

function elementLines(verb: 'add' | 'delete', cfg: NftConfig, family: Family, ips: readonly string[]): string {
  const lines: string[] = [];
  for (const set of [cfg.sets[family], cfg.netSets[family]]) {
    const mine = ips.filter((ip) => setFor(cfg, family, ip) === set);
    for (let i = 0; i < mine.length; i += CHUNK) {
      lines.push(`${verb} element ${cfg.tableFamily} ${cfg.table} ${set} { ${mine.slice(i, i + CHUNK).join(', ')} }`);
    }
  }
  return lines.join('\n') + '\n';
}

function factory(type: 'multiport' | 'allports'): BackendFactory {
  return (params) => {
    const cfg = nftConfig(params, type);
    const where = `${cfg.tableFamily} ${cfg.table}`;
    const chainRef = `${where} ${cfg.chain}`;

    async function handles(family: Family): Promise<number[] | null> {
      const r = await nft(['-a', 'list', 'chain', cfg.tableFamily, cfg.table, cfg.chain]);
      return r.ok ? ruleHandles(r.stdout, [cfg.sets[family], cfg.netSets[family]]) : null;
    }

    /** One `nft -f -` transaction; a rejected one is split until each bad element is alone (batch.ts). */
    function batch(verb: 'add' | 'delete', family: Family, ips: readonly string[], describe: (ip: string) => string): Promise<Map<string, StepResult>> {
      return runBatchIsolating(ips, (part) => nft(['-f', '-'], elementLines(verb, cfg, family, part)), describe, { stillUsable: () => backend.check(family) });
    }

    const backend: Backend = {
      action: params.action,
      enforcing: true,
      ranges: true,

      async start(family) {
        const done: CommandResult[] = [];
        const addType = family === 6 ? 'ipv6_addr' : 'ipv4_addr';
        // `add` of an existing table, chain or set is a no-op: safe to repeat.
        done.push(
          await nft(['-f', '-'], [
            `add table ${where}`,
            `add chain ${chainRef} { type ${cfg.chainType} hook ${cfg.chainHook} priority ${cfg.chainPriority}; }`,
            `add set ${where} ${cfg.sets[family]} { type ${addType}; }`,
            `add set ${where} ${cfg.netSets[family]} { type ${addType}; flags interval; }`,
            '',
          ].join('\n')),
        );
        if (!done[0]!.ok) return stepOf(done);
        // Our rules afresh: a partial set of them (someone deleted one) is replaced, never doubled.
        const old = (await handles(family)) ?? [];
        const lines = old.map((h) => `delete rule ${chainRef} handle ${h}`);
        for (const body of ruleBodies(cfg, family)) lines.push(`add rule ${chainRef} ${body}`);
        done.push(await nft(['-f', '-'], lines.join('\n') + '\n'));
        return stepOf(done);
      },

      async check(family) {
        const h = await handles(family);
        return h !== null && h.length === ruleBodies(cfg, family).length;
      },

      async list(family) {
        const out: string[] = [];
        for (const set of [cfg.sets[family], cfg.netSets[family]]) {
          const r = await nft(['-j', 'list', 'set', cfg.tableFamily, cfg.table, set]);
          if (!r.ok) throw new Error(r.error ?? `${r.command} failed`);
          out.push(...parseSetJson(r.stdout));
        }
        return out;
      },

      async ban(family, items) {
        return batch('add', family, items.map((i) => i.ip), backend.describeBan);
      },

      async unban(family, ips) {
        if (ips.length === 0) return new Map();
        // A delete of an absent element fails the whole transaction: first the plain batch, else what is there.
        const whole = await nft(['-f', '-'], elementLines('delete', cfg, family, ips));
        if (whole.ok) return new Map(ips.map((ip) => [ip, { ok: true, command: backend.describeUnban(ip) }]));
        const held = new Set(await backend.list!(family).catch(() => [] as string[]));
        const present = ips.filter((ip) => held.has(normalizeTarget(ip) ?? ip));
        const again = await batch('delete', family, present, backend.describeUnban);
        return new Map(ips.map((ip) => [ip, again.get(ip) ?? { ok: true, command: backend.describeUnban(ip) }]));
      },

      async stop(family) {
        const done: CommandResult[] = [];
        const old = (await handles(family)) ?? [];
        const lines = old.map((h) => `delete rule ${chainRef} handle ${h}`);
        for (const name of [cfg.sets[family], cfg.netSets[family]]) {
          const set = await nft(['list', 'set', cfg.tableFamily, cfg.table, name]);
          if (set.ok) lines.push(`delete set ${where} ${name}`);
        }
        if (lines.length > 0) done.push(await nft(['-f', '-'], lines.join('\n') + '\n'));
        // The table is shared by the jails: it goes with the last set in it.
        const table = await nft(['list', 'table', cfg.tableFamily, cfg.table]);
        if (table.ok && !/^\s*set\s/m.test(table.stdout)) done.push(await nft(['delete', 'table', cfg.tableFamily, cfg.table]));
        return stepOf(done);
      },

      describeBan(ip) {
        return printableCommand('nft', ['add', 'element', cfg.tableFamily, cfg.table, setFor(cfg, targetFamily(ip) ?? 4, ip), `{ ${ip} }`]);
      },

      describeUnban(ip) {
        return printableCommand('nft', ['delete', 'element', cfg.tableFamily, cfg.table, setFor(cfg, targetFamily(ip) ?? 4, ip), `{ ${ip} }`]);
      },
    };
    return backend;
  };
}

export const multiport = factory('multiport');
export const allports = factory('allports');

// One kernel ipset per jail and family (`f2b-<name>`, `f2b-<name>6`), type hash:net with
// timeout support, as iptables-ipset and firewallcmd-ipset keep their banned addresses: a host
// is a /32 (/128) entry, a CIDR range one entry of its prefix, and a packet costs one lookup
// per prefix length held. (fail2ban and f2b-scan before 0.2 made hash:ip sets; such a set still
// serves hosts, and refuses ranges with one line saying how to renew it.)
// Bans and unbans go in one `ipset restore -exist` batch, so 10,000 addresses are one
// process. Each entry carries a timeout of one bantime (0 = forever): the run lifts bans
// on time, and the kernel lifts them on its own should the cron job ever stop.

import { run, type CommandResult } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import type { Family } from '../net/address.ts';
import { isRangeText, normalizeTarget, targetFamily } from '../net/cidr.ts';
import { ActionParamError, type ActionParams, type Backend, type BanItem, type StepResult } from './backend.ts';
import { runBatchIsolating } from './batch.ts';

// ipset names are at most 31 characters; restore input is read word by word.
const SET_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,30}$/;
/** The longest timeout ipset accepts (seconds); longer bans are kept forever (0) and lifted by the run. */
export const MAX_IPSET_TIMEOUT = 2_147_483;

export interface IpsetConfig {
  /** Set name per family. */
  names: Record<Family, string>;
  /** Fixed per-entry timeout from `ipsettime` (seconds), or null: the ban's own length. */
  ipsettime: number | null;
  /** The set's default timeout (`default-ipsettime`), 0 = entries stay until removed. */
  defaultTimeout: number;
}

export function ipsetConfig(params: ActionParams): IpsetConfig {
  const o = params.options;
  const bad = (key: string, why: string): never => {
    throw new ActionParamError(params.action, params.jail, key, why);
  };
  const name = o.name ?? params.jail;
  const names: Record<Family, string> = { 4: `f2b-${name}`, 6: `f2b-${name}6` };
  for (const n of Object.values(names)) if (!SET_NAME.test(n)) bad('name', `ipset ${JSON.stringify(n)} is not a valid set name (at most 31 characters, letters, digits, _ . : -)`);
  const seconds = (key: string): number | null => {
    const v = o[key];
    if (v === undefined) return null;
    if (!/^\d+$/.test(v)) bad(key, `${JSON.stringify(v)} is not a number of seconds`);
    return Math.min(Number(v), MAX_IPSET_TIMEOUT);
  };
  // fail2ban's stock default `ipsettime = 0` leaves lifting to the daemon; a value > 0 is the user's choice.
  const fixed = seconds('ipsettime');
  return { names, ipsettime: fixed === 0 ? null : fixed, defaultTimeout: seconds('default-ipsettime') ?? 0 };
}

/** The timeout of one ban's entry: one bantime (capped), 0 for a ban without end. */
export function entryTimeout(cfg: IpsetConfig, item: BanItem): number {
  if (cfg.ipsettime !== null) return cfg.ipsettime;
  if (item.until === null) return 0;
  const length = Math.ceil(item.until - item.start);
  if (length <= 0) return 1;
  return length > MAX_IPSET_TIMEOUT ? 0 : length;
}

export function createArgs(cfg: IpsetConfig, family: Family): string[] {
  const args = ['-exist', 'create', cfg.names[family], 'hash:net', 'timeout', String(cfg.defaultTimeout)];
  if (family === 6) args.push('family', 'inet6');
  // The default (65536) is enough for most hosts; a botnet wave is not most hosts.
  args.push('maxelem', '1048576');
  return args;
}

/** `ipset restore` input that adds every item (an existing entry gets its timeout renewed). */
export function addBatch(cfg: IpsetConfig, family: Family, items: readonly BanItem[]): string {
  const set = cfg.names[family];
  return items.map((i) => `add ${set} ${i.ip} timeout ${entryTimeout(cfg, i)}\n`).join('');
}

export function delBatch(cfg: IpsetConfig, family: Family, ips: readonly string[]): string {
  const set = cfg.names[family];
  return ips.map((ip) => `del ${set} ${ip}\n`).join('');
}

/** The addresses and ranges in `ipset save <set>` output, canonical (a /32 entry is its host). */
export function parseSave(text: string, set: string): string[] {
  const out: string[] = [];
  const prefix = `add ${set} `;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const ip = normalizeTarget(line.slice(prefix.length).split(' ')[0]!);
    if (ip) out.push(ip);
  }
  return out;
}

export function ipset(args: string[], input?: string): Promise<CommandResult> {
  return run('ipset', args, input === undefined ? {} : { input });
}

export async function setExists(set: string): Promise<boolean> {
  return (await ipset(['list', '-n', set])).ok;
}

/**
 * Creates the family's set unless a set of that name exists already: `create -exist` fails
 * when the existing set differs in any parameter (fail2ban's sets have a smaller maxelem),
 * and a set left by fail2ban or an earlier start serves as it is.
 */
export async function ensureSet(cfg: IpsetConfig, family: Family): Promise<CommandResult> {
  const probe = await ipset(['list', '-n', cfg.names[family]]);
  return probe.ok ? { ...probe, command: '' } : ipset(createArgs(cfg, family));
}

/** `ipset list -terse`: the set's entry count, without listing its entries. */
export async function setEntryCount(set: string): Promise<string | null> {
  const r = await ipset(['list', '-terse', set]);
  const m = r.ok ? /^Number of entries: (\d+)$/m.exec(r.stdout) : null;
  return m ? `entries ${m[1]}` : null;
}

/** The type of a set (`hash:net`), from `ipset list -t`; null when it cannot be read. */
async function setType(set: string): Promise<string | null> {
  const r = await ipset(['list', '-t', set]);
  return r.ok ? (/^Type:\s*(\S+)/m.exec(r.stdout)?.[1] ?? null) : null;
}

export async function listSet(set: string): Promise<string[]> {
  const r = await ipset(['save', set]);
  if (!r.ok) throw new Error(r.error ?? `${r.command} failed`);
  return parseSave(r.stdout, set);
}

/** Empties and destroys the set if it is there (stop, once no rule refers to it any more). */
export async function removeSet(set: string): Promise<CommandResult[]> {
  if (!(await setExists(set))) return [];
  return [await ipset(['flush', set]), await ipset(['destroy', set])];
}

/**
 * The part of a backend whose bans are entries of the jail's sets (iptables-ipset,
 * firewallcmd-ipset): listing, batched ban and unban, and their printable commands.
 */
export function setBans(cfg: IpsetConfig): Pick<Backend, 'list' | 'fingerprint' | 'ban' | 'unban' | 'describeBan' | 'describeUnban'> {
  const setOf = (ip: string) => cfg.names[targetFamily(ip) ?? 4];
  // The timeout depends on the ban (one bantime); the batch writes it per entry.
  const describeBan = (ip: string) => printableCommand('ipset', ['-exist', 'add', setOf(ip), ip]);
  const describeUnban = (ip: string) => printableCommand('ipset', ['-exist', 'del', setOf(ip), ip]);
  return {
    list(family) {
      return listSet(cfg.names[family]);
    },
    fingerprint(family) {
      return setEntryCount(cfg.names[family]);
    },
    async ban(family, items) {
      const byIp = new Map(items.map((i) => [i.ip, i]));
      const set = cfg.names[family];
      const refused = new Map<string, StepResult>();
      const ranges = items.filter((i) => isRangeText(i.ip));
      const type = ranges.length > 0 ? await setType(set) : 'hash:net';
      if (type !== 'hash:net') {
        const error = `ipset ${set} is ${type ?? 'not readable'}: it cannot hold ranges (made by fail2ban or an older f2b-scan); \`f2b-scan stop\` then the next run makes it hash:net`;
        for (const r of ranges) {
          refused.set(r.ip, { ok: false, command: describeBan(r.ip), error });
          byIp.delete(r.ip);
        }
      }
      const done = await restoreBatch(set, (part) => addBatch(cfg, family, part.map((ip) => byIp.get(ip)!)), [...byIp.keys()], describeBan);
      for (const [ip, r] of refused) done.set(ip, r);
      return done;
    },
    async unban(family, ips) {
      return restoreBatch(cfg.names[family], (part) => delBatch(cfg, family, part), ips, describeUnban);
    },
    describeBan,
    describeUnban,
  };
}

/**
 * One `ipset restore` for all addresses; when ipset rejects it (it stops at the first bad line),
 * the batch is split until every good address is in and each bad one has ipset's message.
 */
function restoreBatch(set: string, input: (part: readonly string[]) => string, ips: readonly string[], describe: (ip: string) => string): Promise<Map<string, StepResult>> {
  return runBatchIsolating(ips, (part) => ipset(['-exist', 'restore'], input(part)), describe, { stillUsable: () => setExists(set) });
}

/** One StepResult for a sequence of commands: the first failure, or all well. */
export function stepOf(results: CommandResult[]): StepResult {
  const failed = results.find((r) => !r.ok);
  const command = results.map((r) => r.command).filter((c) => c !== '').join('; ');
  return failed ? { ok: false, command, error: failed.error } : { ok: true, command };
}

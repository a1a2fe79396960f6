// The I/O behind the ignore rules, done once per run before the pure policy runs: read the
// machine's addresses, resolve ignoreip host names (each once, with a timeout), and ask each
// jail's ignorecommand about the addresses that are about to be banned (each (jail, ip) once).

import type { Jail } from '../types.ts';
import { normalizeAddress } from '../net/address.ts';
import { DEFAULT_RESOLVE_TIMEOUT_MS, resolveHost } from '../net/resolve.ts';
import { readOwnAddresses } from '../net/self.ts';
import { parseIgnoreCommand, runIgnoreCommand, DEFAULT_IGNORECOMMAND_TIMEOUT_MS, type IgnoreCommand } from '../exec/ignorecommand.ts';
import { commandKey, makeIsIgnored, parseIgnoreIp, type PreparedIgnore } from '../policy/ignore.ts';
import type { IsIgnored } from '../policy/decide.ts';

export interface PrepareIgnoreOptions {
  /**
   * The (jail, address) pairs to ask ignorecommand about, usually `banCandidates(...)`: a
   * command runs per address, so only for those about to be banned. Others are not ignored
   * by the command.
   */
  candidates?: Iterable<{ jail: string; ip: string }>;
  resolveTimeoutMs?: number;
  /** DNS servers for host names (`addr:port`), instead of /etc/resolv.conf's. */
  dnsServers?: string[];
  commandTimeoutMs?: number;
  /** How many ignorecommands run at once. */
  concurrency?: number;
  /** One line per problem (a bad ignoreip entry, a name that did not resolve, a command that failed). */
  warn?: (message: string) => void;
  /** The machine's own addresses; read from the interfaces when not given. */
  ownAddresses?: string[];
}

/** The run's `isIgnored`, all look-ups done. Throws ConfigError for an ignorecommand that cannot run without a shell. */
export async function prepareIgnore(jails: Jail[], opts: PrepareIgnoreOptions = {}): Promise<IsIgnored> {
  return makeIsIgnored(await prepareIgnoreData(jails, opts));
}

/** The same, as data (what was resolved, what the commands said), for `status` and tests. */
export async function prepareIgnoreData(jails: Jail[], opts: PrepareIgnoreOptions = {}): Promise<PreparedIgnore> {
  const warn = opts.warn ?? (() => {});
  // Null-prototype records: keys are names from the config (a host called `constructor` is a key, not a method).
  const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
  const p: PreparedIgnore = { own: [], ignoreip: dict(), resolved: dict(), commandAnswers: dict(), commands: dict() };

  const commands = new Map<string, IgnoreCommand>();
  for (const j of jails) {
    if (!j.ignorecommand?.trim()) continue;
    commands.set(j.name, parseIgnoreCommand(j.ignorecommand.trim(), { file: j.source.file, section: j.name, key: 'ignorecommand' }));
    p.commands[j.name] = j.ignorecommand.trim();
  }

  if (jails.some((j) => j.ignoreself)) p.own = opts.ownAddresses ?? readOwnAddresses();

  const names = new Set<string>();
  for (const j of jails) {
    const e = parseIgnoreIp(j.ignoreip);
    p.ignoreip[j.name] = e;
    for (const bad of e.bad) warn(`[${j.name}] ignoreip ${bad}: not an address, CIDR range or host name; skipped`);
    for (const n of e.names) names.add(n);
  }
  const timeout = opts.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  await Promise.all(
    [...names].map(async (name) => {
      try {
        p.resolved[name] = await resolveHost(name, { timeoutMs: timeout, ...(opts.dnsServers ? { servers: opts.dnsServers } : {}) });
        if (p.resolved[name]!.length === 0) warn(`ignoreip ${name}: the name has no address`);
      } catch (e) {
        p.resolved[name] = [];
        warn(`ignoreip ${name}: ${(e as Error).message}`);
      }
    }),
  );

  // ignorecommand last, and only for addresses the static rules do not already ignore.
  const isStaticallyIgnored = makeIsIgnored(p);
  const byName = new Map(jails.map((j) => [j.name, j]));
  const asks: { jail: Jail; ip: string; cmd: IgnoreCommand }[] = [];
  const seen = new Set<string>();
  for (const c of opts.candidates ?? []) {
    const jail = byName.get(c.jail);
    const cmd = commands.get(c.jail);
    const ip = normalizeAddress(c.ip);
    if (!jail || !cmd || !ip) continue;
    const k = commandKey(jail.name, ip);
    if (seen.has(k) || isStaticallyIgnored(jail, ip)) continue;
    seen.add(k);
    asks.push({ jail, ip, cmd });
  }
  const cmdTimeout = opts.commandTimeoutMs ?? DEFAULT_IGNORECOMMAND_TIMEOUT_MS;
  let next = 0;
  const worker = async () => {
    while (next < asks.length) {
      const a = asks[next++]!;
      const answer = await runIgnoreCommand(a.cmd, a.ip, cmdTimeout);
      if ('error' in answer) warn(`[${a.jail.name}] ${answer.error}; not ignored`);
      p.commandAnswers[commandKey(a.jail.name, a.ip)] = 'ignore' in answer && answer.ignore;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, asks.length)) }, worker));
  return p;
}

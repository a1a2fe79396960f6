// Jails, bans and decisions as tests need them, with fail2ban's defaults filled in.

import type { BanRecord, Decision, Jail, Ref } from '../../src/types.ts';
import type { State } from '../../src/state/schema.ts';
import { keyText, parseKeyOrRange, type AddrKey } from '../../src/net/key.ts';
import { banKeys, deleteBan, getBan, setBan, updateBan } from '../../src/state/bans.ts';

function keyOf(ip: string): AddrKey {
  const k = parseKeyOrRange(ip);
  if (k === null) throw new Error(`not an address or range: ${ip}`);
  return k;
}

/** The state's ban of `ip` in `jail`. */
export function banIn(state: State, jail: string, ip: string): BanRecord | undefined {
  return getBan(state, jail, keyOf(ip));
}

/** The addresses the state bans in `jail`, as text. */
export function banIps(state: State, jail: string): string[] {
  return [...banKeys(state, jail)].map(keyText);
}

/** Change fields of a ban in the state. */
export function patchBan(state: State, jail: string, ip: string, patch: Partial<BanRecord>): void {
  updateBan(state, jail, keyOf(ip), patch);
}

/** A jail with fail2ban's defaults; `over` replaces any field. */
export function jailWithDefaults(name: string, over: Partial<Jail> = {}): Jail {
  return {
    name,
    enabled: true,
    filter: { name, options: {} },
    logpath: [],
    backend: 'auto',
    logencoding: 'auto',
    maxretry: 5,
    findtime: 600,
    bantime: 600,
    increment: { enabled: false, factor: 1, overalljails: false },
    ignoreip: [],
    ignoreself: true,
    usedns: 'warn',
    actions: [],
    options: {},
    source: { file: 'test', section: name },
    ...over,
  };
}

/** A jail with these actions (and jail-wide options), for the action tests. */
export function makeJail(name: string, actions: Ref[], options: Record<string, string> = {}): Jail {
  return jailWithDefaults(name, { actions, options });
}

/** Puts a ban into the state the way policy does and returns the matching decision. */
export function addBan(state: State, jail: string, ip: string, now: number, bantime = 600): Decision {
  setBan(state, jail, keyOf(ip), { start: now, until: now + bantime, failures: 5, count: 1, origin: 'log' });
  return { kind: 'ban', jail, ip, failures: 5, start: now, until: now + bantime, count: 1, origin: 'log', lines: [] };
}

/** Removes a ban from the state the way policy does when it expires, and returns the decision. */
export function liftBan(state: State, jail: string, ip: string): Decision {
  deleteBan(state, jail, keyOf(ip));
  return { kind: 'unban', jail, ip, reason: 'expired' };
}

// fail2ban action files (action.d/<name>.conf + .local): reading them, and turning a command
// such as `actionban` into the text the shell will run. As fail2ban does (checked against its
// own CommandAction by test/actions/action-render.test.ts):
// - the file's [INCLUDES] before/after are read around it (IniStore), %(x)s is interpolated
//   in [Definition] with the jail's keys and the action's options as variables;
// - a tag <x> is, in this order: the action's option from the jail (`iptables-multiport[port=ssh]`),
//   [Init] (with [Init?family=inet6] over it for an IPv6 address), a [Definition] key,
//   `<section/key>` of another section, a value of the ban (<ip>, <failures>, ...), the jail's
//   key, then <family> (inet4/inet6), <br>, <sp> and the host names; <known/x> is [Init]'s x
//   before the action's option replaced it. So [Init]'s `family = ipv4` of firewallcmd-* wins
//   over the address family, as in fail2ban. Tags are resolved recursively and from the inside
//   out, so `<ipt_<type>/_chain_rule>` works. A tag that names nothing stays as written.
// Log values (<matches>, <F-USER>, ...) are left for action-file-shell.ts.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IniStore } from '../config/store.ts';
import type { Family } from '../net/address.ts';
import { isLogTag } from './action-file-shell.ts';

const TAG = /<([^\s<>]+)>/g;
/**
 * The jail keys fail2ban hands an action file (its JailReader's own options and the filter's):
 * a jail's other keys (port, sender, chain, ...) reach an action only through its options, as
 * `%(action_)s` passes them. bantime is the ban's own value, never the jail's text.
 */
const JAIL_KEYS = new Set([
  'enabled', 'backend', 'maxretry', 'maxmatches', 'findtime', 'bantime.increment', 'bantime.factor',
  'bantime.formula', 'bantime.multipliers', 'bantime.maxtime', 'bantime.rndtime', 'bantime.overalljails',
  'ignorecommand', 'ignoreself', 'ignoreip', 'ignorecache', 'filter', 'logtimezone', 'logencoding',
  'logpath', 'action', 'usedns', 'prefregex', 'ignoreregex', 'failregex', 'maxlines', 'datepattern', 'journalmatch',
]);

/** The jail's keys an action file sees, as %(x)s variables and as tags. */
function jailKeysForActions(jail: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(jail)) if (JAIL_KEYS.has(k)) out[k] = jail[k]!;
  return out;
}
const MAX_DEPTH = 30;
const MAX_PASSES = 30;

/** The action file's layers; `name.local` after `name.conf`, each with its includes. */
export function readActionFile(conf: string): IniStore {
  const store = new IniStore();
  const base = conf.replace(/\.(conf|local)$/, '');
  store.addFile(`${base}.conf`, true);
  store.addFile(`${base}.local`, true);
  return store;
}

/** `<dir>/<name>.conf` (or a lone .local) in the first directory that has one. */
export function findActionFileIn(name: string, dirs: readonly string[]): string | null {
  // A name that could leave action.d is not an action file name.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(name)) return null;
  for (const dir of dirs) {
    for (const ext of ['.conf', '.local']) {
      const file = join(dir, name + ext);
      if (existsSync(file)) return file;
    }
  }
  return null;
}

export interface TagScope {
  store: IniStore;
  /**
   * The address family of the command, or null for actionstart/actionstop/actioncheck of an
   * action with no [Init?family=...] section: fail2ban runs those once, for no family.
   */
  family: Family | null;
  /** The action's options from the jail's `action = name[k=v]` (lower-case keys; name, actname filled in). */
  refOptions: Record<string, string>;
  /** The jail's keys (lower case). */
  jailOptions: Readonly<Record<string, string>>;
  /** Values of this ban or unban: ip, failures, time, bantime, restored, ... */
  ticket: Record<string, string>;
  /** The host's name for <fq-hostname> (and <sh-hostname>, its first label). */
  host: string;
}

/** Whether the file has [Init?family=...] (or [Definition?family=...]): fail2ban then starts it per family. */
export function hasFamilySections(store: IniStore): boolean {
  return store.sections().some((s) => /^(Init|Definition)\?family=/.test(s));
}

/** [Init] for the scope's family: [Init?family=inet6] (or ?family=inet4) laid over [Init]. */
function initValues(scope: TagScope): Map<string, string> {
  const out = new Map<string, string>();
  const read = (section: string) => {
    if (!scope.store.hasSection(section)) return;
    for (const k of scope.store.ownKeys(section)) {
      const v = scope.store.get(section, k);
      if (v !== undefined) out.set(k, v);
    }
  };
  read('Init');
  if (scope.family !== null) read(`Init?family=inet${scope.family}`);
  return out;
}

/** Resolves commands and tags for one family of one action of one jail. */
export class TagResolver {
  private readonly init: Map<string, string>;
  private readonly vars: Record<string, string>;
  private readonly jail: Record<string, string>;
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly scope: TagScope) {
    this.init = initValues(scope);
    // %(x)s variables, as fail2ban's: the jail's keys it hands on, with the action's options over them.
    this.jail = jailKeysForActions(scope.jailOptions);
    this.vars = { ...this.jail, ...scope.refOptions };
  }

  /** A [Definition] key (actionban, norestored, ...), %(x)s-interpolated, tags not yet expanded. */
  definition(key: string): string | undefined {
    const k = key.toLowerCase();
    // An action option of the same name replaces the definition (fail2ban allows `name[actionban=...]`).
    if (Object.hasOwn(this.scope.refOptions, k)) return this.scope.refOptions[k];
    if (!this.scope.store.entry('Definition', k)) return undefined;
    return this.scope.store.get('Definition', k, this.vars);
  }

  /** The command text with every configuration tag expanded; log tags are left in place. */
  expand(text: string): string {
    return this.expandIn(text, [], 0);
  }

  private expandIn(text: string, stack: string[], depth: number): string {
    if (depth > MAX_DEPTH) throw new Error(`tags nested too deep (a loop?) in ${stack.join(' -> ')}`);
    let out = text;
    // Several passes: a replacement may complete an outer tag (`<ipt_<type>/_chain_rule>`).
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const next = out.replace(TAG, (whole, name: string) => {
        if (isLogTag(name) || stack.includes(name)) return whole;
        const v = this.lookup(name);
        return v === undefined ? whole : this.expandIn(v, [...stack, name], depth + 1);
      });
      if (next === out) return out;
      out = next;
    }
    return out;
  }

  /** The raw value of one tag, or undefined when it names nothing. */
  private lookup(name: string): string | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const v = this.find(name);
    this.cache.set(name, v);
    return v;
  }

  private find(name: string): string | undefined {
    const { ticket, refOptions, store, family, host } = this.scope;
    const k = name.toLowerCase();
    if (Object.hasOwn(refOptions, k)) return refOptions[k];
    if (k.startsWith('known/')) {
      const opt = k.slice('known/'.length);
      if (this.init.has(opt)) return this.init.get(opt);
      return store.entry('Definition', opt) ? store.get('Definition', opt, this.vars) : undefined;
    }
    if (this.init.has(k)) return this.init.get(k);
    if (store.entry('Definition', k)) return store.get('Definition', k, this.vars);
    const slash = k.indexOf('/');
    if (slash > 0) {
      const section = store.sections().find((s) => s.toLowerCase() === k.slice(0, slash));
      if (section && store.entry(section, k.slice(slash + 1))) return store.get(section, k.slice(slash + 1), this.vars);
    }
    if (Object.hasOwn(ticket, name)) return ticket[name];
    if (Object.hasOwn(this.jail, k)) return this.jail[k];
    switch (name) {
      case 'family':
        return family === null ? '' : `inet${family}`;
      case 'br':
        return '\n';
      case 'sp':
        return ' ';
      case 'fq-hostname':
        return host;
      case 'sh-hostname':
        return host.split('.')[0]!;
    }
    return undefined;
  }
}

/** fail2ban's boolean option values (norestored = 1 / true / yes / on). */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

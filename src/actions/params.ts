// Where an action's options come from: the action Ref's own options
// (`iptables-multiport[port="ssh", chain="DOCKER-USER"]`) over the jail's keys (port,
// protocol, chain, blocktype, ...). A value that is empty or still an unresolved
// fail2ban tag such as `<known/chain>` means "the backend's default", so it is dropped.

import type { Jail, Ref } from '../types.ts';
import type { ActionParams } from './backend.ts';

/** Jail keys an action may take as options when its Ref does not set them. */
const JAIL_KEYS = ['port', 'protocol', 'chain', 'blocktype', 'returntype', 'target', 'file'];

function usable(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  let s = v.trim();
  // Options written with quotes (`port="ssh"`) may reach us with them.
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0]) s = s.slice(1, -1).trim();
  if (s === '' || /^<[^<>]*>$/.test(s)) return undefined;
  return s;
}

export function resolveActionParams(ref: Ref, jail: Jail): ActionParams {
  const options: Record<string, string> = {};
  for (const k of JAIL_KEYS) {
    const v = usable(jail.options[k]);
    if (v !== undefined) options[k] = v;
  }
  for (const [k, raw] of Object.entries(ref.options)) {
    const v = usable(raw);
    if (v !== undefined) options[k] = v;
  }
  // fail2ban passes the jail's name as <name> unless the action sets its own.
  if (!options.name) options.name = jail.name;
  return { jail: jail.name, action: ref.name, options };
}

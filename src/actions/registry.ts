// Backends by action name. Each entry loads its module only when a jail needs it, so a
// run that bans nothing loads no firewall code. Adding a backend is one line here.

import type { BackendFactory } from './backend.ts';
import { MAIL_ACTIONS } from './mail-names.ts';

type Loader = () => Promise<BackendFactory>;

const backends: Record<string, Loader> = {
  'iptables-multiport': () => import('./iptables.ts').then((m) => m.multiport),
  'iptables-allports': () => import('./iptables.ts').then((m) => m.allports),
  iptables: () => import('./iptables.ts').then((m) => m.oneport),
  dummy: () => import('./dummy.ts').then((m) => m.dummy),
  // Ban mails (action_mw, action_mwl): every stock mail action name, one module.
  ...Object.fromEntries([...MAIL_ACTIONS.keys()].map((n): [string, Loader] => [n, () => import('./mail.ts').then((m) => m.mailFactory(n))])),
  'iptables-ipset': () => import('./iptables-ipset.ts').then((m) => m.ipsetMultiport),
  'iptables-ipset-proto4': () => import('./iptables-ipset.ts').then((m) => m.ipsetMultiport),
  'iptables-ipset-proto6': () => import('./iptables-ipset.ts').then((m) => m.ipsetMultiport),
  'iptables-ipset-proto6-allports': () => import('./iptables-ipset.ts').then((m) => m.ipsetAllports),
  nftables: () => import('./nftables.ts').then((m) => m.multiport),
  'nftables-multiport': () => import('./nftables.ts').then((m) => m.multiport),
  'nftables-allports': () => import('./nftables.ts').then((m) => m.allports),
  route: () => import('./route.ts').then((m) => m.route),
  hostsdeny: () => import('./hostsdeny.ts').then((m) => m.hostsdeny),
  ufw: () => import('./ufw.ts').then((m) => m.ufw),
  shorewall: () => import('./shorewall.ts').then((m) => m.shorewall),
  'firewallcmd-ipset': () => import('./firewallcmd-ipset.ts').then((m) => m.firewallcmdIpset),
};

/** The factory for an action name, or null when f2b-scan has no backend of that name. */
export async function loadBackend(action: string): Promise<BackendFactory | null> {
  const load = Object.hasOwn(backends, action) ? backends[action] : undefined;
  return load ? load() : null;
}

export function knownActions(): string[] {
  return Object.keys(backends).sort();
}

// What the iptables backends write, as pure functions of the resolved options: the jump
// from INPUT (or the jail's chain) into f2b-<name>, one blocktype rule per address, the
// iptables-restore batches, and the reading of `iptables -S f2b-<name>`.
// Every option is checked against a strict pattern first: iptables-restore reads its input
// line by line and word by word, so a value with a newline or space could add rules.

import { ActionParamError, type ActionParams } from './backend.ts';
import { parseAddress, type Family } from '../net/address.ts';

export type PortMode = 'multiport' | 'allports' | 'oneport';

export interface IptablesConfig {
  mode: PortMode;
  /** The chain that jumps to ours: INPUT unless the jail says (DOCKER-USER, FORWARD...). */
  chain: string;
  /** Our chain: f2b-<name>. */
  target: string;
  /** iptables port syntax: `ssh`, `22,80`, `1000:2000`. */
  port: string;
  protocols: string[];
  /** The IPv4 blocktype, word by word; IPv6 derives from it. */
  blocktype: string[];
  returntype: string;
}

// iptables limits chain names to 28 characters.
const CHAIN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,27}$/;
const PORT_ITEM = /^[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$/;
const PROTOCOL = /^[A-Za-z0-9]+$/;
const WORD = /^[A-Za-z0-9_.:/-]+$/;

export const DEFAULT_BLOCKTYPE = 'REJECT --reject-with icmp-port-unreachable';

export function iptablesConfig(params: ActionParams, mode: PortMode): IptablesConfig {
  const o = params.options;
  const bad = (key: string, why: string): never => {
    throw new ActionParamError(params.action, params.jail, key, why);
  };
  const chain = o.chain ?? 'INPUT';
  if (!CHAIN.test(chain)) bad('chain', `${JSON.stringify(chain)} is not an iptables chain name`);
  const name = o.name ?? params.jail;
  const target = `f2b-${name}`;
  if (!CHAIN.test(target)) bad('name', `chain ${JSON.stringify(target)} is not a valid iptables chain name (at most 28 characters, letters, digits, _ . -)`);

  const port = (o.port ?? 'ssh')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    // fail2ban configs sometimes write numeric ranges with a dash; iptables wants a colon.
    .map((p) => p.replace(/^(\d+)-(\d+)$/, '$1:$2'));
  if (mode !== 'allports') {
    if (port.length === 0) bad('port', 'is empty');
    for (const p of port) if (!PORT_ITEM.test(p)) bad('port', `${JSON.stringify(p)} is not a port, service name or range a:b`);
    if (mode === 'oneport' && port.length > 1) bad('port', `action ${params.action} takes one port or range, not "${port.join(',')}"`);
  }

  const protocols = (o.protocol ?? 'tcp').split(/[\s,]+/).filter((p) => p !== '');
  if (protocols.length === 0) bad('protocol', 'is empty');
  for (const p of protocols) if (!PROTOCOL.test(p)) bad('protocol', `${JSON.stringify(p)} is not a protocol name`);

  const rawBlocktype = o.blocktype ?? DEFAULT_BLOCKTYPE;
  // One rule per line in a batch: a multi-line blocktype is a mistake, or an attempt at a second rule.
  if (/[\r\n]/.test(rawBlocktype)) bad('blocktype', `${JSON.stringify(rawBlocktype)} spans several lines`);
  const blocktype = rawBlocktype.split(/\s+/).filter((w) => w !== '');
  if (blocktype.length === 0) bad('blocktype', 'is empty');
  for (const w of blocktype) if (!WORD.test(w)) bad('blocktype', `${JSON.stringify(w)} is not allowed here (plain iptables target words only)`);

  const returntype = o.returntype ?? 'RETURN';
  if (!CHAIN.test(returntype)) bad('returntype', `${JSON.stringify(returntype)} is not an iptables target`);

  return { mode, chain, target, port: port.join(','), protocols, blocktype, returntype };
}

export function iptablesBinary(family: Family): string {
  return family === 6 ? 'ip6tables' : 'iptables';
}

export function restoreBinary(family: Family): string {
  return family === 6 ? 'ip6tables-restore' : 'iptables-restore';
}

// ICMP rejections exist under other names in ICMPv6; the same config serves both families.
const TO_V6: Record<string, string> = {
  'icmp-port-unreachable': 'icmp6-port-unreachable',
  'icmp-proto-unreachable': 'icmp6-port-unreachable',
  'icmp-host-unreachable': 'icmp6-addr-unreachable',
  'icmp-net-unreachable': 'icmp6-no-route',
  'icmp-net-prohibited': 'icmp6-adm-prohibited',
  'icmp-host-prohibited': 'icmp6-adm-prohibited',
  'icmp-admin-prohibited': 'icmp6-adm-prohibited',
};
const TO_V4: Record<string, string> = {
  'icmp6-port-unreachable': 'icmp-port-unreachable',
  'icmp6-addr-unreachable': 'icmp-host-unreachable',
  'icmp6-no-route': 'icmp-net-unreachable',
  'icmp6-adm-prohibited': 'icmp-admin-prohibited',
};

export function blocktypeFor(cfg: IptablesConfig, family: Family): string[] {
  const map = family === 6 ? TO_V6 : TO_V4;
  return cfg.blocktype.map((w) => map[w] ?? w);
}

/** The rule(s) in cfg.chain that send the jail's traffic to f2b-<name>: one per protocol. */
export function jumpRules(cfg: IptablesConfig): string[][] {
  return cfg.protocols.map((proto) => {
    const match =
      cfg.mode === 'multiport'
        ? ['-m', 'multiport', '--dports', cfg.port]
        : cfg.mode === 'oneport'
          ? ['--dport', cfg.port]
          : [];
    return ['-p', proto, ...match, '-j', cfg.target];
  });
}

/** `-s` of a ban: a host as /32 (/128), a CIDR range (`198.51.100.0/24`) as it is. */
function hostSpec(ip: string, family: Family): string {
  return ip.includes('/') ? ip : `${ip}/${family === 6 ? 128 : 32}`;
}

/** The match and target of one address's rule inside f2b-<name>. */
export function banRule(cfg: IptablesConfig, family: Family, ip: string): string[] {
  return ['-s', hostSpec(ip, family), '-j', ...blocktypeFor(cfg, family)];
}

/** iptables-restore --noflush input that bans every address (new rules go first, before RETURN). */
export function banBatch(cfg: IptablesConfig, family: Family, ips: readonly string[]): string {
  const lines = ['*filter'];
  for (const ip of ips) lines.push(['-I', cfg.target, '1', ...banRule(cfg, family, ip)].join(' '));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** iptables-restore --noflush input that deletes rules given as `iptables -S` wrote them (after `-A <chain>`). */
export function deleteBatch(target: string, specs: readonly string[]): string {
  const lines = ['*filter'];
  for (const spec of specs) lines.push(`-D ${target} ${spec}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * Reads `iptables -S f2b-<name>`: address -> the rule specs that block it (all of them, so
 * an unban also removes duplicates and rules written with an older blocktype). Prefixes
 * shorter than a host are kept under `addr/len`.
 */
export function parseChainRules(text: string, target: string): Map<string, string[]> {
  const held = new Map<string, string[]>();
  const prefix = `-A ${target} `;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const spec = line.slice(prefix.length).trim();
    const m = /^-s (\S+?)(?:\/(\d+))? /.exec(spec + ' ');
    if (!m) continue;
    const a = parseAddress(m[1]!);
    if (!a) continue;
    const full = a.family === 6 ? 128 : 32;
    const len = m[2] === undefined ? full : Number(m[2]);
    const key = len === full ? a.ip : `${a.ip}/${len}`;
    const specs = held.get(key) ?? [];
    specs.push(spec);
    held.set(key, specs);
  }
  return held;
}

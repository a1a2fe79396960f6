// What the nftables backends write, as pure functions of the resolved options (fail2ban's
// names: table, table_family, chain, chain_type, chain_hook, chain_priority, port,
// protocol, blocktype). Values go into `nft -f` input, which nft parses as a script: each is
// checked against a strict pattern first, so no option can close a brace or add a command.

import { ActionParamError, type ActionParams } from './backend.ts';
import type { Family } from '../net/address.ts';

export interface NftConfig {
  type: 'multiport' | 'allports';
  tableFamily: string;
  table: string;
  chain: string;
  chainType: string;
  chainHook: string;
  chainPriority: string;
  /** nft port syntax, comma separated: `22`, `ssh`, `1000-2000`. */
  ports: string[];
  protocols: string[];
  /** The verdict statement, e.g. `reject`, `drop`, `reject with icmpx type admin-prohibited`. */
  blocktype: string;
  /** Set of host addresses per family. */
  sets: Record<Family, string>;
  /**
   * Set of CIDR ranges per family (`flags interval`). Apart from the host set: in one interval
   * set a host inside a range held already is a "conflicting interval" nft refuses.
   */
  netSets: Record<Family, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const TABLE_FAMILY = /^(inet|ip|ip6|bridge|netdev|arp)$/;
const PRIORITY = /^(-?\d+|[a-z]+(\s*[+-]\s*\d+)?)$/;
const PORT_ITEM = /^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*$/;
const PROTOCOL = /^[a-z0-9]+$/;
const BLOCK_WORD = /^[A-Za-z0-9_-]+$/;

export function nftConfig(params: ActionParams, type: NftConfig['type']): NftConfig {
  const o = params.options;
  const bad = (key: string, why: string): never => {
    throw new ActionParamError(params.action, params.jail, key, why);
  };
  const name = (key: string, dflt: string): string => {
    const v = o[key] ?? dflt;
    if (!NAME.test(v)) bad(key, `${JSON.stringify(v)} is not an nftables name (letters, digits, _ . -)`);
    return v;
  };
  const tableFamily = o.table_family ?? 'inet';
  if (!TABLE_FAMILY.test(tableFamily)) bad('table_family', `${JSON.stringify(tableFamily)} is not an nftables family`);
  const chainPriority = (o.chain_priority ?? '-1').trim();
  if (!PRIORITY.test(chainPriority)) bad('chain_priority', `${JSON.stringify(chainPriority)} is not a priority`);

  // fail2ban writes iptables ranges (1000:2000); nft wants 1000-2000.
  const ports = (o.port ?? 'ssh')
    .split(',')
    .map((p) => p.trim().replace(/:/g, '-'))
    .filter((p) => p !== '');
  if (type === 'multiport') {
    if (ports.length === 0) bad('port', 'is empty');
    for (const p of ports) if (!PORT_ITEM.test(p)) bad('port', `${JSON.stringify(p)} is not a port, service name or range a-b`);
  }
  const protocols = (o.protocol ?? 'tcp').split(/[\s,]+/).filter((p) => p !== '');
  if (protocols.length === 0) bad('protocol', 'is empty');
  for (const p of protocols) if (!PROTOCOL.test(p)) bad('protocol', `${JSON.stringify(p)} is not a protocol name`);

  const words = (o.blocktype ?? 'reject').trim().split(/\s+/);
  for (const w of words) if (!BLOCK_WORD.test(w)) bad('blocktype', `${JSON.stringify(o.blocktype)} is not an nftables verdict (plain words only)`);
  // An iptables blocktype left in a jail.local (REJECT --reject-with ...) means reject here.
  const blocktype = /^(REJECT|DROP)$/.test(words[0]!) ? words[0]!.toLowerCase() : words.join(' ');

  const jailName = o.name ?? params.jail;
  const sets: Record<Family, string> = { 4: `addr-set-${jailName}`, 6: `addr6-set-${jailName}` };
  const netSets: Record<Family, string> = { 4: `net-set-${jailName}`, 6: `net6-set-${jailName}` };
  for (const s of [...Object.values(sets), ...Object.values(netSets)]) if (!NAME.test(s)) bad('name', `set ${JSON.stringify(s)} is not an nftables name`);

  return {
    type,
    tableFamily,
    table: name('table', 'f2b-table'),
    chain: name('chain', 'f2b-chain'),
    chainType: name('chain_type', 'filter'),
    chainHook: name('chain_hook', 'input'),
    chainPriority,
    ports,
    protocols,
    blocktype,
    sets,
    netSets,
  };
}

/**
 * The rule bodies (after `add rule <family> <table> <chain>`) for one family: per set (hosts,
 * then ranges) one per protocol, or one for allports.
 */
export function ruleBodies(cfg: NftConfig, family: Family): string[] {
  return [cfg.sets[family], cfg.netSets[family]].flatMap((set) => {
    const match = `${family === 6 ? 'ip6' : 'ip'} saddr @${set} ${cfg.blocktype}`;
    if (cfg.type === 'allports') return [`meta l4proto { ${cfg.protocols.join(', ')} } ${match}`];
    return cfg.protocols.map((proto) => `${proto} dport { ${cfg.ports.join(', ')} } ${match}`);
  });
}

// The one rule for what may be banned. Every entry point (a log match, `ban`, `import`, a fleet
// entry, the state file, an address a host name resolved to) asks it before an address goes
// further. Without it, `0.0.0.0` made ipset reject the whole batch of a jail ("Null-valued
// element") so that no later ban of that jail was ever applied, and `127.0.0.1` locked the
// machine out of itself.
//
// Refused: addresses that are never the source of a connection from another host —
//   unspecified (0.0.0.0, ::) and the rest of 0.0.0.0/8 ("this network", RFC 1122: never a source),
//   loopback (127.0.0.0/8, ::1): the machine itself,
//   multicast (224.0.0.0/4, ff00::/8) and the limited broadcast 255.255.255.255: groups, not hosts.
// Allowed, on purpose:
//   link-local (169.254.0.0/16, fe80::/10): a neighbour on the same link can attack too, and every
//     firewall tool bans it; private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10)
//     likewise: attackers inside a LAN are the jail's business;
//   the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32): tests
//     and examples use them;
//   240.0.0.0/4 (reserved): some networks route it internally, and a ban there harms nobody.
// A CIDR range (a separate type, `Cidr`, where a command accepts ranges) is refused when it
// overlaps a refused range: `0.0.0.0/0` or `96.0.0.0/3` would ban loopback with the rest.

import { parseAddress, type Address } from './address.ts';
import { parseCidr, type Cidr } from './cidr.ts';

/** Why an address is not a host that may be banned: `<ip> is not a host address (<reason>)`. */
export const NOT_HOST_REASONS = ['unspecified', '"this network" (0.0.0.0/8)', 'loopback', 'multicast', 'broadcast'] as const;
export type NotHostReason = (typeof NOT_HOST_REASONS)[number];

/** IPv4 as its 32-bit value (AddrKey form, src/net/key.ts): no allocation, for the scan's hot path. */
export function whyNotBannableV4(n: number): NotHostReason | null {
  const first = n >>> 24;
  if (first === 0) return n === 0 ? 'unspecified' : '"this network" (0.0.0.0/8)';
  if (first === 127) return 'loopback';
  if (first >= 224 && first <= 239) return 'multicast';
  if (n >>> 0 === 0xffffffff) return 'broadcast';
  return null;
}

/** IPv6 as its 16 bytes (not IPv4-mapped: parseAddress turns those into IPv4). */
export function whyNotBannableV6(b: Uint8Array): NotHostReason | null {
  if (b[0] === 0xff) return 'multicast';
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return null;
  if (b[15] === 0) return 'unspecified';
  if (b[15] === 1) return 'loopback';
  return null;
}

/** Why this parsed address may not be banned, or null when it is a host address. */
export function whyNotBannable(a: Pick<Address, 'family' | 'bytes'>): NotHostReason | null {
  const b = a.bytes;
  return a.family === 4 ? whyNotBannableV4(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) : whyNotBannableV6(b);
}

/**
 * The same for an address key of the state or the scan (src/net/key.ts): an IPv4 number, or
 * canonical text (IPv6, or `a.b.c.d/n` for a range). Text that is no address says so.
 */
export function whyNotBannableKey(key: number | string): string | null {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key <= 0xffffffff ? whyNotBannableV4(key) : 'not an IP address';
  // A state load asks this for every key: dotted quads (most of them) without allocating.
  const v4 = dottedQuadValue(key);
  if (v4 >= 0) return whyNotBannableV4(v4);
  // Lower-case IPv6 text (how the state writes it) whose first group is neither 0 nor ffxx is
  // a host address: checked without a full parse (parsing 100,000 IPv6 keys costs 0.25 s).
  if (isPlainV6Unicast(key)) return null;
  if (key.includes('/')) {
    const c = parseCidr(key);
    return c ? whyNotBannableRange(c) : 'not an IP address or range';
  }
  const a = parseAddress(key);
  return a ? whyNotBannable(a) : 'not an IP address';
}

/**
 * Well-formed lower-case IPv6 text without an embedded dotted quad, whose first group is not
 * zero (so neither :: nor ::1) and not ffxx (multicast). Anything else takes the full parse.
 */
function isPlainV6Unicast(s: string): boolean {
  let groups = 0;
  let digits = 0;
  let compressed = false;
  let first = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hex = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (hex >= 0) {
      if (++digits > 4) return false;
      if (groups === 0) first = digits === 1 ? hex : first * 16 + hex;
    } else if (c === 58 /* : */) {
      if (digits > 0) groups++;
      else if (i === 0 || s.charCodeAt(i - 1) !== 58 || compressed) return false; // ':' must end a group, or make the one '::'
      else compressed = true;
      digits = 0;
    } else return false;
  }
  if (digits > 0) groups++;
  else if (s.charCodeAt(s.length - 2) !== 58) return false; // ends in one ':'
  if (compressed ? groups > 7 : groups !== 8) return false;
  return first > 0 && first < 0xff00;
}

/** The value of a plain dotted quad (`192.0.2.7`), or -1 for any other text. */
function dottedQuadValue(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

/** True when the address may be banned. */
export function isBannable(a: Address): boolean {
  return whyNotBannable(a) === null;
}

// The refused ranges, for the overlap test of CIDR bans.
const REFUSED_RANGES: [Cidr, string][] = (
  [
    ['0.0.0.0/8', '"this network"'],
    ['127.0.0.0/8', 'loopback'],
    ['224.0.0.0/4', 'multicast'],
    ['255.255.255.255/32', 'broadcast'],
    ['::/128', 'unspecified'],
    ['::1/128', 'loopback'],
    ['ff00::/8', 'multicast'],
  ] as const
).map(([text, why]) => [parseCidr(text)!, why]);

/** Two ranges of one family overlap when one contains the other (CIDR blocks never partly overlap). */
function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = Math.min(a.prefix, b.prefix);
  for (let i = 0; i < a.bytes.length && i * 8 < bits; i++) {
    const keep = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((a.bytes[i]! & mask) !== (b.bytes[i]! & mask)) return false;
  }
  return true;
}

/** Why a CIDR range may not be banned: it lies in, or contains, a range of non-host addresses. */
export function whyNotBannableRange(c: Cidr): string | null {
  for (const [r, why] of REFUSED_RANGES) {
    if (!overlaps(c, r)) continue;
    // Inside a refused range: the reason of its first address (0.0.0.0/32 is "unspecified").
    return c.prefix < r.prefix ? `contains ${r.text} (${why})` : (whyNotBannable(c) ?? why);
  }
  return null;
}

/** The one line that refuses an address, the same words at every entry point. */
export function notHostMessage(ip: string, reason: string): string {
  return `${ip} is not a host address that can be banned (${reason})`;
}

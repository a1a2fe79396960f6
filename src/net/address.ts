// Addresses are parsed and normalised before any comparison, ban or command, so that
// `::ffff:192.0.2.1`, `192.000.002.001` and `192.0.2.1` are one attacker, and text that
// is not an address never reaches an action.

export type Family = 4 | 6;

export interface Address {
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  ip: string;
  family: Family;
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
}

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    // Leading zeros are read as decimal (as inet_pton in glibc refuses octal; logs mean decimal).
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  let tail: Uint8Array | null = null;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail = parseV4(s.slice(lastColon + 1));
    if (!tail) return null;
    text = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) return null;
  let groups: string[];
  if (dbl >= 0) {
    const left = text.slice(0, dbl) ? text.slice(0, dbl).split(':') : [];
    const right = text.slice(dbl + 2) ? text.slice(dbl + 2).split(':') : [];
    const fill = 8 - left.length - right.length;
    if (fill < 1) return null;
    groups = [...left, ...Array(fill).fill('0'), ...right];
  } else {
    groups = text.split(':');
  }
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

export function formatV6(b: Uint8Array): string {
  const g = new Uint16Array(8);
  for (let i = 0; i < 8; i++) g[i] = (b[i * 2]! << 8) | b[i * 2 + 1]!;
  return formatV6Groups(g);
}

/** RFC 5952 text of eight 16-bit groups: lower case, no leading zeros, the longest run (>= 2) of zero groups as `::`, the first one on a tie. */
export function formatV6Groups(groups: ArrayLike<number>): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

/** Parse and normalise an address; null when the text is not one. */
export function parseAddress(text: string): Address | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct > 0) s = s.slice(0, pct); // zone index (fe80::1%eth0) names an interface, not a host
  if (!s) return null;
  if (!s.includes(':')) {
    const b = parseV4(s);
    return b ? { ip: [...b].join('.'), family: 4, bytes: b } : null;
  }
  const b = parseV6(s);
  if (!b) return null;
  if (isV4Mapped(b)) {
    const v4 = b.slice(12);
    return { ip: [...v4].join('.'), family: 4, bytes: v4 };
  }
  return { ip: formatV6(b), family: 6, bytes: b };
}

/** The canonical form of an address, or null. */
export function normalizeAddress(text: string): string | null {
  return parseAddress(text)?.ip ?? null;
}

export function addressFamily(ip: string): Family | null {
  return parseAddress(ip)?.family ?? null;
}

export function isLoopback(a: Address): boolean {
  if (a.family === 4) return a.bytes[0] === 127;
  return a.bytes.every((v, i) => (i === 15 ? v === 1 : v === 0));
}

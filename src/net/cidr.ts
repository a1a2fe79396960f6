// CIDR ranges and sets of them: what ignoreip and ban lists compare addresses against.

import { parseAddress, type Address, type Family } from './address.ts';

export interface Cidr {
  family: Family;
  bytes: Uint8Array;
  prefix: number;
  /** Canonical text, e.g. 192.0.2.0/24 */
  text: string;
}

/** Parse `addr/prefix` or a bare address (a /32 or /128). Null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const a = parseAddress(slash < 0 ? t : t.slice(0, slash));
  if (!a) return null;
  const max = a.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    // An IPv4-mapped range written in IPv6 form (::ffff:10.0.0.0/104) becomes the IPv4 range.
    if (a.family === 4 && t.slice(0, slash).includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > max) return null;
  }
  const bytes = maskBytes(a.bytes, prefix);
  const base = parseAddress(a.family === 4 ? [...bytes].join('.') : toV6(bytes))!;
  return { family: a.family, bytes, prefix, text: prefix === max ? base.ip : `${base.ip}/${prefix}` };
}

function toV6(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return g.join(':');
}

function maskBytes(b: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = bits === 0 ? 0 : b[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

export function cidrContains(c: Cidr, a: Address): boolean {
  if (c.family !== a.family) return false;
  const full = c.prefix >> 3;
  for (let i = 0; i < full; i++) if (c.bytes[i] !== a.bytes[i]) return false;
  const rest = c.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a.bytes[full]! & mask) === c.bytes[full];
}

/** A set of ranges; `has` answers for any address form (it normalises first). */
export class CidrSet {
  private readonly ranges: Cidr[] = [];
  private readonly exact = new Set<string>();

  add(c: Cidr): void {
    const max = c.family === 4 ? 32 : 128;
    if (c.prefix === max) this.exact.add(c.text);
    else this.ranges.push(c);
  }

  get size(): number {
    return this.exact.size + this.ranges.length;
  }

  /** Whether a range shares any address with the set: it holds one of the set's, or is inside one of its ranges. */
  overlaps(range: Cidr): boolean {
    for (const text of this.exact) {
      const a = parseAddress(text);
      if (a && cidrContains(range, a)) return true;
    }
    return this.ranges.some((c) => c.family === range.family && (c.prefix <= range.prefix ? cidrContains(c, { family: range.family, bytes: range.bytes, ip: range.text }) : cidrContains(range, { family: c.family, bytes: c.bytes, ip: c.text })));
  }

  has(ip: string | Address): boolean {
    const a = typeof ip === 'string' ? parseAddress(ip) : ip;
    if (!a) return false;
    if (this.exact.has(a.ip)) return true;
    return this.ranges.some((c) => cidrContains(c, a));
  }
}

/**
 * What a ban names, as text: a host address or a CIDR range. Its canonical text (a /32 or
 * /128 range is its host) and family, or null when the text is neither.
 */
export function parseTarget(text: string): { text: string; family: Family; range: boolean } | null {
  const c = parseCidr(text);
  if (!c) return null;
  return { text: c.text, family: c.family, range: c.prefix < (c.family === 4 ? 32 : 128) };
}

/** The family of an address or range text; null for neither. */
export function targetFamily(text: string): Family | null {
  return parseTarget(text)?.family ?? null;
}

/** The canonical text of an address or range; null for neither. */
export function normalizeTarget(text: string): string | null {
  return parseTarget(text)?.text ?? null;
}

/** A range (`a.b.c.d/n` shorter than a host), not one address. */
export function isRangeText(text: string): boolean {
  return text.includes('/') && (parseTarget(text)?.range ?? false);
}

// Address keys: how the scan, the policy and the state name an address. An address is parsed
// once, where a rule matches, into a key, and nothing downstream parses it again:
//   IPv4      -> its 32-bit value as a non-negative number (no string, no allocation);
//   IPv6      -> its canonical RFC 5952 text (IPv4-mapped addresses become the IPv4 number);
//   a range   -> canonical text `a.b.c.d/n` or `2001:db8::/32` (a /32 or /128 is the host's key).
// Keys are compared with ===, so they serve directly as Map keys and as JSON values.

import { parseAddress, type Address, type Family } from './address.ts';
import { parseCidr } from './cidr.ts';

export type AddrKey = number | string;

/**
 * A dotted quad in s[start, end) as its 32-bit value, or -1. Leading zeros are decimal
 * (`192.000.002.001` is 192.0.2.1), as parseAddress reads them. A charCode loop: the hot path
 * of a scan that meets a fresh address on every other line.
 */
export function parseV4Key(s: string, start = 0, end = s.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return -1;
      part = part * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return value * 256 + part;
}

/** A dotted quad written the canonical way (no leading zeros): its text is its keyText. */
export function isCanonicalV4(s: string): boolean {
  for (let i = 0; i < s.length - 1; i++) {
    if (s.charCodeAt(i) === 48 && (i === 0 || s.charCodeAt(i - 1) === 46)) {
      const c = s.charCodeAt(i + 1);
      if (c >= 48 && c <= 57) return false;
    }
  }
  return true;
}

/** The key of a parsed address. */
export function keyOfAddress(a: Address): AddrKey {
  if (a.family === 6) return a.ip;
  const b = a.bytes;
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}

/** The key of an address written any way a log or a user writes it; null when it is not one. */
export function parseKey(text: string): AddrKey | null {
  const v4 = parseV4Key(text);
  if (v4 >= 0) return v4;
  const a = parseAddress(text);
  return a ? keyOfAddress(a) : null;
}

/** The key of an address or CIDR range (`a.b.c.d/n`): a /32 or /128 range is the host's key. */
export function parseKeyOrRange(text: string): AddrKey | null {
  if (!text.includes('/')) return parseKey(text);
  const c = parseCidr(text);
  if (!c) return null;
  return c.prefix === (c.family === 4 ? 32 : 128) ? parseKey(c.text) : c.text;
}

/** Dotted quad of an IPv4 key. */
export function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The canonical text of a key (what actions, reports and messages show). */
export function keyText(k: AddrKey): string {
  return typeof k === 'number' ? v4Text(k) : k;
}

/** The address family of a key (a range's too). */
export function keyFamily(k: AddrKey): Family {
  return typeof k === 'number' || !k.includes(':') ? 4 : 6;
}

/** A key that names a CIDR range rather than one host. */
export function isRangeKey(k: AddrKey): boolean {
  return typeof k === 'string' && k.includes('/');
}

/** Whether a value read from a file is a well-formed key (a uint32, or non-empty text). */
export function isKeyValue(v: unknown): v is AddrKey {
  return typeof v === 'number' ? Number.isInteger(v) && v >= 0 && v <= 0xffffffff : typeof v === 'string' && v.length > 0 && v.length <= 64;
}

/** Order of keys for listings: IPv4 by value, then text keys by text. */
export function compareKeys(a: AddrKey, b: AddrKey): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

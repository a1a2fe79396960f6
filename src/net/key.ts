// Address keys: how the scan, the policy and the state name an address. An address is parsed
// once, where a rule matches, into a key, and nothing downstream parses it again:
//   IPv4      -> its 32-bit value as a non-negative number (no string, no allocation);
//   IPv6      -> its canonical RFC 5952 text (IPv4-mapped addresses become the IPv4 number);
//   a range   -> canonical text `a.b.c.d/n` or `2001:db8::/32` (a /32 or /128 is the host's key).
// Keys are compared with ===, so they serve directly as Map keys and as JSON values.

import { formatV6Groups, parseAddress, type Address, type Family } from './address.ts';
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

/** The eight groups of the last parseV6Groups (reused: no allocation per address). */
const groups = new Uint16Array(8);

/**
 * The groups of an IPv6 address written in s[start, end) (`::`, an IPv4 tail allowed; no zone, no
 * brackets) into `groups`; false when it is not one. A charCode loop, as parseV4Key.
 */
function parseV6Groups(s: string, start: number, end: number): boolean {
  let n = 0; // groups written
  let gap = -1; // where `::` stands (index of the group after it)
  let i = start;
  if (end - start < 2 || end - start > 45) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      groups.fill(0);
      return true;
    }
  }
  while (i < end) {
    // One group: 1-4 hex digits, or a dotted quad as the last two groups.
    let v = 0;
    let digits = 0;
    const from = i;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
      digits++;
    }
    if (i < end && s.charCodeAt(i) === 46) {
      const v4 = parseV4Key(s, from, end);
      if (v4 < 0 || n > 6) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4 || n === 8) return false;
    groups[n++] = v;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false; // a trailing single colon
    }
  }
  if (gap < 0) return n === 8;
  if (n > 7) return false;
  // Move the groups after `::` to the end, zeros in between.
  const after = n - gap;
  for (let k = 0; k < after; k++) groups[7 - k] = groups[n - 1 - k]!;
  for (let k = gap; k < 8 - after; k++) groups[k] = 0;
  return true;
}

/**
 * Whether `s` is an IPv6 address in its RFC 5952 text (as keys are), in one pass over its
 * characters and without a second string: every IPv6 key of the state is checked so on each
 * load. Canonical means: lower-case hex groups without leading zeros, no dotted tail, `::` for
 * the longest run of two or more zero groups (the first of equal runs) and only there, and not
 * an IPv4-mapped address (whose key is the IPv4 number).
 */
export function isCanonicalV6(s: string): boolean {
  const len = s.length;
  if (len < 2 || len > 39) return false;
  let groups = 0; // groups written
  let gapAt = -1; // groups written before the `::`
  let run = 0; // zero groups written just before here
  let longestBefore = 0; // longest run of written zero groups before the `::`
  let longestAfter = 0; // ... after it
  let firstAfterGap = -1; // value of the first group after the `::` (-1: none yet)
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gapAt = 0;
    i = 2;
  }
  while (i < len) {
    let v = 0;
    let digits = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) break;
      if (digits === 1 && v === 0) return false; // a leading zero
      v = v * 16 + d;
      digits++;
    }
    if (digits === 0 || digits > 4 || groups === 8) return false;
    groups++;
    if (gapAt >= 0 && firstAfterGap < 0) firstAfterGap = v;
    if (v === 0) {
      // A zero group right after the `::` means the `::` does not hold the whole run.
      if (gapAt >= 0 && gapAt === groups - 1) return false;
      run++;
      if (gapAt < 0) longestBefore = Math.max(longestBefore, run);
      else longestAfter = Math.max(longestAfter, run);
    } else run = 0;
    if (i === len) break;
    if (s.charCodeAt(i) !== 58) return false; // '.', upper case, '%', anything else
    i++;
    if (i === len) {
      // `::` at the end is fine; a single trailing colon is not.
      return false;
    }
    if (s.charCodeAt(i) === 58) {
      // A second `::`, or a zero group right before it (the run is not all in the `::`).
      if (gapAt >= 0 || run > 0) return false;
      gapAt = groups;
      run = 0;
      i++;
    }
  }
  if (gapAt < 0) return groups === 8 && longestBefore < 2;
  const compressed = 8 - groups;
  if (compressed < 2) return false;
  // The `::` must be the longest run: longer than any before it, at least as long as any after.
  if (longestBefore >= compressed || longestAfter > compressed) return false;
  // ::ffff:a:b is an IPv4-mapped address.
  return !(gapAt === 0 && groups === 3 && firstAfterGap === 0xffff);
}

/**
 * The key of an IPv6 address (canonical text; an IPv4-mapped one is the IPv4 number), or null.
 * Without the generic parser's regexes, splits and byte arrays: a botnet wave brings a fresh
 * IPv6 address on most lines.
 */
export function parseV6Key(text: string): AddrKey | null {
  // Already its key (sshd and most daemons print addresses so): a copy of the text, not a view
  // into the log chunk it was matched in, which the state would otherwise keep alive.
  if (isCanonicalV6(text)) return (' ' + text).slice(1);
  let start = 0;
  let end = text.length;
  if (text.charCodeAt(0) === 91 && text.charCodeAt(end - 1) === 93) {
    start++;
    end--;
  }
  const pct = text.indexOf('%', start);
  if (pct > start && pct < end) end = pct; // a zone index names an interface, not a host
  if (!parseV6Groups(text, start, end)) return null;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return groups[6]! * 65536 + groups[7]!;
  }
  return formatV6Groups(groups);
}

/** The key of an address written any way a log or a user writes it; null when it is not one. */
export function parseKey(text: string): AddrKey | null {
  const v4 = parseV4Key(text);
  if (v4 >= 0) return v4;
  if (text.includes(':')) {
    const v6 = parseV6Key(text);
    if (v6 !== null) return v6;
  }
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

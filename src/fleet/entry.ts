// One stream entry: a ban or unban as flat Redis fields, signed with HMAC-SHA256 so a
// host acts only on what a key holder wrote. Pure: no Redis here.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseAddress } from '../net/address.ts';

export interface FleetEntry {
  op: 'ban' | 'unban';
  jail: string;
  ip: string;
  /** Epoch seconds: when the ban (or unban) was made. */
  start: number;
  /** Epoch seconds; null: for good. Unbans carry null. */
  until: number | null;
  failures: number;
  host: string;
}

/** The signed fields, in the order they are signed (sig comes last, over all of them). */
const FIELDS = ['op', 'jail', 'ip', 'start', 'until', 'failures', 'host'] as const;
/** Separates this format's signatures from any other use of the same key. */
const DOMAIN = 'f2b-scan fleet v1';
/** A start this far ahead of our clock is garbage or a replay trick, not clock skew. */
export const MAX_FUTURE = 24 * 60 * 60;

// Jail names become firewall chain and set names on the importing host: keep them to
// the characters fail2ban's own jail names use.
const JAIL = /^[A-Za-z0-9_.@:-]{1,64}$/;

function signature(values: readonly string[], key: Buffer): Buffer {
  // JSON of the value list is unambiguous whatever a value contains.
  return createHmac('sha256', key).update(JSON.stringify([DOMAIN, ...values])).digest();
}

function fieldValues(e: FleetEntry): string[] {
  return [e.op, e.jail, e.ip, String(e.start), e.until === null ? '' : String(e.until), String(e.failures), e.host];
}

/** Field/value pairs for XADD, signed with `key`. */
export function encodeEntry(e: FleetEntry, key: Buffer): string[] {
  const values = fieldValues(e);
  const flat: string[] = [];
  FIELDS.forEach((f, i) => flat.push(f, values[i]!));
  flat.push('sig', signature(values, key).toString('hex'));
  return flat;
}

export type Decoded = { ok: true; entry: FleetEntry } | { ok: false; reason: DropReason };

export type DropReason = 'bad signature' | 'missing field' | 'bad address' | 'bad value' | 'time in the future';

/** Field list as XREAD returns it -> map (first occurrence wins, as a duplicate is not ours). */
function fieldMap(flat: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) if (!m.has(flat[i]!)) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

function verify(values: string[], sigHex: string, keys: Buffer[]): boolean {
  if (!/^[0-9a-f]{64}$/i.test(sigHex)) return false;
  const given = Buffer.from(sigHex, 'hex');
  return keys.some((k) => timingSafeEqual(signature(values, k), given));
}

const num = (s: string): number | null => {
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/**
 * Check and read one entry: the signature first (nothing unsigned is even parsed), then
 * the values. The address comes back normalised.
 */
export function decodeEntry(flat: string[], keys: Buffer[], now: number): Decoded {
  const m = fieldMap(flat);
  const values: string[] = [];
  for (const f of FIELDS) {
    const v = m.get(f);
    if (v === undefined) return { ok: false, reason: m.has('sig') ? 'missing field' : 'bad signature' };
    values.push(v);
  }
  const sig = m.get('sig');
  if (sig === undefined || !verify(values, sig, keys)) return { ok: false, reason: 'bad signature' };

  const [op, jail, ipText, startText, untilText, failuresText, host] = values as [string, string, string, string, string, string, string];
  if (op !== 'ban' && op !== 'unban') return { ok: false, reason: 'bad value' };
  if (!JAIL.test(jail) || !host) return { ok: false, reason: 'bad value' };
  const addr = parseAddress(ipText);
  if (!addr) return { ok: false, reason: 'bad address' };
  const start = num(startText);
  const until = untilText === '' ? null : num(untilText);
  const failures = num(failuresText);
  if (start === null || start < 0 || (untilText !== '' && until === null)) return { ok: false, reason: 'bad value' };
  if (failures === null || failures < 0 || !Number.isInteger(failures)) return { ok: false, reason: 'bad value' };
  if (until !== null && until < start) return { ok: false, reason: 'bad value' };
  if (start > now + MAX_FUTURE) return { ok: false, reason: 'time in the future' };
  return { ok: true, entry: { op, jail, ip: addr.ip, start, until: op === 'unban' ? null : until, failures, host } };
}

/** Stream ids `ms-seq` compared numerically (string order is wrong across digit counts). */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map((x) => BigInt(x));
  const [bm = 0n, bs = 0n] = b.split('-').map((x) => BigInt(x));
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

/** When Redis added an entry: the millisecond part of its id. */
export function idTime(id: string): number {
  return Number(id.split('-')[0]) / 1000;
}

// One stream entry: a ban or unban as flat Redis fields, signed with HMAC-SHA256 so a
// host acts only on what a key holder wrote. Pure: no Redis here.
//
// Whatever an entry says is hostile until checked: a signed entry can still carry times no
// ban can mean (until = 1e300 crashed every host's run; start = 0.5 made any old entry
// replayable), so every value is bounded here, before anything downstream sees it.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseAddress } from '../net/address.ts';

export interface FleetEntry {
  op: 'ban' | 'unban';
  jail: string;
  ip: string;
  /** Epoch seconds on the publisher's clock: when the entry was signed and published. */
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
/** Beyond this a ban means nothing a firewall could hold (and Date() throws past ~275,000 years). */
export const MAX_BAN_SECONDS = 100 * 365.25 * 24 * 60 * 60;
/** More failures than any log could hold between two runs: a made-up number. */
const MAX_FAILURES = 1_000_000_000;

// Jail names become firewall chain and set names on the importing host: keep them to
// the characters fail2ban's own jail names use.
const JAIL = /^[A-Za-z0-9_.@:-]{1,64}$/;
// Host names end up in messages and in the state: no whitespace or control characters.
const HOST = /^[^\s\x00-\x1f\x7f]{1,255}$/;

function signature(values: readonly string[], key: Buffer): Buffer {
  // JSON of the value list is unambiguous whatever a value contains.
  return createHmac('sha256', key).update(JSON.stringify([DOMAIN, ...values])).digest();
}

function fieldValues(e: FleetEntry): string[] {
  return [e.op, e.jail, e.ip, String(e.start), e.until === null ? '' : String(e.until), String(e.failures), e.host];
}

/** Field/value pairs for XADD, signed with `key`. */
export function encodeEntry(e: FleetEntry, key: Buffer): string[] {
  return encodeValues(fieldValues(e), key);
}

/** The signed field list of values as written (text): what any publisher sends. */
export function encodeValues(values: readonly string[], key: Buffer): string[] {
  const flat: string[] = [];
  FIELDS.forEach((f, i) => flat.push(f, values[i]!));
  flat.push('sig', signature(values, key).toString('hex'));
  return flat;
}

export type DropReason =
  | 'bad signature'
  | 'missing field'
  | 'bad address'
  | 'bad jail'
  | 'bad value'
  | 'bad time'
  | 'time off the stream clock'
  | 'seen before';

export type Decoded = { ok: true; entry: FleetEntry; sig: string } | { ok: false; reason: DropReason };

export interface DecodeOptions {
  keys: Buffer[];
  /**
   * Seconds an entry's signed start may lie from the time in its stream id (Redis's clock when
   * it was added): a copy of an old entry added again later is refused as a replay.
   */
  skew: number;
}

/** Field list as XREAD returns it -> map (first occurrence wins, as a duplicate is not ours). */
function fieldMap(flat: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(flat)) return m;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k = flat[i];
    const v = flat[i + 1];
    if (typeof k === 'string' && typeof v === 'string' && !m.has(k)) m.set(k, v);
  }
  return m;
}

function verify(values: string[], sigHex: string, keys: Buffer[]): boolean {
  if (!/^[0-9a-f]{64}$/i.test(sigHex)) return false;
  const given = Buffer.from(sigHex, 'hex');
  return keys.some((k) => timingSafeEqual(signature(values, k), given));
}

/** A decimal number as we write them; null for anything else (NaN, Infinity, hex, empty). */
const num = (s: string): number | null => {
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/**
 * Check and read one entry: the signature first (nothing unsigned is even parsed), then
 * every value. `id` is the entry's stream id. The address comes back normalised.
 */
export function decodeEntry(id: string, flat: unknown, opts: DecodeOptions): Decoded {
  const m = fieldMap(flat);
  const values: string[] = [];
  for (const f of FIELDS) {
    const v = m.get(f);
    if (v === undefined) return { ok: false, reason: m.has('sig') ? 'missing field' : 'bad signature' };
    values.push(v);
  }
  const sig = m.get('sig');
  if (sig === undefined || !verify(values, sig, opts.keys)) return { ok: false, reason: 'bad signature' };

  const [op, jail, ipText, startText, untilText, failuresText, host] = values as [string, string, string, string, string, string, string];
  if (op !== 'ban' && op !== 'unban') return { ok: false, reason: 'bad value' };
  if (!JAIL.test(jail)) return { ok: false, reason: 'bad jail' };
  if (!HOST.test(host)) return { ok: false, reason: 'bad value' };
  const failures = num(failuresText);
  if (failures === null || failures < 0 || failures > MAX_FAILURES || !Number.isInteger(failures)) return { ok: false, reason: 'bad value' };
  const addr = parseAddress(ipText);
  if (!addr) return { ok: false, reason: 'bad address' };

  const start = num(startText);
  if (start === null || start <= 0) return { ok: false, reason: 'bad time' };
  let until: number | null = null;
  if (op === 'ban' && untilText !== '') {
    until = num(untilText);
    // A ban that ends before it starts, or lasts beyond what a ban can mean, is no ban.
    if (until === null || until <= start || until - start > MAX_BAN_SECONDS) return { ok: false, reason: 'bad time' };
  }
  const added = idTime(id);
  if (!Number.isFinite(added) || Math.abs(start - added) > opts.skew) return { ok: false, reason: 'time off the stream clock' };
  return { ok: true, entry: { op, jail, ip: addr.ip, start, until, failures, host }, sig: sig.toLowerCase() };
}

/** A stream id's two parts; null for text that is not one (a hand-edited state's cursor). */
export function parseId(id: string): [bigint, bigint] | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(id);
  return m ? [BigInt(m[1]!), BigInt(m[2]!)] : null;
}

/** Stream ids `ms-seq` compared numerically (string order is wrong across digit counts); text that is no id sorts first. */
export function compareIds(a: string, b: string): number {
  const [am, as] = parseId(a) ?? [-1n, -1n];
  const [bm, bs] = parseId(b) ?? [-1n, -1n];
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

/** When Redis added an entry (epoch seconds): the millisecond part of its id; NaN for no id. */
export function idTime(id: string): number {
  const ms = /^(\d{1,16})-\d+$/.exec(id)?.[1];
  return ms === undefined ? NaN : Number(ms) / 1000;
}

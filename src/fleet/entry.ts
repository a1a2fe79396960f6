// One stream entry: a batch of bans and unbans one host signed with its Ed25519 key. Pure:
// no Redis here. One signature per batch, not per ban: 10,000 bans are 20 signatures to
// make and check, not 10,000 (about 0.1 ms of CPU each).
//
// The entry's fields (the README documents them for other publishers, e.g. a honeypot):
//   host   the publisher's name, as the readers' trust files list it
//   start  epoch seconds (decimal) when it was signed: readers refuse it when it lies more than
//          clock_skew from the time Redis gave the entry's id (an old entry copied back in)
//   items  one ban or unban a line: `OP JAIL ADDRESS UNTIL FAILURES` (ADDRESS: a host or a
//          CIDR range a.b.c.d/n), e.g.
//          `ban sshd 192.0.2.7 1767225600 5`, `unban * 192.0.2.7 - 0` (`-`: no end / none;
//          jail `*` in an unban: every jail)
//   sig    base64 of the Ed25519 signature of the bytes
//          "f2b-scan fleet v2\n" + host + "\n" + start + "\n" + items
//
// Whatever an entry says is hostile until checked: a signed entry can still carry times no
// ban can mean (until = 1e300 once crashed every host's run; start = 0.5 made any old entry
// replayable), so every value is bounded here, before anything downstream sees it.

import { sign, verify, type KeyObject } from 'node:crypto';
import { MAX_BAN_SECONDS } from '../config/duration.ts';
import { parseTarget } from '../net/cidr.ts';
import { whyNotBannableKey } from '../net/host.ts';
import { HOST_NAME, type TrustedKeys } from './keys.ts';

export interface FleetItem {
  op: 'ban' | 'unban';
  /** A jail name; `*` (unbans only): every jail. */
  jail: string;
  /** The address, or a CIDR range `a.b.c.d/n`, normalised. */
  ip: string;
  /** Epoch seconds; null: for good (bans) or none (unbans). */
  until: number | null;
  failures: number;
}

/** A whole entry: what one publisher signed at one time. */
export interface FleetEntry {
  host: string;
  /** Epoch seconds on the publisher's clock: when the entry was signed and published. */
  start: number;
  items: FleetItem[];
}

const DOMAIN = 'f2b-scan fleet v2';
/** More failures than any log could hold between two runs: a made-up number. */
const MAX_FAILURES = 1_000_000_000;
/** Items one entry may carry: publishers write at most PUBLISH_BATCH; more is not ours. */
export const MAX_ITEMS = 1000;
/** Items per entry this program writes. */
export const PUBLISH_BATCH = 500;

// Jail names become firewall chain and set names on the importing host: keep them to
// the characters fail2ban's own jail names use.
const JAIL = /^[A-Za-z0-9_.@:-]{1,64}$/;
const DECIMAL = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

export type DropReason =
  | 'bad signature'
  | 'unknown host'
  | 'old format'
  | 'missing field'
  | 'bad address'
  | 'bad jail'
  | 'bad value'
  | 'bad time'
  | 'time off the stream clock'
  | 'seen before'
  | 'range not held here';

export type ItemReading = { ok: true; item: FleetItem } | { ok: false; reason: DropReason };

export type Decoded =
  | { ok: true; host: string; start: number; sig: string; items: ItemReading[] }
  | { ok: false; reason: DropReason };

export interface DecodeOptions {
  trusted: TrustedKeys;
  /**
   * Seconds an entry's signed start may lie from the time in its stream id (Redis's clock when
   * it was added): a copy of an old entry added again later is refused as a replay.
   */
  skew: number;
}

/** The exact bytes a publisher signs. */
export function signedBytes(host: string, start: string, items: string): Buffer {
  return Buffer.from(`${DOMAIN}\n${host}\n${start}\n${items}`, 'utf8');
}

function itemLine(i: FleetItem): string {
  return `${i.op} ${i.jail} ${i.ip} ${i.until === null ? '-' : String(i.until)} ${i.failures}`;
}

/** Field/value pairs for XADD: the items signed by `host` with its private key at `start`. */
export function encodeEntry(e: FleetEntry, key: KeyObject): string[] {
  return encodeRaw(e.host, String(e.start), e.items.map(itemLine).join('\n'), key);
}

/** The same from field text as written: what any publisher sends. */
export function encodeRaw(host: string, start: string, items: string, key: KeyObject): string[] {
  const sig = sign(null, signedBytes(host, start, items), key).toString('base64');
  return ['host', host, 'start', start, 'items', items, 'sig', sig];
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

/** A decimal number as we write them; null for anything else (NaN, Infinity, hex, empty). */
const num = (s: string): number | null => {
  if (!DECIMAL.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/**
 * Check and read one entry: who signed it and whether the signature holds first (nothing
 * unverified is parsed further), then its time against the stream id's, then each item on
 * its own: a bad item is dropped, the good ones beside it are kept.
 */
export function decodeEntry(id: string, flat: unknown, opts: DecodeOptions): Decoded {
  const m = fieldMap(flat);
  const host = m.get('host');
  const startText = m.get('start');
  const items = m.get('items');
  const sigText = m.get('sig');
  if (items === undefined && m.has('op')) return { ok: false, reason: 'old format' };
  if (host === undefined || startText === undefined || items === undefined || sigText === undefined) return { ok: false, reason: 'missing field' };
  // The signed bytes join fields with newlines: fields that could hold one are refused first.
  if (!HOST_NAME.test(host) || !DECIMAL.test(startText)) return { ok: false, reason: 'bad value' };
  const keys = opts.trusted.get(host);
  if (!keys) return { ok: false, reason: 'unknown host' };
  const sig = /^[A-Za-z0-9+/]{86}==$/.test(sigText) ? Buffer.from(sigText, 'base64') : null;
  const data = signedBytes(host, startText, items);
  if (!sig || !keys.some((k) => verify(null, data, k, sig))) return { ok: false, reason: 'bad signature' };

  const start = num(startText);
  if (start === null || start <= 0) return { ok: false, reason: 'bad time' };
  const added = idTime(id);
  if (!Number.isFinite(added) || Math.abs(start - added) > opts.skew) return { ok: false, reason: 'time off the stream clock' };
  const lines = items.split('\n');
  if (lines.length > MAX_ITEMS) return { ok: false, reason: 'bad value' };
  return { ok: true, host, start, sig: sigText, items: lines.map((l) => readItem(l, start)) };
}

function readItem(line: string, start: number): ItemReading {
  const words = line.split(' ');
  if (words.length !== 5) return { ok: false, reason: 'bad value' };
  const [op, jail, ipText, untilText, failuresText] = words as [string, string, string, string, string];
  if (op !== 'ban' && op !== 'unban') return { ok: false, reason: 'bad value' };
  if (!JAIL.test(jail) && !(op === 'unban' && jail === '*')) return { ok: false, reason: 'bad jail' };
  const failures = num(failuresText);
  if (failures === null || failures < 0 || failures > MAX_FAILURES || !Number.isInteger(failures)) return { ok: false, reason: 'bad value' };
  // A host that may be banned (never 0.0.0.0, loopback, multicast...), or a range holding none of those.
  const addr = parseTarget(ipText);
  if (!addr || whyNotBannableKey(addr.text) !== null) return { ok: false, reason: 'bad address' };
  let until: number | null = null;
  if (op === 'ban' && untilText !== '-') {
    until = num(untilText);
    // A ban that ends before it starts, or lasts beyond what a ban can mean, is no ban.
    if (until === null || until <= start || until - start > MAX_BAN_SECONDS) return { ok: false, reason: 'bad time' };
  }
  return { ok: true, item: { op, jail, ip: addr.text, until, failures } };
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

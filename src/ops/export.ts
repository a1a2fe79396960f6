// `f2b-scan export [--format list|ipset|json] [--jail j]`: the bans in force, for other hosts:
// a plain list (one address or range per line), an `ipset restore` file (a hash:net set per family with
// each ban's remaining time as its timeout), or JSON that `f2b-scan import` reads back.

import { hostname } from 'node:os';
import { targetFamily } from '../net/cidr.ts';
import type { State } from '../state/schema.ts';
import { keyText } from '../net/key.ts';
import { bansOf, jailsWithBans } from '../state/bans.ts';
import { UsageError } from '../util/errors.ts';
import { findJail, withSession, type OpsOptions, type OpsResult } from './session.ts';

export const EXPORT_FORMATS = ['list', 'ipset', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The version of the JSON export; import refuses a newer one. */
export const EXPORT_VERSION = 1;

export interface ExportedBan {
  jail: string;
  ip: string;
  /** Epoch seconds. */
  start: number;
  /** Epoch seconds; null: for good. */
  until: number | null;
  origin: string;
}

export interface ExportJson {
  f2bScanExport: number;
  host: string;
  exported: number;
  bans: ExportedBan[];
}

/** ipset's largest timeout (seconds); a longer ban is exported as this much. */
export const IPSET_MAX_TIMEOUT = 2147483;
const SET_NAME = /^[A-Za-z0-9_.:-]{1,31}$/;

export function currentBans(state: State, now: number, jail?: string): ExportedBan[] {
  const out: ExportedBan[] = [];
  for (const j of jailsWithBans(state)) {
    if (jail !== undefined && j !== jail) continue;
    for (const [key, b] of bansOf(state, j)) {
      if (b.until !== null && b.until <= now) continue;
      out.push({ jail: j, ip: keyText(key), start: b.start, until: b.until, origin: b.origin });
    }
  }
  return out.sort((a, b) => (a.jail === b.jail ? (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0) : a.jail < b.jail ? -1 : 1));
}

/** One entry per address: the ban that lasts longest (an address banned in two jails is one line). */
function perAddress(bans: ExportedBan[]): Map<string, number | null> {
  const m = new Map<string, number | null>();
  for (const b of bans) {
    const have = m.get(b.ip);
    if (!m.has(b.ip) || (have !== null && (b.until === null || b.until > have!))) m.set(b.ip, b.until);
  }
  return m;
}

export function formatList(bans: ExportedBan[]): string {
  return [...perAddress(bans).keys()].map((ip) => ip + '\n').join('');
}

export function formatIpset(bans: ExportedBan[], now: number, setName: string): string {
  const lines: string[] = [];
  const addrs = perAddress(bans);
  for (const [fam, name, family] of [
    [4, setName, 'inet'],
    [6, `${setName}6`, 'inet6'],
  ] as const) {
    const mine = [...addrs].filter(([ip]) => targetFamily(ip) === fam);
    if (mine.length === 0) continue;
    // timeout 0 at create: the set takes per-entry timeouts, none by default. hash:net holds
    // hosts and CIDR ranges alike.
    lines.push(`create ${name} hash:net family ${family} timeout 0 -exist`);
    for (const [ip, until] of mine) {
      const left = until === null ? 0 : Math.min(IPSET_MAX_TIMEOUT, Math.max(1, Math.ceil(until - now)));
      lines.push(`add ${name} ${ip} timeout ${left} -exist`);
    }
  }
  return lines.map((l) => l + '\n').join('');
}

export function formatJson(bans: ExportedBan[], now: number): string {
  const doc: ExportJson = { f2bScanExport: EXPORT_VERSION, host: hostname(), exported: now, bans };
  return JSON.stringify(doc, null, 1) + '\n';
}

export async function runExport(opts: Omit<OpsOptions, 'dryRun'> & { format: string; jail?: string; set?: string }): Promise<OpsResult> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`export: unknown format ${opts.format} (list, ipset, json)`);
  const setName = opts.set ?? 'f2b-scan';
  // The v6 set is the name plus "6": both must fit ipset's 31 characters.
  if (!SET_NAME.test(setName + '6')) throw new UsageError(`export: --set: not a usable ipset name: ${JSON.stringify(setName)}`);
  return withSession(
    { ...opts, dryRun: true },
    async (s) => {
      if (opts.jail) findJail(s.config, opts.jail);
      const bans = currentBans(s.state, opts.now, opts.jail);
      const f = opts.format as ExportFormat;
      const output = f === 'list' ? formatList(bans) : f === 'ipset' ? formatIpset(bans, opts.now, setName) : formatJson(bans, opts.now);
      return { output, messages: [], exitCode: 0 };
    },
    false,
  );
}

// Turn the failures found in logs into a report: per jail, who failed how often, when,
// and who would be banned under the jail's findtime/maxretry. Pure: values in, values out.

import { isoTime } from '../util/time-text.ts';
import type { Epoch, Failure } from '../types.ts';

export interface ReportJailInput {
  name: string;
  filter: string;
  maxretry: number;
  findtime: number;
  files: { path: string; lines: number }[];
  failures: Failure[];
}

export interface AddressReport {
  ip: string;
  failures: number;
  firstSeen: string;
  lastSeen: string;
  /** When the jail's policy would first ban it (ISO), or null. */
  wouldBanAt: string | null;
  /** How many bans the policy would make over the period. */
  bans: number;
  /** The first matched lines (capped). */
  lines: string[];
}

export interface TimelineBucket {
  start: string;
  count: number;
}

export interface JailReport {
  name: string;
  filter: string;
  maxretry: number;
  findtime: number;
  lines: number;
  matches: number;
  files: { path: string; lines: number }[];
  /** Addresses by failures, most first; `top` of them. */
  addresses: AddressReport[];
  /** Every address the policy would ban. */
  wouldBan: { ip: string; at: string; failures: number }[];
  bucketSeconds: number;
  timeline: TimelineBucket[];
}

export interface Analysis {
  version: 1;
  generatedAt: string;
  since: string | null;
  until: string | null;
  totals: { lines: number; matches: number; addresses: number; wouldBan: number };
  jails: JailReport[];
}

export interface AnalyzeOptions {
  now: Epoch;
  since?: Epoch;
  until?: Epoch;
  top?: number;
  /** Lines kept per address. */
  linesPerAddress?: number;
}

const iso = (t: Epoch) => isoTime(t);
const BUCKET_SIZES = [60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400];

export function analyze(inputs: ReportJailInput[], opts: AnalyzeOptions): Analysis {
  const top = opts.top ?? 10;
  const jails = inputs.map((j) => analyzeJail(j, opts, top));
  const addresses = new Set<string>();
  for (const j of inputs) for (const f of inWindow(j.failures, opts)) addresses.add(f.ip);
  return {
    version: 1,
    generatedAt: iso(opts.now),
    since: opts.since !== undefined ? iso(opts.since) : null,
    until: opts.until !== undefined ? iso(opts.until) : null,
    totals: {
      lines: jails.reduce((n, j) => n + j.lines, 0),
      matches: jails.reduce((n, j) => n + j.matches, 0),
      addresses: addresses.size,
      wouldBan: jails.reduce((n, j) => n + j.wouldBan.length, 0),
    },
    jails,
  };
}

function inWindow(failures: Failure[], opts: AnalyzeOptions): Failure[] {
  return failures.filter(
    (f) => (opts.since === undefined || f.time >= opts.since) && (opts.until === undefined || f.time <= opts.until),
  );
}

function analyzeJail(j: ReportJailInput, opts: AnalyzeOptions, top: number): JailReport {
  const failures = inWindow(j.failures, opts).sort((a, b) => a.time - b.time);
  const byIp = new Map<string, Failure[]>();
  for (const f of failures) {
    const list = byIp.get(f.ip);
    if (list) list.push(f);
    else byIp.set(f.ip, [f]);
  }
  const reports: AddressReport[] = [];
  const wouldBan: JailReport['wouldBan'] = [];
  for (const [ip, list] of byIp) {
    const bans = simulateBans(
      list.map((f) => f.time),
      j.maxretry,
      j.findtime,
    );
    reports.push({
      ip,
      failures: list.length,
      firstSeen: iso(list[0]!.time),
      lastSeen: iso(list[list.length - 1]!.time),
      wouldBanAt: bans.length ? iso(bans[0]!) : null,
      bans: bans.length,
      lines: list.slice(0, opts.linesPerAddress ?? 5).map((f) => f.line),
    });
    if (bans.length) wouldBan.push({ ip, at: iso(bans[0]!), failures: list.length });
  }
  reports.sort((a, b) => b.failures - a.failures || a.ip.localeCompare(b.ip));
  wouldBan.sort((a, b) => a.at.localeCompare(b.at) || a.ip.localeCompare(b.ip));
  const { bucketSeconds, timeline } = buildTimeline(failures.map((f) => f.time));
  return {
    name: j.name,
    filter: j.filter,
    maxretry: j.maxretry,
    findtime: j.findtime,
    lines: j.files.reduce((n, f) => n + f.lines, 0),
    matches: failures.length,
    files: j.files,
    addresses: reports.slice(0, top),
    wouldBan,
    bucketSeconds,
    timeline,
  };
}

/**
 * The times at which a jail would ban an address with these failure times (sorted):
 * maxretry failures inside findtime make a ban, and the count starts again after it.
 */
export function simulateBans(times: Epoch[], maxretry: number, findtime: number): Epoch[] {
  const bans: Epoch[] = [];
  let from = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! - times[from]! > findtime) from++;
    if (i - from + 1 >= maxretry) {
      bans.push(times[i]!);
      from = i + 1;
    }
  }
  return bans;
}

/** Failures per time bucket, with a bucket size that gives at most ~48 bars. */
export function buildTimeline(times: Epoch[]): { bucketSeconds: number; timeline: TimelineBucket[] } {
  if (times.length === 0) return { bucketSeconds: 3600, timeline: [] };
  const min = Math.min(...times);
  const max = Math.max(...times);
  const bucketSeconds = BUCKET_SIZES.find((s) => (max - min) / s <= 48) ?? BUCKET_SIZES[BUCKET_SIZES.length - 1]!;
  const first = Math.floor(min / bucketSeconds) * bucketSeconds;
  const n = Math.floor((max - first) / bucketSeconds) + 1;
  const counts = new Array<number>(n).fill(0);
  for (const t of times) counts[Math.floor((t - first) / bucketSeconds)]!++;
  return { bucketSeconds, timeline: counts.map((count, i) => ({ start: iso(first + i * bucketSeconds), count })) };
}

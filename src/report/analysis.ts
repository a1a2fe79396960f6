// Turn the failures found in logs into a report: per jail, who failed how often, when,
// and who would be banned under the jail's findtime/maxretry. Pure: values in, values out.

import type { Epoch, Failure } from '../types.ts';
import { isoSeconds } from '../util/time-text.ts';
import { JailAggregate } from './aggregate.ts';

export interface ReportJailInput {
  name: string;
  filter: string;
  maxretry: number;
  findtime: number;
  files: { path: string; lines: number }[];
  /** The failures folded as the scan read them (the CLI's path). */
  aggregate?: JailAggregate;
  /** Or the failures themselves (tests, small inputs): folded here in time order. */
  failures?: Failure[];
  /** Why the jail could not be analysed (a refused rule, a log that is missing or unreadable). */
  errors?: string[];
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
  /** Why the jail (or part of it) could not be analysed: the report is incomplete for it. */
  errors: string[];
}

export interface Analysis {
  version: 1;
  generatedAt: string;
  since: string | null;
  until: string | null;
  totals: { lines: number; matches: number; addresses: number; wouldBan: number };
  jails: JailReport[];
  /** Every jail that could not be (fully) analysed, with why: what makes --fail-on fail. */
  errors: { jail: string; message: string }[];
}

export interface AnalyzeOptions {
  now: Epoch;
  since?: Epoch;
  until?: Epoch;
  top?: number;
}

const iso = isoSeconds;

export function analyze(inputs: ReportJailInput[], opts: AnalyzeOptions): Analysis {
  const top = opts.top ?? 10;
  const aggregates = inputs.map((j) => j.aggregate ?? aggregateOf(j, opts));
  const jails = inputs.map((j, i) => jailReport(j, aggregates[i]!, top));
  const addresses = new Set<string>();
  for (const a of aggregates) for (const ip of a.keys()) addresses.add(ip);
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
    errors: jails.flatMap((j) => j.errors.map((message) => ({ jail: j.name, message }))),
  };
}

/** Failures given as a list, folded in time order. */
function aggregateOf(j: ReportJailInput, opts: AnalyzeOptions): JailAggregate {
  const agg = new JailAggregate(j.maxretry, j.findtime, { since: opts.since, until: opts.until });
  for (const f of [...(j.failures ?? [])].sort((a, b) => a.time - b.time)) agg.add(f.ip, f.time, f.line);
  return agg;
}

/** Failures descending, then address: the order of the top list. */
const byFailures = (a: { ip: string; failures: number }, b: { ip: string; failures: number }) =>
  b.failures - a.failures || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);

function jailReport(j: ReportJailInput, agg: JailAggregate, top: number): JailReport {
  // Only the `top` addresses become report rows (an attack may have millions): a small sorted
  // list kept while walking the aggregate; every address that would be banned is listed.
  const best: { ip: string; failures: number }[] = [];
  const wouldBan: JailReport['wouldBan'] = [];
  for (const [ip, a] of agg.entries()) {
    if (a.wouldBanAt !== null) wouldBan.push({ ip, at: iso(a.wouldBanAt), failures: a.failures });
    if (top <= 0 || (best.length === top && byFailures({ ip, failures: a.failures }, best[top - 1]!) >= 0)) continue;
    let k = best.length;
    while (k > 0 && byFailures({ ip, failures: a.failures }, best[k - 1]!) < 0) k--;
    best.splice(k, 0, { ip, failures: a.failures });
    if (best.length > top) best.pop();
  }
  const reports: AddressReport[] = best.map(({ ip }) => {
    const a = agg.get(ip)!;
    return {
      ip,
      failures: a.failures,
      firstSeen: iso(a.first),
      lastSeen: iso(a.last),
      wouldBanAt: a.wouldBanAt !== null ? iso(a.wouldBanAt) : null,
      bans: a.bans,
      lines: a.lines ?? [],
    };
  });
  wouldBan.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  const { bucketSeconds, buckets } = agg.timeline();
  return {
    name: j.name,
    filter: j.filter,
    maxretry: j.maxretry,
    findtime: j.findtime,
    lines: j.files.reduce((n, f) => n + f.lines, 0),
    matches: agg.matches,
    files: j.files,
    addresses: reports,
    wouldBan,
    bucketSeconds,
    timeline: buckets.map((b) => ({ start: iso(b.start), count: b.count })),
    errors: j.errors ?? [],
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

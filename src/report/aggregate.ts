// The report's streaming aggregation: each failure (jail, address, time, line) is folded in
// as the scan reads it, so nothing grows with the log but what the report prints. Per jail:
// per address its counters, the few times the ban simulation needs (at most maxretry) and its
// first lines (for a bounded number of addresses); failures per time bucket at a resolution
// that coarsens itself to stay under a fixed number of buckets.

import { own } from '../scan/sink.ts';
import type { Epoch } from '../types.ts';

/** Lines kept per address. */
export const LINES_PER_ADDRESS = 5;
/** Addresses whose lines are kept from their first failure; the others keep lines once they would be banned. */
export const ADDRESSES_WITH_LINES = 10_000;
/** Bucket sizes in seconds, each a multiple of the one before, so counts can be merged exactly. */
export const BUCKET_CHAIN = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800, 2419200, 9676800, 29030400];
/** Buckets held while reading; the chart shows at most TARGET_BARS. */
const MAX_BUCKETS = 4096;
export const TARGET_BARS = 48;

export interface AddressAggregate {
  failures: number;
  first: Epoch;
  last: Epoch;
  /** When the policy would first ban it (the strict window: maxretry failures within findtime). */
  wouldBanAt: Epoch | null;
  bans: number;
  /** Failure times since the last simulated ban, oldest first, within findtime of the newest (<= maxretry). */
  window: Epoch[];
  lines: string[] | null;
}

export class JailAggregate {
  readonly addresses = new Map<string, AddressAggregate>();
  matches = 0;
  private resolution = BUCKET_CHAIN[0]!;
  private buckets = new Map<number, number>();
  min = Infinity;
  max = -Infinity;
  private withLines = 0;

  constructor(
    readonly maxretry: number,
    readonly findtime: number,
    private readonly window: { since?: Epoch; until?: Epoch } = {},
  ) {}

  /**
   * Fold one failure in (`count` of them for rsyslog's "message repeated N times"); failures
   * outside --since/--until are not counted. `line` may be a view of a read buffer: it is
   * copied only when kept.
   */
  add(ip: string, time: Epoch, line: string, count = 1): void {
    if ((this.window.since !== undefined && time < this.window.since) || (this.window.until !== undefined && time > this.window.until)) return;
    for (let i = 1; i < count; i++) this.addOne(ip, time, line);
    this.addOne(ip, time, line);
  }

  private addOne(ip: string, time: Epoch, line: string): void {
    this.matches++;
    let a = this.addresses.get(ip);
    if (!a) {
      ip = own(ip);
      const lines = this.withLines < ADDRESSES_WITH_LINES ? [] : null;
      if (lines) this.withLines++;
      a = { failures: 0, first: time, last: time, wouldBanAt: null, bans: 0, window: [], lines };
      this.addresses.set(ip, a);
    }
    a.failures++;
    if (time < a.first) a.first = time;
    if (time > a.last) a.last = time;
    this.simulate(a, time);
    if (a.lines === null && a.wouldBanAt !== null) a.lines = [];
    if (a.lines && a.lines.length < LINES_PER_ADDRESS) a.lines.push(own(line));
    this.count(time);
  }

  /** The strict window as the scan delivers times (in order within a file): a ban when maxretry fit in findtime; counting starts again after it. */
  private simulate(a: AddressAggregate, t: Epoch): void {
    const w = a.window;
    let i = w.length;
    while (i > 0 && w[i - 1]! > t) i--; // an older line (another file) goes in its place
    w.splice(i, 0, t);
    const newest = w[w.length - 1]!;
    while (w.length && newest - w[0]! > this.findtime) w.shift();
    if (w.length >= this.maxretry) {
      a.bans++;
      if (a.wouldBanAt === null || newest < a.wouldBanAt) a.wouldBanAt = newest;
      w.length = 0;
    }
  }

  private count(t: Epoch): void {
    if (t < this.min) this.min = t;
    if (t > this.max) this.max = t;
    const k = Math.floor(t / this.resolution);
    this.buckets.set(k, (this.buckets.get(k) ?? 0) + 1);
    while (this.buckets.size > MAX_BUCKETS) this.coarsen(BUCKET_CHAIN[BUCKET_CHAIN.indexOf(this.resolution) + 1] ?? this.resolution * 2);
  }

  private coarsen(size: number): void {
    const next = new Map<number, number>();
    for (const [k, n] of this.buckets) {
      const c = Math.floor((k * this.resolution) / size);
      next.set(c, (next.get(c) ?? 0) + n);
    }
    this.resolution = size;
    this.buckets = next;
  }

  /** Failures per bucket over the whole span, at most TARGET_BARS of them (empty buckets included). */
  timeline(): { bucketSeconds: number; buckets: { start: Epoch; count: number }[] } {
    if (this.matches === 0) return { bucketSeconds: 60, buckets: [] };
    const span = this.max - this.min;
    let size = BUCKET_CHAIN.find((s) => s >= this.resolution && Math.floor(this.max / s) - Math.floor(this.min / s) + 1 <= TARGET_BARS);
    size ??= BUCKET_CHAIN.at(-1)! * Math.ceil(span / (BUCKET_CHAIN.at(-1)! * TARGET_BARS) + 1);
    if (size !== this.resolution) this.coarsen(size);
    const first = Math.floor(this.min / size);
    const last = Math.floor(this.max / size);
    const buckets: { start: Epoch; count: number }[] = [];
    for (let k = first; k <= last; k++) buckets.push({ start: k * size, count: this.buckets.get(k) ?? 0 });
    return { bucketSeconds: size, buckets };
  }
}

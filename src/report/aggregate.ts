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
  lines: string[] | null;
}

/**
 * Per-address columns in typed arrays, grown by doubling: an attack from millions of addresses
 * costs a map entry and ~40 bytes each (objects cost ~700), plus maxretry times for the window.
 */
class Columns {
  size = 0;
  failures = new Uint32Array(1024);
  bans = new Uint32Array(1024);
  first = new Float64Array(1024);
  last = new Float64Array(1024);
  /** NaN: would not be banned. */
  banAt = new Float64Array(1024);
  /** The window: up to `width` times per address, oldest first, and how many. */
  window: Float64Array;
  windowLen = new Uint8Array(1024);

  constructor(readonly width: number) {
    this.window = new Float64Array(1024 * width);
  }

  add(): number {
    if (this.size === this.failures.length) this.grow();
    return this.size++;
  }

  private grow(): void {
    const n = this.failures.length * 2;
    const g = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, len = n): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a);
      return b;
    };
    this.failures = g(this.failures);
    this.bans = g(this.bans);
    this.first = g(this.first);
    this.last = g(this.last);
    this.banAt = g(this.banAt);
    this.window = g(this.window, n * this.width);
    this.windowLen = g(this.windowLen);
  }
}

export class JailAggregate {
  private readonly index = new Map<string, number>();
  private readonly cols: Columns;
  /** Lines kept, by address index (see ADDRESSES_WITH_LINES). */
  private readonly lines = new Map<number, string[]>();
  matches = 0;
  private resolution = BUCKET_CHAIN[0]!;
  private buckets = new Map<number, number>();
  min = Infinity;
  max = -Infinity;

  constructor(
    readonly maxretry: number,
    readonly findtime: number,
    private readonly window: { since?: Epoch; until?: Epoch } = {},
  ) {
    // A window never holds maxretry times (that is a ban, and it empties); at most 255 kept.
    this.cols = new Columns(Math.max(1, Math.min(255, maxretry)));
  }

  /**
   * Fold one failure in (`count` of them for rsyslog's "message repeated N times"); failures
   * outside --since/--until are not counted. `line` may be a view of a read buffer: it is
   * copied only when kept.
   */
  add(ip: string, time: Epoch, line: string, count = 1): void {
    if ((this.window.since !== undefined && time < this.window.since) || (this.window.until !== undefined && time > this.window.until)) return;
    for (let i = 0; i < count; i++) this.addOne(ip, time, line);
  }

  private addOne(ip: string, time: Epoch, line: string): void {
    this.matches++;
    const c = this.cols;
    let i = this.index.get(ip);
    if (i === undefined) {
      i = c.add();
      this.index.set(own(ip), i);
      c.failures[i] = 0;
      c.bans[i] = 0;
      c.first[i] = time;
      c.last[i] = time;
      c.banAt[i] = NaN;
      c.windowLen[i] = 0;
      if (i < ADDRESSES_WITH_LINES) this.lines.set(i, []);
    }
    c.failures[i]!++;
    if (time < c.first[i]!) c.first[i] = time;
    if (time > c.last[i]!) c.last[i] = time;
    this.simulate(i, time);
    let kept = this.lines.get(i);
    if (!kept && !Number.isNaN(c.banAt[i]!)) this.lines.set(i, (kept = []));
    if (kept && kept.length < LINES_PER_ADDRESS) kept.push(own(line));
    this.count(time);
  }

  /** The strict window as the scan delivers times (in order within a file): a ban when maxretry fit in findtime; counting starts again after it. */
  private simulate(i: number, t: Epoch): void {
    const c = this.cols;
    const base = i * c.width;
    const w = c.window;
    let n = c.windowLen[i]!;
    // Insert in order (a line of another file may be older), dropping the oldest when full.
    let at = n;
    while (at > 0 && w[base + at - 1]! > t) at--;
    if (n === c.width) {
      if (at === 0) return this.afterInsert(i, n); // older than all it keeps: cannot complete a window
      for (let k = 0; k < at - 1; k++) w[base + k] = w[base + k + 1]!;
      at--;
      n--;
    }
    for (let k = n; k > at; k--) w[base + k] = w[base + k - 1]!;
    w[base + at] = t;
    this.afterInsert(i, n + 1);
  }

  private afterInsert(i: number, n: number): void {
    const c = this.cols;
    const base = i * c.width;
    const w = c.window;
    const newest = w[base + n - 1]!;
    let drop = 0;
    while (drop < n && newest - w[base + drop]! > this.findtime) drop++;
    if (drop) for (let k = drop; k < n; k++) w[base + k - drop] = w[base + k]!;
    n -= drop;
    if (n >= this.maxretry) {
      c.bans[i]!++;
      if (Number.isNaN(c.banAt[i]!) || newest < c.banAt[i]!) c.banAt[i] = newest;
      n = 0;
    }
    c.windowLen[i] = n;
  }

  /** Distinct addresses seen. */
  get size(): number {
    return this.index.size;
  }

  /** One address's figures, or undefined. */
  get(ip: string): AddressAggregate | undefined {
    const i = this.index.get(ip);
    return i === undefined ? undefined : this.view(i);
  }

  /** Every address with its figures (made as they are asked for). */
  *entries(): IterableIterator<[string, AddressAggregate]> {
    for (const [ip, i] of this.index) yield [ip, this.view(i)];
  }

  /** The addresses only (no figures made). */
  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  private view(i: number): AddressAggregate {
    const c = this.cols;
    const at = c.banAt[i]!;
    return { failures: c.failures[i]!, first: c.first[i]!, last: c.last[i]!, wouldBanAt: Number.isNaN(at) ? null : at, bans: c.bans[i]!, lines: this.lines.get(i) ?? null };
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

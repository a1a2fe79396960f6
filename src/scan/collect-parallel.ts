// Reading a large backlog on several cores: a range of a log bigger than parallelMinBytes()
// is cut at line ends into parts of about PART_BYTES; the main thread reads the first, then
// every thread (worker threads, collect-worker.ts, and the main one) takes the next part left,
// and the parts' failures are merged in file order, so time order is kept as well as a log
// keeps it. Worker threads start only when a large backlog is seen, once per run.
//
// What a cut costs: each part after the first is read after up to WARM_BYTES before it, not
// reported, so the date format is learned and multi-line sessions (sshd's per-connection ids) that
// began just before the cut are known. A session older than that at the cut loses its link
// (an "Accepted" after the cut no longer cancels failures before it): a few lines of a large
// backlog at most.

import { availableParallelism, loadavg } from 'node:os';
import type { FileHandle } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_LINE_BYTES, streamLines, type RangeResult } from '../sources/stream.ts';
import type { LogDecoding } from '../util/log-encoding.ts';
import type { Filter } from '../rules/index.ts';
import type { PartJail, PartResult, PartTask } from './collect-worker.ts';
import type { FailureSink } from './sink.ts';
import type { FileMember } from './read-file.ts';

/**
 * Below this a range is read by the main thread alone. A worker is a second V8 heap (35-60 MB)
 * and on two cores buys ~40%: by default only a backlog this large (a first run over months of
 * logs, a flood) is worth that memory on a small VPS; a 100 MB backlog reads in about a second
 * on one thread within the 120 MB budget. With F2B_SCAN_THREADS set, parts start at 16 MiB
 * (a worker's start costs about 50 ms).
 */
export function parallelMinBytes(): number {
  return process.env.F2B_SCAN_THREADS ? 16 << 20 : 256 << 20;
}
/** About this much per part (at most MAX_PARTS): each cut costs a warm-up and may cut a session. */
const PART_BYTES = 24 << 20;
const MAX_PARTS = 64;
const WARM_BYTES = 1 << 20;
const MAX_WORKERS = 3;
const WORKER_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 };

export type RangeStreamer = (fh: FileHandle, start: number, end: number, onLine: (line: string) => void, maxLineBytes?: number, decoding?: LogDecoding) => Promise<RangeResult>;

/**
 * Threads to use besides the main one. F2B_SCAN_THREADS=N says how many threads in all (1:
 * none). Otherwise one per core the load average leaves idle: a worker on a core that is
 * busy anyway only competes with the main thread (measured: a 1M-line scan took 1.3 s on two
 * threads against 1.0 s on one, on a 2-core machine with a load of 4) and costs its memory.
 */
function workerCount(): number {
  const env = Number(process.env.F2B_SCAN_THREADS);
  if (Number.isInteger(env) && env > 0) return Math.min(MAX_WORKERS, env - 1);
  const cores = availableParallelism();
  // Half a core of slack: the load average also counts this job's own recent work.
  const spare = Math.floor(cores - loadavg()[0] + 0.5);
  return Math.max(0, Math.min(MAX_WORKERS, cores - 1, spare));
}

/** The first line start at or after `pos` (and not after `limit`). */
async function lineStartFrom(fh: FileHandle, pos: number, limit: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 << 10);
  let at = Math.max(0, pos - 1); // the byte before pos: a newline there makes pos a line start
  while (at < limit) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, limit - at), at);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl !== -1) return Math.min(limit, at + nl + 1);
    at += bytesRead;
  }
  return limit;
}

export class ScanPool {
  private workers: Worker[] = [];
  private starting: Promise<Worker[]> | null = null;
  private readonly waiting = new Map<number, (r: { result?: PartResult; error?: string }) => void>();
  private nextId = 0;
  private broken = false;
  /** Why a worker could not read its part (that part was read by the main thread). */
  readonly errors: string[] = [];
  readonly size = workerCount();

  private async start(): Promise<Worker[]> {
    this.starting ??= (async () => {
      const [{ Worker }, { WORKER_URL }] = await Promise.all([import('node:worker_threads'), import('./collect-worker.ts')]);
      // Run from the TypeScript sources (tsx), a worker thread could not load them: Node 20
      // applies no loader hooks in workers. The bundled CLI always has its workers.
      if (WORKER_URL.endsWith('.ts')) return this.workers;
      for (let i = 0; i < this.size; i++) {
        // A small heap: a worker makes short-lived strings only, and peak RSS counts. Should a
        // rule need more (huge multi-line sessions), the worker dies and its part is read here.
        const w = new Worker(new URL(WORKER_URL), { workerData: { f2bScanWorker: true }, resourceLimits: WORKER_HEAP });
        w.on('message', (m: { id: number; result?: PartResult; error?: string }) => {
          this.waiting.get(m.id)?.(m);
          this.waiting.delete(m.id);
        });
        // A dead worker fails what it had; the main thread reads those parts itself.
        const fail = (why: string) => {
          this.broken = true;
          for (const done of this.waiting.values()) done({ error: why });
          this.waiting.clear();
        };
        w.on('error', (e) => fail(`scan worker failed: ${e.message}`));
        w.on('exit', (code) => { if (code !== 0) fail(`scan worker exited with ${code}`); });
        this.workers.push(w);
      }
      return this.workers;
    })();
    return this.starting;
  }

  private async run(worker: Worker, task: Omit<PartTask, 'id'>): Promise<{ result?: PartResult; error?: string }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ ...task, id });
    });
  }

  /** Start the workers now (a large backlog is known to come): no wait when the first part is handed out. */
  prestart(): void {
    if (this.size > 0) void this.start().catch(() => {});
  }

  private readonly keys = new Map<Filter, string>();
  private readonly sentTo = new Map<Worker, Set<string>>();

  private keyOf(filter: Filter): string {
    let k = this.keys.get(filter);
    if (k === undefined) this.keys.set(filter, (k = String(this.keys.size)));
    return k;
  }

  /** Whether `w` already has the rule; marks it as sent from now on. */
  private sent(w: Worker, key: string): boolean {
    let s = this.sentTo.get(w);
    if (!s) this.sentTo.set(w, (s = new Set()));
    if (s.has(key)) return true;
    s.add(key);
    return false;
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /**
   * A range reader for one file and the jails reading it: small ranges are read as usual; a
   * large one is cut into parts handed out in order to whichever thread is free (the main thread
   * reads the first through `onLine`, then helps with the rest), so a worker that starts late or
   * runs slower gets less. `onPart` receives the other parts' findings, in file order, at the end.
   */
  streamer(
    members: FileMember[],
    filterOf: (m: FileMember) => Filter,
    _file: string,
    now: number,
    sink: FailureSink,
    onPart: (r: PartResult) => void,
  ): RangeStreamer {
    return async (fh, start, end, onLine, maxLineBytes = DEFAULT_MAX_LINE_BYTES, decoding = 'utf-8') => {
      if (this.size === 0 || this.broken || end - start < parallelMinBytes()) return streamLines(fh, start, end, onLine, maxLineBytes, decoding);
      const workers = await this.start();
      if (workers.length === 0) return streamLines(fh, start, end, onLine, maxLineBytes, decoding);
      const jails = members.map((m) => {
        const filter = filterOf(m);
        const j = m.scan.jail;
        return {
          part: {
            jail: { name: j.name, ...(j.datepattern !== undefined ? { datepattern: j.datepattern } : {}), ...(j.logtimezone !== undefined ? { logtimezone: j.logtimezone } : {}) },
            filterKey: this.keyOf(filter),
            oldest: m.scan.oldest,
            wantsText: sink.wantsText(j.name),
          } satisfies PartJail,
          filter,
        };
      });
      const { scanPart } = await import('./collect-worker.ts');
      const parts = Math.max(2, Math.min(MAX_PARTS, Math.round((end - start) / PART_BYTES)));
      const bounds = [start];
      for (let k = 1; k < parts; k++) {
        const b = await lineStartFrom(fh, start + Math.floor(((end - start) * k) / parts), end);
        if (b > bounds.at(-1)! && b < end) bounds.push(b);
      }
      bounds.push(end);
      const n = bounds.length - 1;
      const results: (PartResult | undefined)[] = new Array(n);
      const taskOf = async (k: number, w: Worker | null): Promise<Omit<PartTask, 'id'>> => ({
        fd: fh.fd, now, maxLineBytes, decoding, start: bounds[k]!, end: bounds[k + 1]!,
        warmFrom: await lineStartFrom(fh, Math.max(bounds[k - 1]!, bounds[k]! - WARM_BYTES), bounds[k]!),
        // The main thread passes its own objects; a worker gets a copy of a rule the first time only.
        jails: jails.map(({ part, filter }) => (w === null || !this.sent(w, part.filterKey) ? { ...part, filter } : part)),
      });
      let next = 1;
      const take = () => (next < n ? next++ : -1);
      const workerLoops = workers.map(async (w) => {
        for (let k = take(); k !== -1; k = take()) {
          const r = await this.run(w, await taskOf(k, w));
          if (r.result) results[k] = r.result;
          else {
            // Read below by the main thread; this worker takes no more.
            if (!this.errors.includes(r.error!)) this.errors.push(r.error!);
            return;
          }
        }
      });
      const total = await streamLines(fh, bounds[0]!, bounds[1]!, onLine, maxLineBytes, decoding);
      for (let k = take(); k !== -1; k = take()) results[k] = await scanPart({ id: -1, ...(await taskOf(k, null)) });
      await Promise.all(workerLoops);
      for (let k = 1; k < n; k++) {
        const r = (results[k] ??= await scanPart({ id: -1, ...(await taskOf(k, null)) }));
        onPart(r);
        const part = r.range;
        total.bytes += part.bytes;
        total.lines += part.lines;
        total.cutLines += part.cutLines;
        total.invalidUtf8 ||= part.invalidUtf8;
        total.nulBytes ||= part.nulBytes;
        // A part that came back short means the file shrank: what follows is not read.
        if (part.bytes < bounds[k + 1]! - bounds[k]!) break;
      }
      return total;
    };
  }
}

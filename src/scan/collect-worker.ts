// A scan worker thread: reads one part of a large log (a byte range between line ends)
// through a jail's rule and sends back the failures it found. The main thread reads the
// first part itself and merges the parts in file order (see collect-parallel.ts).
//
// This module is the worker's entry too: loaded in a thread started with
// workerData.f2bScanWorker, it answers tasks; imported anywhere else it only exports.

import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createMatcher, type Filter } from '../rules/index.ts';
import { streamLines, type RangeResult } from '../sources/stream.ts';
import type { LogDecoding } from '../util/log-encoding.ts';
import { sinkMatches, type ScanJail, type SinkOut } from './collect-sink.ts';

/** Where this module lives once bundled: the file a worker thread is started from. */
export const WORKER_URL = import.meta.url;

export interface PartTask {
  id: number;
  jail: ScanJail;
  /**
   * The rule as the main thread compiled it (RegExps and Maps survive the copy): compiling and
   * screening it again here would cost each worker what the main thread already paid. Sent
   * once per worker and rule; later tasks name it by `filterKey` only.
   */
  filter?: Filter;
  filterKey: string;
  /** The log's path, for the failures' source. */
  file: string;
  /** The main thread's open descriptor of that log: the same file, whatever happens to the path. */
  fd: number;
  /** Lines in [warmFrom, start) are matched but not reported (see scanPart). */
  warmFrom: number;
  start: number;
  end: number;
  now: number;
  /** Failures at or before this time are only counted. */
  oldest: number;
  maxLineBytes: number;
  /** The log's encoding (the jail's logencoding). */
  decoding: LogDecoding;
}

export interface PartResult {
  range: RangeResult;
  out: SinkOut;
}

/** The little of FileHandle that streamLines uses, on a descriptor shared with the main thread. */
function fdHandle(fd: number): FileHandle {
  return {
    read: (buffer: Buffer, offset: number, length: number, position: number) =>
      new Promise((resolve, reject) => read(fd, buffer, offset, length, position, (e, bytesRead) => (e ? reject(e) : resolve({ bytesRead, buffer })))),
  } as unknown as FileHandle;
}

/** Rules received by this thread, by key (a copy per task would recompile every regex). */
const filters = new Map<string, Filter>();

export async function scanPart(t: PartTask): Promise<PartResult> {
  if (t.filter) filters.set(t.filterKey, t.filter);
  const filter = t.filter ?? filters.get(t.filterKey);
  if (!filter) throw new Error(`scan worker: rule ${t.filterKey} was never sent`);
  const matcher = createMatcher(filter, { now: t.now, timezone: t.jail.logtimezone, datepattern: t.jail.datepattern });
  const fh = fdHandle(t.fd);
  // The lines just before the part teach the date reader the file's format and the
  // multi-line sessions what the previous part knew; their matches belong to that part.
  if (t.warmFrom < t.start) await streamLines(fh, t.warmFrom, t.start, (line) => { matcher.push(line); }, t.maxLineBytes, t.decoding);
  const out: SinkOut = { failures: [], names: [], old: 0 };
  const range = await streamLines(fh, t.start, t.end, (line) => sinkMatches(matcher.push(line), t.jail.name, t.file, t.now, t.oldest, out), t.maxLineBytes, t.decoding);
  return { range, out };
}

if (!isMainThread && parentPort && (workerData as { f2bScanWorker?: boolean } | null)?.f2bScanWorker === true) {
  const port = parentPort;
  port.on('message', (t: PartTask) => {
    scanPart(t).then(
      (r) => port.postMessage({ id: t.id, result: r }),
      (e) => port.postMessage({ id: t.id, error: String((e as Error)?.message ?? e) }),
    );
  });
}

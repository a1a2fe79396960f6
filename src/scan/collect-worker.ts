// A scan worker thread: reads one part of a large log (a byte range between line ends) through
// the rules of every jail that watches the log, and sends back what they found as compact arrays
// (compact.ts). The main thread reads the first part itself and replays the parts in file order
// (see collect-parallel.ts).
//
// This module is the worker's entry too: loaded in a thread started with
// workerData.f2bScanWorker, it answers tasks; imported anywhere else it only exports.

import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LineMemo, type DateReader, type Filter } from '../rules/index.ts';
import { createDateReader } from '../time/index.ts';
import { streamLines, type RangeResult } from '../sources/stream.ts';
import type { LogDecoding } from '../util/log-encoding.ts';
import { deliver, newTally } from './sink.ts';
import { CompactSink, emptyCompact, type CompactFailures } from './compact.ts';
import { matchesOf, matchJails, pushAll, type JailMatch, type ReaderChoice } from './match-groups.ts';

/** Where this module lives once bundled: the file a worker thread is started from. */
export const WORKER_URL = import.meta.url;

/** The few jail fields a part needs (a Jail minus what cannot cross to a worker). */
export interface ScanJail {
  name: string;
  datepattern?: string;
  logtimezone?: string;
}

export interface PartJail {
  jail: ScanJail;
  /**
   * The rule as the main thread compiled it (RegExps and Maps survive the copy): compiling and
   * screening it again here would cost each worker what the main thread already paid. Sent
   * once per worker and rule; later tasks name it by `filterKey` only.
   */
  filter?: Filter;
  filterKey: string;
  /** Failures at or before this time are only counted. */
  oldest: number;
  wantsText: boolean;
}

export interface PartTask {
  id: number;
  jails: PartJail[];
  /** The main thread's open descriptor of that log: the same file, whatever happens to the path. */
  fd: number;
  /** Lines in [warmFrom, start) are matched but not reported (see scanPart). */
  warmFrom: number;
  start: number;
  end: number;
  now: number;
  maxLineBytes: number;
  /** The log's encoding (its jails' logencoding). */
  decoding: LogDecoding;
}

export interface PartResult {
  range: RangeResult;
  /** One per task jail, in the task's order. */
  jails: CompactFailures[];
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

function readOnce(r: DateReader): DateReader {
  let last: string | undefined;
  let hit: ReturnType<DateReader['read']> = null;
  return { read: (line) => (line === last ? hit : ((last = line), (hit = r.read(line)))) };
}

export async function scanPart(t: PartTask): Promise<PartResult> {
  const readers = new Map<string, DateReader>();
  // Jails sharing the file share what their rules have in common per line (rules/line-memo.ts),
  // a matcher per equal rule and a group per rules that read lines alike (match-groups.ts).
  const memo = t.jails.length > 1 ? new LineMemo() : undefined;
  const filterOf = (pj: PartJail): Filter => {
    if (pj.filter) filters.set(pj.filterKey, pj.filter);
    const filter = pj.filter ?? filters.get(pj.filterKey);
    if (!filter) throw new Error(`scan worker: rule ${pj.filterKey} was never sent`);
    return filter;
  };
  const readerOf = (pj: PartJail, filter: Filter): ReaderChoice => {
    const datepattern = pj.jail.datepattern ?? filter.datepattern;
    const key = `${datepattern ?? '\0'}\u0001${pj.jail.logtimezone ?? ''}`;
    let reader = readers.get(key);
    if (!reader) readers.set(key, (reader = readOnce(createDateReader({ datepattern, timezone: pj.jail.logtimezone, now: t.now, place: { file: filter.file } }))));
    return { key, reader };
  };
  const placed = matchJails(t.jails, filterOf, readerOf, memo);
  // A jail left out could not load its rule or dates here: the same error, as before.
  const matches: JailMatch[] = t.jails.map((pj) => placed.get(pj) ?? (readerOf(pj, filterOf(pj)), placed.get(pj)!));
  let seq = 0;
  const fh = fdHandle(t.fd);
  // The lines just before the part teach the date reader the file's format and the
  // multi-line sessions what the previous part knew; their matches belong to that part.
  if (t.warmFrom < t.start) {
    await streamLines(fh, t.warmFrom, t.start, (line) => pushAll(matches, line, ++seq), t.maxLineBytes, t.decoding);
  }
  const outs = new Map<string, CompactFailures>(t.jails.map((pj) => [pj.jail.name, emptyCompact(pj.wantsText)]));
  const sink = new CompactSink(outs);
  const tallies = t.jails.map(() => newTally());
  const range = await streamLines(
    fh,
    t.start,
    t.end,
    (line) => {
      seq++;
      for (let i = 0; i < matches.length; i++) {
        const found = matchesOf(matches[i]!, line, seq);
        if (found.length !== 0) deliver(found, t.jails[i]!.jail.name, t.now, t.jails[i]!.oldest, sink, tallies[i]!);
      }
    },
    t.maxLineBytes,
    t.decoding,
  );
  return {
    range,
    jails: t.jails.map((pj, i) => ({ ...outs.get(pj.jail.name)!, failures: tallies[i]!.failures, names: tallies[i]!.names })),
  };
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

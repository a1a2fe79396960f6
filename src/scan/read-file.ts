// One log file read once for all the jails that watch it.
//
// Jails whose cursors agree (the usual case: they were read together last run) share one read.
// Jails whose offsets differ in the same file (a jail added since, or a file that grew between
// two reads) still share one read, from the smallest offset: the range is cut at each jail's
// offset and a jail joins the lines from its own offset on, so nothing is read twice and after
// this run their cursors agree. Only when the file was rotated or truncated since do jails with
// different cursors read it apart (each rotation case is followed per cursor, see sources/files).

import { stat, type FileHandle } from 'node:fs/promises';
import { loadFilter, LineMemo, type DateReader, type Filter } from '../rules/index.ts';
import { createDateReader } from '../time/index.ts';
import { readNewLines, type ReadResult } from '../sources/files.ts';
import { streamLines, type RangeResult } from '../sources/stream.ts';
import type { FileCursor } from '../state/schema.ts';
import type { Jail, RuleMatch } from '../types.ts';
import { deliver, type FailureSink } from './sink.ts';
import type { ScanPool } from './collect-parallel.ts';
import type { JailScan, ProgressSink, ScanInput } from './scan.ts';
import type { PartResult } from './collect-worker.ts';
import { replayPart } from './compact.ts';
import { matchesOf, matchJails, type JailMatch, type ReaderChoice } from './match-groups.ts';
import type { LogDecoding } from '../util/log-encoding.ts';

export interface FileMember {
  scan: JailScan & { filter?: Filter };
  cursor: FileCursor | undefined;
  /** Its matches for this read, set at its first line (match-groups.ts: shared with other jails). */
  match?: JailMatch;
}

/** The rule as a jail references it, with the jail's settings that change it: equal keys, one loaded rule. */
function ruleKey(jail: Jail): string {
  const options = Object.entries(jail.filter.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([jail.filter.name, options, jail.datepattern ?? null, jail.maxlines ?? null]);
}

export interface FileRead extends Omit<ReadResult, 'rotatedFrom'> {
  /** The jails this read was for: each gets the cursor. */
  members: FileMember[];
}

export interface ReadContext {
  input: ScanInput;
  sink: FailureSink;
  pool: ScanPool;
  progress: ProgressSink | null;
  onRuleError: (js: JailScan, e: unknown) => void;
  /** How the file's bytes become text (its jails' logencoding). */
  decoding: LogDecoding;
}

function sameCursor(a: FileCursor | undefined, b: FileCursor | undefined): boolean {
  if (!a || !b) return a === b;
  return a.dev === b.dev && a.ino === b.ino && a.offset === b.offset && a.size === b.size && a.mtimeMs === b.mtimeMs && a.headHash === b.headHash;
}

/** Members split into reads: one when their cursors agree or can be merged, else one per cursor. */
async function planReads(file: string, members: FileMember[], startAtEnd: boolean): Promise<FileMember[][]> {
  const groups: FileMember[][] = [];
  for (const m of members) {
    const g = groups.find((x) => sameCursor(x[0]!.cursor, m.cursor));
    if (g) g.push(m);
    else groups.push([m]);
  }
  if (groups.length === 1 || startAtEnd) return groups;
  // Different offsets in the same, unrotated file: one read, cut at the offsets.
  const st = await stat(file).catch(() => null);
  const heads = new Set(members.flatMap((m) => (m.cursor?.headHash !== undefined ? [m.cursor.headHash] : [])));
  const mergeable =
    st !== null &&
    heads.size <= 1 &&
    members.every((m) => !m.cursor || (m.cursor.dev === st.dev && m.cursor.ino === st.ino && m.cursor.offset <= st.size));
  return mergeable ? [members] : groups;
}

/** Where a member starts in the current file (no cursor: the beginning). */
const offsetOf = (m: FileMember) => m.cursor?.offset ?? 0;

export async function readFileForJails(file: string, members: FileMember[], ctx: ReadContext): Promise<FileRead[]> {
  const out: FileRead[] = [];
  for (const group of await planReads(file, members, ctx.input.startAtEnd)) out.push(await readGroup(file, group, ctx));
  return out;
}

/** A date reader that reads each line once for all the jails sharing its settings. */
function sharedReader(r: DateReader): DateReader {
  let last: string | undefined;
  let hit: ReturnType<DateReader['read']> = null;
  return {
    read(line) {
      if (line !== last) {
        last = line;
        hit = r.read(line);
      }
      return hit;
    },
  };
}

async function readGroup(file: string, group: FileMember[], ctx: ReadContext): Promise<FileRead> {
  const { input, sink, progress } = ctx;
  const base = group.reduce((a, b) => (offsetOf(b) < offsetOf(a) ? b : a));
  const readers = new Map<string, DateReader>();
  // Jails reading this file together share what their rules have in common per line (rules/line-memo.ts).
  const memo = group.length > 1 ? new LineMemo() : undefined;

  // Jails with the same rule and settings share one loaded rule (and, from the same offset, one matcher).
  const filters = new Map<string, Filter>();
  const filterOf = (m: FileMember): Filter => {
    if (m.scan.filter) return m.scan.filter;
    const jail = m.scan.jail;
    const k = ruleKey(jail);
    let f = filters.get(k);
    if (!f) filters.set(k, (f = loadFilter(jail.filter, { searchDirs: input.filterDirs, jailDatepattern: jail.datepattern, jailMaxlines: jail.maxlines })));
    return (m.scan.filter = f);
  };
  const readerOf = (m: FileMember, filter: Filter): ReaderChoice => {
    const jail: Jail = m.scan.jail;
    const datepattern = jail.datepattern ?? filter.datepattern;
    const key = `${datepattern ?? '\0'}\u0001${jail.logtimezone ?? ''}`;
    let reader = readers.get(key);
    if (!reader) readers.set(key, (reader = sharedReader(createDateReader({ datepattern, timezone: jail.logtimezone, now: input.now, place: { file: filter.file } }))));
    return { key, reader };
  };
  // Loaded at the jails' first new line (an idle run compiles nothing), for every jail starting
  // at that line at once: their matchers are grouped before any of them reads a line.
  const matchOf = (m: FileMember): JailMatch => {
    const from = offsetOf(m);
    const starting = group.filter((x) => x === m || (!x.match && !x.scan.error && offsetOf(x) === from));
    for (const [x, jm] of matchJails(starting, filterOf, readerOf, memo)) x.match = jm;
    // Not placed: its rule or date settings do not load; asked alone, it throws that error.
    if (!m.match) readerOf(m, filterOf(m));
    return m.match!;
  };

  // The jails that take the lines being read now (see the cut in streamRange below).
  let active = group.filter((m) => offsetOf(m) <= offsetOf(base));
  let pendingBytes = 0;
  let pendingLines = 0;
  let seq = 0;
  const onLine = (line: string) => {
    seq++;
    if (progress) {
      pendingBytes += line.length + 1;
      if (++pendingLines === 65536) {
        progress.tick(pendingBytes, pendingLines);
        pendingBytes = pendingLines = 0;
      }
    }
    for (let i = 0; i < active.length; i++) {
      const m = active[i]!;
      if (m.scan.error) continue;
      try {
        const found = matchesOf(m.match ?? matchOf(m), line, seq);
        if (found.length !== 0) deliver(found, m.scan.jail.name, input.now, m.scan.oldest, sink, m.scan.tally);
      } catch (e) {
        ctx.onRuleError(m.scan, e);
      }
    }
  };
  const onPart = (part: PartResult, members: FileMember[]) => {
    replayPart(part, members.map((m) => m.scan), sink);
    progress?.tick(part.range.bytes, part.range.lines);
  };

  // The range of the current file: cut at the offsets of the jails that join later; a large
  // range goes to the worker threads (collect-parallel.ts), part by part in order.
  const offsets = [...new Set(group.map(offsetOf))].sort((a, b) => a - b);
  const planned = await stat(file).catch(() => null);
  const streamRange = async (fh: FileHandle, start: number, end: number, lineCb: (line: string) => void, maxLineBytes?: number, decoding?: LogDecoding): Promise<RangeResult> => {
    // Offsets belong to the file planned: a file replaced in between is read whole by everyone.
    const same = planned !== null && offsets.length > 1 && (await fh.stat()).ino === planned.ino;
    const cuts = same ? offsets.filter((o) => o > start && o < end) : [];
    let total: RangeResult | null = null;
    let from = start;
    for (const to of [...cuts, end]) {
      active = same ? group.filter((m) => offsetOf(m) <= from) : group;
      const live = active.filter((m) => !m.scan.error);
      const streamer = live.length > 0 ? ctx.pool.streamer(live, filterOf, file, input.now, sink, (p) => onPart(p, live)) : streamLines;
      const r = await streamer(fh, from, to, lineCb, maxLineBytes, decoding);
      total = total ? addRange(total, r) : r;
      if (r.bytes < to - from) break; // the file shrank: stop here
      from = to;
    }
    return total!;
  };

  const res = await readNewLines(file, base.cursor, onLine, {
    startAtEnd: input.startAtEnd && !base.cursor,
    streamRange,
    decoding: ctx.decoding,
  });
  progress?.tick(pendingBytes, pendingLines);
  return { members: group, cursor: res.cursor, bytesRead: res.bytesRead, linesRead: res.linesRead, warnings: res.warnings, ...(res.unread ? { unread: res.unread } : {}) };
}

function addRange(a: RangeResult, b: RangeResult): RangeResult {
  return {
    bytes: a.bytes + b.bytes,
    lines: a.lines + b.lines,
    cutLines: a.cutLines + b.cutLines,
    invalidUtf8: a.invalidUtf8 || b.invalidUtf8,
    nulBytes: a.nulBytes || b.nulBytes,
  };
}

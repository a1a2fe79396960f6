// Log files with cursors: each run resumes a file where the last stopped, reads only complete new lines,
// and follows rotation (rename-and-create and copytruncate) so lines written just before it are not lost.
//
// What survives rotation, and what cannot:
// - rename-and-create: the old inode is looked up by device + inode among the log's siblings whose names
//   start with the log's name (auth.log.1, auth.log-20261124, ...) and read from the cursor to its end.
//   Lost: lines in a rotated file that is already compressed or moved elsewhere (olddir), with a warning;
//   lines the daemon writes to the old inode after we finished it (before its HUP), as with any tailer.
// - copytruncate: the same inode shrinks (or restarts with other first bytes, seen through the head
//   fingerprint in the cursor). The copy is recognised by its first bytes and read from the cursor first.
//   Lost: lines written between the copy and the truncation (copytruncate's own gap), and everything after
//   the cursor when no uncompressed copy is left, with a warning. Logs whose first 1 KiB is the same
//   after every rotation (a fixed banner) defeat the fingerprint: only the size check is left for them.

import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { FileCursor } from '../state/schema.ts';
import { DEFAULT_MAX_LINE_BYTES, streamLines, type RangeResult } from './stream.ts';
import { fingerprint, headMatches, HEAD_BYTES } from './fingerprint.ts';
import { findByInode, findCopy } from './rotation.ts';
import { describeFsError, fileKind } from './describe.ts';
import type { LogDecoding } from '../util/log-encoding.ts';

export { expandLogpaths } from './glob.ts';

export interface ReadOptions {
  /** Unknown file: skip to its end (the state was recovered from corruption: nothing old is re-counted). */
  startAtEnd?: boolean;
  /** Default 65536: longer lines are cut, counted in warnings. */
  maxLineBytes?: number;
  /** How the bytes become text (the jail's logencoding, resolved): UTF-8 unless given. */
  decoding?: LogDecoding;
  /**
   * Reads the new range of the current file instead of streamLines (same contract): the
   * run's parallel reader of large backlogs (collect-parallel.ts).
   */
  streamRange?: typeof streamLines;
}

export interface ReadResult {
  cursor: FileCursor;
  bytesRead: number;
  linesRead: number;
  warnings: string[];
  /** The rotated file whose tail was read before this one (rename-and-create or copytruncate). */
  rotatedFrom?: string;
  /** Why the file (or the rest of it) was not read: missing, unreadable, not a file (one of the warnings). */
  unread?: string;
}

/** The cursor of a file we could not look at: any real file later differs from it, so reading starts at 0. */
const NO_FILE: FileCursor = { dev: 0, ino: 0, offset: 0, size: 0, mtimeMs: 0 };

const TAIL_SCAN = 64 * 1024;

/** Position just after the last newline in [start, size), or `start` when there is none. */
export async function lastLineEnd(fh: FileHandle, start: number, size: number): Promise<number> {
  const buf = Buffer.alloc(TAIL_SCAN);
  let hi = size;
  while (hi > start) {
    const lo = Math.max(start, hi - TAIL_SCAN);
    const { bytesRead } = await fh.read(buf, 0, hi - lo, lo);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl !== -1) return lo + nl + 1;
    hi = lo;
  }
  return start;
}

/** Collects what one call read, over the rotated file and the current one. */
class Tally {
  bytes = 0;
  lines = 0;
  readonly warnings: string[] = [];
  unread: string | undefined;
  /** A warning that means lines were not read: the report counts the jail incomplete. */
  skip(message: string): void {
    this.warnings.push(message);
    this.unread ??= message;
  }
  constructor(
    private readonly maxLineBytes: number,
    readonly decoding: LogDecoding,
  ) {}

  add(path: string, r: RangeResult): void {
    this.bytes += r.bytes;
    this.lines += r.lines;
    if (r.cutLines) this.warnings.push(`${path}: ${r.cutLines} line(s) longer than ${this.maxLineBytes} bytes were cut`);
    if (r.nulBytes) this.warnings.push(`${path}: contains NUL bytes (binary file or a hole left by a crash); lines read as text`);
    if (r.invalidUtf8) {
      const enc = this.decoding === 'utf-8' ? 'UTF-8' : this.decoding;
      this.warnings.push(`${path}: contains invalid ${enc}; bad bytes read as U+FFFD (a jail's logencoding names the log's encoding)`);
    }
  }
}

function cursorOf(st: Stats, offset: number, head: { headBytes: number; headHash: string }): FileCursor {
  return { dev: st.dev, ino: st.ino, offset, size: st.size, mtimeMs: st.mtimeMs, ...head };
}

/**
 * Read the rest of a rotated file from the cursor's offset to its very end: it gets no more lines, so a
 * final line without a newline is delivered too.
 */
async function readRotatedTail(
  rotated: string, cursor: FileCursor, onLine: (line: string) => void, tally: Tally, maxLineBytes: number,
): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(rotated, 'r');
  } catch (e) {
    tally.warnings.push(`${rotated}: rotated file not readable (${describeFsError(e)}); lines after offset ${cursor.offset} are lost`);
    return false;
  }
  try {
    const st = await fh.stat();
    // Same inode but other first bytes: the inode was reused by an unrelated file, not our log.
    if (st.size < cursor.offset || !(await headMatches(fh, st.size, cursor))) return false;
    tally.add(rotated, await streamLines(fh, cursor.offset, st.size, onLine, maxLineBytes, tally.decoding));
    return true;
  } finally {
    await fh.close();
  }
}

/**
 * Read the complete lines added to `path` since `cursor`, calling `onLine` for each in order.
 * Never throws for file problems (missing, unreadable, odd type): they come back as one-line warnings
 * and the cursor stays where it was, so the next run retries.
 */
export async function readNewLines(
  path: string,
  cursor: FileCursor | undefined,
  onLine: (line: string) => void,
  opts: ReadOptions = {},
): Promise<ReadResult> {
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const tally = new Tally(maxLineBytes, opts.decoding ?? 'utf-8');
  const done = (c: FileCursor, rotatedFrom?: string): ReadResult => ({
    cursor: c, bytesRead: tally.bytes, linesRead: tally.lines, warnings: tally.warnings,
    ...(rotatedFrom ? { rotatedFrom } : {}),
    ...(tally.unread ? { unread: tally.unread } : {}),
  });

  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && cursor) return readWhileMissing(path, cursor, onLine, tally, maxLineBytes, done);
    tally.skip(`${path}: ${describeFsError(e)}; skipped`);
    return done(cursor ?? NO_FILE);
  }
  if (!st.isFile()) {
    // Never open a FIFO or device: it could block the run forever.
    tally.skip(`${path}: is ${fileKind(st)}, not a log file; skipped`);
    return done(cursor ?? NO_FILE);
  }
  // The idle path of a run every minute: nothing changed, nothing opened.
  if (cursor && cursor.dev === st.dev && cursor.ino === st.ino && cursor.size === st.size && cursor.mtimeMs === st.mtimeMs) {
    return done(cursor);
  }

  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    tally.skip(`${path}: ${describeFsError(e)}; skipped`);
    return done(cursor ?? NO_FILE);
  }
  try {
    // From here on, the file we actually opened counts (it may have been replaced since the stat).
    const cur = await fh.stat();
    if (!cur.isFile()) {
      tally.skip(`${path}: is ${fileKind(cur)}, not a log file; skipped`);
      return done(cursor ?? NO_FILE);
    }
    let start = 0;
    let rotatedFrom: string | undefined;
    if (!cursor) {
      if (opts.startAtEnd) {
        const end = await lastLineEnd(fh, 0, cur.size);
        return done(cursorOf(cur, end, await fingerprint(fh, cur.size)));
      }
    } else if (cursor.dev === cur.dev && cursor.ino === cur.ino) {
      if (cur.size >= cursor.offset && (await headMatches(fh, cur.size, cursor))) {
        start = cursor.offset;
      } else {
        // copytruncate (or someone emptied / rewrote the file): look for the copy to finish it first.
        const copy = await findCopy(path, cursor, cur.ino);
        if (copy && (await readRotatedTail(copy, cursor, onLine, tally, maxLineBytes))) {
          rotatedFrom = copy;
        } else {
          const how = cur.size < cursor.offset ? `shrank below the last offset (${cur.size} < ${cursor.offset})` : 'was rewritten (its first bytes changed)';
          tally.warnings.push(`${path}: ${how}, no rotated copy found; reading from the start (lines written between the last run and the truncation are lost)`);
        }
      }
    } else {
      // rename-and-create: the old inode now lives under a rotated name; finish it before the new file.
      const old = await findByInode(path, cursor);
      if (old && (await readRotatedTail(old, cursor, onLine, tally, maxLineBytes))) {
        rotatedFrom = old;
      } else if (cursor.ino !== 0) {
        tally.warnings.push(`${path}: was replaced (rotated) and the previous file was not found uncompressed next to it; lines written to it after the last run are lost`);
      }
    }

    const end = await lastLineEnd(fh, start, cur.size);
    const r = await (opts.streamRange ?? streamLines)(fh, start, end, onLine, maxLineBytes, tally.decoding);
    tally.add(path, r);
    let offset = end;
    if (r.bytes < end - start) {
      tally.warnings.push(`${path}: shrank while being read; will check it again next run`);
      offset = start + r.bytes;
    }
    const head = cursor && cursor.headBytes === HEAD_BYTES && start > 0
      ? { headBytes: HEAD_BYTES, headHash: cursor.headHash! }
      : await fingerprint(fh, cur.size);
    return done(cursorOf(cur, offset, head), rotatedFrom);
  } catch (e) {
    // A file problem (EIO, ...) is a warning; anything else (onLine threw) is a bug for the caller to see.
    if (typeof (e as NodeJS.ErrnoException)?.code !== 'string') throw e;
    tally.skip(`${path}: ${describeFsError(e)}; stopped reading it`);
    return done(cursor ?? NO_FILE);
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * The log is gone from its path: rotated and not yet recreated, or deleted. If the old inode sits under a
 * rotated name, read its complete lines now and keep following it; the next run finishes it.
 */
async function readWhileMissing(
  path: string, cursor: FileCursor, onLine: (line: string) => void, tally: Tally, maxLineBytes: number,
  done: (c: FileCursor, rotatedFrom?: string) => ReadResult,
): Promise<ReadResult> {
  const old = await findByInode(path, cursor);
  if (!old) {
    tally.skip(`${path}: does not exist (vanished?); skipped`);
    return done(cursor);
  }
  let fh: FileHandle;
  try {
    fh = await open(old, 'r');
  } catch (e) {
    tally.skip(`${old}: ${describeFsError(e)}; skipped`);
    return done(cursor);
  }
  try {
    const st = await fh.stat();
    if (st.size < cursor.offset) return done(cursor);
    const end = await lastLineEnd(fh, cursor.offset, st.size);
    tally.add(old, await streamLines(fh, cursor.offset, end, onLine, maxLineBytes, tally.decoding));
    return done({ ...cursor, offset: end, size: st.size, mtimeMs: st.mtimeMs }, old);
  } finally {
    await fh.close().catch(() => {});
  }
}

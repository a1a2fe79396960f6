// Stream a byte range of an open log file as lines: fs read stream -> line guard -> split2.
// Memory stays bounded by the read chunk size and the line cap, whatever the file size.

import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import split2 from 'split2';

/** Read chunk size: large chunks keep the per-chunk stream overhead negligible. */
export const HIGH_WATER_MARK = 1 << 20;
export const DEFAULT_MAX_LINE_BYTES = 65536;

export interface RangeResult {
  /** Bytes that went through the line splitter (end - start when the file did not shrink meanwhile). */
  bytes: number;
  lines: number;
  /** Lines longer than the cap, delivered cut. */
  cutLines: number;
  /** Some bytes were not valid UTF-8 (decoded as U+FFFD). */
  invalidUtf8: boolean;
  /** NUL bytes seen: probably a binary file or a pre-allocated hole after a crash. */
  nulBytes: boolean;
}

const NL = 0x0a;

/**
 * Before the splitter: counts bytes, spots NUL and invalid UTF-8 once per chunk (native scans, no per-line
 * work), and drops the tail of any line beyond the cap so a file without newlines cannot fill memory.
 * It passes a little more than the cap (`cap + 4`) so the splitter's mapper still sees the line as too long
 * (and counts and cuts it) even when a multi-byte character straddles the cut.
 */
class LineGuard extends Transform {
  bytes = 0;
  invalidUtf8 = false;
  nulBytes = false;
  /** Bytes of the current (unterminated) line already passed on. */
  private sinceNewline = 0;
  private dropping = false;
  private readonly pass: number;
  /** Whether the previous chunk ended exactly at a line end (UTF-8 check then starts at byte 0). */
  private atLineStart = true;

  constructor(cap: number) {
    super();
    this.pass = cap + 4;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (!this.nulBytes && chunk.indexOf(0) !== -1) this.nulBytes = true;
    const first = chunk.indexOf(NL);
    const last = first === -1 ? -1 : chunk.lastIndexOf(NL);
    if (!this.invalidUtf8 && last !== -1) {
      // Only whole lines are checked, so a character split across two chunks is not a false alarm.
      const from = this.atLineStart ? 0 : first + 1;
      if (from <= last && !isUtf8(chunk.subarray(from, last + 1))) this.invalidUtf8 = true;
    }
    this.atLineStart = chunk.length > 0 && chunk[chunk.length - 1] === NL;

    if (first === -1) {
      // The whole chunk continues the current line.
      const room = this.pass - this.sinceNewline;
      if (this.dropping || room <= 0) { this.dropping = true; cb(); return; }
      if (chunk.length > room) { this.dropping = true; this.sinceNewline += room; cb(null, chunk.subarray(0, room)); return; }
      this.sinceNewline += chunk.length;
      cb(null, chunk);
      return;
    }
    // Head (up to the first newline) ends the current line; the tail after the last newline starts a new one.
    let out = chunk;
    const headLen = first; // bytes before the newline
    if (this.dropping || this.sinceNewline + headLen > this.pass) {
      const keep = this.dropping ? 0 : Math.max(0, this.pass - this.sinceNewline);
      out = Buffer.concat([chunk.subarray(0, keep), chunk.subarray(first)]);
      this.dropping = false;
    }
    const tail = chunk.length - 1 - last;
    if (tail > this.pass) {
      // A huge unterminated tail: keep only what the cap allows (offsets are shifted by the cut, fine for splitting).
      out = out.subarray(0, out.length - (tail - this.pass));
      this.dropping = true;
      this.sinceNewline = this.pass;
    } else {
      this.sinceNewline = tail;
    }
    cb(null, out);
  }
}

/** Cut a string to at most `cap` UTF-8 bytes, not leaving half a character. */
export function cutToBytes(line: string, cap: number): string {
  const buf = Buffer.from(line, 'utf8').subarray(0, cap);
  let s = buf.toString('utf8');
  if (s.endsWith('\uFFFD') && !line.startsWith(s)) s = s.slice(0, -1);
  return s;
}

/**
 * Deliver the lines in [start, end) of `fh` to `onLine`, in order, synchronously from the splitter.
 * `end` should sit just after a newline unless the caller wants a final unterminated line delivered too.
 * A trailing \r is removed (CRLF logs).
 */
export async function streamLines(
  fh: FileHandle,
  start: number,
  end: number,
  onLine: (line: string) => void,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): Promise<RangeResult> {
  const res: RangeResult = { bytes: 0, lines: 0, cutLines: 0, invalidUtf8: false, nulBytes: false };
  if (end <= start) return res;
  const guard = new LineGuard(maxLineBytes);
  // A UTF-16 length of at most cap/3 cannot exceed cap bytes: the exact byte count is only taken for long lines.
  const suspect = Math.floor(maxLineBytes / 3);
  const splitter = split2('\n', (line: string) => {
    if (line.length !== 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.length > suspect && Buffer.byteLength(line, 'utf8') > maxLineBytes) {
      line = cutToBytes(line, maxLineBytes);
      res.cutLines++;
    }
    res.lines++;
    onLine(line);
    return undefined; // nothing is pushed downstream: lines go straight to onLine
  });
  splitter.resume();
  const input = fh.createReadStream({ start, end: end - 1, highWaterMark: HIGH_WATER_MARK, autoClose: false });
  await pipeline(input, guard, splitter);
  res.bytes = guard.bytes;
  res.invalidUtf8 = guard.invalidUtf8;
  res.nulBytes = guard.nulBytes;
  return res;
}

// Read a byte range of an open log file as lines: one large buffer filled by plain reads,
// decoded in slices of about 4 KiB that end at a line end, each split with indexOf.
// Memory stays bounded by the buffer and the line cap, whatever the file size.
//
// Why not a stream + split2: the stream machinery cost more CPU than the rules, and each
// 1 MiB chunk decoded to one 1 MiB string lands in V8's large-object space, which only a
// full GC frees: on a 100 MB log the heap grew past 150 MB of dead chunk strings. Strings
// under 128 KiB are young-generation objects that the next scavenge frees almost for free.
// Small slices also bound what a kept line costs: a line is a view of its slice, and a rule's
// multi-line sessions keep a few thousand of them (4 KiB each at most, not 64 KiB or 1 MiB).

import type { FileHandle } from 'node:fs/promises';
import type { LogDecoding } from '../util/log-encoding.ts';
import { decoderFor } from './decode.ts';

/** Read size: one read() call per MiB keeps syscall overhead negligible. */
export const HIGH_WATER_MARK = 1 << 20;
export const DEFAULT_MAX_LINE_BYTES = 65536;
/** Decode about this much at once (see above); a longer line is one slice of its own. */
const SLICE = 4096;

export interface RangeResult {
  /** Bytes read (end - start when the file did not shrink meanwhile). */
  bytes: number;
  lines: number;
  /** Lines longer than the cap, delivered cut. */
  cutLines: number;
  /** Some bytes were not valid in the log's encoding (UTF-8 unless the jail's logencoding says otherwise), decoded as U+FFFD. */
  invalidUtf8: boolean;
  /** NUL bytes seen: probably a binary file or a pre-allocated hole after a crash. */
  nulBytes: boolean;
}

const NL = 0x0a;

/** Cut a string to at most `cap` UTF-8 bytes, not leaving half a character. */
export function cutToBytes(line: string, cap: number): string {
  const buf = Buffer.from(line, 'utf8').subarray(0, cap);
  let s = buf.toString('utf8');
  if (s.endsWith('\uFFFD') && !line.startsWith(s)) s = s.slice(0, -1);
  return s;
}

/**
 * Deliver the lines in [start, end) of `fh` to `onLine`, in order.
 * `end` should sit just after a newline unless the caller wants a final unterminated line delivered too.
 * A trailing \r is removed (CRLF logs).
 */
export async function streamLines(
  fh: FileHandle,
  start: number,
  end: number,
  onLine: (line: string) => void,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
  decoding: LogDecoding = 'utf-8',
): Promise<RangeResult> {
  const res: RangeResult = { bytes: 0, lines: 0, cutLines: 0, invalidUtf8: false, nulBytes: false };
  if (end <= start) return res;
  const bad = { seen: false };
  const decode = decoderFor(decoding);
  // A UTF-16 length of at most cap/3 cannot exceed cap bytes: the exact byte count is only taken for long lines.
  const suspect = Math.floor(maxLineBytes / 3);
  // Larger than any line we keep whole: a full buffer without a newline is a line over the cap.
  const buf = Buffer.allocUnsafe(Math.max(HIGH_WATER_MARK, 2 * (maxLineBytes + 4)));

  const deliver = (line: string): void => {
    if (line.length !== 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.length > suspect && Buffer.byteLength(line, 'utf8') > maxLineBytes) {
      line = cutToBytes(line, maxLineBytes);
      res.cutLines++;
    }
    res.lines++;
    onLine(line);
  };

  /** The whole lines in buf[a, b) (b just after a newline), a slice of at most SLICE bytes at a time. */
  const lines = (a: number, b: number): void => {
    while (a < b) {
      let e = b;
      if (e - a > SLICE) {
        const nl = buf.lastIndexOf(NL, a + SLICE - 1);
        e = nl >= a ? nl + 1 : buf.indexOf(NL, a + SLICE) + 1;
      }
      const text = decode(buf, a, e, bad);
      let i = 0;
      for (let j = text.indexOf('\n'); j !== -1; j = text.indexOf('\n', i)) {
        deliver(text.slice(i, j));
        i = j + 1;
      }
      a = e;
    }
  };

  let pos = start;
  /** Bytes at the front of buf: the start of a line not complete yet. */
  let filled = 0;
  /** The first bytes of a line longer than the buffer, while the rest of it is skipped. */
  let longHead: Buffer | null = null;
  while (pos < end) {
    const { bytesRead } = await fh.read(buf, filled, Math.min(buf.length - filled, end - pos), pos);
    if (bytesRead === 0) break; // the file shrank under us: the caller sees bytes < end - start
    if (!res.nulBytes && buf.subarray(filled, filled + bytesRead).indexOf(0) !== -1) res.nulBytes = true;
    pos += bytesRead;
    res.bytes += bytesRead;
    const newFrom = filled;
    filled += bytesRead;
    let from = 0;
    if (longHead) {
      const nl = buf.indexOf(NL, newFrom);
      if (nl === -1 || nl >= filled) {
        filled = 0; // still inside the long line: drop what was read
        continue;
      }
      deliver(decode(longHead, 0, longHead.length, { seen: false })); // cut mid-character: not the log's fault
      longHead = null;
      from = nl + 1;
    }
    const last = buf.lastIndexOf(NL, filled - 1);
    if (last < from) {
      if (filled === buf.length) {
        // No newline in a full buffer: keep what the cap allows (and a little more, so the
        // cut sees the line as too long), skip the rest up to its newline.
        longHead = Buffer.from(buf.subarray(from, from + maxLineBytes + 4));
        filled = 0;
      } else if (from > 0) {
        buf.copyWithin(0, from, filled);
        filled -= from;
      }
      continue;
    }
    lines(from, last + 1);
    buf.copyWithin(0, last + 1, filled);
    filled -= last + 1;
  }
  if (longHead) deliver(decode(longHead, 0, longHead.length, { seen: false }));
  else if (filled > 0) {
    // A last line without a newline (the caller asked for it, or the file shrank).
    deliver(decode(buf, 0, filled, bad));
  }
  res.invalidUtf8 = bad.seen;
  return res;
}

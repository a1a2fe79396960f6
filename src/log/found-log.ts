// The own log's "Found <ip> - <date>" lines (INFO, one per failure: 300,000 in a 1M-line
// attack), appended in batches while the scan finds them. Kept to the end of the run they
// were most of its memory; written as they come, a batch is all that is held.
//
// Each line is what formatLine makes of the record (the run's clock as its date), byte for
// byte: the recidive rule and people read this log. Found lines still come before the run's
// Ban and Unban lines. A run that dies after a batch leaves those lines written and its state
// unsaved, so the next run reads the same failures again and logs them again, as fail2ban
// does after a restart; Ban lines (what recidive counts) are only written once bans are made.
//
// A batch is bytes, written straight into one reused buffer: the jail's head copied, the
// address written from its key (an IPv4 key's digits without a string), the date's characters.
// A string per line, then joining and encoding them, was a tenth of a botnet wave's run.

import type { AddrKey } from '../net/key.ts';
import type { Epoch } from '../types.ts';
import { formatBody, formatLine, localTime, oneLine, type LogRecord } from './format.ts';
import { appendLines, priority, type LogProblem, type LogTarget } from './target.ts';

/** About 3,000 lines: the most a batch holds before it is appended. */
const BATCH_BYTES = 256 * 1024;
/** Room a line needs besides its jail's head and its date: an address (IPv6 range at most 43), " - ", "\n". */
const LINE_ROOM = 64;

export class FoundLog {
  /** Everything of a line before its message: the same for every Found line of the run. */
  private readonly head: string;
  private buf = Buffer.allocUnsafe(BATCH_BYTES + 4096);
  private at = 0;
  /** The first write that failed; later batches are dropped (the run reports it once). */
  problem: LogProblem | null = null;
  /** Each jail's head (`head` and "[jail] Found ") as UTF-8 bytes, made once: the jails of a shared file take turns line by line. */
  private readonly heads = new Map<string, Uint8Array>();
  private lastJail: string | null = null;
  private jailHead: Uint8Array = new Uint8Array(0);
  /** The date of the last second written, as bytes (lines come in time order: most share it). */
  private lastSecond = NaN;
  private date = new Uint8Array(32);
  private dateLength = 0;
  /** The minute (epoch / 60) of `date` when its other seconds differ in the last two digits only (NaN: not known). */
  private dateMinute = NaN;

  constructor(private readonly target: LogTarget, now: Epoch, private readonly pid = process.pid) {
    const empty: LogRecord = { time: now, logger: 'f2b-scan.filter', level: 'INFO', message: '' };
    // syslog dates its messages itself: it gets the body only.
    this.head = target.kind === 'syslog' ? formatBody(empty, pid) : formatLine(empty, pid);
  }

  add(jail: string, key: AddrKey, time: Epoch): void {
    if (this.problem) return;
    // The jail's name is the only text here not made by this program: its newlines are escaped
    // once per jail (the address and the date hold none), not once per line.
    if (jail !== this.lastJail) {
      this.lastJail = jail;
      let h = this.heads.get(jail);
      if (h === undefined) this.heads.set(jail, (h = Buffer.from(this.head + oneLine(`[${jail}] Found `), 'utf8')));
      this.jailHead = h;
    }
    const second = Math.floor(time);
    if (second !== this.lastSecond) this.setDate(second, time);
    const dateLength = this.dateLength;
    const need = this.jailHead.length + LINE_ROOM + dateLength;
    if (this.at + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    const buf = this.buf;
    buf.set(this.jailHead, this.at);
    let at = this.at + this.jailHead.length;
    at = typeof key === 'number' ? writeV4(buf, at, key) : writeText(buf, at, key);
    buf[at++] = 32; // " - "
    buf[at++] = 45;
    buf[at++] = 32;
    const date = this.date;
    for (let i = 0; i < dateLength; i++) buf[at++] = date[i]!;
    buf[at++] = 10;
    this.at = at;
    if (at >= BATCH_BYTES) this.flush();
  }

  /**
   * The date bytes of `second` (`time` floored). Within the minute of the last date formatted,
   * only its seconds' two digits change: a botnet wave's Found lines are seconds apart, and a
   * date string per line (padded, joined, then flattened to be copied) cost more than the rest
   * of the line.
   */
  private setDate(second: number, time: Epoch): void {
    this.lastSecond = second;
    const minute = Math.floor(second / 60);
    const sec = second - minute * 60;
    const date = this.date;
    if (minute === this.dateMinute) {
      date[this.dateLength - 2] = 48 + Math.floor(sec / 10);
      date[this.dateLength - 1] = 48 + (sec % 10);
      return;
    }
    const text = localTime(time); // digits and punctuation: ASCII
    const n = text.length;
    if (n > date.length) this.date = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.date[i] = text.charCodeAt(i);
    this.dateLength = n;
    // The test localTime makes: a zone offset with seconds (before 1972) is formatted anew each second.
    this.dateMinute = (text.charCodeAt(n - 2) - 48) * 10 + text.charCodeAt(n - 1) - 48 === sec ? minute : NaN;
  }

  /** Append what the batch holds. */
  flush(): void {
    if (this.at === 0 || this.problem) return;
    const bytes = this.buf.subarray(0, this.at);
    this.at = 0;
    // appendLines writes before it returns (or copies): the buffer is free for the next batch.
    this.problem = appendLines(this.target, bytes, priority('INFO'), this.pid);
  }
}

/** An IPv4 key's dotted quad at `at`; returns the end. */
function writeV4(buf: Buffer, at: number, key: number): number {
  at = writeByte(buf, at, key >>> 24);
  buf[at++] = 46;
  at = writeByte(buf, at, (key >>> 16) & 255);
  buf[at++] = 46;
  at = writeByte(buf, at, (key >>> 8) & 255);
  buf[at++] = 46;
  return writeByte(buf, at, key & 255);
}

function writeByte(buf: Buffer, at: number, v: number): number {
  if (v >= 100) buf[at++] = 48 + Math.floor(v / 100);
  if (v >= 10) buf[at++] = 48 + (Math.floor(v / 10) % 10);
  buf[at++] = 48 + (v % 10);
  return at;
}

/** ASCII text (an address key, a date) at `at`; anything else through the UTF-8 encoder. Returns the end. */
function writeText(buf: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return at - i + buf.write(s, at - i, 'utf8');
    buf[at++] = c;
  }
  return at;
}

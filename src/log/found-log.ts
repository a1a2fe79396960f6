// The own log's "Found <ip> - <date>" lines (INFO, one per failure: 300,000 in a 1M-line
// attack), appended in batches while the scan finds them. Kept to the end of the run they
// were most of its memory; written as they come, a batch is all that is held.
//
// Each line is what formatLine makes of the record (the run's clock as its date), byte for
// byte: the recidive rule and people read this log. Found lines still come before the run's
// Ban and Unban lines. A run that dies after a batch leaves those lines written and its state
// unsaved, so the next run reads the same failures again and logs them again, as fail2ban
// does after a restart; Ban lines (what recidive counts) are only written once bans are made.

import type { Epoch } from '../types.ts';
import { formatBody, formatLine, localTime, oneLine, type LogRecord } from './format.ts';
import { appendLines, priority, type LogProblem, type LogTarget } from './target.ts';

/** About 3,000 lines: the most a batch holds before it is appended. */
const BATCH_BYTES = 256 * 1024;

export class FoundLog {
  /** Everything of a line before its message: the same for every Found line of the run. */
  private readonly head: string;
  private batch: string[] = [];
  private bytes = 0;
  /** The first write that failed; later batches are dropped (the run reports it once). */
  problem: LogProblem | null = null;
  /** The last jail's head: `head` and "[jail] Found ". */
  private lastJail: string | null = null;
  private jailHead = '';

  constructor(private readonly target: LogTarget, now: Epoch, private readonly pid = process.pid) {
    const empty: LogRecord = { time: now, logger: 'f2b-scan.filter', level: 'INFO', message: '' };
    // syslog dates its messages itself: it gets the body only.
    this.head = target.kind === 'syslog' ? formatBody(empty, pid) : formatLine(empty, pid);
  }

  add(jail: string, ip: string, time: Epoch): void {
    if (this.problem) return;
    // The jail's name is the only text here not made by this program: its newlines are escaped
    // once per jail (the address and the date hold none), not once per line.
    if (jail !== this.lastJail) {
      this.lastJail = jail;
      this.jailHead = this.head + oneLine(`[${jail}] Found `);
    }
    const line = `${this.jailHead}${ip} - ${localTime(time)}\n`;
    this.batch.push(line);
    this.bytes += line.length;
    if (this.bytes >= BATCH_BYTES) this.flush();
  }

  /** Append what the batch holds. */
  flush(): void {
    if (this.batch.length === 0 || this.problem) return;
    const text = this.batch.join('');
    this.batch = [];
    this.bytes = 0;
    this.problem = appendLines(this.target, text, priority('INFO'), this.pid);
  }
}

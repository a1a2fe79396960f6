// Syslog daemons fold a run of identical messages into one line, which then stands for
// several failures:
//   rsyslog (RepeatedMsgReduction):  host sshd[1]: message repeated 5 times: [ Failed password ...]
//   sysklogd, busybox:               host last message repeated 5 times
// unfoldRepeated() gives back the line a rule should read (the program's header with the
// message inside the brackets) and the count, so a match counts that many times. The
// wrapper must follow the header directly -- "host prog[pid]: " -- so a client who writes
// "message repeated 100 times: [" into a user name does not multiply anything: its text
// stands after the program's own words.

/** A count beyond this is not a syslog daemon's (it would be a client's or a corrupt line). */
const MAX_REPEAT = 1_000_000;

// After the date is cut out: an optional priority, host and facility.level, then the
// program tag ending in ':' -- or RFC 5424's "<pri>1 host app procid msgid [sd]" -- then
// rsyslog's wrapper (it writes the message with its leading space, cut at 800 characters).
// Only the host may come before the tag, and a host never ends in ':', so a program whose
// message starts with a client's "word:" cannot make that word pass for the tag.
const FACILITY = String.raw`(?:[a-z0-9]+\.[a-z]+:?\s+)?`;
const HEAD = String.raw`\s*(?:<[\w.]{1,16}>\s*)?${FACILITY}(?:\S*[^\s:]\s+)?${FACILITY}\S*:\s`;
const HEAD_5424 = String.raw`\s*<\d{1,3}>\d{1,2}\s+(?:\S+\s+){4}(?:-|(?:\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\])+)\s`;
const RSYSLOG = new RegExp(String.raw`^(${HEAD}|${HEAD_5424})message repeated (\d{1,7}) times: \[ ?(.*?)\]?\s*$`);
const LAST = /^\s*(?:<[\w.]{1,16}>\s*)?(?:\S+\s+)?last message repeated (\d{1,7}) times?\s*$/;

export interface Unfolded {
  /** The line as the program wrote it (header and message). */
  text: string;
  repeat: number;
}

/** The message inside rsyslog's "message repeated N times: [ ... ]", or null. */
export function unfoldRepeated(text: string): Unfolded | null {
  if (!text.includes('message repeated ')) return null;
  const m = RSYSLOG.exec(text);
  if (!m) return null;
  const n = Number(m[2]);
  if (!(n >= 1 && n <= MAX_REPEAT)) return null;
  return { text: m[1]! + m[3]!, repeat: n };
}

/** N of a "last message repeated N times" line (it repeats the line before it), or null. */
export function lastRepeated(text: string): number | null {
  if (!text.includes('last message repeated ')) return null;
  const m = LAST.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= MAX_REPEAT ? n : null;
}

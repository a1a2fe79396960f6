// fail2ban's log line layout, so tools written for fail2ban's log (the recidive rule, log
// watchers) read ours: `2026-11-24 10:00:00,123 f2b-scan.actions [1234]: NOTICE  [sshd] Ban 192.0.2.1`.
// Times are local (as fail2ban writes them); the level name is padded to 7 like its
// `%(levelname)-7s`, which gives the two spaces after NOTICE and INFO.

import type { Epoch } from '../types.ts';

/** fail2ban's level names and numbers (logging's plus NOTICE, TRACEDEBUG, HEAVYDEBUG). */
export const LEVELS = {
  CRITICAL: 50,
  ERROR: 40,
  WARNING: 30,
  NOTICE: 25,
  INFO: 20,
  DEBUG: 10,
  TRACEDEBUG: 7,
  HEAVYDEBUG: 5,
} as const;

export type LevelName = keyof typeof LEVELS;

/** `loglevel` as fail2ban accepts it: a name (WARN and FATAL as aliases) or a number. */
export function parseLevel(text: string): number | null {
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) return Number(t);
  const alias: Record<string, LevelName> = { WARN: 'WARNING', FATAL: 'CRITICAL', MSG: 'NOTICE' };
  const name = (alias[t] ?? t) as LevelName;
  return Object.hasOwn(LEVELS, name) ? LEVELS[name] : null;
}

const p2 = (n: number) => String(n).padStart(2, '0');

// The text of the last minute formatted: a run's "Found" lines (one per failure, 70,000 in a
// botnet wave) come in time order, so most share their minute with the line before. Valid
// because a zone's offset is whole minutes (true of every zone since 1972); a minute whose
// seconds do not agree with the clock's (an older offset with seconds) is never kept.
let minuteKey = NaN;
let minuteText = '';

/** `YYYY-MM-DD HH:MM:SS` in local time (fail2ban's "Found ... - <date>" and asctime without ms). */
export function localTime(t: Epoch): string {
  const s = Math.floor(t);
  const key = Math.floor(s / 60);
  const sec = s - key * 60;
  if (key === minuteKey) return minuteText + p2(sec);
  const d = new Date(t * 1000);
  const head = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:`;
  if (d.getSeconds() === sec) {
    minuteKey = key;
    minuteText = head;
  }
  return head + p2(d.getSeconds());
}

/** asctime: local time with milliseconds after a comma. */
export function asctime(t: Epoch): string {
  const ms = Math.floor((t * 1000) % 1000);
  return `${localTime(t)},${String(ms < 0 ? 0 : ms).padStart(3, '0')}`;
}

export interface LogRecord {
  time: Epoch;
  /** f2b-scan.actions, f2b-scan.filter, f2b-scan.run */
  logger: string;
  level: LevelName;
  message: string;
}

/** The part after the date: what a syslog line carries. Newlines are escaped: one record, one line. */
export function formatBody(r: LogRecord, pid: number): string {
  return `${r.logger} [${pid}]: ${r.level.padEnd(7)} ${oneLine(r.message)}`;
}

/** A message as one line: its newlines escaped (a jail or rule text cannot split a record). */
export function oneLine(message: string): string {
  return message.replace(/\r?\n/g, '\\n');
}

export function formatLine(r: LogRecord, pid: number): string {
  return `${asctime(r.time)} ${formatBody(r, pid)}`;
}

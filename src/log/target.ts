// Where the own log goes: `logtarget` of f2b-scan.conf's [Definition], as fail2ban reads
// it: a file path (default /var/log/f2b-scan.log), STDOUT, STDERR, or SYSLOG (and
// SYSTEMD-JOURNAL, which journald takes from syslog too) through `logger`.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBody, formatLine, LEVELS, type LogRecord } from './format.ts';
import { asEnvironmentError } from '../util/errors.ts';

export const DEFAULT_LOGTARGET = '/var/log/f2b-scan.log';

export type LogTarget = { kind: 'file'; path: string } | { kind: 'stdout' } | { kind: 'stderr' } | { kind: 'syslog'; socket?: string };

/** `syslogsocket` as fail2ban.conf has it: `auto` (logger's default, /dev/log) or a socket path. */
export function parseTarget(text: string | undefined, syslogsocket?: string): LogTarget {
  const t = (text ?? '').trim();
  if (t === '') return { kind: 'file', path: DEFAULT_LOGTARGET };
  // fail2ban allows options after the name (`SYSLOG[format=...]`); the name decides.
  const name = t.replace(/\[.*$/s, '').toUpperCase();
  if (name === 'STDOUT') return { kind: 'stdout' };
  if (name === 'STDERR') return { kind: 'stderr' };
  if (name === 'SYSLOG' || name === 'SYSTEMD-JOURNAL') {
    const sock = syslogsocket?.trim();
    return sock && sock.toLowerCase() !== 'auto' ? { kind: 'syslog', socket: sock } : { kind: 'syslog' };
  }
  return { kind: 'file', path: t };
}

/** A one-line problem writing the own log; `environment`: the machine refused (not root, read-only, full disk). */
export interface LogProblem {
  message: string;
  environment: boolean;
}

/** Write records; returns the problem, or null. */
export async function writeRecords(target: LogTarget, records: LogRecord[], pid = process.pid): Promise<LogProblem | null> {
  if (records.length === 0) return null;
  if (target.kind !== 'syslog') return appendLines(target, records.map((r) => formatLine(r, pid) + '\n').join(''));
  // logger sends each stdin line as one message at one priority: one call per priority.
  const byPriority = new Map<string, string[]>();
  for (const r of records) {
    const p = priority(r.level);
    const list = byPriority.get(p) ?? [];
    list.push(formatBody(r, pid) + '\n');
    byPriority.set(p, list);
  }
  for (const [p, lines] of byPriority) {
    const problem = appendLines(target, lines.join(''), p, pid);
    if (problem) return problem;
  }
  return null;
}

/**
 * Append text (whole lines, each ending in a newline; a string or its UTF-8 bytes) to the
 * target, synchronously: a run also writes while it scans (log/found-log.ts), from code that
 * cannot wait, and may reuse the bytes once this returns. For SYSLOG the lines are bodies
 * without the date (syslog adds its own) sent at `syslogPriority`.
 */
export function appendLines(target: LogTarget, text: string | Uint8Array, syslogPriority = 'daemon.info', pid = process.pid): LogProblem | null {
  if (text.length === 0) return null;
  switch (target.kind) {
    case 'stdout':
    case 'stderr':
      // Synchronous on Linux for files, pipes and terminals alike; bytes are copied all the same
      // (a stream that queues them must not see the caller's next batch).
      (target.kind === 'stdout' ? process.stdout : process.stderr).write(typeof text === 'string' ? text : Buffer.from(text));
      return null;
    case 'file':
      try {
        mkdirSync(dirname(target.path), { recursive: true });
        appendFileSync(target.path, text, { mode: 0o640 });
        return null;
      } catch (e) {
        const env = asEnvironmentError(e, 'own log', target.path);
        return env ? { message: env.message, environment: true } : { message: `own log ${target.path}: ${(e as Error).message}`, environment: false };
      }
    case 'syslog': {
      const sock = target.socket ? [`--socket=${target.socket}`] : [];
      // Loaded here: a run that logs to a file (most) starts without child_process (~7 ms).
      const { spawnSync } = process.getBuiltinModule('node:child_process');
      const res = spawnSync('logger', ['-t', 'f2b-scan', `--id=${pid}`, '-p', syslogPriority, ...sock], { input: text, encoding: 'utf8', timeout: 10_000 });
      if (res.error || res.status !== 0) return { message: `own log SYSLOG (logger): ${(res.stderr ?? '').trim() || res.error?.message || `exit ${res.status}`}`, environment: false };
      return null;
    }
  }
}

/** syslog priority of a level (logger's names). */
export function priority(level: LogRecord['level']): string {
  const n = LEVELS[level];
  if (n >= LEVELS.CRITICAL) return 'daemon.crit';
  if (n >= LEVELS.ERROR) return 'daemon.err';
  if (n >= LEVELS.WARNING) return 'daemon.warning';
  if (n >= LEVELS.NOTICE) return 'daemon.notice';
  if (n >= LEVELS.INFO) return 'daemon.info';
  return 'daemon.debug';
}

// Errors are values with a place: the CLI prints them as one line and maps them to exit codes.

import type { Place } from '../types.ts';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** bad command line or configuration */
  config: 2,
  /** another run holds the lock */
  locked: 3,
  /** the run finished but some action failed (bans kept as pending) */
  actionFailed: 4,
  /** the run finished with warnings about input (unreadable logs, bad lines) */
  inputWarning: 5,
  /** the fleet (Redis) could not be reached */
  fleetUnreachable: 6,
  /** the machine refused what the run needs: not root, a read-only or full disk (one line names the path or command and the fix) */
  environment: 7,
  /** an unexpected internal error */
  internal: 70,
} as const;

export function formatPlace(p: Place): string {
  let s = p.file;
  if (p.line !== undefined) s += `:${p.line}`;
  if (p.section !== undefined) s += ` [${p.section}]`;
  if (p.key !== undefined) s += ` ${p.key}`;
  return s;
}

/** A problem in configuration: names file, section and key (or file and line). */
export class ConfigError extends Error {
  readonly place: Place;
  constructor(place: Place, message: string) {
    super(`${formatPlace(place)}: ${message}`);
    this.name = 'ConfigError';
    this.place = place;
  }
}

/** A problem in a filter (rule) file or one of its regexes. */
export class RuleError extends Error {
  readonly place: Place;
  constructor(place: Place, message: string) {
    super(`${formatPlace(place)}: ${message}`);
    this.name = 'RuleError';
    this.place = place;
  }
}

/** Another run holds the lock. */
export class LockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockedError';
  }
}

/** A bad command line or operator argument (exit 2): the CLI prints it as one line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The machine refuses what f2b-scan needs: permission (not root), a read-only file system, a full
 * disk. Names the path or command and what to do; exit 7, never "internal error" or a stack trace.
 */
export class EnvironmentError extends Error {
  constructor(
    /** The path or command concerned. */
    readonly where: string,
    /** EACCES, EPERM, EROFS, ENOSPC, EDQUOT. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** What is being written or read, for the fix the message proposes. */
export type EnvironmentRole = 'state' | 'lock' | 'own log' | 'metrics file' | 'file';

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** The way out, by cause and by what was concerned. */
function fixFor(code: string, role: EnvironmentRole): string {
  const elsewhere: Record<EnvironmentRole, string> = {
    state: 'use --state in a directory this user may write',
    lock: 'use --state in a directory this user may write (the lock lives beside the state)',
    'own log': 'set logtarget (f2b-scan.local [Definition]) to a file this user may write, or SYSLOG',
    'metrics file': 'give --metrics-file (or metrics_file) a path this user may write',
    file: 'use a path this user may write',
  };
  if (code === 'EACCES' || code === 'EPERM') return `run f2b-scan as root, or ${elsewhere[role]}`;
  if (code === 'EROFS') {
    const dir = role === 'state' || role === 'lock' ? 'the state directory' : `the ${role}'s directory`;
    return `${dir} is read-only: make it writable (a systemd unit: list it in ReadWritePaths=), or ${elsewhere[role]}`;
  }
  return role === 'state' ? 'free some space; the previous state file is kept unchanged' : 'free some space';
}

/** The errno codes that are the environment's doing, not ours. */
export function isEnvironmentCode(code: unknown): code is string {
  return typeof code === 'string' && Object.hasOwn(CAUSES, code);
}

/**
 * The one-line EnvironmentError for a Node error with one of those codes (else null).
 * `where`: the path to name (the state file rather than the temp file the write used).
 */
export function asEnvironmentError(err: unknown, role: EnvironmentRole = 'file', where?: string): EnvironmentError | null {
  if (err instanceof EnvironmentError) return err;
  const e = err as NodeJS.ErrnoException | null;
  if (!e || typeof e !== 'object' || !isEnvironmentCode(e.code)) return null;
  const path = where ?? e.path ?? e.syscall ?? 'a file';
  const label = role === 'file' ? path : `${role} ${path}`;
  return new EnvironmentError(path, e.code, `${label}: ${CAUSES[e.code]} (${e.code}); ${fixFor(e.code, role)}`);
}

/** Await `work`; an environment error from it becomes the one-line EnvironmentError for `role` and `where`. */
export async function withEnvironment<T>(role: EnvironmentRole, where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw asEnvironmentError(e, role, where) ?? e;
  }
}

/** A firewall tool's own words for "not allowed" (iptables: "you must be root", nft/ipset/ip: "Operation not permitted"). */
const DENIED = /permission denied|operation not permitted|you must be root|must be run as root|are you root/i;

/** Whether a command's failure message says it lacked the privileges (run as root). */
export function isPermissionFailure(message: string | undefined): boolean {
  return message !== undefined && DENIED.test(message);
}

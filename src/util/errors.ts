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

// The state file's shape: the single source of truth between runs.
// Bump STATE_VERSION and add a migration in migrate.ts whenever this changes.

import type { BanRecord, Epoch } from '../types.ts';

export const STATE_VERSION = 1;

/** Where a jail stopped reading a file: the same file is (dev, ino) with size >= offset. */
export interface FileCursor {
  dev: number;
  ino: number;
  /** Bytes consumed: always at the end of a complete line. */
  offset: number;
  /** Size and mtime when last read: an idle run compares them before opening anything. */
  size: number;
  mtimeMs: number;
  /**
   * Fingerprint of the file's first `headBytes` bytes (up to 1 KiB): recognises a truncated-and-rewritten
   * file with the same inode, and the copy copytruncate left. Optional: cursors without it still work.
   */
  headBytes?: number;
  headHash?: string;
}

/** Failures of one address in one jail, inside findtime. */
export interface FailureEntry {
  /** Epoch seconds of each failure, oldest first. */
  times: Epoch[];
  /** The last few matched lines (for mail with lines), capped. */
  lines: string[];
  /** The user name the last failure named, when the rule captured one (fail2ban's <F-USER>). */
  user?: string;
}

/** How often an address was banned, for bantime.increment (per jail and over all jails). */
export interface BanHistory {
  count: number;
  last: Epoch;
  jails: Record<string, number>;
  /**
   * Seconds the last ban lasted (-1: forever). Optional: with it the count is kept as long as fail2ban
   * keeps it (last + 3 * bantime + dbpurgeage); without it, until dbpurgeage after the last ban ends.
   */
  bantime?: number;
}

/** A ban or unban waiting to be published to the fleet. */
export interface OutboxEntry {
  op: 'ban' | 'unban';
  jail: string;
  ip: string;
  start: Epoch;
  until: Epoch | null;
  failures: number;
  queuedAt: Epoch;
}

export interface State {
  version: number;
  /** jail -> file path -> cursor */
  files: Record<string, Record<string, FileCursor>>;
  /** jail -> journal cursor (backend = systemd) */
  journals: Record<string, { cursor: string }>;
  /** jail -> address -> failures inside findtime */
  failures: Record<string, Record<string, FailureEntry>>;
  /** jail -> address -> ban */
  bans: Record<string, Record<string, BanRecord>>;
  /** address -> ban history */
  banHistory: Record<string, BanHistory>;
  /** jail -> names of the actions whose start has run (chains, sets, tables created) */
  started: Record<string, string[]>;
  fleet: {
    cursor: string | null;
    outbox: OutboxEntry[];
    /**
     * Signature prefix -> epoch seconds (Redis's clock) until which a copy of that entry could still
     * pass the clock check: a replayed entry is recognised and never applied twice. Optional (added
     * without a version bump: missing reads as empty).
     */
    seen?: Record<string, number>;
    /** The stream's epoch when this host last read it (a random id beside the stream): a new one means a new Redis. */
    epoch?: string;
    /** [fleet] min_hosts > 1: `JAIL ADDRESS` -> host -> end of its ban, for bans not yet seen from enough hosts. */
    sightings?: Record<string, Record<string, number | null>>;
  };
  lastRun: Epoch | null;
  /**
   * Warning text -> when a cron run (no TTY) last printed it: the same warning is printed
   * at most once a day, so cron does not mail it every minute. Optional (added without a
   * version bump: a missing field reads as empty).
   */
  notices?: Record<string, Epoch>;
  /**
   * jail -> running totals since the state was made, for `f2b-scan status` (fail2ban's "Total failed",
   * "Total banned"). Optional (added without a version bump: a missing field reads as zeros).
   */
  totals?: Record<string, JailTotals>;
}

/** Failures counted and bans made in a jail, all time (the metrics file's counters). */
export interface JailTotals {
  failed: number;
  banned: number;
  /** Optional: states written before they were counted lack them (read as 0). */
  unbanned?: number;
  /** Log lines (or journal entries) read. */
  lines?: number;
}

export function emptyState(): State {
  return {
    version: STATE_VERSION,
    files: {},
    journals: {},
    failures: {},
    bans: {},
    banHistory: {},
    started: {},
    fleet: { cursor: null, outbox: [] },
    lastRun: null,
  };
}

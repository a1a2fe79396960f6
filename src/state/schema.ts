// The state file's shape: the single source of truth between runs.
// Bump STATE_VERSION and add a migration in migrate.ts whenever this changes.
//
// Version 2 keeps per-address data in columns (table.ts) behind accessors (bans.ts, tickets.ts,
// history.ts): code outside src/state/ never reaches into `jails` or `history` directly.
// Version 3 keeps each table's columns as one JSON text beside a hashed summary (table-text.ts),
// parsed only when a run first asks for its rows.

import type { BanRecord, Epoch } from '../types.ts';
import type { AddrKey } from '../net/key.ts';
import { Table } from './table.ts';
import { BAN_CODEC, TICKET_CODEC, HISTORY_CODEC } from './codecs.ts';

export const STATE_VERSION = 3;

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

/**
 * What a jail knows of one address's recent failures: fail2ban's FailTicket (first time, last
 * time, retry count, attempts), plus, only where needed, the failure times (strict counting),
 * the last matched lines (actions that show them, capped by maxmatches) and the user named.
 */
export interface Ticket {
  /** Start of the counted interval (fail2ban moves it forward when it estimates the rate). */
  first: Epoch;
  /** Time of the last failure. */
  last: Epoch;
  /** Failures counted toward maxretry (weighted for known offenders with bantime.increment). */
  retry: number;
  /** Failures seen. */
  attempts: number;
  /** Strict counting: each failure's time, oldest first. */
  times?: Epoch[];
  lines?: string[];
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

/** One jail's per-address tables. */
export interface JailTables {
  bans: Table<BanRecord>;
  tickets: Table<Ticket>;
}

/**
 * jail name -> its tables. A Map (a jail may be called `constructor`); saved as an object
 * holding only the non-empty tables.
 */
export class JailTablesMap extends Map<string, JailTables> {
  toJSON(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, t] of this) {
      const j: Record<string, unknown> = {};
      if (t.bans.size > 0) j.bans = t.bans;
      if (t.tickets.size > 0) j.tickets = t.tickets;
      if (Object.keys(j).length > 0) Object.defineProperty(out, name, { value: j, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

export interface State {
  version: number;
  /** jail -> file path -> cursor */
  files: Record<string, Record<string, FileCursor>>;
  /** jail -> journal cursor (backend = systemd) */
  journals: Record<string, { cursor: string }>;
  /** jail -> bans and failure tickets, by address key (use bans.ts / tickets.ts) */
  jails: JailTablesMap;
  /** address key -> ban history (use history.ts) */
  history: Table<BanHistory>;
  /** jail -> names of the actions whose start has run (chains, sets, tables created) */
  started: Record<string, string[]>;
  /**
   * jail -> action start key -> what the firewall held after this run's reconcile: the count of
   * bans and the backend's fingerprint (actions/enforce.ts). Optional.
   */
  reconciled?: Record<string, Record<string, { count: number; fp: string }>>;
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
    /** This host's exchange, all time (the metrics file's fleet counters; non-dry runs count). Optional, read as 0. */
    totals?: FleetTotals;
  };
  lastRun: Epoch | null;
  /**
   * Warning text -> when a cron run (no TTY) last printed it: the same warning is printed
   * at most once a day, so cron does not mail it every minute.
   */
  notices?: Record<string, Epoch>;
  /** jail -> running totals since the state was made, for `f2b-scan status` ("Total failed", "Total banned"). */
  totals?: Record<string, JailTotals>;
}

/** Entries published, bans imported and entries dropped by this host, all time. */
export interface FleetTotals {
  published: number;
  imported: number;
  dropped: number;
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

export function emptyJailTables(): JailTables {
  return { bans: new Table(BAN_CODEC), tickets: new Table(TICKET_CODEC) };
}

export function emptyHistory(): Table<BanHistory> {
  return new Table(HISTORY_CODEC);
}

export function emptyState(): State {
  return {
    version: STATE_VERSION,
    files: {},
    journals: {},
    jails: new JailTablesMap(),
    history: emptyHistory(),
    started: {},
    fleet: { cursor: null, outbox: [] },
    lastRun: null,
  };
}

export type { AddrKey };

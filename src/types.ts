// The values the stages of one run hand each other. Defined once, here.

import type { AddrKey } from './net/key.ts';

/** Seconds since the Unix epoch (fractions allowed). */
export type Epoch = number;

/** `name[key=value, ...]` as written in `filter =` or `action =`. */
export interface Ref {
  name: string;
  options: Record<string, string>;
}

/** Where a value came from, for error messages and `f2b-scan get`. */
export interface Place {
  file: string;
  line?: number;
  section?: string;
  key?: string;
}

/** bantime.* knobs of fail2ban 1.0 (issue "Ban policy"). */
export interface BantimeIncrement {
  enabled: boolean;
  factor: number;
  formula?: string;
  multipliers?: number[];
  maxtime?: number;
  rndtime?: number;
  overalljails: boolean;
}

/** One jail, fully resolved from the configuration layers. */
export interface Jail {
  name: string;
  enabled: boolean;
  filter: Ref;
  /** Each entry is a glob (fast-glob syntax, fail2ban's wildcards are a subset). */
  logpath: string[];
  /** Where `logpath` was set (file:line), so a warning about a log names the line to fix. */
  logpathPlace?: Place;
  backend: string;
  logencoding: string;
  logtimezone?: string;
  datepattern?: string;
  journalmatch?: string;
  maxretry: number;
  /** seconds */
  findtime: number;
  /**
   * How failures count toward maxretry (jail option `counting`): 'fail2ban' (the default) is
   * fail2ban 1.0.2's FailTicket arithmetic, which estimates the rate once failures span more
   * than findtime; 'strict' counts only the failures inside the last findtime.
   */
  counting?: 'fail2ban' | 'strict';
  /** Matched lines kept per address for actions that show them (fail2ban's maxmatches; default maxretry). */
  maxmatches?: number;
  /** seconds; negative means forever */
  bantime: number;
  increment: BantimeIncrement;
  ignoreip: string[];
  ignoreself: boolean;
  ignorecommand?: string;
  usedns: 'yes' | 'warn' | 'no' | 'raw';
  maxlines?: number;
  actions: Ref[];
  /** Every key of the jail's section after layering and interpolation (port, protocol, chain, ...). */
  options: Record<string, string>;
  source: Place;
}

/** A line (or lines) a rule matched: what `rules/` hands to `run`. */
export interface RuleMatch {
  /** 1-based number of the line that completed the match, within what was fed to the matcher. */
  lineNo: number;
  /** The host as written in the log (address or name). */
  host: string;
  /** Normalised address when `host` is one, else null (a name, resolved later by usedns). */
  ip: string | null;
  /**
   * The address parsed once, where the rule matched, as the key the scan, the policy and the
   * state use (src/net/key.ts); null with `ip`. Absent where a match was made by hand.
   */
  key?: AddrKey | null;
  /** Time read from the log; null when the line had no date and the rule wants one. */
  time: Epoch | null;
  user?: string;
  /** Index of the failregex that matched. */
  regex: number;
  /** The log lines that make the match (several for multi-line rules). */
  lines: string[];
  /**
   * The line stands for this many failures: a syslog daemon's "message repeated N times:
   * [ ... ]" or "last message repeated N times" (absent: one).
   */
  repeat?: number;
}

/** A failure counted against an address in a jail: what `policy` consumes. */
export interface Failure {
  jail: string;
  ip: string;
  time: Epoch;
  line: string;
  user?: string;
  source: string;
}

export type BanOrigin = 'log' | 'manual' | 'fleet' | 'import';

/** A ban as the state remembers it. */
export interface BanRecord {
  start: Epoch;
  /** null: banned for good. */
  until: Epoch | null;
  failures: number;
  /** This is the address's n-th ban (bantime.increment). */
  count: number;
  origin: BanOrigin;
  /** The fleet host that published it (origin 'fleet', or the host whose ban lengthened a local one). */
  from?: string;
  /**
   * Set when a longer fleet ban lengthened this host's own ban (origin kept, lines kept): the
   * own end, which a fleet unban goes back to.
   */
  ownUntil?: Epoch;
  /** What the firewall still owes: set while an action failed, retried next run. */
  pending?: 'ban';
  error?: string;
  /** Matched lines kept for mail with lines (capped). */
  lines?: string[];
}

export type Decision =
  | {
      kind: 'ban';
      jail: string;
      ip: string;
      failures: number;
      start: Epoch;
      until: Epoch | null;
      count: number;
      origin: BanOrigin;
      from?: string;
      lines: string[];
      /** The user the log named (fail2ban's <F-USER>), when the rule captured one. */
      user?: string;
    }
  | { kind: 'unban'; jail: string; ip: string; reason: 'expired' | 'manual' | 'fleet' };

/** What one file contributed to a run. */
export interface FileReport {
  path: string;
  jail: string;
  bytesRead: number;
  linesRead: number;
}

/** A jail's standing after a run, for the metrics file (counters are all-time, from the state). */
export interface JailCounters {
  /** Bans in force now. */
  bansActive: number;
  bans: number;
  unbans: number;
  failures: number;
  /** Log lines (or journal entries) read. */
  lines: number;
}

export interface RunSummary {
  now: Epoch;
  dryRun: boolean;
  bans: { jail: string; ip: string; failures: number; until: string | null }[];
  unbans: { jail: string; ip: string }[];
  files: FileReport[];
  /** Failures found in this run's new lines, per jail. */
  failures: Record<string, number>;
  warnings: string[];
  errors: string[];
  /** Per jail of the run: bans in force and the all-time counters (after this run's changes). */
  totals?: Record<string, JailCounters>;
  fleet?: {
    /** Entries this run wrote to the stream. */
    published: number;
    /** Bans this run took from other hosts. */
    imported: { jail: string; ip: string; until: string | null; from: string }[];
    /** Entries not acted on (bad signature, values or times, a replayed copy), with why. */
    dropped: number;
    droppedReasons?: Record<string, number>;
    /** Imported bans whose end [fleet] maxtime brought forward. */
    capped?: number;
    /** Bans seen from fewer trusted hosts than [fleet] min_hosts so far: not imported yet. */
    awaiting?: number;
    /** Bans and unbans still waiting in the state to be published. */
    outbox?: number;
    /** Stream entries after this host's cursor when the run ended; null: not read (import = no, or Redis failed). */
    lag?: number | null;
    /** All time, from the state (after this run's): published, imported, dropped. */
    totals?: { published: number; imported: number; dropped: number };
    error: string | null;
  };
}

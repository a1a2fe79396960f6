// The interface every ban backend implements (iptables now; nftables, ipset, hostsdeny,
// route, mail and fail2ban action files later). A backend is created for one jail with
// its resolved options and knows nothing about the state file: `enforce` decides what to
// ban, unban and restore, and the backend only talks to its tool.

import type { Epoch } from '../types.ts';
import type { Family } from '../net/address.ts';

/** Options of one action of one jail, after the Ref's options were laid over the jail's. */
export interface ActionParams {
  /** The jail this action works for. */
  jail: string;
  /** The action name as configured (`iptables-multiport`). */
  action: string;
  /** Resolved options: port, protocol, chain, blocktype, name, ... (defaults not filled in). */
  options: Record<string, string>;
  /**
   * Every key of the jail (destemail, sender, mta, smtp.host, ...), for backends that read
   * jail-wide settings rather than action options. Absent where the caller has no jail.
   */
  jailOptions?: Readonly<Record<string, string>>;
}

/** One address to ban, with what notifying backends (mail) want to say about it. */
export interface BanItem {
  ip: string;
  failures: number;
  start: Epoch;
  until: Epoch | null;
  lines: string[];
  /** Put back after a reboot or flush, not a new ban: a mail backend stays silent. */
  restore: boolean;
  /** Owed since an earlier run whose firewall command failed: a mail about it went out then. */
  retry: boolean;
  /** The user name the log named (fail2ban's <F-USER>), when the rule captured one. */
  user?: string;
  /** How many times this address was banned in this jail, this ban included (fail2ban's <bancount>). */
  count?: number;
}

/** What one step did: the printable command(s) and, when it failed, why. */
export interface StepResult {
  ok: boolean;
  command: string;
  error?: string;
}

export interface Backend {
  readonly action: string;
  /**
   * Whether a failure of this backend leaves the ban pending (firewalls: yes) or is only
   * reported (notifications such as mail: a failed mail never holds back a ban).
   */
  readonly enforcing: boolean;
  /**
   * One start serves both address families (a fail2ban action file without [Init?family=...]:
   * fail2ban starts it once): the state records it once, and stop runs once.
   */
  readonly sharedStart?: boolean;
  /**
   * Whether it can hold CIDR ranges (`198.51.100.0/24`) as well as host addresses: ipset
   * (hash:net), nftables (an interval set beside the host set), iptables (-s a.b.c.d/n), routes.
   * Absent: host addresses only; a range is refused with one line (enforce.ts, ranges.ts).
   */
  readonly ranges?: boolean;
  /** Create what bans live in (chain, set, table) for one address family; safe to repeat. */
  start(family: Family): Promise<StepResult>;
  /** Is what start made still there (false after a reboot or flush)? */
  check(family: Family): Promise<boolean>;
  /**
   * The addresses the firewall holds for this jail, so a run can reconcile it with the
   * state. Absent on backends that cannot tell (mail, shell action files).
   */
  list?(family: Family): Promise<string[]>;
  /**
   * A cheap token of what the firewall holds for this jail and family (ipset: its entry count;
   * dummy: the file's size and mtime), or null when the backend cannot tell it cheaply. A run
   * whose token (and ban count) is the one the last reconcile left applies only its own
   * changes instead of listing every ban: with a million bans that listing is most of a run.
   */
  fingerprint?(family: Family): Promise<string | null>;
  /** Ban addresses of one family, in one batch where the tool allows; one result per address. */
  ban(family: Family, items: BanItem[]): Promise<Map<string, StepResult>>;
  /** Lift bans of one family, in one batch where the tool allows; one result per address. */
  unban(family: Family, ips: string[]): Promise<Map<string, StepResult>>;
  /**
   * Lift every ban of one family at once (a fail2ban action file's actionflush): `f2b-scan stop`
   * uses it instead of one unban per address. Absent where there is no such command.
   */
  flushAll?(family: Family): Promise<StepResult>;
  /** Remove every ban and what start created. */
  stop(family: Family): Promise<StepResult>;
  /** The command one ban would run, for --dry-run and messages. */
  describeBan(ip: string): string;
  describeUnban(ip: string): string;
  /**
   * For notifying backends that group a run's bans (one mail per jail): called once after
   * ban() ran for every family; the results replace what ban() reported for those addresses.
   */
  flush?(): Promise<Map<string, StepResult>>;
}

/** Builds a backend for one jail's action; throws ActionParamError on an unusable option. */
export type BackendFactory = (params: ActionParams) => Backend;

/** An option value a backend cannot use (would break a command or its batch input). */
export class ActionParamError extends Error {
  constructor(
    readonly action: string,
    readonly jail: string,
    readonly key: string,
    message: string,
  ) {
    super(`action ${action} of jail ${jail}: ${key}: ${message}`);
    this.name = 'ActionParamError';
  }
}

/** Same result for every address: a batch succeeds or fails as a whole. */
export function sameResultForAll(ips: readonly string[], r: StepResult): Map<string, StepResult> {
  return new Map(ips.map((ip) => [ip, r]));
}

/**
 * start and check of a backend whose bans need nothing created first (a file, routes, ufw's
 * own rules, mail): start does nothing, and what it would make is always in place.
 */
export const nothingToCreate: Pick<Backend, 'start' | 'check'> = {
  async start() {
    return { ok: true, command: '' };
  },
  async check() {
    return true;
  },
};

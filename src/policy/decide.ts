// The ban policy of one run, in one pass over what the run read:
//   startPolicy(state, jails, now)   lifts bans whose time is over, forgets stale tickets;
//   pass.fold(...) per failure       counts it into its (jail, address) ticket (ticket.ts) as the
//                                    scan reads it: no array of failures, no sort;
//   pass.candidates()                the addresses about to be banned in jails with an
//                                    ignorecommand: the run asks the command about those only;
//   pass.finish(isIgnored)           bans the rest, updates the ban history, forgets old history.
// It changes the run's state in place (through the accessors of src/state/) and runs no command.

import type { BanRecord, Decision, Epoch, Failure, Jail } from '../types.ts';
import type { State, Ticket } from '../state/schema.ts';
import type { Table } from '../state/table.ts';
import { keyText, parseKey, type AddrKey } from '../net/key.ts';
import { whyNotBannableKey, whyNotBannableV4 } from '../net/host.ts';
import { deleteBan, expiredBans, getBan, jailsWithBans, setBan } from '../state/bans.ts';
import { dropStaleTickets, dropTickets, ticketTable } from '../state/tickets.ts';
import { deleteHistory, getHistory, historyLastBefore, setHistory } from '../state/history.ts';
import { jailNames, tablesFor } from '../state/jails.ts';
import type { BanHistory } from '../state/schema.ts';
import { banDuration, banUntil, priorBans } from './bantime.ts';
import { addFailure, countingOf, failureWeight, isRipe, isStale, newTicket, strictView, type Counting } from './ticket.ts';

export interface Ignored {
  jail: string;
  ip: string;
  reason: string;
}

export type IsIgnored = (jail: Jail, ip: string) => string | null;

/** What a jail's actions use of a ticket besides its counts. */
export interface JailNeeds {
  /** Matched lines (mail with lines, `<matches>` in an action file). */
  lines: boolean;
  /** The user a rule captured (`<F-USER>`). */
  user: boolean;
}

export interface PolicyOptions {
  /** The run's state: changed in place. */
  state: State;
  /** The enabled jails. Tickets of other jails leave the state. */
  jails: Jail[];
  now: Epoch;
  /** For bantime.rndtime; Math.random by default. */
  random?: () => number;
  /**
   * fail2ban's dbpurgeage (default 1 day): an address's ban count is forgotten once it has no ban
   * left and last ban start + 3 * its bantime lies more than this far back. Forever bans are
   * remembered for good. null: remember everything.
   */
  historyAge?: number | null;
  /** What each jail's actions use (default: lines and user, for every jail). */
  needs?: (jail: Jail) => JailNeeds;
}

export interface PolicyResult {
  decisions: Decision[];
  /** The state the run changed (the one it was given). */
  state: State;
  /** Addresses whose failures were not counted, once per (jail, address, reason). */
  ignored: Ignored[];
  /** Problems worth a line in the run summary (a formula that failed to evaluate, ...). */
  warnings: string[];
}

/** A failure dated further ahead than this is a misread date, not an attack in progress. */
export const FUTURE_SLACK = 86_400;
export const DEFAULT_HISTORY_AGE = 86_400;
export const FUTURE_REASON = 'time more than a day in the future';

/** One jail's part of the pass: what the fold needs at hand for each failure. */
export class JailFold {
  readonly counting: Counting;
  readonly maxretry: number;
  readonly findtime: number;
  /** Failures at or before this are older than findtime: not counted. */
  readonly oldest: number;
  readonly maxmatches: number;
  readonly keepLines: boolean;
  readonly keepUser: boolean;
  readonly tickets: Table<Ticket>;
  readonly bans: Table<BanRecord>;
  /** Tickets that reached maxretry this run, in the order they did. */
  readonly ripe = new Map<AddrKey, Ticket>();
  /** Weight of one failure per address (bantime.increment), looked up once per run. */
  private readonly weights: Map<AddrKey, number> | null;
  failures = 0;

  constructor(readonly jail: Jail, private readonly pass: PolicyPass, needs: JailNeeds) {
    this.counting = countingOf(jail);
    this.maxretry = Math.max(1, jail.maxretry);
    this.findtime = jail.findtime;
    this.oldest = pass.now - jail.findtime;
    this.maxmatches = Math.max(0, jail.maxmatches ?? jail.maxretry);
    this.keepLines = needs.lines && this.maxmatches > 0;
    this.keepUser = needs.user;
    const t = tablesFor(pass.state, jail.name);
    this.tickets = t.tickets;
    this.bans = t.bans;
    this.weights = jail.increment.enabled ? new Map() : null;
  }

  weight(key: AddrKey): number {
    if (!this.weights) return 1;
    let w = this.weights.get(key);
    if (w === undefined) {
      const h = getHistory(this.pass.state, key);
      w = failureWeight(this.jail, h && Object.hasOwn(h.jails, this.jail.name) ? h.jails[this.jail.name]! : 0);
      this.weights.set(key, w);
    }
    return w;
  }
}

export class PolicyPass {
  readonly decisions: Decision[] = [];
  readonly ignored: Ignored[] = [];
  readonly warnings: string[] = [];
  readonly state: State;
  readonly now: Epoch;
  private readonly folds = new Map<string, JailFold>();
  private readonly ignoredSeen = new Set<string>();
  private readonly random: () => number;
  private readonly historyAge: number | null;

  constructor(opts: PolicyOptions) {
    this.state = opts.state;
    this.now = opts.now;
    this.random = opts.random ?? Math.random;
    this.historyAge = opts.historyAge === undefined ? DEFAULT_HISTORY_AGE : opts.historyAge;
    const needs = opts.needs ?? (() => ({ lines: true, user: true }));
    const enabled = new Set(opts.jails.map((j) => j.name));

    // 1. Bans whose time is over are lifted, in every jail (a jail may have been disabled since).
    for (const jail of jailsWithBans(this.state)) {
      for (const key of expiredBans(this.state, jail, this.now)) {
        deleteBan(this.state, jail, key);
        this.decisions.push({ kind: 'unban', jail, ip: keyText(key), reason: 'expired' });
      }
    }
    // 2. Tickets of jails no longer enabled leave the state. (Stale tickets of the others are
    //    forgotten after this run's failures joined them: see finish().)
    for (const jail of jailNames(this.state)) if (!enabled.has(jail)) dropTickets(this.state, jail);
    for (const j of opts.jails) this.folds.set(j.name, new JailFold(j, this, needs(j)));
  }

  /** The fold handle of a jail (undefined: not enabled in this run). */
  jail(name: string): JailFold | undefined {
    return this.folds.get(name);
  }

  noteIgnored(jail: string, ip: string, reason: string): void {
    const k = `${jail}\0${ip}\0${reason}`;
    if (this.ignoredSeen.has(k)) return;
    this.ignoredSeen.add(k);
    this.ignored.push({ jail, ip, reason });
  }

  /**
   * Count one failure of `key` in a jail at `time` (null: no date, counted now), standing for
   * `repeat` failures (rsyslog's "message repeated N times"). `line` and `user` are kept only
   * where the jail's actions use them: pass strings that do not pin a large buffer.
   */
  fold(f: JailFold, key: AddrKey, time: Epoch | null, line: string | undefined, user: string | undefined, repeat = 1): void {
    let t = time ?? this.now;
    if (t > this.now) {
      // A wrong clock or a forged date must not pre-load bans or hold failures forever.
      if (!(t <= this.now + FUTURE_SLACK)) {
        this.noteIgnored(f.jail.name, keyText(key), FUTURE_REASON);
        return;
      }
      // fail2ban takes a failure dated ahead as happening now.
      t = this.now;
    }
    if (t <= f.oldest) return; // older than findtime: counts for nothing
    f.failures += repeat;
    let ticket = f.ripe.get(key);
    if (ticket !== undefined) {
      // Banned at the end of this run: only its tally and lines grow.
      for (let n = repeat; n > 0; n--) addFailure(ticket, t, 1, f.findtime, f.counting);
      this.keep(f, ticket, line, user);
      return;
    }
    if (f.bans.has(key)) return; // already banned: nothing more to count
    const w = f.weight(key);
    ticket = f.tickets.take(key);
    if (ticket !== undefined) {
      if (f.counting === 'strict') {
        if (!ticket.times || ticket.times[0]! <= f.oldest) {
          // Strict counting sees only the failures inside the last findtime.
          const inside = strictView(ticket, this.now, f.findtime, w);
          if (inside.times!.length > 0) Object.assign(ticket, inside);
          else ticket = undefined;
        }
      } else if (isStale(ticket, t, f.findtime)) {
        // fail2ban's daemon would have cleaned this ticket up before the failure came (its last
        // failure lies more than findtime before it): the failure starts a new one.
        ticket = undefined;
      }
      if (ticket === undefined) f.tickets.delete(key);
    }
    let n = repeat;
    if (ticket === undefined) {
      const why = notBannable(key);
      if (why) {
        this.noteIgnored(f.jail.name, keyText(key), why);
        return;
      }
      ticket = newTicket(t, w, f.counting);
      f.tickets.insertNew(key, ticket);
      n--;
    }
    for (; n > 0; n--) addFailure(ticket, t, w, f.findtime, f.counting);
    this.keep(f, ticket, line, user);
    if (isRipe(ticket, f.maxretry)) f.ripe.set(key, ticket);
  }

  private keep(f: JailFold, ticket: Ticket, line: string | undefined, user: string | undefined): void {
    if (f.keepLines && line !== undefined) {
      const lines = (ticket.lines ??= []);
      lines.push(line);
      if (lines.length > f.maxmatches) lines.splice(0, lines.length - f.maxmatches);
    }
    if (f.keepUser && user !== undefined) ticket.user = user;
  }

  /** Count a failure given by address text (parsed here): for tests and callers without keys. */
  foldText(jail: string, ip: string, time: Epoch | null, line?: string, user?: string, repeat = 1): void {
    const f = this.folds.get(jail);
    if (!f) {
      this.noteIgnored(jail, ip, 'jail is not enabled');
      return;
    }
    const key = parseKey(ip);
    if (key === null) {
      this.noteIgnored(jail, ip, 'not an address');
      return;
    }
    this.fold(f, key, time, line, user, repeat);
  }

  /**
   * The addresses about to be banned in jails that have an ignorecommand: what the run asks the
   * command about (and nothing else) before finish().
   */
  candidates(): { jail: string; ip: string }[] {
    const out: { jail: string; ip: string }[] = [];
    for (const f of this.folds.values()) {
      if (!f.jail.ignorecommand?.trim()) continue;
      for (const key of f.ripe.keys()) out.push({ jail: f.jail.name, ip: keyText(key) });
    }
    return out;
  }

  /** Ban every ripe address the ignore rules do not protect; remember the bans; forget old history. */
  finish(isIgnored?: IsIgnored): PolicyResult {
    for (const f of this.folds.values()) {
      for (const [key, ticket] of f.ripe) {
        f.tickets.delete(key);
        const ip = keyText(key);
        const why = isIgnored?.(f.jail, ip) ?? null;
        if (why) {
          this.noteIgnored(f.jail.name, ip, why);
          continue;
        }
        this.ban(f, key, ip, ticket);
      }
      f.ripe.clear();
      // fail2ban's FailManager.cleanup after the lines were read: a ticket whose last failure
      // is findtime old is forgotten. Until then a later failure still joins it (and is rated).
      dropStaleTickets(this.state, f.jail.name, this.now - f.findtime);
    }
    if (this.historyAge !== null) this.pruneHistory(this.now - this.historyAge);
    return { decisions: this.decisions, state: this.state, ignored: this.ignored, warnings: this.warnings };
  }

  private ban(f: JailFold, key: AddrKey, ip: string, ticket: Ticket): void {
    const jail = f.jail;
    const history = getHistory(this.state, key);
    const prior = priorBans(jail, history);
    const d = banDuration(jail, prior, this.random);
    if (d.warning) this.warnings.push(d.warning);
    const now = this.now;
    const until = banUntil(now, d.seconds);
    const count = prior + 1;
    const lines = ticket.lines ?? [];
    const failures = ticket.attempts;
    const ban: BanRecord = { start: now, until, failures, count, origin: 'log' };
    if (lines.length > 0) ban.lines = lines;
    setBan(this.state, jail.name, key, ban);
    setHistory(this.state, key, remember(history, jail.name, now, d.seconds));
    this.decisions.push({
      kind: 'ban', jail: jail.name, ip, failures, start: now, until, count, origin: 'log', lines: [...lines],
      ...(ticket.user !== undefined ? { user: ticket.user } : {}),
    });
  }

  /** fail2ban keeps a ban count until last + 3 * bantime is older than dbpurgeage; forever bans for good. */
  private pruneHistory(before: Epoch): void {
    const banJails = jailsWithBans(this.state);
    for (const key of historyLastBefore(this.state, before)) {
      const h = getHistory(this.state, key)!;
      if (h.bantime === -1 || banJails.some((j) => getBan(this.state, j, key) !== undefined)) continue;
      if (h.last + OUTDATED_FACTOR * (h.bantime ?? 0) < before) deleteHistory(this.state, key);
    }
  }
}

const OUTDATED_FACTOR = 3;

/**
 * Only a host address is ever banned (never loopback, 0.0.0.0, multicast...), whatever the log
 * or the ignore rules say (src/net/host.ts). An IPv4 key is judged without allocating.
 */
function notBannable(key: AddrKey): string | null {
  if (typeof key === 'number') return whyNotBannableV4(key);
  // Canonical IPv6 text: only `::`, `::1` and ff00::/8 can be refused (text starting `::` or
  // `ff`); anything else is a host without a second parse. Ranges get the full check.
  const c0 = key.charCodeAt(0);
  if (!key.includes('/') && c0 !== 58 && !(c0 === 102 && key.charCodeAt(1) === 102)) return null;
  return whyNotBannableKey(key);
}

function remember(h: BanHistory | undefined, jail: string, now: Epoch, seconds: number | null): BanHistory {
  const jails: Record<string, number> = { ...(h?.jails ?? {}) };
  Object.defineProperty(jails, jail, { value: (Object.hasOwn(jails, jail) ? jails[jail]! : 0) + 1, enumerable: true, writable: true, configurable: true });
  return { count: (h?.count ?? 0) + 1, last: now, jails, bantime: seconds ?? -1 };
}

export function startPolicy(opts: PolicyOptions): PolicyPass {
  return new PolicyPass(opts);
}

export interface DecideInput extends PolicyOptions {
  /** Failures, folded in the order given. */
  failures: Pick<Failure, 'jail' | 'ip' | 'time' | 'line' | 'user'>[];
  isIgnored?: IsIgnored;
}

/** The whole pass over a list of failures (tests, tools): fold each, then finish. */
export function decide(input: DecideInput): PolicyResult {
  const pass = startPolicy(input);
  for (const f of input.failures) pass.foldText(f.jail, f.ip, f.time, f.line, f.user);
  return pass.finish(input.isIgnored);
}

// The ban policy of one run: a pure function of (state, this run's failures, jails, now).
// It counts failures per (jail, address) inside findtime, bans at maxretry, lifts expired bans,
// and remembers ban counts for bantime.increment. It never mutates its input.

import type { BanRecord, Decision, Epoch, Failure, Jail } from '../types.ts';
import type { BanHistory, FailureEntry, State } from '../state/schema.ts';
import { parseAddress } from '../net/address.ts';
import { whyNotBannable } from '../net/host.ts';
import { banDuration, banUntil, priorBans } from './bantime.ts';

export type PolicyState = Pick<State, 'failures' | 'bans' | 'banHistory'>;

export interface Ignored {
  jail: string;
  ip: string;
  reason: string;
}

export interface PolicyResult {
  decisions: Decision[];
  /**
   * A new state: failures pruned/added, bans added/removed, history updated. It shares the parts
   * this run did not change with the input (copy on write): treat both as read-only, or mutate
   * only the result once the input is no longer needed.
   */
  state: PolicyState;
  /** Addresses whose failures were not counted, once per (jail, address, reason). */
  ignored: Ignored[];
  /** Problems worth a line in the run summary (a formula that failed to evaluate, ...). */
  warnings: string[];
}

export type IsIgnored = (jail: Jail, ip: string) => string | null;

export interface DecideInput {
  state: PolicyState;
  /** This run's failures, any order. */
  failures: Failure[];
  /** The enabled jails. Failures of other jails leave the state. */
  jails: Jail[];
  now: Epoch;
  isIgnored?: IsIgnored;
  /** For bantime.rndtime; Math.random by default. */
  random?: () => number;
  /**
   * fail2ban's dbpurgeage (default 1 day): an address's ban count is forgotten once it has no ban
   * left and last ban start + 3 * its bantime lies more than this far back. Forever bans are
   * remembered for good. null: remember everything.
   */
  historyAge?: number | null;
}

/** Matched lines kept per address (for mail with lines). */
export const MAX_LINES = 20;
/** A failure dated further ahead than this is a misread date, not an attack in progress. */
export const FUTURE_SLACK = 86_400;
export const DEFAULT_HISTORY_AGE = 86_400;

/**
 * Copy on write: the input state is shared, never changed. A jail's map is copied the first time
 * this run changes it and entries are replaced, not edited, so an idle run over a large state
 * copies next to nothing.
 */
class Draft {
  readonly state: PolicyState;
  private readonly copied = new Set<object>();
  constructor(s: PolicyState) {
    this.state = { failures: { ...s.failures }, bans: { ...s.bans }, banHistory: { ...s.banHistory } };
  }
  private writable<T>(rec: Record<string, Record<string, T>>, jail: string): Record<string, T> {
    const cur = getOwn(rec, jail);
    if (cur && this.copied.has(cur)) return cur;
    const w: Record<string, T> = { ...(cur ?? {}) };
    this.copied.add(w);
    put(rec, jail, w);
    return w;
  }
  bans(jail: string): Record<string, BanRecord> {
    return this.writable(this.state.bans, jail);
  }
  failures(jail: string): Record<string, FailureEntry> {
    return this.writable(this.state.failures, jail);
  }
  /** The entry of (jail, ip), ready to be changed. */
  failureEntry(jail: string, ip: string): FailureEntry {
    const byIp = this.failures(jail);
    const cur = byIp[ip];
    if (cur && this.copied.has(cur)) return cur;
    const e: FailureEntry = { times: [...(cur?.times ?? [])], lines: [...(cur?.lines ?? [])], ...(cur?.user !== undefined ? { user: cur.user } : {}) };
    this.copied.add(e);
    byIp[ip] = e;
    return e;
  }
}

/**
 * How much one failure weighs for an address banned before in this jail, with bantime.increment:
 * fail2ban counts a known offender's failure as 2^count / 2 + 1 tries (2, 3, 5, 9, ...), at most maxretry.
 */
export function failureWeight(jail: Jail, jailBans: number): number {
  if (!jail.increment.enabled || jailBans <= 0) return 1;
  return Math.min((2 ** Math.min(jailBans, 20)) / 2 + 1, Math.max(1, jail.maxretry));
}

export function decide(input: DecideInput): PolicyResult {
  const { now } = input;
  const random = input.random ?? Math.random;
  const draft = new Draft(input.state);
  const state = draft.state;
  const decisions: Decision[] = [];
  const warnings: string[] = [];
  const ignored: Ignored[] = [];
  const jails = new Map(input.jails.map((j) => [j.name, j]));

  const ignoredSeen = new Set<string>();
  const noteIgnored = (jail: string, ip: string, reason: string) => {
    const k = `${jail}\0${ip}\0${reason}`;
    if (ignoredSeen.has(k)) return;
    ignoredSeen.add(k);
    ignored.push({ jail, ip, reason });
  };
  // The ignore check may run a command's cached answer or a CIDR lookup: once per (jail, address).
  const ignoreMemo = new Map<string, string | null>();
  const whyIgnored = (jail: Jail, ip: string): string | null => {
    const k = `${jail.name}\0${ip}`;
    if (ignoreMemo.has(k)) return ignoreMemo.get(k)!;
    const a = parseAddress(ip);
    // Only a host address is ever banned (never loopback, 0.0.0.0, multicast...), whatever the log or the ignore rules say.
    const why = !a ? 'not an address' : (whyNotBannable(a) ?? input.isIgnored?.(jail, ip) ?? null);
    ignoreMemo.set(k, why);
    return why;
  };

  // 1. Bans whose time is over are lifted, in every jail (a jail may have been disabled since).
  for (const [jail, byIp] of Object.entries(state.bans)) {
    for (const [ip, ban] of Object.entries(byIp)) {
      if (ban.until !== null && ban.until <= now) {
        decisions.push({ kind: 'unban', jail, ip, reason: 'expired' });
        delete draft.bans(jail)[ip];
      }
    }
    if (Object.keys(getOwn(state.bans, jail)!).length === 0) delete state.bans[jail];
  }

  // 2. Failures of jails no longer enabled leave the state.
  for (const jail of Object.keys(state.failures)) if (!jails.has(jail)) delete state.failures[jail];

  // 3. This run's failures join the state, in time order.
  const canonical = new Map<string, string>(); // a log repeats its addresses: parse each once
  const sorted = [...input.failures].sort((a, b) => a.time - b.time);
  for (const f of sorted) {
    const jail = jails.get(f.jail);
    if (!jail) {
      noteIgnored(f.jail, f.ip, 'jail is not enabled');
      continue;
    }
    let ip = canonical.get(f.ip);
    if (ip === undefined) canonical.set(f.ip, (ip = parseAddress(f.ip)?.ip ?? f.ip));
    if (!Number.isFinite(f.time) || f.time > now + FUTURE_SLACK) {
      noteIgnored(f.jail, ip, 'time more than a day in the future');
      continue;
    }
    if (f.time <= now - jail.findtime) continue; // too old to count
    const why = whyIgnored(jail, ip);
    if (why) {
      noteIgnored(f.jail, ip, why);
      continue;
    }
    if (getOwn(state.bans, f.jail)?.[ip]) continue; // already banned: nothing more to count
    const entry = draft.failureEntry(f.jail, ip);
    insertSorted(entry.times, f.time);
    entry.lines.push(f.line);
    if (f.user !== undefined) entry.user = f.user;
    if (entry.lines.length > MAX_LINES) entry.lines.splice(0, entry.lines.length - MAX_LINES);
  }

  // 4. Count inside findtime; ban at maxretry.
  for (const jail of input.jails) {
    const byIp = getOwn(state.failures, jail.name);
    if (!byIp) continue;
    const cutoff = now - jail.findtime;
    for (const [ip, entry] of Object.entries(byIp)) {
      // Times are sorted: most entries need no filtering at all.
      const inside = entry.times.length > 0 && entry.times[0]! > cutoff && entry.times.at(-1)! <= now + FUTURE_SLACK;
      const times = inside ? entry.times : entry.times.filter((t) => t > cutoff && t <= now + FUTURE_SLACK);
      if (times.length === 0 || getOwn(state.bans, jail.name)?.[ip]) {
        delete draft.failures(jail.name)[ip];
        continue;
      }
      if (times !== entry.times || entry.lines.length > times.length) {
        draft.failures(jail.name)[ip] = { times, lines: entry.lines.slice(-times.length), ...(entry.user !== undefined ? { user: entry.user } : {}) };
      }
      const history = state.banHistory[ip];
      const weight = failureWeight(jail, history ? (getOwn(history.jails, jail.name) ?? 0) : 0);
      if (times.length * weight < Math.max(1, jail.maxretry)) continue;
      delete draft.failures(jail.name)[ip];
      const why = whyIgnored(jail, ip);
      if (why) {
        noteIgnored(jail.name, ip, why);
        continue;
      }
      const prior = priorBans(jail, history);
      const d = banDuration(jail, prior, random);
      if (d.warning) warnings.push(d.warning);
      const until = banUntil(now, d.seconds);
      const count = prior + 1;
      const lines = entry.lines.slice(-times.length);
      const ban: BanRecord = { start: now, until, failures: times.length, count, origin: 'log', lines };
      draft.bans(jail.name)[ip] = ban;
      state.banHistory[ip] = remember(history, jail.name, now, d.seconds);
      decisions.push({ kind: 'ban', jail: jail.name, ip, failures: times.length, start: now, until, count, origin: 'log', lines: [...lines], ...(entry.user !== undefined ? { user: entry.user } : {}) });
    }
    if (Object.keys(getOwn(state.failures, jail.name)!).length === 0) delete state.failures[jail.name];
  }

  // 5. Ban counts are forgotten some time after the last ban, as fail2ban purges its database.
  const age = input.historyAge === undefined ? DEFAULT_HISTORY_AGE : input.historyAge;
  if (age !== null) pruneHistory(state, now - age);

  return { decisions, state, ignored, warnings };
}

// State records are keyed by jail names from the config: a jail called `constructor` must get its
// own entry, never reach what Object.prototype holds under that name.
function getOwn<T>(r: Record<string, T>, k: string): T | undefined {
  return Object.hasOwn(r, k) ? r[k] : undefined;
}
function put<T>(r: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function insertSorted(times: Epoch[], t: Epoch): void {
  let i = times.length;
  while (i > 0 && times[i - 1]! > t) i--;
  times.splice(i, 0, t);
}

function remember(h: BanHistory | undefined, jail: string, now: Epoch, seconds: number | null): BanHistory {
  const jails = { ...(h?.jails ?? {}) };
  put(jails, jail, (getOwn(jails, jail) ?? 0) + 1);
  return { count: (h?.count ?? 0) + 1, last: now, jails, bantime: seconds ?? -1 };
}

/** fail2ban keeps a ban count until last + 3 * bantime is older than dbpurgeage; forever bans for good. */
const OUTDATED_FACTOR = 3;

function pruneHistory(state: PolicyState, before: Epoch): void {
  const stillBanned = new Set<string>();
  for (const byIp of Object.values(state.bans)) for (const ip of Object.keys(byIp)) stillBanned.add(ip);
  for (const [ip, h] of Object.entries(state.banHistory)) {
    if (stillBanned.has(ip) || h.bantime === -1 || h.last >= before) continue;
    if (h.last + OUTDATED_FACTOR * (h.bantime ?? 0) < before) delete state.banHistory[ip];
  }
}

/**
 * The (jail, address) pairs this run would ban if nothing were ignored: what ignorecommand needs
 * to be asked about before the real decide() (see prepareIgnore).
 */
export function banCandidates(input: DecideInput): { jail: string; ip: string }[] {
  const { decisions } = decide({ ...input, isIgnored: undefined, random: () => 0 });
  return decisions.flatMap((d) => (d.kind === 'ban' ? [{ jail: d.jail, ip: d.ip }] : []));
}

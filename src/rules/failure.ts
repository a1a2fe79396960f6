// What a failregex match means once its groups are read: who (host or F-ID), which
// user, and the flags that steer multi-line ids (F-NOFAIL, F-MLFFORGET, F-MLFGAINED).
// The per-connection merge (F-MLFID) lives here too: lines of one sshd session share
// an id, so a line without an address (kex_exchange_identification...) is charged to
// the address another line of the same session gave, and a session that logs in
// (Accepted ...) cancels the near-failures it made on the way.

import { normalizeAddress } from '../net/address.ts';
import { isCanonicalV4, parseKeyOrRange, parseV4Key, type AddrKey } from '../net/key.ts';
import type { RuleMatch } from '../types.ts';

export type Groups = Record<string, string>;

/** Read a match's groups through the name map (first JS copy that captured wins). */
export function readGroups(m: RegExpExecArray, names: [string, string[]][], into: Groups): void {
  const g = m.groups;
  if (!g) return;
  for (const [py, js] of names) {
    for (const j of js) {
      const v = g[j];
      if (v !== undefined) {
        into[py] = v;
        break;
      }
    }
  }
}

export function hostOf(g: Groups): string | undefined {
  return g.ip4 ?? g.ip6 ?? (g.dns !== undefined && g.dns !== '' ? g.dns : undefined);
}

export function userOf(g: Groups): string | undefined {
  if (g.user !== undefined) return g.user;
  if (g.alt_user !== undefined) return g.alt_user;
  for (const k in g) if (k.startsWith('alt_user')) return g[k];
  return undefined;
}

// Attackers repeat: remember the normal form of the last few thousand hosts.
const normalCache = new Map<string, string | null>();
function normalized(host: string): string | null {
  let n = normalCache.get(host);
  if (n === undefined) {
    if (normalCache.size >= 4096) normalCache.clear();
    n = normalizeAddress(host);
    normalCache.set(host, n);
  }
  return n;
}

export function toRuleMatch(g: Groups, regex: number, lineNo: number, time: number | null, lines: string[]): RuleMatch | null {
  let host = hostOf(g) ?? (g.fid !== undefined && g.fid !== '' ? g.fid : undefined);
  if (host === undefined) return null;
  // The address is parsed here, once: a dotted quad straight into its number (most attackers),
  // anything else through the normaliser (cached: attackers repeat).
  let ip: string | null;
  let key: AddrKey | null;
  const v4 = parseV4Key(host);
  if (v4 >= 0) {
    key = v4;
    ip = isCanonicalV4(host) ? host : normalized(host);
  } else {
    ip = normalized(host);
    key = ip === null ? null : ip.includes(':') ? ip : parseV4Key(ip);
  }
  // <SUBNET> / <CIDR>: the failure is the whole network, written address/prefix.
  if (g.cidr !== undefined && g.cidr !== '' && ip !== null) {
    host = `${host}/${g.cidr}`;
    ip = `${ip}/${g.cidr}`;
    key = parseKeyOrRange(ip);
    if (key === null) ip = null;
  }
  const r: RuleMatch = { lineNo, host, ip, time, regex, lines, key };
  const user = userOf(g);
  if (user !== undefined) r.user = user;
  return r;
}

/**
 * fail2ban's multi-line failure cache (Filter.mlfidCache: Utils.Cache(maxCount=100, maxTime=5*60)):
 * an entry lives 5 minutes from its creation (fail2ban: its reading clock; here the log's own
 * time, which is the same for a live log and stays right when a run reads a backlog); when 100
 * are held, creating one drops the oldest created first (and any expired ones ahead of it).
 * An entry updated by later lines keeps its place and its expiry, as in fail2ban.
 */
export const MLFID_MAX_COUNT = 100;
export const MLFID_MAX_TIME = 5 * 60;

/** One connection's merged failure (fail2ban's cached `fail` dict). */
interface Entry {
  groups: Groups;
  /** F-NOFAIL / F-MLFGAINED values of the last line merged in (fail2ban keeps them in the dict). */
  nofail?: string;
  gained?: string;
  users?: Set<string>;
  matches?: string[];
  nofailMatches?: string[];
  /** A failure was seen before any line gave the address (fail2ban's mlfpending). */
  pending: boolean;
  expires: number;
}

const FLAGS = new Set(['nofail', 'mlfforget', 'mlfgained']);
const truthy = (v: string | undefined): v is string => v !== undefined && v !== '';

class ExpiringFifo {
  private readonly entries = new Map<string, Entry>();

  get(id: string, now: number): Entry | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (e.expires > now) return e;
    this.entries.delete(id);
    return undefined;
  }

  set(id: string, e: Entry, now: number): void {
    const cache = this.entries;
    if (cache.size >= MLFID_MAX_COUNT) {
      // FIFO: drop the oldest; go on while what was dropped had expired anyway.
      for (const [k, v] of cache) {
        cache.delete(k);
        if (v.expires > now && cache.size < MLFID_MAX_COUNT) break;
      }
    }
    e.expires = now + MLFID_MAX_TIME;
    cache.set(id, e);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}

/** Failures merged per multi-line failure id (F-MLFID), as fail2ban's Filter._mergeFailure merges them. */
export class SessionCache {
  private readonly cache = new ExpiringFifo();
  /** The time of the last dated line: lines without a date are merged at it (0 before any). */
  private clock = 0;

  /**
   * Merge one match into its connection; returns the groups and lines to report as a failure,
   * or null when this match is not (yet) one.
   */
  merge(id: string, g: Groups, lines: string[], time: number | null): { groups: Groups; lines: string[] } | null {
    if (time !== null) this.clock = time;
    const now = this.clock;
    const fail: Entry = { groups: {}, pending: false, expires: 0 };
    for (const k in g) if (!FLAGS.has(k)) fail.groups[k] = g[k]!;
    if (g.nofail !== undefined) fail.nofail = g.nofail;
    if (g.mlfgained !== undefined) fail.gained = g.mlfgained;
    // Flags: 1 no failure, 2 forget the connection, 4 the cached one said "no failure", 8 gained.
    let flags = 0;
    if (truthy(g.mlfgained)) {
      flags |= 8 | 1;
      if (!truthy(fail.nofail)) fail.nofail = g.mlfgained;
    } else if (truthy(g.nofail)) flags |= 1;
    if (truthy(g.mlfforget)) flags |= 2;

    let users: Set<string> | undefined;
    let cur: Entry;
    const cached = this.cache.get(id, now);
    if (cached) {
      users = addUser(cached, userOfLine(g));
      if (truthy(cached.nofail)) flags |= 4;
      if (truthy(cached.gained)) flags |= 4;
      delete cached.nofail;
      delete cached.gained;
      // Gained (logged in) resets what was pending; without pending failures the lines
      // already reported are not reported again.
      if (flags & 8) cached.pending = false;
      if ((flags & 4) === 0 && !cached.pending) delete cached.matches;
      Object.assign(cached.groups, fail.groups);
      if (fail.nofail !== undefined) cached.nofail = fail.nofail;
      if (fail.gained !== undefined) cached.gained = fail.gained;
      cur = cached;
      if (flags & 2) this.cache.delete(id);
    } else {
      cur = fail;
      if (!(flags & 2)) {
        users = addUser(cur, userOfLine(g));
        this.cache.set(id, cur, now);
      }
    }
    // Pending failures, or attempts with several user names, make this line count.
    if (cur.pending || (users !== undefined && users.size > 1)) {
      cur.pending = false;
      delete cur.nofail;
      delete cur.gained;
      flags &= ~(8 | 1);
    }
    if ((flags & 1) === 0) {
      const m = [...(cur.nofailMatches ?? []), ...(cur.matches ?? [])];
      delete cur.nofailMatches;
      if ((flags & 8) === 0) m.push(...lines);
      cur.matches = m;
    } else if ((flags & 3) === 1) {
      cur.nofailMatches = [...(cur.nofailMatches ?? []), ...lines];
    }
    if (truthy(cur.nofail)) return null;
    if (hostOf(cur.groups) === undefined && !truthy(cur.groups.fid)) {
      cur.pending = true; // waits for a line that names the address
      return null;
    }
    return { groups: { ...cur.groups }, lines: cur.matches ?? [] };
  }
}

/** The line's user name as fail2ban merges it: F-USER, else a non-empty F-ALT_USER*. */
function userOfLine(g: Groups): string | undefined {
  if (truthy(g.user)) return g.user;
  for (const k in g) if (k.startsWith('alt_user') && truthy(g[k])) return g[k];
  return undefined;
}

/** fail2ban's _updateUsers: the connection's user names. */
function addUser(e: Entry, user: string | undefined): Set<string> | undefined {
  if (truthy(user)) (e.users ??= new Set()).add(user);
  return e.users;
}

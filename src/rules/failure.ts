// What a failregex match means once its groups are read: who (host or F-ID), which
// user, and the flags that steer multi-line ids (F-NOFAIL, F-MLFFORGET, F-MLFGAINED).
// The per-connection merge (F-MLFID) lives here too: lines of one sshd session share
// an id, so a line without an address (kex_exchange_identification...) is charged to
// the address another line of the same session gave, and a session that logs in
// (Accepted ...) cancels the near-failures it made on the way.

import { normalizeAddress } from '../net/address.ts';
import { isCanonicalV4, keyText, parseKeyOrRange, parseV4Key, parseV6Key, type AddrKey } from '../net/key.ts';
import type { RuleMatch } from '../types.ts';

export type Groups = Record<string, string>;

/** Read a match's groups through the name map (first JS copy that captured wins). */
export function readGroups(m: RegExpExecArray, names: [string, string[]][], into: Groups): void {
  const g = m.groups;
  if (!g) return;
  for (let i = 0; i < names.length; i++) {
    const js = names[i]![1];
    for (let k = 0; k < js.length; k++) {
      const v = g[js[k]!];
      if (v !== undefined) {
        into[names[i]![0]] = v;
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

// The last host parsed: the jails reading one file get the same host string from the same match
// (rules/line-memo.ts), and a connection's lines repeat its address.
let lastHost: string | null = null;
let lastIp: string | null = null;
let lastKey: AddrKey | null = null;

export function toRuleMatch(g: Groups, regex: number, lineNo: number, time: number | null, lines: string[]): RuleMatch | null {
  let host = hostOf(g) ?? (g.fid !== undefined && g.fid !== '' ? g.fid : undefined);
  if (host === undefined) return null;
  if (host !== lastHost) parseHost(host);
  let ip = lastIp;
  let key = lastKey;
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
 * A host's address text and key into lastIp and lastKey, parsed here once: a dotted quad straight
 * into its number (most attackers), anything else through the normaliser (cached: attackers repeat).
 */
function parseHost(host: string): void {
  let ip: string | null;
  let key: AddrKey | null;
  const v4 = parseV4Key(host);
  if (v4 >= 0) {
    key = v4;
    ip = isCanonicalV4(host) ? host : keyText(v4);
  } else if (host.includes(':') && (key = parseV6Key(host)) !== null) {
    ip = keyText(key);
  } else {
    ip = normalized(host);
    key = ip === null ? null : ip.includes(':') ? ip : parseV4Key(ip);
  }
  lastHost = host;
  lastIp = ip;
  lastKey = key;
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
  /**
   * The connection's groups. Until a second line merges in, the first line's own object, not a
   * copy (most connections log one matching line; the matchers of a file share that object, so
   * it is never written): it may still hold the merge keys, which are never read from here.
   */
  groups: Groups;
  /** `groups` is this entry's own copy (made at the second line). */
  ownGroups: boolean;
  /** F-NOFAIL / F-MLFGAINED values of the last line merged in (fail2ban keeps them in the dict). */
  nofail: string | undefined;
  gained: string | undefined;
  /** The first user name seen; `manyUsers` once another was (fail2ban's set of users, size > 1). */
  user: string | undefined;
  manyUsers: boolean;
  matches: string[] | undefined;
  nofailMatches: string[] | undefined;
  /** A failure was seen before any line gave the address (fail2ban's mlfpending). */
  pending: boolean;
  /** When it is forgotten (the log's time); NaN: made before any dated line, stamped by the first. */
  expires: number;
  /** Left the cache (forgotten, expired or pushed out). */
  dead: boolean;
}

/**
 * A copy of `e` that a merge may write (groups not yet its own are never written: shared). Written
 * out as merge() makes entries: one shape for all (a spread copy made merge's property reads
 * polymorphic, every line's merge ~2× slower).
 */
function apart(e: Readonly<Entry>): Entry {
  return {
    groups: e.ownGroups ? { ...e.groups } : e.groups,
    ownGroups: e.ownGroups,
    nofail: e.nofail,
    gained: e.gained,
    user: e.user,
    manyUsers: e.manyUsers,
    matches: e.matches?.slice(),
    nofailMatches: e.nofailMatches?.slice(),
    pending: e.pending,
    expires: e.expires,
    dead: e.dead,
  };
}

/** A connection taken apart from its cache (SessionCache.before). */
export type SessionEntry = Readonly<Entry>;

const truthy = (v: string | undefined): v is string => v !== undefined && v !== '';

/** Still held at `now` (null: no dated line yet, nothing has aged). */
const alive = (e: Entry, now: number | null): boolean => now === null || !(e.expires <= now);

class ExpiringFifo {
  /**
   * id -> entry. Entries are marked dead instead of deleted, and the map is rebuilt from the
   * live ones when it has grown to a few times the limit: a Map that deletes at the rate
   * connections close made a 1M-line report's peak memory grow with the log (V8 keeps its
   * tables' garbage in the old generation); one dropped as a whole does not.
   */
  private map = new Map<string, Entry>();
  private live = 0;
  /** Creation order (fail2ban's OrderedDict): ents[i] was set under ids[i]; dead ones are skipped. */
  private ids: string[] = [];
  private ents: Entry[] = [];
  private head = 0;

  get(id: string, now: number | null): Entry | undefined {
    const e = this.map.get(id);
    if (e === undefined || e.dead) return undefined;
    if (alive(e, now)) return e;
    this.kill(e);
    return undefined;
  }

  /** The entry held under `id`, expired or not (get() decides that at the line's time). */
  peek(id: string): Entry | undefined {
    const e = this.map.get(id);
    return e === undefined || e.dead ? undefined : e;
  }

  set(id: string, e: Entry, now: number | null): void {
    if (this.live >= MLFID_MAX_COUNT) {
      // FIFO: drop the oldest; go on while what was dropped had expired anyway.
      while (this.head < this.ids.length) {
        const v = this.ents[this.head]!;
        this.head++;
        if (v.dead) continue;
        this.kill(v);
        if (alive(v, now) && this.live < MLFID_MAX_COUNT) break;
      }
    }
    e.expires = now === null ? NaN : now + MLFID_MAX_TIME;
    e.dead = false;
    this.map.set(id, e);
    this.live++;
    this.ids.push(id);
    this.ents.push(e);
    if (this.ids.length > 8 * MLFID_MAX_COUNT) this.compact();
  }

  /** A copy that goes on apart: the live entries, in order, each copied (later merges write them). */
  clone(): ExpiringFifo {
    const c = new ExpiringFifo();
    for (let i = this.head; i < this.ids.length; i++) {
      const e = this.ents[i]!;
      if (e.dead) continue;
      // Groups not yet the entry's own are never written (the first line's, shared): kept as they are.
      const copy = apart(e);
      c.ids.push(this.ids[i]!);
      c.ents.push(copy);
      c.map.set(this.ids[i]!, copy);
      c.live++;
    }
    return c;
  }

  delete(id: string): void {
    const e = this.map.get(id);
    if (e !== undefined && !e.dead) this.kill(e);
  }

  /**
   * The first dated line: entries made before it are taken as made at its time (fail2ban's clock
   * is the reading time, and a live log's undated lines are read seconds before the dated one).
   */
  stampUndated(now: number): void {
    for (const e of this.ents) if (!e.dead && Number.isNaN(e.expires)) e.expires = now + MLFID_MAX_TIME;
  }

  private kill(e: Entry): void {
    e.dead = true;
    this.live--;
  }

  /** Only the live entries, in order, in a new map and new order arrays (amortised O(1)). */
  private compact(): void {
    const ids: string[] = [];
    const ents: Entry[] = [];
    const map = new Map<string, Entry>();
    for (let i = this.head; i < this.ids.length; i++) {
      const e = this.ents[i]!;
      if (e.dead) continue;
      ids.push(this.ids[i]!);
      ents.push(e);
      map.set(this.ids[i]!, e);
    }
    this.ids = ids;
    this.ents = ents;
    this.map = map;
    this.head = 0;
  }
}

/** Failures merged per multi-line failure id (F-MLFID), as fail2ban's Filter._mergeFailure merges them. */
export class SessionCache {
  private cache = new ExpiringFifo();
  /** The time of the last dated line: lines without a date are merged at it (null before any). */
  private clock: number | null = null;

  /** A copy that goes on apart from this one. */
  clone(): SessionCache {
    const c = new SessionCache();
    c.cache = this.cache.clone();
    c.clock = this.clock;
    return c;
  }

  /** The lines to report with the groups the last merge returned (no result object per failure). */
  reported: string[] = [];

  /**
   * Merge one match into its connection; returns the groups to report as a failure (its lines
   * in `reported`), or null when this match is not (yet) one. The groups are the connection's
   * own: read them before the next merge, which may change them.
   */
  merge(id: string, g: Groups, lines: string[], time: number | null): Groups | null {
    if (time !== null) {
      if (this.clock === null) this.cache.stampUndated(time);
      this.clock = time;
    }
    return this.fold(id, this.cache.get(id, this.clock), g, lines, true);
  }

  /**
   * The connection `id` as it is now, apart (a copy later merges do not change): for mergeAside()
   * once this line's merge has been done (undefined: none held).
   */
  before(id: string): SessionEntry | undefined {
    const e = this.cache.peek(id);
    if (e === undefined) return undefined;
    return apart(e);
  }

  /**
   * What merge() would have returned for `g` had the connection been `entry` (from before()),
   * after this line's merge() of a line that forgets the connection too (F-MLFFORGET): the cache
   * is left as that merge left it (the connection forgotten either way). For a rule following
   * another through a line whose failregex differs (matcher-group.ts).
   */
  mergeAside(entry: SessionEntry | undefined, g: Groups, lines: string[]): Groups | null {
    const now = this.clock;
    return this.fold('', entry !== undefined && alive(entry, now) ? apart(entry) : undefined, g, lines, false);
  }

  /** merge() once the clock is set: `cached`, the live entry of `id`; `keep`: the cache is this line's. */
  private fold(id: string, cached: Entry | undefined, g: Groups, lines: string[], keep: boolean): Groups | null {
    const now = this.clock;
    // Flags: 1 no failure, 2 forget the connection, 4 the cached one said "no failure", 8 gained.
    let flags = 0;
    let nofail = g.nofail;
    const gained = g.mlfgained;
    if (truthy(gained)) {
      flags |= 8 | 1;
      if (!truthy(nofail)) nofail = gained;
    } else if (truthy(nofail)) flags |= 1;
    if (truthy(g.mlfforget)) flags |= 2;

    // Fields are set to undefined, never deleted: entries keep one shape (V8's fast properties).
    let manyUsers = false;
    let cur: Entry;
    if (cached) {
      manyUsers = addUser(cached, userOfLine(g));
      if (truthy(cached.nofail) || truthy(cached.gained)) flags |= 4;
      // Gained (logged in) resets what was pending; without pending failures the lines
      // already reported are not reported again.
      if (flags & 8) cached.pending = false;
      if ((flags & 4) === 0 && !cached.pending) cached.matches = undefined;
      if (!cached.ownGroups) {
        cached.groups = copyGroups(cached.groups, {});
        cached.ownGroups = true;
      }
      copyGroups(g, cached.groups);
      // nofail / gained: the last line's (fail2ban's dict update with this line's values).
      cached.nofail = nofail;
      cached.gained = gained;
      cur = cached;
      if (flags & 2 && keep) this.cache.delete(id);
    } else {
      cur = { groups: g, ownGroups: false, nofail, gained, user: undefined, manyUsers: false, matches: undefined, nofailMatches: undefined, pending: false, expires: 0, dead: false };
      if (!(flags & 2)) {
        manyUsers = addUser(cur, userOfLine(g));
        if (keep) this.cache.set(id, cur, now);
      }
    }
    // Pending failures, or attempts with several user names, make this line count.
    if (cur.pending || manyUsers) {
      cur.pending = false;
      cur.nofail = undefined;
      cur.gained = undefined;
      flags &= ~(8 | 1);
    }
    if ((flags & 1) === 0) {
      // A new array: the previous one may be a failure already reported.
      const before = cur.nofailMatches;
      const m = before === undefined ? (cur.matches === undefined ? [] : cur.matches.slice()) : cur.matches === undefined ? before : before.concat(cur.matches);
      cur.nofailMatches = undefined;
      if ((flags & 8) === 0) for (const l of lines) m.push(l);
      cur.matches = m;
    } else if ((flags & 3) === 1) {
      cur.nofailMatches = cur.nofailMatches === undefined ? lines.slice() : cur.nofailMatches.concat(lines);
    }
    if (truthy(cur.nofail)) return null;
    if (hostOf(cur.groups) === undefined && !truthy(cur.groups.fid)) {
      cur.pending = true; // waits for a line that names the address
      return null;
    }
    this.reported = cur.matches ?? [];
    // Reported, nothing pending and no "no failure" state: the next line of this connection
    // drops these matches anyway (fail2ban's merge), so the cache does not hold them (a held
    // line keeps its whole read slice alive).
    cur.matches = undefined;
    return cur.groups;
  }
}

/**
 * Not merged into a connection: the merge flags (F-NOFAIL, F-MLFFORGET, F-MLFGAINED: this line's,
 * read above), the id itself and the prefregex's whole `content` (a failure needs neither).
 */
function mergeSkips(k: string): boolean {
  return k === 'mlfid' || k === 'nofail' || k === 'mlfforget' || k === 'mlfgained' || k === 'content';
}

/** The line's groups but the merge skips, into `to`. */
function copyGroups(g: Groups, to: Groups): Groups {
  for (const k in g) if (!mergeSkips(k)) to[k] = g[k]!;
  return to;
}

/** The line's user name as fail2ban merges it: F-USER, else a non-empty F-ALT_USER*. */
function userOfLine(g: Groups): string | undefined {
  if (truthy(g.user)) return g.user;
  for (const k in g) if (k.startsWith('alt_user') && truthy(g[k])) return g[k];
  return undefined;
}

/** fail2ban's _updateUsers: whether the connection has now tried more than one user name. */
function addUser(e: Entry, user: string | undefined): boolean {
  if (truthy(user)) {
    if (e.user === undefined) e.user = user;
    else if (user !== e.user) e.manyUsers = true;
  }
  return e.manyUsers;
}

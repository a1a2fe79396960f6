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
    ip = isCanonicalV4(host) ? host : keyText(v4);
  } else if (host.includes(':') && (key = parseV6Key(host)) !== null) {
    ip = keyText(key);
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

const NO_LINES: string[] = [];

/** A session id (process id) not seen for this long is a new session. */
const SESSION_TIMEOUT = 10 * 60;

interface Session {
  groups: Groups;
  /** Log time of its last line (null: lines without time). */
  time: number | null;
  users: string[];
  /** A failure was seen before any line of the session named the address. */
  pending: boolean;
  lines: string[];
}

const FLAGS = new Set(['nofail', 'mlfforget', 'mlfgained', 'mlfid', 'content']);
const MAX_SESSIONS = 2000;

/**
 * Sessions kept in two generations: when the young map is full it becomes the old one
 * and the former old one is dropped, so a session seen recently (moved back into the
 * young map on use) survives. O(1) per line, nothing ever iterates the maps.
 */
class SessionMap {
  private young = new Map<string, Session>();
  private old = new Map<string, Session>();

  get(id: string): Session | undefined {
    const s = this.young.get(id);
    if (s !== undefined) return s;
    const o = this.old.get(id);
    if (o !== undefined) {
      this.old.delete(id);
      this.set(id, o);
    }
    return o;
  }

  set(id: string, s: Session): void {
    if (this.young.size >= MAX_SESSIONS) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(id, s);
  }

  delete(id: string): void {
    this.young.delete(id);
    this.old.delete(id);
  }
}

/** Failures merged per multi-line failure id (F-MLFID). */
export class SessionCache {
  private readonly sessions = new SessionMap();

  /**
   * Merge one match into its session; returns the groups to report as a failure,
   * or null when this match is not (yet) a failure.
   */
  merge(id: string, g: Groups, lines: string[], time: number | null): { groups: Groups; lines: string[] } | null {
    let nofail = g.nofail !== undefined || g.mlfgained !== undefined;
    const forget = g.mlfforget !== undefined;
    const user = userOf(g) || undefined;
    let s = this.sessions.get(id);
    // Process ids come back: an old session with the same id is another connection.
    if (s && s.time !== null && time !== null && time - s.time > SESSION_TIMEOUT) {
      this.sessions.delete(id);
      s = undefined;
    }
    if (s && time !== null) s.time = time;
    let newUser = false;
    let merged: Groups;
    if (s) {
      // The session's fields, updated by this line's (the session object is reused).
      merged = s.groups;
      for (const k in g) if (!FLAGS.has(k) && (g[k] !== '' || merged[k] === undefined)) merged[k] = g[k]!;
      if (user !== undefined && !s.users.includes(user)) {
        newUser = s.users.length > 0;
        s.users.push(user);
      }
    } else {
      merged = {};
      for (const k in g) if (!FLAGS.has(k)) merged[k] = g[k]!;
      if (!forget) {
        s = { groups: merged, time, users: user !== undefined ? [user] : [], pending: false, lines: NO_LINES };
        this.sessions.set(id, s);
      }
    }
    // A failure waiting for its address, or attempts with several user names, count
    // even when this line alone would not.
    if (s && (s.pending || newUser)) nofail = false;
    let out: { groups: Groups; lines: string[] } | null = null;
    if (!nofail) {
      const hasId = hostOf(merged) !== undefined || (merged.fid !== undefined && merged.fid !== '');
      if (hasId) {
        out = { groups: merged, lines: s && s.lines.length ? [...s.lines, ...lines] : lines };
        if (s) {
          s.pending = false;
          s.lines = NO_LINES;
        }
      } else if (s) {
        s.pending = true;
        s.lines = [...s.lines, ...lines];
      }
    }
    if (forget) this.sessions.delete(id);
    return out;
  }
}

// What a failregex match means once its groups are read: who (host or F-ID), which
// user, and the flags that steer multi-line ids (F-NOFAIL, F-MLFFORGET, F-MLFGAINED).
// The per-connection merge (F-MLFID) lives here too: lines of one sshd session share
// an id, so a line without an address (kex_exchange_identification...) is charged to
// the address another line of the same session gave, and a session that logs in
// (Accepted ...) cancels the near-failures it made on the way.

import { normalizeAddress } from '../net/address.ts';
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
  for (const k of Object.keys(g)) if (k.startsWith('alt_user') && g[k] !== undefined) return g[k];
  return undefined;
}

export function toRuleMatch(g: Groups, regex: number, lineNo: number, time: number | null, lines: string[]): RuleMatch | null {
  const host = hostOf(g) ?? (g.fid !== undefined && g.fid !== '' ? g.fid : undefined);
  if (host === undefined) return null;
  const r: RuleMatch = { lineNo, host, ip: normalizeAddress(host), time, regex, lines };
  const user = userOf(g);
  if (user !== undefined) r.user = user;
  return r;
}

interface Session {
  groups: Groups;
  users: Set<string>;
  /** A failure was seen before any line of the session named the address. */
  pending: boolean;
  lines: string[];
}

const FLAGS = ['nofail', 'mlfforget', 'mlfgained', 'mlfid', 'content'];
const MAX_SESSIONS = 2000;

/** Failures merged per multi-line failure id (F-MLFID). */
export class SessionCache {
  private readonly sessions = new Map<string, Session>();

  /**
   * Merge one match into its session; returns the groups to report as a failure,
   * or null when this match is not (yet) a failure.
   */
  merge(id: string, g: Groups, lines: string[]): { groups: Groups; lines: string[] } | null {
    let nofail = g.nofail !== undefined || g.mlfgained !== undefined;
    const forget = g.mlfforget !== undefined;
    let s = this.sessions.get(id);
    let merged: Groups;
    let newUser = false;
    const user = userOf(g) || undefined;
    if (s) {
      merged = { ...s.groups };
      for (const k in g) if (!FLAGS.includes(k) && (g[k] !== '' || merged[k] === undefined)) merged[k] = g[k]!;
      if (user !== undefined && !s.users.has(user)) {
        newUser = s.users.size > 0;
        s.users.add(user);
      }
      // Refresh the order: the session is alive.
      this.sessions.delete(id);
      this.sessions.set(id, s);
    } else {
      merged = {};
      for (const k in g) if (!FLAGS.includes(k)) merged[k] = g[k]!;
      if (!forget) {
        s = { groups: merged, users: new Set(user !== undefined ? [user] : []), pending: false, lines: [] };
        this.sessions.set(id, s);
        if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
      }
    }
    // A failure waiting for its address, or attempts with several user names, count
    // even when this line alone would not.
    if (s && (s.pending || newUser)) nofail = false;
    const hasId = hostOf(merged) !== undefined || (merged.fid !== undefined && merged.fid !== '');
    let out: { groups: Groups; lines: string[] } | null = null;
    if (!nofail) {
      if (hasId) {
        out = { groups: merged, lines: s ? [...s.lines, ...lines] : lines };
        if (s) {
          s.pending = false;
          s.lines = [];
        }
      } else if (s) {
        s.pending = true;
        s.lines.push(...lines);
      }
    }
    if (s) s.groups = merged;
    if (forget) this.sessions.delete(id);
    return out;
  }
}

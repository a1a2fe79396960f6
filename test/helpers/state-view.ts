// The state as tests like to read and write it: plain objects per jail and address text
// (`bans.sshd['192.0.2.1']`), made through src/state/'s own loader and accessors, so a test
// never depends on how the file lays out its columns.

import { readFileSync } from 'node:fs';
import type { BanRecord } from '../../src/types.ts';
import { keyText, parseKey } from '../../src/net/key.ts';
import { migrate } from '../../src/state/migrate.ts';
import { emptyState, type BanHistory, type State, type Ticket } from '../../src/state/schema.ts';
import { bansOf, jailsWithBans, setBan } from '../../src/state/bans.ts';
import { setTicket, ticketsOf } from '../../src/state/tickets.ts';
import { historyEntries, setHistory } from '../../src/state/history.ts';
import { jailNames } from '../../src/state/jails.ts';

export interface StateView extends Omit<State, 'jails' | 'history'> {
  bans: Record<string, Record<string, BanRecord>>;
  /** Failure tickets by jail and address. */
  failures: Record<string, Record<string, Ticket>>;
  banHistory: Record<string, BanHistory>;
}

export function viewOf(s: State): StateView {
  const { jails: _jails, history: _history, ...rest } = s;
  const bans: StateView['bans'] = {};
  const failures: StateView['failures'] = {};
  for (const jail of jailsWithBans(s)) {
    bans[jail] = {};
    for (const [k, b] of bansOf(s, jail)) bans[jail]![keyText(k)] = b;
  }
  for (const jail of jailNames(s)) {
    const t = [...ticketsOf(s, jail)];
    if (t.length === 0) continue;
    failures[jail] = {};
    for (const [k, v] of t) failures[jail]![keyText(k)] = v;
  }
  const banHistory: StateView['banHistory'] = {};
  for (const [k, h] of historyEntries(s)) banHistory[keyText(k)] = h;
  return { ...rest, bans, failures, banHistory };
}

/** A state file (any version) as a view; times are not capped against any clock. */
export function readStateView(path: string): StateView {
  return viewOf(migrate(JSON.parse(readFileSync(path, 'utf8')), { now: Number.MAX_SAFE_INTEGER / 2 }));
}

/** A state holding what a view says (missing parts empty). */
export function stateOf(v: Partial<StateView>): State {
  const s = emptyState();
  const { bans, failures, banHistory, ...rest } = v;
  Object.assign(s, rest);
  const key = (ip: string) => {
    const k = parseKey(ip);
    if (k === null) throw new Error(`not an address: ${ip}`);
    return k;
  };
  for (const [jail, byIp] of Object.entries(bans ?? {})) for (const [ip, b] of Object.entries(byIp)) setBan(s, jail, key(ip), b);
  for (const [jail, byIp] of Object.entries(failures ?? {})) for (const [ip, t] of Object.entries(byIp)) setTicket(s, jail, key(ip), t);
  for (const [ip, h] of Object.entries(banHistory ?? {})) setHistory(s, key(ip), h);
  return s;
}

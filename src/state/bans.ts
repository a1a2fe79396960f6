// The bans of the state, per jail and address key. The only way code outside src/state/ reads
// or changes them: records come back as fresh objects for rows still in their columns, so a
// change is made with setBan/updateBan, never by editing a record in place.

import type { BanRecord, Epoch } from '../types.ts';
import type { AddrKey } from '../net/key.ts';
import type { State } from './schema.ts';
import { tablesFor, tablesOf } from './jails.ts';

export function getBan(state: State, jail: string, key: AddrKey): BanRecord | undefined {
  return tablesOf(state, jail)?.bans.get(key);
}

export function hasBan(state: State, jail: string, key: AddrKey): boolean {
  return tablesOf(state, jail)?.bans.has(key) ?? false;
}

export function setBan(state: State, jail: string, key: AddrKey, rec: BanRecord): void {
  tablesFor(state, jail).bans.set(key, rec);
}

/** Change some fields of a ban (a copy is stored); false when there is no such ban. */
export function updateBan(state: State, jail: string, key: AddrKey, patch: Partial<BanRecord>): boolean {
  const cur = getBan(state, jail, key);
  if (!cur) return false;
  const next: BanRecord = { ...cur, ...patch };
  for (const k of Object.keys(patch) as (keyof BanRecord)[]) if (patch[k] === undefined) delete next[k];
  setBan(state, jail, key, next);
  return true;
}

export function deleteBan(state: State, jail: string, key: AddrKey): boolean {
  return tablesOf(state, jail)?.bans.delete(key) ?? false;
}

/** Every ban of a jail (records built one at a time as the iteration goes). */
export function* bansOf(state: State, jail: string): IterableIterator<[AddrKey, BanRecord]> {
  const t = tablesOf(state, jail);
  if (t) yield* t.bans.entries();
}

/** The addresses banned in a jail, without building records. */
export function* banKeys(state: State, jail: string): IterableIterator<AddrKey> {
  const t = tablesOf(state, jail);
  if (t) yield* t.bans.keyList();
}

export function banCount(state: State, jail: string): number {
  return tablesOf(state, jail)?.bans.size ?? 0;
}

/** A jail's banned addresses per family (ranges in their family) and how many are ranges, without reading the rows. */
export function banKeyCounts(state: State, jail: string): { v4: number; v6: number; ranges: number } {
  return tablesOf(state, jail)?.bans.keyCounts() ?? { v4: 0, v6: 0, ranges: 0 };
}

/** Jails that hold at least one ban. */
export function jailsWithBans(state: State): string[] {
  const out: string[] = [];
  for (const [name, t] of state.jails) if (t.bans.size > 0) out.push(name);
  return out;
}

/** Bans whose time is over at `now` (until <= now), found from the until column alone. */
export function expiredBans(state: State, jail: string, now: Epoch): AddrKey[] {
  return tablesOf(state, jail)?.bans.keysAtOrBelow('until', (r) => r.until, now) ?? [];
}

/** Bans still in force at `now` in a jail (until null or later than now), counted from the column. */
export function liveBanCount(state: State, jail: string, now: Epoch): number {
  return tablesOf(state, jail)?.bans.countAbove('until', (r) => r.until, now) ?? 0;
}

/** Bans a firewall action still owes (pending), found from the sparse extras alone. */
export function pendingBanKeys(state: State, jail: string): AddrKey[] {
  const out: AddrKey[] = [];
  tablesOf(state, jail)?.bans.eachExtras((r) => (r.pending ? { pending: r.pending } : undefined), (x, key) => {
    if (x.pending === 'ban') out.push(key);
  }, 'pending');
  return out;
}

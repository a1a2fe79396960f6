// The failure tickets of the state, per jail and address key (what fail2ban's FailManager keeps
// in memory, kept here between runs). Records of rows still in their columns come back as fresh
// objects: change a ticket with setTicket.

import type { Epoch } from '../types.ts';
import type { AddrKey } from '../net/key.ts';
import type { State, Ticket } from './schema.ts';
import { tablesFor, tablesOf } from './jails.ts';
import type { Table } from './table.ts';

export function getTicket(state: State, jail: string, key: AddrKey): Ticket | undefined {
  return tablesOf(state, jail)?.tickets.get(key);
}

export function setTicket(state: State, jail: string, key: AddrKey, t: Ticket): void {
  tablesFor(state, jail).tickets.set(key, t);
}

export function deleteTicket(state: State, jail: string, key: AddrKey): boolean {
  return tablesOf(state, jail)?.tickets.delete(key) ?? false;
}

export function* ticketsOf(state: State, jail: string): IterableIterator<[AddrKey, Ticket]> {
  const t = tablesOf(state, jail);
  if (t) yield* t.tickets.entries();
}

export function ticketCount(state: State, jail: string): number {
  return tablesOf(state, jail)?.tickets.size ?? 0;
}

/** The jail's ticket table itself, for the scan's fold (one look-up per failure, no wrapper). */
export function ticketTable(state: State, jail: string): Table<Ticket> {
  return tablesFor(state, jail).tickets;
}

/**
 * Forget tickets whose last failure is at or before `before` (fail2ban's FailManager.cleanup),
 * found from the `last` column alone. Returns how many went.
 */
export function dropStaleTickets(state: State, jail: string, before: Epoch): number {
  const t = tablesOf(state, jail)?.tickets;
  if (!t) return 0;
  const stale = t.keysAtOrBelow('last', (r) => r.last, before);
  for (const k of stale) t.delete(k);
  return stale.length;
}

/** Tickets whose last failure is later than `after` (status: "currently failed"), counted from the column. */
export function ticketsSince(state: State, jail: string, after: Epoch): number {
  return tablesOf(state, jail)?.tickets.countAbove('last', (r) => r.last, after) ?? 0;
}

/** Forget every ticket of a jail (a jail no longer enabled). */
export function dropTickets(state: State, jail: string): void {
  tablesOf(state, jail)?.tickets.clear();
}

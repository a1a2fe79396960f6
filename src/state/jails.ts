// A jail's tables in the state, created on first write (a read of an unknown jail creates nothing).

import { emptyJailTables, type JailTables, type State } from './schema.ts';

/** The jail's tables, or undefined when the state holds nothing for it. */
export function tablesOf(state: State, jail: string): JailTables | undefined {
  return state.jails.get(jail);
}

/** The jail's tables, created empty when missing. */
export function tablesFor(state: State, jail: string): JailTables {
  let t = state.jails.get(jail);
  if (!t) state.jails.set(jail, (t = emptyJailTables()));
  return t;
}

/** Jails the state holds bans or tickets for. */
export function jailNames(state: State): string[] {
  return [...state.jails.keys()];
}

// Ban histories (how often each address was banned, for bantime.increment), by address key.

import type { AddrKey } from '../net/key.ts';
import type { BanHistory, State } from './schema.ts';

export function getHistory(state: State, key: AddrKey): BanHistory | undefined {
  return state.history.get(key);
}

export function setHistory(state: State, key: AddrKey, h: BanHistory): void {
  state.history.set(key, h);
}

export function deleteHistory(state: State, key: AddrKey): boolean {
  return state.history.delete(key);
}

export function historyEntries(state: State): IterableIterator<[AddrKey, BanHistory]> {
  return state.history.entries();
}

export function historyCount(state: State): number {
  return state.history.size;
}

/** Keys whose last ban started at or before `before`, from the `last` column alone. */
export function historyLastBefore(state: State, before: number): AddrKey[] {
  return state.history.keysAtOrBelow('last', (h) => h.last, before, true);
}

// All-time fleet counters, kept in the state beside the cursor (state.fleet.totals) so the
// metrics file can give Prometheus counters that only grow, as the jails' totals do. The run's
// fleet step adds what it published, imported and dropped; `ban/import/unban --fleet` what
// they published. Imported = bans this host took (after ignoreip and what its firewall holds).

import type { State } from '../state/schema.ts';

export interface FleetTotals {
  published: number;
  imported: number;
  dropped: number;
}

/** A count as stored, or 0 when the state holds anything else (hand-edited, older version). */
const count = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The totals so far, read defensively. */
export function fleetTotals(state: State): FleetTotals {
  const t = state.fleet.totals;
  return { published: count(t?.published), imported: count(t?.imported), dropped: count(t?.dropped) };
}

/** Add one exchange's counts to the state's totals; the new totals. */
export function addFleetTotals(state: State, add: Partial<FleetTotals>): FleetTotals {
  const t = fleetTotals(state);
  const next = { published: t.published + (add.published ?? 0), imported: t.imported + (add.imported ?? 0), dropped: t.dropped + (add.dropped ?? 0) };
  state.fleet.totals = next;
  return next;
}

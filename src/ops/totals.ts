// Running totals per jail in the state (fail2ban-client status: "Total failed", "Total banned";
// the metrics file's counters: bans, unbans, failures, lines read), and the fleet exchange's.

import type { FleetTotals, JailTotals, State } from '../state/schema.ts';
import type { JailCounters, RunSummary } from '../types.ts';
import { liveBanCount } from '../state/bans.ts';

export function addTotals(state: State, jail: string, add: Partial<JailTotals>): void {
  const all = (state.totals ??= {});
  const t = Object.hasOwn(all, jail) ? all[jail]! : (all[jail] = { failed: 0, banned: 0 });
  t.failed += add.failed ?? 0;
  t.banned += add.banned ?? 0;
  if (add.unbanned) t.unbanned = (t.unbanned ?? 0) + add.unbanned;
  if (add.lines) t.lines = (t.lines ?? 0) + add.lines;
}

export function totalsOf(state: State, jail: string): Required<JailTotals> {
  const t = state.totals && Object.hasOwn(state.totals, jail) ? state.totals[jail]! : undefined;
  return { failed: t?.failed ?? 0, banned: t?.banned ?? 0, unbanned: t?.unbanned ?? 0, lines: t?.lines ?? 0 };
}

/** The counters the metrics file shows for these jails: bans in force at `now`, and the totals. */
export function jailCounters(state: State, jails: string[], now: number): Record<string, JailCounters> {
  const out: Record<string, JailCounters> = {};
  for (const jail of jails) {
    const t = totalsOf(state, jail);
    out[jail] = {
      // Counted from the until column: a state of a million bans builds no record for this.
      bansActive: liveBanCount(state, jail, now),
      bans: t.banned,
      unbans: t.unbanned,
      failures: t.failed,
      lines: t.lines,
    };
  }
  return out;
}

/** The fleet's counters all time; a value that is not a count (hand-edited state) reads as 0. */
export function fleetTotalsOf(state: State): FleetTotals {
  const t = state.fleet.totals as Partial<Record<keyof FleetTotals, unknown>> | undefined;
  const n = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
  return { published: n(t?.published), imported: n(t?.imported), dropped: n(t?.dropped) };
}

/** Count this run's exchange into the fleet's totals. */
export function addFleetTotals(state: State, run: NonNullable<RunSummary['fleet']>): void {
  const t = fleetTotalsOf(state);
  state.fleet.totals = { published: t.published + run.published, imported: t.imported + run.imported.length, dropped: t.dropped + run.dropped };
}

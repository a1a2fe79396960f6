// Running totals per jail in the state (fail2ban-client status: "Total failed", "Total banned").

import type { JailTotals, State } from '../state/schema.ts';

export function addTotals(state: State, jail: string, add: Partial<JailTotals>): void {
  const all = (state.totals ??= {});
  const t = Object.hasOwn(all, jail) ? all[jail]! : (all[jail] = { failed: 0, banned: 0 });
  t.failed += add.failed ?? 0;
  t.banned += add.banned ?? 0;
}

export function totalsOf(state: State, jail: string): JailTotals {
  const t = state.totals && Object.hasOwn(state.totals, jail) ? state.totals[jail]! : undefined;
  return { failed: t?.failed ?? 0, banned: t?.banned ?? 0 };
}

// Failures dated more than a day ahead are not counted (the policy drops them: a forged or
// broken clock must not let an attacker pre-load bans or hold failures forever). The operator
// should still hear of it: one warning per jail, naming a few of the addresses.

import type { Ignored } from '../policy/index.ts';

/** The policy's reason for a failure dated too far ahead (policy/decide.ts). */
const FUTURE = 'time more than a day in the future';
const SHOWN = 5;

export function futureTimeWarnings(ignored: readonly Ignored[]): string[] {
  const byJail = new Map<string, string[]>();
  for (const i of ignored) if (i.reason === FUTURE) byJail.set(i.jail, [...(byJail.get(i.jail) ?? []), i.ip]);
  return [...byJail].map(([jail, ips]) => {
    const more = ips.length > SHOWN ? ` and ${ips.length - SHOWN} more` : '';
    return `[${jail}] failures dated more than a day in the future were not counted (a wrong clock or a forged date?): ${ips.slice(0, SHOWN).join(', ')}${more}`;
  });
}

// Failures the policy refused to count that the operator should hear of: one warning per jail
// and kind, naming a few of the addresses; each counts as an input problem (exit 5).
// - Dated more than a day ahead: a forged or broken clock must not let an attacker pre-load bans
//   or hold failures forever.
// - An address that is no host (0.0.0.0, multicast, broadcast: src/net/host.ts): no connection
//   comes from one, so the line is forged or the rule reads the wrong field. Loopback is not
//   warned about: a local client failing to log in is ordinary (fail2ban ignores it by default).

import type { Ignored } from '../policy/index.ts';
import { NOT_HOST_REASONS } from '../net/host.ts';

/** The policy's reason for a failure dated too far ahead (policy/decide.ts). */
const FUTURE = 'time more than a day in the future';
const WARNED_NOT_HOST = new Set<string>(NOT_HOST_REASONS.filter((r) => r !== 'loopback'));
const SHOWN = 5;

export function ignoredInputWarnings(ignored: readonly Ignored[]): string[] {
  const groups = new Map<string, { jail: string; text: string; ips: string[] }>();
  for (const i of ignored) {
    let text: string;
    if (i.reason === FUTURE) text = 'failures dated more than a day in the future were not counted (a wrong clock or a forged date?)';
    else if (WARNED_NOT_HOST.has(i.reason)) text = `failures from addresses that are no host (${i.reason}) were not counted (a forged line, or a rule reading the wrong field?)`;
    else continue;
    const k = `${i.jail}\0${text}`;
    const g = groups.get(k) ?? { jail: i.jail, text, ips: [] };
    g.ips.push(i.ip);
    groups.set(k, g);
  }
  return [...groups.values()].map(({ jail, text, ips }) => {
    const more = ips.length > SHOWN ? ` and ${ips.length - SHOWN} more` : '';
    return `[${jail}] ${text}: ${ips.slice(0, SHOWN).join(', ')}${more}`;
  });
}

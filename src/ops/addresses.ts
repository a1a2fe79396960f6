// Addresses typed on the command line: parsed and normalised before anything is banned,
// so `::ffff:192.0.2.1` and `192.0.2.1` are one address and a typo is a one-line error.
// An address to ban must be a host (src/net/host.ts): `ban 0.0.0.0` or `ban 127.0.0.1` is
// refused (exit 2) before the state or the firewall is touched. Lifting a ban accepts any
// address, so nothing that once got in can be stuck.

import { parseTarget } from '../net/cidr.ts';
import { notHostMessage, whyNotBannableKey } from '../net/host.ts';
import { UsageError } from '../util/errors.ts';

/** Canonical addresses (and, with `ranges`, CIDR ranges `a.b.c.d/n`) of the command line, each once. */
export function parseCommandLineAddresses(texts: string[], purpose: 'ban' | 'unban', ranges = false): string[] {
  const out: string[] = [];
  for (const t of texts) {
    const a = parseTarget(t);
    if (!a || (a.range && !ranges)) throw new UsageError(`not an IP address${ranges ? ' or range' : ''}: ${JSON.stringify(t)}`);
    const why = purpose === 'ban' ? whyNotBannableKey(a.text) : null;
    if (why) throw new UsageError(`${purpose}: ${notHostMessage(t, why)}; nothing was banned`);
    if (!out.includes(a.text)) out.push(a.text);
  }
  return out;
}

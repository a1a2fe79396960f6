// Addresses typed on the command line: parsed and normalised before anything is banned,
// so `::ffff:192.0.2.1` and `192.0.2.1` are one address and a typo is a one-line error.
// An address to ban must be a host (src/net/host.ts): `ban 0.0.0.0` or `ban 127.0.0.1` is
// refused (exit 2) before the state or the firewall is touched. Lifting a ban accepts any
// address, so nothing that once got in can be stuck.

import { parseAddress } from '../net/address.ts';
import { notHostMessage, whyNotBannable } from '../net/host.ts';
import { UsageError } from '../util/errors.ts';

export function parseCommandLineAddresses(texts: string[], purpose: 'ban' | 'unban'): string[] {
  const out: string[] = [];
  for (const t of texts) {
    const a = parseAddress(t);
    if (!a) throw new UsageError(`not an IP address: ${JSON.stringify(t)}`);
    const why = purpose === 'ban' ? whyNotBannable(a) : null;
    if (why) throw new UsageError(`${purpose}: ${notHostMessage(t, why)}; nothing was banned`);
    if (!out.includes(a.ip)) out.push(a.ip);
  }
  return out;
}

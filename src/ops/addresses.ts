// Addresses typed on the command line: parsed and normalised before anything is banned,
// so `::ffff:192.0.2.1` and `192.0.2.1` are one address and a typo is a one-line error.

import { parseAddress } from '../net/address.ts';
import { UsageError } from '../util/errors.ts';

export function parseCommandLineAddresses(texts: string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    const a = parseAddress(t);
    if (!a) throw new UsageError(`not an IP address: ${JSON.stringify(t)}`);
    if (!out.includes(a.ip)) out.push(a.ip);
  }
  return out;
}

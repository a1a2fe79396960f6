// The machine's own addresses, for ignoreself: what os.networkInterfaces() reports, plus the
// loopback addresses always (a host without `lo` configured must still not ban itself).

import { networkInterfaces } from 'node:os';
import { normalizeAddress } from './address.ts';

export const LOOPBACK_RANGES = ['127.0.0.0/8', '::1'];

/** Normalised addresses of every interface (read now: this does I/O). */
export function readOwnAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      const ip = normalizeAddress(ni.address);
      if (ip) out.add(ip);
    }
  }
  return [...out];
}

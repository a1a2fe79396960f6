// The values of one ban or unban that an action file's tags can name, as fail2ban's ActionInfo
// names them: <ip>, <fid>, <ip-rev>, <failures>, <time>, <bantime>, <bancount>, <restored>.
// <ipfailures>/<ipjailfailures> are this jail's count (f2b-scan's state keeps failures per
// jail). <ip-host> (a DNS lookup per ban) is left as written.

import { parseAddress } from '../net/address.ts';
import type { BanItem } from './backend.ts';

/** fail2ban's <ip-rev>: the address's PTR name without the arpa suffix, ending in a dot. */
export function reversedName(ip: string): string {
  const a = parseAddress(ip);
  if (!a) return '';
  if (a.family === 4) return a.ip.split('.').reverse().join('.') + '.';
  const nibbles = [...a.bytes].flatMap((b) => [b >> 4, b & 15]).map((n) => n.toString(16));
  return nibbles.reverse().join('.') + '.';
}

export function ipTicket(ip: string): Record<string, string> {
  return { ip, fid: ip, 'raw-host': ip, 'ip-rev': reversedName(ip) };
}

export function banTicket(item: BanItem): Record<string, string> {
  const failures = String(item.failures);
  return {
    ...ipTicket(item.ip),
    failures,
    ipfailures: failures,
    ipjailfailures: failures,
    time: String(Math.floor(item.start)),
    bantime: item.until === null ? '-1' : String(Math.round(item.until - item.start)),
    bancount: String(item.count ?? 1),
    restored: item.restore ? '1' : '0',
  };
}

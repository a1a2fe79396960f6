// What every ban-list reader of `import` makes of one line: a canonical address or range that
// may be banned, and an end time that means something. Pure.

import { MAX_BAN_SECONDS } from '../config/duration.ts';
import { parseCidr } from '../net/cidr.ts';
import { notHostMessage, whyNotBannableKey } from '../net/host.ts';

export interface ImportEntry {
  /** A host address, or a CIDR range `a.b.c.d/n` (canonical; a /32 or /128 is the host). */
  ip: string;
  /** Epoch seconds; null: for good; undefined: the entry does not say (the list's expiry, else the jail's bantime). */
  until?: number | null;
  line: number;
}

export type ImportFormat = 'json' | 'crowdsec' | 'spamhaus-json' | 'ipset' | 'list';

export interface ParsedImport {
  format: ImportFormat;
  entries: ImportEntry[];
  /** `<file>:<line>: <why>`, one per line skipped (or one per kind, for many alike). */
  problems: string[];
  /** Until when the whole list holds (a DROP list's `; Expires:` header), epoch seconds. */
  expires?: number;
}


/**
 * The canonical address or range an entry names, or null with the reason noted: not an
 * address, or not what may be banned (0.0.0.0 in a list must not hold a whole ipset batch
 * hostage; 0.0.0.0/0 would ban the machine's own loopback with the rest).
 */
export function entryTarget(text: unknown, shown: unknown, where: string, problems: string[]): string | null {
  const c = typeof text === 'string' ? parseCidr(text) : null;
  if (!c) {
    problems.push(`${where}: not an IP address or range: ${JSON.stringify(shown)}`);
    return null;
  }
  const why = whyNotBannableKey(c.text);
  if (why) {
    problems.push(`${where}: ${notHostMessage(c.text, why)}; skipped`);
    return null;
  }
  return c.text;
}

/** An end time read from a file, or why it is none: not finite, or beyond what a ban can mean. */
export function entryUntil(seconds: number, now: number): number | string {
  if (!Number.isFinite(seconds)) return 'is not a time';
  if (seconds - now > MAX_BAN_SECONDS) return 'is more than 100 years ahead';
  return seconds;
}


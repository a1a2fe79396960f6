// How long a ban read from an import file lasts. The file is another host's word: its times are
// bounded like a fleet entry's. A time that is no time (not finite, beyond 100 years: the readers
// drop those already, import-entry.ts entryUntil) drops the entry; "for good" (null) or a ban
// longer than maxtime (the jail's bantime.maxtime, else one week) is cut to maxtime. Each case is a counted warning (exit 5). `--bantime` on the command
// line is the operator's own choice and is not capped.

import { entryUntil } from './import-entry.ts';
import type { Epoch, Jail } from '../types.ts';

export const DEFAULT_IMPORT_MAXTIME = 7 * 24 * 60 * 60;

/** The longest ban an import file may give in this jail. */
export function importMaxtime(jail: Jail): number {
  const m = jail.increment.maxtime;
  return m !== undefined && m > 0 ? m : DEFAULT_IMPORT_MAXTIME;
}

export type ImportedUntil = { until: Epoch; capped: boolean } | { dropped: string };

/** The end of a ban whose file says `until` (null: for good), read at `now`. */
export function importedUntil(until: Epoch | null, now: Epoch, maxtime: number): ImportedUntil {
  if (until === null) return { until: now + maxtime, capped: true };
  const why = entryUntil(until, now);
  if (typeof why === 'string') return { dropped: `"until" ${until} ${why}` };
  if (until - now > maxtime) return { until: now + maxtime, capped: true };
  return { until, capped: false };
}

// How long a ban read from an import file lasts. The file is another host's word: its times are
// bounded like a fleet entry's. A time that is no time (not finite, beyond 100 years) drops the
// entry; "for good" (null) or a ban longer than maxtime (the jail's bantime.maxtime, else one
// week) is cut to maxtime. Each case is a counted warning (exit 5). `--bantime` on the command
// line is the operator's own choice and is not capped.

import { MAX_DURATION_SECONDS } from '../config/duration.ts';
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
  if (!Number.isFinite(until) || until - now > MAX_DURATION_SECONDS) return { dropped: `"until" ${until} is not a time a ban can end at` };
  if (until - now > maxtime) return { until: now + maxtime, capped: true };
  return { until, capped: false };
}

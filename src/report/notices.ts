// Which warnings a cron run prints: cron mails whatever a job prints, so the same
// warning (a missing log, say) is printed at most once a day; the rest stay in --json
// and --verbose output.

import type { Epoch } from '../types.ts';

export const NOTICE_INTERVAL = 86400;

/**
 * The warnings not printed within the last day, and the updated record of what was printed
 * (entries older than the interval are dropped, so the record stays small).
 */
export function freshNotices(
  warnings: string[],
  printed: Record<string, Epoch> | undefined,
  now: Epoch,
): { fresh: string[]; printed: Record<string, Epoch> } {
  const next: Record<string, Epoch> = {};
  for (const [text, at] of Object.entries(printed ?? {})) if (now - at < NOTICE_INTERVAL && at <= now) next[text] = at;
  const fresh: string[] = [];
  for (const w of new Set(warnings)) {
    if (Object.hasOwn(next, w)) continue;
    fresh.push(w);
    next[w] = now;
  }
  return { fresh, printed: next };
}

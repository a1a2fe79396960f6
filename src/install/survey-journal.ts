// `f2b-scan init` on a host that logs to the systemd journal only (Debian 12/13 without
// rsyslog): a jail whose files are not there, or that reads the journal already, is looked up
// in the journal with its rule's journalmatch — the last day of entries, counted with the rule
// as a run would — so init can propose `backend = systemd` with the journal's own numbers.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createMatcherWith, type DateReader, type Filter } from '../rules/index.ts';
import type { Jail } from '../types.ts';

/** How far back init looks in the journal. */
export const JOURNAL_SURVEY_SECONDS = 86400;

export interface JournalSurvey {
  /** The match terms used (the jail's journalmatch, else the rule's). */
  match: string;
  entries: number;
  failures: number;
}

/**
 * The journal's entries for this jail over the last day, counted with its rule; null when there
 * is no journal to read (journalctl missing or failing, no journalmatch to select the service).
 */
export async function surveyJournal(jail: Jail, filter: Filter, opts: { root: string; now: number }): Promise<JournalSurvey | null> {
  const match = jail.journalmatch ?? filter.journalmatch;
  if (!match?.trim()) return null;
  const { journalSpec, readJournal } = await import('../sources/journal.ts');
  // Under --root, that machine's journal directory; else this machine's journal.
  const dir = opts.root !== '/' ? join(opts.root, 'var/log/journal') : null;
  if (dir && !existsSync(dir)) return null;
  const spec = journalSpec(dir ? `systemd[journalpath=${dir}]` : 'systemd', match);
  if (typeof spec === 'string') return null;
  let entryTime: number | null = null;
  const reader: DateReader = { read: () => (entryTime === null ? null : { time: entryTime, start: 0, end: 0 }) };
  const matcher = createMatcherWith(filter, reader);
  let failures = 0;
  const res = await readJournal(spec, undefined, opts.now - JOURNAL_SURVEY_SECONDS, (line, time) => {
    entryTime = time;
    for (const m of matcher.push(line)) failures += m.repeat ?? 1;
  });
  if (res.error) return null;
  return { match: match.trim().replace(/\s+/g, ' '), entries: res.entries, failures };
}

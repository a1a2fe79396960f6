// `f2b-scan init` on a host that logs to the systemd journal only (Debian 12/13 without
// rsyslog): a jail whose files are not there, or that reads the journal already, is looked up
// in the journal — the last day of entries, counted with its rule as a run would — so init can
// propose `backend = systemd` with the journal's own numbers. A jail's journalmatch (else its
// rule's) picks its service's entries; the rules without one (the service is known only by the
// syslog head their regexes expect) share one read of the whole journal, as a run of theirs with
// backend = systemd would read it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createMatcherWith, type DateReader, type Filter } from '../rules/index.ts';
import type { Jail } from '../types.ts';

/** How far back init looks in the journal. */
export const JOURNAL_SURVEY_SECONDS = 86400;

export interface JournalSurvey {
  /** The match terms used (the jail's journalmatch, else the rule's); '' for the whole journal. */
  match: string;
  entries: number;
  failures: number;
  /**
   * Read from the whole journal: a journalmatch naming the SYSLOG_IDENTIFIERs its failures came
   * from, so the run reads only them (absent when none is a plain name).
   */
  proposedMatch?: string;
}

/** An identifier init may write into jail.local: a plain program name, nothing a local user could shape into more. */
const PLAIN_IDENTIFIER = /^[A-Za-z0-9_.@-]{1,64}$/;
/** At most this many identifiers in a proposed journalmatch. */
const MAX_IDENTIFIERS = 4;

export interface JournalJob {
  jail: Jail;
  filter: Filter;
}

/**
 * Each job's entries of the last day, counted with its rule; or why the journal was not read
 * for it (no journal under --root, a bad journalmatch, journalctl failing). One journalctl per
 * distinct match, every job with that match fed from it.
 */
export async function surveyJournal(jobs: JournalJob[], opts: { root: string; now: number }): Promise<Map<Jail, JournalSurvey | string>> {
  const out = new Map<Jail, JournalSurvey | string>();
  if (jobs.length === 0) return out;
  // Under --root, that machine's journal directory (persistent, else journald's volatile one);
  // else this machine's journal.
  const dirs = opts.root !== '/' ? ['var/log/journal', 'run/log/journal'].map((d) => join(opts.root, d)) : [];
  const dir = dirs.find((d) => existsSync(d)) ?? null;
  if (dirs.length > 0 && !dir) {
    for (const j of jobs) out.set(j.jail, `no journal in ${dirs.join(' or ')}`);
    return out;
  }
  const byMatch = new Map<string, JournalJob[]>();
  for (const j of jobs) {
    const match = (j.jail.journalmatch ?? j.filter.journalmatch ?? '').trim().replace(/\s+/g, ' ');
    byMatch.set(match, [...(byMatch.get(match) ?? []), j]);
  }
  const { journalSpec, readJournal } = await import('../sources/journal.ts');
  for (const [match, group] of byMatch) {
    const spec = journalSpec(dir ? `systemd[journalpath=${dir}]` : 'systemd', match);
    if (typeof spec === 'string') {
      for (const j of group) out.set(j.jail, spec);
      continue;
    }
    // The entry's own time is the date every rule sees (as in a run of the journal).
    let entryTime: number | null = null;
    const reader: DateReader = { read: () => (entryTime === null ? null : { time: entryTime, start: 0, end: 0 }) };
    const counted = group.map((job) => ({ job, matcher: createMatcherWith(job.filter, reader), failures: 0, idents: new Set<string>() }));
    const res = await readJournal(spec, undefined, opts.now - JOURNAL_SURVEY_SECONDS, (line, time, fields) => {
      entryTime = time;
      for (const c of counted) {
        const found = c.matcher.push(line);
        for (const m of found) c.failures += m.repeat ?? 1;
        // An entry without an identifier cannot be named: no journalmatch is proposed then.
        if (found.length > 0 && !match) c.idents.add(typeof fields.SYSLOG_IDENTIFIER === 'string' ? fields.SYSLOG_IDENTIFIER : '');
      }
    });
    for (const c of counted) {
      const idents = [...c.idents].sort();
      const plain = idents.length > 0 && idents.length <= MAX_IDENTIFIERS && idents.every((i) => PLAIN_IDENTIFIER.test(i));
      const survey: JournalSurvey = { match, entries: res.entries, failures: c.failures };
      if (plain) survey.proposedMatch = idents.map((i) => `SYSLOG_IDENTIFIER=${i}`).join(' ');
      out.set(c.job.jail, res.error ?? survey);
    }
  }
  return out;
}

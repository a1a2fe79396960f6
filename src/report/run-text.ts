// A run summary as text for people: one line per ban and unban; on a terminal (or with
// --verbose) a short summary too. In cron (no TTY) a run that did nothing prints nothing.

import type { RunSummary } from '../types.ts';

export interface RunTextOptions {
  /** Add the one-line summary (a terminal, or --verbose). */
  summary: boolean;
  /** Add a line per file read. */
  verbose: boolean;
}

export function formatRunText(s: RunSummary, opts: RunTextOptions = { summary: false, verbose: false }): string {
  const verb = s.dryRun ? 'would ' : '';
  // "2 would be banned" in a dry run, "2 banned" in a real one.
  const passive = s.dryRun ? 'would be ' : '';
  const lines: string[] = [];
  for (const b of s.bans) {
    lines.push(`${verb}ban ${b.ip} in ${b.jail}: ${b.failures} failures, until ${b.until ?? 'forever'}`);
  }
  for (const u of s.unbans) lines.push(`${verb}unban ${u.ip} in ${u.jail}`);
  if (s.fleet) {
    for (const i of s.fleet.imported) lines.push(`${verb}ban ${i.ip} in ${i.jail}: from fleet host ${i.from}, until ${i.until ?? 'forever'}`);
  }
  if (opts.verbose) {
    for (const f of s.files) lines.push(`read ${f.path} (${f.jail}): ${f.linesRead} lines, ${f.bytesRead} bytes`);
  }
  if (opts.summary || (s.dryRun && lines.length === 0)) {
    const read = s.files.reduce((n, f) => n + f.linesRead, 0);
    const failures = Object.values(s.failures).reduce((n, k) => n + k, 0);
    const jails = Object.keys(s.failures).length;
    lines.push(
      `${s.dryRun ? 'dry run: ' : ''}${jails} jail${jails === 1 ? '' : 's'}, ${s.files.length} file${s.files.length === 1 ? '' : 's'}, ` +
        `${read} new lines, ${failures} failures; ${s.bans.length} ${passive}banned, ${s.unbans.length} ${passive}unbanned` +
        (s.fleet ? `; fleet: ${s.fleet.published} published, ${s.fleet.imported.length} imported` : ''),
    );
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

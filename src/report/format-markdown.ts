// Markdown for a pull-request comment or a CI job summary: totals, a table per jail, top offenders.

import type { Analysis } from './analysis.ts';

/** Keep log text from breaking a table cell or starting markup. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/`/g, "'");
}

export function formatMarkdown(a: Analysis): string {
  const out: string[] = [];
  out.push('## f2b-scan report', '');
  const period = a.since || a.until ? ` (${a.since ?? '…'} to ${a.until ?? '…'})` : '';
  out.push(`Generated ${a.generatedAt}${period}.`, '');
  out.push('| lines read | failures | addresses | would ban |', '| ---: | ---: | ---: | ---: |');
  out.push(`| ${a.totals.lines} | ${a.totals.matches} | ${a.totals.addresses} | ${a.totals.wouldBan} |`, '');
  if (a.errors.length) {
    // GitHub shows a caution alert in red; elsewhere it stays a quoted, marked block.
    out.push('> [!CAUTION]', `> ${a.errors.length} jail${a.errors.length === 1 ? '' : 's'} could not be analysed: the report is incomplete.`, '');
    out.push('| jail | not analysed |', '| --- | --- |');
    for (const e of a.errors) out.push(`| 🔴 **${cell(e.jail)}** | ${cell(e.message)} |`);
    out.push('');
  }
  for (const j of a.jails) {
    out.push(`### ${cell(j.name)}`, '');
    out.push(
      `Rule \`${cell(j.filter)}\`, maxretry ${j.maxretry} in ${j.findtime} s: ${j.lines} lines, ${j.matches} failures, ${j.wouldBan.length} would be banned.`,
      '',
    );
    for (const e of j.errors) out.push(`🔴 **Not analysed:** ${cell(e)}`, '');
    if (j.addresses.length === 0) {
      out.push('No failures.', '');
      continue;
    }
    out.push('| address | failures | first seen | last seen | would ban at |', '| --- | ---: | --- | --- | --- |');
    for (const r of j.addresses) {
      out.push(`| ${cell(r.ip)} | ${r.failures} | ${r.firstSeen} | ${r.lastSeen} | ${r.wouldBanAt ?? '—'} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

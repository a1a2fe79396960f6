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
  for (const j of a.jails) {
    out.push(`### ${cell(j.name)}`, '');
    out.push(
      `Rule \`${cell(j.filter)}\`, maxretry ${j.maxretry} in ${j.findtime} s: ${j.lines} lines, ${j.matches} failures, ${j.wouldBan.length} would be banned.`,
      '',
    );
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

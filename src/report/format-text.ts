// The report for a terminal. Colour only when the output is a TTY.

import type { Analysis } from './analysis.ts';

export function formatText(a: Analysis, colour: boolean): string {
  const bold = (s: string) => (colour ? `\x1b[1m${s}\x1b[0m` : s);
  const red = (s: string) => (colour ? `\x1b[31m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(
    bold(`f2b-scan report, ${a.generatedAt}`) +
      `: ${a.totals.lines} lines, ${a.totals.matches} failures from ${a.totals.addresses} addresses, ${a.totals.wouldBan} would be banned`,
  );
  for (const j of a.jails) {
    out.push('', bold(`[${j.name}]`) + ` rule ${j.filter}: ${j.lines} lines, ${j.matches} failures (maxretry ${j.maxretry} in ${j.findtime} s)`);
    for (const e of j.errors) out.push(red(`  NOT ANALYSED: ${e}`));
    for (const r of j.addresses) {
      const ban = r.wouldBanAt ? red(` would ban at ${r.wouldBanAt}`) : '';
      out.push(`  ${r.ip.padEnd(39)} ${String(r.failures).padStart(6)}  ${r.firstSeen} .. ${r.lastSeen}${ban}`);
    }
  }
  return out.join('\n') + '\n';
}

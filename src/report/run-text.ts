// A run summary as text: one line per ban and unban, nothing when nothing happened.

import type { RunSummary } from '../types.ts';

export function formatRunText(s: RunSummary): string {
  const verb = s.dryRun ? 'would ' : '';
  const lines: string[] = [];
  for (const b of s.bans) {
    lines.push(`${verb}ban ${b.ip} in ${b.jail}: ${b.failures} failures, until ${b.until ?? 'forever'}`);
  }
  for (const u of s.unbans) lines.push(`${verb}unban ${u.ip} in ${u.jail}`);
  if (s.dryRun && lines.length === 0) {
    const read = s.files.reduce((n, f) => n + f.linesRead, 0);
    lines.push(`nothing to ban (${read} new lines in ${s.files.length} files)`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

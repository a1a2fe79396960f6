// The jail.local `f2b-scan init` proposes: the jails to enable with what was seen in
// their logs, and, commented, the ones that were looked at and left off, with why.

import { shouldEnable, TAIL_BYTES, TAIL_LINES, type JailSurvey } from './survey.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function logLines(s: JailSurvey): string[] {
  if (s.journalSeen) {
    const j = s.journalSeen;
    const which = j.match || 'the whole journal: its rule has no journalmatch';
    const lines = [`# journal (${which}): ${plural(j.entries, 'entry', 'entries')} of the last day read, ${plural(j.failures, 'failure')}`, 'backend = systemd'];
    // The programs its failures came from: the run reads their entries, not the whole journal.
    if (j.proposedMatch) lines.push(`journalmatch = ${j.proposedMatch}`);
    return lines;
  }
  return s.logs.map((l) => `# ${l.path}: ${plural(l.lines, 'line')} read, ${plural(l.failures, 'failure')}`);
}

export function renderInitJailLocal(surveys: JailSurvey[], opts: { root: string; now: number }): string {
  const on = surveys.filter(shouldEnable);
  const seen = (s: JailSurvey) => s.logs.length > 0 || s.journalSeen !== undefined;
  const quiet = surveys.filter((s) => seen(s) && !s.ruleError && s.failures === 0);
  const broken = surveys.filter((s) => s.logs.length > 0 && s.ruleError);
  const absent = surveys.filter((s) => !seen(s));
  const when = new Date(opts.now * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const out: string[] = [
    `# jail.local proposed by \`f2b-scan init\` on ${when}${opts.root !== '/' ? ` for the root ${opts.root}` : ''}.`,
    '#',
    "# It enables the jails whose logs are on this machine and whose rule found failures in",
    `# their recent lines (the last ${TAIL_LINES} lines, at most ${TAIL_BYTES / (1 << 20)} MB, of each log; for a service`,
    '# that logs to the systemd journal only, its entries of the last day, with backend = systemd),',
    '# and turns off every other jail. Numbers are what was seen then. Check the result with:',
    '#   f2b-scan --dry-run',
    '',
    '# ==== enabled: the log is here and its rule found failures ====',
  ];
  if (on.length === 0) out.push('# (none)');
  for (const s of on) out.push('', `[${s.jail}]`, ...logLines(s), 'enabled = true');

  // Jails the lower layers enable (jail.conf enables sshd) that do not qualify are turned
  // off explicitly, so the file enables exactly the jails above.
  const off = surveys.filter((s) => s.enabledNow && !shouldEnable(s));
  if (off.length) {
    out.push('', '# ==== turned off: enabled by jail.conf, but nothing seen here ====');
    for (const s of off) {
      const journal = s.journalUnread ? `journal not read (${s.journalUnread})` : 'no entries of its service in the journal in the last day';
      const why = s.ruleError
        ? `# its rule could not be loaded: ${s.ruleError}`
        : seen(s)
          ? null
          : s.journal
            ? `# reads the journal (backend = systemd): ${journal}`
            : `# no log here: ${s.logpath.join(' ')}; ${journal}`;
      out.push('', `[${s.jail}]`, ...(why ? [why] : logLines(s)), 'enabled = false');
    }
  }

  const offNames = new Set(off.map((s) => s.jail));
  const quietOnly = quiet.filter((s) => !offNames.has(s.jail));
  if (quietOnly.length) {
    out.push('', '# ==== the log is here, but its rule found no failures: uncomment if the service runs here ====');
    for (const s of quietOnly) out.push('', `#[${s.jail}]`, ...logLines(s).map((l) => (l.startsWith('#') ? l : `#${l}`)), '#enabled = true');
  }
  const brokenOnly = broken.filter((s) => !offNames.has(s.jail));
  if (brokenOnly.length) {
    out.push('', '# ==== the log is here, but the rule could not be loaded ====');
    for (const s of brokenOnly) out.push(`# [${s.jail}] ${s.logs.map((l) => l.path).join(' ')}: ${s.ruleError}`);
  }
  if (absent.length) {
    out.push('', '# ==== no log here (not enabled) ====');
    for (const s of absent.filter((x) => !offNames.has(x.jail))) out.push(`# ${s.jail}: ${s.logpath.join(' ')}`);
  }
  return out.join('\n') + '\n';
}

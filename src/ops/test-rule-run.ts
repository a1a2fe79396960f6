// `f2b-scan test-rule <rule> <log>`: run one rule over a log (a file or stdin, streamed)
// and say what it matched — fail2ban-regex's job. --json prints the contract other
// tools read: {filter, lines, matched: [{line, time, host, user?, regex, repeat?}], ignored, missed}
// (repeat: the line stands for that many failures, rsyslog's "message repeated N times").

import { closeSync, createReadStream, openSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import split2 from 'split2';
import { ConfigError, RuleError } from '../util/errors.ts';
import { builtinRulesDir } from '../util/paths.ts';
import { createMatcher, loadFilter } from '../rules/index.ts';

const MAX_PRINTED = 100_000;

export interface TestRuleArgs {
  rule: string;
  log: string;
  /** Lines to test instead of a log (`--line`). */
  lines?: string[];
  configDir?: string;
  filterOptions: string[];
  now: number;
  json: boolean;
  printMatched: boolean;
  printMissed: boolean;
  out?: NodeJS.WritableStream;
  stdin?: Readable;
}

export function ruleSearchDirs(configDir: string | undefined): string[] {
  const dirs: string[] = [];
  if (configDir) dirs.push(join(configDir, 'filter.d'));
  try {
    dirs.push(join(builtinRulesDir(), 'filter.d'));
  } catch {
    /* no shipped rules next to this install: only --config and paths work */
  }
  return dirs;
}

export function parseFilterOptions(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new RuleError({ file: '--filter-option' }, `wants key=value, got ${JSON.stringify(kv)}`);
    out[kv.slice(0, eq).trim()] = kv.slice(eq + 1);
  }
  return out;
}

/** Returns the exit code: 0 when the rule loaded and the log was read. */
export async function runTestRule(a: TestRuleArgs): Promise<number> {
  const out = a.out ?? process.stdout;
  // A regex a run would refuse is reported, and the rule still tested on this chosen log.
  const filter = loadFilter(
    { name: a.rule, options: parseFilterOptions(a.filterOptions) },
    { searchDirs: ruleSearchDirs(a.configDir), onRiskyRegex: (m) => process.stderr.write(`f2b-scan: warning: ${m} (a scan run refuses this rule)\n`) },
  );
  const matcher = createMatcher(filter, { now: a.now });
  // yargs hands a lone '-' over as ''.
  const given = a.lines !== undefined && a.lines.length > 0;
  const fromStdin = !given && (a.log === '-' || a.log === '');
  if (!fromStdin && !given) {
    try {
      closeSync(openSync(a.log, 'r'));
    } catch (e) {
      throw new ConfigError({ file: a.log }, `cannot read the log: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const input: Readable = given ? Readable.from([a.lines!.join('\n') + '\n']) : fromStdin ? (a.stdin ?? process.stdin) : createReadStream(a.log);
  const started = process.hrtime.bigint();
  const matched: { line: number; time: number | null; host: string; user?: string; regex: number; repeat?: number }[] = [];
  // Kept for printing after the summary; capped so a huge log cannot exhaust memory.
  const matchedText: string[] = [];
  const missedText: string[] = [];
  let matchedMore = 0;
  let missedMore = 0;
  const onLine = (line: string): void => {
    const missedBefore = matcher.stats.missed;
    const res = matcher.push(line);
    for (const r of res) {
      const m: (typeof matched)[number] = { line: r.lineNo, time: r.time, host: r.host, regex: r.regex };
      if (r.user !== undefined) m.user = r.user;
      if (r.repeat !== undefined) m.repeat = r.repeat;
      matched.push(m);
      if (a.printMatched) {
        if (matchedText.length < MAX_PRINTED) matchedText.push(...r.lines);
        else matchedMore++;
      }
    }
    if (a.printMissed && matcher.stats.missed > missedBefore) {
      if (missedText.length < MAX_PRINTED) missedText.push(line);
      else missedMore++;
    }
  };
  // 'data' events, not an async iterator: one await per line costs more than the matching.
  await new Promise<void>((done, fail) => {
    input.on('error', fail);
    input.pipe(split2()).on('data', onLine).on('end', done).on('error', fail);
  });
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const s = matcher.stats;
  if (a.json) {
    out.write(JSON.stringify({ filter: filter.name, lines: s.lines, matched, ignored: s.ignoredLines, missed: s.missed }) + '\n');
    return 0;
  }
  const w = (t = '') => out.write(t + '\n');
  w('Running tests');
  w('=============');
  w();
  w(`Use   filter file : ${filter.name}, ${filter.file}`);
  if (Object.keys(filter.options).length) w(`Use       options : ${JSON.stringify(filter.options)}`);
  if (filter.datepattern) w(`Use   datepattern : ${filter.datepattern}`);
  if (filter.maxlines > 1) w(`Use      maxlines : ${filter.maxlines}`);
  w(`Use      log file : ${given ? `--line (${a.lines!.length} line${a.lines!.length === 1 ? '' : 's'})` : fromStdin ? '<stdin>' : a.log}`);
  w();
  w('Results');
  w('=======');
  w();
  w(`Failregex: ${matched.length} total`);
  w('|-  #) [# of hits] regular expression');
  filter.failregex.forEach((r, i) => w(`|  ${String(i + 1).padStart(2)}) [${s.failregexHits[i]}] ${r.text}`));
  w('`-');
  w();
  w(`Ignoreregex: ${s.ignored} total`);
  if (filter.ignoreregex.length) {
    w('|-  #) [# of hits] regular expression');
    filter.ignoreregex.forEach((r, i) => w(`|  ${String(i + 1).padStart(2)}) [${s.ignoreregexHits[i]}] ${r.text}`));
    w('`-');
  }
  w();
  w('Date template hits:');
  w('|- [# of hits] date format');
  const dateLabel = (t: string) => (t === 'date' ? (filter.datepattern ? filter.datepattern.replace(/\n/g, ' | ') : 'default date templates') : t);
  for (const [t, n] of [...s.dateHits].sort((x, y) => y[1] - x[1])) w(`|  [${n}] ${dateLabel(t)}`);
  if (s.noDate) w(`|  [${s.noDate}] (no date found)`);
  w('`-');
  w();
  w(`Lines: ${s.lines} lines, ${s.ignored} ignored, ${s.matched} matched, ${s.missed} missed`);
  w(`       ${matched.length} failures reported`);
  const rate = secs > 0 ? Math.round(s.lines / secs) : s.lines;
  w(`[processed in ${secs.toFixed(2)} sec, ${rate} lines/s]`);
  if (a.printMatched && matchedText.length) {
    w();
    w(`|- Matched line(s):`);
    for (const l of matchedText) w(`|  ${l}`);
    if (matchedMore) w(`|  ... and ${matchedMore} more`);
    w('`-');
  }
  if (a.printMissed && missedText.length) {
    w();
    w(`|- Missed line(s):`);
    for (const l of missedText) w(`|  ${l}`);
    if (missedMore) w(`|  ... and ${missedMore} more`);
    w('`-');
  }
  return 0;
}

// Speed of every shipped rule on lines it does NOT match (issue 20: <= 5 µs per such line):
// a log a jail reads is mostly other traffic, so that is the cost that adds up.
//
//   node --import tsx scripts/rule-speed.ts [--corpus samples|generated] [--rounds N] [--only a,b] [--limit US] [--json]
//
// For each rule (with its sample's option sets, each measured apart), the corpus is the lines
// the rule does not report, repeated to at least 20,000 lines:
//  - samples (default, the worst case): every annotated sample line of the whole library
//    (test/samples/*): other services' failures, near misses, hostile forms -- lines full of the
//    words rules look for, so most of them get past a rule's prefilter;
//  - generated (a day of ordinary logs): bench/generate.mjs's auth.log, nginx access and error
//    logs and mail.log, 5,000 lines each (sessions, cron, mail traffic, page loads).
// Each line goes through the
// full matcher (prefilter, date detection, regex, multi-line cache), as a scan runs it. The figure
// is CPU time (user+sys) per line, best of N rounds, so a busy machine inflates it less.
// Each rule is measured in a process of its own, as a run compiles only its jails' rules: V8
// stops optimising new regexes once a process has compiled over 1 MB of regex code and holds
// over 16 MB of executable memory (TooMuchRegExpCode in its regexp.cc), which the whole library
// plus tsx reaches in one process -- the last rules then measured 4-8x slower than they run.
// Exit 1 when a rule is above --limit (default 5 µs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMatcher, loadFilter } from '../src/rules/index.ts';
import { FILTER_DIR, ROOT, SAMPLE_NOW, SAMPLE_ZONE, readSample, shippedRules } from '../test/helpers/samples.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(opt('rounds') ?? 5);
const limitUs = Number(opt('limit') ?? 5);
const only = opt('only')?.split(',');
const corpusKind = opt('corpus') ?? 'samples';
const MIN_LINES = 20_000;

/** Ordinary log lines from the bench's seeded generator. */
function generatedLines(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-rule-speed-'));
  try {
    return ['auth', 'nginx', 'nginx-error', 'mail'].flatMap((kind) => {
      const file = join(dir, `${kind}.log`);
      const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'generate.mjs'), kind, '5000', file]);
      if (g.status !== 0) throw new Error(`bench/generate.mjs ${kind}: ${g.stderr}`);
      return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rules = shippedRules().filter((r) => !only || only.includes(r));
/** This process measures (a child, or one rule asked for); otherwise it runs a child per rule. */
const measureHere = args.includes('--child') || rules.length === 1;

interface Row { rule: string; options: string; lines: number; usPerLine: number }

/** Every sample line of the library, once (or the generated logs); a child reads its parent's. */
const corpusFile = opt('corpus-file');
const corpus: string[] = corpusFile
  ? (JSON.parse(readFileSync(corpusFile, 'utf8')) as string[])
  : corpusKind === 'generated'
    ? generatedLines()
    : [...new Set(shippedRules().flatMap((r) => readSample(r).flatMap((run) => run.lines.map((l) => l.line))))];

/** Each rule measured by this script run again for it alone (see the head comment), on this corpus. */
function measureApart(): Row[] {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-rule-speed-'));
  const file = join(dir, 'corpus.json');
  writeFileSync(file, JSON.stringify(corpus));
  const rest = args.filter((a, i) => a !== '--json' && a !== '--only' && args[i - 1] !== '--only');
  try {
    return rules.flatMap((rule) => {
      const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...rest, '--only', rule, '--corpus-file', file, '--json', '--child'], { encoding: 'utf8' });
      if (r.status !== 0 && r.status !== 1) throw new Error(`rule-speed ${rule}: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { rows: Row[] }).rows;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = measureHere ? [] : measureApart();

for (const rule of measureHere ? rules : []) {
  for (const { key, options } of readSample(rule)) {
    const filter = loadFilter({ name: rule, options }, { searchDirs: [FILTER_DIR] });
    const probe = createMatcher(filter, { now: SAMPLE_NOW, timezone: SAMPLE_ZONE });
    // A line alone is judged alone: a multi-line rule's match may depend on an earlier line.
    const misses = corpus.filter((l) => probe.push(l).length === 0);
    const lines: string[] = [];
    while (lines.length < MIN_LINES && misses.length) lines.push(...misses);
    let best = Infinity;
    for (let round = 0; round < rounds; round++) {
      const m = createMatcher(filter, { now: SAMPLE_NOW, timezone: SAMPLE_ZONE });
      const c0 = process.cpuUsage();
      for (const l of lines) m.push(l);
      const c = process.cpuUsage(c0);
      best = Math.min(best, (c.user + c.system) / lines.length);
    }
    rows.push({ rule, options: key === '{}' ? '' : key, lines: lines.length, usPerLine: Math.round(best * 100) / 100 });
  }
}

rows.sort((a, b) => b.usPerLine - a.usPerLine);
const over = rows.filter((r) => r.usPerLine > limitUs);
if (args.includes('--json')) console.log(JSON.stringify({ limitUs, rows }, null, 1));
else {
  for (const r of rows) console.log(`${r.usPerLine.toFixed(2).padStart(7)} µs  ${r.rule}${r.options ? ' ' + r.options : ''}`);
  const all = rows.map((r) => r.usPerLine).sort((a, b) => a - b);
  const median = all[Math.floor(all.length / 2)] ?? 0;
  console.log(`${rules.length} rules, ${rows.length} option sets, corpus ${corpusKind}: ${corpus.length} lines: slowest ${all.at(-1)} µs, median ${median} µs per non-matching line; ${over.length} above ${limitUs} µs`);
}
process.exitCode = over.length ? 1 : 0;

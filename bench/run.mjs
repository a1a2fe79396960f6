#!/usr/bin/env node
// `npm run bench`: generates seeded logs into a temporary directory, measures the built CLI
// (bin/f2b-scan -> dist/) and, where installed, its peers on the same files (grep -cE,
// sshguard's sshg-parser, fail2ban-regex, a real fail2ban-server), then prints one table and
// writes it to bench/out/results.json (and as markdown to results.md; `node bench/table.mjs
// FILE [--markdown]` prints a saved one again).
//
//   node bench/run.mjs [--runs 3] [--only attack,growth,...] [--big] [--keep DIR] [--cli PATH]
//                      [--scale 1]
//
// Row groups (--only; all but big by default): scan (the mixed 1M auth.log and its peers),
// attack (distributed 200k and 1M, dry and real; fail2ban-regex, fail2ban-server), growth
// (1M from 100 addresses), five (five jails over one file), tracked (idle run over 100k tracked
// + 20k bans), million (1M bans made with import: size, idle run, status), import (100k bans
// imported and applied: dummy, ipset in a netns), ten (ten jails over ten files), idle (idle
// cron run vs node -e 0), bans (10k bans via ipset and nftables), floor (the least any run of the
// sshd rule costs, and the ratios against the peers it allows: rows-floor.mjs), big (a 1 GB log).
// --scale shrinks every generated input (0.1: a quick check of the bench itself).
//
// Every figure is the median of --runs runs; a row whose run costs over 8 CPU s is run once.
// Wall time is what a user waits; CPU time (user + sys) is what the work costs, and is the
// steadier figure on a busy machine: the ratios use it.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem, release } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_END, warmConfig } from './fixtures.mjs';
import { attackBench, fiveJailsBench, growthBench } from './rows-attack.mjs';
import { bansBench, bigBench, idleBench, mixedOneJail, scanBench, tenBench } from './rows-scan.mjs';
import { importBench, millionBench, trackedBench } from './rows-state.mjs';
import { formatMarkdown, formatTable, targetsOf } from './table.mjs';
import { floorBench } from './rows-floor.mjs';

const GROUPS = { scan: scanBench, attack: attackBench, growth: growthBench, five: fiveJailsBench, tracked: trackedBench, million: millionBench, import: importBench, ten: tenBench, idle: idleBench, bans: bansBench, floor: floorBench, big: bigBench };
const DEFAULT = Object.keys(GROUPS).filter((g) => g !== 'big');

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const only = (opt('--only', DEFAULT.join(',')) ?? '').split(',').filter(Boolean);
if (args.includes('--big')) only.push('big');
const unknown = only.filter((g) => !GROUPS[g]);
if (unknown.length) {
  process.stderr.write(`bench: unknown row group ${unknown.join(', ')}; the groups: ${Object.keys(GROUPS).join(', ')}\n`);
  process.exit(2);
}
const scale = Number(opt('--scale', '1'));
const cli = opt('--cli', join(ROOT, 'bin', 'f2b-scan'));
const keep = opt('--keep', null);

const say = (msg) => process.stderr.write(`bench: ${msg}\n`);

function checkout() {
  const git = (...a) => spawnSync('git', ['-C', ROOT, ...a], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD');
  if (!head) return 'this checkout (no git)';
  return `${head}${git('status', '--porcelain', '--untracked-files=no') ? ' with local changes' : ''}`;
}

if (!existsSync(join(ROOT, 'dist', 'cli.js')) && cli === join(ROOT, 'bin', 'f2b-scan')) {
  say('dist/ is missing: building');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
const started = Date.now();
const dir = keep ?? mkdtempSync(join(tmpdir(), 'f2b-bench-'));
mkdirSync(dir, { recursive: true });
const rows = [];
const ratios = [];
const notes = [];
const memo = new Map();
const minutesPerGroup = {};
let warm = null;

const ctx = {
  dir,
  root: ROOT,
  cli,
  scale,
  runs: Number(opt('--runs', '3')),
  longCpuMs: 8_000,
  sizes: { mixed: Math.round(Number(opt('--lines', '1000000')) * scale), small: Math.round(200_000 * scale), big: Math.round(1_000_000 * scale) },
  logEnd: LOG_END,
  say,
  note: (n) => notes.push(n),
  add: (...r) => rows.push(...r.filter(Boolean)),
  rowOf: (id) => rows.find((r) => r.id === id) ?? null,
  addRatio: (r) => r && ratios.push(r),
  exists: existsSync,
  once(key, fn) {
    if (!memo.has(key)) memo.set(key, fn());
    return memo.get(key);
  },
  mixedOneJail: () => mixedOneJail(ctx),
  // What a cron job keeps between runs besides the state: the regex screen's verdicts
  // (<state>.regex-verdicts.json). Made once, by a dry run over a tiny log with every filter
  // the bench uses, and put beside each scenario's state, so no timed run pays for them.
  warmVerdicts(state) {
    if (!warm) {
      const w = join(dir, 'warm.state.json');
      spawnSync(cli, ['--config', warmConfig(dir), '--state', w, '--now', LOG_END, '--dry-run', '--quiet'], { stdio: 'ignore' });
      warm = `${w}.regex-verdicts.json`;
    }
    if (existsSync(warm)) copyFileSync(warm, `${state}.regex-verdicts.json`);
  },
};

try {
  for (const g of Object.keys(GROUPS).filter((k) => only.includes(k))) {
    const t0 = Date.now();
    try {
      await GROUPS[g](ctx);
    } catch (e) {
      notes.push(`${g}: failed: ${e.message}`);
      say(`${g} failed: ${e.stack}`);
    }
    // What each group costs of the bench's time budget (generating its files included).
    minutesPerGroup[g] = Number(((Date.now() - t0) / 60000).toFixed(1));
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

const report = {
  date: new Date().toISOString(),
  command: `node bench/run.mjs ${args.join(' ')}`.trim(),
  // What was measured: this checkout's commit (and whether it had changes), or the --cli given.
  measured: cli === join(ROOT, 'bin', 'f2b-scan') ? checkout() : cli,
  minutes: Number(((Date.now() - started) / 60000).toFixed(1)),
  minutesPerGroup,
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memGB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadavgAtStart: loadAtStart,
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
  },
  runs: ctx.runs,
  rows,
  ratios,
  notes,
};
report.targets = targetsOf(report);
const outDir = join(ROOT, 'bench', 'out');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2) + '\n');
// The same as markdown, ready for the README's Performance section.
writeFileSync(join(outDir, 'results.md'), formatMarkdown(report));
process.stdout.write(formatTable(report));
say(`written to ${join(outDir, 'results.json')} and results.md`);

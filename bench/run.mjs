#!/usr/bin/env node
// `npm run bench`: generates seeded logs into a temporary directory, measures the built CLI
// (bin/f2b-scan -> dist/) and, when installed, fail2ban-regex, sshguard's parser and grep on
// the same auth.log, then prints one table and writes it to bench/out/results.json.
//
//   node bench/run.mjs [--runs 3] [--lines 1000000] [--f2b-lines 200000] [--ten-lines 200000]
//                      [--big] [--keep DIR] [--only scan,ten,idle,state,bans] [--cli PATH]
//
// Every figure is the median of --runs runs. Wall time is what a user waits; CPU time (user +
// sys) is what the work costs, and is the steadier figure on a busy machine.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem, release } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bansConfig, bansLog, idleJails, log, LOG_END, sshdConfig, tenJails } from './fixtures.mjs';
import { have, timeMedian, timeOnce } from './measure.mjs';
import { formatTable, targetsOf } from './table.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const RUNS = Number(opt('--runs', '3'));
const LINES = Number(opt('--lines', '1000000'));
const F2B_LINES = Number(opt('--f2b-lines', '200000'));
const TEN_LINES = Number(opt('--ten-lines', '200000'));
const ONLY = new Set((opt('--only', 'scan,ten,idle,state,bans') ?? '').split(','));
const CLI = opt('--cli', join(ROOT, 'bin', 'f2b-scan'));
const keep = opt('--keep', null);

const SSHD_CONF = ['/work/shared/conformance/fail2ban-1.0.2/filter.d/sshd.conf', '/etc/fail2ban/filter.d/sshd.conf'].find((p) => existsSync(p));
const SSHG_PARSER = '/usr/libexec/sshguard/sshg-parser';
// The failures the sshd jail counts, as one extended regex (what a shell script would grep for).
const GREP_PATTERN = 'sshd\\[[0-9]+\\]: (Failed [a-z-]+ for .* from [0-9a-f.:]+ port|Invalid user .* from [0-9a-f.:]+|Connection closed by (authenticating|invalid) user .* [0-9a-f.:]+ port)';

function say(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

if (!existsSync(join(ROOT, 'dist', 'cli.js')) && CLI === join(ROOT, 'bin', 'f2b-scan')) {
  say('dist/ is missing: building');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
const dir = keep ?? mkdtempSync(join(tmpdir(), 'f2b-bench-'));
mkdirSync(dir, { recursive: true });
const scanArgs = (config, state, extra = []) => ['--config', config, '--state', state, '--now', LOG_END, ...extra];
const results = { scan: null, scanThreads: [], big: null, bigThreads: null, others: [], ten: null, idle: null, state: null, bans: [] };
const notes = [];

try {
  if (ONLY.has('scan')) await scanBench();
  if (args.includes('--big')) await bigBench();
  if (ONLY.has('ten')) await tenBench();
  if (ONLY.has('idle')) await idleBench();
  if (ONLY.has('state')) stateBench();
  if (ONLY.has('bans')) await bansBench();
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

const report = {
  date: new Date().toISOString(),
  command: `node bench/run.mjs ${args.join(' ')}`.trim(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memGB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadavgAtStart: loadAtStart,
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
  },
  runs: RUNS,
  results,
  notes,
};
report.targets = targetsOf(results);
const outDir = join(ROOT, 'bench', 'out');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2) + '\n');
process.stdout.write(formatTable(report));
say(`written to ${join(outDir, 'results.json')}`);

// ---------------------------------------------------------------------------------------

function rate(lines, bytes, m) {
  return {
    lines,
    bytes,
    wallMs: m.wallMs,
    cpuMs: m.cpuMs,
    rssMB: m.rssMB,
    linesPerSec: lines / (m.wallMs / 1000),
    linesPerCpuSec: lines / (m.cpuMs / 1000),
    mbPerSec: bytes / 2 ** 20 / (m.wallMs / 1000),
  };
}

async function scanBench() {
  say(`generating ${LINES} auth.log lines`);
  const auth = log(dir, 'auth', LINES, `auth-${LINES}.log`);
  const cfg = sshdConfig(dir, auth.file);
  say(`full scan, ${RUNS} runs`);
  const m = await timeMedian(RUNS, CLI, scanArgs(cfg, join(dir, 'scan-state.json'), ['--dry-run', '--json']), { stdout: 'keep' });
  if (m.code !== 0 && m.code !== 5) throw new Error(`f2b-scan exited ${m.code}: ${m.stderr}`);
  const summary = JSON.parse(m.stdout);
  results.scan = { name: 'f2b-scan, sshd jail, full scan', ...rate(auth.lines, auth.bytes, m), bans: summary.bans.length, failures: summary.failures.sshd };
  // By default worker threads are used only on idle cores (load average); both ways forced:
  // what the worker threads buy, and what they cost in memory.
  for (const threads of ['1', '2']) {
    const t = await timeMedian(RUNS, CLI, scanArgs(cfg, join(dir, 'scan-state.json'), ['--dry-run', '--quiet']), { env: { ...process.env, F2B_SCAN_THREADS: threads } });
    results.scanThreads.push({ name: `f2b-scan, same, F2B_SCAN_THREADS=${threads}`, threads: Number(threads), ...rate(auth.lines, auth.bytes, t) });
  }

  if (have('grep')) {
    say('grep -cE');
    const g = await timeMedian(RUNS, 'grep', ['-cE', GREP_PATTERN, auth.file], { stdout: 'keep' });
    results.others.push({ name: 'grep -cE (failure lines)', ...rate(auth.lines, auth.bytes, g), matched: Number(g.stdout.trim()) });
  } else notes.push('grep not found: no comparison');

  if (have(SSHG_PARSER)) {
    say('sshg-parser');
    const s = await timeMedian(RUNS, SSHG_PARSER, [], { stdin: auth.file });
    results.others.push({ name: 'sshguard sshg-parser', ...rate(auth.lines, auth.bytes, s) });
  } else notes.push(`${SSHG_PARSER} not found (Debian package sshguard): no comparison`);

  if (have('fail2ban-regex') && SSHD_CONF) {
    const n = Math.min(F2B_LINES, LINES);
    const small = log(dir, 'auth', n, `auth-${n}.log`);
    say(`fail2ban-regex on ${n} lines, ${RUNS} runs (slow)`);
    const f = await timeMedian(RUNS, 'fail2ban-regex', [small.file, SSHD_CONF], { stdout: 'keep' });
    const m2 = /Lines: (\d+) lines, (\d+) ignored, (\d+) matched/.exec(f.stdout);
    results.others.push({ name: `fail2ban-regex (stock sshd.conf, ${n} lines)`, ...rate(small.lines, small.bytes, f), matched: m2 ? Number(m2[3]) : null, scaledFrom: n });
    if (n !== LINES) notes.push(`fail2ban-regex ran on the first ${n} lines' worth (same generator, seed 42); its rate is lines/s over those, compared as is (its cost per line does not depend on the file size).`);
  } else notes.push('fail2ban-regex or a stock sshd.conf not found (Debian package fail2ban): no comparison');
}

async function bigBench() {
  const n = 10_000_000;
  say(`generating ${n} auth.log lines (about 1 GB), once`);
  const big = log(dir, 'auth', n, `auth-${n}.log`);
  const cfg = sshdConfig(join(dir, 'big'), big.file);
  say('big scan, 1 run');
  const m = await timeOnce(CLI, scanArgs(cfg, join(dir, 'big-state.json'), ['--dry-run', '--quiet']));
  results.big = { name: 'f2b-scan, sshd jail, 1 GB auth.log (1 run)', ...rate(big.lines, big.bytes, m) };
  const m2 = await timeOnce(CLI, scanArgs(cfg, join(dir, 'big-state.json'), ['--dry-run', '--quiet']), { env: { ...process.env, F2B_SCAN_THREADS: '2' } });
  results.bigThreads = { name: 'f2b-scan, same 1 GB, F2B_SCAN_THREADS=2 (1 run)', threads: 2, ...rate(big.lines, big.bytes, m2) };
}

async function tenBench() {
  say(`generating ten logs of ${TEN_LINES} lines`);
  const { config, logs } = tenJails(dir, TEN_LINES);
  const lines = logs.reduce((a, l) => a + l.lines, 0);
  const bytes = logs.reduce((a, l) => a + l.bytes, 0);
  // Real runs as from cron (bans go to dummy files), each from an empty state; the first,
  // untimed, leaves what a cron job keeps between runs besides the state (the verdicts of
  // the regex safety screen, <state>.regex-verdicts.json).
  const state = join(dir, 'ten-state.json');
  const fresh = () => rmSync(state, { force: true });
  fresh();
  await timeOnce(CLI, scanArgs(config, state, ['--quiet']));
  say(`ten jails, ${RUNS} runs`);
  const m = await timeMedian(RUNS, CLI, scanArgs(config, state, ['--json']), { stdout: 'keep', before: fresh });
  if (m.code !== 0 && m.code !== 5) throw new Error(`f2b-scan exited ${m.code}: ${m.stderr}`);
  const summary = JSON.parse(m.stdout);
  results.ten = { name: 'f2b-scan, ten jails over ten files (real run)', ...rate(lines, bytes, m), failures: summary.failures, bans: summary.bans.length };
}

async function idleBench() {
  const { config, logs } = idleJails(dir, 2000);
  const state = join(dir, 'idle-state.json');
  // A day after the logs end: every failure is old, nothing is banned, nothing new is read.
  const later = new Date(Date.parse(LOG_END) + 86400_000).toISOString();
  const idleArgs = ['--config', config, '--state', state, '--now', later, '--quiet'];
  const first = await timeOnce(CLI, idleArgs);
  if (first.code !== 0) throw new Error(`idle set-up run exited ${first.code}: ${first.stderr}`);
  const n = Math.max(RUNS, 10);
  say(`idle run vs node -e 0, ${n} runs each`);
  const idle = await timeMedian(n, CLI, idleArgs);
  const bare = await timeMedian(n, process.execPath, ['-e', '0']);
  results.idle = {
    files: logs.length,
    jails: 10,
    idle: { wallMs: idle.wallMs, cpuMs: idle.cpuMs, rssMB: idle.rssMB },
    node: { wallMs: bare.wallMs, cpuMs: bare.cpuMs, rssMB: bare.rssMB },
    ratioWall: idle.wallMs / bare.wallMs,
    ratioCpu: idle.cpuMs / bare.cpuMs,
  };
  if (have('hyperfine')) {
    const json = join(dir, 'hyperfine.json');
    const r = spawnSync('hyperfine', ['-N', '--warmup', '3', '--runs', '30', '--export-json', json, [CLI, ...idleArgs].join(' '), `${process.execPath} -e 0`], { stdio: 'ignore' });
    if (r.status === 0) {
      const h = (await import(json, { with: { type: 'json' } })).default.results;
      results.idle.hyperfine = { idleMs: h[0].mean * 1000, nodeMs: h[1].mean * 1000, ratio: h[0].mean / h[1].mean };
    }
  }
}

function stateBench() {
  say('state of 100,000 addresses and 20,000 bans');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'state.mjs'), dir, String(Math.max(RUNS, 3))], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    notes.push(`state benchmark failed: ${r.stderr.trim().split('\n').at(-1)}`);
    return;
  }
  results.state = JSON.parse(r.stdout);
}

async function bansBench() {
  if (process.getuid?.() !== 0 || !have('unshare')) {
    notes.push('10,000 bans: skipped (needs root and unshare for a private network namespace)');
    return;
  }
  const file = bansLog(dir, 10000);
  for (const [label, backend, tool] of [['ipset', 'iptables-ipset-proto6', 'ipset'], ['nftables', 'nftables-multiport', 'nft']]) {
    if (!have(tool)) {
      notes.push(`10,000 bans via ${label}: skipped (${tool} not installed)`);
      continue;
    }
    const cfg = bansConfig(dir, backend, file);
    const state = join(dir, `bans-${label}.json`);
    say(`10,000 bans via ${label} in a network namespace, ${RUNS} runs`);
    // Each run gets a new namespace (unshare -n) and an empty state: all 10,000 bans are new.
    const before = () => rmSync(state, { force: true });
    const real = await timeMedian(RUNS, 'unshare', ['-n', CLI, ...scanArgs(cfg, state, ['--json'])], { stdout: 'keep', before });
    let summary = null;
    try { summary = JSON.parse(real.stdout); } catch { /* reported below */ }
    if (!summary || real.code !== 0) {
      notes.push(`10,000 bans via ${label}: run exited ${real.code}: ${(real.stderr || real.stdout).trim().split('\n').slice(0, 2).join(' / ')}`);
      continue;
    }
    const unsupported = (summary.warnings ?? []).find((w) => /not supported/.test(w));
    if (unsupported) {
      notes.push(`10,000 bans via ${label}: skipped (${unsupported})`);
      continue;
    }
    const dry = await timeMedian(RUNS, 'unshare', ['-n', CLI, ...scanArgs(cfg, state, ['--dry-run', '--quiet'])], { before });
    results.bans.push({
      backend: label,
      action: backend,
      bans: summary.bans.length,
      wallMs: real.wallMs,
      cpuMs: real.cpuMs,
      dryRunWallMs: dry.wallMs,
      firewallMs: real.wallMs - dry.wallMs,
    });
  }
}


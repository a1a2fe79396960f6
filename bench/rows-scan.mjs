// The rows of the mixed auth.log (few attackers, much noise) and its peers (grep -cE,
// sshguard's sshg-parser, fail2ban-regex); the 1 GB log (--big); ten jails over ten files;
// the idle cron run against `node -e 0`; 10,000 bans through ipset and nftables.

import { spawnSync } from 'node:child_process';
import { rmSync as rm } from 'node:fs';
import { join } from 'node:path';
import { scanCommand, scanResult, scanRow } from './rows-attack.mjs';
import { bansConfig, bansLog, idleJails, log, LOG_END, sshdConfig, tenJails } from './fixtures.mjs';
import { count, have, ratio, row, timeInterleaved, timeMedian, timeOnce } from './measure.mjs';

const SSHD_CONF = '/etc/fail2ban/filter.d/sshd.conf';
const SSHG_PARSER = '/usr/libexec/sshguard/sshg-parser';
// The failures the sshd jail counts, as one extended regex (what a shell script would grep for).
const GREP_PATTERN = 'sshd\\[[0-9]+\\]: (Failed [a-z-]+ for .* from [0-9a-f.:]+ port|Invalid user .* from [0-9a-f.:]+|Connection closed by (authenticating|invalid) user .* [0-9a-f.:]+ port)';

/** The mixed log and the one-jail config over it (memoised: the five-jail row reads it too). */
export function mixedOneJail(ctx) {
  return ctx.once('mixed', async () => {
    const n = ctx.sizes.mixed;
    ctx.say(`generating the mixed auth.log, ${n} lines`);
    const file = log(ctx.dir, 'auth', n, `auth-${n}.log`);
    return { file, config: sshdConfig(ctx.dir, file.file) };
  });
}

export async function scanBench(ctx) {
  const { file, config } = await mixedOneJail(ctx);
  const n = count(file.lines);
  // f2b-scan and the peers as fast as it (grep, sshg-parser) in turn, round after round: their
  // ratios see the same machine load.
  const turn = [scanCommand(ctx, 'mixed-dry', { config, now: LOG_END, dry: true })];
  const grep = have('grep');
  const sshg = have(SSHG_PARSER);
  if (grep) turn.push(['grep', ['-cE', GREP_PATTERN, file.file], { stdout: 'keep' }]);
  else ctx.note('grep not found: no comparison');
  if (sshg) turn.push([SSHG_PARSER, [], { stdin: file.file }]);
  else ctx.note(`${SSHG_PARSER} not found: no comparison (apt-get install sshguard)`);
  ctx.say(`f2b-scan over the mixed ${n} auth.log${grep ? ', grep -cE' : ''}${sshg ? ', sshg-parser' : ''}: ${ctx.runs} rounds, in turn`);
  const [m, ...peers] = await timeInterleaved(ctx.runs, turn);
  const ours = scanResult('mixed-dry', `f2b-scan, sshd jail, mixed ${n} auth.log, --dry-run`, file, m);
  ctx.add(ours);
  if (grep) {
    const g = peers.shift();
    const r = row('grep', 'grep -cE (the failure lines), mixed log', g, { lines: file.lines, bytes: file.bytes, failures: Number(g.stdout.trim()) });
    ctx.add(r);
    ctx.addRatio(ratio('mixed-vs-grep', 'mixed log: f2b-scan CPU / grep -cE CPU', ours, r, 'a', 'grep -cE'));
  }
  if (sshg) {
    const r = row('sshg-parser', 'sshguard sshg-parser (stdin), mixed log', peers.shift(), { lines: file.lines, bytes: file.bytes });
    ctx.add(r);
    ctx.addRatio(ratio('mixed-vs-sshg', 'mixed log: sshg-parser CPU / f2b-scan CPU', r, ours, 'b', 'sshg-parser costs'));
  }

  // Worker threads start by themselves only for a large backlog; both ways forced: what they
  // buy, and what they cost in memory.
  for (const threads of ['1', '2']) {
    const env = { ...process.env, F2B_SCAN_THREADS: threads };
    ctx.add(await scanRow(ctx, `mixed-threads-${threads}`, `f2b-scan, same, F2B_SCAN_THREADS=${threads}`, { config, file, now: LOG_END, dry: true, env }));
  }

  if (have('fail2ban-regex') && ctx.exists(SSHD_CONF)) {
    const n = Math.min(ctx.sizes.small, file.lines);
    const part = log(ctx.dir, 'auth', n, `auth-${n}.log`);
    ctx.say(`fail2ban-regex on ${n} mixed lines (slow)`);
    const f = await timeMedian(ctx.runs, 'fail2ban-regex', [part.file, SSHD_CONF], { stdout: 'keep', longCpuMs: ctx.longCpuMs });
    const matched = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(f.stdout);
    const r = row('f2b-regex-mixed', `fail2ban-regex, stock sshd.conf, mixed ${count(n)}`, f, { lines: part.lines, bytes: part.bytes, failures: matched ? Number(matched[1]) : null });
    ctx.add(r);
    // Per line: its cost per line does not depend on the file's length.
    ctx.addRatio(ratio('mixed-vs-f2b-regex', `mixed log: fail2ban-regex CPU / f2b-scan CPU, per line (it read ${count(n)})`, r, ours, 'b', 'fail2ban-regex costs'));
  } else ctx.note(`fail2ban-regex or ${SSHD_CONF} not found (apt-get install fail2ban): no comparison`);
}

export async function bigBench(ctx) {
  const n = 10_000_000;
  ctx.say(`generating ${n} auth.log lines (about 1 GB), once`);
  const big = log(ctx.dir, 'auth', n, `auth-${n}.log`);
  const config = sshdConfig(join(ctx.dir, 'big'), big.file);
  const one = { ...ctx, runs: 1 };
  ctx.add(await scanRow(one, 'big', 'f2b-scan, sshd jail, 1 GB mixed auth.log, --dry-run (1 run)', { config, file: big, now: LOG_END, dry: true }));
  ctx.add(await scanRow(one, 'big-threads-2', 'f2b-scan, same 1 GB, F2B_SCAN_THREADS=2 (1 run)', { config, file: big, now: LOG_END, dry: true, env: { ...process.env, F2B_SCAN_THREADS: '2' } }));
}

export async function tenBench(ctx) {
  const n = ctx.sizes.small;
  ctx.say(`generating ten logs of ${n} lines`);
  const { config, logs } = tenJails(ctx.dir, n);
  const lines = logs.reduce((a, l) => a + l.lines, 0);
  const bytes = logs.reduce((a, l) => a + l.bytes, 0);
  // Real runs as from cron (bans go to dummy files), each from an empty state.
  const state = join(ctx.dir, 'ten-state.json');
  ctx.warmVerdicts(state);
  ctx.say(`ten jails, ${ctx.runs} runs`);
  const m = await timeMedian(ctx.runs, ctx.cli, ['--config', config, '--state', state, '--now', LOG_END, '--json'], { stdout: 'keep', before: () => rm(state, { force: true }) });
  if (m.code !== 0 && m.code !== 5) throw new Error(`ten jails: f2b-scan exited ${m.code}: ${m.stderr}`);
  const summary = JSON.parse(m.stdout);
  const failures = Object.values(summary.failures ?? {}).reduce((a, x) => a + x, 0);
  ctx.add(row('ten', `f2b-scan, ten jails over ten files (${count(lines)} lines, real run)`, m, { lines, bytes, failures, bans: summary.bans.length }));
}

export async function idleBench(ctx) {
  const { config, logs } = idleJails(ctx.dir, 2000);
  const state = join(ctx.dir, 'idle-state.json');
  // A day after the logs end: every failure is old, nothing is banned, nothing new is read.
  const later = new Date(Date.parse(LOG_END) + 86400_000).toISOString();
  const idleArgs = ['--config', config, '--state', state, '--now', later, '--quiet'];
  const first = await timeOnce(ctx.cli, idleArgs);
  if (first.code !== 0) throw new Error(`idle set-up run exited ${first.code}: ${first.stderr}`);
  // Runs of 60-200 ms, compared as a ratio: in turn, so both see the same load.
  const n = Math.max(ctx.runs, 20);
  ctx.say(`idle run vs node -e 0, ${n} rounds`);
  const [idleM, bareM] = await timeInterleaved(n, [
    [ctx.cli, idleArgs],
    [process.execPath, ['-e', '0']],
  ]);
  const idle = row('idle', `f2b-scan, idle cron run (${logs.length} files, 10 jails, nothing new)`, idleM);
  const bare = row('node', 'node -e 0', bareM);
  ctx.add(idle, bare);
  ctx.addRatio(ratio('idle-vs-node', 'idle cron run / node -e 0', idle, bare, 'a', 'node -e 0'));
  if (have('hyperfine')) {
    const json = join(ctx.dir, 'hyperfine.json');
    const r = spawnSync('hyperfine', ['-N', '--warmup', '3', '--runs', '30', '--export-json', json, [ctx.cli, ...idleArgs].join(' '), `${process.execPath} -e 0`], { stdio: 'ignore' });
    if (r.status === 0) {
      const h = (await import(json, { with: { type: 'json' } })).default.results;
      ctx.note(`hyperfine: idle run ${(h[0].mean * 1000).toFixed(1)} ms, node -e 0 ${(h[1].mean * 1000).toFixed(1)} ms (${(h[0].mean / h[1].mean).toFixed(2)}x)`);
    }
  }
}

export async function bansBench(ctx) {
  if (process.getuid?.() !== 0 || !have('unshare')) {
    ctx.note('10,000 bans: skipped (needs root and unshare for a private network namespace)');
    return;
  }
  const file = bansLog(ctx.dir, 10000);
  for (const [label, backend, tool] of [['ipset', 'iptables-ipset-proto6', 'ipset'], ['nftables', 'nftables-multiport', 'nft']]) {
    if (!have(tool)) {
      ctx.note(`10,000 bans via ${label}: skipped (${tool} not installed)`);
      continue;
    }
    const cfg = bansConfig(ctx.dir, backend, file);
    const state = join(ctx.dir, `bans-${label}.json`);
    ctx.say(`10,000 bans via ${label} in a network namespace, ${ctx.runs} runs`);
    // Each run gets a new namespace (unshare -n) and an empty state: all 10,000 bans are new.
    const before = () => rm(state, { force: true });
    const args = (extra) => ['-n', ctx.cli, '--config', cfg, '--state', state, '--now', LOG_END, ...extra];
    const real = await timeMedian(ctx.runs, 'unshare', args(['--json']), { stdout: 'keep', before });
    let summary = null;
    try { summary = JSON.parse(real.stdout); } catch { /* reported below */ }
    if (!summary || real.code !== 0) {
      ctx.note(`10,000 bans via ${label}: run exited ${real.code}: ${(real.stderr || real.stdout).trim().split('\n').slice(0, 2).join(' / ')}`);
      continue;
    }
    const unsupported = (summary.warnings ?? []).find((w) => /not supported/.test(w));
    if (unsupported) {
      ctx.note(`10,000 bans via ${label}: skipped (${unsupported})`);
      continue;
    }
    const dry = row(`bans-${label}-dry`, `f2b-scan, the same ${label} run, --dry-run`, await timeMedian(ctx.runs, 'unshare', args(['--dry-run', '--quiet']), { before }));
    const r = row(`bans-${label}`, `f2b-scan, ${summary.bans.length.toLocaleString('en-US')} new bans via ${label} (${backend}, netns), real run`, real, { bans: summary.bans.length });
    ctx.add(r, dry);
  }
}

// Running one command and measuring it: wall time, CPU time (user + sys) and peak RSS.
// With /usr/bin/time (GNU time) the kernel's own figures are used; without it, wall time
// and a /proc poll of VmHWM (the peak RSS the kernel keeps) every 10 ms.

import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// BENCH_NO_GNU_TIME=1 tries the fallback on a machine that has GNU time.
const GNU_TIME = existsSync('/usr/bin/time') && !process.env.BENCH_NO_GNU_TIME ? '/usr/bin/time' : null;

/** A line count as the rows name it: 200k, 1M. */
export const count = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

export function median(xs) {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The environment a command is measured in: the bench's own, without NODE_EXTRA_CA_CERTS. With it
 * set, node reads every root certificate (its own and the file's) when it starts, before any of
 * our code runs: `node -e 0` took 123 ms against 41 ms on this VM (10 runs each, three times in
 * turn), and 0.42 G more instructions, 80% of them. Neither cron nor the generated systemd unit
 * passes it to a run, and some machines set it for their interactive shells (this one does).
 */
export function fieldEnv(env = process.env) {
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env;
  return rest;
}

/** Whether a program can be run (absolute path, or a name on PATH). */
export function have(cmd) {
  if (cmd.includes('/')) return existsSync(cmd);
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

// bash's `times` after the command: the children's user and sys CPU to the millisecond.
const FINE_CPU_SCRIPT = '"$@"; s=$?; times >&2; exit $s';
const HAVE_BASH = have('bash');

/**
 * Run `cmd args` once. opts: stdin (file path), stdout ('ignore' | 'keep'), env (fieldEnv() of it), cwd, fineCpu.
 * Resolves { wallMs, cpuMs, rssMB, code, stdout }.
 *
 * The CPU time is taken to the millisecond from bash's `times` (unless opts.fineCpu === false or
 * there is no bash): GNU time prints user and sys truncated to 10 ms each, so `node -e 0` (~60 ms)
 * read ~10 ms short and the idle run / node -e 0 ratio of issue 7's target looked 15-20% worse
 * than it is. The figure includes GNU time's own start (~1 ms), for every row alike.
 */
export function timeOnce(cmd, args, opts = {}) {
  const timeFile = join(tmpdir(), `f2b-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  let argv = GNU_TIME ? [GNU_TIME, '-o', timeFile, '-f', '%e %U %S %M', cmd, ...args] : [cmd, ...args];
  const fine = opts.fineCpu !== false && HAVE_BASH;
  if (fine) argv = ['bash', '-c', FINE_CPU_SCRIPT, 'bench-run', ...argv];
  const stdinFd = opts.stdin ? openSync(opts.stdin, 'r') : 'ignore';
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      stdio: [stdinFd, opts.stdout === 'keep' ? 'pipe' : 'ignore', 'pipe'],
      env: fieldEnv(opts.env),
      cwd: opts.cwd,
    });
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    let hwm = 0;
    const poll = GNU_TIME ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch { /* exited */ }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (poll) clearInterval(poll);
      let cpuMs = NaN;
      let rssKB = hwm;
      if (GNU_TIME) {
        // GNU time's own wall clock has 10 ms steps: ours (one fork more) is kept.
        try {
          const [, u, s, m] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
          cpuMs = (u + s) * 1000;
          rssKB = m;
        } catch { /* time failed: keep the poll figures */ }
        rmSync(timeFile, { force: true });
      }
      if (fine) {
        // The last line of `times`: the children's user and sys, as 0m0.052s 0m0.012s.
        const lines = err.trimEnd().split('\n');
        const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? '');
        if (m) {
          cpuMs = ((Number(m[1]) + Number(m[3])) * 60 + Number(m[2]) + Number(m[4])) * 1000;
          err = lines.slice(0, -2).join('\n');
        }
      }
      resolve({ wallMs, cpuMs, rssMB: rssKB / 1024, code, stdout: out, stderr: err });
    });
  });
}

/**
 * Run `n` times; the medians of each figure, and the last run's output. A run that took longer
 * than opts.longCpuMs of CPU ends the series early: a row that costs a minute a run is measured
 * once rather than blowing the bench's time budget, and gets more runs as it gets faster. CPU,
 * not wall: on a busy machine wall time swells and would cut every series to one run.
 */
export async function timeMedian(n, cmd, args, opts = {}) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    if (opts.before) await opts.before(i);
    const run = await timeOnce(cmd, args, opts);
    runs.push(run);
    if (opts.longCpuMs && (Number.isFinite(run.cpuMs) ? run.cpuMs : run.wallMs) > opts.longCpuMs) break;
  }
  return medians(runs);
}

/**
 * `n` rounds of every command in turn ([cmd, args, opts] each), the medians per command: two
 * short runs compared as a ratio see the same machine load, which on a shared machine moves
 * more within a minute than the difference measured.
 */
export async function timeInterleaved(n, commands) {
  const runs = commands.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const [k, [cmd, args, opts = {}]] of commands.entries()) {
      if (opts.before) await opts.before(i);
      runs[k].push(await timeOnce(cmd, args, opts));
    }
  }
  return runs.map(medians);
}

/** The medians of runs of one command (timeOnce results), and the last run's output. */
export function medians(runs) {
  const last = runs.at(-1);
  return {
    runs: runs.length,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
    code: last.code,
    stdout: last.stdout,
    stderr: last.stderr,
  };
}

/** A table row from a measurement: the absolutes and the rates that make rows comparable. */
export function row(id, name, m, { lines = null, bytes = null, ...extra } = {}) {
  return {
    id,
    name,
    runs: m.runs ?? null,
    lines,
    bytes,
    wallMs: m.wallMs,
    cpuMs: m.cpuMs,
    rssMB: m.rssMB,
    linesPerSec: lines ? lines / (m.wallMs / 1000) : null,
    linesPerCpuSec: lines ? lines / (m.cpuMs / 1000) : null,
    ...extra,
  };
}

/**
 * How much more `a` costs than `b` (CPU and wall), per line when both read lines (a peer that
 * ran on fewer lines of the same generator is compared per line). For a peer, a = the peer:
 * the figure is how many times cheaper f2b-scan is. `beside`: the f2b-scan row ('a' or 'b')
 * whose line in the table shows the figure, after the words `short`.
 */
export function ratio(id, what, a, b, beside, short) {
  if (!a || !b) return null;
  const per = (r, k) => (r.lines && a.lines && b.lines ? r[k] / r.lines : r[k]);
  return { id, what, a: a.id, b: b.id, cpu: per(a, 'cpuMs') / per(b, 'cpuMs'), wall: per(a, 'wallMs') / per(b, 'wallMs'), on: beside === 'a' ? a.id : b.id, short };
}

#!/usr/bin/env node
// Instructions of whole CLI runs, for changes of a few per cent that this shared, noisy VM hides
// in CPU seconds (its speed moves 10–20% within minutes, 2x from hour to hour).
//
//   node bench/instructions.mjs --config DIR [--config DIR ...] [--now ISO] [--state FILE] [--cli dist/cli.js] [--split] [--functions N]
//
// Each config is one `--dry-run --json` from an empty state (a copy of `--state FILE`: an idle run
// over a state that has read the logs) under valgrind's cachegrind, one run
// at a time, with `node --predictable --single-threaded`: without those, V8 picks its GC and
// compile moments by the clock and two identical runs differ by up to 6%, and two runs at once by
// 3–15%; with them, within ~2%. The optimizing compiler then runs on the main thread and is
// counted, as its background thread's CPU seconds are counted in a real run. Prints the total per
// config (G instructions, and against the first config); `--split` also says where they went.
// `--functions N` runs callgrind instead (about twice as slow) and names the N places where the
// instructions went, V8's generated code by JavaScript function and regex (jit-profile.mjs),
// ranked by how much the last config differs from the first (by size with one config).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fieldEnv, have } from './measure.mjs';
import { JIT_MAP_FLAGS, readJitProfile, readPerfMap } from './jit-profile.mjs';

// valgrind's own lines on stderr (==PID== reports, --PID-- warnings), not the CLI's.
const VALGRIND_LINE = /^(?:==|--)\d+(?:==|--)/;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What a function of a cachegrind profile is part of, by its name. */
export function kindOf(fn) {
  // V8's generated code has no symbol: the JavaScript it compiled and its regexes alike.
  if (fn === '???') return 'generated code (JS, regexes)';
  if (fn.includes('compiler::') || fn.toLowerCase().includes('maglev')) return 'optimizing compiler';
  if (fn.startsWith('Builtins_')) return 'V8 builtins';
  if (/Heap|Scaveng|Mark|Sweep|Evacuat|Remembered|Slot|GC/.test(fn)) return 'garbage collector';
  if (/regexp/i.test(fn)) return 'regex compiler and runtime';
  if (/interpreter::|Bytecode|Parser|parsing|Scanner|Compiler::/.test(fn)) return 'parser, bytecode';
  return 'runtime, libraries (C++)';
}

/** Total instructions of a cachegrind out file, and by kindOf() when `split`. */
export function readProfile(text, split) {
  const kinds = new Map();
  let fn = '';
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('summary:')) total = Number(line.slice(8).trim().split(/\s+/)[0]);
    else if (!split) continue;
    else if (line.startsWith('fn=')) fn = line.slice(3);
    else if (line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) {
      const n = Number(line.split(' ')[1]);
      const kind = kindOf(fn);
      if (Number.isFinite(n)) kinds.set(kind, (kinds.get(kind) ?? 0) + n);
    }
  }
  return { total, kinds };
}

/** One dry run of `config` under cachegrind (callgrind with `functions`): its profile, or an Error saying why there is none. */
export function countRun({ cli, config, now, split, functions, state }) {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-instr-'));
  let map = null;
  try {
    const out = join(dir, 'profile.out');
    // A copy: the run may not change the state it starts from (a dry run writes none, but a lock).
    if (state) copyFileSync(state, join(dir, 'state.json'));
    const tool = functions ? ['--tool=callgrind', '--dump-instr=yes', `--callgrind-out-file=${out}`] : ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`];
    // V8's code log goes with the map: into the run's directory, not the caller's.
    const flags = ['--predictable', '--single-threaded', ...(functions ? [...JIT_MAP_FLAGS, `--logfile=${join(dir, 'v8.log')}`, '--no-logfile-per-isolate'] : [])];
    const r = spawnSync('valgrind', [...tool, process.execPath, ...flags, cli, '--config', config, '--state', join(dir, 'state.json'), '--now', now, '--json', '--dry-run'], { encoding: 'utf8', maxBuffer: 1 << 28, env: fieldEnv() });
    if (r.error) return new Error(`valgrind: ${r.error.message}`);
    // V8 writes its map there, named by the process (valgrind runs node in the process it was given).
    if (functions) map = `/tmp/perf-${r.pid}.map`;
    // 0: nothing to ban, 5: bans decided (the CLI's exit codes).
    if (r.status !== 0 && r.status !== 5) return new Error(`${config}: the run exited ${r.status}: ${r.stderr.split('\n').filter((l) => l && !VALGRIND_LINE.test(l)).slice(0, 2).join(' / ')}`);
    const text = readFileSync(out, 'utf8');
    // callgrind's cost lines are not cachegrind's: with `functions` the split comes from the rows.
    const profile = readProfile(text, split && !functions);
    if (functions) {
      if (!existsSync(map)) return new Error(`${config}: node wrote no ${map} (--perf-basic-prof): generated code cannot be named`);
      profile.rows = readJitProfile(text, readPerfMap(readFileSync(map, 'utf8')), kindOf);
      if (split) profile.kinds = kindsOfRows(profile.rows);
    }
    return profile;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (map) rmSync(map, { force: true });
  }
}

/** readJitProfile()'s rows summed by kindOf()'s kinds (its code and builtin rows by what they are). */
export function kindsOfRows(rows) {
  const kinds = new Map();
  for (const [row, n] of rows) {
    const kind = row.startsWith('builtin ') ? 'V8 builtins' : /^(?:JS |regex |V8 |generated code)/.test(row) ? 'generated code (JS, regexes)' : row;
    kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  }
  return kinds;
}

/** The `n` rows of the profiles' `rows` that differ most from the first config to the last (by size with one config). */
export function topRows(results, n) {
  const first = results[0].rows;
  const last = results.at(-1).rows;
  const keys = [...new Set(results.flatMap((r) => [...r.rows.keys()]))];
  const weight = (k) => (results.length > 1 ? Math.abs((last.get(k) ?? 0) - (first.get(k) ?? 0)) : (last.get(k) ?? 0));
  return keys.sort((a, b) => weight(b) - weight(a)).slice(0, n);
}

function main(argv) {
  const configs = [];
  let now = new Date().toISOString();
  let cli = join(ROOT, 'dist', 'cli.js');
  let split = false;
  let functions = 0;
  let state = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config') configs.push(argv[++i]);
    else if (a === '--now') now = argv[++i];
    else if (a === '--cli') cli = argv[++i];
    else if (a === '--state') state = argv[++i];
    else if (a === '--split') split = true;
    else if (a === '--functions') {
      functions = Number(argv[++i]);
      if (!Number.isInteger(functions) || functions < 1) {
        console.error(`bench/instructions.mjs: --functions needs a count of rows (a whole number from 1), not ${argv[i]}`);
        return 2;
      }
    } else {
      console.error(`bench/instructions.mjs: unknown argument ${a} (usage: --config DIR [--config DIR ...] [--now ISO] [--state FILE] [--cli PATH] [--split] [--functions N])`);
      return 2;
    }
  }
  if (configs.length === 0 || configs.some((c) => !c)) {
    console.error('bench/instructions.mjs: give at least one --config DIR');
    return 2;
  }
  if (!existsSync(cli)) {
    console.error(`bench/instructions.mjs: ${cli} does not exist: run \`npm run build\` first (or give --cli PATH)`);
    return 2;
  }
  if (state !== null && !existsSync(state ?? '')) {
    console.error(`bench/instructions.mjs: --state ${state ?? ''}: no such file (give a state file a run wrote)`);
    return 2;
  }
  if (!have('valgrind')) {
    console.error('bench/instructions.mjs: valgrind is not installed (apt-get install valgrind): nothing measured');
    return 2;
  }
  const results = [];
  for (const config of configs) {
    const r = countRun({ cli, config, now, split, functions: functions > 0, state });
    if (r instanceof Error) {
      console.error(`bench/instructions.mjs: ${r.message}`);
      return 1;
    }
    results.push(r);
    const base = results[0].total;
    console.log(`${(r.total / 1e9).toFixed(3)} G  ${results.length > 1 ? `${(r.total / base).toFixed(3)}x the first  ` : ''}${config}`);
  }
  if (split) {
    const kinds = [...new Set(results.flatMap((r) => [...r.kinds.keys()]))].sort((a, b) => (results.at(-1).kinds.get(b) ?? 0) - (results.at(-1).kinds.get(a) ?? 0));
    for (const k of kinds) console.log(`  ${k.padEnd(30)} ${results.map((r) => `${((r.kinds.get(k) ?? 0) / 1e9).toFixed(3).padStart(7)} G`).join('  ')}`);
  }
  if (functions > 0) {
    const g = (n) => `${(n / 1e6).toFixed(1).padStart(9)} M`;
    console.log(`  where the instructions went (${results.length > 1 ? 'most changed, first config to last' : 'largest'}):`);
    for (const k of topRows(results, functions)) {
      const cells = results.map((r) => g(r.rows.get(k) ?? 0));
      const d = (results.at(-1).rows.get(k) ?? 0) - (results[0].rows.get(k) ?? 0);
      const diff = results.length > 1 ? `  ${d >= 0 ? '+' : '-'}${g(Math.abs(d)).trim()}` : '';
      console.log(`  ${cells.join(' ')}${diff}  ${k}`);
    }
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));

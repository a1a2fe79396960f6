// bench/instructions.mjs is the instrument for changes smaller than the VM's noise in CPU
// seconds: what it prints must be the instructions of the CLI's own run, per config, and where
// they went. The profile reading is checked on a written profile; the whole instrument under a
// real valgrind where one is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.ts';
// @ts-expect-error: a plain .mjs script of the bench, without types
import { kindOf, kindsOfRows, readProfile } from '../../bench/instructions.mjs';
// @ts-expect-error: likewise
import { have } from '../../bench/measure.mjs';
// @ts-expect-error: likewise
import { codeRow, readJitProfile, readPerfMap } from '../../bench/jit-profile.mjs';

const SCRIPT = join(import.meta.dirname, '../../bench/instructions.mjs');

test('a cachegrind profile: its total from the summary line, its functions by what they are part of', () => {
  const text = [
    'events: Ir',
    'fl=???',
    'fn=???',
    '0 700',
    'fl=/usr/bin/node',
    'fn=v8::internal::compiler::GraphReducer::ReduceTop()',
    '12 200',
    'fn=Builtins_RegExpPrototypeExec',
    '3 50',
    '4 25',
    'fn=v8::internal::Scavenger::ScavengeObject()',
    '9 10',
    'fn=uv_run',
    '1 15',
    'summary: 1000',
  ].join('\n');
  const p = readProfile(text, true);
  assert.equal(p.total, 1000);
  assert.equal(p.kinds.get('generated code (JS, regexes)'), 700);
  assert.equal(p.kinds.get('optimizing compiler'), 200);
  assert.equal(p.kinds.get('V8 builtins'), 75);
  assert.equal(p.kinds.get('garbage collector'), 10);
  assert.equal(p.kinds.get('runtime, libraries (C++)'), 15);
  assert.equal(readProfile(text, false).kinds.size, 0, 'no split asked: only the total');
  assert.equal(kindOf('v8::internal::RegExpImpl::Compile()'), 'regex compiler and runtime');
});

test('a callgrind profile by function: generated code named from the perf map, builtins by name, call costs left out', () => {
  const map = readPerfMap(['1000 40 JS:*onLine file:///srv/dist/chunk-AB12.js:294:18', '2000 10 RegExp:^Failed password', '3000 8 Builtin:RecordWriteSaveFP', ''].join('\n'));
  assert.equal(map(0x1000), 'JS:*onLine file:///srv/dist/chunk-AB12.js:294:18');
  assert.equal(map(0x103f), 'JS:*onLine file:///srv/dist/chunk-AB12.js:294:18');
  assert.equal(map(0x1040), null, 'past the end of the code');
  assert.equal(map(0xfff), null);
  const text = [
    'positions: instr line',
    'events: Ir',
    'fl=(1) ???',
    'fn=(1) 0x0000000000001000',
    '0x1000 0 300',
    '+16 0 100',
    // a call from the function: its inclusive cost is the callee's, counted there
    'cfn=(2) Builtins_RegExpPrototypeExec',
    'calls=1 0x9000 0',
    '* 0 5000',
    '* 0 7',
    'fn=(3) 0x0000000000002000',
    '0x2004 0 50',
    '-4 0 20',
    'fn=(4) 0x0000000000005000',
    '0x5000 0 9',
    'fl=(2) /usr/bin/node',
    'fn=(2)',
    '0x9000 0 40',
    'fn=(5) v8::internal::compiler::GraphReducer::ReduceTop()',
    '0x9100 0 11',
    'summary: 537',
  ].join('\n');
  const kinds = (fn: string) => (fn.includes('compiler::') ? 'optimizing compiler' : 'runtime');
  const rows = readJitProfile(text, map, kinds);
  assert.deepEqual(Object.fromEntries(rows), {
    'JS onLine (chunk-AB12.js:294)': 407,
    'regex ^Failed password': 70,
    'generated code not in the map': 9,
    'builtin RegExpPrototypeExec': 40,
    'optimizing compiler': 11,
  });
  assert.equal(codeRow('Builtin:RecordWriteSaveFP'), 'builtin RecordWriteSaveFP');
  // --split with --functions: the same kinds as cachegrind's split, from these rows.
  assert.deepEqual(Object.fromEntries(kindsOfRows(rows)), { 'generated code (JS, regexes)': 486, 'V8 builtins': 40, 'optimizing compiler': 11 });
  // Positions without line numbers (--dump-line=no): the count is the second column.
  const noLines = readJitProfile(['positions: instr', 'events: Ir', 'fn=(1) 0x1000', '0x1000 30', '+2 12', 'summary: 42'].join('\n'), map, kinds);
  assert.deepEqual(Object.fromEntries(noLines), { 'JS onLine (chunk-AB12.js:294)': 42 });
  assert.equal(codeRow('JS:^ file:///srv/dist/cli.js:10:3'), 'JS (anonymous) (cli.js:10)');
});

const noValgrind = have('valgrind') ? false : 'valgrind is not installed (apt-get install valgrind)';

test('instructions of the built CLI: two jails on one file cost more than one, each config its own line', { skip: noValgrind, timeout: 300_000 }, () => {
  const dir = tempDir('f2b-bench-instr-');
  const log = join(dir, 'auth.log');
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) lines.push(`Dec  1 10:00:${String(i).padStart(2, '0')} srv sshd[${100 + i}]: Failed password for root from 192.0.2.${10 + (i % 4)} port 22 ssh2`);
  writeFileSync(log, `${lines.join('\n')}\n`);
  const config = (name: string, jails: string) => {
    const c = join(dir, name);
    mkdirSync(c);
    writeFileSync(join(c, 'jail.local'), jails.replaceAll('LOG', log));
    return c;
  };
  const one = config('one', '[sshd]\nenabled = true\nlogpath = LOG\n');
  const two = config('two', '[sshd]\nenabled = true\nlogpath = LOG\n\n[sshd-ddos]\nenabled = true\nfilter = sshd[mode=ddos]\nlogpath = LOG\n');
  const r = spawnSync(process.execPath, [SCRIPT, '--config', one, '--config', two, '--now', '2026-12-01T12:00:00Z', '--split'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const totals = [...r.stdout.matchAll(/^(\d+\.\d{3}) G {2}(?:(\d+\.\d{3})x the first {2})?(\S+)$/gm)];
  assert.deepEqual(totals.map((m) => m[3]), [one, two]);
  const [a, b] = totals.map((m) => Number(m[1]));
  // Node alone executes several hundred million instructions before the CLI starts.
  assert.ok(a! > 0.3 && a! < 20, `one jail: ${a} G`);
  assert.ok(b! > a!, `two jails ${b} G, one ${a} G`);
  // The ratio is of the exact totals; the totals printed are rounded to 0.0005 G each, which moves
  // a ratio near 1 by up to ~0.0015 (a CI run printed 1.211 where the rounded totals give 1.210).
  assert.ok(Math.abs(Number(totals[1]![2]) - b! / a!) < 0.002, `printed ${totals[1]![2]}, totals give ${b! / a!}`);
  assert.match(r.stdout, /^ {2}optimizing compiler +\d+\.\d{3} G +\d+\.\d{3} G$/m);
  assert.match(r.stdout, /^ {2}generated code \(JS, regexes\) +\d+\.\d{3} G +\d+\.\d{3} G$/m);
});

/** A 400-line sshd log of four addresses' failures and a config dir with one sshd jail over it (`settings`: more jail lines). */
function sshdJail(settings: string): { dir: string; c: string } {
  const dir = tempDir('f2b-bench-instr-');
  const log = join(dir, 'auth.log');
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(`Dec  1 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} srv sshd[${100 + i}]: Failed password for root from 192.0.2.${10 + (i % 4)} port 22 ssh2`);
  writeFileSync(log, `${lines.join('\n')}\n`);
  const c = join(dir, 'one');
  mkdirSync(c);
  writeFileSync(join(c, 'jail.local'), `[sshd]\nenabled = true\n${settings}logpath = ${log}\n`);
  return { dir, c };
}

test('--functions: the built CLI, its instructions by function and its rule regexes by name', { skip: noValgrind, timeout: 300_000 }, () => {
  const { c } = sshdJail('');
  const before = new Set(readdirSync('/tmp'));
  const cwd = tempDir('f2b-bench-instr-cwd-');
  const r = spawnSync(process.execPath, [SCRIPT, '--config', c, '--now', '2026-12-01T12:00:00Z', '--functions', '400'], { encoding: 'utf8', cwd });
  // Nothing is left where it was run from (V8 writes a code log beside its map).
  assert.deepEqual(readdirSync(cwd), []);
  assert.equal(r.status, 0, r.stderr);
  const rows = [...r.stdout.matchAll(/^ {2} *(\d+\.\d) M {2}(.+)$/gm)].map((m) => ({ m: Number(m[1]), row: m[2]! }));
  assert.ok(rows.length > 20 && rows.length <= 400, r.stdout);
  // Largest first, and what a run of the sshd rule must execute is there by name.
  assert.deepEqual(rows.map((x) => x.m), [...rows.map((x) => x.m)].sort((a, b) => b - a));
  assert.ok(rows.some((x) => x.row === 'optimizing compiler' || x.row === 'parser, bytecode'), r.stdout);
  assert.ok(rows.some((x) => /^regex .*Failed/.test(x.row)), `no row for the rule's failregex:\n${r.stdout}`);
  assert.ok(rows.some((x) => /^builtin RegExp/.test(x.row)), r.stdout);
  // The perf map is V8's file in /tmp: the tool removes it (a map left by a run that ended is the tool's).
  const left = readdirSync('/tmp').filter((f) => /^perf-\d+\.map$/.test(f) && !before.has(f) && !existsSync(`/proc/${f.slice(5, -4)}`));
  assert.deepEqual(left, []);
});

test('--functions without a count: one line, exit 2', () => {
  const r = spawnSync(process.execPath, [SCRIPT, '--config', '/nonexistent', '--functions', 'all'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'bench/instructions.mjs: --functions needs a count of rows (a whole number from 1), not all\n');
});

test('--state: an idle run over a state that has read the log costs less than the run from empty, and the state is left as it was', { skip: noValgrind, timeout: 300_000 }, () => {
  // No address reaches maxretry: the real run that writes the state bans nothing.
  const { dir, c } = sshdJail('maxretry = 100000\n');
  const state = join(dir, 'state.json');
  const now = '2026-12-01T12:00:00Z';
  const real = spawnSync(process.execPath, [join(import.meta.dirname, '../../dist/cli.js'), '--config', c, '--state', state, '--now', now, '--quiet'], { encoding: 'utf8' });
  assert.equal(real.status, 0, real.stderr);
  const before = readFileSync(state, 'utf8');
  const r = spawnSync(process.execPath, [SCRIPT, '--config', c, '--now', now], { encoding: 'utf8' });
  const idle = spawnSync(process.execPath, [SCRIPT, '--config', c, '--now', now, '--state', state], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(idle.status, 0, idle.stderr);
  const total = (out: string) => Number(/^(\d+\.\d{3}) G {2}/.exec(out)![1]);
  assert.ok(total(idle.stdout) < total(r.stdout), `idle ${total(idle.stdout)} G, from empty ${total(r.stdout)} G`);
  assert.equal(readFileSync(state, 'utf8'), before);
});

test('--state naming no file: one line, exit 2', () => {
  const r = spawnSync(process.execPath, [SCRIPT, '--config', '/nonexistent', '--state', '/nonexistent/state.json'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'bench/instructions.mjs: --state /nonexistent/state.json: no such file (give a state file a run wrote)\n');
});

test('a config the CLI cannot run: one line naming it, exit 1', { skip: noValgrind, timeout: 120_000 }, () => {
  const missing = join(tempDir('f2b-bench-instr-'), 'nowhere');
  const r = spawnSync(process.execPath, [SCRIPT, '--config', missing, '--now', '2026-12-01T12:00:00Z'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  const err = r.stderr.trim().split('\n');
  assert.equal(err.length, 1, r.stderr);
  assert.match(err[0]!, new RegExp(`^bench/instructions\\.mjs: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the run exited \\d+: `));
  // The CLI's own words, not valgrind's warnings around them.
  assert.match(err[0]!, /: the run exited 2: f2b-scan: --config .*nowhere: no such directory/);
});

test('no build to measure: one line naming the missing file and the fix, exit 2', () => {
  const cli = join(tempDir('f2b-bench-instr-'), 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [SCRIPT, '--config', '/nonexistent', '--cli', cli], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `bench/instructions.mjs: ${cli} does not exist: run \`npm run build\` first (or give --cli PATH)\n`);
  assert.equal(r.stdout, '');
});

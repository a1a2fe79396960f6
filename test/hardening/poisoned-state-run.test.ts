// No state file stops `status` or a run (issue 16.3 and 16.7): whatever a state file holds —
// a time that is no time, a value of the wrong type in any place, a section that is no section,
// or no file at all but a directory or a FIFO — `status` and the run answer with a warning or one
// line, never "internal error" (exit 70) nor a stack trace. Read-only commands move nothing aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { buildStatus, formatStatus } from '../../src/ops/status.ts';
import { loadState } from '../../src/state/store.ts';
import { runScan } from '../../src/run/run.ts';
import { REPO } from '../run/cli.ts';
import { dummyScenario as scenario, f2bAsync, heldByDummy, scratch } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';

/** The hardening scenario with its own log file (never the machine's /var/log/f2b-scan.log). */
function dummyScenario(extra = '') {
  const s = scenario(extra);
  writeFileSync(join(s.conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(s.dir, 'f2b-scan.log')}\n`);
  return s;
}
const T = Date.parse(NOW) / 1000;

/** A version 2 state holding one of everything, as the current code writes it. */
function fullState(log: string): Record<string, unknown> {
  return {
    version: 2,
    files: { sshd: { [log]: { dev: 1, ino: 2, offset: 0, size: 0, mtimeMs: 1 } } },
    journals: { sshd: { cursor: 's=abc' } },
    jails: {
      sshd: {
        bans: {
          key: [3325256753, '2001:db8::51', '203.0.113.0/24'], // 198.51.100.49, a host by IPv6, a range (fleet, import)
          start: [T - 60, T - 60, T - 60],
          until: [T + 3600, null, T + 600],
          failures: [5, 3, 0],
          count: [1, 2, 1],
          origin: [0, 1, 2],
          x: { 0: { ownUntil: T + 300, from: 'web1', lines: ['a line'] }, 1: { pending: 'ban', error: 'x' }, 2: { from: 'web2', pending: 'ban' } },
        },
        tickets: { key: [3325256754], first: [T - 30], last: [T - 10], retry: [2], attempts: [2], x: { 0: { times: [T - 30, T - 10], lines: ['l'], user: 'root' } } },
      },
    },
    history: { key: [3325256753], count: [1], last: [T - 60], bantime: [3600], jails: [{ sshd: 1 }] },
    started: { 'sshd/dummy': T - 100 },
    fleet: { cursor: null, outbox: [{ op: 'ban', jail: 'sshd', ip: '198.51.100.49', start: T - 60, until: T + 3600, failures: 5, queuedAt: T - 60 }] },
    totals: { sshd: { failed: 3, banned: 1, unbanned: 0, lines: 10 } },
    lastRun: T - 60,
    notices: { 'a warning': T - 60 },
  };
}

/** JSON text put in place of a value: `1e999` reads as Infinity, `-1e999` as -Infinity. */
const POISONS = ['null', '""', '-1', '0', '1.5', '1e300', '-1e300', '1e999', '-1e999', '"x"', '"1e300"', 'true', '{}', '[]', '[null]', '{"__proto__":{"x":1}}'];

type Path = (string | number)[];
function leaves(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) leaves((v as Record<string, unknown>)[k], [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

/** The state's JSON text with the value at `at` replaced by the JSON text `poison`. */
function poisoned(doc: unknown, at: Path, poison: string): string {
  if (at.length === 0) return poison;
  const copy = JSON.parse(JSON.stringify(doc));
  let o = copy;
  for (const k of at.slice(0, -1)) o = o[k];
  o[at.at(-1)!] = '\u0000POISON\u0000';
  return JSON.stringify(copy).replace('"\\u0000POISON\\u0000"', poison);
}

test('every value of a state file replaced by every poison: status loads it and shows every jail, never throws', async () => {
  const s = dummyScenario('bantime = 1h\n');
  const config = loadConfig({ configDir: s.conf, builtinDir: join(REPO, 'rules') });
  const v1 = JSON.parse(readFileSync(join(REPO, 'test/state/fixtures/state-v1.json'), 'utf8'));
  let cases = 0;
  for (const doc of [fullState(s.log), v1]) {
    for (const at of leaves(doc)) {
      for (const poison of POISONS) {
        cases++;
        writeFileSync(s.state, poisoned(doc, at, poison));
        const where = `${at.join('.') || '(whole file)'} = ${poison}`;
        const loaded = await loadState(s.state, { now: T, readOnly: true });
        assert.ok(existsSync(s.state), `${where}: a read-only load moves nothing aside`);
        const status = buildStatus(config, loaded.state, T, 'sshd');
        const text = formatStatus(status, true) + JSON.stringify(status);
        assert.doesNotMatch(text, /Invalid Date|NaN/, where);
        for (const b of status.jails[0]!.banned) assert.match(`${b.start} ${b.until ?? 'forever'}`, /^\d{4}-\d\d-\d\dT\S+Z (\d{4}-\d\d-\d\dT\S+Z|forever)$/, where);
      }
    }
  }
  assert.ok(cases > 2000, `${cases} cases`);
});

test('every value of a state file replaced by a poison: a run (real and dry) goes on, never throws', async () => {
  const s = dummyScenario('maxretry = 2\nfindtime = 1d\nbantime = 1h\nbantime.increment = true\n');
  writeFileSync(s.log, 'Nov 24 11:50:00 host sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2\n'.repeat(3));
  const doc = fullState(s.log);
  const codes = new Map<number, number>();
  let cases = 0;
  for (const at of leaves(doc)) {
    for (const poison of ['null', '1e999', '"x"', '{}']) {
      cases++;
      writeFileSync(s.state, poisoned(doc, at, poison));
      writeFileSync(s.banned, '');
      const where = `${at.join('.') || '(whole file)'} = ${poison}`;
      const r = await runScan({ configDir: s.conf, statePath: s.state, now: T, dryRun: cases % 3 === 0, silent: true }).catch((e: Error) => assert.fail(`${where}: ${e.stack}`));
      assert.ok(r.exitCode === 0 || r.exitCode === 5, `${where}: exit ${r.exitCode}`);
      codes.set(r.exitCode, (codes.get(r.exitCode) ?? 0) + 1);
    }
  }
  assert.ok(cases > 250, `${cases} cases`);
  assert.ok((codes.get(5) ?? 0) > 0 && (codes.get(0) ?? 0) > 0, 'some poisons are dropped with a warning (5), some mean something (0)');
});

/** States that once crashed, or could: each through status (three forms), a run and a dry run. */
const BAD_STATES: [string, (log: string) => string][] = [
  ['every time of every section Infinity', (log) => JSON.stringify(fullState(log)).replace(/\b\d{10}\b/g, (n) => (Math.abs(Number(n) - T) < 86400 ? '1e999' : n))],
  ['ban ends of 1e300 and -1e999, a ban start of "x"', (log) => poisonAll(fullState(log), [[['jails', 'sshd', 'bans', 'until', 0], '1e300'], [['jails', 'sshd', 'bans', 'until', 1], '-1e999'], [['jails', 'sshd', 'bans', 'start', 0], '"x"']])],
  ['address keys that are no host (0.0.0.0, 1e300, "x", a multicast)', (log) => poisonAll(fullState(log), [[['jails', 'sshd', 'bans', 'key'], '[0, 1e300]'], [['jails', 'sshd', 'tickets', 'key'], '["ff02::1"]'], [['history', 'key'], '["x"]']])],
  ['columns of different lengths', (log) => poisonAll(fullState(log), [[['jails', 'sshd', 'bans', 'until'], `[${T + 60}]`], [['jails', 'sshd', 'tickets', 'first'], '[]']])],
  ['a section of the wrong type', (log) => poisonAll(fullState(log), [[['jails'], '"x"']])],
  ['a version that is no version', (log) => poisonAll(fullState(log), [[['version'], '"2"']])],
  ['a JSON array', () => '[1, 2]'],
  ['JSON null', () => 'null'],
  ['binary garbage', () => '\u0000\u0001\u00ff{'],
];

function poisonAll(doc: unknown, edits: [Path, string][]): string {
  let text = JSON.stringify(doc);
  for (const [at, poison] of edits) text = poisoned(JSON.parse(text), at, poison);
  return text;
}

for (const [what, make] of BAD_STATES) {
  test(`a state file with ${what}: status and the run go on (exit 0 or 5), no internal error`, async () => {
    const s = dummyScenario('bantime = 1h\n');
    const text = make(s.log);
    for (const args of [['status'], ['status', 'sshd'], ['status', '--json']]) {
      writeFileSync(s.state, text);
      const r = await f2bAsync([...args, ...s.base, '--now', NOW]);
      assert.ok(r.code === 0 || r.code === 5, `${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error|Error:|\n\s+at /, args.join(' '));
      if (args[1] === '--json') JSON.parse(r.stdout);
      assert.equal(readFileSync(s.state, 'utf8'), text, `${args.join(' ')} reads only: the file is left as it was`);
    }
    const dry = await f2bAsync([...s.base, '--dry-run', '--now', NOW]);
    assert.ok(dry.code === 0 || dry.code === 5, `dry run: exit ${dry.code}: ${dry.stderr}`);
    assert.equal(readFileSync(s.state, 'utf8'), text, 'a dry run writes nothing, moves nothing aside');
    const run = await f2bAsync([...s.base, '--json', '--now', NOW]);
    assert.ok(run.code === 0 || run.code === 5, `run: exit ${run.code}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /internal error|Error:|\n\s+at /);
    JSON.parse(run.stdout);
    const after = await f2bAsync(['status', 'sshd', ...s.base, '--now', NOW]);
    assert.equal(after.code, 0, `the state the run saved reads cleanly: ${after.stderr}`);
    for (const ip of heldByDummy(s.banned)) assert.match(after.stdout, new RegExp(ip.replace(/[.:]/g, '\\$&')), 'what the firewall holds, the state lists');
  });
}

test('--state naming a directory, a FIFO or a device: one line saying so, exit 2; nothing renamed, nothing read', async () => {
  const dir = scratch('f2b-hard-statepath-');
  const s = dummyScenario();
  const asDir = join(dir, 'state-dir');
  mkdirSync(asDir);
  const fifo = join(dir, 'state-fifo');
  execFileSync('mkfifo', [fifo]);
  // A null device of our own (`--state /dev/null` run as root once renamed the machine's /dev/null).
  const device = join(dir, 'state-null');
  const paths = [asDir, fifo];
  if (spawnSync('mknod', [device, 'c', '1', '3']).status === 0) paths.push(device);
  for (const path of paths) {
    for (const args of [['status'], ['--dry-run'], []]) {
      const r = await f2bAsync([...args, '--config', s.conf, '--state', path, '--now', NOW]);
      assert.equal(r.code, 2, `${args.join(' ') || 'run'} --state ${path}: exit ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^f2b-scan: state ${path.replace(/[.]/g, '\\.')}: not a regular file \\((a directory|a FIFO|a character device)\\); give --state a file`));
    }
  }
  assert.deepEqual(readdirSync(dir).sort(), paths.map((p) => p.slice(dir.length + 1)).sort(), 'nothing moved aside, no lock left beside them');
  assert.deepEqual(readdirSync(asDir), []);
});

test('a corrupt state: status says so and leaves it; the next run moves it aside', async () => {
  const s = dummyScenario();
  writeFileSync(s.state, '{"version": 2, "jails": ');
  const st = await f2bAsync(['status', 'sshd', ...s.base, '--now', NOW]);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stderr, /state\.json: state file is not valid JSON .*; left in place \(this command only reads; the next run moves it aside\), shown as an empty state/);
  assert.deepEqual(readdirSync(s.dir).filter((n) => n.includes('corrupt')), []);
  const run = await f2bAsync([...s.base, '--now', NOW]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readdirSync(s.dir).filter((n) => n.startsWith('state.json.corrupt-')).length, 1);
});

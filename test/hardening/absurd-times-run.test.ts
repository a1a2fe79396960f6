// Every number bounded (issue 16.3), through the real CLI: a duration in the configuration that
// no ban can mean is exit 2 naming file, section and key; an absurd time in the state or an
// import file never crashes a run or `status`; an import file cannot ban for longer than maxtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dummyScenario, f2bAsync, heldByDummy, readState } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';
const T = Date.parse(NOW) / 1000;
const WEEK = 7 * 86400;

const badDurations: [string, string, RegExp][] = [
  ['bantime', '9999999999999999', /"9999999999999999" is beyond 100 years; write e\.g\. 1w, or -1 for no end/],
  ['bantime', '1e308', /"1e308" is not a duration/],
  ['findtime', '-10m', /"-10m" must not be negative/],
  ['findtime', '9'.repeat(400), /is not a duration \(not a finite number\)/],
  ['bantime.maxtime', '1000y', /"1000y" is beyond 100 years/],
  ['bantime.rndtime', '-1', /"-1" must not be negative/],
];

for (const [key, value, message] of badDurations) {
  test(`${key} = ${value.length > 20 ? value.slice(0, 12) + '...' : value} in jail.local: exit 2, one line naming the file, section and key`, async () => {
    const s = dummyScenario(`${key} = ${value}\n`);
    const r = await f2bAsync([...s.base, '--now', NOW]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    const line = readFileSync(join(s.conf, 'jail.local'), 'utf8').split('\n').findIndex((l) => l.startsWith(`${key} =`)) + 1;
    assert.match(lines[0]!, new RegExp(`jail\\.local:${line} \\[sshd\\] ${key.replace('.', '\\.')}: `));
    assert.match(lines[0]!, message);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  });
}

test('a ban with until: 1e300 in the state file: the run and status go on', async () => {
  const s = dummyScenario('bantime = 1h\n');
  writeFileSync(s.state, JSON.stringify({
    version: 1, files: {}, journals: {}, failures: {}, banHistory: {}, started: {}, fleet: { cursor: null, outbox: [] }, lastRun: T - 60,
    bans: { sshd: { '198.51.100.50': { start: T - 60, until: 1e300, failures: 3, count: 1, origin: 'log' }, '198.51.100.51': { start: T - 60, until: T + 3600, failures: 3, count: 1, origin: 'log' } } },
  }));
  const run = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.ok(run.code === 0 || run.code === 5, `exit ${run.code}: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /internal error|RangeError|\n\s+at /);
  JSON.parse(run.stdout);
  assert.ok(heldByDummy(s.banned).has('198.51.100.51'), 'the sane ban is in the firewall');
  for (const args of [['status'], ['status', 'sshd'], ['status', '--json']]) {
    const st = await f2bAsync([...args, ...s.base, '--now', NOW]);
    assert.ok(st.code === 0 || st.code === 5, `${args.join(' ')}: exit ${st.code}: ${st.stderr}`);
    assert.doesNotMatch(st.stderr, /internal error|RangeError|\n\s+at /);
    if (args.length > 1) assert.match(st.stdout, /198\.51\.100\.51/, 'the bans are listed');
  }
});

test('import: an end for good or beyond maxtime is cut to one week, an absurd one is dropped; each counted (exit 5)', async () => {
  const s = dummyScenario('bantime = 1h\n');
  const file = join(s.dir, 'bans.json');
  writeFileSync(file, `{"bans": [
    {"ip": "198.51.100.60", "until": null},
    {"ip": "198.51.100.61", "until": ${T + 30 * 86400}},
    {"ip": "198.51.100.62", "until": 1e300},
    {"ip": "198.51.100.63", "until": ${T + 3600}},
    {"ip": "198.51.100.64", "until": "Infinity"}
  ]}`);
  const r = await f2bAsync(['import', ...s.base, '--now', NOW, '--jail', 'sshd', file]);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /bans\.json: entry 3: "until" is more than 100 years ahead: 1e\+300/);
  assert.match(r.stderr, /bans\.json: entry 5: "until" is not a time/);
  assert.match(r.stderr, /bans\.json: 2 bans without end or longer than 604800 s .* cut to that \(entries 1, 2\)/);
  const bans = readState(s.state).bans.sshd!;
  assert.deepEqual(Object.keys(bans).sort(), ['198.51.100.60', '198.51.100.61', '198.51.100.63']);
  assert.equal(bans['198.51.100.60']!.until, T + WEEK);
  assert.equal(bans['198.51.100.61']!.until, T + WEEK);
  assert.equal(bans['198.51.100.63']!.until, T + 3600);
  assert.deepEqual(heldByDummy(s.banned), new Set(['198.51.100.60', '198.51.100.61', '198.51.100.63']));
});

test('import --bantime beyond 100 years: exit 2, one line, nothing imported', async () => {
  const s = dummyScenario();
  const file = join(s.dir, 'list.txt');
  writeFileSync(file, '198.51.100.70\n');
  const r = await f2bAsync(['import', ...s.base, '--now', NOW, '--jail', 'sshd', '--bantime', '9999999999999999', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^f2b-scan: import: --bantime: "9999999999999999" is beyond 100 years/);
  assert.deepEqual(heldByDummy(s.banned), new Set());
});

test('report: --findtime, --maxretry and --top that mean nothing are exit 2 in one line, never a report', async () => {
  const s = dummyScenario();
  writeFileSync(s.log, 'Nov 24 11:50:00 host sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2\n');
  const cases: [string[], RegExp][] = [
    [['--findtime', '1e300'], /--findtime: 1e\+300 is not seconds from 0 to 100 years/],
    [['--findtime', '-5'], /--findtime: -5 is not seconds/],
    [['--findtime', 'abc'], /--findtime: NaN is not seconds/],
    [['--maxretry', '0'], /--maxretry: 0 is not a whole number of 1 or more/],
    [['--maxretry', '2.5'], /--maxretry: 2\.5 is not a whole number/],
    [['--top', 'abc'], /--top: NaN is not a whole number of 0 or more/],
  ];
  for (const [flags, message] of cases) {
    const r = await f2bAsync(['report', '--config', s.conf, '--rule', 'sshd', '--log', s.log, '--now', NOW, ...flags]);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, flags.join(' '));
    assert.equal(r.stdout, '', 'no report');
  }
  const ok = await f2bAsync(['report', '--config', s.conf, '--rule', 'sshd', '--log', s.log, '--now', NOW, '--findtime', '600', '--maxretry', '1', '--top', '0']);
  assert.equal(ok.code, 0, ok.stderr);
});

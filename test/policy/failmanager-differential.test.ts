// Counting as fail2ban 1.0.2 counts (issue 17.3): the same failure schedules, run by run as cron
// feeds them, go to fail2ban's own FailManager (Python, from Debian's package, driven by
// fixtures/failmanager-runs.py) and to our policy; both must ban the same addresses in the same
// runs. fail2ban's code is run, never copied.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { decide } from '../../src/policy/decide.ts';
import { emptyState } from '../../src/state/schema.ts';
import { jail, T0 } from './helpers.ts';

const F2B = '/usr/lib/python3/dist-packages/fail2ban/server/failmanager.py';
const DRIVER = fileURLToPath(new URL('./fixtures/failmanager-runs.py', import.meta.url));
const skip = existsSync(F2B) ? null : "Debian's fail2ban package is not installed (apt-get install fail2ban)";

interface Run {
  now: number;
  failures: [string, number][];
}
interface Case {
  findtime: number;
  maxretry: number;
  bantime: number;
  runs: Run[];
}

/** What fail2ban's FailManager bans, per case and run. */
function fail2ban(cases: Case[]): string[][][] {
  const r = spawnSync('python3', [DRIVER], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** What our policy bans, per run, carrying its state from run to run. */
function ours(c: Case): string[][] {
  const j = jail('sshd', { findtime: c.findtime, maxretry: c.maxretry, bantime: c.bantime, counting: 'fail2ban', ignoreself: false });
  const state = emptyState();
  return c.runs.map((run) => {
    const failures = run.failures.map(([ip, time]) => ({ jail: 'sshd', ip, time, line: `x ${ip}` }));
    const r = decide({ state, failures, jails: [j], now: run.now });
    return r.decisions.flatMap((d) => (d.kind === 'ban' ? [d.ip] : []));
  });
}

const sorted = (runs: string[][]) => runs.map((r) => [...r].sort());

test("failures at 0, 30 and 150 s with findtime 120 and maxretry 3: a ban, as in fail2ban (its rate estimate)", (t) => {
  if (skip) return t.skip(skip);
  const c: Case = {
    findtime: 120,
    maxretry: 3,
    bantime: 600,
    runs: [
      { now: T0, failures: [['192.0.2.1', T0]] },
      { now: T0 + 60, failures: [['192.0.2.1', T0 + 30]] },
      { now: T0 + 120, failures: [] },
      { now: T0 + 180, failures: [['192.0.2.1', T0 + 150]] },
    ],
  };
  const want = fail2ban([c])[0]!;
  assert.deepEqual(want, [[], [], [], ['192.0.2.1']], 'fail2ban bans at the third failure');
  assert.deepEqual(ours(c), want);
  // The strict window (the option) does not: the failure at 0 is outside findtime at 150.
  const strict = jail('sshd', { findtime: 120, maxretry: 3, bantime: 600, counting: 'strict', ignoreself: false });
  const state = emptyState();
  const bans = c.runs.map((run) => decide({ state, failures: run.failures.map(([ip, time]) => ({ jail: 'sshd', ip, time, line: '' })), jails: [strict], now: run.now }).decisions.length);
  assert.deepEqual(bans, [0, 0, 0, 0]);
});

const ADDRESSES = ['192.0.2.1', '192.0.2.2', '198.51.100.7', '203.0.113.9', '2001:db8::1', '2001:db8::2'];

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    findtime: fc.constantFrom(60, 120, 300, 600),
    maxretry: fc.integer({ min: 1, max: 6 }),
    bantime: fc.constantFrom(60, 300, 3600),
    steps: fc.array(
      fc.record({
        advance: fc.constantFrom(15, 30, 60, 60, 60, 90, 120, 300, 900),
        failures: fc.array(
          fc.record({
            ip: fc.constantFrom(...ADDRESSES),
            // Mostly since the last run; some older (a backlog, another file), a few ahead of the clock.
            back: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 1200 }), fc.integer({ min: -90, max: 0 })),
          }),
          { maxLength: 12 },
        ),
      }),
      { minLength: 1, maxLength: 14 },
    ),
  })
  .map(({ findtime, maxretry, bantime, steps }) => {
    let now = T0;
    const runs = steps.map((s) => {
      now += s.advance;
      return { now, failures: s.failures.map((f): [string, number] => [f.ip, now - f.back]) };
    });
    return { findtime, maxretry, bantime, runs };
  });

test('random failure schedules, run by run: our policy bans the same addresses in the same runs as fail2ban\'s FailManager', (t) => {
  if (skip) return t.skip(skip);
  const cases = fc.sample(caseArb, { numRuns: 600, seed: 150120 });
  const want = fail2ban(cases);
  let bans = 0;
  cases.forEach((c, i) => {
    const got = sorted(ours(c));
    assert.deepEqual(got, sorted(want[i]!), `case ${i}: ${JSON.stringify(c)}`);
    bans += got.flat().length;
  });
  t.diagnostic(`${cases.length} schedules, ${cases.reduce((n, c) => n + c.runs.length, 0)} runs, ${bans} bans, identical`);
  assert.ok(bans > 300, 'the schedules ban enough to mean something');
});

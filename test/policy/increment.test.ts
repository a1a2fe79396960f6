// bantime.increment as fail2ban 1.0 does it: repeat offenders are banned longer, run after run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Jail } from '../../src/types.ts';
import { viewOf } from '../helpers/state-view.ts';
import { T0, jail, emptyPolicyState, failures, bansOf, runPolicy, successiveBanLengths } from './helpers.ts';
import { checkBantimePolicy } from '../../src/policy/bantime.ts';
import { ConfigError } from '../../src/util/errors.ts';

function incr(over: Partial<Jail['increment']> = {}, j: Partial<Jail> = {}, name = 'sshd'): Jail {
  return jail(name, { bantime: 600, ...j, increment: { enabled: true, factor: 1, overalljails: false, ...over } });
}

test('without bantime.increment every ban lasts bantime', () => {
  assert.deepEqual(successiveBanLengths([jail('sshd')], '192.0.2.1', 4), [600, 600, 600, 600]);
});

test('the default formula doubles the ban time with each earlier ban', () => {
  assert.deepEqual(successiveBanLengths([incr()], '192.0.2.1', 5), [600, 1200, 2400, 4800, 9600]);
});

test('bantime.factor multiplies the growth from the second ban on', () => {
  assert.deepEqual(successiveBanLengths([incr({ factor: 2 })], '192.0.2.1', 4), [600, 2400, 4800, 9600]);
});

test('bantime.maxtime caps the growth', () => {
  assert.deepEqual(successiveBanLengths([incr({ maxtime: 3000 })], '192.0.2.1', 6), [600, 1200, 2400, 3000, 3000, 3000]);
});

test("fail2ban's exponential example formula gives its documented values", () => {
  const j = incr({ factor: 2.0 / 2.885385, formula: 'ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)' });
  const got = successiveBanLengths([j], '192.0.2.1', 4);
  assert.equal(got[0], 600);
  // Same values as python3: 600*math.exp(float(c+1)*f)/math.exp(1*f) for c = 1, 2, 3.
  for (const [i, want] of [1200.0014649367868, 2400.0058597507245, 4800.017579262904].entries()) {
    assert.ok(Math.abs(got[i + 1]! - want) < 1e-6, `ban ${i + 2}: ${got[i + 1]} != ${want}`);
  }
});

test('a formula never shortens a ban below bantime', () => {
  assert.deepEqual(successiveBanLengths([incr({ formula: 'ban.Time / 10' })], '192.0.2.1', 3), [600, 600, 600]);
});

test('bantime.multipliers are indexed by the number of earlier bans, the last one repeating', () => {
  const j = incr({ multipliers: [1, 5, 30] }, { bantime: 60 });
  assert.deepEqual(successiveBanLengths([j], '192.0.2.1', 5), [60, 300, 1800, 1800, 1800]);
  const f = incr({ multipliers: [1, 5, 30], factor: 2, maxtime: 3000 }, { bantime: 60 });
  assert.deepEqual(successiveBanLengths([f], '192.0.2.1', 4), [60, 600, 3000, 3000]);
});

test('bantime.rndtime adds random() * rndtime to an increased ban', () => {
  // fail2ban adds it after the maxtime cap, and only to increased bans (not the first).
  const j = incr({ rndtime: 100, maxtime: 2000 });
  assert.deepEqual(successiveBanLengths([j], '192.0.2.1', 3, { random: () => 0.5 }), [600, 1250, 2050]);
});

test('the ban record counts the n-th ban of the address', () => {
  let state = emptyPolicyState();
  const counts: number[] = [];
  let now = T0;
  for (let i = 0; i < 3; i++) {
    const r = runPolicy(state, failures('192.0.2.9', 5, now), [incr()], now);
    counts.push(r.view.bans.sshd!['192.0.2.9']!.count);
    state = runPolicy(r.state, [], [incr()], now + 100_000, { historyAge: null }).state;
    now += 100_000;
  }
  assert.deepEqual(counts, [1, 2, 3]);
  assert.deepEqual(viewOf(state).banHistory['192.0.2.9']?.jails, { sshd: 3 });
});

test('without overalljails, bans in another jail do not make this one longer', () => {
  const jails = [incr({}, {}, 'sshd'), incr({}, {}, 'postfix')];
  assert.deepEqual(successiveBanLengths(jails, '192.0.2.1', 4, { jailOf: (i) => (i < 3 ? 'sshd' : 'postfix') }), [600, 1200, 2400, 600]);
});

test('with overalljails, bans in every jail count', () => {
  const jails = [incr({}, {}, 'sshd'), incr({ overalljails: true }, {}, 'postfix')];
  assert.deepEqual(successiveBanLengths(jails, '192.0.2.1', 4, { jailOf: (i) => (i < 3 ? 'sshd' : 'postfix') }), [600, 1200, 2400, 4800]);
});

test('a negative bantime stays forever with increment on', () => {
  assert.deepEqual(successiveBanLengths([incr({}, { bantime: -1 })], '192.0.2.1', 1), [null]);
});

test('a formula that fails to evaluate keeps the plain bantime and says why', () => {
  const j = incr({ formula: 'ban.Time * 10 / (ban.Count - 1)' });
  let state = emptyPolicyState();
  let now = T0;
  const lengths: number[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = runPolicy(state, failures('192.0.2.1', 5, now), [j], now);
    const d = r.decisions.find((x) => x.kind === 'ban');
    assert.ok(d?.kind === 'ban');
    lengths.push(d.until! - d.start);
    warnings.push(...r.warnings);
    now = d.until! + 1;
    state = runPolicy(r.state, [], [j], now).state;
  }
  assert.deepEqual(lengths, [600, 600]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /\/etc\/f2b-scan\/jail\.local \[sshd\] bantime\.formula: formula "ban\.Time \* 10 \/ \(ban\.Count - 1\)": division by zero/);
});

test("a repeat offender's failures weigh more with increment, as in fail2ban", () => {
  const j = incr();
  const plain = jail('sshd');
  let state = emptyPolicyState();
  state = runPolicy(state, failures('192.0.2.7', 5, T0), [j], T0).state;
  state = runPolicy(state, [], [j], T0 + 700).state; // ban over, count remembered
  // One earlier ban: each failure counts 2, so 3 failures (6) reach maxretry 5, 2 (4) do not.
  assert.deepEqual(bansOf(runPolicy(state, failures('192.0.2.7', 2, T0 + 800), [j], T0 + 800)), []);
  assert.deepEqual(bansOf(runPolicy(state, failures('192.0.2.7', 3, T0 + 800), [j], T0 + 800)), ['sshd 192.0.2.7']);
  // Without increment, the history changes nothing.
  assert.deepEqual(bansOf(runPolicy(state, failures('192.0.2.7', 4, T0 + 800), [plain], T0 + 800)), []);
});

test('ban counts are forgotten like fail2ban purges its database (1 day after last + 3 * bantime)', () => {
  let state = runPolicy(emptyPolicyState(), failures('192.0.2.8', 5, T0), [incr()], T0).state;
  const kept = runPolicy(state, [], [incr()], T0 + 1800 + 86400).view;
  assert.equal(kept.banHistory['192.0.2.8']?.count, 1);
  const gone = runPolicy(state, [], [incr()], T0 + 1800 + 86401);
  state = gone.state;
  assert.equal(gone.view.banHistory['192.0.2.8'], undefined);
  const r = runPolicy(state, failures('192.0.2.8', 5, T0 + 90000), [incr()], T0 + 90000);
  const d = r.decisions.find((x) => x.kind === 'ban');
  assert.ok(d?.kind === 'ban' && d.count === 1 && d.until === T0 + 90000 + 600);
});

test('a refused formula fails the configuration check and names the formula', () => {
  assert.throws(
    () => checkBantimePolicy([incr({ formula: "__import__('os').system('id')" })]),
    (e: unknown) => e instanceof ConfigError && /jail\.local \[sshd\] bantime\.formula: formula "__import__\('os'\)\.system\('id'\)": "__import__"/.test(e.message),
  );
  assert.doesNotThrow(() => checkBantimePolicy([incr(), incr({ multipliers: [1, 2] })]));
});

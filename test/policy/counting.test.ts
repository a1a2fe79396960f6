// findtime / maxretry counting, bans, expiry: what a user sees from one cron run to the next.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, jail, emptyPolicyState, failures, bansOf, unbansOf, runPolicy } from './helpers.ts';

const sshd = jail('sshd', { maxretry: 5, findtime: 600, bantime: 600 });

test('five failures inside findtime with maxretry 5 ban the address until now + bantime', () => {
  const r = runPolicy(emptyPolicyState(), failures('192.0.2.10', 5, T0 - 10), [sshd], T0);
  assert.deepEqual(bansOf(r), ['sshd 192.0.2.10']);
  const d = r.decisions[0]!;
  assert.equal(d.kind, 'ban');
  if (d.kind !== 'ban') return;
  assert.equal(d.start, T0);
  assert.equal(d.until, T0 + 600);
  assert.equal(d.failures, 5);
  assert.equal(d.count, 1);
  assert.equal(d.origin, 'log');
  assert.equal(d.lines.length, 5);
  assert.deepEqual(r.view.bans.sshd?.['192.0.2.10'], { start: T0, until: T0 + 600, failures: 5, count: 1, origin: 'log', lines: d.lines });
  assert.equal(r.view.failures.sshd, undefined, 'the banned address has no failures left to count');
});

test('four failures with maxretry 5 ban nobody and stay in the state for the next run', () => {
  const r = runPolicy(emptyPolicyState(), failures('192.0.2.10', 4, T0 - 10), [sshd], T0);
  assert.deepEqual(bansOf(r), []);
  assert.equal(r.view.failures.sshd?.['192.0.2.10']?.attempts, 4);
  // One more failure on the next run reaches maxretry.
  const r2 = runPolicy(r.state, failures('192.0.2.10', 1, T0 + 50), [sshd], T0 + 60);
  assert.deepEqual(bansOf(r2), ['sshd 192.0.2.10']);
});

test('failures spread over runs in any order are counted together', () => {
  const fs = failures('2001:db8::5', 5, T0 - 5).reverse();
  let state = emptyPolicyState();
  state = runPolicy(state, fs.slice(0, 2), [sshd], T0 - 100).state;
  const r = runPolicy(state, fs.slice(2), [sshd], T0);
  assert.deepEqual(bansOf(r), ['sshd 2001:db8::5']);
});

test('failures older than findtime do not count and leave the state', () => {
  const first = runPolicy(emptyPolicyState(), failures('192.0.2.20', 4, T0), [sshd], T0);
  const state = first.state;
  assert.equal(first.view.failures.sshd?.['192.0.2.20']?.attempts, 4);
  // 11 minutes later the four are outside findtime (10 min): one new failure is 1 of 5.
  const r = runPolicy(state, failures('192.0.2.20', 1, T0 + 660), [sshd], T0 + 660);
  assert.deepEqual(bansOf(r), []);
  const left = r.view.failures.sshd?.['192.0.2.20'];
  assert.deepEqual([left?.first, left?.last, left?.attempts], [T0 + 660, T0 + 660, 1]);
  // And a run much later with nothing new empties the state.
  const r3 = runPolicy(r.state, [], [sshd], T0 + 3600);
  assert.deepEqual(r3.view.failures, {});
});

test('old failures read late (a backlog) are not counted at all', () => {
  const r = runPolicy(emptyPolicyState(), failures('192.0.2.21', 10, T0 - 3600), [sshd], T0);
  assert.deepEqual(bansOf(r), []);
  assert.deepEqual(r.view.failures, {});
});

test('a ban whose time is over is lifted with an unban and leaves the state', () => {
  const banned = runPolicy(emptyPolicyState(), failures('192.0.2.30', 5, T0), [sshd], T0).state;
  const before = runPolicy(banned, [], [sshd], T0 + 599);
  assert.deepEqual(unbansOf(before), []);
  const r = runPolicy(banned, [], [sshd], T0 + 600);
  assert.deepEqual(unbansOf(r), ['sshd 192.0.2.30']);
  assert.deepEqual(r.decisions, [{ kind: 'unban', jail: 'sshd', ip: '192.0.2.30', reason: 'expired' }]);
  assert.deepEqual(r.view.bans, {});
});

test('an address already banned is not banned twice, and its new failures are dropped', () => {
  const banned = runPolicy(emptyPolicyState(), failures('192.0.2.40', 5, T0), [sshd], T0).state;
  const r = runPolicy(banned, failures('192.0.2.40', 7, T0 + 30), [sshd], T0 + 30);
  assert.deepEqual(bansOf(r), []);
  assert.equal(r.view.failures.sshd, undefined);
  assert.equal(r.view.bans.sshd?.['192.0.2.40']?.until, T0 + 600, 'the first ban is untouched');
});

test('the same address reaching maxretry in two jails is banned in each', () => {
  const web = jail('nginx-http-auth', { maxretry: 3 });
  const fs = [...failures('192.0.2.41', 5, T0), ...failures('192.0.2.41', 3, T0, 'nginx-http-auth')];
  const r = runPolicy(emptyPolicyState(), fs, [sshd, web], T0);
  assert.deepEqual(bansOf(r).sort(), ['nginx-http-auth 192.0.2.41', 'sshd 192.0.2.41']);
});

test('a negative bantime bans for good: the ban never expires', () => {
  const forever = jail('sshd', { bantime: -1 });
  const r = runPolicy(emptyPolicyState(), failures('192.0.2.50', 5, T0), [forever], T0);
  const d = r.decisions[0]!;
  assert.ok(d.kind === 'ban' && d.until === null);
  const years = runPolicy(r.state, [], [forever], T0 + 10 * 365 * 86400);
  assert.deepEqual(years.decisions, []);
  assert.equal(years.view.bans.sshd?.['192.0.2.50']?.until, null);
});

test('failures dated more than a day ahead are not counted and are reported', () => {
  const ahead = failures('192.0.2.60', 5, T0 + 2 * 86400);
  const r = runPolicy(emptyPolicyState(), ahead, [sshd], T0);
  assert.deepEqual(bansOf(r), []);
  assert.deepEqual(r.view.failures, {});
  assert.deepEqual(r.ignored, [{ jail: 'sshd', ip: '192.0.2.60', reason: 'time more than a day in the future' }]);
  // A few minutes of clock skew is still an attack.
  const skewed = runPolicy(emptyPolicyState(), failures('192.0.2.61', 5, T0 + 120), [sshd], T0);
  assert.deepEqual(bansOf(skewed), ['sshd 192.0.2.61']);
});

test('a ban keeps only the last maxmatches matched lines (default: maxretry)', () => {
  const many = jail('sshd', { maxretry: 50, maxmatches: 20 });
  const r = runPolicy(emptyPolicyState(), failures('192.0.2.70', 50, T0), [many], T0);
  const d = r.decisions[0]!;
  assert.ok(d.kind === 'ban');
  if (d.kind !== 'ban') return;
  assert.equal(d.lines.length, 20);
  const byDefault = runPolicy(emptyPolicyState(), failures('192.0.2.71', 9, T0), [jail('sshd', { maxretry: 3 })], T0).decisions[0]!;
  assert.equal(byDefault.kind === 'ban' && byDefault.lines.length, 3, 'fail2ban keeps maxretry lines');
  const none = runPolicy(emptyPolicyState(), failures('192.0.2.72', 5, T0), [jail('sshd', { maxmatches: 0 })], T0).decisions[0]!;
  assert.equal(none.kind === 'ban' && none.lines.length, 0, 'maxmatches = 0 keeps none');
  assert.equal(d.failures, 50);
  assert.match(d.lines.at(-1)!, /192\.0\.2\.70/);
});

test('failures of a jail that is no longer enabled leave the state, its bans still expire', () => {
  const old = jail('apache-auth');
  const first = runPolicy(emptyPolicyState(), [...failures('192.0.2.90', 2, T0, 'apache-auth'), ...failures('192.0.2.91', 5, T0, 'apache-auth')], [old], T0);
  const state = first.state;
  assert.ok(first.view.bans['apache-auth']?.['192.0.2.91']);
  const r = runPolicy(state, [], [sshd], T0 + 700);
  assert.deepEqual(r.view.failures, {});
  assert.deepEqual(unbansOf(r), ['apache-auth 192.0.2.91']);
});

test('an address written in another form is the same attacker', () => {
  const fs = [
    ...failures('192.0.2.1', 2, T0),
    ...failures('::ffff:192.0.2.1', 2, T0),
    ...failures('192.000.002.001', 1, T0),
  ];
  const r = runPolicy(emptyPolicyState(), fs, [sshd], T0);
  assert.deepEqual(bansOf(r), ['sshd 192.0.2.1']);
});

test('a jail named like an Object property (constructor) gets its own entries', () => {
  const odd = jail('constructor', { maxretry: 2 });
  const r = runPolicy(emptyPolicyState(), [...failures('192.0.2.95', 1, T0, 'constructor'), ...failures('192.0.2.96', 2, T0, 'constructor')], [odd], T0);
  assert.deepEqual(bansOf(r), ['constructor 192.0.2.96']);
  assert.ok(Object.hasOwn(r.view.failures, 'constructor'));
  assert.ok(Object.hasOwn(JSON.parse(JSON.stringify(r.state)).jails, 'constructor'));
  assert.equal(({} as Record<string, unknown>)['192.0.2.95'], undefined, 'nothing written to Object.prototype');
  assert.equal(typeof Object.prototype.constructor, 'function');
});

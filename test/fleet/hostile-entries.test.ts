// Issue 16's fleet rows, as an attacker would play them against three hosts driven through the
// real CLI and a real redis-server: validly signed entries with times no ban can mean, a ban
// for good, a signed entry copied back into the stream after its unban, and a fleet step that
// fails. None of them may crash a run, pin the cursor, cost the local bans or ban anyone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, cli, held, makeHost, run, signedBy, stateOf, T0, type FleetHost } from './hosts.ts';
import { noRedis, redisForFile } from './redis-server.ts';

const root = scratch('f2b-fleet-hostile-');
const redis = redisForFile(() => rmSync(root, { recursive: true, force: true }));

let streams = 0;
/** Hosts on a stream of their own, each having run once (their cursors set). */
function fleet(...names: string[]) {
  const stream = `hostile-${++streams}`;
  const hosts = names.map((n) => makeHost(root, `${stream}-${n}`, redis().url, { fleet: `stream = ${stream}` }));
  for (const h of hosts) assert.equal(run(h, at(0)).code, 0);
  return { stream, hosts };
}

/** XADD an entry signed with host h's key, as a key holder (or a bug) would write it. */
const publishSigned = (stream: string, h: FleetHost, start: string | number, items: string) => redis().cli('XADD', stream, '*', ...signedBy(h, String(start), items));

test('a validly signed entry with until = 1e300 is dropped; the run bans locally, saves, and the next run goes on', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const { stream, hosts: [a, b] } = fleet('a', 'b');
  // a's key signs it: a compromised host, or a bug in another publisher.
  await publishSigned(stream, a!, T0 + 30, 'ban sshd 203.0.113.50 1e300 5');
  await publishSigned(stream, a!, T0 + 30, `ban sshd 203.0.113.51 ${T0 + 600} 5`);
  appendFileSync(b!.log, failedPasswords('198.51.100.20', 5, at(20)).join('\n') + '\n');

  const r = run(b!, at(60));
  assert.equal(r.code, 5, r.stderr);
  assert.deepEqual(r.json.bans.map((x: { ip: string }) => x.ip), ['198.51.100.20'], 'the local ban is made');
  assert.equal(r.json.fleet.dropped, 1);
  assert.deepEqual(r.json.fleet.droppedReasons, { 'bad time': 1 });
  assert.deepEqual(r.json.fleet.imported.map((x: { ip: string }) => x.ip), ['203.0.113.51'], 'the good entry after it is imported');
  assert.match(r.stderr, /fleet: dropped 1 entry \(bad time: 1\)/);
  assert.equal(held(b!), '+198.51.100.20\n+203.0.113.51\n');
  const saved = stateOf(b!);
  assert.ok(saved.bans.sshd['198.51.100.20'], 'the state is saved with the local ban');
  assert.deepEqual(saved.fleet.outbox, [], 'and nothing left to publish');

  // The cursor moved past the poison entry: the next run reads nothing, publishes nothing again.
  const next = run(b!, at(120));
  assert.equal(next.code, 0, next.stderr);
  assert.equal(next.json.fleet.dropped, 0);
  assert.equal(next.json.fleet.published, 0);
  // a skips what carries its own name, and imports b's ban.
  const ra = run(a!, at(120));
  assert.equal(ra.code, 0, ra.stderr);
  assert.deepEqual(ra.json.fleet.imported.map((x: { ip: string }) => x.ip), ['198.51.100.20']);
});

test('a ban for good from the fleet ends after maxtime (one week unless set)', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const { stream, hosts: [a, b] } = fleet('a', 'b');
  await publishSigned(stream, a!, T0 + 30, 'ban sshd 203.0.113.60 - 5');
  const r = run(b!, at(60));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.fleet.imported, [{ jail: 'sshd', ip: '203.0.113.60', until: at(30 + 7 * 86400), from: a!.name }]);
  assert.equal(r.json.fleet.capped, 1);
  assert.equal(stateOf(b!).bans.sshd['203.0.113.60'].until, T0 + 30 + 7 * 86400);
});

test('signed entries dated long before their stream id (start 0.5, or an hour old) are dropped: no replay of old entries', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const { stream, hosts: [a, b] } = fleet('a', 'b');
  await publishSigned(stream, a!, '0.5', `ban sshd 203.0.113.70 ${T0 + 600} 5`);
  await publishSigned(stream, a!, T0 - 3600, `ban sshd 203.0.113.71 ${T0 + 600} 5`);
  await publishSigned(stream, a!, 'NaN', `ban sshd 203.0.113.72 ${T0 + 600} 5`);
  await publishSigned(stream, a!, T0, `ban bad/jail 203.0.113.73 ${T0 + 600} 5`);
  await publishSigned(stream, a!, T0, `ban sshd 203.0.113.74 ${T0 - 60} 5`);
  const r = run(b!, at(60));
  assert.equal(r.code, 5, r.stderr);
  assert.deepEqual(r.json.fleet.imported, []);
  assert.deepEqual(r.json.fleet.droppedReasons, { 'time off the stream clock': 2, 'bad value': 1, 'bad jail': 1, 'bad time': 1 });
  assert.equal(held(b!), '');
  assert.equal(run(b!, at(120)).code, 0, 'read past them');
});

test('a signed ban copied back into the stream after unban --fleet bans nobody again', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const { stream, hosts: [a, b, c] } = fleet('a', 'b', 'c');
  appendFileSync(a!.log, failedPasswords('198.51.100.30', 5, at(10)).join('\n') + '\n');
  assert.equal(run(a!, at(60)).json.fleet.published, 1);
  for (const h of [b!, c!]) {
    assert.equal(run(h, at(70)).code, 0);
    assert.equal(held(h), '+198.51.100.30\n', `${h.name} imported the ban`);
  }

  const u = cli(a!, at(90), ['unban', '198.51.100.30', '--fleet']);
  assert.equal(u.code, 0, u.stderr);
  for (const h of [b!, c!]) {
    const r = run(h, at(100));
    assert.deepEqual(r.json.unbans, [{ jail: 'sshd', ip: '198.51.100.30' }]);
  }
  // The attacker, with write access to Redis but no key, copies a's signed ban back in.
  const entries = JSON.parse(await redis().cli('--json', 'XRANGE', stream, '-', '+')) as [string, string[]][];
  const original = entries.find(([, f]) => f.some((v) => v.startsWith('ban sshd 198.51.100.30 ')))!;
  await redis().cli('XADD', stream, '*', ...original[1]);
  for (const h of [a!, b!, c!]) {
    const r = run(h, at(130));
    assert.deepEqual(r.json.fleet.imported, [], `${h.name} imports nothing`);
    assert.deepEqual(r.json.bans, []);
  }
  for (const h of [b!, c!]) assert.equal(held(h), '+198.51.100.30\n-198.51.100.30\n', `${h.name} keeps it lifted`);
  assert.match(run(b!, at(140)).stderr, /^$/, 'said once, then quiet');
});

test('when the fleet step fails (its key file gone), the run still bans, saves, and says so in one line', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const { hosts: [b] } = fleet('b');
  rmSync(join(b!.conf, 'fleet.key'));
  appendFileSync(b!.log, failedPasswords('198.51.100.40', 5, at(20)).join('\n') + '\n');
  const r = run(b!, at(60));
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(r.json.bans.map((x: { ip: string }) => x.ip), ['198.51.100.40']);
  assert.equal(held(b!), '+198.51.100.40\n');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /f2b-scan\.conf:\d+ \[fleet\] key_file: cannot read .*fleet\.key: ENOENT; this run's own bans are applied and saved/);
  assert.ok(stateOf(b!).bans.sshd['198.51.100.40'], 'saved');
  // The offsets were saved too: the next run reads no line twice.
  assert.deepEqual(run(b!, at(120)).json.bans, []);
});

test('a stream key Redis holds as another type (WRONGTYPE) fails the exchange, not the run', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const { stream, hosts: [b] } = fleet('b');
  await redis().cli('DEL', stream);
  await redis().cli('SET', stream, 'not a stream');
  appendFileSync(b!.log, failedPasswords('198.51.100.41', 5, at(20)).join('\n') + '\n');
  const r = run(b!, at(60));
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /fleet: .*WRONGTYPE/);
  assert.deepEqual(r.json.bans.map((x: { ip: string }) => x.ip), ['198.51.100.41']);
  assert.equal(held(b!), '+198.51.100.41\n');
  assert.equal(stateOf(b!).fleet.outbox.length, 1, 'kept for the next run that can publish');
});

// `unban --fleet`: the unban goes to the other hosts through a real Redis, and they lift the
// ban they had imported; without [fleet] url it is a one-line error.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { failedPasswords, scratch } from '../run/cli.ts';
import { noRedis, RedisServer } from '../fleet/redis-server.ts';
import { at, cli, makeHost } from '../fleet/hosts.ts';
import { opsScratch } from './helpers.ts';

let redis: RedisServer | undefined;
before(async () => {
  if (!noRedis) redis = await RedisServer.start();
});
after(async () => {
  await redis?.stop();
});

function host(root: string, name: string) {
  const h = makeHost(root, name, redis!.url);
  return { ...h, cli: (args: string[], now: string) => cli(h, now, args) };
}

test('unban --fleet lifts the ban here and on the hosts that imported it', { timeout: 120_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const root = scratch('f2b-ops-fleet-');
  const a = host(root, 'a');
  const b = host(root, 'b');
  for (const h of [a, b]) assert.equal(h.cli([], at(0)).code, 0);
  appendFileSync(a.log, failedPasswords('198.51.100.7', 5, at(10)).join('\n') + '\n');
  assert.equal(a.cli([], at(60)).code, 0);
  assert.equal(b.cli([], at(90)).code, 0);
  assert.equal(readFileSync(b.banned, 'utf8'), '+198.51.100.7\n', 'b imported the ban');

  const r = a.cli(['unban', '198.51.100.7', '--fleet'], at(120));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'unban 198.51.100.7 in sshd\npublish unban 198.51.100.7 in every jail to the fleet\n');
  assert.equal(readFileSync(a.banned, 'utf8'), '+198.51.100.7\n-198.51.100.7\n');
  assert.deepEqual(JSON.parse(readFileSync(a.state, 'utf8')).fleet.outbox, [], 'published, nothing left waiting');

  const rb = b.cli(['--json'], at(150));
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(JSON.parse(rb.stdout).unbans, [{ jail: 'sshd', ip: '198.51.100.7' }]);
  assert.equal(readFileSync(b.banned, 'utf8'), '+198.51.100.7\n-198.51.100.7\n');
});

test('unban --fleet without a fleet configured is a one-line error and lifts nothing', () => {
  const s = opsScratch();
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.5']).code, 0);
  const r = s.cli(['unban', '192.0.2.5', '--fleet']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'f2b-scan: unban --fleet: no [fleet] url in f2b-scan.conf\n');
  assert.equal(existsSync(s.dummy) && readFileSync(s.dummy, 'utf8'), '+192.0.2.5\n');
});

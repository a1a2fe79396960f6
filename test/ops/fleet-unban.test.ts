// `unban --fleet`: the unban goes to the other hosts through a real Redis, and they lift the
// ban they had imported; without [fleet] url it is a one-line error.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch } from '../run/cli.ts';
import { noRedis, RedisServer } from '../fleet/redis-server.ts';
import { at } from '../fleet/hosts.ts';
import { opsScratch } from './helpers.ts';

let redis: RedisServer | undefined;
before(async () => {
  if (!noRedis) redis = await RedisServer.start();
});
after(async () => {
  await redis?.stop();
});

function host(root: string, name: string) {
  const dir = join(root, name);
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  const h = { conf, state: join(dir, 'state.json'), log: join(dir, 'auth.log'), banned: join(dir, 'banned.txt') };
  writeFileSync(h.log, '');
  writeFileSync(join(conf, 'fleet.key'), 'ops-fleet-test-key-0123456789abcdef\n', { mode: 0o600 });
  writeFileSync(
    join(conf, 'f2b-scan.conf'),
    `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n\n[fleet]\nurl = ${redis!.url}\nhost = ${name}\nkey_file = fleet.key\ntimeout = 1\n`,
  );
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${h.log}\nbantime = 1h\naction = dummy[target="${h.banned}"]\n`);
  return { ...h, cli: (args: string[], now: string) => f2b([...args, '--config', conf, '--state', h.state, '--now', now]) };
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
  assert.equal(r.stdout, 'unban 198.51.100.7 in sshd\npublish unban 198.51.100.7 in sshd to the fleet\n');
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

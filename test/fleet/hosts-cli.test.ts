// Three hosts sharing bans through one real Redis, each a config dir + state file driven
// through the real CLI, with the dummy action as each host's "firewall".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { encodeRaw } from '../../src/fleet/entry.ts';
import { generateHostKey } from '../../src/fleet/keys.ts';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, held, makeHost as mk, run, T0 } from './hosts.ts';
import { noRedis, REDIS_CLI, redisForFile } from './redis-server.ts';
import { readStateView } from '../helpers/state-view.ts';

const redis = redisForFile();
const root = scratch('f2b-fleet-hosts-');
const makeHost = (name: string, jail = '') => mk(root, name, redis().url, { jail });

test('bans travel between three hosts through Redis, with trust, ignoreip and an outage', { timeout: 120_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const a = makeHost('a');
  const b = makeHost('b');
  const c = makeHost('c', 'ignoreip = 127.0.0.1/8 198.51.100.0/24');
  // Each host starts with a run that sets its cursor.
  for (const h of [a, b, c]) assert.equal(run(h, at(0)).code, 0);

  // a bans 198.51.100.7 from its own log and publishes it.
  appendFileSync(a.log, failedPasswords('198.51.100.7', 5, at(10)).join('\n') + '\n');
  const ra = run(a, at(60));
  assert.equal(ra.code, 0, ra.stderr);
  assert.deepEqual(ra.json.bans.map((x: { ip: string }) => x.ip), ['198.51.100.7']);
  assert.equal(ra.json.fleet.published, 1);
  assert.equal(ra.json.fleet.error, null);

  // b imports it with a's expiry; c's ignoreip covers it.
  const rb = run(b, at(90));
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(rb.json.fleet.imported, [{ jail: 'sshd', ip: '198.51.100.7', until: at(3660), from: 'a' }]);
  assert.equal(held(b), '+198.51.100.7\n');
  assert.equal(readStateView(b.state).bans.sshd!['198.51.100.7']!.until, T0 + 3660);
  const rc = run(c, at(90));
  assert.equal(rc.code, 0, rc.stderr);
  assert.deepEqual(rc.json.fleet.imported, []);
  assert.equal(held(c), '');
  // b does not publish what it imported (no echo): a imports nothing back.
  assert.deepEqual(run(a, at(120)).json.fleet.imported, []);

  // An entry in a's name signed with another key bans nobody and is counted.
  const mallory = createPrivateKey(generateHostKey('a').privatePem);
  execFileSync(REDIS_CLI!, ['-p', String(redis().port), 'XADD', 'f2b-scan:bans', '*', ...encodeRaw('a', String(T0 + 180), `ban sshd 203.0.113.66 ${T0 + 3780} 5`, mallory)]);
  const forged = run(b, at(180));
  assert.equal(forged.code, 5, 'a dropped entry is an input warning');
  assert.equal(forged.json.fleet.dropped, 1);
  assert.deepEqual(forged.json.fleet.droppedReasons, { 'bad signature': 1 });
  assert.deepEqual(forged.json.fleet.imported, []);
  assert.doesNotMatch(held(b), /203\.0\.113\.66/);

  // Redis away: a still bans locally, says so in one warning, exits 6, keeps the ban queued.
  await redis().stop();
  appendFileSync(a.log, failedPasswords('192.0.2.44', 5, at(240)).join('\n') + '\n');
  const t0 = Date.now();
  const down = run(a, at(300));
  assert.ok(Date.now() - t0 < 10_000, 'a dead Redis does not hold the run up');
  assert.equal(down.code, 6, down.stderr);
  assert.deepEqual(down.json.bans.map((x: { ip: string }) => x.ip), ['192.0.2.44']);
  assert.match(held(a), /\+192\.0\.2\.44/);
  assert.equal(down.stderr.split('\n').filter((l) => /fleet/.test(l)).length, 1, down.stderr);
  assert.equal(JSON.parse(readFileSync(a.state, 'utf8')).fleet.outbox.length, 1);

  // Redis back: a's next run publishes the queued ban, b imports it.
  await redis().start();
  const back = run(a, at(360));
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.json.fleet.published, 1);
  const rb2 = run(b, at(390));
  assert.deepEqual(rb2.json.fleet.imported.map((x: { ip: string }) => x.ip), ['192.0.2.44']);
});

test('10,000 bans published by one host in one run are imported by another in one run', { timeout: 240_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const a = makeHost('bulk-a');
  const b = makeHost('bulk-b');
  // 10,000 bans are 20 signed batches: under a loaded CI a command may take longer than the 1 s the
  // small tests use, so these two hosts get a timeout that fits the work (the product's default is 2 s).
  for (const h of [a, b]) {
    const file = join(h.conf, 'f2b-scan.conf');
    writeFileSync(file, readFileSync(file, 'utf8').replace('timeout = 1\n', 'timeout = 15\n') + 'stream = bulk\n');
  }
  assert.equal(run(b, at(0)).code, 0);
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const ip = `198.18.${i >> 8}.${i & 255}`;
    lines.push(...failedPasswords(ip, 5, at(0), 1));
  }
  writeFileSync(a.log, lines.join('\n') + '\n');
  const t0 = Date.now();
  const ra = run(a, at(60));
  const publishMs = Date.now() - t0;
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(ra.json.fleet.published, 10_000);
  const t1 = Date.now();
  const rb = run(b, at(120));
  const importMs = Date.now() - t1;
  assert.equal(rb.code, 0, rb.stderr);
  assert.equal(rb.json.fleet.imported.length, 10_000);
  t.diagnostic(`scan+ban+publish of 10,000 bans: ${publishMs} ms; import of 10,000 bans: ${importMs} ms`);
});

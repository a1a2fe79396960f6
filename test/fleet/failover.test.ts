// Failover never skips silently. A replica promoted before it got the last entries, whose new
// ids sort below a host's cursor (its clock behind the old primary's); and a Redis restarted
// without its data (a new epoch): each gives one warning and a re-read from the oldest entry,
// and the entries that would have been skipped are imported. Real redis-servers, the real CLI.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, makeHost, run, signedBy, stateOf, T0, type FleetHost } from './hosts.ts';
import { noRedis, RedisServer } from './redis-server.ts';

const root = scratch('f2b-fleet-failover-');
const servers: RedisServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});
const start = async (args: string[] = []) => {
  const s = await RedisServer.start({ args });
  servers.push(s);
  return s;
};
const pointAt = (h: FleetHost, url: string) => {
  const f = join(h.conf, 'f2b-scan.conf');
  writeFileSync(f, readFileSync(f, 'utf8').replace(/^url = .*$/m, `url = ${url}`));
};
const attack = (h: FleetHost, ip: string, second: number) => appendFileSync(h.log, failedPasswords(ip, 5, at(second)).join('\n') + '\n');
const imported = (r: { json: any }) => r.json.fleet.imported.map((x: { ip: string }) => x.ip);

test('a promoted replica that never got the last entry, new ids below the cursor: warning, re-read, nothing skipped', { timeout: 120_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const primary = await start();
  const replica = await start(['--replicaof', '127.0.0.1', String(primary.port)]);
  const a = makeHost(root, 'a', primary.url);
  const b = makeHost(root, 'b', primary.url);
  for (const h of [a, b]) assert.equal(run(h, at(0)).code, 0);
  attack(a, '198.51.100.80', 10);
  assert.equal(run(a, at(60)).json.fleet.published, 1);
  for (let i = 0; (await replica.cli('XLEN', 'f2b-scan:bans')) !== '1'; i++) {
    assert.ok(i < 100, 'the replica syncs');
    await new Promise((r) => setTimeout(r, 100));
  }
  // The replica loses its primary before the next entry reaches it...
  await replica.cli('REPLICAOF', 'NO', 'ONE');
  attack(a, '198.51.100.81', 70);
  assert.equal(run(a, at(100)).json.fleet.published, 1);
  const rb = run(b, at(110));
  assert.deepEqual(imported(rb), ['198.51.100.80', '198.51.100.81']);
  const cursor: string = stateOf(b).fleet.cursor;

  // ...and becomes the primary. Its clock is behind: a's next entry gets an id below b's cursor.
  for (const h of [a, b]) pointAt(h, replica.url);
  const [ms] = cursor.split('-').map(Number) as [number];
  const below = `${ms - 500}-0`;
  await replica.cli('XADD', 'f2b-scan:bans', below, ...signedBy(a, String(Math.round((ms - 500) / 1000)), `ban sshd 198.51.100.82 ${T0 + 3600} 5`));
  // Then its ids pass the cursor: reading on after the cursor would skip .82 without a word.
  attack(a, '198.51.100.83', 110);
  assert.equal(run(a, at(120)).json.fleet.published, 1);
  const after = run(b, at(130));
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stderr, /fleet: the entry at fleet cursor \d+-\d+ is gone from f2b-scan:bans .*; reading f2b-scan:bans again from the oldest entry/);
  assert.equal(after.stderr.trim().split('\n').length, 1, 'one warning');
  assert.deepEqual(imported(after), ['198.51.100.82', '198.51.100.83'], 'the entry below the cursor is read; the one read before brings nothing new');
  assert.equal(after.json.fleet.dropped, 0, 'what was read before is not counted as a replay');
});

test('Redis restarted without its data (a new epoch): warning and re-read, the new entries imported', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const redis = await start();
  const a = makeHost(join(root, 'epoch'), 'a', redis.url);
  const b = makeHost(join(root, 'epoch'), 'b', redis.url);
  for (const h of [a, b]) assert.equal(run(h, at(0)).code, 0);
  attack(a, '198.51.100.90', 10);
  run(a, at(60));
  assert.deepEqual(imported(run(b, at(70))), ['198.51.100.90']);
  const epoch = stateOf(b).fleet.epoch;
  assert.match(epoch, /^[0-9a-f]{16}$/);

  await redis.stop();
  await redis.start(); // no persistence: stream and epoch gone
  attack(a, '198.51.100.91', 80);
  const ra = run(a, at(120));
  assert.equal(ra.json.fleet.published, 1);
  const rb = run(b, at(130));
  assert.equal(rb.code, 0, rb.stderr);
  assert.match(rb.stderr, new RegExp(`fleet: the fleet stream's epoch changed \\(${epoch} -> [0-9a-f]{16}\\): Redis was replaced or emptied`));
  assert.deepEqual(imported(rb), ['198.51.100.91']);
  assert.notEqual(stateOf(b).fleet.epoch, epoch);
});

test('with Redis away the run is held up no longer than [fleet] timeout', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  // A "Redis" that takes the connection and never answers: the slowest way to be away.
  const { createServer } = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const url = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const h = makeHost(join(root, 'away'), 'h', url, { fleet: 'timeout = 2' });
    const peer = makeHost(join(root, 'away'), 'peer', url);
    // The peer: the same host without a fleet.
    const conf = join(peer.conf, 'f2b-scan.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^url = .*$/m, 'url ='));
    const timed = (x: FleetHost) => {
      const t0 = performance.now();
      const r = run(x, at(60));
      return { r, ms: performance.now() - t0 };
    };
    const base = Math.min(timed(peer).ms, timed(peer).ms);
    const away = timed(h);
    assert.equal(away.r.code, 6, away.r.stderr);
    assert.match(away.r.stderr, /no answer within 2000 ms/);
    t.diagnostic(`run without a fleet: ${base.toFixed(0)} ms; with Redis silent and timeout = 2: ${away.ms.toFixed(0)} ms`);
    assert.ok(away.ms - base < 2000 + 700, `held up ${(away.ms - base).toFixed(0)} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

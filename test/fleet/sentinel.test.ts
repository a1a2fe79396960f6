// Sentinel as operators run it: Debian's redis-server as primary and replica, Debian's
// redis-sentinel watching them. Hosts driven through the real CLI find the primary through
// the sentinel; the primary is killed, the sentinel promotes the replica, and the next run
// publishes to the new primary, where the other host reads it.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, held, makeHost, run } from './hosts.ts';
import { noSentinel, RedisServer, SentinelServer } from './redis-server.ts';

const root = scratch('f2b-fleet-sentinel-');
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(root, { recursive: true, force: true });
});

async function until(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('through Sentinel: the primary killed, the replica promoted, the next run publishes to the new primary', { timeout: 120_000 }, async (t) => {
  if (noSentinel) return t.skip(noSentinel);
  const primary = await RedisServer.start();
  cleanup.push(() => primary.close());
  const replica = await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  cleanup.push(() => replica.close());
  await until('the replica to sync', async () => /master_link_status:up/.test(await replica.cli('INFO', 'replication')));
  const sentinel = await SentinelServer.start('f2bmain', primary.port);
  cleanup.push(() => sentinel.close());

  // The url's host is not used with sentinels: they say where the primary is.
  const fleet = `sentinels = 127.0.0.1:${sentinel.port}\nsentinel_name = f2bmain\n`;
  const a = makeHost(root, 'a', 'redis://fleet-primary/0', { fleet });
  const b = makeHost(root, 'b', 'redis://fleet-primary/0', { fleet });
  for (const h of [a, b]) assert.equal(run(h, at(0)).code, 0, h.name);
  appendFileSync(a.log, failedPasswords('198.51.100.70', 5, at(10)).join('\n') + '\n');
  const first = run(a, at(60));
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.json.fleet.published, 1);
  assert.equal(await primary.cli('XLEN', 'f2b-scan:bans'), '1');
  await until('the replica to have the entry', async () => (await replica.cli('XLEN', 'f2b-scan:bans')) === '1');
  assert.deepEqual(run(b, at(70)).json.fleet.imported.map((x: { ip: string }) => x.ip), ['198.51.100.70']);

  await primary.stop('SIGKILL');
  await until('the sentinel to promote the replica', async () => (await sentinel.primaryPort('f2bmain')) === replica.port);
  await until('the replica to take writes', async () => /role:master/.test(await replica.cli('INFO', 'replication')));

  appendFileSync(a.log, failedPasswords('198.51.100.71', 5, at(80)).join('\n') + '\n');
  const after = run(a, at(120));
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.json.fleet.published, 1, 'published to the new primary');
  assert.equal(await replica.cli('XLEN', 'f2b-scan:bans'), '2');
  const rb = run(b, at(130));
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(rb.json.fleet.imported.map((x: { ip: string }) => x.ip), ['198.51.100.71']);
  assert.equal(held(b), '+198.51.100.70\n+198.51.100.71\n');
});

// A fleet of hundreds: 300 publishing hosts and 2 read-only ones on one real redis-server, each
// with its own Ed25519 key and a trust file of 300 lines, each running once as cron would (publish
// its ban, import the others', write its heartbeat). What an operator of such a fleet counts on:
// every host ends up with every other host's ban, one reader's run over 299 hosts' entries stays
// quick, and `fleet status` lists all 302 hosts from their heartbeats within a second.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { exchange, finishWithHeartbeat, readFleetStatus, type FleetSettings } from '../../src/fleet/index.ts';
import { generateHostKey, parseTrustedKeys } from '../../src/fleet/keys.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import { noRedis, redisForFile } from './redis-server.ts';

const PUBLISHERS = 300;
const NOW = Math.floor(Date.now() / 1000);

const redis = redisForFile();

interface Host {
  settings: FleetSettings;
  state: State;
  ip: string;
}

/** 300 TEST-NET addresses, one per publishing host. */
const addressOf = (i: number) => (i < 250 ? `192.0.2.${i + 1}` : `198.51.100.${i - 249}`);

function makeFleet(stream: string): { publishers: Host[]; readers: Host[] } {
  const keys: { name: string; key: KeyObject; line: string }[] = [];
  for (let i = 0; i < PUBLISHERS; i++) {
    const name = `web${String(i).padStart(3, '0')}`;
    const g = generateHostKey(name);
    keys.push({ name, key: createPrivateKey(g.privatePem), line: g.trustLine });
  }
  // Every host reads the same 300-line trust file, as an operator would distribute it.
  const trusted = parseTrustedKeys(['# the fleet', ...keys.map((k) => k.line)].join('\n')).keys;
  const settings = (host: string, signingKey: KeyObject | null): FleetSettings => ({
    url: redis().url, stream, host, signingKey, trusted, timeoutMs: 15_000, maxlen: 100_000,
    maxtime: null, skew: 900, publish: 'all', import: true, minHosts: 1, sentinels: [], sentinelName: '',
  });
  return {
    publishers: keys.map((k, i) => ({ settings: settings(k.name, k.key), state: emptyState(), ip: addressOf(i) })),
    readers: ['monitor1', 'monitor2'].map((n) => ({ settings: settings(n, null), state: emptyState(), ip: '' })),
  };
}

/** One cron run's fleet part: publish its ban (a host with a key, when banning), import, write the heartbeat. */
async function runOnce(h: Host, banning = true) {
  const bans = h.ip && banning ? [{ jail: 'sshd', ip: h.ip, start: NOW, until: NOW + 3600, failures: 5 }] : [];
  const res = await exchange(h.settings, h.state, bans, { dryRun: false, now: NOW, keepOpen: true });
  assert.equal(res.error, null, `${h.settings.host}: ${res.error}`);
  const beat = await finishWithHeartbeat(res.connection!, h.settings.stream, h.settings.host, {
    clock: NOW, exit: 0, lag: res.lag, outbox: res.outbox, published: res.published, imported: res.imported.length,
    dropped: res.dropped, publishes: h.settings.signingKey !== null,
  });
  assert.equal(beat, null);
  return res;
}

test('300 hosts with their own keys: every ban reaches every host, and fleet status lists all 302 within a second', { skip: noRedis, timeout: 600_000 }, async (t) => {
  const { publishers, readers } = makeFleet('hundreds');

  // Round one, host after host: each publishes its ban and imports those published before it.
  const roundOne = [];
  for (const h of publishers) roundOne.push(await runOnce(h));
  // Host i imported what the i hosts before it published.
  assert.deepEqual(roundOne.map((r) => r.imported.length), publishers.map((_, i) => i));
  // Round two: the first host now reads the 299 entries the others wrote since its cursor.
  const t0 = performance.now();
  const first = await runOnce(publishers[0]!, false);
  const readMs = performance.now() - t0;
  assert.equal(first.dropped, 0);
  assert.equal(first.imported.length, PUBLISHERS - 1);
  assert.equal(new Set(first.imported.map((b) => b.from)).size, PUBLISHERS - 1);
  assert.ok(!first.imported.some((b) => b.from === 'web000'), 'its own entry is not imported');
  assert.equal(first.lag, 0);

  // A read-only host (no key_file) imports all 300.
  for (const r of readers) {
    const res = await runOnce(r);
    assert.equal(res.published, 0, 'a host without key_file publishes nothing');
    assert.equal(res.imported.length, PUBLISHERS);
    assert.deepEqual(new Set(res.imported.map((b) => b.ip)), new Set(publishers.map((p) => p.ip)));
  }

  const t1 = performance.now();
  const status = await readFleetStatus(publishers[0]!.settings, publishers[0]!.state);
  const statusMs = performance.now() - t1;
  assert.equal(status.error, null);
  assert.equal(status.length, PUBLISHERS);
  assert.equal(status.hosts.length, PUBLISHERS + 2);
  assert.deepEqual(
    status.hosts.filter((h) => !h.publishes).map((h) => [h.host, h.trusted]),
    [['monitor1', false], ['monitor2', false]],
  );
  assert.ok(status.hosts.filter((h) => h.publishes).every((h) => h.trusted && !h.silent && h.exit === 0));
  t.diagnostic(`302 hosts: one host's run reading 299 hosts' entries ${readMs.toFixed(0)} ms; fleet status ${statusMs.toFixed(0)} ms`);
  assert.ok(statusMs < 1000, `fleet status took ${statusMs.toFixed(0)} ms`);
});

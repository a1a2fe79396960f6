// Three hosts (three settings, three states) sharing bans through one real redis-server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { encodeRaw } from '../../src/fleet/entry.ts';
import { exchange, type FleetSettings, type NewBan } from '../../src/fleet/index.ts';
import { generateHostKey, parseTrustedKeys } from '../../src/fleet/keys.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import { freePort, noRedis, redisForFile, RedisServer } from './redis-server.ts';

/** One Ed25519 key per host name, made once; every host trusts all of them. */
const keyPairs = new Map<string, { key: KeyObject; line: string }>();
function keyOf(host: string) {
  let k = keyPairs.get(host);
  if (!k) {
    const g = generateHostKey(host);
    k = { key: createPrivateKey(g.privatePem), line: g.trustLine };
    keyPairs.set(host, k);
  }
  return k;
}
const trustOf = (names: string[]) => parseTrustedKeys(names.map((n) => keyOf(n).line).join('\n')).keys;
// The run's clock is the real one: readers check an entry's signed start against the time in
// its stream id, which is Redis's clock.
const NOW = Math.floor(Date.now() / 1000);

const redis = redisForFile();
let streams = 0;

interface Host {
  settings: FleetSettings;
  state: State;
}

/** Hosts a, b, c ... on a stream of their own (each test gets a fresh stream). */
function fleet(names: string[], over: Partial<FleetSettings> = {}, url = redis().url): Host[] {
  const stream = `f2b-test:${++streams}`;
  return names.map((host) => ({
    settings: {
      url, stream, host, signingKey: keyOf(host).key, trusted: trustOf(names), timeoutMs: 1000, maxlen: 100000,
      maxtime: null, skew: 900, publish: 'all', import: true, minHosts: 1, sentinels: [], sentinelName: '', ...over,
    },
    state: emptyState(),
  }));
}

const ban = (ip: string, over: Partial<NewBan> = {}): NewBan => ({ jail: 'sshd', ip, start: NOW, until: NOW + 600, failures: 5, ...over });
const run = (h: Host, bans: NewBan[] = [], more: { unbans?: { jail: string; ip: string }[]; dryRun?: boolean; now?: number } = {}) =>
  exchange(h.settings, h.state, bans, { dryRun: more.dryRun ?? false, now: more.now ?? NOW, unbans: more.unbans });

const skip = noRedis;

test('a ban published by host a reaches b and c with a\'s expiry', { skip }, async () => {
  const [a, b, c] = fleet(['a', 'b', 'c']);
  const pub = await run(a!, [ban('192.0.2.10')]);
  assert.equal(pub.error, null);
  assert.equal(pub.published, 1);
  assert.deepEqual(a!.state.fleet.outbox, []);

  for (const h of [b!, c!]) {
    const r = await run(h);
    assert.equal(r.error, null);
    assert.deepEqual(r.imported, [{ jail: 'sshd', ip: '192.0.2.10', start: NOW, until: NOW + 600, failures: 5, from: 'a' }]);
    assert.equal(r.dropped, 0);
    assert.ok(h.state.fleet.cursor, 'the cursor moved');
  }
  // The cursor works like a file offset: the next run reads nothing again.
  const again = await run(b!);
  assert.deepEqual(again.imported, []);
  assert.equal(again.read, 0);
});

test('entries without a valid signature of a trusted host are dropped and counted', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  const s = a!.settings.stream;
  const items = `ban sshd 192.0.2.66 ${NOW + 600} 5`;
  // Unsigned, a forged signature, a's name with another key, a host nobody trusts, the 0.1 format.
  await redis().cli('XADD', s, '*', 'host', 'a', 'start', String(NOW), 'items', items);
  await redis().cli('XADD', s, '*', 'host', 'a', 'start', String(NOW), 'items', items, 'sig', 'A'.repeat(86) + '==');
  await redis().cli('XADD', s, '*', ...encodeRaw('a', String(NOW), items, keyOf('mallory').key));
  await redis().cli('XADD', s, '*', ...encodeRaw('mallory', String(NOW), items, keyOf('mallory').key));
  await redis().cli('XADD', s, '*', 'op', 'ban', 'jail', 'sshd', 'ip', '192.0.2.66', 'start', String(NOW), 'until', '', 'failures', '5', 'host', 'a', 'sig', 'f'.repeat(64));
  // A signed entry whose items were changed after signing.
  const signed = encodeRaw('a', String(NOW), items, keyOf('a').key);
  signed[5] = items.replace('192.0.2.66', '192.0.2.67');
  await redis().cli('XADD', s, '*', ...signed);
  await run(a!, [ban('192.0.2.11')]);

  const r = await run(b!);
  assert.deepEqual(r.imported.map((i) => i.ip), ['192.0.2.11']);
  assert.equal(r.dropped, 6);
  assert.deepEqual(r.droppedReasons, { 'missing field': 1, 'bad signature': 3, 'unknown host': 1, 'old format': 1 });
});

test('validly signed entries with a bad address, jail or time are dropped, counted, and read past', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  const s = a!.settings.stream;
  const add = (start: number | string, items: string) => redis().cli('XADD', s, '*', ...encodeRaw('a', String(start), items, keyOf('a').key));
  // One entry: the bad items are dropped one by one, the good one beside them is kept.
  await add(NOW, [
    `ban sshd 192.0.2.300 ${NOW + 600} 5`,
    `ban sshd $(reboot) ${NOW + 600} 5`,
    `ban sshd 192.0.2.14 1e300 5`,
    `ban sshd 192.0.2.18 ${NOW - 1} 5`,
    `ban no/such/jail 192.0.2.17 ${NOW + 600} 5`,
    `ban sshd 192.0.2.19 ${NOW + 600} 1e300`,
    `ban sshd 192.0.2.20`,
    `ban sshd ::ffff:192.0.2.13 ${NOW + 600} 5`, // valid, normalised
  ].join('\n'));
  await add(NOW + 3 * 86400, `ban sshd 192.0.2.12 ${NOW + 4 * 86400} 5`);
  await add('0.5', `ban sshd 192.0.2.15 ${NOW + 600} 5`);
  await add('NaN', `ban sshd 192.0.2.16 ${NOW + 600} 5`);

  const r = await run(b!);
  assert.deepEqual(r.imported.map((i) => i.ip), ['192.0.2.13']);
  assert.equal(r.read, 4);
  assert.equal(r.dropped, 10);
  assert.deepEqual(r.droppedReasons, { 'bad address': 2, 'bad time': 2, 'bad jail': 1, 'bad value': 3, 'time off the stream clock': 2 });
  // Read past: the next exchange reads nothing again.
  assert.equal((await run(b!)).read, 0);
});

test('a ban for good, or for longer than maxtime (one week by default), is capped', { skip }, async () => {
  const [a, b] = fleet(['a', 'b'], { maxtime: 7 * 86400 });
  await run(a!, [ban('192.0.2.18', { until: null }), ban('192.0.2.19', { until: NOW + 30 * 86400 }), ban('192.0.2.24', { until: NOW + 600 })]);
  const r = await run(b!);
  assert.deepEqual(r.imported.map((i) => [i.ip, i.until]), [['192.0.2.18', NOW + 7 * 86400], ['192.0.2.19', NOW + 7 * 86400], ['192.0.2.24', NOW + 600]]);
  assert.equal(r.capped, 2);
});

test('a replayed copy of a signed entry is dropped as seen before, in the same read or a later one', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.25')]);
  await run(a!, [], { unbans: [{ jail: 'sshd', ip: '192.0.2.25' }] });
  const s = a!.settings.stream;
  const entries = JSON.parse(await redis().cli('--json', 'XRANGE', s, '-', '+')) as [string, string[]][];
  // Someone with write access to Redis (but no key) copies a's ban after its unban.
  const copy = () => redis().cli('XADD', s, '*', ...entries[0]![1]);
  await copy();
  const r = await run(b!);
  assert.deepEqual(r.imported, [], 'the copy after the unban bans nobody');
  assert.deepEqual(r.unbans.map((u) => u.ip), ['192.0.2.25']);
  assert.deepEqual(r.droppedReasons, { 'seen before': 1 });

  await copy();
  const later = await run(b!);
  assert.deepEqual(later.imported, []);
  assert.deepEqual(later.droppedReasons, { 'seen before': 1 });
  assert.ok(Object.keys(b!.state.fleet.seen ?? {}).length >= 2, 'the signatures are kept in the state');
});

test('with Redis stopped the exchange fails fast and keeps the ban; once it is back the ban goes out and b imports it', { skip }, async () => {
  const own = await RedisServer.start();
  try {
    const [a, b] = fleet(['a', 'b'], {}, own.url);
    await run(b!); // b has been in the fleet before
    await own.stop();

    const t0 = performance.now();
    const down = await run(a!, [ban('192.0.2.20')]);
    const seconds = (performance.now() - t0) / 1000;
    assert.match(down.error ?? '', /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    assert.ok(seconds < 3, `took ${seconds.toFixed(2)} s`);
    assert.equal(down.published, 0);
    assert.deepEqual(a!.state.fleet.outbox.map((o) => [o.op, o.jail, o.ip, o.until]), [['ban', 'sshd', '192.0.2.20', NOW + 600]]);
    assert.equal(down.outbox, 1);

    await own.start();
    const up = await run(a!, [], { now: NOW + 60 });
    assert.equal(up.error, null);
    assert.equal(up.published, 1);
    assert.deepEqual(a!.state.fleet.outbox, []);

    const r = await run(b!, [], { now: NOW + 60 });
    // Signed when it was sent: its start is the publishing run's clock, its end the ban's.
    assert.deepEqual(r.imported, [{ jail: 'sshd', ip: '192.0.2.20', start: NOW + 60, until: NOW + 600, failures: 5, from: 'a' }]);
  } finally {
    await own.close();
  }
});

test('a queued ban that ran out while Redis was away is not published', { skip }, async () => {
  const [a] = fleet(['a'], {}, `redis://127.0.0.1:${await freePort()}`);
  await run(a!, [ban('192.0.2.22', { until: NOW + 60 }), ban('192.0.2.23', { until: NOW + 6000 })]);
  assert.equal(a!.state.fleet.outbox.length, 2);
  a!.settings.url = redis().url; // Redis is back
  const r = await run(a!, [], { now: NOW + 120 });
  assert.equal(r.published, 1);
  assert.deepEqual(a!.state.fleet.outbox, []);
});

test('a Redis that accepts connections but never answers gives an error within the timeout', { skip }, async () => {
  const { createServer } = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const [a] = fleet(['a'], { timeoutMs: 500 }, `redis://127.0.0.1:${port}`);
    const t0 = performance.now();
    const r = await run(a!, [ban('192.0.2.21')]);
    const seconds = (performance.now() - t0) / 1000;
    assert.match(r.error ?? '', /cannot reach Redis/);
    assert.ok(seconds < 2, `took ${seconds.toFixed(2)} s`);
    assert.equal(a!.state.fleet.outbox.length, 1);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('an unban published by a reaches b', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('2001:db8::1')]);
  assert.equal((await run(b!)).imported.length, 1);

  const u = await run(a!, [], { unbans: [{ jail: 'sshd', ip: '2001:0db8::0001' }], now: NOW + 30 });
  assert.equal(u.published, 1);
  const r = await run(b!, [], { now: NOW + 30 });
  assert.deepEqual(r.imported, []);
  assert.deepEqual(r.unbans, [{ jail: 'sshd', ip: '2001:db8::1', from: 'a' }]);
});

test('a ban and its unban read in one exchange leave only the unban', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.30'), ban('192.0.2.31')]);
  await run(a!, [], { unbans: [{ jail: 'sshd', ip: '192.0.2.30' }] });
  const r = await run(b!);
  assert.deepEqual(r.imported.map((i) => i.ip), ['192.0.2.31']);
  assert.deepEqual(r.unbans.map((u) => u.ip), ['192.0.2.30']);
});

test('a stream trimmed past the cursor gives a warning and is read from its oldest entry', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.40')]);
  await run(b!);
  // Three runs of a while b is away, then trimming (as MAXLEN does) takes b's last entry away.
  for (let n = 0; n < 3; n++) await run(a!, Array.from({ length: 10 }, (_, i) => ban(`198.51.100.${n * 10 + i}`)));
  await redis().cli('XTRIM', a!.settings.stream, 'MAXLEN', '2');

  const r = await run(b!);
  assert.match(r.cursorWarning ?? '', /older than the first entry .* trimmed .* may have been missed; reading from the oldest entry/);
  assert.equal(r.read, 2);
  assert.equal(r.imported.length, 20);
});

test('a fresh stream after a Redis restart gives no trimming warning', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.41')]);
  await run(b!);
  await redis().cli('DEL', a!.settings.stream); // as a restarted Redis without persistence
  await run(a!, [ban('192.0.2.42')]);
  const r = await run(b!);
  assert.equal(r.cursorWarning, undefined);
  assert.deepEqual(r.imported.map((i) => i.ip), ['192.0.2.42']);
});

test('10,000 bans published by a in one exchange are imported by b in one exchange', { skip, timeout: 120_000 }, async (t) => {
  // The other tests keep a 1 s command timeout (they move a few entries); 20 batches of 500 items on a 2-core
  // box shared by a dozen processes can take a few seconds per command, which is load, not a fault.
  const [a, b] = fleet(['a', 'b'], { timeoutMs: 15_000 });
  const bans: NewBan[] = [];
  for (let i = 0; i < 10_000; i++) bans.push(ban(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, { until: NOW + 3600 }));

  let t0 = performance.now();
  const pub = await run(a!, bans);
  const publishS = (performance.now() - t0) / 1000;
  assert.equal(pub.error, null);
  assert.equal(pub.published, 10_000);
  assert.equal(a!.state.fleet.outbox.length, 0);

  t0 = performance.now();
  const r = await run(b!);
  const importS = (performance.now() - t0) / 1000;
  assert.equal(r.error, null);
  assert.equal(r.imported.length, 10_000);
  assert.equal(new Set(r.imported.map((i) => i.ip)).size, 10_000);
  t.diagnostic(`10,000 bans: publish ${publishS.toFixed(2)} s, import ${importS.toFixed(2)} s`);
  assert.ok(publishS + importS < 30, `took ${publishS.toFixed(1)} + ${importS.toFixed(1)} s`);
});

test('entries from the own host are skipped, also by a reinstalled host reading from the start', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.50')]);
  await run(b!, [ban('192.0.2.51')]);
  const mine = await run(a!);
  assert.deepEqual(mine.imported.map((i) => [i.ip, i.from]), [['192.0.2.51', 'b']]);

  const reinstalled: Host = { settings: a!.settings, state: emptyState() };
  const r = await run(reinstalled);
  assert.equal(r.read, 2);
  assert.deepEqual(r.imported.map((i) => i.from), ['b']);
});

test('trust: a host acts only on the names its trust file lists, any of a name\'s keys verifies, and a deleted line revokes', { skip }, async () => {
  const [a, b, c] = fleet(['a', 'b', 'c']);
  // b is rotating its key: its new key signs, and c lists the old and the new one.
  const newB = keyOf('b-next');
  b!.settings.signingKey = newB.key;
  c!.settings.trusted = parseTrustedKeys([keyOf('a').line, keyOf('b').line, newB.line.replace(/^b-next/, 'b')].join('\n')).keys;
  // a never heard of b's new key.
  await run(a!, [ban('192.0.2.60')]);
  await run(b!, [ban('192.0.2.61')]);
  const atA = await run(a!);
  assert.deepEqual(atA.imported, []);
  assert.deepEqual(atA.droppedReasons, { 'bad signature': 1 });
  const atC = await run(c!);
  assert.deepEqual(atC.imported.map((i) => [i.ip, i.from]), [['192.0.2.60', 'a'], ['192.0.2.61', 'b']]);

  // c revokes a: a's later entries are dropped as from an unknown host.
  c!.settings.trusted.delete('a');
  await run(a!, [ban('192.0.2.62')]);
  const revoked = await run(c!);
  assert.deepEqual(revoked.imported, []);
  assert.deepEqual(revoked.droppedReasons, { 'unknown host': 1 });
});

test('maxtime caps the ban time an imported entry asks for, also a ban for good', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  b!.settings.maxtime = 3600;
  await run(a!, [ban('192.0.2.70', { until: NOW + 7 * 86400 }), ban('192.0.2.71', { until: null })]);
  const r = await run(b!);
  assert.deepEqual(r.imported.map((i) => [i.ip, i.until]), [['192.0.2.70', NOW + 3600], ['192.0.2.71', NOW + 3600]]);
  const later = await run(b!, [], { now: NOW + 7200 });
  assert.equal(later.read, 0);
});

test('bans already over when read are not imported', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.72', { until: NOW + 60 })]);
  const r = await run(b!, [], { now: NOW + 120 });
  assert.deepEqual(r.imported, []);
  assert.equal(r.expired, 1);
  assert.equal(r.dropped, 0);
});

test('publish = sshd sends only sshd bans; import = no reads nothing', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  a!.settings.publish = ['sshd'];
  const pub = await run(a!, [ban('192.0.2.80'), ban('192.0.2.81', { jail: 'nginx-http-auth' })]);
  assert.equal(pub.published, 1);
  b!.settings.import = false;
  const r = await run(b!);
  assert.equal(r.read, 0);
  assert.equal(b!.state.fleet.cursor, null);
  b!.settings.import = true;
  assert.deepEqual((await run(b!)).imported.map((i) => i.jail), ['sshd']);
});

test('a dry run reads the stream but publishes nothing and leaves the state alone', { skip }, async () => {
  const [a, b] = fleet(['a', 'b']);
  await run(a!, [ban('192.0.2.90')]);
  const before = JSON.stringify(a!.state);
  const dry = await run(a!, [ban('192.0.2.91')], { dryRun: true });
  assert.equal(dry.published, 0);
  assert.equal(dry.outbox, 1, 'one would wait to be published');
  assert.equal(JSON.stringify(a!.state), before);
  assert.equal(await redis().cli('XLEN', a!.settings.stream), '1');

  const r = await run(b!, [], { dryRun: true });
  assert.deepEqual(r.imported.map((i) => i.ip), ['192.0.2.90']);
  assert.equal(b!.state.fleet.cursor, null);
});

test('a Redis user allowed only the fleet\'s commands on its stream can publish and read', { skip }, async () => {
  const [a0, b0] = fleet(['a', 'b']);
  const stream = a0!.settings.stream;
  await redis().cli('ACL', 'SETUSER', 'fleet', 'on', '>fleet-password', `~${stream}`, `~${stream}:*`, '+xadd', '+xread', '+xrange', '+xinfo', '+get', '+set', '+hset', '+hgetall', '+time', '+info');
  const url = redis().url.replace('redis://', 'redis://fleet:fleet-password@');
  const [a, b] = [a0!, b0!].map((h) => ({ ...h, settings: { ...h.settings, url } }));
  const pub = await run(a!, [ban('192.0.2.95')]);
  assert.equal(pub.error, null);
  assert.deepEqual((await run(b!)).imported.map((i) => i.ip), ['192.0.2.95']);

  const wrong = await run({ ...a!, settings: { ...a!.settings, url: url.replace('fleet-password', 'guess') } });
  assert.match(wrong.error ?? '', /cannot reach Redis at redis:\/\/fleet:\*\*\*@127\.0\.0\.1:\d+: .*WRONGPASS/);
  assert.ok(!wrong.error!.includes('guess'), 'no password in the message');
});

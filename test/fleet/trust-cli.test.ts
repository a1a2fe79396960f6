// Issue 19's trust and unban rows, each a small fleet driven through the real CLI against a
// real redis-server: per-host keys made with `fleet keygen`, revocation by deleting a trust
// line, a host without a key that only reads, min_hosts consensus, unbans that land whatever
// the hosts' clocks say and whether or not the unbanning host holds the ban, and a local ban
// that a longer fleet ban lengthens without taking it over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch } from '../run/cli.ts';
import { at, cli, held, makeHost, run, stateOf, T0 } from './hosts.ts';
import { noRedis, REDIS_CLI, redisForFile } from './redis-server.ts';

const root = scratch('f2b-fleet-trust-');
const redis = redisForFile(() => rmSync(root, { recursive: true, force: true }));

let fleets = 0;
/** Hosts on a stream and trust file of their own, each having run once (cursors set). */
function fleet(names: string[], opts: Record<string, { fleet?: string; jail?: string; readOnly?: boolean }> = {}) {
  const id = `trust-${++fleets}`;
  const dir = join(root, id);
  const hosts = names.map((n) =>
    makeHost(dir, n, redis().url, { ...opts[n], trust: join(root, `${id}.trusted`), fleet: `stream = ${id}\n${opts[n]?.fleet ?? ''}` }),
  );
  for (const h of hosts) assert.equal(run(h, at(0)).code, 0, h.name);
  return hosts;
}
const attack = (h: { log: string }, ip: string, second: number) => appendFileSync(h.log, failedPasswords(ip, 5, at(second)).join('\n') + '\n');
const ips = (list: { ip: string }[]) => list.map((x) => x.ip);

test('fleet keygen writes a private key only its owner can read and prints the trust line; it never overwrites', (t) => {
  const out = join(root, 'keygen.key');
  const r = f2b(['fleet', 'keygen', '--host', 'web1', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^web1 ed25519 [A-Za-z0-9+/]{43}=\n$/);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.match(readFileSync(out, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
  const again = f2b(['fleet', 'keygen', '--host', 'web1', '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^f2b-scan: fleet keygen: .*keygen\.key exists; remove it first/);
  t.diagnostic(r.stdout.trim());
});

test('trust and revocation: a host acts only on hosts its trust file lists; deleting a line revokes', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, b, c] = fleet(['a', 'b', 'c']);
  // c's own trust file: the fleet's, then a's line deleted.
  const trust = readFileSync(join(root, `trust-${fleets}.trusted`), 'utf8');
  writeFileSync(join(c!.conf, 'trusted_keys'), trust);
  writeFileSync(join(c!.conf, 'f2b-scan.conf'), readFileSync(join(c!.conf, 'f2b-scan.conf'), 'utf8').replace(/trusted_keys = .*/, 'trusted_keys = trusted_keys'));
  attack(a!, '198.51.100.10', 10);
  assert.equal(run(a!, at(60)).json.fleet.published, 1);
  const r1 = run(c!, at(70));
  assert.deepEqual(ips(r1.json.fleet.imported), ['198.51.100.10'], 'trusted: imported');

  writeFileSync(join(c!.conf, 'trusted_keys'), trust.split('\n').filter((l) => !l.startsWith('a ')).join('\n'));
  attack(a!, '198.51.100.11', 80);
  attack(b!, '198.51.100.12', 80);
  run(a!, at(120));
  run(b!, at(120));
  const r2 = run(c!, at(130));
  assert.equal(r2.code, 5, r2.stderr);
  assert.deepEqual(ips(r2.json.fleet.imported), ['198.51.100.12'], 'b still trusted');
  assert.deepEqual(r2.json.fleet.droppedReasons, { 'unknown host': 1 });
  assert.doesNotMatch(held(c!), /198\.51\.100\.11/);
});

test('a host without key_file reads the fleet, publishes nothing, and cannot unban --fleet', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, r] = fleet(['a', 'reader'], { reader: { readOnly: true } });
  attack(r!, '198.51.100.20', 10);
  const own = run(r!, at(60));
  assert.equal(own.code, 0, own.stderr);
  assert.deepEqual(ips(own.json.bans), ['198.51.100.20'], 'it bans from its own log');
  assert.equal(own.json.fleet.published, 0);
  assert.deepEqual(stateOf(r!).fleet.outbox, [], 'and queues nothing it could never sign');
  attack(a!, '198.51.100.21', 10);
  run(a!, at(60));
  assert.deepEqual(ips(run(r!, at(70)).json.fleet.imported), ['198.51.100.21']);
  assert.deepEqual(run(a!, at(80)).json.fleet.imported, [], 'nothing came from the reader');

  const u = cli(r!, at(90), ['unban', '198.51.100.21', '--fleet']);
  assert.equal(u.code, 2);
  assert.equal(u.stderr, 'f2b-scan: unban --fleet: this host has no [fleet] key_file, so it only reads the fleet and cannot publish (f2b-scan fleet keygen makes a key)\n');
  assert.match(held(r!), /\+198\.51\.100\.21\n$/, 'nothing lifted');
});

test('min_hosts = 2: a ban is imported once two trusted hosts published it, not on one reporter\'s word', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, b, c] = fleet(['a', 'b', 'c'], { c: { fleet: 'min_hosts = 2' } });
  attack(a!, '198.51.100.30', 10);
  attack(a!, '198.51.100.31', 10);
  run(a!, at(60));
  const one = run(c!, at(70));
  assert.deepEqual(one.json.fleet.imported, []);
  assert.equal(one.json.fleet.awaiting, 2);
  assert.equal(held(c!), '');
  attack(b!, '198.51.100.30', 80);
  run(b!, at(120));
  const two = run(c!, at(130));
  assert.deepEqual(ips(two.json.fleet.imported), ['198.51.100.30'], 'b agreed on .30 only');
  assert.equal(held(c!), '+198.51.100.30\n');
  const sightings = stateOf(c!).fleet.sightings;
  assert.deepEqual(Object.keys(sightings['sshd 198.51.100.31']), [a!.name], '.31 still waits for a second host');
  assert.deepEqual(Object.keys(sightings['sshd 198.51.100.30']).sort(), [a!.name, b!.name]);
});

test('unban --fleet lands on a third host though the banning host\'s clock is 10 minutes ahead', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, b, c] = fleet(['a', 'b', 'c']);
  attack(a!, '198.51.100.40', 600);
  const ahead = run(a!, at(660)); // a's clock: 10 minutes ahead of everyone's
  assert.equal(ahead.json.fleet.published, 1, ahead.stderr);
  assert.deepEqual(ips(run(b!, at(70)).json.fleet.imported), ['198.51.100.40']);
  // c never held the ban (it ran before a published); it unbans for the fleet anyway.
  const u = cli(c!, at(80), ['unban', '198.51.100.40', '--fleet']);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(u.stdout, 'publish unban 198.51.100.40 in every jail to the fleet\n');
  assert.equal(u.stderr, 'f2b-scan: 198.51.100.40 is not banned here\n');
  const rb = run(b!, at(90));
  assert.deepEqual(rb.json.unbans, [{ jail: 'sshd', ip: '198.51.100.40' }], 'ordered by the stream, not by clocks');
  assert.equal(held(b!), '+198.51.100.40\n-198.51.100.40\n');
  // a's own ban from its own log stays: a fleet unban lifts what the fleet brought.
  const ra = run(a!, at(700));
  assert.deepEqual(ra.json.unbans, []);
  assert.equal(stateOf(a!).bans.sshd['198.51.100.40'].origin, 'log');
});

test('a longer fleet ban lengthens a local ban without taking it over; a fleet unban goes back to the local end', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, b] = fleet(['a', 'b'], { a: { jail: 'bantime = 1d' } });
  attack(b!, '198.51.100.50', 10); // b bans for 1h from its own log
  run(b!, at(60));
  attack(a!, '198.51.100.50', 20); // a bans for a day and publishes it
  run(a!, at(70));
  const rb = run(b!, at(80));
  assert.deepEqual(rb.json.fleet.imported, [], 'not a new ban: b holds it already');
  const rec = stateOf(b!).bans.sshd['198.51.100.50'];
  assert.equal(rec.origin, 'log');
  // Its own record stays (its failures; its lines where an action shows them: not with dummy).
  assert.equal(rec.failures, 5, 'its own failure count kept');
  assert.equal(rec.until, stateOf(a!).bans.sshd['198.51.100.50'].until, 'lengthened to a\'s end');
  assert.equal(rec.ownUntil, rec.start + 3600);
  assert.equal(held(b!), '+198.51.100.50\n');

  assert.equal(cli(a!, at(90), ['unban', '198.51.100.50', '--fleet']).code, 0);
  const after = run(b!, at(100));
  assert.deepEqual(after.json.unbans, [], 'b\'s own hour still runs');
  const back = stateOf(b!).bans.sshd['198.51.100.50'];
  assert.equal(back.until, rec.ownUntil);
  assert.equal(back.origin, 'log');
  assert.equal(back.ownUntil, undefined);
});

test('another tool publishes with openssl and redis-cli alone, as the README shows, and the fleet imports it', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [b] = fleet(['b']);
  const dir = join(root, 'honeypot');
  mkdirSync(dir);
  const sh = (script: string) => execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NOW: String(T0 + 30) } });
  sh('openssl genpkey -algorithm ed25519 -out honeypot.key 2>/dev/null');
  const line = sh('echo "honeypot ed25519 $(openssl pkey -in honeypot.key -pubout -outform DER | tail -c 32 | base64)"');
  appendFileSync(join(root, `trust-${fleets}.trusted`), line);
  sh(
    `host=honeypot start=$NOW items="ban sshd 192.0.2.77 $(( NOW + 3600 )) 1"
     printf 'f2b-scan fleet v2\\n%s\\n%s\\n%s' "$host" "$start" "$items" > msg
     sig=$(openssl pkeyutl -sign -inkey honeypot.key -rawin -in msg | base64 -w0)
     ${REDIS_CLI} -p ${redis().port} XADD trust-${fleets} '*' host "$host" start "$start" items "$items" sig "$sig" >/dev/null`,
  );
  const r = run(b!, at(60));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.fleet.imported, [{ jail: 'sshd', ip: '192.0.2.77', until: at(3630), from: 'honeypot' }]);
});

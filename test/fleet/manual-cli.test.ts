// Manual and imported bans shared with the fleet: `ban --fleet` and `import --fleet` through the
// real CLI and a real redis-server; a range where a jail's firewall cannot hold one is refused
// in one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratch } from '../run/cli.ts';
import { at, cli, held, makeHost, run, stateOf } from './hosts.ts';
import { noRedis, redisForFile } from './redis-server.ts';

const root = scratch('f2b-fleet-manual-');
const redis = redisForFile(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function fleet(names: string[], opts: Record<string, { jail?: string; readOnly?: boolean }> = {}) {
  const id = `manual-${++n}`;
  const hosts = names.map((h) => makeHost(join(root, id), h, redis().url, { ...opts[h], fleet: `stream = ${id}` }));
  for (const h of hosts) assert.equal(run(h, at(0)).code, 0, h.name);
  return hosts;
}

test('ban --fleet bans here and on the other hosts, a range too; a ban held here already is still published', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, b] = fleet(['a', 'b']);
  assert.equal(cli(a!, at(10), ['ban', 'sshd', '192.0.2.50']).code, 0);
  const r = cli(a!, at(20), ['ban', 'sshd', '192.0.2.50', '198.51.100.0/24', '--fleet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ban 198.51.100.0/24 in sshd until ' + at(3620).replace('.000Z', '.000Z') + '\npublish 2 bans in sshd to the fleet\n');
  assert.match(r.stderr, /192\.0\.2\.50 is already banned in sshd/);
  assert.equal(held(a!), '+192.0.2.50\n+198.51.100.0/24\n');
  const rb = run(b!, at(30));
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(rb.json.fleet.imported.map((x: { ip: string; until: string }) => [x.ip, x.until]), [
    ['192.0.2.50', at(3610)],
    ['198.51.100.0/24', at(3620)],
  ]);
  assert.equal(held(b!), '+192.0.2.50\n+198.51.100.0/24\n');
  assert.equal(stateOf(b!).bans.sshd['198.51.100.0/24'].origin, 'fleet');
});

test('import --fleet: a list\'s bans go to the other hosts with their end', { timeout: 90_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [a, b] = fleet(['a', 'b']);
  const list = join(root, 'list.txt');
  writeFileSync(list, '# blocklist\n203.0.113.7\n203.0.113.64/26 ; a range\n');
  const r = cli(a!, at(10), ['import', list, '--jail', 'sshd', '--bantime', '2h', '--fleet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^publish 2 bans in sshd to the fleet$/m);
  const rb = run(b!, at(20));
  assert.deepEqual(rb.json.fleet.imported.map((x: { ip: string; until: string }) => [x.ip, x.until]), [
    ['203.0.113.7', at(7210)],
    ['203.0.113.64/26', at(7210)],
  ]);
});

test('ban --fleet from a host without a key, or without a fleet, is refused in one line before anything is banned', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const [r] = fleet(['reader'], { reader: { readOnly: true } });
  const x = cli(r!, at(10), ['ban', 'sshd', '192.0.2.51', '--fleet']);
  assert.equal(x.code, 2);
  assert.equal(x.stderr, 'f2b-scan: ban --fleet: this host has no [fleet] key_file, so it only reads the fleet and cannot publish (f2b-scan fleet keygen makes a key)\n');
  assert.equal(held(r!), '');
});

test('a range where the jail\'s firewall holds hosts only (hostsdeny) is refused: ban exits 2, import leaves it out with one line', { timeout: 60_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const deny = join(root, 'hosts.deny');
  writeFileSync(deny, '');
  const [h] = fleet(['h'], { h: { jail: `action = hostsdeny[file="${deny}"]` } });
  const b = cli(h!, at(10), ['ban', 'sshd', '198.51.100.0/24']);
  assert.equal(b.code, 2);
  assert.equal(b.stderr, 'f2b-scan: ban: jail sshd: hostsdeny holds host addresses only, not ranges like 198.51.100.0/24: use ipset, nftables, iptables or route for ranges; nothing was banned\n');
  const list = join(root, 'mixed.txt');
  writeFileSync(list, '192.0.2.60\n198.51.100.0/24\n203.0.113.0/24\n');
  const i = cli(h!, at(20), ['import', list, '--jail', 'sshd']);
  assert.equal(i.code, 5, i.stderr);
  assert.equal(i.stdout.trim().split('\n').length, 1);
  assert.match(i.stdout, /^ban 192\.0\.2\.60 in sshd/);
  assert.match(i.stderr, /warning: 2 ranges of .*mixed\.txt left out: jail sshd: hostsdeny holds host addresses only/);
  assert.match(readFileSync(deny, 'utf8'), /^ALL: 192\.0\.2\.60$/m);
  assert.doesNotMatch(readFileSync(deny, 'utf8'), /198\.51\.100|203\.0\.113/);
});

// usedns for rules that capture host names, and the resolver's timeout. `localhost` is the only
// name relied on (the system resolver answers it from /etc/hosts, no traffic leaves the machine).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback, parseAddress } from '../../src/net/address.ts';
import { resolveHost, resolveHostForBan, looksLikeHostName, hostsFileAddresses } from '../../src/net/resolve.ts';
import { startDnsServer } from './dns-server.ts';

const loopbackOnly = (ips: string[]) => ips.length > 0 && ips.every((ip) => isLoopback(parseAddress(ip)!));

test('an address is used as it is whatever usedns says', async () => {
  for (const mode of ['yes', 'warn', 'no', 'raw'] as const) {
    assert.deepEqual(await resolveHostForBan('::ffff:203.0.113.4', mode), ['203.0.113.4'], mode);
  }
});

test('usedns = no and raw never resolve a name: the match is dropped', async () => {
  assert.deepEqual(await resolveHostForBan('localhost', 'no'), []);
  assert.deepEqual(await resolveHostForBan('localhost', 'raw'), []);
});

test('usedns = yes resolves a name; warn resolves and says so', async () => {
  assert.ok(loopbackOnly(await resolveHostForBan('localhost', 'yes', { warn: () => assert.fail('no warning with yes') })));
  const warnings: string[] = [];
  assert.ok(loopbackOnly(await resolveHostForBan('localhost', 'warn', { warn: (m) => warnings.push(m) })));
  assert.deepEqual(warnings, ['Determined IP using DNS lookup: localhost (usedns = warn)']);
});

test('text that cannot be a host name is never looked up', async () => {
  assert.equal(looksLikeHostName('bad host;rm -rf /'), false);
  assert.equal(looksLikeHostName('-leading.example'), false);
  assert.equal(looksLikeHostName('mail-1.example.org.'), true);
  assert.deepEqual(await resolveHostForBan('$(id).example', 'yes'), []);
});

test('/etc/hosts answers first, case and trailing dot ignored', async () => {
  const hosts = '# comment\n127.0.0.1 localhost\n203.0.113.7  Gateway.example gw # office\n::ffff:203.0.113.8 gw\n';
  assert.deepEqual(hostsFileAddresses(hosts, 'gw.'), ['203.0.113.7', '203.0.113.8']);
  assert.deepEqual(hostsFileAddresses(hosts, 'GATEWAY.EXAMPLE'), ['203.0.113.7']);
  assert.deepEqual(hostsFileAddresses(hosts, 'other'), []);
  const ips = await resolveHost('localhost', 3000);
  assert.ok(loopbackOnly(ips));
  assert.equal(new Set(ips).size, ips.length);
});

test('names not in /etc/hosts are asked of DNS (a server on loopback here)', async () => {
  const dns = await startDnsServer({ 'gateway.test': ['203.0.113.9', '2001:db8::9'] });
  try {
    const opts = { servers: [dns.server], hostsFile: '/dev/null', timeoutMs: 2000 };
    assert.deepEqual((await resolveHost('gateway.test', opts)).sort(), ['2001:db8::9', '203.0.113.9']);
    assert.deepEqual(await resolveHost('unknown.test', opts), []);
    assert.deepEqual(await resolveHostForBan('GATEWAY.test', 'yes', opts), ['203.0.113.9', '2001:db8::9']);
    assert.ok(dns.queries.includes('gateway.test A'));
  } finally {
    await dns.close();
  }
});

test('a DNS server that never answers costs the timeout, not more', async () => {
  const dns = await startDnsServer({}, true);
  try {
    const started = Date.now();
    await assert.rejects(resolveHost('stall.test', { servers: [dns.server], hostsFile: '/dev/null', timeoutMs: 300 }), /took longer than 300 ms/);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
    const warnings: string[] = [];
    assert.deepEqual(await resolveHostForBan('stall.test', 'warn', { servers: [dns.server], hostsFile: '/dev/null', timeoutMs: 200, warn: (m) => warnings.push(m) }), []);
    assert.match(warnings.at(-1)!, /cannot resolve stall\.test: resolving stall\.test took longer than 200 ms/);
  } finally {
    await dns.close();
  }
});

// Ignore rules: addresses in ignoreip (CIDR, IPv6, host names), loopback and the machine's own
// addresses are never banned, whatever the log says.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Jail } from '../../src/types.ts';
import { T0, jail, emptyPolicyState, failures, bansOf, runPolicy } from './helpers.ts';
import { makeIsIgnored, parseIgnoreIp, type PreparedIgnore } from '../../src/policy/ignore.ts';
import { prepareIgnore, prepareIgnoreData } from '../../src/policy/prepare-ignore.ts';
import { decide } from '../../src/policy/decide.ts';
import { viewOf } from '../helpers/state-view.ts';
import { readOwnAddresses } from '../../src/net/self.ts';
import { isLoopback, parseAddress } from '../../src/net/address.ts';
import { startDnsServer } from './dns-server.ts';

function prepared(over: Partial<PreparedIgnore> = {}): PreparedIgnore {
  return { own: [], ignoreip: {}, resolved: {}, commandAnswers: {}, commands: {}, ...over };
}

/** 20 failures from each address: far past any maxretry. */
function flood(ips: string[], jailName = 'sshd') {
  return ips.flatMap((ip) => failures(ip, 20, T0, jailName));
}

test('an address inside an ignoreip CIDR range is never banned; others are', async () => {
  const sshd = jail('sshd', { ignoreip: ['127.0.0.1/8 ::1', '203.0.113.0/25,198.51.100.7'], ignoreself: false });
  const isIgnored = await prepareIgnore([sshd]);
  const r = runPolicy(emptyPolicyState(), flood(['203.0.113.77', '203.0.113.200', '198.51.100.7', '198.51.100.8']), [sshd], T0, { isIgnored });
  assert.deepEqual(bansOf(r).sort(), ['sshd 198.51.100.8', 'sshd 203.0.113.200']);
  assert.deepEqual(
    r.ignored.sort((a, b) => a.ip.localeCompare(b.ip)),
    [
      { jail: 'sshd', ip: '198.51.100.7', reason: 'ignoreip 198.51.100.7' },
      { jail: 'sshd', ip: '203.0.113.77', reason: 'ignoreip 203.0.113.0/25' },
    ],
  );
  assert.equal(r.view.failures.sshd, undefined, 'ignored failures are not kept either');
});

test('IPv6 ranges match any spelling of the address', async () => {
  const sshd = jail('sshd', { ignoreip: ['2001:DB8:1::/48'], ignoreself: false });
  const isIgnored = await prepareIgnore([sshd]);
  const r = runPolicy(emptyPolicyState(), flood(['2001:db8:1:0:0:0:0:5', '2001:db8:2::5']), [sshd], T0, { isIgnored });
  assert.deepEqual(bansOf(r), ['sshd 2001:db8:2::5']);
  assert.deepEqual(r.ignored, [{ jail: 'sshd', ip: '2001:db8:1::5', reason: 'ignoreip 2001:db8:1::/48' }]);
});

test('ignoreip is per jail', async () => {
  const sshd = jail('sshd', { ignoreip: ['203.0.113.0/24'], ignoreself: false });
  const web = jail('nginx', { ignoreself: false });
  const isIgnored = await prepareIgnore([sshd, web]);
  const r = runPolicy(emptyPolicyState(), [...flood(['203.0.113.9']), ...flood(['203.0.113.9'], 'nginx')], [sshd, web], T0, { isIgnored });
  assert.deepEqual(bansOf(r), ['nginx 203.0.113.9']);
});

test('an ignoreip host name is resolved once for the run (localhost through the system resolver)', async () => {
  const a = jail('sshd', { ignoreip: ['localhost'] });
  const b = jail('postfix', { ignoreip: ['LOCALHOST.'] });
  const warnings: string[] = [];
  const data = await prepareIgnoreData([a, b], { resolveTimeoutMs: 3000, warn: (m) => warnings.push(m), ownAddresses: [] });
  assert.deepEqual(Object.keys(data.resolved), ['localhost'], 'one look-up for both jails');
  const addrs = data.resolved.localhost!;
  assert.ok(addrs.length > 0 && addrs.every((ip) => isLoopback(parseAddress(ip)!)), `localhost resolved to ${addrs.join(', ')}`);
  assert.deepEqual(warnings, []);
});

test('an address an ignoreip host name resolves to is never banned', async () => {
  const dns = await startDnsServer({ 'office.test': ['203.0.113.9'] });
  try {
    const sshd = jail('sshd', { ignoreip: ['office.test'], ignoreself: false });
    const isIgnored = await prepareIgnore([sshd], { dnsServers: [dns.server], ownAddresses: [] });
    const r = runPolicy(emptyPolicyState(), flood(['203.0.113.9', '203.0.113.10']), [sshd], T0, { isIgnored });
    assert.deepEqual(bansOf(r), ['sshd 203.0.113.10']);
    assert.deepEqual(r.ignored, [{ jail: 'sshd', ip: '203.0.113.9', reason: 'ignoreip office.test' }]);
  } finally {
    await dns.close();
  }
});

test('an address a name resolved to is ignored with the name as the reason', () => {
  const sshd = jail('sshd', { ignoreip: ['gateway.example.net'], ignoreself: false });
  const isIgnored = makeIsIgnored(prepared({ ignoreip: { sshd: parseIgnoreIp(sshd.ignoreip) }, resolved: { 'gateway.example.net': ['203.0.113.1', '2001:db8::1'] } }));
  assert.equal(isIgnored(sshd, '203.0.113.1'), 'ignoreip gateway.example.net');
  assert.equal(isIgnored(sshd, '2001:DB8:0::1'), 'ignoreip gateway.example.net');
  assert.equal(isIgnored(sshd, '203.0.113.2'), null);
});

test('ignoreip entries that are no address, range or name are reported and skipped', async () => {
  const sshd = jail('sshd', { ignoreip: ['203.0.113.0/33', 'bad;name', '10.0.0.1'] });
  const warnings: string[] = [];
  const data = await prepareIgnoreData([sshd], { warn: (m) => warnings.push(m), ownAddresses: [] });
  assert.deepEqual(data.ignoreip.sshd, { cidrs: ['10.0.0.1'], names: [], bad: ['203.0.113.0/33', 'bad;name'] });
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /\[sshd\] ignoreip 203\.0\.113\.0\/33: not an address/);
});

test('loopback is never banned, even with ignoreself off and no ignore rules', () => {
  const sshd = jail('sshd', { ignoreself: false });
  const r = runPolicy(emptyPolicyState(), flood(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']), [sshd], T0);
  assert.deepEqual(bansOf(r), []);
  assert.deepEqual(new Set(r.ignored.map((i) => i.reason)), new Set(['loopback']));
});

test("the machine's own addresses are never banned with ignoreself (the default)", async (t) => {
  const own = readOwnAddresses().filter((ip) => !isLoopback(parseAddress(ip)!));
  if (own.length === 0) return t.skip('this machine has no address besides loopback');
  const sshd = jail('sshd');
  const isIgnored = await prepareIgnore([sshd]);
  const r = runPolicy(emptyPolicyState(), flood(own), [sshd], T0, { isIgnored });
  assert.deepEqual(bansOf(r), []);
  assert.deepEqual(new Set(r.ignored.map((i) => i.reason)), new Set(['own address (ignoreself)']));
  // With ignoreself = false the same log bans them: the setting is what protects them.
  const off = jail('sshd', { ignoreself: false });
  const r2 = runPolicy(emptyPolicyState(), flood(own), [off], T0, { isIgnored: await prepareIgnore([off]) });
  assert.equal(bansOf(r2).length, own.length);
});

test('property: decide() never bans an ignored address, run after run', () => {
  const own = ['203.0.113.250', '2001:db8:ff::1'];
  const pool = ['127.0.0.1', '::1', '203.0.113.5', '203.0.113.130', '203.0.113.250', '198.51.100.1', '198.51.100.200', '2001:db8::7', '2001:db8:ff::1', '2001:db8:1::9', '::ffff:203.0.113.5', 'not-an-ip'];
  const jailsArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean()).map(([maxretry, self1, self2]): Jail[] => [
    jail('sshd', { maxretry, ignoreself: self1, ignoreip: ['203.0.113.0/25', '2001:db8::/64'] }),
    jail('web', { maxretry: maxretry + 1, ignoreself: self2, ignoreip: ['198.51.100.0/25'] }),
  ]);
  const failureArb = fc.record({
    jail: fc.constantFrom('sshd', 'web'),
    ip: fc.constantFrom(...pool),
    dt: fc.integer({ min: -700, max: 120 }),
  });
  fc.assert(
    fc.property(jailsArb, fc.array(fc.array(failureArb, { maxLength: 25 }), { minLength: 1, maxLength: 4 }), (jails, runs) => {
      const data = prepared({
        own,
        ignoreip: Object.fromEntries(jails.map((j) => [j.name, parseIgnoreIp(j.ignoreip)])),
      });
      const isIgnored = makeIsIgnored(data);
      let state = emptyPolicyState();
      let now = T0;
      for (const run of runs) {
        const fs = run.map((f) => ({ jail: f.jail, ip: f.ip, time: now + f.dt, line: 'x', source: 'log' }));
        const r = decide({ state, failures: fs, jails, now, isIgnored });
        for (const d of r.decisions) {
          if (d.kind !== 'ban') continue;
          const j = jails.find((x) => x.name === d.jail)!;
          if (isIgnored(j, d.ip) !== null) return false;
        }
        for (const [jn, byIp] of Object.entries(viewOf(r.state).bans)) {
          for (const ip of Object.keys(byIp)) if (isIgnored(jails.find((x) => x.name === jn)!, ip) !== null) return false;
        }
        state = r.state;
        now += 90;
      }
      return true;
    }),
    { numRuns: 500 },
  );
});

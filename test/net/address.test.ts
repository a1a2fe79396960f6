import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeAddress, parseAddress, isLoopback } from '../../src/net/address.ts';
import { parseCidr, CidrSet } from '../../src/net/cidr.ts';

test('an IPv4-mapped IPv6 address is the IPv4 attacker', () => {
  assert.equal(normalizeAddress('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeAddress('::FFFF:c000:0201'), '192.0.2.1');
});

test('leading zeros in a dotted quad are read as decimal', () => {
  assert.equal(normalizeAddress('192.000.002.010'), '192.0.2.10');
});

test('IPv6 addresses take their RFC 5952 form', () => {
  assert.equal(normalizeAddress('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(normalizeAddress('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(normalizeAddress('[2001:db8::1]'), '2001:db8::1');
  assert.equal(normalizeAddress('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeAddress('::'), '::');
  assert.equal(normalizeAddress('2001:db8::192.0.2.1'), '2001:db8::c000:201');
});

test('text that is not an address is refused', () => {
  for (const bad of ['', 'x', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', 'a:b:c', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '$(id)', '192.0.2.1; rm -rf /', '12345::']) {
    assert.equal(parseAddress(bad), null, bad);
  }
});

test('loopback addresses are recognised in both families', () => {
  assert.ok(isLoopback(parseAddress('127.3.4.5')!));
  assert.ok(isLoopback(parseAddress('::1')!));
  assert.ok(!isLoopback(parseAddress('192.0.2.1')!));
});

test('CIDR sets answer for ranges, exact addresses and other spellings', () => {
  const s = new CidrSet();
  for (const t of ['192.0.2.0/24', '2001:db8:1::/48', '198.51.100.7']) s.add(parseCidr(t)!);
  assert.ok(s.has('192.0.2.200'));
  assert.ok(s.has('::ffff:192.0.2.9'));
  assert.ok(!s.has('192.0.3.1'));
  assert.ok(s.has('2001:db8:1:ffff::1'));
  assert.ok(!s.has('2001:db8:2::1'));
  assert.ok(s.has('198.51.100.007'));
  assert.ok(!s.has('198.51.100.8'));
  assert.equal(parseCidr('192.0.2.77/24')!.text, '192.0.2.0/24');
  assert.equal(parseCidr('10.0.0.0/33'), null);
});

test('the address parser never throws, whatever the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), (s) => {
      const a = parseAddress(s);
      if (a) assert.equal(parseAddress(a.ip)!.ip, a.ip);
    }),
    { numRuns: 5000 },
  );
  fc.assert(fc.property(fc.ipV6(), (s) => { assert.ok(parseAddress(s)); }), { numRuns: 2000 });
  fc.assert(fc.property(fc.ipV4(), (s) => { assert.equal(normalizeAddress(s), s); }), { numRuns: 2000 });
});

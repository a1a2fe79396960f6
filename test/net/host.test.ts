// The one rule for what may be banned (src/net/host.ts): every entry point asks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAddress } from '../../src/net/address.ts';
import { parseCidr } from '../../src/net/cidr.ts';
import { whyNotBannable, whyNotBannableKey, whyNotBannableRange } from '../../src/net/host.ts';

const why = (text: string) => whyNotBannable(parseAddress(text)!);

test('addresses no connection comes from are refused, each with its reason', () => {
  const refused: [string, string][] = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '"this network" (0.0.0.0/8)'],
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['FF05::1:3', 'multicast'],
    ['255.255.255.255', 'broadcast'],
  ];
  for (const [ip, reason] of refused) assert.equal(why(ip), reason, ip);
});

test('host addresses pass, documentation, private and link-local ranges included', () => {
  const hosts = ['192.0.2.7', '198.51.100.7', '203.0.113.255', '2001:db8::1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '100.64.0.1',
    '169.254.1.1', 'fe80::1', 'fd00::1', '1.1.1.1', '223.255.255.255', '240.0.0.1', '255.255.255.254', '::2', '::ffff:198.51.100.7', 'fe00::1'];
  for (const ip of hosts) assert.equal(why(ip), null, ip);
});

test('an address key (IPv4 number or text) gets the same answer as the parsed address', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.constantFrom('0.0.0.0', '::', '::1', 'ff02::1', '255.255.255.255', '127.0.0.1', 'ff00::', 'f::1', 'ff::1', 'fff::1')), (text) => {
      const a = parseAddress(text);
      if (!a) return; // fast-check's extended forms include octal/hex spellings we do not read
      assert.equal(whyNotBannableKey(text), whyNotBannable(a), text);
      assert.equal(whyNotBannableKey(a.ip), whyNotBannable(a), a.ip);
      if (a.family === 4) {
        const n = ((a.bytes[0]! << 24) | (a.bytes[1]! << 16) | (a.bytes[2]! << 8) | a.bytes[3]!) >>> 0;
        assert.equal(whyNotBannableKey(n), whyNotBannable(a), String(n));
      }
    }),
    { numRuns: 5000 },
  );
});

test('any text made of address characters gets the fast path\'s answer the full parse would give', () => {
  const slow = (text: string) => {
    const a = parseAddress(text);
    return a ? whyNotBannable(a) : 'not an IP address';
  };
  const chars = fc.constantFrom(...'0123456789abcdefABF:.:::'.split(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: chars, maxLength: 40 }), fc.ipV6().map((s) => s.replace(/[0-9a-f]/, ':'))), (text) => {
      if (text.includes('/')) return;
      assert.equal(whyNotBannableKey(text), slow(text), JSON.stringify(text));
    }),
    { numRuns: 20000 },
  );
  for (const t of ['1:::', '1::2::3', '2001:db8:', '2001:db8::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', 'fe80::1', 'ff01::1', 'ff::1', '12345::1'])
    assert.equal(whyNotBannableKey(t), slow(t), t);
});

test('a key that is no address says so', () => {
  for (const k of ['', 'x', '1.2.3', '256.0.0.1', '1.2.3.4.5', '$(id)', 'localhost']) assert.equal(whyNotBannableKey(k), 'not an IP address', k);
  for (const n of [-1, 2 ** 32, 1.5, NaN]) assert.equal(whyNotBannableKey(n), 'not an IP address', String(n));
  assert.equal(whyNotBannableKey('192.0.2.0/33'), 'not an IP address or range');
});

test('a CIDR range is refused when it lies in or contains a range of non-hosts', () => {
  const r = (text: string) => whyNotBannableRange(parseCidr(text)!);
  assert.equal(r('198.51.100.0/24'), null);
  assert.equal(r('2001:db8::/32'), null);
  assert.equal(r('10.0.0.0/8'), null);
  assert.equal(r('128.0.0.0/2'), null);
  assert.equal(r('0.0.0.0/0'), 'contains 0.0.0.0/8 ("this network")');
  assert.equal(r('96.0.0.0/3'), 'contains 127.0.0.0/8 (loopback)');
  assert.equal(r('192.0.0.0/2'), 'contains 224.0.0.0/4 (multicast)');
  assert.equal(r('240.0.0.0/4'), 'contains 255.255.255.255 (broadcast)');
  assert.equal(r('127.1.0.0/16'), 'loopback');
  assert.equal(r('0.0.0.0/32'), 'unspecified');
  assert.equal(r('ff02::/16'), 'multicast');
  assert.equal(r('::/0'), 'contains :: (unspecified)');
  assert.equal(r('::/127'), 'contains :: (unspecified)');
  assert.equal(whyNotBannableKey('127.0.0.0/8'), 'loopback');
  assert.equal(whyNotBannableKey('192.0.2.0/24'), null);
});

// Address keys: the fast parsers agree with the full parser on every spelling, valid or not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAddress } from '../../src/net/address.ts';
import { compareKeys, isCanonicalV4, isCanonicalV6, keyFamily, keyOfAddress, keyText, parseKey, parseKeyOrRange, parseV4Key, parseV6Key } from '../../src/net/key.ts';

/** What the full parser makes of a text, as a key. */
function reference(text: string) {
  const a = parseAddress(text);
  return a ? keyOfAddress(a) : null;
}

test('an IPv4 address is its 32-bit value, written any way; its text is the dotted quad', () => {
  assert.equal(parseKey('192.0.2.1'), 3221225985);
  assert.equal(parseKey('192.000.002.001'), 3221225985);
  assert.equal(parseKey('::ffff:192.0.2.1'), 3221225985);
  assert.equal(parseKey('::FFFF:c000:0201'), 3221225985);
  assert.equal(keyText(3221225985), '192.0.2.1');
  assert.equal(keyText(parseKey('255.255.255.255')!), '255.255.255.255');
  assert.equal(keyFamily(3221225985), 4);
  assert.equal(isCanonicalV4('192.0.2.1'), true);
  assert.equal(isCanonicalV4('192.0.2.01'), false);
  assert.equal(isCanonicalV4('10.0.0.0'), true);
});

test('an IPv6 address is its RFC 5952 text, written any way', () => {
  for (const [text, key] of [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8::192.0.2.1', '2001:db8::c000:201'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ] as const) {
    assert.equal(parseKey(text), key, text);
    assert.equal(keyFamily(key), 6);
  }
  for (const bad of ['1:2:3:4:5:6:7:8:9', '2001:db8:::1', '12345::', ':1', '1:', '1::2::3', 'g::1', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4']) assert.equal(parseV6Key(bad), null, bad);
});

test('a range is its canonical text; a /32 or /128 range is the host', () => {
  assert.equal(parseKeyOrRange('192.0.2.7/24'), '192.0.2.0/24');
  assert.equal(parseKeyOrRange('192.0.2.7/32'), 3221225991);
  assert.equal(parseKeyOrRange('2001:db8::1/128'), '2001:db8::1');
  assert.equal(keyFamily('192.0.2.0/24'), 4);
  assert.equal(keyFamily('2001:db8::/32'), 6);
});

test('keys sort IPv4 by value before the others', () => {
  assert.deepEqual(['2001:db8::1', 3221225994, 3221225985].sort(compareKeys), [3221225985, 3221225994, '2001:db8::1']);
});

const hexGroup = fc.stringMatching(/^[0-9a-fA-F]{1,5}$/);
const v6ish = fc.oneof(
  fc.array(hexGroup, { minLength: 1, maxLength: 9 }).map((g) => g.join(':')),
  fc.tuple(fc.array(hexGroup, { maxLength: 7 }), fc.array(hexGroup, { maxLength: 7 })).map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
  fc.tuple(fc.array(hexGroup, { maxLength: 6 }), fc.ipV4()).map(([a, v4]) => `${a.join(':')}::${v4}`),
  fc.ipV6(),
  fc.ipV6().map((s) => s.toUpperCase()),
  fc.ipV6().map((s) => `[${s}]`),
);

test('property: the fast parsers give exactly what the full parser gives', () => {
  fc.assert(
    fc.property(fc.oneof(v6ish, fc.ipV4(), fc.ipV4Extended(), fc.string({ maxLength: 20 })), (text) => {
      assert.deepEqual(parseKey(text), reference(text), text);
      if (parseV4Key(text) >= 0) assert.equal(parseV4Key(text), reference(text));
    }),
    { numRuns: 20_000 },
  );
});

// Runs of zero groups around a `::` (the rules of which run it may stand for), mapped forms.
const fewGroups = fc.array(fc.constantFrom('0', '1', 'ffff', '00', 'a0', '0:0'), { maxLength: 8 });
const zeroRuns = fc.oneof(
  fewGroups.map((g) => g.join(':')),
  fc.tuple(fewGroups, fewGroups).map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
);

test('property: a text is a canonical IPv6 key exactly when parsing gives it back', () => {
  const canonical = fc.ipV6().map((t) => parseV6Key(t)).filter((k): k is string => typeof k === 'string');
  fc.assert(
    fc.property(fc.oneof(canonical, v6ish, zeroRuns, fc.string({ maxLength: 12 })), (text) => {
      assert.equal(isCanonicalV6(text), parseV6Key(text) === text, text);
    }),
    { numRuns: 20_000 },
  );
});

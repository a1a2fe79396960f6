// Signed stream entries: what a host signed is read back; any change is refused, and so is
// any value no ban can mean, however validly signed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { compareIds, decodeEntry, encodeEntry, encodeRaw, idTime, signedBytes, type FleetEntry } from '../../src/fleet/entry.ts';
import { generateHostKey, parseTrustedKeys } from '../../src/fleet/keys.ts';

const NOW = 1_800_000_000;
/** The stream id Redis gives an entry added at NOW. */
const ID = `${NOW * 1000}-0`;
const a = generateHostKey('a');
const KEY = createPrivateKey(a.privatePem);
const opts = { trusted: parseTrustedKeys(a.trustLine).keys, skew: 900 };
const entry: FleetEntry = {
  host: 'a',
  start: NOW,
  items: [
    { op: 'ban', jail: 'sshd', ip: '2001:db8::7', until: NOW + 600, failures: 5 },
    { op: 'ban', jail: 'postfix', ip: '192.0.2.9', until: null, failures: 3 },
    { op: 'unban', jail: '*', ip: '192.0.2.10', until: null, failures: 0 },
  ],
};

const read = (flat: unknown, id = ID) => {
  const d = decodeEntry(id, flat, opts);
  return d.ok ? { ok: true, host: d.host, start: d.start, items: d.items } : d;
};
const itemsOf = (text: string) => read(encodeRaw('a', String(NOW), text, KEY));

test('a signed entry reads back as written', () => {
  assert.deepEqual(read(encodeEntry(entry, KEY)), { ok: true, host: 'a', start: NOW, items: entry.items.map((item) => ({ ok: true, item })) });
});

test('the signature is Ed25519 over the documented bytes, so another tool can publish', () => {
  const items = `ban sshd 192.0.2.1 ${NOW + 60} 1`;
  const sig = sign(null, Buffer.from(`f2b-scan fleet v2\na\n${NOW}\n${items}`), KEY).toString('base64');
  const d = decodeEntry(ID, ['host', 'a', 'start', String(NOW), 'items', items, 'sig', sig], opts);
  assert.equal(d.ok, true);
  assert.deepEqual(signedBytes('a', String(NOW), items), Buffer.from(`f2b-scan fleet v2\na\n${NOW}\n${items}`));
});

test('changing any field of a signed entry after signing gets it dropped', () => {
  const flat = encodeEntry(entry, KEY);
  for (let i = 0; i < flat.length - 2; i += 2) {
    const forged = [...flat];
    forged[i + 1] = forged[i + 1] + '0';
    const r = read(forged);
    assert.equal(r.ok, false, `field ${flat[i]}`);
  }
  // Text moved between start and items does not verify either.
  const moved = encodeRaw('a', `${NOW}`, `ban sshd 192.0.2.1 - 1`, KEY);
  assert.deepEqual(read(['host', 'a', 'start', `${NOW}\nban`, 'items', 'sshd 192.0.2.1 - 1', 'sig', moved[7]]), { ok: false, reason: 'bad value' });
});

test('an entry from a host the trust file does not list, or in a trusted name with another key, is dropped', () => {
  const mallory = createPrivateKey(generateHostKey('mallory').privatePem);
  assert.deepEqual(read(encodeEntry({ ...entry, host: 'mallory' }, mallory)), { ok: false, reason: 'unknown host' });
  assert.deepEqual(read(encodeEntry(entry, mallory)), { ok: false, reason: 'bad signature' });
});

test('a jail name that could not be a chain name is refused even when signed; `*` only in an unban', () => {
  for (const jail of ['sshd;reboot', 'x'.repeat(65), '../../etc', '*']) {
    const r = itemsOf(`ban ${jail} 192.0.2.1 ${NOW + 60} 5`);
    assert.deepEqual(r.ok && r.items, [{ ok: false, reason: 'bad jail' }], jail);
  }
});

test('validly signed times no ban can mean are refused, never thrown on', () => {
  for (const until of ['1e300', String(NOW + 101 * 366 * 86400), String(NOW - 1), String(NOW), 'NaN', 'Infinity', '-1', '']) {
    const r = itemsOf(`ban sshd 192.0.2.1 ${until} 5`);
    assert.deepEqual(r.ok && r.items, [{ ok: false, reason: 'bad time' }], `until ${JSON.stringify(until)}`);
  }
  for (const start of ['-1', '0', '1e400']) {
    assert.deepEqual(read(encodeRaw('a', start, `ban sshd 192.0.2.1 - 5`, KEY)), { ok: false, reason: 'bad time' }, `start ${start}`);
  }
  for (const start of ['NaN', '', 'Infinity', '0x10']) {
    assert.deepEqual(read(encodeRaw('a', start, `ban sshd 192.0.2.1 - 5`, KEY)), { ok: false, reason: 'bad value' }, `start ${start}`);
  }
});

test('a signed start far from the time of its stream id is refused: an old entry copied again, or a clock far off', () => {
  const flat = encodeEntry(entry, KEY);
  assert.equal(read(flat, `${(NOW + 600) * 1000}-0`).ok, true, 'a host 10 minutes behind Redis');
  assert.equal(read(flat, `${(NOW - 600) * 1000}-0`).ok, true, 'a host 10 minutes ahead of Redis');
  assert.deepEqual(read(flat, `${(NOW + 3600) * 1000}-0`), { ok: false, reason: 'time off the stream clock' }, 'copied an hour later');
  assert.deepEqual(read(encodeEntry({ ...entry, start: 0.5 }, KEY)), { ok: false, reason: 'time off the stream clock' });
});

test('failures and addresses are bounded; a field list of the wrong shape is dropped, not thrown on', () => {
  const r = itemsOf(['ban sshd 192.0.2.1 - 1e300', 'ban sshd 192.0.2.1 - 2.5', 'ban sshd $(reboot) - 1', 'ban  sshd 192.0.2.1 - 1', 'block sshd 192.0.2.1 - 1'].join('\n'));
  assert.deepEqual(r.ok && r.items.map((i) => !i.ok && i.reason), ['bad value', 'bad value', 'bad address', 'bad value', 'bad value']);
  assert.deepEqual(decodeEntry(ID, 'not a field list', opts), { ok: false, reason: 'missing field' });
  assert.deepEqual(decodeEntry(ID, [1, 2, null], opts), { ok: false, reason: 'missing field' });
  assert.deepEqual(read(encodeRaw('a', String(NOW), Array(1001).fill('unban * 192.0.2.1 - 0').join('\n'), KEY)), { ok: false, reason: 'bad value' });
});

test('stream ids compare as numbers, not text; text that is no id sorts first', () => {
  assert.equal(compareIds('999-0', '1000-0'), -1);
  assert.equal(compareIds('1000-10', '1000-9'), 1);
  assert.equal(compareIds('1000-1', '1000-1'), 0);
  assert.equal(compareIds('garbage', '0-0'), -1);
  assert.equal(idTime('1800000000000-3'), 1_800_000_000);
  assert.ok(Number.isNaN(idTime('x-1')));
});

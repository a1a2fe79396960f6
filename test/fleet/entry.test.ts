// Signed stream entries: what a key holder wrote is read back; any change is refused, and so
// is any value no ban can mean, however validly signed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds, decodeEntry, encodeEntry, encodeValues, idTime, type FleetEntry } from '../../src/fleet/entry.ts';

const KEY = Buffer.from('entry-test-key-0123456789');
const NOW = 1_800_000_000;
/** The stream id Redis gives an entry added at NOW. */
const ID = `${NOW * 1000}-0`;
const opts = { keys: [KEY], skew: 900 };
const entry: FleetEntry = { op: 'ban', jail: 'sshd', ip: '2001:db8::7', start: NOW, until: NOW + 600, failures: 5, host: 'a' };

const read = (flat: string[], id = ID) => {
  const d = decodeEntry(id, flat, opts);
  return d.ok ? { ok: true, entry: d.entry } : d;
};

test('a signed entry reads back as written', () => {
  assert.deepEqual(read(encodeEntry(entry, KEY)), { ok: true, entry });
});

test('changing any field of a signed entry after signing gets it dropped as a bad signature', () => {
  const flat = encodeEntry(entry, KEY);
  for (let i = 0; i < flat.length - 2; i += 2) {
    const forged = [...flat];
    forged[i + 1] = forged[i + 1] === '' ? '1' : forged[i + 1] + '0';
    assert.deepEqual(read(forged), { ok: false, reason: 'bad signature' }, `field ${flat[i]}`);
  }
});

test('an entry whose fields were shifted between values does not verify', () => {
  // "jail=ssh, ip=d..." must not sign like "jail=sshd, ip=...": the signed text is unambiguous.
  const a = encodeEntry({ ...entry, jail: 'ssh', host: 'da' }, KEY);
  const b = encodeEntry({ ...entry, jail: 'sshd', host: 'a' }, KEY);
  assert.notEqual(a.at(-1), b.at(-1));
});

test('a ban for good (until empty) and an unban read back', () => {
  const forever = { ...entry, until: null };
  assert.deepEqual(read(encodeEntry(forever, KEY)), { ok: true, entry: forever });
  const unban = { ...entry, op: 'unban' as const, until: null, failures: 0 };
  assert.deepEqual(read(encodeEntry(unban, KEY)), { ok: true, entry: unban });
});

test('a jail name that could not be a chain name is refused even when signed', () => {
  for (const jail of ['sshd; reboot', '', 'x'.repeat(65), '../../etc']) {
    assert.deepEqual(read(encodeEntry({ ...entry, jail }, KEY)), { ok: false, reason: 'bad jail' }, jail);
  }
});

test('validly signed times no ban can mean are refused, never thrown on', () => {
  // The values an attacker (or a bug) could sign: each is dropped as a bad time.
  for (const [start, until] of [
    [String(NOW), '1e300'],
    [String(NOW), String(NOW + 101 * 366 * 86400)],
    [String(NOW), String(NOW - 1)],
    [String(NOW), String(NOW)],
    [String(NOW), 'NaN'],
    [String(NOW), 'Infinity'],
    [String(NOW), '-1'],
    ['NaN', String(NOW + 600)],
    ['', String(NOW + 600)],
    ['-1', String(NOW + 600)],
    ['0', String(NOW + 600)],
    ['1e400', ''],
  ] as const) {
    const signed = encodeValues(['ban', 'sshd', '192.0.2.1', start, until, '5', 'a'], KEY);
    assert.deepEqual(read(signed), { ok: false, reason: 'bad time' }, `start ${start}, until ${until}`);
  }
});

test('a signed start far from the time of its stream id is refused: an old entry copied again, or a clock far off', () => {
  const flat = encodeEntry(entry, KEY);
  assert.deepEqual(read(flat, `${(NOW + 600) * 1000}-0`).ok, true, 'a host 10 minutes behind Redis');
  assert.deepEqual(read(flat, `${(NOW - 600) * 1000}-0`).ok, true, 'a host 10 minutes ahead of Redis');
  assert.deepEqual(read(flat, `${(NOW + 3600) * 1000}-0`), { ok: false, reason: 'time off the stream clock' }, 'copied an hour later');
  const old = encodeEntry({ ...entry, start: 0.5, until: NOW + 600 }, KEY);
  assert.deepEqual(read(old), { ok: false, reason: 'time off the stream clock' });
});

test('failures, host and address are bounded too', () => {
  assert.deepEqual(read(encodeEntry({ ...entry, failures: 1e300 }, KEY)), { ok: false, reason: 'bad value' });
  assert.deepEqual(read(encodeEntry({ ...entry, failures: 2.5 }, KEY)), { ok: false, reason: 'bad value' });
  assert.deepEqual(read(encodeEntry({ ...entry, host: 'a b' }, KEY)), { ok: false, reason: 'bad value' });
  assert.deepEqual(read(encodeEntry({ ...entry, ip: '$(reboot)' }, KEY)), { ok: false, reason: 'bad address' });
  assert.deepEqual(decodeEntry(ID, 'not a field list', opts), { ok: false, reason: 'bad signature' });
  assert.deepEqual(decodeEntry(ID, [1, 2, null], opts), { ok: false, reason: 'bad signature' });
});

test('stream ids compare as numbers, not text; text that is no id sorts first', () => {
  assert.equal(compareIds('999-0', '1000-0'), -1);
  assert.equal(compareIds('1000-10', '1000-9'), 1);
  assert.equal(compareIds('1000-1', '1000-1'), 0);
  assert.equal(compareIds('garbage', '0-0'), -1);
  assert.equal(idTime('1800000000000-3'), 1_800_000_000);
  assert.ok(Number.isNaN(idTime('x-1')));
});

// Signed stream entries: what a key holder wrote is read back; any change is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds, decodeEntry, encodeEntry, type FleetEntry } from '../../src/fleet/entry.ts';

const KEY = Buffer.from('entry-test-key-0123456789');
const NOW = 1_800_000_000;
const entry: FleetEntry = { op: 'ban', jail: 'sshd', ip: '2001:db8::7', start: NOW, until: NOW + 600, failures: 5, host: 'a' };

test('a signed entry reads back as written', () => {
  assert.deepEqual(decodeEntry(encodeEntry(entry, KEY), [KEY], NOW), { ok: true, entry });
});

test('changing any field of a signed entry after signing gets it dropped as a bad signature', () => {
  const flat = encodeEntry(entry, KEY);
  for (let i = 0; i < flat.length - 2; i += 2) {
    const forged = [...flat];
    forged[i + 1] = forged[i + 1] === '' ? '1' : forged[i + 1] + '0';
    assert.deepEqual(decodeEntry(forged, [KEY], NOW), { ok: false, reason: 'bad signature' }, `field ${flat[i]}`);
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
  assert.deepEqual(decodeEntry(encodeEntry(forever, KEY), [KEY], NOW), { ok: true, entry: forever });
  const unban = { ...entry, op: 'unban' as const, until: null, failures: 0 };
  assert.deepEqual(decodeEntry(encodeEntry(unban, KEY), [KEY], NOW), { ok: true, entry: unban });
});

test('a jail name that could not be a chain name is refused even when signed', () => {
  const r = decodeEntry(encodeEntry({ ...entry, jail: 'sshd; reboot' }, KEY), [KEY], NOW);
  assert.deepEqual(r, { ok: false, reason: 'bad value' });
});

test('stream ids compare as numbers, not text', () => {
  assert.equal(compareIds('999-0', '1000-0'), -1);
  assert.equal(compareIds('1000-10', '1000-9'), 1);
  assert.equal(compareIds('1000-1', '1000-1'), 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, loadState } from '../../src/state/store.ts';
import { migrateState, StateFormatError } from '../../src/state/migrate.ts';
import { emptyState, STATE_VERSION } from '../../src/state/schema.ts';
import { tempDir } from './helpers.ts';

test('an unversioned (version 0) state is brought to the current version, keeping its bans and failures', () => {
  const v0 = {
    files: { sshd: { '/var/log/auth.log': { dev: 1, ino: 2, offset: 300 } } },
    bans: { sshd: { '192.0.2.7': { start: 100, until: 700, failures: 5, count: 1, origin: 'log' } } },
    failures: { sshd: { '192.0.2.9': { times: [90, 95], lines: ['x'] } } },
  };
  const s = migrate(v0);
  assert.equal(s.version, STATE_VERSION);
  assert.deepEqual(s.bans, v0.bans);
  assert.deepEqual(s.failures, v0.failures);
  // A cursor without size/mtime must not look unchanged, or the idle check would skip new lines.
  assert.deepEqual(s.files.sshd!['/var/log/auth.log'], { dev: 1, ino: 2, offset: 300, size: -1, mtimeMs: -1 });
  assert.deepEqual(s.fleet, emptyState().fleet);
  assert.equal(s.lastRun, null);
  assert.deepEqual(s.started, {});
});

test('a version 0 state on disk loads without being treated as corrupt', async (t) => {
  const path = join(tempDir(t), 'state.json');
  writeFileSync(path, JSON.stringify({ bans: { sshd: { '192.0.2.7': { start: 1, until: null, failures: 5, count: 1, origin: 'manual' } } } }));
  const r = await loadState(path);
  assert.equal(r.recovered, false);
  assert.equal(r.state.version, STATE_VERSION);
  assert.equal(r.state.bans.sshd!['192.0.2.7']!.until, null);
});

test('a current state passes through unchanged', () => {
  const s = emptyState();
  s.bans.sshd = { '192.0.2.1': { start: 1, until: 2, failures: 3, count: 1, origin: 'log' } };
  assert.deepEqual(migrate(structuredClone(s)), s);
});

test('malformed entries are dropped with one warning, the rest of the state kept', () => {
  const raw = {
    version: 1,
    files: { sshd: { '/a': { dev: 1, ino: 2, offset: -5, size: 0, mtimeMs: 0 } } },
    failures: { sshd: { '192.0.2.1': { times: ['yesterday'] }, '192.0.2.2': { times: [1] } } },
    bans: { sshd: { '192.0.2.3': { start: 1, until: 'later' } } },
  };
  const r = migrateState(raw);
  assert.deepEqual(Object.keys(r.state.failures.sshd!), ['192.0.2.2']);
  assert.deepEqual(r.state.files.sshd, {});
  assert.deepEqual(r.state.bans.sshd, {});
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /dropped 3 malformed entries \(files\.sshd\.\/a, failures\.sshd\.192\.0\.2\.1, bans\.sshd\.192\.0\.2\.3\)/);
});

test('newer versions, bad versions and non-objects are refused with StateFormatError', () => {
  assert.throws(() => migrate({ version: STATE_VERSION + 1 }), StateFormatError);
  assert.throws(() => migrate({ version: 'one' }), StateFormatError);
  assert.throws(() => migrate(null), StateFormatError);
  assert.throws(() => migrate('{}'), StateFormatError);
  assert.throws(() => migrate({ version: 1, fleet: { cursor: null } }), /fleet/);
});

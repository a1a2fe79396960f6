import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, loadState, saveState } from '../../src/state/store.ts';
import { migrateState, StateFormatError } from '../../src/state/migrate.ts';
import { emptyState, STATE_VERSION } from '../../src/state/schema.ts';
import { tempDir } from './helpers.ts';
import { stateOf, viewOf } from '../helpers/state-view.ts';

const NOW = 1795514400; // 2026-11-24T10:00:00Z, the clock the v1 fixture was made at

test('an unversioned (version 0) state is brought to the current version, keeping its bans and failures', () => {
  const v0 = {
    files: { sshd: { '/var/log/auth.log': { dev: 1, ino: 2, offset: 300 } } },
    bans: { sshd: { '192.0.2.7': { start: 100, until: 700, failures: 5, count: 1, origin: 'log' } } },
    failures: { sshd: { '192.0.2.9': { times: [90, 95], lines: ['x'] } } },
  };
  const s = migrate(v0);
  assert.equal(s.version, STATE_VERSION);
  const v = viewOf(s);
  assert.deepEqual(v.bans, v0.bans);
  assert.deepEqual(v.failures, { sshd: { '192.0.2.9': { first: 90, last: 95, retry: 2, attempts: 2, times: [90, 95], lines: ['x'] } } });
  // A cursor without size/mtime must not look unchanged, or the idle check would skip new lines.
  assert.deepEqual(s.files.sshd!['/var/log/auth.log'], { dev: 1, ino: 2, offset: 300, size: -1, mtimeMs: -1 });
  assert.deepEqual(s.fleet, emptyState().fleet);
  assert.equal(s.lastRun, null);
  assert.deepEqual(s.started, {});
});

test('a version 1 file written by f2b-scan 0.1 keeps every ban, failure, history and total in the current version', async (t) => {
  // test/state/fixtures/state-v1.json: the file a real 0.1 run left (two jails on one auth.log,
  // bantime.increment in sshd, IPv4 and IPv6 addresses), with the log path made generic.
  const v1 = JSON.parse(readFileSync(new URL('./fixtures/state-v1.json', import.meta.url), 'utf8'));
  const r = migrateState(structuredClone(v1), { now: NOW });
  assert.deepEqual(r.warnings, []);
  const v = viewOf(r.state);
  assert.deepEqual(v.bans, v1.bans);
  assert.deepEqual(v.banHistory, v1.banHistory);
  assert.deepEqual(v.files, v1.files);
  assert.deepEqual(v.totals, v1.totals);
  assert.deepEqual(v.started, v1.started);
  for (const [jail, byIp] of Object.entries(v1.failures as Record<string, Record<string, { times: number[]; lines: string[]; user?: string }>>)) {
    assert.deepEqual(Object.keys(v.failures[jail]!).sort(), Object.keys(byIp).sort(), jail);
    for (const [ip, f] of Object.entries(byIp)) {
      const tk = v.failures[jail]![ip]!;
      assert.deepEqual(tk.times, f.times, `${jail} ${ip}`);
      assert.equal(tk.attempts, f.times.length);
      assert.equal(tk.first, f.times[0]);
      assert.equal(tk.last, f.times.at(-1));
      assert.deepEqual(tk.lines, f.lines);
      assert.equal(tk.user, f.user);
    }
  }
  // Written back as the current version and read again: the same.
  const path = join(tempDir(t), 'state.json');
  await saveState(path, r.state);
  const onDisk = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(onDisk.version, STATE_VERSION);
  assert.equal(onDisk.bans, undefined, 'no object per address any more');
  assert.deepEqual(onDisk.jails.sshd.bans.cols.key, ['2001:db8::a', 3405803785], 'IPv4 as its 32-bit value, IPv6 as text');
  const again = await loadState(path, { now: NOW });
  assert.deepEqual(viewOf(again.state), v);
});

test('a version 0 state on disk loads without being treated as corrupt', async (t) => {
  const path = join(tempDir(t), 'state.json');
  writeFileSync(path, JSON.stringify({ bans: { sshd: { '192.0.2.7': { start: 1, until: null, failures: 5, count: 1, origin: 'manual' } } } }));
  const r = await loadState(path);
  assert.equal(r.recovered, false);
  assert.equal(r.state.version, STATE_VERSION);
  assert.equal(viewOf(r.state).bans.sshd!['192.0.2.7']!.until, null);
});

test('a current state passes through a save and a load unchanged', () => {
  const s = stateOf({ bans: { sshd: { '192.0.2.1': { start: 1, until: 2, failures: 3, count: 1, origin: 'log', from: 'web1', pending: 'ban', error: 'x' } } } });
  assert.deepEqual(viewOf(migrate(JSON.parse(JSON.stringify(s)))), viewOf(s));
});

test('malformed entries are dropped with one warning, the rest of the state kept', () => {
  const raw = {
    version: 1,
    files: { sshd: { '/a': { dev: 1, ino: 2, offset: -5, size: 0, mtimeMs: 0 } } },
    failures: { sshd: { '192.0.2.1': { times: ['yesterday'] }, '192.0.2.2': { times: [1] } } },
    bans: { sshd: { '192.0.2.3': { start: 1, until: 'later' } } },
  };
  const r = migrateState(raw);
  const v = viewOf(r.state);
  assert.deepEqual(Object.keys(v.failures.sshd!), ['192.0.2.2']);
  assert.deepEqual(r.state.files.sshd, {});
  assert.deepEqual(v.bans, {});
  assert.equal(r.warnings.length, 1);
  assert.equal(r.dropped, 3);
  assert.match(r.warnings[0]!, /dropped 3 malformed entries \(failures\.sshd\.192\.0\.2\.1 \(no failure times\), bans\.sshd\.192\.0\.2\.3 \(until later\), files\.sshd\.\/a \(not a file cursor\)\)/);
});

test('newer versions, bad versions, non-objects and broken columns are refused with StateFormatError', () => {
  assert.throws(() => migrate({ version: STATE_VERSION + 1 }), StateFormatError);
  assert.throws(() => migrate({ version: 'one' }), StateFormatError);
  assert.throws(() => migrate(null), StateFormatError);
  assert.throws(() => migrate('{}'), StateFormatError);
  assert.throws(() => migrate({ version: 1, fleet: { cursor: null } }), /fleet/);
  assert.throws(() => migrate({ version: 2, jails: { sshd: { bans: { key: [1, 2], start: [1] } } } }), /bans\.sshd column start/);
});

// Every time read from the state file that is not finite or absurd is dropped or capped with a
// counted warning, never an exception (issue 16.3). Each bad value goes into each place a time
// is read from; the loaded state must then be usable by everything that turns times into dates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateState } from '../../src/state/migrate.ts';
import { loadState } from '../../src/state/store.ts';
import { MAX_AHEAD } from '../../src/state/times.ts';
import { whyNotBannableKey } from '../../src/net/host.ts';
import { keyText } from '../../src/net/key.ts';
import { viewOf, type StateView } from '../helpers/state-view.ts';
import { tempDir } from './helpers.ts';

const NOW = 1795514400;
const BAD: [string, unknown][] = [
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['1e300', 1e300],
  ['-1', -1],
  ['""', ''],
  ['null', null],
];

/** A version 2 state with one of everything that holds a time. */
function base(): Record<string, unknown> {
  return {
    version: 2,
    files: { sshd: { '/var/log/auth.log': { dev: 1, ino: 2, offset: 10, size: 10, mtimeMs: 1 } } },
    jails: {
      sshd: {
        bans: { key: [3221225985], start: [NOW - 60], until: [NOW + 600], failures: [5], count: [1], origin: [0], x: { 0: { ownUntil: NOW + 300, from: 'web1' } } },
        tickets: { key: [3221225986], first: [NOW - 30], last: [NOW - 10], retry: [2], attempts: [2], x: { 0: { times: [NOW - 30, NOW - 10] } } },
      },
    },
    history: { key: [3221225985], count: [1], last: [NOW - 60], bantime: [600], jails: [{ sshd: 1 }] },
    started: {},
    fleet: { cursor: null, outbox: [{ op: 'ban', jail: 'sshd', ip: '192.0.2.1', start: NOW - 60, until: NOW + 600, failures: 5, queuedAt: NOW - 60 }] },
    lastRun: NOW - 60,
    notices: { 'a warning': NOW - 60 },
  };
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PLACES: [string, (s: Raw, v: unknown) => void][] = [
  ['ban start', (s, v) => (s.jails.sshd.bans.start[0] = v)],
  ['ban until', (s, v) => (s.jails.sshd.bans.until[0] = v)],
  ['ban own end (lengthened by the fleet)', (s, v) => (s.jails.sshd.bans.x[0].ownUntil = v)],
  ['ticket first', (s, v) => (s.jails.sshd.tickets.first[0] = v)],
  ['ticket last', (s, v) => (s.jails.sshd.tickets.last[0] = v)],
  ['ticket failure time', (s, v) => (s.jails.sshd.tickets.x[0].times[0] = v)],
  ['history last ban', (s, v) => (s.history.last[0] = v)],
  ['history ban length', (s, v) => (s.history.bantime[0] = v)],
  ['fleet outbox start', (s, v) => (s.fleet.outbox[0].start = v)],
  ['fleet outbox until', (s, v) => (s.fleet.outbox[0].until = v)],
  ['fleet outbox queuedAt', (s, v) => (s.fleet.outbox[0].queuedAt = v)],
  ['lastRun', (s, v) => (s.lastRun = v)],
  ['notice time', (s, v) => (s.notices['a warning'] = v)],
  ['file mtime', (s, v) => (s.files.sshd['/var/log/auth.log'].mtimeMs = v)],
];

/** Values that mean something in that place: null is "for good" or "never", -1 "unknown" or "forever". */
const VALID: Record<string, string[]> = {
  'ban until': ['null'],
  'history ban length': ['null', '-1'],
  'fleet outbox until': ['null'],
  lastRun: ['null'],
  // A file's mtime is compared for equality only: any finite number is as good as another.
  'file mtime': ['-1', '1e300'],
};

/** Every time of the loaded state as a date, the way status, export and the summary show them. */
function everyDate(v: StateView): string[] {
  const out: string[] = [];
  const iso = (t: number | null | undefined) => {
    if (typeof t === 'number') out.push(new Date(t * 1000).toISOString());
  };
  for (const byIp of Object.values(v.bans)) for (const b of Object.values(byIp)) (iso(b.start), iso(b.until), iso(b.ownUntil));
  for (const byIp of Object.values(v.failures)) for (const f of Object.values(byIp)) (iso(f.first), iso(f.last), f.times?.forEach(iso));
  for (const h of Object.values(v.banHistory)) (iso(h.last), iso(h.last + (h.bantime ?? 0)));
  for (const o of v.fleet.outbox) (iso(o.start), iso(o.until), iso(o.queuedAt));
  iso(v.lastRun);
  for (const t of Object.values(v.notices ?? {})) iso(t);
  return out;
}

for (const [place, put] of PLACES) {
  test(`a state whose ${place} is NaN, ±Infinity, 1e300, -1, "" or null loads with a counted warning, never an exception`, () => {
    for (const [label, value] of BAD) {
      const raw = base();
      put(raw, value);
      const r = migrateState(raw, { now: NOW });
      const v = viewOf(r.state);
      assert.doesNotThrow(() => everyDate(v), `${place} = ${label}`);
      assert.doesNotThrow(() => JSON.stringify(r.state), `${place} = ${label}`);
      if (VALID[place]?.includes(label)) {
        assert.equal(r.dropped, 0, `${place} = ${label} is a valid value`);
        continue;
      }
      if (place === 'file mtime') {
        // Not the time of an event: an unusable mtime only makes the next run look at the file
        // again; the cursor stays (dropping it would read the whole log again).
        assert.equal(r.state.files.sshd?.['/var/log/auth.log']?.mtimeMs, -1, `${place} = ${label}`);
      }
      assert.ok(r.dropped > 0, `${place} = ${label}: counted`);
      assert.equal(r.warnings.length, 1, `${place} = ${label}: one warning`);
      assert.match(r.warnings[0]!, /^state: (dropped|capped) /);
    }
  });
}

test('a time far ahead is capped, not dropped: a ban until 1e300 stays a ban for 100 years', () => {
  const raw = base();
  (raw as Raw).jails.sshd.bans.until[0] = 1e300;
  const r = migrateState(raw, { now: NOW });
  const ban = viewOf(r.state).bans.sshd!['192.0.2.1']!;
  assert.equal(ban.until, NOW + MAX_AHEAD);
  assert.match(r.warnings[0]!, /capped 1 time more than 100 years ahead \(bans\.sshd \(until capped\)\)/);
});

test('a state file with 1e999 (Infinity once parsed) and 1e300 in it loads with a warning', async (t) => {
  const path = join(tempDir(t), 'state.json');
  const text = JSON.stringify(base()).replace(`"until":[${NOW + 600}]`, '"until":[1e999]').replace(`"lastRun":${NOW - 60}`, '"lastRun":1e300');
  writeFileSync(path, text);
  const r = await loadState(path, { now: NOW });
  assert.equal(r.recovered, false);
  assert.equal(r.dropped, 2);
  assert.equal(viewOf(r.state).bans.sshd!['192.0.2.1']!.until, NOW + MAX_AHEAD);
  assert.equal(r.state.lastRun, null);
});

test('in a state of 6,000 sane rows, the few poisoned ones deep inside are each found and dropped or repaired', () => {
  const n = 2000;
  const keyOf = (i: number) => (i % 2 ? 3221225984 + i : `2001:db8:${(i + 1).toString(16)}::1`);
  const times = (t: number) => Array.from({ length: n }, () => t);
  const raw = base() as Raw;
  raw.jails.sshd.bans = { key: Array.from({ length: n }, (_, i) => keyOf(i)), start: times(NOW - 60), until: times(NOW + 600), failures: times(5), count: times(1), origin: times(0) };
  raw.jails.sshd.tickets = { key: Array.from({ length: n }, (_, i) => keyOf(i)), first: times(NOW - 30), last: times(NOW - 10), retry: times(2), attempts: times(2) };
  raw.history = { key: Array.from({ length: n }, (_, i) => keyOf(i)), count: times(1), last: times(NOW - 60), bantime: times(600), jails: Array.from({ length: n }, () => ({ sshd: 1 })) };
  raw.jails.sshd.bans.until[1500] = NaN; // dropped
  raw.jails.sshd.bans.key[1700] = '0:0:0:0:0:0:0:1'; // ::1 written long-hand: dropped
  raw.jails.sshd.tickets.first[1200] = NOW - 5; // after its last: repaired
  raw.jails.sshd.tickets.attempts[1999] = -1; // dropped
  raw.history.jails[10] = { sshd: 'x' }; // repaired
  raw.history.key[20] = 'ff02::1'; // multicast: dropped
  const r = migrateState(raw, { now: NOW, keyCheck: whyNotBannableKey });
  assert.equal(r.dropped, 4);
  assert.equal(r.rewrite, true);
  const v = viewOf(r.state);
  assert.equal(Object.keys(v.bans.sshd!).length, n - 2);
  assert.equal(Object.keys(v.failures.sshd!).length, n - 1);
  assert.equal(Object.keys(v.banHistory).length, n - 1);
  assert.equal(v.failures.sshd![keyText(keyOf(1200))]!.first, NOW - 10);
  assert.deepEqual(v.banHistory[keyText(keyOf(10))]!.jails, {});
});

// Version 3 keeps each table as one JSON text beside a hashed summary, read only when a run asks
// for its rows (src/state/table-text.ts). What a user must never notice: a table edited by hand
// or a lying summary changes nothing a version 2 file would not, an untouched table is written
// back as it was, and the commands read such a state as any other.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { migrateState } from '../../src/state/migrate.ts';
import { loadState, saveState } from '../../src/state/store.ts';
import { emptyState, STATE_VERSION } from '../../src/state/schema.ts';
import { banKeyCounts, setBan } from '../../src/state/bans.ts';
import { whyNotBannableKey } from '../../src/net/host.ts';
import { viewOf } from '../helpers/state-view.ts';
import { failedPasswords } from '../run/cli.ts';
import { opsScratch } from '../ops/helpers.ts';
import { tempDir } from './helpers.ts';

const NOW = 1795514400; // 2026-11-24T10:00:00Z

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A version 2 state of `n` sane rows per table, IPv4 and IPv6 keys mixed. */
function v2State(n: number): Raw {
  const keyOf = (i: number) => (i % 2 ? 3221225984 + i : `2001:db8:${(i + 1).toString(16)}::1`);
  const col = (v: unknown) => Array.from({ length: n }, () => structuredClone(v));
  const keys = () => Array.from({ length: n }, (_, i) => keyOf(i));
  return {
    version: 2,
    files: { sshd: { '/var/log/auth.log': { dev: 1, ino: 2, offset: 10, size: 10, mtimeMs: 1 } } },
    jails: {
      sshd: {
        bans: { key: keys(), start: col(NOW - 60), until: col(NOW + 600), failures: col(5), count: col(1), origin: col(0), x: { 3: { from: 'web1' } } },
        tickets: { key: keys(), first: col(NOW - 30), last: col(NOW - 10), retry: col(2), attempts: col(2), x: { 5: { times: [NOW - 30, NOW - 10] } } },
      },
    },
    history: { key: keys(), count: col(1), last: col(NOW - 60), bantime: col(600), jails: col({ sshd: 1 }) },
    started: {},
    fleet: { cursor: null, outbox: [] },
    lastRun: NOW - 60,
  };
}

/** Poisons deep inside each table: each dropped or repaired by the load check. */
function poison(raw: Raw): Raw {
  raw.jails.sshd.bans.until[150] = -5;
  raw.jails.sshd.bans.key[170] = '0:0:0:0:0:0:0:1'; // ::1 written long-hand
  raw.jails.sshd.bans.start[171] = 1e300;
  raw.jails.sshd.tickets.first[120] = NOW - 5; // after its last
  raw.jails.sshd.tickets.attempts[199] = -1;
  raw.history.jails[10] = { sshd: 'x' };
  raw.history.key[20] = 'ff02::1';
  return raw;
}

async function saved(dir: string, raw: Raw): Promise<{ path: string; file: Raw }> {
  const path = join(dir, 'state.json');
  await saveState(path, migrateState(raw, { now: NOW, keyCheck: whyNotBannableKey }).state);
  return { path, file: JSON.parse(readFileSync(path, 'utf8')) };
}

test('a version 2 file loads as it did and is written back as version 3: each table its columns beside its summary', async (t) => {
  const dir = tempDir(t);
  const v2 = v2State(50);
  const path = join(dir, 'state.json');
  writeFileSync(path, JSON.stringify(v2));
  const first = await loadState(path, { now: NOW });
  assert.deepEqual(first.warnings, []);
  assert.equal(first.baseline, null, 'an older version is written back even by a run that changes nothing');
  await saveState(path, first.state);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(file.version, STATE_VERSION);
  const bans = file.jails.sshd.bans;
  assert.equal(bans.cols.key.length, 50);
  assert.equal(bans.rows, 50);
  assert.deepEqual(bans.keys, [25, 25, 0]);
  assert.deepEqual(bans.min, { until: NOW + 600 });
  assert.deepEqual(bans.xf, { from: 1 });
  assert.match(bans.hash, /^[0-9a-f]{64}$/);
  const again = await loadState(path, { now: NOW });
  assert.deepEqual(again.warnings, []);
  assert.notEqual(again.baseline, null, 'a current file read back needs no write');
  assert.deepEqual(viewOf(again.state), viewOf(first.state));
});

test('a version 3 table edited by hand (its hash no longer matches) is checked at once: the drops and warnings of a version 2 file', async (t) => {
  const opts = { now: NOW, keyCheck: whyNotBannableKey };
  const asV2 = migrateState(poison(v2State(200)), opts);
  assert.equal(asV2.dropped, 5);
  // The same poisoned rows put by hand into the tables of a version 3 file, summaries and hashes left as they were.
  const { file } = await saved(tempDir(t), v2State(200));
  const poisoned = poison(v2State(200));
  file.jails.sshd.bans.cols = JSON.stringify(poisoned.jails.sshd.bans);
  file.jails.sshd.tickets.cols = JSON.stringify(poisoned.jails.sshd.tickets);
  file.history.cols = JSON.stringify(poisoned.history);
  const asV3 = migrateState(JSON.parse(JSON.stringify(file)), opts);
  assert.deepEqual(asV3.warnings, asV2.warnings);
  assert.equal(asV3.dropped, asV2.dropped);
  assert.deepEqual(viewOf(asV3.state), { ...viewOf(asV2.state), version: STATE_VERSION });
});

test('a table cut short inside its text (as an older writer kept it, one string) is refused like any file that is not JSON', async (t) => {
  const { path, file } = await saved(tempDir(t), v2State(20));
  file.jails.sshd.tickets.cols = JSON.stringify(file.jails.sshd.tickets.cols).slice(0, 100);
  writeFileSync(path, JSON.stringify(file));
  const r = await loadState(path, { now: NOW });
  assert.equal(r.recovered, true);
  assert.match(r.warnings[0]!, /state table tickets\.sshd is not valid JSON.*moved aside/);
});

test('a summary that says the first ban ends in ten years, under a hash that looks right, does not keep an expired ban', () => {
  const s = opsScratch();
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.5'], '2026-11-24T10:00:00Z').code, 0);
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.6'], '2026-11-24T10:30:00Z').code, 0);
  const file = JSON.parse(readFileSync(s.state, 'utf8'));
  const bans = file.jails.sshd.bans;
  assert.equal(bans.min.until, NOW + 3600);
  bans.min.until = NOW + 10 * 365 * 86400;
  bans.hash = createHash('sha256').update(JSON.stringify(bans.min)).digest('hex');
  writeFileSync(s.state, JSON.stringify(file));

  const run = s.cli(['--json'], '2026-11-24T11:00:01Z');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).unbans.map((u: { ip: string }) => u.ip), ['192.0.2.5']);
  assert.equal(readFileSync(s.dummy, 'utf8'), '+192.0.2.5\n+192.0.2.6\n-192.0.2.5\n');
  // The summary written back is the true one.
  assert.equal(JSON.parse(readFileSync(s.state, 'utf8')).jails.sshd.bans.min.until, NOW + 1800 + 3600);
});

test('tables a run does not change are written back byte for byte when it writes the state', () => {
  const s = opsScratch('maxretry = 3\nfindtime = 1h');
  appendFileSync(s.auth, failedPasswords('192.0.2.20', 3, '2026-11-24T09:59:00Z').join('\n') + '\n');
  appendFileSync(s.auth, failedPasswords('2001:db8::21', 2, '2026-11-24T09:59:00Z').join('\n') + '\n');
  assert.equal(s.cli([], '2026-11-24T10:00:00Z').code, 0);
  const before = readFileSync(s.state, 'utf8');
  const tables = JSON.parse(before);
  const texts = [tables.jails.sshd.bans, tables.jails.sshd.tickets, tables.history].map((t) => JSON.stringify(t));
  for (const text of texts) assert.ok(before.includes(text));

  // A line that matches nothing: the file's cursor moves, the state is written, no table changes.
  appendFileSync(s.auth, 'Nov 24 10:00:30 host sshd[1]: Accepted publickey for root from 192.0.2.99 port 22 ssh2\n');
  assert.equal(s.cli([], '2026-11-24T10:01:00Z').code, 0);
  const after = readFileSync(s.state, 'utf8');
  assert.notEqual(after, before, 'the state was written (its cursor moved)');
  for (const text of texts) assert.ok(after.includes(text), 'a table unchanged is the same bytes');
});

test('status and import read and change a version 3 state as any other', () => {
  const s = opsScratch('maxretry = 3\nfindtime = 1h');
  appendFileSync(s.auth, failedPasswords('192.0.2.20', 3, '2026-11-24T09:59:00Z').join('\n') + '\n');
  appendFileSync(s.auth, failedPasswords('2001:db8::21', 2, '2026-11-24T09:59:00Z').join('\n') + '\n');
  assert.equal(s.cli([], '2026-11-24T10:00:00Z').code, 0);
  assert.equal(JSON.parse(readFileSync(s.state, 'utf8')).version, 3);

  const status = () => JSON.parse(s.cli(['status', '--json'], '2026-11-24T10:05:00Z').stdout).jails[0];
  let j = status();
  assert.equal(j.currentlyFailed, 1);
  assert.equal(j.currentlyBanned, 1);
  assert.deepEqual(j.banned.map((b: { ip: string }) => b.ip), ['192.0.2.20']);

  const list = join(s.dir, 'list.txt');
  writeFileSync(list, '198.51.100.1\n2001:db8::77\n');
  const imp = s.cli(['import', list, '--jail', 'sshd'], '2026-11-24T10:05:00Z');
  assert.equal(imp.code, 0, imp.stderr);
  j = status();
  assert.equal(j.currentlyFailed, 1, 'the failures tracked before are still there');
  assert.deepEqual(j.banned.map((b: { ip: string }) => b.ip).sort(), ['192.0.2.20', '198.51.100.1', '2001:db8::77']);
  assert.equal(readFileSync(s.dummy, 'utf8'), '+192.0.2.20\n+198.51.100.1\n+2001:db8::77\n');
});

test('the summary counts keys per family and the ranges among them (what a reconcile asks without the rows)', async (t) => {
  const path = join(tempDir(t), 'state.json');
  const s = emptyState();
  const ban = { start: NOW, until: NOW + 600, failures: 5, count: 1, origin: 'manual' as const };
  for (const k of [3221225985, '198.51.100.0/24', '2001:db8::5', '2001:db8::/32']) setBan(s, 'sshd', k, ban);
  await saveState(path, s);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).jails.sshd.bans.keys, [2, 2, 2]);
  const r = await loadState(path, { now: NOW });
  assert.deepEqual(banKeyCounts(r.state, 'sshd'), { v4: 2, v6: 2, ranges: 2 });
});

test('a problem found in a table first read late in the run (a clock set back 100 years) is still printed', () => {
  const s = opsScratch('maxretry = 3\nfindtime = 1h');
  // A ban made a hundred years on; the clock then goes back: its times are over 100 years ahead.
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.5'], '2127-11-24T10:00:00Z').code, 0);
  appendFileSync(s.auth, failedPasswords('192.0.2.30', 3, '2026-11-24T09:59:00Z').join('\n') + '\n');
  // The summary says nothing is due: the bans table is first read when the run bans 192.0.2.30.
  const run = s.cli([], '2026-11-24T10:00:00Z');
  assert.match(run.stdout, /ban 192\.0\.2\.30/);
  assert.match(run.stderr, /warning: state: capped 2 times more than 100 years ahead \(bans\.sshd \(start capped\), bans\.sshd \(until capped\)\)/);
  // Counted as an input problem, as the same find at load is (exit 5).
  assert.equal(run.code, 5, run.stderr);
});

test('an operator command that first reads such a table prints its problem too (status)', () => {
  const s = opsScratch();
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.5'], '2127-11-24T10:00:00Z').code, 0);
  // status lists the bans: it reads the table the load left unread.
  const st = s.cli(['status', '--jail', 'sshd'], '2026-11-24T10:00:00Z');
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, /192\.0\.2\.5/);
  assert.match(st.stderr, /warning: state: capped 2 times more than 100 years ahead \(bans\.sshd \(start capped\), bans\.sshd \(until capped\)\)/);
});

// The systemd journal source for real: journal files written by systemd-journal-remote from
// export-format entries we generate, read by the CLI through journalctl (backend =
// systemd[journalpath=<dir>]). It bans, stores the cursor, resumes after it, and reads
// nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, scratch } from '../run/cli.ts';
import { journalArgs, journalLine, journalTime, parseJournalmatch } from '../../src/sources/journal.ts';
import { readStateView } from '../helpers/state-view.ts';
import { journalUnavailable, writeJournal, type JournalEntry } from '../helpers/journal-file.ts';

const skipReason = journalUnavailable();
type Entry = JournalEntry;

const failed = (ip: string, iso: string): Entry => ({ iso, message: `Failed password for root from ${ip} port 4${iso.slice(17, 19)}22 ssh2` });

test('a systemd jail bans from journal entries, resumes after its cursor and reads nothing twice', (t) => {
  if (skipReason) return t.skip(skipReason);
  const dir = scratch('f2b-journal-');
  const journals = join(dir, 'journal');
  mkdirSync(journals);
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  const dummy = join(dir, 'sshd.dummy');
  writeFileSync(
    join(conf, 'jail.local'),
    `[sshd]\nenabled = true\nbackend = systemd[journalpath=${journals}]\nmaxretry = 3\nfindtime = 10m\nbantime = 1h\naction = dummy[target="${dummy}"]\n`,
  );
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n`);
  const state = join(dir, 'state.json');
  const run = (now: string) => {
    const r = f2b(['--config', conf, '--state', state, '--json', '--now', now]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  writeJournal(join(journals, 'a.journal'), [
    // Older than findtime when the first run starts: not read (fail2ban starts at now - findtime).
    failed('192.0.2.12', '2026-11-24T09:00:00Z'),
    failed('192.0.2.12', '2026-11-24T09:00:05Z'),
    failed('192.0.2.12', '2026-11-24T09:00:10Z'),
    failed('192.0.2.10', '2026-11-24T10:00:00Z'),
    // Outside the sshd rule's journalmatch: never fed to the rule.
    { iso: '2026-11-24T10:00:01Z', comm: 'cron', unit: 'cron.service', message: 'Failed password for root from 203.0.113.9 port 1 ssh2' },
    { iso: '2026-11-24T10:00:02Z', comm: 'cron', unit: 'cron.service', message: 'Failed password for root from 203.0.113.9 port 2 ssh2' },
    { iso: '2026-11-24T10:00:03Z', comm: 'cron', unit: 'cron.service', message: 'Failed password for root from 203.0.113.9 port 3 ssh2' },
    failed('192.0.2.10', '2026-11-24T10:00:05Z'),
    failed('192.0.2.10', '2026-11-24T10:00:10Z'),
  ]);

  const first = run('2026-11-24T10:01:00Z');
  assert.deepEqual(first.bans.map((b: { ip: string; until: string }) => [b.ip, b.until]), [['192.0.2.10', '2026-11-24T11:01:00.000Z']]);
  assert.deepEqual(first.files.map((f: { path: string; linesRead: number }) => [f.path, f.linesRead]), [['journal:sshd', 3]]);
  assert.equal(first.failures.sshd, 3);
  const cursor1 = JSON.parse(readFileSync(state, 'utf8')).journals.sshd.cursor;
  assert.match(cursor1, /^s=[0-9a-f]+;i=[0-9a-f]+;/);
  assert.equal(readFileSync(dummy, 'utf8'), '+192.0.2.10\n');

  // New entries arrive (a new journal file beside the first): only they are read.
  writeJournal(join(journals, 'b.journal'), [
    failed('192.0.2.11', '2026-11-24T10:02:00Z'),
    failed('192.0.2.11', '2026-11-24T10:02:05Z'),
  ]);
  const second = run('2026-11-24T10:03:00Z');
  assert.deepEqual(second.files.map((f: { linesRead: number }) => f.linesRead), [2]);
  assert.deepEqual(second.bans, []);
  const s2 = readStateView(state);
  assert.notEqual(s2.journals.sshd!.cursor, cursor1);
  assert.deepEqual(s2.failures.sshd!['192.0.2.11']!.attempts, 2);

  // Nothing new: nothing read, the two failures of 192.0.2.11 are not counted again.
  const third = run('2026-11-24T10:04:00Z');
  assert.deepEqual(third.files.map((f: { linesRead: number }) => f.linesRead), [0]);
  assert.equal(readStateView(state).failures.sshd!['192.0.2.11']!.attempts, 2);

  // The third failure of 192.0.2.11 completes maxretry.
  writeJournal(join(journals, 'c.journal'), [failed('192.0.2.11', '2026-11-24T10:04:30Z')]);
  const fourth = run('2026-11-24T10:05:00Z');
  assert.deepEqual(fourth.files.map((f: { linesRead: number }) => f.linesRead), [1]);
  assert.deepEqual(fourth.bans.map((b: { ip: string }) => b.ip), ['192.0.2.11']);

  // status shows where the jail stands in the journal.
  const st = f2b(['status', 'sshd', '--json', '--config', conf, '--state', state, '--now', '2026-11-24T10:05:00Z']);
  assert.equal(JSON.parse(st.stdout).jails[0].journal.cursor, JSON.parse(readFileSync(state, 'utf8')).journals.sshd.cursor);
});

test("the jail's journalmatch wins over the rule's; journalfiles takes a glob of journal files", (t) => {
  if (skipReason) return t.skip(skipReason);
  const dir = scratch('f2b-journal-');
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  writeFileSync(
    join(conf, 'jail.local'),
    `[sshd]\nenabled = true\nbackend = systemd[journalfiles="${dir}/*.journal"]\njournalmatch = _PID=777\nmaxretry = 2\n`,
  );
  writeJournal(join(dir, 'x.journal'), [
    { ...failed('192.0.2.70', '2026-11-24T10:00:00Z'), pid: 777 },
    { ...failed('192.0.2.70', '2026-11-24T10:00:01Z'), pid: 777 },
    { ...failed('192.0.2.71', '2026-11-24T10:00:02Z'), pid: 778 },
    { ...failed('192.0.2.71', '2026-11-24T10:00:03Z'), pid: 778 },
  ]);
  const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--json', '--dry-run', '--now', '2026-11-24T10:01:00Z']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.files.map((f: { linesRead: number }) => f.linesRead), [2]);
  assert.deepEqual(out.bans.map((b: { ip: string }) => b.ip), ['192.0.2.70']);
});

test('a jail with backend = auto and a logpath reads its files, not the journal', (t) => {
  if (skipReason) return t.skip(skipReason);
  const dir = scratch('f2b-journal-');
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nbackend = auto\nlogpath = ${log}\n`);
  const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--json', '--dry-run', '--now', '2026-11-24T10:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).files.map((f: { path: string }) => f.path), [log]);
});

test('entries become the line fail2ban feeds its filters, timed by the journal', () => {
  assert.equal(
    journalLine({ _HOSTNAME: 'web1', SYSLOG_IDENTIFIER: 'sshd', _PID: '0042', MESSAGE: 'Failed password\nfor x' }),
    'web1 sshd[42]: Failed password\\nfor x',
  );
  assert.equal(journalLine({ _COMM: 'kernel', __MONOTONIC_TIMESTAMP: '12345678', MESSAGE: 'x' }), 'kernel: [   12.345678] x');
  // A non-UTF-8 message comes as bytes; a field written twice, as a list.
  assert.equal(journalLine({ MESSAGE: [104, 105] }), 'hi');
  assert.equal(journalLine({ SYSLOG_IDENTIFIER: ['a', 'b'], MESSAGE: ['m1', 'm2'] }), 'a: m1 m2');
  assert.equal(journalTime({ __REALTIME_TIMESTAMP: '1795600000500000' }), 1795600000.5);
  assert.equal(journalTime({ _SOURCE_REALTIME_TIMESTAMP: '1000000', __REALTIME_TIMESTAMP: '2000000' }), 1);
  // Match terms never become options.
  assert.match(String(parseJournalmatch('--output=cat')), /is not FIELD=value/);
  assert.deepEqual(journalArgs({ files: [], matches: ['_COMM=sshd'] }, 'c1', 0).slice(-3), ['--after-cursor=c1', '--', '_COMM=sshd']);
});

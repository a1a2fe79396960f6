// The operator commands through the real CLI, on the dummy action (its file is the firewall).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords } from '../run/cli.ts';
import { opsScratch } from './helpers.ts';
import { readStateView } from '../helpers/state-view.ts';

test('ban puts addresses in the jail for its bantime, normalised, one line each, and the firewall holds them', () => {
  const s = opsScratch();
  const r = s.cli(['ban', 'sshd', '192.0.2.5', '::ffff:192.0.2.6', '2001:DB8:0::7']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    ['192.0.2.5', '192.0.2.6', '2001:db8::7'].map((ip) => `ban ${ip} in sshd until 2026-11-24T11:00:00.000Z\n`).join(''),
  );
  assert.equal(readFileSync(s.dummy, 'utf8'), '+192.0.2.5\n+192.0.2.6\n+2001:db8::7\n');
  const state = readStateView(s.state);
  assert.equal(state.bans.sshd!['192.0.2.5']!.origin, 'manual');
  assert.match(readFileSync(s.own, 'utf8'), /f2b-scan\.actions \[\d+\]: NOTICE  \[sshd\] Ban 192\.0\.2\.5\n/);

  // Banned already: said so, nothing applied twice.
  const again = s.cli(['ban', 'sshd', '192.0.2.5']);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, /192\.0\.2\.5 is already banned in sshd until 2026-11-24T11:00:00\.000Z/);
  assert.equal(readFileSync(s.dummy, 'utf8').split('\n').filter((l) => l === '+192.0.2.5').length, 1);

  // The next cron run after the hour lifts it like any other ban.
  const run = s.cli(['--json'], '2026-11-24T11:00:01Z');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).unbans.length, 3);
});

test('a bad address or an unknown jail is a one-line error with exit code 2, and nothing is banned', () => {
  const s = opsScratch();
  const bad = s.cli(['ban', 'sshd', '192.0.2.5', '192.0.2.300']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'f2b-scan: not an IP address or range: "192.0.2.300"\n');
  const jail = s.cli(['ban', 'nope', '192.0.2.5']);
  assert.equal(jail.code, 2);
  assert.match(jail.stderr, /^f2b-scan: .*\[nope\]: unknown jail "nope"\n$/);
  assert.equal(existsSync(s.dummy), false);
  assert.equal(existsSync(s.state), false);
});

test('ban --dry-run prints what it would do and changes nothing', () => {
  const s = opsScratch();
  const r = s.cli(['ban', 'sshd', '192.0.2.5', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'would ban 192.0.2.5 in sshd until 2026-11-24T11:00:00.000Z\n');
  assert.equal(existsSync(s.dummy), false);
  assert.equal(existsSync(s.state), false);
  assert.equal(existsSync(s.own), false, 'no own log line in a dry run');
});

test('unban lifts an address in every jail; --all --jail empties one jail; an unknown address is said', () => {
  const s = opsScratch();
  appendFileSync(join(s.conf, 'jail.local'), `[other]\nenabled = true\nfilter = sshd\nlogpath = ${s.auth}\nbantime = 1h\naction = dummy[target="${join(s.dir, 'other.dummy')}"]\n`);
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.5', '192.0.2.6']).code, 0);
  assert.equal(s.cli(['ban', 'other', '192.0.2.5']).code, 0);

  const one = s.cli(['unban', '192.0.2.5', '198.51.100.1']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, 'unban 192.0.2.5 in sshd\nunban 192.0.2.5 in other\n');
  assert.match(one.stderr, /198\.51\.100\.1 is not banned/);
  assert.equal(readFileSync(s.dummy, 'utf8'), '+192.0.2.5\n+192.0.2.6\n-192.0.2.5\n');
  assert.equal(readFileSync(join(s.dir, 'other.dummy'), 'utf8'), '+192.0.2.5\n-192.0.2.5\n');
  assert.match(readFileSync(s.own, 'utf8'), /NOTICE  \[other\] Unban 192\.0\.2\.5\n$/);

  assert.equal(s.cli(['ban', 'other', '192.0.2.9']).code, 0);
  const all = s.cli(['unban', '--all', '--jail', 'sshd']);
  assert.equal(all.stdout, 'unban 192.0.2.6 in sshd\n');
  const state = readStateView(s.state);
  assert.equal(state.bans.sshd, undefined);
  assert.deepEqual(Object.keys(state.bans.other!), ['192.0.2.9']);

  const both = s.cli(['unban', '--all', '192.0.2.9']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /name addresses, or --all/);
});

test('status --json shows files with offsets, failures now and in total, bans with expiry and in total', () => {
  const s = opsScratch('maxretry = 3\nfindtime = 10m');
  appendFileSync(s.auth, failedPasswords('192.0.2.20', 3, '2026-11-24T09:59:00Z').join('\n') + '\n');
  appendFileSync(s.auth, failedPasswords('192.0.2.21', 2, '2026-11-24T09:59:00Z').join('\n') + '\n');
  assert.equal(s.cli([], '2026-11-24T10:00:00Z').code, 0);
  assert.equal(s.cli(['ban', 'sshd', '2001:db8::9']).code, 0);

  const r = s.cli(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const st = JSON.parse(r.stdout);
  assert.equal(st.jails.length, 1);
  const j = st.jails[0];
  assert.equal(j.name, 'sshd');
  assert.deepEqual(j.files.map((f: { path: string; offset: number }) => [f.path, f.offset]), [[s.auth, readFileSync(s.auth).length]]);
  assert.equal(j.currentlyFailed, 1);
  assert.equal(j.totalFailed, 5);
  assert.equal(j.currentlyBanned, 2);
  assert.equal(j.totalBanned, 2);
  assert.deepEqual(
    j.banned.map((b: { ip: string; until: string; origin: string }) => [b.ip, b.until, b.origin]),
    [
      ['192.0.2.20', '2026-11-24T11:00:00.000Z', 'log'],
      ['2001:db8::9', '2026-11-24T11:00:00.000Z', 'manual'],
    ],
  );

  // The failures age out of findtime; the totals stay.
  const later = JSON.parse(s.cli(['status', '--json'], '2026-11-24T10:30:00Z').stdout).jails[0];
  assert.equal(later.currentlyFailed, 0);
  assert.equal(later.totalFailed, 5);

  const text = s.cli(['status', 'sshd']).stdout;
  assert.match(text, /^Status for the jail: sshd\n/);
  assert.match(text, /Currently banned:\t2\n/);
  assert.match(text, /Banned IP list:\t192\.0\.2\.20 \(until 2026-11-24T11:00:00\.000Z\) 2001:db8::9/);
  assert.equal(s.cli(['status']).stdout, 'Status\n|- Number of jail:\t1\n`- Jail list:\tsshd\n');
});

test('get names the effective value, the file and line that set it, and the layer it overrides', () => {
  const s = opsScratch('maxretry = 3');
  const r = s.cli(['get', 'sshd', 'maxretry', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout);
  assert.equal(g.value, '3');
  assert.equal(g.file, join(s.conf, 'jail.local'));
  assert.equal(g.line, 6);
  assert.equal(g.section, 'sshd');
  assert.ok(g.layers.some((l: { section: string; inForce: boolean; value: string }) => l.section === 'DEFAULT' && !l.inForce && l.value === '5'));

  const text = s.cli(['get', 'sshd', 'bantime']);
  assert.equal(text.stdout.split('\n')[0], '1h');
  assert.equal(text.stdout.split('\n')[1], `  from ${join(s.conf, 'jail.local')}:4 [sshd]`);

  // Interpolated values show what was written too.
  const lp = JSON.parse(s.cli(['get', 'sshd', 'action', '--json']).stdout);
  assert.match(lp.value, /^dummy\[target=/);
  const none = s.cli(['get', 'sshd', 'nosuchkey']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /\[sshd\] nosuchkey: not set in \[sshd\] nor in \[DEFAULT\]/);
});

test('export prints the bans in force as a list, an ipset restore file and JSON; expired bans are left out', () => {
  const s = opsScratch();
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.5', '2001:db8::7']).code, 0);
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.6'], '2026-11-24T10:30:00Z').code, 0);
  const at = '2026-11-24T10:40:00Z';
  assert.equal(s.cli(['export'], at).stdout, '192.0.2.5\n192.0.2.6\n2001:db8::7\n');
  assert.equal(
    s.cli(['export', '--format', 'ipset', '--set', 'blocked'], at).stdout,
    [
      'create blocked hash:net family inet timeout 0 -exist',
      'add blocked 192.0.2.5 timeout 1200 -exist',
      'add blocked 192.0.2.6 timeout 3000 -exist',
      'create blocked6 hash:net family inet6 timeout 0 -exist',
      'add blocked6 2001:db8::7 timeout 1200 -exist',
      '',
    ].join('\n'),
  );
  const doc = JSON.parse(s.cli(['export', '--format', 'json'], at).stdout);
  assert.equal(doc.f2bScanExport, 1);
  assert.deepEqual(doc.bans.map((b: { ip: string; until: number }) => [b.ip, b.until]), [
    ['192.0.2.5', Date.parse('2026-11-24T11:00:00Z') / 1000],
    ['192.0.2.6', Date.parse('2026-11-24T11:30:00Z') / 1000],
    ['2001:db8::7', Date.parse('2026-11-24T11:00:00Z') / 1000],
  ]);
  // After the first hour only the later ban is in force.
  assert.equal(s.cli(['export'], '2026-11-24T11:10:00Z').stdout, '192.0.2.6\n');
});

test('import bans a JSON export until the times it gives, and a plain list for the jail bantime or --bantime', () => {
  const from = opsScratch();
  assert.equal(from.cli(['ban', 'sshd', '192.0.2.5', '2001:db8::7']).code, 0);
  const file = join(from.dir, 'bans.json');
  writeFileSync(file, from.cli(['export', '--format', 'json'], '2026-11-24T10:20:00Z').stdout);

  const to = opsScratch();
  const r = to.cli(['import', file, '--jail', 'sshd'], '2026-11-24T10:20:00Z');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ban 192.0.2.5 in sshd until 2026-11-24T11:00:00.000Z\nban 2001:db8::7 in sshd until 2026-11-24T11:00:00.000Z\n');
  assert.equal(readFileSync(to.dummy, 'utf8'), '+192.0.2.5\n+2001:db8::7\n');
  assert.equal(readStateView(to.state).bans.sshd!['192.0.2.5']!.origin, 'import');
  // They run out at the times the exporting host gave.
  const run = to.cli(['--json'], '2026-11-24T11:00:01Z');
  assert.deepEqual(JSON.parse(run.stdout).unbans.map((u: { ip: string }) => u.ip).sort(), ['192.0.2.5', '2001:db8::7']);

  const list = join(to.dir, 'list.txt');
  writeFileSync(list, '# from the other host\n198.51.100.1\n\nnot-an-address\n198.51.100.2  # with a comment\n');
  const l = to.cli(['import', list, '--jail', 'sshd', '--bantime', '2h'], '2026-11-24T12:00:00Z');
  assert.equal(l.code, 5, 'a skipped line is an input warning');
  assert.equal(l.stdout, 'ban 198.51.100.1 in sshd until 2026-11-24T14:00:00.000Z\nban 198.51.100.2 in sshd until 2026-11-24T14:00:00.000Z\n');
  assert.match(l.stderr, /list\.txt:4: not an IP address or range: "not-an-address"/);

  const plain = to.cli(['import', list, '--jail', 'sshd', '--dry-run'], '2026-11-24T15:00:00Z');
  assert.match(plain.stdout, /^would ban 198\.51\.100\.1 in sshd until 2026-11-24T16:00:00\.000Z$/m);
});

test('import reads an ipset restore file: its timeouts are the expiry; timeout 0 (for good) is cut to one week with a warning', () => {
  const s = opsScratch();
  const file = join(s.dir, 'set.restore');
  writeFileSync(file, 'create x hash:ip family inet timeout 0 -exist\nadd x 192.0.2.30 timeout 600 -exist\nadd x 192.0.2.31 timeout 0 -exist\n');
  const r = s.cli(['import', file, '--jail', 'sshd']);
  // Another host's file bans for at most maxtime (issue 16.3); --bantime -1 is the operator's "for good".
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /set\.restore: 1 ban without end or longer than 604800 s .* cut to that \(lines 3\); use --bantime to choose/);
  assert.equal(r.stdout, 'ban 192.0.2.30 in sshd until 2026-11-24T10:10:00.000Z\nban 192.0.2.31 in sshd until 2026-12-01T10:00:00.000Z\n');
});

// fail2ban's dbpurgeage (fail2ban.conf [Definition]): how long an address's ban count outlives its
// last ban. Read from f2b-scan.local/.conf, else the fail2ban.local/.conf of a fail2ban
// configuration directory, else fail2ban's 1d; `get <jail> dbpurgeage` shows it and its place,
// and the run forgets ban counts after it (bantime.increment starts over).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch, sshdConfig } from '../run/cli.ts';

function setup(extra = ''): { dir: string; conf: string; args: (now: string) => string[] } {
  const dir = scratch('f2b-dbpurge-');
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const conf = sshdConfig(dir, log, `bantime = 1m\nbantime.increment = true\naction = dummy[target=${join(dir, 'dummy')}]\n${extra}`);
  return { dir, conf, args: (now) => ['--config', conf, '--state', join(dir, 'state.json'), '--now', now, '--json'] };
}

test('get <jail> dbpurgeage: fail2ban\'s 1d by default, else fail2ban.local/.conf, else f2b-scan.local, with the place', () => {
  const s = setup();
  const get = () => JSON.parse(f2b(['get', 'sshd', 'dbpurgeage', '--json', '--config', s.conf]).stdout);
  assert.deepEqual([get().value, get().file], ['1d', "fail2ban's default"]);
  assert.equal(f2b(['get', 'sshd', 'dbpurgeage', '--config', s.conf]).stdout, "1d\n  fail2ban's default (set it in [Definition] of f2b-scan.local)\n");
  writeFileSync(join(s.conf, 'fail2ban.conf'), '[Definition]\nloglevel = INFO\ndbpurgeage = 2d\n');
  assert.deepEqual([get().value, get().file, get().line], ['2d', join(s.conf, 'fail2ban.conf'), 3]);
  writeFileSync(join(s.conf, 'fail2ban.local'), '[Definition]\ndbpurgeage = 3d\n');
  assert.equal(get().value, '3d');
  writeFileSync(join(s.conf, 'f2b-scan.local'), '[Definition]\ndbpurgeage = 7d\n');
  const text = f2b(['get', 'sshd', 'dbpurgeage', '--config', s.conf]);
  assert.equal(text.stdout, `7d\n  from ${join(s.conf, 'f2b-scan.local')}:2 [Definition]\n`);
  writeFileSync(join(s.conf, 'f2b-scan.local'), '[Definition]\ndbpurgeage = soon\n');
  const bad = f2b(['get', 'sshd', 'dbpurgeage', '--config', s.conf]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /f2b-scan\.local:2 \[Definition\] dbpurgeage: "soon" is not a duration/);
});

/** Ban 192.0.2.5 at 10:00, let it expire, run idle at 11:30, ban it again at 12:00: the second ban's length in seconds. */
function secondBan(mainFile: string | null): number {
  const s = setup();
  if (mainFile !== null) writeFileSync(join(s.conf, 'f2b-scan.local'), mainFile);
  const log = join(s.dir, 'auth.log');
  writeFileSync(log, failedPasswords('192.0.2.5', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const first = f2b(s.args('2026-11-24T10:01:00Z'));
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).bans.length, 1);
  // A cron run in between (fail2ban purges its database on a timer, f2b-scan at every run).
  assert.equal(f2b(s.args('2026-11-24T11:30:00Z')).code, 0);
  appendFileSync(log, failedPasswords('192.0.2.5', 5, '2026-11-24T12:00:00Z').join('\n') + '\n');
  const second = f2b(s.args('2026-11-24T12:01:00Z'));
  assert.equal(second.code, 0, second.stderr);
  const ban = JSON.parse(second.stdout).bans[0];
  return (Date.parse(ban.until) - Date.parse('2026-11-24T12:01:00Z')) / 1000;
}

test('the run forgets a ban count after dbpurgeage: with 1d the second ban is doubled, with 1h it starts over', () => {
  assert.equal(secondBan(null), 120);
  assert.equal(secondBan('[Definition]\ndbpurgeage = 1h\n'), 60);
});

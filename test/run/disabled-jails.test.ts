// A cron run resolves only the enabled jails: a broken jail nobody enabled neither stops it nor
// fills its output, yet a jail disabled since it banned still gets its bans lifted on time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch, sshdConfig } from './cli.ts';

test('a jail disabled since its ban: the run lifts the ban through its action; a broken disabled jail is only check-config\'s business', () => {
  const dir = scratch('f2b-disabled-');
  const auth = join(dir, 'auth.log');
  const quiet = join(dir, 'quiet.log');
  const banned = join(dir, 'banned');
  writeFileSync(auth, failedPasswords('192.0.2.50', 3, '2026-11-24T10:00:00Z').join('\n') + '\n');
  writeFileSync(quiet, '');
  const conf = sshdConfig(dir, auth, `maxretry = 3\nbantime = 10m\naction = dummy[target="${banned}"]`);
  const state = join(dir, 'state.json');
  assert.equal(f2b(['--config', conf, '--state', state, '--now', '2026-11-24T10:01:00Z']).code, 0);
  assert.equal(readFileSync(banned, 'utf8'), '+192.0.2.50\n');

  writeFileSync(
    join(conf, 'jail.local'),
    [
      '[sshd]', 'enabled = false', `logpath = ${auth}`, `action = dummy[target="${banned}"]`, '',
      '[web]', 'enabled = true', 'filter = sshd', `logpath = ${quiet}`, '',
      '[broken]', 'enabled = false', 'maxretry = lots', 'logpath = %(nope)s', '',
    ].join('\n'),
  );
  const r = f2b(['--config', conf, '--state', state, '--now', '2026-11-24T10:12:00Z', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.unbans, [{ jail: 'sshd', ip: '192.0.2.50' }]);
  assert.deepEqual(out.warnings, []);
  assert.equal(readFileSync(banned, 'utf8'), '+192.0.2.50\n-192.0.2.50\n');

  const check = f2b(['check-config', '--config', conf]);
  assert.match(check.stderr, /jail\.local:\d+ \[broken\] maxretry: "lots" is not a whole number/);
});

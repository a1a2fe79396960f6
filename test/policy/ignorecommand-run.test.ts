// ignorecommand through the real CLI: fail2ban's usual form with the address quoted inside a
// script works (the whitelisted address is not banned, the other is); a command f2b-scan cannot
// run without a shell, in one jail's own section, skips that jail alone (one line, exit 2) and
// the other jails still ban; the same line in [DEFAULT] stops the run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, REPO, scratch } from '../run/cli.ts';

const NOW = '2026-11-24T10:05:00Z';
const skip = existsSync(join(REPO, 'dist', 'cli.js')) ? false : 'dist/cli.js is missing: run `npm run build` first';

function setup(jails: string): { args: string[] } {
  const dir = scratch('f2b-ignorecmd-run-');
  const log = join(dir, 'auth.log');
  writeFileSync(log, [...failedPasswords('203.0.113.5', 5, '2026-11-24T10:00:00Z'), ...failedPasswords('198.51.100.5', 5, '2026-11-24T10:01:00Z')].join('\n') + '\n');
  writeFileSync(join(dir, 'whitelist'), '203.0.113.5\n');
  writeFileSync(join(dir, 'jail.local'), jails.replaceAll('LOG', log).replaceAll('DIR', dir));
  return { args: ['--config', dir, '--state', join(dir, 'state.json'), '--now', NOW, '--dry-run', '--json'] };
}

const bans = (stdout: string) => JSON.parse(stdout).bans.map((b: { jail: string; ip: string }) => `${b.jail} ${b.ip}`).sort();

test('the address quoted inside an ignorecommand script keeps a whitelisted address from being banned', { skip }, () => {
  const { args } = setup(`[sshd]\nenabled = true\nlogpath = LOG\nignoreself = false\nignorecommand = /bin/sh -c 'grep -qx "<ip>" DIR/whitelist'\n`);
  const r = f2b(args);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(bans(r.stdout), ['sshd 198.51.100.5']);
});

test('an ignorecommand that needs a shell skips only its own jail (one line, exit 2); from [DEFAULT] it stops the run', { skip }, () => {
  const jails = `[sshd]\nenabled = true\nlogpath = LOG\n\n[sshd-piped]\nenabled = true\nfilter = sshd\nlogpath = LOG\nignorecommand = grep -q <ip> DIR/whitelist | true\n`;
  const { args } = setup(jails);
  const r = f2b(args);
  assert.equal(r.code, 2, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => /error/.test(l));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, /jail\.local:9 \[sshd-piped\] ignorecommand: .*"\|" is shell syntax.*\(jail \[sshd-piped\] skipped\)/);
  assert.deepEqual(bans(r.stdout), ['sshd 198.51.100.5', 'sshd 203.0.113.5']);

  const d = f2b(setup(`[DEFAULT]\nignorecommand = grep -q <ip> DIR/whitelist | true\n\n${jails}`).args);
  assert.equal(d.code, 2, d.stderr);
  assert.match(d.stderr, /jail\.local:2 \[DEFAULT\] ignorecommand: .*"\|" is shell syntax/);
  assert.equal(d.stdout.trim(), '');
});

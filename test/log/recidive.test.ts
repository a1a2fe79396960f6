// The own log through the real CLI: successive cron runs write fail2ban-style Ban lines, and
// a recidive jail over that log bans the address the third time sshd banned it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch } from '../run/cli.ts';

function setup() {
  const dir = scratch('f2b-ownlog-');
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  const auth = join(dir, 'auth.log');
  const own = join(dir, 'f2b-scan.log');
  writeFileSync(auth, '');
  writeFileSync(own, '');
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${own}\n`);
  writeFileSync(
    join(conf, 'jail.local'),
    [
      '[sshd]',
      'enabled = true',
      `logpath = ${auth}`,
      'maxretry = 3',
      'findtime = 10m',
      'bantime = 1m',
      `action = dummy[target="${join(dir, 'sshd.dummy')}"]`,
      '',
      '[recidive]',
      'enabled = true',
      `logpath = ${own}`,
      'maxretry = 3',
      'findtime = 1d',
      'bantime = 1w',
      `action = dummy[target="${join(dir, 'recidive.dummy')}"]`,
      '',
    ].join('\n'),
  );
  const run = (now: string, extra: string[] = []) => f2b(['--config', conf, '--state', join(dir, 'state.json'), '--json', '--now', now, ...extra]);
  return { dir, auth, own, run };
}

test('the own log has fail2ban-style Found, Ban and Unban lines, and a dry run writes none', () => {
  const s = setup();
  appendFileSync(s.auth, failedPasswords('192.0.2.9', 3, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const dry = s.run('2026-11-24T10:01:00Z', ['--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(readFileSync(s.own, 'utf8'), '');

  assert.equal(s.run('2026-11-24T10:01:00Z').code, 0);
  assert.equal(s.run('2026-11-24T10:03:00Z').code, 0);
  const lines = readFileSync(s.own, 'utf8').trimEnd().split('\n');
  const re = (body: string) => new RegExp(`^2026-11-24 10:0\\d:00,000 ${body}$`);
  assert.match(lines[0]!, re(`f2b-scan\\.filter \\[\\d+\\]: INFO    \\[sshd\\] Found 192\\.0\\.2\\.9 - 2026-11-24 10:00:00`));
  assert.equal(lines.filter((l) => / f2b-scan\.filter \[\d+\]: INFO {4}\[sshd\] Found 192\.0\.2\.9 - /.test(l)).length, 3);
  assert.ok(lines.some((l) => re(`f2b-scan\\.actions \\[\\d+\\]: NOTICE  \\[sshd\\] Ban 192\\.0\\.2\\.9`).test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => re(`f2b-scan\\.actions \\[\\d+\\]: NOTICE  \\[sshd\\] Unban 192\\.0\\.2\\.9`).test(l)), lines.join('\n'));
});

test('a recidive jail over the own log bans an address sshd banned three times', () => {
  const s = setup();
  const ip = '198.51.100.23';
  // Three rounds: failures, a ban, the ban runs out (bantime 1m), the attacker comes back.
  for (const [i, minute] of [0, 5, 10].entries()) {
    const t0 = `2026-11-24T10:${String(minute).padStart(2, '0')}:00Z`;
    appendFileSync(s.auth, failedPasswords(ip, 3, t0).join('\n') + '\n');
    const r = s.run(`2026-11-24T10:${String(minute + 1).padStart(2, '0')}:00Z`);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.bans.map((b: { jail: string }) => b.jail), ['sshd'], `round ${i + 1}: ${r.stdout}`);
  }
  const banLines = readFileSync(s.own, 'utf8').split('\n').filter((l) => l.includes(`[sshd] Ban ${ip}`));
  assert.equal(banLines.length, 3);

  // The next run reads the third Ban line: recidive has its maxretry of 3.
  const r = s.run('2026-11-24T10:12:00Z');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.bans.map((b: { jail: string; ip: string }) => [b.jail, b.ip]), [['recidive', ip]]);
  assert.equal(out.bans[0].until, '2026-12-01T10:12:00.000Z');
  assert.equal(readFileSync(join(s.dir, 'recidive.dummy'), 'utf8'), `+${ip}\n`);
  // Its own Ban line is there, and recidive does not count it against itself next time.
  assert.match(readFileSync(s.own, 'utf8'), new RegExp(`NOTICE  \\[recidive\\] Ban ${ip.replace(/\./g, '\\.')}\\n$`));
});

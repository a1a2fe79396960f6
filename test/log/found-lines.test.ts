// The own log's Found lines of a run with many failures: every one, in the order of the log,
// before the run's Ban lines (they are appended in batches while the scan goes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch, sshdConfig } from '../run/cli.ts';

/** 10,000 addresses failing once each (about 900 KB of Found lines), then one failing five times. */
function attack(dir: string): { auth: string; ips: string[] } {
  const ips = Array.from({ length: 10_000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
  const lines = ips.map((ip, i) => failedPasswords(ip, 1, new Date(Date.parse('2026-11-24T09:00:00Z') + i * 100).toISOString())[0]!);
  lines.push(...failedPasswords('192.0.2.77', 5, '2026-11-24T09:30:00Z'));
  const auth = join(dir, 'auth.log');
  writeFileSync(auth, lines.join('\n') + '\n');
  return { auth, ips: [...ips, ...Array(5).fill('192.0.2.77')] };
}

test('a run with 10,005 failures logs 10,005 Found lines in log order, then its Ban line', () => {
  const dir = scratch('f2b-found-');
  const { auth, ips } = attack(dir);
  const conf = sshdConfig(dir, auth, `maxretry = 5\nfindtime = 1d\naction = dummy[target="${join(dir, 'd')}"]`);
  const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--now', '2026-11-24T10:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(join(dir, 'own.log'), 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the log ends with a newline');
  assert.equal(lines.length, ips.length + 1);
  const found = lines.slice(0, -1).map((l) => /^2026-11-24 10:00:00,000 f2b-scan\.filter \[\d+\]: INFO {4}\[sshd\] Found (\S+) - 2026-11-24 09:\d\d:\d\d$/.exec(l)?.[1] ?? l);
  assert.deepEqual(found, ips);
  assert.match(lines.at(-1)!, /^2026-11-24 10:00:00,000 f2b-scan\.actions \[\d+\]: NOTICE  \[sshd\] Ban 192\.0\.2\.77$/);
});

test('an own log that cannot be written: the run still bans, and says so in one line', () => {
  const dir = scratch('f2b-found-');
  const { auth } = attack(dir);
  const conf = sshdConfig(dir, auth, `maxretry = 5\nfindtime = 1d\naction = dummy[target="${join(dir, 'd')}"]`);
  // A directory where the log file should be: every append fails.
  const own = join(dir, 'own.log');
  mkdirSync(own);
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${own}\n`);
  const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--now', '2026-11-24T10:00:00Z', '--json']);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.bans.map((b: { ip: string }) => b.ip), ['192.0.2.77']);
  assert.equal(out.warnings.filter((w: string) => w.includes(own)).length, 1, out.warnings.join('\n'));
});

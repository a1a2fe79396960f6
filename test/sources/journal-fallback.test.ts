// Debian 12/13 minimal: journald only, no rsyslog, so no /var/log/auth.log, yet Debian's
// fail2ban enables [sshd] (defaults-debian.conf) with backend = auto and logpath = auth.log.
// f2b-scan reads the journal instead (one line says so) and bans from it; exit 0. Without
// journalctl, or for a logpath the user wrote, the missing log is the usual warning. Real journal files (systemd-journal-remote)
// and the real journalctl, pointed at them by a wrapper first in PATH (the system journal of
// the test machine is not ours to read).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, scratch } from '../run/cli.ts';

const REMOTE = '/lib/systemd/systemd-journal-remote';
const JOURNALCTL = ['/usr/bin/journalctl', '/bin/journalctl'].find((p) => existsSync(p));
const STOCK = '/etc/fail2ban';
const skip = !existsSync(join(STOCK, 'jail.conf'))
  ? "Debian's fail2ban is not installed (no /etc/fail2ban/jail.conf)"
  : !existsSync(REMOTE)
    ? 'systemd-journal-remote is not installed (Debian package systemd-journal-remote)'
    : !JOURNALCTL
      ? 'journalctl is not installed (Debian package systemd)'
      : false;

const NOW = '2026-11-24T10:05:00Z';

/** sshd's failures as journald stores them (Debian's unit is ssh.service, the command sshd). */
function writeJournal(file: string, ip: string): void {
  const boot = Date.parse('2026-11-24T00:00:00Z');
  const entries = [0, 1, 2, 3, 4].map((i) => {
    const t = Date.parse(`2026-11-24T10:00:0${i}Z`);
    return [
      `__REALTIME_TIMESTAMP=${t * 1000}`,
      `__MONOTONIC_TIMESTAMP=${(t - boot) * 1000}`,
      '_BOOT_ID=0123456789abcdef0123456789abcdef',
      '_HOSTNAME=web1',
      'SYSLOG_IDENTIFIER=sshd',
      '_COMM=sshd',
      `_PID=${4000 + i}`,
      '_SYSTEMD_UNIT=ssh.service',
      `MESSAGE=Failed password for root from ${ip} port 4${i}022 ssh2`,
      '',
    ].join('\n');
  });
  const r = spawnSync(REMOTE, ['-o', file, '-'], { input: entries.join('\n') + '\n', encoding: 'utf8' });
  assert.equal(r.status, 0, `systemd-journal-remote: ${r.stderr}`);
}

/** Debian's /etc/fail2ban unchanged but for one thing a journald-only host has: no auth.log. */
function journaldOnlyHost(): { dir: string; conf: string; bin: string } {
  const dir = scratch('f2b-journal-auto-');
  const conf = join(dir, 'fail2ban');
  cpSync(STOCK, conf, { recursive: true });
  mkdirSync(join(conf, 'jail.d'), { recursive: true });
  writeFileSync(join(conf, 'paths-overrides.local'), `[DEFAULT]\nsshd_log = ${join(dir, 'var/log/auth.log')}\n`);
  mkdirSync(join(dir, 'journal'));
  writeJournal(join(dir, 'journal', 'system.journal'), '192.0.2.9');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'journalctl'), `#!/bin/sh\nexec ${JOURNALCTL} --directory=${join(dir, 'journal')} "$@"\n`);
  chmodSync(join(bin, 'journalctl'), 0o755);
  return { dir, conf, bin };
}

test("Debian's [sshd] on a journald-only host (backend = auto, no auth.log) bans from the journal, says so in one line, exits 0", { skip }, () => {
  const h = journaldOnlyHost();
  const args = ['--config', h.conf, '--state', join(h.dir, 'state.json'), '--now', NOW, '--dry-run', '--json'];
  const r = f2b(args, { env: { PATH: `${h.bin}:/usr/bin:/bin` } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { jail: string; ip: string }) => `${b.jail} ${b.ip}`), ['sshd 192.0.2.9']);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /\[sshd\] logpath .*var\/log\/auth\.log matches no file: backend = auto reads the systemd journal instead/);

  // check-config agrees: a note, not a problem.
  const c = f2b(['check-config', '--config', h.conf], { env: { PATH: `${h.bin}:/usr/bin:/bin` } });
  assert.equal(c.code, 0, c.stderr + c.stdout);
  assert.match(c.stdout + c.stderr, /reads the systemd journal instead/);

  // Where there is no journalctl, the missing auth.log is what it always was: a warning, exit 5.
  const none = f2b(args, { env: { PATH: '/nonexistent' } });
  assert.equal(none.code, 5, none.stderr);
  assert.match(none.stderr, /logpath .*auth\.log: matches no file/);
  assert.deepEqual(JSON.parse(none.stdout).bans, []);
});

test('a logpath the user wrote that matches nothing stays a warning (exit 5), journalctl or not', { skip }, () => {
  const h = journaldOnlyHost();
  writeFileSync(join(h.conf, 'jail.local'), `[sshd]\nlogpath = ${join(h.dir, 'var/log/secure')}\n`);
  const r = f2b(['--config', h.conf, '--state', join(h.dir, 'state.json'), '--now', NOW, '--dry-run', '--json'], { env: { PATH: `${h.bin}:/usr/bin:/bin` } });
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /jail\.local:2: \[sshd\] logpath .*var\/log\/secure: matches no file/);
  assert.doesNotMatch(r.stderr, /systemd journal/);
  assert.deepEqual(JSON.parse(r.stdout).bans, []);
});

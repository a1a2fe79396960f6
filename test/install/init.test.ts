// `f2b-scan init` on a fake machine: an auth.log with ssh attacks, an nginx error.log
// with basic-auth failures and a quiet access.log, a mail log with sendmail AUTH failures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { builtinRulesDir } from '../../src/util/paths.ts';
import { missingBuild, runCli, tempDir } from './helpers.ts';
import { journalUnavailable, writeJournal } from '../helpers/journal-file.ts';

const NOW = '2026-11-24T10:05:00Z';
const MACHINE_ID = '5f2b5ca1d0e14a0b9c3e7a6d4f1b2c3d';

const LOGS: Record<string, string> = {
  'var/log/auth.log': [
    'Nov 24 09:55:01 web1 sshd[700]: Server listening on 0.0.0.0 port 22.',
    'Nov 24 10:00:01 web1 sshd[5101]: Failed password for invalid user admin from 192.0.2.10 port 40100 ssh2',
    'Nov 24 10:00:05 web1 sshd[5102]: Failed password for root from 192.0.2.10 port 40102 ssh2',
    'Nov 24 10:00:09 web1 sshd[5103]: Invalid user oracle from 192.0.2.11 port 40104',
    'Nov 24 10:01:00 web1 sshd[5200]: Accepted publickey for alice from 198.51.100.5 port 50000 ssh2: ED25519 SHA256:abc',
  ].join('\n') + '\n',
  'var/log/nginx/error.log': [
    '2026/11/24 10:00:01 [error] 812#812: *1 user "admin": password mismatch, client: 198.51.100.7, server: example.com, request: "GET /admin/ HTTP/1.1", host: "example.com"',
    '2026/11/24 10:00:03 [error] 812#812: *2 user "root" was not found in "/etc/nginx/.htpasswd", client: 198.51.100.7, server: example.com, request: "GET /admin/ HTTP/1.1", host: "example.com"',
  ].join('\n') + '\n',
  // Ordinary traffic only: the log is there, its jail's rule finds nothing.
  'var/log/nginx/access.log': [
    '198.51.100.5 - - [24/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0"',
    '198.51.100.5 - - [24/Nov/2026:10:00:02 +0000] "GET /favicon.ico HTTP/1.1" 404 153 "-" "Mozilla/5.0"',
  ].join('\n') + '\n',
  'var/log/mail.log': [
    'Nov 24 10:00:01 web1 sm-mta[3001]: 4AOA01A1003001: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=info, relay=[203.0.113.9]',
    'Nov 24 10:00:05 web1 sm-mta[3002]: 4AOA05A1003002: AUTH failure (PLAIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=info, relay=[203.0.113.9]',
  ].join('\n') + '\n',
};

function fakeRoot(t: { after: (fn: () => void) => void }): string {
  const root = tempDir(t, 'root');
  for (const [rel, text] of Object.entries(LOGS)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

test('init --write on a machine with ssh, nginx and sendmail logs enables exactly sshd, nginx-http-auth and sendmail-auth', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const root = fakeRoot(t);
  const config = tempDir(t, 'config');
  const r = runCli(['init', '--root', root, '--config', config, '--write', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wrote ${config}/jail.local: enabled sshd, nginx-http-auth, sendmail-auth\n`);

  // The written file, layered over the shipped jail.conf as a run reads it.
  const cfg = loadConfig({ configDir: config, builtinDir: builtinRulesDir() });
  assert.deepEqual(cfg.jails.filter((j) => j.enabled).map((j) => j.name).sort(), ['nginx-http-auth', 'sendmail-auth', 'sshd']);

  const text = readFileSync(join(config, 'jail.local'), 'utf8');
  assert.match(text, /^\[sshd\]\n# \/var\/log\/auth.log: 5 lines read, 3 failures\nenabled = true$/m);
  assert.match(text, /^\[nginx-http-auth\]\n# \/var\/log\/nginx\/error.log: 2 lines read, 2 failures\nenabled = true$/m);
  assert.match(text, /^\[sendmail-auth\]\n# \/var\/log\/mail.log: 2 lines read, 2 failures\nenabled = true$/m);
  // A log that is there but quiet is offered, commented out, with what was seen.
  assert.match(text, /^#\[nginx-bad-request\]\n# \/var\/log\/nginx\/access.log: 2 lines read, 0 failures\n#enabled = true$/m);
});

test('init on a machine without an auth.log turns off sshd, which jail.conf enables', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const root = tempDir(t, 'root');
  mkdirSync(join(root, 'var/log/nginx'), { recursive: true });
  writeFileSync(join(root, 'var/log/nginx/error.log'), LOGS['var/log/nginx/error.log']!);
  const r = runCli(['init', '--root', root, '--config', tempDir(t, 'config'), '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  // Nor is there a journal under that root: init says it did not read one.
  assert.match(r.stdout, /^\[sshd\]\n# no log here: \S*auth.log\S*( \S+)*; journal not read \(no journal in \S+\/var\/log\/journal or \S+\/run\/log\/journal\)\nenabled = false$/m);
  assert.match(r.stdout, /^\[nginx-http-auth\]\n.*\nenabled = true$/m);
  assert.equal(r.stdout.match(/^enabled = true$/gm)?.length, 1);
});

test('init reads only the recent end of a big log: the last 2000 lines', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const root = tempDir(t, 'root');
  mkdirSync(join(root, 'var/log'), { recursive: true });
  const old = 'Nov 24 08:00:00 web1 sshd[1]: Failed password for root from 192.0.2.99 port 1 ssh2\n'.repeat(3000);
  const recent = 'Nov 24 10:00:00 web1 sshd[2]: Accepted publickey for alice from 198.51.100.5 port 2 ssh2: ED25519 SHA256:x\n'.repeat(2000);
  writeFileSync(join(root, 'var/log/auth.log'), old + recent);
  const r = runCli(['init', '--root', root, '--config', tempDir(t, 'config'), '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# \/var\/log\/auth.log: 2000 lines read, 0 failures$/m);
  assert.match(r.stdout, /^\[sshd\]\n# \/var\/log\/auth.log: 2000 lines read, 0 failures\nenabled = false$/m);
});

test('init --write does not replace an existing jail.local without --force', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const root = fakeRoot(t);
  const config = tempDir(t, 'config');
  writeFileSync(join(config, 'jail.local'), '[sshd]\nmaxretry = 3\n');
  const r = runCli(['init', '--root', root, '--config', config, '--write', '--now', NOW]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /jail.local exists; not overwritten \(--force replaces it/);
  assert.equal(readFileSync(join(config, 'jail.local'), 'utf8'), '[sshd]\nmaxretry = 3\n');
  const forced = runCli(['init', '--root', root, '--config', config, '--write', '--force', '--now', NOW]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(readFileSync(join(config, 'jail.local'), 'utf8'), /^# jail.local proposed by `f2b-scan init`/);
});

test('init on a host that logs to the journal only proposes backend = systemd with the journal\'s own counts', (t) => {
  const why = missingBuild() ?? journalUnavailable();
  if (why) return t.skip(why);
  // No /var/log/auth.log, no mail.log: sshd and dovecot log to the journal (Debian 12/13 without rsyslog).
  const root = tempDir(t, 'root');
  mkdirSync(join(root, 'var/log/journal'), { recursive: true });
  const fail = (ip: string, iso: string, pid: number) => ({ iso, pid, message: `Failed password for root from ${ip} port 40${pid % 100} ssh2` });
  // Where systemd-journald keeps a persistent journal: /var/log/journal/<machine-id>/system.journal.
  mkdirSync(join(root, 'var/log/journal', MACHINE_ID));
  writeJournal(join(root, 'var/log/journal', MACHINE_ID, 'system.journal'), [
    fail('192.0.2.10', '2026-11-24T10:00:01Z', 5101),
    fail('192.0.2.10', '2026-11-24T10:00:05Z', 5102),
    { iso: '2026-11-24T10:00:09Z', pid: 5103, message: 'Invalid user oracle from 192.0.2.11 port 40104' },
    { iso: '2026-11-24T10:01:00Z', pid: 5200, message: 'Accepted publickey for alice from 198.51.100.5 port 50000 ssh2: ED25519 SHA256:abc' },
    // dovecot logs here too, without failures.
    { iso: '2026-11-24T10:02:00Z', comm: 'dovecot', unit: 'dovecot.service', pid: 900, message: 'imap-login: Login: user=<alice>, method=PLAIN, rip=198.51.100.5, lip=192.0.2.1, mpid=901, TLS' },
    // proftpd's rule has no journalmatch: found in the whole journal by its rule alone.
    ...[1, 2].map((n) => ({ iso: `2026-11-24T10:03:0${n}Z`, comm: 'proftpd', unit: 'proftpd.service', pid: 700 + n, message: `ftp.example.org (client.example.net[203.0.113.9]): USER joe (Login failed): Incorrect password.` })),
  ]);
  const config = tempDir(t, 'config');
  const r = runCli(['init', '--root', root, '--config', config, '--write', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wrote ${config}/jail.local: enabled sshd, proftpd\n`);
  const text = readFileSync(join(config, 'jail.local'), 'utf8');
  assert.match(text, /^\[sshd\]\n# journal \(_SYSTEMD_UNIT=sshd\.service \+ _SYSTEMD_UNIT=ssh\.service \+ [^)]*\): 4 entries of the last day read, 3 failures\nbackend = systemd\nenabled = true$/m);
  // Its failures came from the program proftpd: the run reads only its entries.
  assert.match(text, /^\[proftpd\]\n# journal \(the whole journal: its rule has no journalmatch\): 7 entries of the last day read, 2 failures\nbackend = systemd\njournalmatch = SYSLOG_IDENTIFIER=proftpd\nenabled = true$/m);
  assert.match(text, /^#\[dovecot\]\n# journal \([^)]*\): 1 entry of the last day read, 0 failures\n#backend = systemd\n#enabled = true$/m);
  // Layered over jail.conf as a run reads it: sshd reads the journal.
  const cfg = loadConfig({ configDir: config, builtinDir: builtinRulesDir() });
  const sshd = cfg.jails.find((j) => j.name === 'sshd')!;
  assert.equal(sshd.enabled, true);
  assert.equal(sshd.backend, 'systemd');
  assert.deepEqual(cfg.jails.filter((j) => j.enabled).map((j) => j.name).sort(), ['proftpd', 'sshd']);
  assert.equal(cfg.jails.find((j) => j.name === 'proftpd')!.backend, 'systemd');
  assert.equal(cfg.jails.find((j) => j.name === 'proftpd')!.journalmatch, 'SYSLOG_IDENTIFIER=proftpd');
});

test('init reads a volatile journal (run/log/journal) when the machine keeps no persistent one', (t) => {
  const why = missingBuild() ?? journalUnavailable();
  if (why) return t.skip(why);
  // journald with Storage=volatile (or auto and no /var/log/journal): the journal lives in /run.
  const root = tempDir(t, 'root');
  mkdirSync(join(root, 'run/log/journal', MACHINE_ID), { recursive: true });
  writeJournal(join(root, 'run/log/journal', MACHINE_ID, 'system.journal'), [1, 2, 3].map((n) => ({ iso: `2026-11-24T10:00:0${n}Z`, pid: 5100 + n, message: `Failed password for root from 192.0.2.10 port 4010${n} ssh2` })));
  const r = runCli(['init', '--root', root, '--config', tempDir(t, 'config'), '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\[sshd\]\n# journal \([^)]*\): 3 entries of the last day read, 3 failures\nbackend = systemd\nenabled = true$/m);
});

// loglevel and logtarget as fail2ban reads them.
process.env.TZ = 'UTC'; // local-time formatting below is compared with UTC text
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch, sshdConfig } from '../run/cli.ts';
import { formatLine, parseLevel } from '../../src/log/index.ts';
import { parseTarget } from '../../src/log/target.ts';

test('loglevel = NOTICE keeps Ban lines and drops the INFO Found lines', () => {
  const dir = scratch('f2b-loglevel-');
  const auth = join(dir, 'auth.log');
  const own = join(dir, 'own.log');
  writeFileSync(auth, failedPasswords('192.0.2.44', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const conf = sshdConfig(dir, auth, `action = dummy[target="${join(dir, 'd')}"]`);
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${own}\nloglevel = NOTICE\n`);
  const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--now', '2026-11-24T10:01:00Z']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(own, 'utf8'), /^2026-11-24 10:01:00,000 f2b-scan\.actions \[\d+\]: NOTICE  \[sshd\] Ban 192\.0\.2\.44\n$/);
});

test('logtarget = STDERR prints the lines on stderr; an unknown loglevel is a warning naming file and line', () => {
  const dir = scratch('f2b-loglevel-');
  const auth = join(dir, 'auth.log');
  writeFileSync(auth, '');
  const conf = sshdConfig(dir, auth, `action = dummy[target="${join(dir, 'd')}"]`);
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = STDERR\nloglevel = LOUD\n`);
  appendFileSync(auth, failedPasswords('192.0.2.45', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--now', '2026-11-24T10:01:00Z']);
  assert.match(r.stderr, /f2b-scan\.actions \[\d+\]: NOTICE  \[sshd\] Ban 192\.0\.2\.45/);
  assert.match(r.stderr, /f2b-scan\.local:3 \[Definition\] loglevel: unknown level "LOUD", using INFO/);
});

test('level names and numbers as fail2ban accepts them; newlines never split a record', () => {
  assert.equal(parseLevel('notice'), 25);
  assert.equal(parseLevel('WARN'), 30);
  assert.equal(parseLevel('15'), 15);
  assert.equal(parseLevel('LOUD'), null);
  assert.deepEqual(parseTarget(''), { kind: 'file', path: '/var/log/f2b-scan.log' });
  assert.deepEqual(parseTarget('SYSLOG[facility=daemon]'), { kind: 'syslog' });
  const line = formatLine({ time: Date.parse('2026-11-24T10:00:00.123Z') / 1000, logger: 'f2b-scan.actions', level: 'NOTICE', message: '[x] a\nb' }, 7);
  assert.equal(line, '2026-11-24 10:00:00,123 f2b-scan.actions [7]: NOTICE  [x] a\\nb');
});

test('logtarget = SYSLOG sends each record to the syslog socket (syslogsocket) at its priority', async (t) => {
  const { spawn, spawnSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  if (spawnSync('sh', ['-c', 'command -v logger && command -v python3']).status !== 0) return t.skip('logger or python3 missing (Debian packages bsdutils, python3)');
  const dir = scratch('f2b-syslog-');
  const sock = join(dir, 'log.sock');
  const got = join(dir, 'received');
  // A syslog socket of our own: a datagram listener writing what it receives, one per line.
  const server = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], 'a') as f:
    while True:
        f.write(s.recv(65536).decode() + '\\n'); f.flush()
`, sock, got], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    const auth = join(dir, 'auth.log');
    writeFileSync(auth, failedPasswords('192.0.2.46', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
    const conf = sshdConfig(dir, auth, `action = dummy[target="${join(dir, 'd')}"]`);
    writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = SYSLOG\nsyslogsocket = ${sock}\n`);
    const r = f2b(['--config', conf, '--state', join(dir, 's.json'), '--now', '2026-11-24T10:01:00Z']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /own log/);
    for (let i = 0; i < 50 && !(existsSync(got) && readFileSync(got, 'utf8').includes('Ban')); i++) await new Promise((r) => setTimeout(r, 100));
    const lines = readFileSync(got, 'utf8').trimEnd().split('\n');
    // daemon.notice is <29>, daemon.info <30>.
    assert.ok(lines.some((l) => /^<29>.*f2b-scan\[\d+\]: f2b-scan\.actions \[\d+\]: NOTICE  \[sshd\] Ban 192\.0\.2\.46$/.test(l)), lines.join('\n'));
    assert.equal(lines.filter((l) => /^<30>.*INFO {4}\[sshd\] Found 192\.0\.2\.46 - /.test(l)).length, 5);
  } finally {
    server.kill();
  }
});

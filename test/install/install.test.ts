import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, missingBuild, runCli, tempDir } from './helpers.ts';

const UNITS = ['f2b-scan.service', 'f2b-scan.timer', 'f2b-scan-restore.service'];

/** Every file and directory under dir, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      out.push(`${rel}${n.name}${n.isDirectory() ? '/' : ''}`);
      if (n.isDirectory()) walk(join(d, n.name), `${rel}${n.name}/`);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out.sort();
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

test('install --systemd --dry-run prints each unit with this installation\'s command line and writes nothing', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'inst');
  const r = runCli(['install', '--systemd', '--dry-run', '--prefix', prefix]);
  assert.equal(r.code, 0, r.stderr);
  for (const u of UNITS) assert.match(r.stdout, new RegExp(`would write ${prefix}/etc/systemd/system/${u} \\(mode 0644\\)`));
  assert.match(r.stdout, new RegExp(`would write ${prefix}/etc/f2b-scan/jail.local`));
  assert.match(r.stdout, new RegExp(`would create directory ${prefix}/var/lib/f2b-scan \\(mode 0700\\)`));
  // The content is shown. An image has no f2b-scan of its own yet: the units start the command
  // npm install -g puts in it, and say so; --command names another.
  assert.ok(r.stdout.includes('    ExecStart=/usr/local/bin/f2b-scan scan\n'), r.stdout);
  assert.ok(r.stdout.includes('    ExecStart=/usr/local/bin/f2b-scan start\n'));
  assert.ok(r.stdout.includes('    OnCalendar=*-*-* *:*:00'));
  assert.match(r.stdout, /^note: \/usr\/local\/bin\/f2b-scan or \/usr\/bin\/f2b-scan is not in \S+ yet: the units start \/usr\/local\/bin\/f2b-scan/m);
  assert.deepEqual(tree(prefix), []);
  const given = runCli(['install', '--systemd', '--dry-run', '--prefix', prefix, '--command', '/opt/f2b-scan/bin/f2b-scan']);
  assert.ok(given.stdout.includes('    ExecStart=/opt/f2b-scan/bin/f2b-scan scan\n'), given.stdout);
  assert.doesNotMatch(given.stdout, /^note:/m);
  // On this machine (no --prefix) the units start the very node and script that ran install.
  assert.ok(runCli(['install', '--systemd', '--dry-run', '--prefix', prefix, '--command', BIN]).stdout.includes(`    ExecStart=${BIN} scan`));
});

test('install --systemd writes the units, a commented jail.local and a root-only state directory; a second install changes nothing', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'inst');
  const first = runCli(['install', '--systemd', '--prefix', prefix]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(tree(prefix), [
    'etc/', 'etc/f2b-scan/', 'etc/f2b-scan/jail.local', 'etc/systemd/', 'etc/systemd/system/',
    'etc/systemd/system/f2b-scan-restore.service', 'etc/systemd/system/f2b-scan.service', 'etc/systemd/system/f2b-scan.timer',
    'var/', 'var/lib/', 'var/lib/f2b-scan/',
  ]);
  assert.equal(mode(join(prefix, 'var/lib/f2b-scan')), '700');
  assert.equal(mode(join(prefix, 'etc/systemd/system/f2b-scan.timer')), '644');
  const service = readFileSync(join(prefix, 'etc/systemd/system/f2b-scan.service'), 'utf8');
  assert.match(service, /^ExecStart=\/usr\/local\/bin\/f2b-scan scan$/m);
  // A run that did its work with a warning (a missing log: 5; the fleet away: 6) is no failed unit.
  assert.match(service, /^SuccessExitStatus=5 6$/m);
  const jailLocal = readFileSync(join(prefix, 'etc/f2b-scan/jail.local'), 'utf8');
  assert.ok(jailLocal.split('\n').every((l) => l === '' || l.startsWith('#') || l === '[DEFAULT]'), 'jail.local only has comments');
  // Something tells the admin how to start it, since --prefix never runs systemctl.
  assert.match(first.stdout, /systemctl daemon-reload && systemctl enable --now f2b-scan.timer f2b-scan-restore.service/);

  const before = UNITS.map((u) => statSync(join(prefix, 'etc/systemd/system', u)).mtimeMs);
  const second = runCli(['install', '--systemd', '--prefix', prefix]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /nothing to change: already installed/);
  assert.doesNotMatch(second.stdout, /^(write|rewrite|create|set mode)/m);
  assert.deepEqual(UNITS.map((u) => statSync(join(prefix, 'etc/systemd/system', u)).mtimeMs), before);
});

test('install --cron writes /etc/cron.d/f2b-scan running every minute and at boot; a second install changes nothing', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'inst');
  const dry = runCli(['install', '--cron', '--dry-run', '--prefix', prefix]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.ok(dry.stdout.includes('    * * * * * root /usr/local/bin/f2b-scan scan'), dry.stdout);
  assert.deepEqual(tree(prefix), []);

  assert.equal(runCli(['install', '--cron', '--prefix', prefix]).code, 0);
  const cron = readFileSync(join(prefix, 'etc/cron.d/f2b-scan'), 'utf8');
  const jobs = cron.split('\n').filter((l) => l && !l.startsWith('#') && !l.includes('='));
  assert.deepEqual(jobs, ['* * * * * root /usr/local/bin/f2b-scan scan', '@reboot root /usr/local/bin/f2b-scan start']);
  assert.equal(mode(join(prefix, 'etc/cron.d/f2b-scan')), '644');
  assert.equal(mode(join(prefix, 'var/lib/f2b-scan')), '700');
  assert.ok(!existsSync(join(prefix, 'etc/systemd')));

  const second = runCli(['install', '--cron', '--prefix', prefix]);
  assert.match(second.stdout, /nothing to change: already installed/);
});

test('a non-default --config and --state go into the scheduled command line', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'inst');
  const r = runCli(['install', '--cron', '--prefix', prefix, '--config', '/etc/fail2ban', '--state', '/srv/f2b/state.json']);
  assert.equal(r.code, 0, r.stderr);
  const cron = readFileSync(join(prefix, 'etc/cron.d/f2b-scan'), 'utf8');
  assert.match(cron, /^\* \* \* \* \* root \/usr\/local\/bin\/f2b-scan scan --config \/etc\/fail2ban --state \/srv\/f2b\/state.json$/m);
  assert.ok(existsSync(join(prefix, 'etc/fail2ban/jail.local')));
  assert.equal(mode(join(prefix, 'srv/f2b')), '700');
});

test('an existing jail.local is never overwritten, and uninstall keeps it once edited', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'inst');
  assert.equal(runCli(['install', '--systemd', '--prefix', prefix]).code, 0);
  const jl = join(prefix, 'etc/f2b-scan/jail.local');
  writeFileSync(jl, '[sshd]\nenabled = true\nmaxretry = 3\n');
  const again = runCli(['install', '--systemd', '--prefix', prefix]);
  assert.match(again.stdout, /kept .*jail.local \(exists; never overwritten\)/);
  assert.equal(readFileSync(jl, 'utf8'), '[sshd]\nenabled = true\nmaxretry = 3\n');

  const un = runCli(['install', '--systemd', '--uninstall', '--prefix', prefix]);
  assert.equal(un.code, 0, un.stderr);
  assert.match(un.stdout, /kept .*jail.local \(edited since install\)/);
  assert.deepEqual(tree(prefix), ['etc/', 'etc/f2b-scan/', 'etc/f2b-scan/jail.local', 'etc/systemd/', 'etc/systemd/system/', 'var/', 'var/lib/']);
});

test('install --uninstall removes what install wrote, and says so when there is nothing left', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'inst');
  for (const mode of ['--systemd', '--cron']) {
    assert.equal(runCli(['install', mode, '--prefix', prefix]).code, 0);
    const dry = runCli(['install', mode, '--uninstall', '--dry-run', '--prefix', prefix]);
    assert.match(dry.stdout, /would remove /);
    const un = runCli(['install', mode, '--uninstall', '--prefix', prefix]);
    assert.equal(un.code, 0, un.stderr);
    // What is left are the system directories install found or made (never removed), nothing of ours.
    assert.deepEqual(tree(prefix).filter((p) => !p.endsWith('/')), [], mode);
    assert.ok(!existsSync(join(prefix, 'var/lib/f2b-scan')));
    assert.match(runCli(['install', mode, '--uninstall', '--prefix', prefix]).stdout, /nothing to remove/);
  }
});

test('install without --systemd or --cron is a usage error (exit 2, one line)', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const r = runCli(['install', '--prefix', tempDir(t, 'inst')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^f2b-scan: install: choose --systemd or --cron$/m);
  const both = runCli(['install', '--systemd', '--cron', '--dry-run']);
  assert.equal(both.code, 2);
});

/** The service unit install writes under `prefix` for this jail.local, and its sandbox lines. */
function unitFor(t: { after: (fn: () => void) => void }, jailLocal: string, extra: Record<string, string> = {}) {
  const prefix = tempDir(t, 'sbx');
  mkdirSync(join(prefix, 'etc/f2b-scan'), { recursive: true });
  writeFileSync(join(prefix, 'etc/f2b-scan/jail.local'), jailLocal);
  for (const [f, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(prefix, 'etc/f2b-scan', f)), { recursive: true });
    writeFileSync(join(prefix, 'etc/f2b-scan', f), text);
  }
  const r = runCli(['install', '--systemd', '--prefix', prefix]);
  assert.equal(r.code, 0, r.stderr);
  const unit = readFileSync(join(prefix, 'etc/systemd/system/f2b-scan.service'), 'utf8');
  const rw = /^ReadWritePaths=(.*)$/m.exec(unit)![1]!.split(' ');
  const protect = /^ProtectSystem=(.*)$/m.exec(unit)![1];
  return { unit, rw, protect, restore: readFileSync(join(prefix, 'etc/systemd/system/f2b-scan-restore.service'), 'utf8') };
}

test('the units may write exactly where the enabled jails\' actions write, each place with its reason', (t) => {
  // The shipped jail.conf alone: sshd on iptables-multiport.
  const plain = unitFor(t, '# nothing of my own\n');
  assert.deepEqual(plain.rw, ['/run', '/var/lib/f2b-scan', '/var/log']);
  assert.equal(plain.protect, 'strict');
  assert.match(plain.unit, /^# {3}\/run: iptables-multiport of \[sshd\]: iptables takes its lock \/run\/xtables\.lock$/m);

  const all = unitFor(
    t,
    [
      '[DEFAULT]',
      'mta = sendmail',
      '[sshd]',
      'enabled = true',
      'action = hostsdeny[file=/srv/tcpd/hosts.deny]',
      '         sendmail-whois-lines',
      '[nginx-http-auth]',
      'enabled = true',
      'banaction = ufw',
      '[postfix]',
      'enabled = true',
      'action = shorewall',
      '         nftables-multiport',
      '[dovecot]',
      'enabled = false',
      'action = dummy[target=/srv/never/written]',
      '',
    ].join('\n'),
    { 'f2b-scan.local': '[Definition]\nlogtarget = /srv/log/f2b-scan.log\nmetrics_file = /var/lib/node-exporter/f2b-scan.prom\n' },
  );
  assert.deepEqual(all.rw, [
    '/etc/ufw', '/run', '/srv/log', '/srv/tcpd', '-/var/lib/node-exporter', '/var/lib/f2b-scan', '-/var/lib/shorewall', '-/var/lib/shorewall6',
    '-/var/spool/exim4', '-/var/spool/mqueue', '-/var/spool/mqueue-client', '-/var/spool/nullmailer', '-/var/spool/postfix',
  ].sort((a, b) => (a.replace('-', '') < b.replace('-', '') ? -1 : 1)));
  assert.equal(all.protect, 'strict');
  assert.match(all.unit, /^# {3}\/srv\/tcpd: hostsdeny of \[sshd\] rewrites \/srv\/tcpd\/hosts\.deny through a temporary file beside it$/m);
  assert.match(all.unit, /^# {3}\/var\/spool\/exim4, .*\/var\/spool\/postfix: sendmail-whois-lines of \[sshd\] hands mail to sendmail/m);
  assert.doesNotMatch(all.unit, /\/srv\/never/, 'a disabled jail widens nothing');
  assert.equal(/^ReadWritePaths=.*$/m.exec(all.restore)![0], /^ReadWritePaths=.*$/m.exec(all.unit)![0], 'the boot unit runs the same actions');
  assert.match(all.restore, /^SuccessExitStatus=5$/m);

  // The stock hostsdeny file is in /etc: its directory is what the rename needs.
  assert.ok(unitFor(t, '[sshd]\nenabled = true\naction = hostsdeny\n').rw.includes('/etc'));

  // An action file runs commands nobody can foresee: the sandbox is loosened, and says why.
  const custom = unitFor(t, '[sshd]\nenabled = true\naction = my-notify\n', { 'action.d/my-notify.conf': '[Definition]\nactionban = touch /var/cache/notify-<ip>\nactionunban = rm -f /var/cache/notify-<ip>\n' });
  assert.equal(custom.protect, 'true');
  assert.match(custom.unit, /^# Loosened from strict: what these actions write cannot be known beforehand\.\n# {3}my-notify of \[sshd\] runs the commands of \S+\/action\.d\/my-notify\.conf, which may write anywhere\nProtectSystem=true$/m);
});

test('install --cron takes the systemd units away, and install --systemd the cron line, each saying so', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'switch');
  assert.equal(runCli(['install', '--systemd', '--prefix', prefix]).code, 0);
  const toCron = runCli(['install', '--cron', '--prefix', prefix]);
  assert.equal(toCron.code, 0, toCron.stderr);
  assert.match(toCron.stdout, /^removing the systemd units \(f2b-scan\.timer, f2b-scan\.service, f2b-scan-restore\.service\): --cron replaces them \(one schedule, not two\)$/m);
  assert.deepEqual(tree(join(prefix, 'etc/systemd/system')), []);
  assert.ok(existsSync(join(prefix, 'etc/cron.d/f2b-scan')));
  const dry = runCli(['install', '--systemd', '--prefix', prefix, '--dry-run']);
  assert.match(dry.stdout, /^would remove the \/etc\/cron\.d\/f2b-scan line: --systemd replaces them/m);
  assert.ok(existsSync(join(prefix, 'etc/cron.d/f2b-scan')), 'a dry run removes nothing');
  const toSystemd = runCli(['install', '--systemd', '--prefix', prefix]);
  assert.match(toSystemd.stdout, /^removing the \/etc\/cron\.d\/f2b-scan line: --systemd replaces them \(one schedule, not two\)$/m);
  assert.match(toSystemd.stdout, /^remove \S+\/etc\/cron\.d\/f2b-scan$/m);
  assert.ok(!existsSync(join(prefix, 'etc/cron.d/f2b-scan')));
  assert.deepEqual(tree(join(prefix, 'etc/systemd/system')), UNITS.slice().sort());
  // Installing the same schedule again says nothing of the other.
  assert.doesNotMatch(runCli(['install', '--systemd', '--prefix', prefix]).stdout, /replaces/);
});

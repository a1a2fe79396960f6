import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  // The content is shown, with the real program in ExecStart instead of the shipped placeholder.
  assert.ok(r.stdout.includes(`    ExecStart=${process.execPath} ${BIN} scan`), r.stdout);
  assert.ok(r.stdout.includes(`    ExecStart=${process.execPath} ${BIN} start`));
  assert.ok(r.stdout.includes('    OnCalendar=*-*-* *:*:00'));
  assert.ok(!r.stdout.includes('/usr/local/bin/f2b-scan'));
  assert.deepEqual(tree(prefix), []);
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
  assert.match(service, new RegExp(`^ExecStart=${process.execPath} ${BIN} scan$`, 'm'));
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
  assert.ok(dry.stdout.includes(`    * * * * * root ${process.execPath} ${BIN} scan`), dry.stdout);
  assert.deepEqual(tree(prefix), []);

  assert.equal(runCli(['install', '--cron', '--prefix', prefix]).code, 0);
  const cron = readFileSync(join(prefix, 'etc/cron.d/f2b-scan'), 'utf8');
  const jobs = cron.split('\n').filter((l) => l && !l.startsWith('#') && !l.includes('='));
  assert.deepEqual(jobs, [`* * * * * root ${process.execPath} ${BIN} scan`, `@reboot root ${process.execPath} ${BIN} start`]);
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
  assert.match(cron, /^\* \* \* \* \* root \S+ \S+ scan --config \/etc\/fail2ban --state \/srv\/f2b\/state.json$/m);
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

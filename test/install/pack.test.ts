// The npm package works outside the repository: pack it, install the tarball into a
// temporary prefix, and run the installed f2b-scan from an unrelated directory.
// Packing runs `prepare` (the build) in a copy of the sources, so the shared dist/
// that other tests run is not rebuilt under them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, tempDir } from './helpers.ts';

const SOURCES = ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'bin', 'rules', 'packaging', 'scripts', 'src'];

function npm(args: string[], cwd: string, timeout = 180_000) {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout });
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.error?.message ?? ''}\n${r.stderr}`);
  return r.stdout;
}

test('the packed tarball installs with npm install -g and runs from any directory with its shipped rules', { timeout: 240_000 }, (t) => {
  if (spawnSync('npm', ['--version']).status !== 0) return t.skip('npm is not installed');
  const work = tempDir(t, 'pack');
  const copy = join(work, 'src-copy');
  mkdirSync(copy);
  for (const s of SOURCES) if (existsSync(join(REPO, s))) cpSync(join(REPO, s), join(copy, s), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));

  // npm pack runs "prepare" (the build) first.
  const packed = npm(['pack', '--pack-destination', work], copy).trim().split('\n').at(-1)!;
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  assert.equal(packed, `f2b-scan-${version}.tgz`);
  const tgz = join(work, packed);

  // Only what a machine needs: the build, the rules, the man page, the units.
  const list = spawnSync('tar', ['tzf', tgz], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
  for (const need of ['bin/f2b-scan', 'dist/cli.js', 'dist/f2b-scan.1', 'rules/jail.conf', 'rules/paths-common.conf', 'rules/filter.d/sshd.conf',
    'packaging/systemd/f2b-scan.service', 'packaging/systemd/f2b-scan.timer', 'packaging/systemd/f2b-scan-restore.service', 'package.json', 'README.md']) {
    assert.ok(list.includes(need), `${need} is in the package`);
  }
  const unwanted = list.filter((p) => /^(test|src|scripts|bench|state|node_modules)\/|\.map$|\.log$|\.ts$|^rules\/demo\//.test(p));
  assert.deepEqual(unwanted, []);

  // npm's global prefix inside an image tree, as Debian's npm has it (/usr/local).
  const image = join(work, 'image');
  const prefix = join(image, 'usr', 'local');
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', tgz], work);
  const bin = join(prefix, 'bin', 'f2b-scan');
  assert.ok(existsSync(join(prefix, 'share', 'man', 'man1', 'f2b-scan.1')), 'npm links the man page');

  // From a directory that has nothing to do with the repository or the package.
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  const v = runCli(['--version'], { bin, cwd: elsewhere });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), version);
  const help = runCli(['--help'], { bin, cwd: elsewhere });
  assert.equal(help.code, 0, help.stderr);
  for (const c of ['scan', 'report', 'test-rule', 'install', 'init', 'completion']) assert.match(help.stdout, new RegExp(`^  f2b-scan ${c}\\b`, 'm'), c);

  // A jail using the shipped sshd rule over a log of known content: one address crosses maxretry.
  writeFileSync(join(elsewhere, 'auth.log'), [
    'Nov 24 10:00:01 web1 sshd[5101]: Failed password for invalid user admin from 192.0.2.10 port 40100 ssh2',
    'Nov 24 10:00:05 web1 sshd[5102]: Failed password for root from 192.0.2.10 port 40102 ssh2',
    'Nov 24 10:00:07 web1 sshd[5104]: Failed password for root from 192.0.2.10 port 40106 ssh2',
    'Nov 24 10:00:09 web1 sshd[5103]: Invalid user oracle from 192.0.2.11 port 40104',
  ].join('\n') + '\n');
  mkdirSync(join(elsewhere, 'conf', 'jail.d'), { recursive: true });
  writeFileSync(join(elsewhere, 'conf', 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${join(elsewhere, 'auth.log')}\nmaxretry = 3\nbantime = 1h\n`);
  const run = runCli(['--config', 'conf', '--state', 'state.json', '--now', '2026-11-24T10:05:00Z', '--dry-run', '--json'], { bin, cwd: elsewhere });
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.deepEqual(summary.bans.map((b: { jail: string; ip: string; failures: number }) => [b.jail, b.ip, b.failures]), [['sshd', '192.0.2.10', 3]]);
  assert.equal(summary.bans[0].until, '2026-11-24T11:05:00.000Z'); // banned at the run's time, for bantime
  assert.ok(!readdirSync(elsewhere).includes('state.json'), '--dry-run writes no state');

  // Everything is bundled: npm installs no dependency beside it (RE2's engine included).
  const pkgDir = join(prefix, 'lib', 'node_modules', 'f2b-scan');
  assert.ok(!existsSync(join(pkgDir, 'node_modules')), 'no dependency is installed');
  const bytes = Number(spawnSync('du', ['-sb', join(prefix, 'lib', 'node_modules')], { encoding: 'utf8' }).stdout.split('\t')[0]);
  t.diagnostic(`installed size: ${(bytes / 1e6).toFixed(2)} MB`);
  assert.ok(bytes > 0 && bytes <= 25e6, `installed size ${bytes} bytes is at most 25 MB`);
  assert.ok(existsSync(join(pkgDir, 'dist', 'THIRD-PARTY-NOTICES.txt')), 'the licences of the bundled code come with it');
  assert.equal(runCli(['report', '--config', 'conf', '--now', '2026-11-24T10:05:00Z', '--format', 'json'], { bin, cwd: elsewhere }).code, 0);
  // A filter of the admin's own with an exponential loop runs on the bundled RE2 engine; with a
  // lookahead RE2 cannot run either, check-config refuses it and a run skips its jail.
  mkdirSync(join(elsewhere, 'conf', 'filter.d'));
  writeFileSync(join(elsewhere, 'conf', 'filter.d', 'myapp.conf'), '[Definition]\nfailregex = ^(\\w+\\s?)+ from <HOST>$\n');
  writeFileSync(join(elsewhere, 'conf', 'jail.d', 'myapp.local'), `[myapp]\nenabled = true\nlogpath = ${join(elsewhere, 'auth.log')}\n`);
  const onRe2 = runCli(['check-config', '--config', 'conf'], { bin, cwd: elsewhere });
  assert.equal(onRe2.code, 0, onRe2.stderr + onRe2.stdout);
  assert.match(onRe2.stderr, /myapp\.conf:2: rule myapp: a loop can backtrack exponentially .*runs on RE2/);
  // RE2's engine is its own file of the package (dist/re2js.cjs), loaded by the run that needs it.
  writeFileSync(join(elsewhere, 'myapp.log'), [1, 2, 3, 4, 5].map((s) => `Nov 24 10:01:0${s} alpha beta from 192.0.2.20\n`).join(''));
  writeFileSync(join(elsewhere, 'conf', 'filter.d', 'myapp.conf'), '[Definition]\nfailregex = ^\\s*(\\w+\\s?)+ from <HOST>$\n');
  writeFileSync(join(elsewhere, 'conf', 'jail.d', 'myapp.local'), `[myapp]\nenabled = true\nlogpath = ${join(elsewhere, 'myapp.log')}\nmaxretry = 5\n`);
  const re2Run = runCli(['--config', 'conf', '--state', 'state.json', '--now', '2026-11-24T10:05:00Z', '--dry-run', '--json', '--jail', 'myapp'], { bin, cwd: elsewhere });
  assert.equal(re2Run.code, 0, re2Run.stderr);
  assert.deepEqual(JSON.parse(re2Run.stdout).bans.map((b: { jail: string; ip: string; failures: number }) => [b.jail, b.ip, b.failures]), [['myapp', '192.0.2.20', 5]]);
  assert.match(readFileSync(join(pkgDir, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8'), /^re2js \S+ \(MIT\)$/m);
  writeFileSync(join(elsewhere, 'conf', 'filter.d', 'myapp.conf'), '[Definition]\nfailregex = ^(\\w+\\s?)+(?! as root) from <HOST>$\n');
  const check = runCli(['check-config', '--config', 'conf'], { bin, cwd: elsewhere });
  assert.equal(check.code, 2, check.stderr + check.stdout);
  assert.match(check.stdout, /myapp\.conf:2: rule myapp: regex refused: a loop can backtrack exponentially/);

  // Installing the schedule into that image: the cron line starts the image's own f2b-scan.
  const inst = runCli(['install', '--cron', '--dry-run', '--prefix', image], { bin, cwd: elsewhere });
  assert.equal(inst.code, 0, inst.stderr);
  assert.ok(inst.stdout.includes('    * * * * * root /usr/local/bin/f2b-scan scan\n'), inst.stdout);
  assert.doesNotMatch(inst.stdout, /^note:/m);
});

// Errors an admin can act on, from the built CLI: a --config that does not exist is a mistake
// (exit 2), not a silent run of the shipped defaults; a log that is missing is one warning
// naming the line of the configuration that asks for it; an old Node says what to install.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, missingBuild, runCli, tempDir } from '../install/helpers.ts';

const NOW = '2026-11-24T10:05:00Z';

test('a --config directory that does not exist: exit 2 and one line, for a scan and every other command', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const dir = tempDir(t, 'cfg');
  const missing = join(dir, 'etc-f2b-scan-typo');
  const state = join(dir, 'state.json');
  for (const args of [
    ['--config', missing, '--state', state, '--now', NOW], // the cron line (read without yargs)
    ['scan', `--config=${missing}`, '--state', state, '--dry-run'],
    ['status', '--config', missing, '--state', state],
    ['report', '--config', missing, '--now', NOW],
    ['check-config', '--config', missing],
    ['ban', 'sshd', '192.0.2.7', '--config', missing, '--state', state, '--dry-run'],
  ]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `f2b-scan: --config ${missing}: no such directory (without --config, /etc/f2b-scan or the shipped rules are used)\n`, args.join(' '));
    assert.equal(r.stdout, '');
  }
  // A file is not a configuration directory either.
  writeFileSync(join(dir, 'jail.local'), '[sshd]\nenabled = true\n');
  const file = runCli(['--config', join(dir, 'jail.local'), '--state', state, '--dry-run']);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /^f2b-scan: --config \S+jail\.local: not a directory \(it names the directory holding jail\.conf\/jail\.local\)\n$/);
  // install and init make the directory they are given.
  const inst = runCli(['install', '--cron', '--dry-run', '--prefix', join(dir, 'image'), '--config', '/etc/f2b-scan-new']);
  assert.equal(inst.code, 0, inst.stderr);
  assert.match(inst.stdout, /would write \S+\/etc\/f2b-scan-new\/jail\.local/);
});

test('a log that is not there: one warning naming the jail.local line that asks for it, exit 5', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const dir = tempDir(t, 'nolog');
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  writeFileSync(join(conf, 'jail.local'), `[DEFAULT]\nbantime = 1h\n\n[sshd]\nenabled = true\nlogpath = ${join(dir, 'auth.log')}\n`);
  const r = runCli(['--config', conf, '--state', join(dir, 'state.json'), '--now', NOW, '--verbose']);
  assert.equal(r.code, 5, r.stderr);
  const warnings = r.stderr.split('\n').filter(Boolean);
  assert.deepEqual(warnings, [`f2b-scan: warning: ${join(conf, 'jail.local')}:6: [sshd] logpath ${join(dir, 'auth.log')}: matches no file`]);
  // A glob that matches nothing: the same single line.
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${join(dir, 'logs', '*.log')}\n`);
  const glob = runCli(['--config', conf, '--state', join(dir, 'state.json'), '--now', NOW, '--verbose']);
  assert.equal(glob.code, 5);
  assert.deepEqual(glob.stderr.split('\n').filter(Boolean), [`f2b-scan: warning: ${join(conf, 'jail.local')}:3: [sshd] logpath ${join(dir, 'logs', '*.log')}: matches no file`]);
});

test('on a Node older than 20.19 the command says in one line what it needs (exit 2)', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const dir = tempDir(t, 'node');
  // What Debian 12's nodejs package reports.
  const fake = join(dir, 'node18.cjs');
  writeFileSync(fake, "Object.defineProperty(process.versions, 'node', { value: '18.19.0' });\n");
  const r = spawnSync(process.execPath, ['-r', fake, BIN, '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `f2b-scan: needs Node.js 20.19 or later; ${process.execPath} is v18.19.0 (Debian 12 ships Node 18: install Node 20 or 22 from NodeSource or nodejs.org, see README "Install")\n`,
  );
  // 20.18 is too old as well; this Node is not.
  writeFileSync(fake, "Object.defineProperty(process.versions, 'node', { value: '20.18.3' });\n");
  assert.equal(spawnSync(process.execPath, ['-r', fake, BIN, '--version'], { encoding: 'utf8' }).status, 2);
  assert.equal(runCli(['--version']).code, 0);
});

// The systemd units pass `systemd-analyze verify`. Documentation=man:f2b-scan(1) is checked
// too: MANPATH points at the man page the build generated (not --man=no).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingBuild, REPO, runCli, tempDir } from './helpers.ts';

const UNITS = ['f2b-scan.service', 'f2b-scan.timer', 'f2b-scan-restore.service'];

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version']).status === 0;
}

/** systemd-analyze verify with man: links looked up in the generated page only. */
function verify(t: { after: (fn: () => void) => void }, files: string[]) {
  const man = tempDir(t, 'man');
  mkdirSync(join(man, 'man1'));
  copyFileSync(join(REPO, 'dist', 'f2b-scan.1'), join(man, 'man1', 'f2b-scan.1'));
  const r = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8', env: { ...process.env, MANPATH: man } });
  return { code: r.status, lines: (r.stderr + r.stdout).split('\n').filter(Boolean) };
}

test('the shipped units pass systemd-analyze verify but for the program path a build machine lacks', (t) => {
  if (!hasSystemdAnalyze()) return t.skip('systemd-analyze is not installed (Debian: systemd)');
  const why = missingBuild();
  if (why) return t.skip(why);
  const r = verify(t, UNITS.map((u) => join(REPO, 'packaging', 'systemd', u)));
  const missingBinary = /^f2b-scan(-restore)?\.service: Command \/usr\/local\/bin\/f2b-scan is not executable: No such file or directory$/;
  const other = r.lines.filter((l) => !missingBinary.test(l));
  assert.deepEqual(other, []);
  if (r.lines.length === 0) assert.equal(r.code, 0);
});

test('the units install writes pass systemd-analyze verify with nothing to report', (t) => {
  if (!hasSystemdAnalyze()) return t.skip('systemd-analyze is not installed (Debian: systemd)');
  const why = missingBuild();
  if (why) return t.skip(why);
  const prefix = tempDir(t, 'units');
  // A configuration whose actions widen the sandbox (hosts.deny's directory, ufw, the MTA spools):
  // systemd must accept the ReadWritePaths line derived from it.
  mkdirSync(join(prefix, 'etc', 'f2b-scan'), { recursive: true });
  writeFileSync(join(prefix, 'etc', 'f2b-scan', 'jail.local'), '[DEFAULT]\nmta = sendmail\n[sshd]\nenabled = true\naction = hostsdeny\n         ufw\n         sendmail-whois\n');
  // The command the units start must exist for systemd-analyze: this checkout's.
  const inst = runCli(['install', '--systemd', '--prefix', prefix, '--command', join(REPO, 'bin', 'f2b-scan')]);
  assert.equal(inst.code, 0, inst.stderr);
  const r = verify(t, UNITS.map((u) => join(prefix, 'etc/systemd/system', u)));
  assert.deepEqual(r.lines, []);
  assert.match(readFileSync(join(prefix, 'etc/systemd/system/f2b-scan.service'), 'utf8'), /^ReadWritePaths=\/etc \/run \/var\/lib\/f2b-scan \/var\/log -\/var\/spool\/exim4 /m);
  assert.equal(r.code, 0);
});

// The environment's errors are one line (issue 16.7, 18.3), through the real CLI: a user who is
// not root, a read-only state directory, a full disk. Each names the path or command and what to
// do, exits 7, never says "internal error", never prints a stack trace or a shell script; a full
// disk while the state is written keeps the previous state intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, failedPasswords, scratch, sshdConfig, type CliResult } from '../run/cli.ts';
import { commandExists, createLab, iptablesUnavailable, netnsUnavailable } from '../helpers/netns.ts';
import { readState } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';

/** Why the CLI cannot be run as `nobody` here, or null. */
function nobodyUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'switching to the user nobody needs root';
  if (!commandExists('setpriv')) return 'setpriv is not installed (Debian package util-linux)';
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', 'require("fs").accessSync(process.argv[1], 4)', BIN], { encoding: 'utf8' });
  return r.status === 0 ? null : `the user nobody cannot read ${BIN} (the checkout is in a private directory)`;
}

/** Run the CLI as nobody (optionally inside a network namespace, so no real firewall is in reach). */
function f2bAsNobody(args: string[], ns?: string): CliResult {
  const argv = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args];
  const [cmd, ...rest] = ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
  const r = spawnSync(cmd!, rest, { cwd: REPO, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', HOME: '/' }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A shell script run as root in a private mount namespace (mounts made there vanish with it). */
function inMountNamespace(script: string): CliResult {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function mountNsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mount namespaces need root';
  const r = inMountNamespace('mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt');
  return r.code === 0 ? null : `cannot mount in a private mount namespace (unshare -m): ${r.stderr.trim()}`;
}

function assertOneLine(r: CliResult, pattern: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at |Error: E[A-Z]+:/);
}

/** An sshd jail on the dummy action; everything in a directory nobody may read. */
function scenario(extra = '') {
  const dir = scratch('f2b-env-');
  chmodSync(dir, 0o755);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  chmodSync(log, 0o644);
  const conf = sshdConfig(dir, log, `maxretry = 3\naction = dummy[target="${join(dir, 'banned.txt')}"]\n${extra}`);
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n`);
  chmodSync(conf, 0o755);
  for (const f of readdirSync(conf)) chmodSync(join(conf, f), 0o644);
  return { dir, log, conf };
}

test('not root, the state in a directory only root may write: one line naming the lock and "run f2b-scan as root", exit 7', async (t) => {
  const skip = nobodyUnavailable();
  if (skip) return t.skip(skip);
  const s = scenario();
  const stateDir = join(s.dir, 'lib');
  mkdirSync(stateDir, { mode: 0o755 });
  const r = f2bAsNobody(['--config', s.conf, '--state', join(stateDir, 'state.json'), '--now', NOW]);
  assert.equal(r.code, 7, r.stderr);
  assertOneLine(r, new RegExp(`^f2b-scan: lock ${stateDir}/state\\.json\\.lock: permission denied \\(EACCES\\); run f2b-scan as root`));
});

test('not root, a state file only root may read: status says so in one line, exit 7', async (t) => {
  const skip = nobodyUnavailable();
  if (skip) return t.skip(skip);
  const s = scenario();
  const state = join(s.dir, 'state.json');
  writeFileSync(state, '{"version":1}', { mode: 0o600 });
  const r = f2bAsNobody(['status', '--config', s.conf, '--state', state]);
  assert.equal(r.code, 7, r.stderr);
  assertOneLine(r, new RegExp(`^f2b-scan: state ${state}: permission denied \\(EACCES\\); run f2b-scan as root`));
});

test('not root with a writable state and a fail2ban action file: one line per failed ban saying to run as root, no shell script, exit 7', async (t) => {
  const skip = nobodyUnavailable() ?? netnsUnavailable() ?? iptablesUnavailable();
  if (skip) return t.skip(skip);
  if (!existsSync('/etc/fail2ban/action.d/iptables-multiport.conf')) return t.skip('fail2ban\'s action files are not installed (Debian package fail2ban)');
  const s = scenario();
  // fail2ban's own action file (read from the Debian package at test time), as a converted setup has it.
  mkdirSync(join(s.conf, 'action.d'), { mode: 0o755 });
  for (const f of ['iptables-multiport.conf', 'iptables.conf']) {
    writeFileSync(join(s.conf, 'action.d', f), readFileSync(join('/etc/fail2ban/action.d', f)), { mode: 0o644 });
  }
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8').replace(/^action = .*$/m, 'action = iptables-multiport[name=sshd, port=22]'));
  const stateDir = join(s.dir, 'own');
  mkdirSync(stateDir);
  chmodSync(stateDir, 0o777); // this user may write the state (mkdir's mode goes through the umask) and the own log
  writeFileSync(join(s.conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(stateDir, 'own.log')}\n`);
  appendFileSync(s.log, failedPasswords('198.51.100.40', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const lab = await createLab('envnr');
  try {
    const r = f2bAsNobody(['--config', s.conf, '--state', join(stateDir, 'state.json'), '--now', NOW], lab.server.ns);
    assert.equal(r.code, 7, r.stderr);
    assertOneLine(r, /^f2b-scan: error: \[sshd\] ban 198\.51\.100\.40 failed: .*Permission denied \(you must be root\); run f2b-scan as root/);
    assert.ok(r.stderr.length < 600, `short: ${r.stderr.length} characters`);
    const state = readState(join(stateDir, 'state.json'));
    assert.equal(state.bans.sshd!['198.51.100.40']!.pending, 'ban', 'the ban is kept and retried by a run as root');
  } finally {
    await lab.cleanup();
  }
});

test('a read-only state directory: one line saying so and what to do, exit 7, the state untouched', async (t) => {
  const skip = mountNsUnavailable();
  if (skip) return t.skip(skip);
  const s = scenario();
  const stateDir = join(s.dir, 'lib');
  mkdirSync(stateDir);
  const state = join(stateDir, 'state.json');
  appendFileSync(s.log, failedPasswords('198.51.100.41', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const cli = `"${process.execPath}" "${BIN}" --config "${s.conf}" --state "${state}" --now ${NOW}`;
  const r = inMountNamespace(`${cli} >/dev/null 2>&1; cp "${state}" "${state}.before"; mount --bind "${stateDir}" "${stateDir}" && mount -o remount,bind,ro "${stateDir}" && ${cli}`);
  assert.equal(r.code, 7, r.stderr);
  assertOneLine(r, new RegExp(`^f2b-scan: lock ${state}\\.lock: the file system is read-only \\(EROFS\\); the state directory is read-only: make it writable \\(a systemd unit: list it in ReadWritePaths=\\)`));
  assert.equal(readFileSync(state, 'utf8'), readFileSync(`${state}.before`, 'utf8'));
});

test('the disk fills up while the state is written (a 64 KiB tmpfs): one line, exit 7, the previous state intact and no temp file left', async (t) => {
  const skip = mountNsUnavailable();
  if (skip) return t.skip(skip);
  const s = scenario('findtime = 1d\n');
  const out = join(s.dir, 'out');
  mkdirSync(out);
  const stateDir = join(s.dir, 'lib');
  mkdirSync(stateDir);
  const state = join(stateDir, 'state.json');
  appendFileSync(s.log, failedPasswords('198.51.100.42', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  // The second run counts 2,000 addresses' failures (below maxretry): a state far over 64 KiB.
  const more = join(s.dir, 'more.log');
  writeFileSync(more, Array.from({ length: 2000 }, (_, i) => failedPasswords(`2001:db8::${(i + 1).toString(16)}`, 1, '2026-11-24T11:59:30Z')[0]).join('\n') + '\n');
  const cli = `"${process.execPath}" "${BIN}" --config "${s.conf}" --state "${state}" --now ${NOW}`;
  const r = inMountNamespace([
    `mount -t tmpfs -o size=64k tmpfs "${stateDir}"`,
    `${cli} >"${out}/run1.out" 2>&1; echo $? >"${out}/run1.code"`,
    `cp "${state}" "${out}/state-1.json"`,
    `cat "${more}" >>"${s.log}"`,
    `${cli}; code=$?`,
    `cp "${state}" "${out}/state-2.json"; ls -a "${stateDir}" >"${out}/ls.txt"`,
    'exit $code',
  ].join('\n'));
  assert.equal(readFileSync(join(out, 'run1.code'), 'utf8').trim(), '0', readFileSync(join(out, 'run1.out'), 'utf8'));
  assert.equal(r.code, 7, r.stderr);
  assertOneLine(r, new RegExp(`^f2b-scan: state ${state}: the disk is full \\(ENOSPC\\); free some space; the previous state file is kept unchanged$`));
  assert.equal(readFileSync(join(out, 'state-2.json'), 'utf8'), readFileSync(join(out, 'state-1.json'), 'utf8'), 'the previous state is intact');
  assert.deepEqual(readFileSync(join(out, 'ls.txt'), 'utf8').split('\n').filter((n) => n && n !== '.' && n !== '..').sort(), ['state.json'], 'no temp file or lock left');
});

test('not root, an own log only root may write: the run still bans, one warning naming the log and the fix, exit 7', async (t) => {
  const skip = nobodyUnavailable();
  if (skip) return t.skip(skip);
  const s = scenario();
  const own = join(s.dir, 'own');
  mkdirSync(own);
  chmodSync(own, 0o777);
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8').replace(/^action = .*$/m, `action = dummy[target="${join(own, 'banned.txt')}"]`));
  appendFileSync(s.log, failedPasswords('198.51.100.43', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const r = f2bAsNobody(['--config', s.conf, '--state', join(own, 'state.json'), '--now', NOW]);
  assert.equal(r.code, 7, r.stderr);
  assertOneLine(r, new RegExp(`^f2b-scan: warning: own log ${s.dir}/own\\.log: permission denied \\(EACCES\\); run f2b-scan as root, or set logtarget`));
  assert.match(readFileSync(join(own, 'banned.txt'), 'utf8'), /^\+198\.51\.100\.43$/m, 'the ban was made');
});

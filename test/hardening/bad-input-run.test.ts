// Odd files and bad values through whole runs of the CLI: each is one line on stderr, the run
// goes on with everything else (a failure in a good file is still counted and banned), and
// the exit code tells (5: input warnings; 2: configuration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, dummyScenario, f2bAsync, failedPasswords, heldByDummy, sshdLine } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';

function lines(l: string[]): string {
  return l.join('\n') + '\n';
}

/**
 * A jail reading a good log (3 failures of 203.0.113.1: a ban) and `odd`, made by `make`.
 * Returns the run's result with its stderr warning lines.
 */
async function runWith(make: (dir: string) => string, extra = '') {
  const s = dummyScenario(`maxretry = 3\n${extra}`);
  writeFileSync(s.log, lines(failedPasswords('203.0.113.1', 3, '2026-11-24T11:59:00Z')));
  const odd = make(s.dir);
  writeFileSync(join(s.conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${s.log}\n          ${odd}\nmaxretry = 3\naction = dummy[target="${s.banned}"]\n${extra}\n`);
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('f2b-scan: warning: '));
  return { s, r, out: r.stdout ? JSON.parse(r.stdout) : null, warnings };
}

function assertGoodLogStillBans(res: Awaited<ReturnType<typeof runWith>>) {
  assert.deepEqual(res.out.bans.map((b: { ip: string }) => b.ip), ['203.0.113.1'], 'the good log is read and bans');
  assert.deepEqual([...heldByDummy(res.s.banned)], ['203.0.113.1']);
}

test('invalid UTF-8 and NUL bytes: one warning each, the other lines of that file still count', async () => {
  const res = await runWith((dir) => {
    const p = join(dir, 'bytes.log');
    writeFileSync(p, Buffer.concat([
      Buffer.from(sshdLine('2026-11-24T11:59:00Z', 'Failed password for \xff\xfe from 198.51.100.2 port 22 ssh2'), 'latin1'), Buffer.from('\n'),
      Buffer.from(sshdLine('2026-11-24T11:59:01Z', 'Failed password for root\0\0 from 198.51.100.2 port 22 ssh2') + '\n'),
      Buffer.from(sshdLine('2026-11-24T11:59:02Z', 'Failed password for root from 198.51.100.2 port 22 ssh2') + '\n'),
    ]));
    return p;
  });
  assert.equal(res.r.code, 5, res.r.stderr);
  assert.equal(res.warnings.filter((w) => /bytes\.log: contains invalid UTF-8/.test(w)).length, 1, res.r.stderr);
  assert.equal(res.warnings.filter((w) => /bytes\.log: contains NUL bytes/.test(w)).length, 1, res.r.stderr);
  assert.deepEqual(res.out.bans.map((b: { ip: string }) => b.ip).sort(), ['198.51.100.2', '203.0.113.1'], 'its three lines still count');
});

test('CRLF line endings: read like LF, the address is clean, no warning', async () => {
  const res = await runWith((dir) => {
    const p = join(dir, 'crlf.log');
    writeFileSync(p, failedPasswords('198.51.100.3', 3, '2026-11-24T11:59:00Z').map((l) => `${l}\r\n`).join(''));
    return p;
  });
  assert.equal(res.r.code, 0, res.r.stderr);
  assert.deepEqual(res.warnings, []);
  assert.deepEqual(res.out.bans.map((b: { ip: string }) => b.ip).sort(), ['198.51.100.3', '203.0.113.1']);
});

test('a line over 64 KiB is cut and counted in one warning; the next line is intact', async () => {
  const res = await runWith((dir) => {
    const p = join(dir, 'long.log');
    writeFileSync(p, lines([sshdLine('2026-11-24T11:59:00Z', `Failed password for ${'x'.repeat(100_000)} from 198.51.100.4 port 22 ssh2`), ...failedPasswords('198.51.100.5', 3, '2026-11-24T11:59:01Z')]));
    return p;
  });
  assert.equal(res.r.code, 5, res.r.stderr);
  assert.deepEqual(res.warnings.filter((w) => /long\.log: 1 line\(s\) longer than 65536 bytes were cut/.test(w)).length, 1, res.r.stderr);
  assert.deepEqual(res.out.bans.map((b: { ip: string }) => b.ip).sort(), ['198.51.100.5', '203.0.113.1']);
});

test('a binary file: one warning, the run goes on', async () => {
  const res = await runWith((dir) => {
    const p = join(dir, 'binary.log');
    writeFileSync(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    return p;
  });
  assert.equal(res.r.code, 5, res.r.stderr);
  assert.ok(res.warnings.some((w) => /binary\.log: contains NUL bytes/.test(w)), res.r.stderr);
  assertGoodLogStillBans(res);
});

test('a logpath that is a directory: one warning, the run goes on, exit 5', async () => {
  const res = await runWith((dir) => {
    mkdirSync(join(dir, 'adir'));
    return join(dir, 'adir');
  });
  assert.equal(res.r.code, 5, res.r.stderr);
  assert.deepEqual(res.warnings.filter((w) => /adir: is a directory, not a log file; skipped/.test(w)).length, 1, res.r.stderr);
  assertGoodLogStillBans(res);
});

test('a glob that matches nothing: one warning, the run goes on, exit 5', async () => {
  const res = await runWith((dir) => join(dir, 'nothing-*.log'));
  assert.equal(res.r.code, 5, res.r.stderr);
  assert.deepEqual(res.warnings.filter((w) => /nothing-\*\.log: matches no file/.test(w)).length, 1, res.r.stderr);
  assertGoodLogStillBans(res);
});

test('a symlink loop: one warning, no hang, exit 5', async () => {
  const res = await runWith((dir) => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    return join(dir, 'loop-a');
  });
  assert.equal(res.r.code, 5, res.r.stderr);
  assert.deepEqual(res.warnings.filter((w) => /loop-a: .*(symbolic links|loop)/i.test(w)).length, 1, res.r.stderr);
  assertGoodLogStillBans(res);
});

test('an empty log file is quiet: no warning, exit 0 (a freshly rotated log is empty)', async () => {
  const res = await runWith((dir) => {
    writeFileSync(join(dir, 'empty.log'), '');
    return join(dir, 'empty.log');
  });
  assert.equal(res.r.code, 0, res.r.stderr);
  assert.deepEqual(res.warnings, []);
  assertGoodLogStillBans(res);
});

test('a log that vanished since the last run: one warning, exit 5, the other log still read', async () => {
  const s = dummyScenario('maxretry = 3\n');
  const other = join(s.dir, 'other.log');
  writeFileSync(other, lines(failedPasswords('198.51.100.6', 1, '2026-11-24T11:58:00Z')));
  writeFileSync(s.log, lines(failedPasswords('203.0.113.1', 1, '2026-11-24T11:58:00Z')));
  writeFileSync(join(s.conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${s.log}\n          ${other}\nmaxretry = 3\naction = dummy[target="${s.banned}"]\n`);
  assert.equal((await f2bAsync([...s.base, '--now', NOW])).code, 0);
  rmSync(other);
  appendFileSync(s.log, lines(failedPasswords('203.0.113.1', 2, '2026-11-24T11:59:00Z')));
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 5, r.stderr);
  assert.equal(r.stderr.split('\n').filter((l) => l.includes('other.log')).length, 1, r.stderr);
  assert.match(r.stderr, /^f2b-scan: warning: \S+\/jail\.local:\d+: \[sshd\] logpath .*other\.log: matches no file$/m);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['203.0.113.1']);
});

test('permission denied (the CLI run as nobody over an unreadable log): one warning, the run goes on', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody');
  const probe = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, '--help'], { encoding: 'utf8' });
  if (probe.status !== 0) return t.skip(`the CLI cannot run as nobody here (${(probe.stderr || String(probe.error)).split('\n')[0]})`);
  const s = dummyScenario('maxretry = 3\n');
  const secret = join(s.dir, 'secret.log');
  writeFileSync(secret, lines(failedPasswords('198.51.100.9', 3, '2026-11-24T11:59:00Z')));
  chmodSync(secret, 0o600); // root's
  writeFileSync(s.log, lines(failedPasswords('203.0.113.1', 3, '2026-11-24T11:59:00Z')));
  writeFileSync(join(s.conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${s.log}\n          ${secret}\nmaxretry = 3\naction = dummy[target="${s.banned}"]\n`);
  // An own log this user may write: one it may not is an environment error of its own (exit 7).
  writeFileSync(join(s.conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(s.dir, 'own.log')}\n`);
  for (const p of [s.dir, s.log, s.conf, join(s.conf, 'jail.local'), join(s.conf, 'f2b-scan.local')]) chownSync(p, 65534, 65534);
  chmodSync(s.dir, 0o755);
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...s.base, '--json', '--now', NOW], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /^f2b-scan: warning: \[sshd\] .*secret\.log: permission denied.*$/mi);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['203.0.113.1']);
});

test('a config value of the wrong type in jail.d: exit 2, one line naming file, section and key', async () => {
  const s = dummyScenario();
  mkdirSync(join(s.conf, 'jail.d'));
  writeFileSync(join(s.conf, 'jail.d', 'tune.conf'), '[sshd]\nfindtime = 10m\nbantime = forever-ish\n');
  const r = await f2bAsync([...s.base, '--now', NOW]);
  assert.equal(r.code, 2);
  const err = r.stderr.trim().split('\n');
  assert.equal(err.length, 1, r.stderr);
  assert.match(err[0]!, /jail\.d\/tune\.conf:3 \[sshd\] bantime/);
});

test('an unknown jail on the command line: exit 2, one line naming it', async () => {
  const s = dummyScenario();
  const r = await f2bAsync([...s.base, '--jail', 'sshd-typo', '--now', NOW]);
  assert.equal(r.code, 2);
  const err = r.stderr.trim().split('\n');
  assert.equal(err.length, 1, r.stderr);
  assert.match(err[0]!, /unknown jail "sshd-typo"/);
});

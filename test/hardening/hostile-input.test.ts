// Log lines are written by attackers. Through whole runs of the real CLI: the address banned
// is the one the daemon logged, whatever the attacker put in the user name; every spelling of
// an address is one address; log text never runs in a shell; a regex that can backtrack
// exponentially is refused before it reads a line; a log dated far ahead counts for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { dummyScenario, f2bAsync, failedPasswords, heldByDummy, readState, sshdLine } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';

/** This machine's own non-loopback addresses (what ignoreself protects). */
function ownAddresses(): string[] {
  return Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && !a.address.startsWith('fe80')).map((a) => a!.address);
}

function lines(...l: string[]): string {
  return l.join('\n') + '\n';
}

test('the classic injection "invalid user x from 198.51.100.7 port 22 from 203.0.113.9" bans the sender only', async () => {
  const s = dummyScenario('maxretry = 3\n');
  // The attacker at 203.0.113.9 chose the user name "x from 198.51.100.7 port 22".
  const forged = Array.from({ length: 4 }, (_, i) =>
    sshdLine(`2026-11-24T11:59:0${i}Z`, `Failed password for invalid user x from 198.51.100.7 port 22 from 203.0.113.9 port ${5000 + i} ssh2`));
  appendFileSync(s.log, lines(...forged));
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['203.0.113.9']);
  assert.deepEqual([...heldByDummy(s.banned)], ['203.0.113.9']);
  assert.equal(readState(s.state).failures.sshd?.['198.51.100.7'], undefined, 'the forged address is not even counted');
});

test('::ffff:198.51.100.7, 198.051.100.007 and 198.51.100.7 are one attacker: one ban, the failures counted together', async () => {
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, lines(
    ...failedPasswords('::ffff:198.51.100.7', 1, '2026-11-24T11:59:00Z'),
    ...failedPasswords('198.051.100.007', 1, '2026-11-24T11:59:05Z'),
    ...failedPasswords('198.51.100.7', 1, '2026-11-24T11:59:10Z'),
  ));
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string; failures: number }) => [b.ip, b.failures]), [['198.51.100.7', 3]]);
  assert.deepEqual([...heldByDummy(s.banned)], ['198.51.100.7']);
  assert.deepEqual(Object.keys(readState(s.state).bans.sshd ?? {}), ['198.51.100.7']);
});

test('an IPv6 address written expanded and compressed is one attacker', async () => {
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, lines(
    ...failedPasswords('2001:0db8:0000:0000:0000:0000:0000:0bad', 1, '2026-11-24T11:59:00Z'),
    ...failedPasswords('2001:DB8::BAD', 1, '2026-11-24T11:59:05Z'),
    ...failedPasswords('2001:db8:0:0::bad', 1, '2026-11-24T11:59:10Z'),
  ));
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['2001:db8::bad']);
  assert.deepEqual([...heldByDummy(s.banned)], ['2001:db8::bad']);
});

test('loopback, ignoreip and the machine\'s own addresses are never banned, whatever the log says', async () => {
  const s = dummyScenario('maxretry = 2\nignoreip = 198.51.100.0/24\nignoreself = true\n');
  appendFileSync(s.log, lines(
    ...failedPasswords('127.0.0.1', 3, '2026-11-24T11:59:00Z'),
    ...failedPasswords('::1', 3, '2026-11-24T11:59:00Z'),
    ...failedPasswords('::ffff:127.0.0.2', 3, '2026-11-24T11:59:00Z'),
    ...failedPasswords('198.51.100.99', 3, '2026-11-24T11:59:00Z'),
    ...failedPasswords('203.0.113.50', 2, '2026-11-24T11:59:00Z'),
    ...ownAddresses().flatMap((ip) => failedPasswords(ip, 3, '2026-11-24T11:59:00Z')),
  ));
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['203.0.113.50'], 'only the outsider');
  assert.deepEqual([...heldByDummy(s.banned)], ['203.0.113.50']);
});

test('user names with $( ) and backticks reach a shell action file as text: nothing runs', async () => {
  const s = dummyScenario('maxretry = 2\n');
  const marker = `/tmp/pwned-${process.pid}`;
  const out = join(s.dir, 'action-out.txt');
  mkdirSync(join(s.conf, 'action.d'), { recursive: true });
  // A custom fail2ban action file: its ban command puts the matched log lines (holding the
  // user names) in a shell line, bare and inside double quotes, where a naive substitution
  // would run them.
  writeFileSync(join(s.conf, 'action.d', 'note.conf'), [
    '[Definition]',
    'actionstart =',
    'actionstop =',
    'actioncheck =',
    `actionban = echo <ip> <matches> >> ${out}; echo "quoted: <matches>" >> ${out}`,
    'actionunban =',
    '',
  ].join('\n'));
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8').replace(/^action = .*$/m, 'action = note'));
  const users = [`$(touch ${marker}-a)`, `\`touch ${marker}-b\``];
  for (const [i, u] of users.entries()) {
    appendFileSync(s.log, lines(...Array.from({ length: 2 }, (_, k) =>
      sshdLine(`2026-11-24T11:59:${String(10 * i + k).padStart(2, "0")}Z`, `Failed password for invalid user ${u} from 203.0.113.${i + 1} port 22 ssh2`))));
  }
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip).sort(), ['203.0.113.1', '203.0.113.2']);
  assert.equal(existsSync(`${marker}-a`), false, '$( ) did not run');
  assert.equal(existsSync(`${marker}-b`), false, 'backticks did not run');
  const written = readFileSync(out, 'utf8');
  for (const u of users) {
    assert.ok(written.includes(`invalid user ${u} from`), `the user name arrived as text: ${u}\n${written}`);
  }
});

test('a user filter whose exponential loop runs on RE2 bans, and a hostile line never stalls the run', { timeout: 60_000 }, async () => {
  const s = dummyScenario('maxretry = 1\nfilter = myapp\n');
  mkdirSync(join(s.conf, 'filter.d'), { recursive: true });
  writeFileSync(join(s.conf, 'filter.d', 'myapp.conf'), '[Definition]\n# (\\w+\\s?)+ reads "aaaa" in 2^n ways\nfailregex = Login failed for user (?:\\w+\\s?)+ from <HOST>$\n');
  // 40 letters and no " from ...": 2^39 ways to fail for a backtracking engine (hours); RE2 reads it once.
  appendFileSync(s.log, lines(`Nov 24 11:59:00 host myapp[1]: Login failed for user ${'a'.repeat(40_000)}! from 198.51.100.7x`, 'Nov 24 11:59:01 host myapp[1]: Login failed for user bob smith from 198.51.100.8'));
  const t = performance.now();
  const r = await f2bAsync([...s.base, '--now', NOW]);
  const ms = performance.now() - t;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(ms < 15_000, `the run ended in ${ms.toFixed(0)} ms`);
  assert.match(readFileSync(s.banned, 'utf8'), /198\.51\.100\.8/);
  assert.doesNotMatch(readFileSync(s.banned, 'utf8'), /198\.51\.100\.7/);
  // check-config says which engine runs it, as a note: nothing to fix.
  const cc = await f2bAsync(['check-config', '--config', s.conf]);
  assert.equal(cc.code, 0, cc.stdout + cc.stderr);
  assert.match(cc.stdout + cc.stderr, /myapp\.conf:3.*runs on RE2/);
});

test('a user filter whose exponential loop neither RE2 nor atomic rounds can run is refused in one line naming the rule; the hostile line never stalls the run', { timeout: 60_000 }, async () => {
  const s = dummyScenario('maxretry = 1\nfilter = myapp\n');
  mkdirSync(join(s.conf, 'filter.d'), { recursive: true });
  writeFileSync(join(s.conf, 'filter.d', 'myapp.conf'), '[Definition]\n# (\\w+\\s?)+ reads "aaaa" in 2^n ways; RE2 has no lookahead\nfailregex = Login failed for user (?:\\w+\\s?)+(?! as root) from <HOST>$\n');
  // 40 letters and no " from ...": 2^39 ways to fail for a backtracking engine (hours).
  appendFileSync(s.log, lines(`Nov 24 11:59:00 host myapp[1]: Login failed for user ${'a'.repeat(40)}! from 198.51.100.7x`));
  const t = performance.now();
  const r = await f2bAsync([...s.base, '--now', NOW]);
  const ms = performance.now() - t;
  assert.equal(r.code, 2, r.stderr);
  const err = r.stderr.trim().split('\n');
  assert.equal(err.length, 1, r.stderr);
  assert.match(err[0]!, /filter\.d\/myapp\.conf:3.*rule myapp: regex refused: a loop can backtrack exponentially/);
  assert.ok(ms < 15_000, `the run ended in ${ms.toFixed(0)} ms`);
  assert.equal(existsSync(s.banned), false);
  // check-config says the same.
  const cc = await f2bAsync(['check-config', '--config', s.conf]);
  assert.notEqual(cc.code, 0);
  assert.match(cc.stdout + cc.stderr, /myapp\.conf:3.*backtrack exponentially/);
});

test('check-config names a user regex that backtracks polynomially (cubic: one long line stalls a run) as a problem', { timeout: 60_000 }, async () => {
  const s = dummyScenario('filter = myapp\n');
  mkdirSync(join(s.conf, 'filter.d'), { recursive: true });
  writeFileSync(join(s.conf, 'filter.d', 'myapp.conf'), '[Definition]\nfailregex = ^Login failed from <HOST>$\n            ^.*\\s.*\\s.*x from <HOST>$\n');
  const cc = await f2bAsync(['check-config', '--config', s.conf]);
  assert.equal(cc.code, 2, cc.stdout + cc.stderr);
  const named = (cc.stdout + cc.stderr).split('\n').filter((l) => l.includes('backtrack'));
  assert.equal(named.length, 1, cc.stdout + cc.stderr);
  assert.match(named[0]!, /filter\.d\/myapp\.conf:3: rule myapp: this regex can backtrack polynomially \(degree 3\)/);
});

test('a shipped rule reads a 64 KiB hostile line (the longest a line gets) in bounded time', { timeout: 60_000 }, async () => {
  const s = dummyScenario('maxretry = 3\n');
  const pieces = [' from 198.51.100.7 port 22', ' ', 'a ', ': '];
  const hostile = pieces.map((p) => sshdLine('2026-11-24T11:59:00Z', `Failed password for ${p.repeat(Math.ceil(70_000 / p.length))}`));
  appendFileSync(s.log, lines(...hostile, ...failedPasswords('203.0.113.77', 3, '2026-11-24T11:59:30Z')));
  const t = performance.now();
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  const ms = performance.now() - t;
  assert.equal(r.code, 5, r.stderr); // the cut lines are an input warning
  assert.match(r.stderr, /line\(s\) longer than 65536 bytes were cut/);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['203.0.113.77']);
  assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
});

test('failures dated more than a day ahead are not counted, with a warning', async () => {
  const s = dummyScenario('maxretry = 3\n');
  // ISO dates (with a year): a forged or broken clock two days ahead.
  const ahead = Array.from({ length: 5 }, (_, i) => `2026-11-26T12:00:0${i}+00:00 host sshd[${900 + i}]: Failed password for root from 198.51.100.44 port 22 ssh2`);
  const fine = Array.from({ length: 3 }, (_, i) => `2026-11-24T11:59:0${i}+00:00 host sshd[${950 + i}]: Failed password for root from 203.0.113.44 port 22 ssh2`);
  appendFileSync(s.log, lines(...ahead, ...fine));
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.bans.map((b: { ip: string }) => b.ip), ['203.0.113.44']);
  assert.equal(readState(s.state).failures.sshd?.['198.51.100.44'], undefined, 'not even kept for later');
  assert.ok(out.warnings.some((w: string) => /future.*198\.51\.100\.44/.test(w)), out.warnings.join('\n'));
  assert.match(r.stderr, /warning: \[sshd\] failures dated more than a day in the future were not counted .*: 198\.51\.100\.44$/m);
  assert.equal(r.code, 5, 'the exit code tells');
});

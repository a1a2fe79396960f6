// ignorecommand: runs without a shell, `<ip>` substituted where it stands (a word of its own,
// quoted, or inside a word: only an address goes inside other text), exit 0 = ignore, 1 = ban,
// anything else a warning; asked once per (jail, address) in a run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T0, jail, emptyPolicyState, failures, bansOf, runPolicy } from './helpers.ts';
import { parseIgnoreCommand, runIgnoreCommand, ignoreCommandArgv } from '../../src/exec/ignorecommand.ts';
import { prepareIgnore } from '../../src/run/prepare-ignore.ts';
import { startPolicy } from '../../src/policy/decide.ts';
import { ConfigError } from '../../src/util/errors.ts';

const place = { file: '/etc/f2b-scan/jail.local', section: 'sshd', key: 'ignorecommand' };
// A checker a user might write: 203.0.113.0/25 is "ours" (0), 198.51.100.x is not (1), anything else fails (3).
const CHECKER = `/bin/sh -c 'case "$1" in 203.0.113.*) exit 0;; 198.51.100.*) exit 1;; *) echo "unknown $1" >&2; exit 3;; esac' checker <ip>`;

test('the command line is split into words like a shell would, without expanding anything', () => {
  const c = parseIgnoreCommand(`/usr/local/bin/check --zone "office net" 'a b' c\\ d <ip>`, place);
  assert.deepEqual(c.argv, ['/usr/local/bin/check', '--zone', 'office net', 'a b', 'c d', '<ip>']);
  assert.deepEqual(ignoreCommandArgv(c, '203.0.113.9'), ['/usr/local/bin/check', '--zone', 'office net', 'a b', 'c d', '203.0.113.9']);
});

test('shell syntax and misplaced tags are refused with the command named', () => {
  const refused: [string, RegExp][] = [
    ['check <ip> | grep x', /"\|" is shell syntax/],
    ['check <ip>; rm -rf /', /";" is shell syntax/],
    ['check $(whoami) <ip>', /"\$" is shell syntax/],
    ['check "$HOME" <ip>', /"\$" asks for shell expansion/],
    ['check <host>', /<host> is not supported \(only <ip>\)/],
    ["check 'unclosed <ip>", /single quote is not closed/],
    ['   ', /is empty/],
  ];
  for (const [cmd, why] of refused) {
    assert.throws(
      () => parseIgnoreCommand(cmd, place),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(`/etc/f2b-scan/jail.local [sshd] ignorecommand: ignorecommand "${cmd}": `) && why.test(e.message),
      cmd,
    );
  }
});

test('<ip> quoted, inside a word, or in a script the user hands to sh -c takes the address', async () => {
  assert.deepEqual(ignoreCommandArgv(parseIgnoreCommand(`check "<ip>" '<ip>' --ip=<ip> "--from <ip> only"`, place), '2001:db8::7'), [
    'check', '2001:db8::7', '2001:db8::7', '--ip=2001:db8::7', '--from 2001:db8::7 only',
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'f2b-ignorecmd-'));
  try {
    const list = join(dir, 'whitelist');
    writeFileSync(list, '203.0.113.5\n');
    // fail2ban's usual form: the address quoted inside a shell script.
    const cmd = parseIgnoreCommand(`/bin/sh -c 'grep -qx "<ip>" ${list}'`, place);
    assert.deepEqual(await runIgnoreCommand(cmd, '203.0.113.5'), { ignore: true });
    assert.deepEqual(await runIgnoreCommand(cmd, '198.51.100.5'), { ignore: false });
    // Inside other text only an address: anything else is refused, not run.
    const marker = join(dir, 'pwned');
    const evil = await runIgnoreCommand(cmd, `x" ${list}; touch ${marker}; echo "`);
    assert.ok('error' in evil);
    assert.match(evil.error, /is not an address/);
    assert.equal(existsSync(marker), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exit 0 ignores, exit 1 does not, any other exit is a warning and does not ignore', async () => {
  const cmd = parseIgnoreCommand(CHECKER, place);
  assert.deepEqual(await runIgnoreCommand(cmd, '203.0.113.5'), { ignore: true });
  assert.deepEqual(await runIgnoreCommand(cmd, '198.51.100.5'), { ignore: false });
  const other = await runIgnoreCommand(cmd, '2001:db8::5');
  assert.ok('error' in other);
  assert.match(other.error, /exit code 3: unknown 2001:db8::5/);
});

test('the address reaches the command verbatim as one argument, never through a shell', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-ignorecmd-'));
  try {
    const marker = join(dir, 'pwned');
    for (const evil of [`$(touch ${marker})`, `\`touch ${marker}\``, `x; touch ${marker}`, `x && touch ${marker} #`]) {
      // test(1) exits 0 only when its first argument is exactly the text given.
      const cmd = parseIgnoreCommand(`/usr/bin/test <ip> = '${evil}'`, place);
      assert.deepEqual(await runIgnoreCommand(cmd, evil), { ignore: true }, evil);
      assert.equal(existsSync(marker), false, `${evil} ran a shell`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command that hangs is stopped after its timeout and does not ignore', async () => {
  const cmd = parseIgnoreCommand('/bin/sleep 30', place);
  const started = Date.now();
  const r = await runIgnoreCommand(cmd, '203.0.113.5', 300);
  assert.ok(Date.now() - started < 5000);
  assert.ok('error' in r);
  assert.match(r.error, /no answer within 300 ms/);
});

test('a missing program is a warning, not a crash', async () => {
  const r = await runIgnoreCommand(parseIgnoreCommand('/nonexistent/check <ip>', place), '203.0.113.5');
  assert.ok('error' in r);
  assert.match(r.error, /\/nonexistent\/check/);
});

test('in a run, the command is asked once per (jail, address) about to be banned and its answer kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-ignorecmd-'));
  try {
    const calls = join(dir, 'calls');
    const sshd = jail('sshd', {
      ignoreself: false,
      ignorecommand: `/bin/sh -c 'echo "$1" >> "$0"; case "$1" in 203.0.113.*) exit 0;; *) exit 1;; esac' ${calls} <ip>`,
    });
    const fs = [...failures('203.0.113.5', 6, T0), ...failures('198.51.100.5', 6, T0), ...failures('198.51.100.6', 2, T0)];
    // One pass: the policy names the addresses it is about to ban, the run asks the command
    // about those only, the policy finishes with the answers.
    const pass = startPolicy({ state: emptyPolicyState(), jails: [sshd], now: T0 });
    for (const f of fs) pass.foldText(f.jail, f.ip, f.time, f.line);
    const candidates = pass.candidates();
    assert.deepEqual(candidates.map((c) => c.ip).sort(), ['198.51.100.5', '203.0.113.5']);
    const warnings: string[] = [];
    const isIgnored = await prepareIgnore([sshd], { candidates: [...candidates, ...candidates], warn: (m) => warnings.push(m) });
    const r = pass.finish(isIgnored);
    assert.deepEqual(bansOf(r), ['sshd 198.51.100.5']);
    assert.deepEqual(r.ignored, [{ jail: 'sshd', ip: '203.0.113.5', reason: `ignorecommand ${sshd.ignorecommand} exited 0` }]);
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n').sort(), ['198.51.100.5', '203.0.113.5']);
    assert.deepEqual(warnings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkPolicy skips a jail with a bad ignorecommand or formula in its own section, and lists skipped ignoreip entries', async () => {
  const { checkPolicy } = await import('../../src/policy/check.ts');
  const good = jail('sshd', { ignorecommand: CHECKER, ignoreip: ['203.0.113.0/24', '300.1.1.1'] });
  const piped = jail('web', { ignorecommand: 'check <ip> | logger' });
  const formula = jail('mail', { increment: { enabled: true, factor: 1, overalljails: false, formula: 'ban.Time.__class__' } });
  const r = checkPolicy([good, piped, formula]);
  assert.deepEqual(r.jails.map((j) => j.name), ['sshd']);
  assert.deepEqual(r.warnings, ['[sshd] ignoreip 300.1.1.1: not an address, CIDR range or host name; skipped']);
  assert.equal(r.jailErrors.length, 2);
  assert.match(r.jailErrors[0]!, /\[web\] ignorecommand: ignorecommand "check <ip> \| logger": "\|" is shell syntax.*\(jail \[web\] skipped\)$/);
  assert.match(r.jailErrors[1]!, /bantime\.formula: formula "ban\.Time\.__class__": "ban\.Time\.__class__".*\(jail \[mail\] skipped\)$/);
  // Written in [DEFAULT]: every jail has it, the run stops, the message names the [DEFAULT] line.
  const fromDefault = (_j: unknown, key: string) => ({ file: '/etc/f2b-scan/jail.local', line: 3, section: 'DEFAULT', key });
  assert.throws(() => checkPolicy([piped], fromDefault), (e: unknown) => e instanceof ConfigError && /^\/etc\/f2b-scan\/jail\.local:3 \[DEFAULT\] ignorecommand: ignorecommand "check <ip> \| logger"/.test(e.message));
});

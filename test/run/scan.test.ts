// The cron run end to end through the real CLI: config, rule, offsets, state, bans, expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, failedPasswords, scratch, sshdConfig, sshdLine } from './cli.ts';
import { readStateView } from '../helpers/state-view.ts';

const NOW = '2026-11-24T10:05:00Z';

function scenario(maxretry: number, extra = '') {
  const dir = scratch();
  const log = join(dir, 'auth.log');
  writeFileSync(log, failedPasswords('192.0.2.7', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const conf = sshdConfig(dir, log, `maxretry = ${maxretry}\n${extra}`);
  return { dir, log, conf, state: join(dir, 'state.json'), banned: join(dir, 'banned.txt') };
}

test('five failed sshd logins from one address with maxretry 5 would ban it', () => {
  const s = scenario(5);
  const r = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.bans.map((b: { jail: string; ip: string; failures: number }) => [b.jail, b.ip, b.failures]), [['sshd', '192.0.2.7', 5]]);
  assert.equal(out.bans[0].until, '2026-11-24T10:15:00.000Z');
  assert.deepEqual(out.files.map((f: { linesRead: number }) => f.linesRead), [5]);
});

test('the same five failures with maxretry 6 ban nobody', () => {
  const s = scenario(6);
  const r = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans, []);
});

test('a dry run changes nothing: no state file, no firewall change', () => {
  const banned = join(scratch(), 'banned.txt');
  const s = scenario(5, `action = dummy[target="${banned}"]`);
  const r = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^would ban 192\.0\.2\.7 in sshd: 5 failures, until 2026-11-24T10:15:00\.000Z$/m);
  assert.equal(existsSync(s.state), false);
  assert.equal(existsSync(banned), false);
});

test('a real run bans, remembers the offset, and a second run over the unchanged log reads 0 bytes', () => {
  const s = scenario(5);
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8') + `action = dummy[target="${s.banned}"]\n`);
  const first = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', NOW]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).bans.length, 1);
  assert.equal(readFileSync(s.banned, 'utf8'), '+192.0.2.7\n');
  const state = readStateView(s.state);
  assert.ok(state.bans.sshd!['192.0.2.7']);
  assert.equal(statSync(s.state).mode & 0o777, 0o600);

  const second = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', '2026-11-24T10:06:00Z']);
  assert.equal(second.code, 0, second.stderr);
  const out = JSON.parse(second.stdout);
  assert.deepEqual(out.files.map((f: { bytesRead: number }) => f.bytesRead), [0]);
  assert.deepEqual(out.bans, []);
  assert.equal(readFileSync(s.banned, 'utf8'), '+192.0.2.7\n', 'the ban is not applied twice');
});

test('a ban is lifted once its time is over', () => {
  const s = scenario(5, 'bantime = 10m');
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8') + `action = dummy[target="${s.banned}"]\n`);
  assert.equal(f2b(['--config', s.conf, '--state', s.state, '--now', NOW]).code, 0);
  const early = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', '2026-11-24T10:14:59Z']);
  assert.deepEqual(JSON.parse(early.stdout).unbans, []);
  const late = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', '2026-11-24T10:15:01Z']);
  assert.equal(late.code, 0, late.stderr);
  assert.deepEqual(JSON.parse(late.stdout).unbans, [{ jail: 'sshd', ip: '192.0.2.7' }]);
  assert.equal(readFileSync(s.banned, 'utf8'), '+192.0.2.7\n-192.0.2.7\n');
  assert.deepEqual(readStateView(s.state).bans.sshd ?? {}, {});
});

test('failures older than findtime do not count and leave the state', () => {
  const s = scenario(5, 'findtime = 10m');
  writeFileSync(s.log, failedPasswords('192.0.2.8', 3, '2026-11-24T09:00:00Z').join('\n') + '\n');
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8') + `action = dummy[target="${s.banned}"]\n`);
  assert.equal(f2b(['--config', s.conf, '--state', s.state, '--now', '2026-11-24T09:01:00Z']).code, 0);
  assert.equal(Object.keys(readStateView(s.state).failures.sshd ?? {}).length, 1);
  // Two more failures 20 minutes later: 5 in total, but only 2 inside findtime.
  appendFileSync(s.log, failedPasswords('192.0.2.8', 2, '2026-11-24T09:20:00Z').join('\n') + '\n');
  const r = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', '2026-11-24T09:21:00Z']);
  assert.deepEqual(JSON.parse(r.stdout).bans, []);
  assert.equal(readStateView(s.state).failures.sshd!['192.0.2.8']!.attempts, 2);
  const later = f2b(['--config', s.conf, '--state', s.state, '--now', '2026-11-24T10:00:00Z']);
  assert.equal(later.code, 0);
  assert.deepEqual(readStateView(s.state).failures.sshd ?? {}, {});
});

test('a partial last line is read by the next run, once it is complete', () => {
  const s = scenario(5);
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8') + `action = dummy[target="${s.banned}"]\n`);
  writeFileSync(s.log, failedPasswords('192.0.2.9', 4, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const half = sshdLine('2026-11-24T10:00:30Z', 'Failed password for root from 192.0.2.9 port 1 ssh2');
  appendFileSync(s.log, half.slice(0, 30));
  const r1 = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', NOW]);
  assert.deepEqual(JSON.parse(r1.stdout).files.map((f: { linesRead: number }) => f.linesRead), [4]);
  assert.deepEqual(JSON.parse(r1.stdout).bans, []);
  appendFileSync(s.log, half.slice(30) + '\n');
  const r2 = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', NOW]);
  assert.deepEqual(JSON.parse(r2.stdout).files.map((f: { linesRead: number }) => f.linesRead), [1]);
  assert.deepEqual(JSON.parse(r2.stdout).bans.map((b: { ip: string }) => b.ip), ['192.0.2.9']);
});

test('a bad value in the config exits 2 with one line naming file, section and key', () => {
  const s = scenario(5);
  writeFileSync(join(s.conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${s.log}\nmaxretry = lots\n`);
  const r = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--now', NOW]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /jail\.local:4 \[sshd\] maxretry/);
});

test('an unknown jail on the command line is a one-line error', () => {
  const s = scenario(5);
  const r = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--jail', 'nope', '--now', NOW]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown jail "nope"/);
});

test("the README's demo command shows the bans it would make", () => {
  const r = f2b(['--config', 'rules/demo', '--state', 'state/demo.json', '--now', '2026-11-24T10:05:00Z', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    'would ban 192.0.2.10 in sshd: 6 failures, until 2026-11-24T11:05:00.000Z\n' +
      'would ban 2001:db8::bad in sshd: 5 failures, until 2026-11-24T11:05:00.000Z\n',
  );
});

test("fail2ban 1.0.2's stock configuration loads unchanged and its sshd jail bans", () => {
  const s = scenario(5);
  const conf = join(s.dir, 'fail2ban');
  const stock = join(import.meta.dirname, '../../../shared/conformance/fail2ban-1.0.2');
  cpSync(stock, conf, { recursive: true, filter: (src) => !src.includes('/samples') });
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${s.log}\n`);
  const r = f2b(['--config', conf, '--state', s.state, '--dry-run', '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['192.0.2.7']);
});

test('a jail whose rule is refused is skipped with one error line; the other jails still ban', () => {
  const s = scenario(5);
  mkdirSync(join(s.conf, 'filter.d'));
  // (\w+\s?)+ can read "aaaa..." in exponentially many ways, and with a lookahead RE2 cannot
  // run it either (nor can its rounds be made atomic): a run refuses it.
  writeFileSync(join(s.conf, 'filter.d', 'risky.conf'), '[Definition]\nfailregex = ^(\\w+\\s?)+(?! as root) from <HOST>$\n');
  const risky = join(s.dir, 'app.log');
  writeFileSync(risky, 'Nov 24 10:00:00 host app[1]: x from 192.0.2.99\n');
  writeFileSync(
    join(s.conf, 'jail.local'),
    readFileSync(join(s.conf, 'jail.local'), 'utf8') + `\n[risky]\nenabled = true\nfilter = risky\nlogpath = ${risky}\naction = dummy[target="${s.banned}"]\n`,
  );
  const r = f2b(['--config', s.conf, '--state', s.state, '--json', '--now', NOW]);
  assert.equal(r.code, 2, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => /error:/.test(l));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, /\[risky\] .*risky\.conf:2: rule risky: regex refused: .*jail skipped/);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['192.0.2.7']);
});

test('a wrong value in one jail (maxretry = five) skips that jail with one line naming file, section and key; the other jails ban; exit 2', () => {
  const s = scenario(5);
  writeFileSync(
    join(s.conf, 'jail.local'),
    readFileSync(join(s.conf, 'jail.local'), 'utf8') + `\n[sshd-copy]\nenabled = true\nfilter = sshd\nlogpath = ${s.log}\nmaxretry = five\n`,
  );
  const r = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--json', '--now', NOW]);
  assert.equal(r.code, 2, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => /error/.test(l));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, /jail\.local:\d+ \[sshd-copy\] maxretry: "five" is not a whole number \(jail \[sshd-copy\] skipped\)/);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { jail: string; ip: string }) => [b.jail, b.ip]), [['sshd', '192.0.2.7']]);
  // Named with --jail, the skipped jail says why it was skipped (not "unknown jail"); the other
  // named jail still runs.
  const named = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--json', '--now', NOW, '--jail', 'sshd-copy', '--jail', 'sshd']);
  assert.equal(named.code, 2, named.stderr);
  assert.doesNotMatch(named.stderr, /unknown jail/);
  assert.match(named.stderr, /jail\.local:\d+ \[sshd-copy\] maxretry: "five" is not a whole number \(jail \[sshd-copy\] skipped\)/);
  assert.deepEqual(JSON.parse(named.stdout).bans.map((b: { jail: string; ip: string }) => [b.jail, b.ip]), [['sshd', '192.0.2.7']]);
  // --jail naming only the good jail: the other jail's skip is not this run's business.
  const good = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--json', '--now', NOW, '--jail', 'sshd']);
  assert.equal(good.code, 0, good.stderr);
  assert.doesNotMatch(good.stderr, /sshd-copy/);
  // Commands on one jail (status, get) say why it is missing too: one line, exit 2.
  for (const cmd of [['status', 'sshd-copy'], ['get', 'sshd-copy', 'maxretry']]) {
    const st = f2b([...cmd, '--config', s.conf, '--state', s.state]);
    assert.equal(st.code, 2, st.stderr);
    assert.match(st.stderr, /^f2b-scan: .*jail\.local:\d+ \[sshd-copy\] maxretry: "five" is not a whole number \(jail \[sshd-copy\] skipped\)\n$/, cmd.join(' '));
  }
  // A wrong value in [DEFAULT] is every jail's: the run stops.
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8').replace('[sshd-copy]', '[DEFAULT]\nfindtime = soon\n[sshd-copy]'));
  const d = f2b(['--config', s.conf, '--state', s.state, '--dry-run', '--json', '--now', NOW]);
  assert.equal(d.code, 2, d.stderr);
  assert.equal(d.stdout.trim(), '');
});

test('<matches> in an action file holds the last maxmatches lines (default maxretry), as fail2ban', () => {
  const shown = (extra: string) => {
    const s = scenario(3, extra);
    const out = join(s.dir, 'matches.txt');
    mkdirSync(join(s.conf, 'action.d'));
    writeFileSync(join(s.conf, 'action.d', 'show-matches.conf'), `[Definition]\nactionban = printf '%%s\\n' <matches> >> ${out}\nactionunban =\n`);
    writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8') + 'action = show-matches\n');
    const r = f2b(['--config', s.conf, '--state', s.state, '--now', NOW]);
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(out, 'utf8').trimEnd().split('\n');
  };
  // Five failures read at once, maxretry 3: fail2ban's FailTicket keeps maxretry lines by
  // default, the last ones (its ban thread finds the ticket after the backlog is read).
  const ports = (lines: string[]) => lines.map((l) => /Failed password for root from 192\.0\.2\.7 port (\d+) /.exec(l)?.[1] ?? l);
  assert.deepEqual(ports(shown('')), ['40002', '40003', '40004']);
  assert.deepEqual(ports(shown('maxmatches = 1\n')), ['40004']);
});

test('an action file gets the user name the log named as <F-USER>, as text', () => {
  const s = scenario(5);
  const out = join(s.dir, 'users.txt');
  const pwned = join(s.dir, 'pwned');
  mkdirSync(join(s.conf, 'action.d'));
  writeFileSync(join(s.conf, 'action.d', 'note-user.conf'), `[Definition]\nactionban = printf '%%s %%s\\n' <ip> <F-USER> >> ${out}\nactionunban =\n`);
  writeFileSync(s.log, failedPasswords('192.0.2.7', 4, '2026-11-24T10:00:00Z').join('\n') + '\n' +
    sshdLine('2026-11-24T10:01:00Z', `Failed password for invalid user $(touch ${pwned}) from 192.0.2.7 port 4444 ssh2`) + '\n');
  writeFileSync(join(s.conf, 'jail.local'), readFileSync(join(s.conf, 'jail.local'), 'utf8') + 'action = note-user\n');
  const r = f2b(['--config', s.conf, '--state', s.state, '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(out, 'utf8'), `192.0.2.7 $(touch ${pwned})\n`);
  assert.equal(existsSync(pwned), false);
});

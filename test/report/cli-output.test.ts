// What a person (or cron's mail) sees from the command line: silence when nothing happened
// without a terminal, a repeated warning once a day, a summary and a progress bar on a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, f2b, failedPasswords, scratch, sshdConfig } from '../run/cli.ts';

const NOW = '2026-11-24T10:05:00Z';

/** Run the CLI on a pseudo-terminal (util-linux `script`), as a person at a shell would. */
function onTerminal(args: string[]): { code: number; out: string } | null {
  if (!existsSync('/usr/bin/script')) return null;
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', TERM: 'xterm' }, timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout.replace(/\r/g, '') };
}

function quietSetup() {
  const dir = scratch();
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'Nov 24 10:00:00 host CRON[1]: pam_unix(cron:session): session closed for user root\n');
  const conf = sshdConfig(dir, log, `action = dummy[target="${join(dir, 'banned')}"]`);
  return { dir, log, conf, state: join(dir, 'state.json') };
}

test('a cron run (no terminal) with nothing to do prints nothing and exits 0', () => {
  const s = quietSetup();
  const r = f2b(['--config', s.conf, '--state', s.state, '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
});

test('a cron run prints its bans on stdout, and nothing else', () => {
  const s = quietSetup();
  writeFileSync(s.log, failedPasswords('192.0.2.5', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const r = f2b(['--config', s.conf, '--state', s.state, '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ban 192.0.2.5 in sshd: 5 failures, until 2026-11-24T10:15:00.000Z\n');
  assert.equal(r.stderr, '');
});

test('the same warning reaches cron once a day, --verbose shows it every time, --quiet never', () => {
  const s = quietSetup();
  const conf = sshdConfig(s.dir, join(s.dir, 'missing-*.log'));
  const first = f2b(['--config', conf, '--state', s.state, '--now', NOW]);
  assert.equal(first.code, 5);
  assert.match(first.stderr, /warning: \S+jail\.local:\d+: \[sshd\] .*missing-\*\.log/);
  const again = f2b(['--config', conf, '--state', s.state, '--now', '2026-11-24T10:06:00Z']);
  assert.equal(again.code, 5, 'the exit code still tells');
  assert.equal(again.stderr, '');
  const verbose = f2b(['--config', conf, '--state', s.state, '--now', '2026-11-24T10:07:00Z', '--verbose']);
  assert.match(verbose.stderr, /missing-\*\.log/);
  assert.match(verbose.stdout, /1 jail, 0 files, 0 new lines, 0 failures; 0 banned, 0 unbanned/);
  const quiet = f2b(['--config', conf, '--state', s.state, '--now', '2026-11-25T10:08:00Z', '--quiet']);
  assert.equal(quiet.stderr, '');
  const nextDay = f2b(['--config', conf, '--state', s.state, '--now', '2026-11-25T10:09:00Z']);
  assert.match(nextDay.stderr, /missing-\*\.log/, 'a day later it is said again');
});

test('on a terminal a run ends with a short summary', (t) => {
  const s = quietSetup();
  const r = onTerminal(['--config', s.conf, '--state', s.state, '--now', NOW]);
  if (!r) return t.skip('util-linux script is not installed');
  assert.equal(r.code, 0);
  assert.match(r.out, /1 jail, 1 file, 1 new lines, 0 failures; 0 banned, 0 unbanned/);
});

test('a large backlog shows a progress bar on a terminal and never without one', (t) => {
  const dir = scratch();
  t.after(() => rmSync(dir, { recursive: true, force: true })); // 55 MB of log
  const log = join(dir, 'auth.log');
  const gen = spawnSync(process.execPath, [join(import.meta.dirname, '../../bench/generate.mjs'), 'auth', '600000', log]);
  assert.equal(gen.status, 0);
  const conf = sshdConfig(dir, log);
  const args = ['report', '--config', conf, '--now', '2026-11-24T12:00:00Z', '--format', 'json', '-o', join(dir, 'r.json')];
  const tty = onTerminal(args);
  if (!tty) return t.skip('util-linux script is not installed');
  assert.equal(tty.code, 0, tty.out);
  assert.match(tty.out, /f2b-scan \[.*\] \d+% \| \d+\/5\d MB \| [\d,]+ lines\/s \| ETA/);
  const plain = f2b(args);
  assert.equal(plain.code, 0);
  assert.equal(plain.stderr, '');
  assert.equal(plain.stdout, '');
});

test('Ctrl-C during the progress bar gives the terminal its cursor back', async (t) => {
  if (!existsSync('/usr/bin/script')) return t.skip('util-linux script is not installed');
  const dir = scratch();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'auth.log');
  const gen = spawnSync(process.execPath, [join(import.meta.dirname, '../../bench/generate.mjs'), 'auth', '600000', log]);
  assert.equal(gen.status, 0);
  const conf = sshdConfig(dir, log);
  const cmd = [process.execPath, BIN, '--config', conf, '--state', join(dir, 'state.json'), '--now', '2026-11-24T12:00:00Z', '--dry-run']
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  // The pseudo-terminal turns the ^C typed into it into SIGINT for the command, as a shell's would.
  const child = spawn('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, TZ: 'UTC', TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let typed = false;
  child.stdout.on('data', (d) => {
    out += d;
    if (!typed && out.includes('f2b-scan [')) {
      typed = true;
      child.stdin.write('\x03');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.ok(typed, `the bar was shown: ${JSON.stringify(out.slice(0, 200))}`);
  assert.equal(code, 130, 'the run ends as Ctrl-C ends a program');
  const hidden = out.lastIndexOf('\x1b[?25l');
  assert.ok(hidden >= 0, 'the bar hid the cursor');
  assert.ok(out.indexOf('\x1b[?25h', hidden) > hidden, `the cursor is shown again: ${JSON.stringify(out.slice(hidden, hidden + 400))}`);
});

test('a dry run on a terminal says what would be banned in plain words', (t) => {
  const s = quietSetup();
  writeFileSync(s.log, failedPasswords('192.0.2.5', 5, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const r = onTerminal(['--config', s.conf, '--state', s.state, '--now', NOW, '--dry-run']);
  if (!r) return t.skip('util-linux script is not installed');
  assert.equal(r.code, 0);
  assert.match(r.out, /^would ban 192\.0\.2\.5 in sshd: 5 failures, until /m);
  assert.match(r.out, /^dry run: 1 jail, 1 file, 5 new lines, 5 failures; 1 would be banned, 0 would be unbanned$/m);
});

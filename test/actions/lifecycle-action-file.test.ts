// stop and start through the real CLI for a jail whose action is a fail2ban action file in
// the user's action.d: stop runs its actionunban for every ban and then its actionstop;
// start runs actionstart and actionban again. The action only appends to a file.
// (203.0.113.7: an address no test machine has, or ignoreself would skip it.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { f2b, ownLogIn, REPO, sshdLine } from '../run/cli.ts';

const skipReason = existsSync(join(REPO, 'dist', 'cli.js')) ? null : 'dist/cli.js is missing: run `npm run build` first';
const NOW = '2026-03-01T12:00:00Z';

test('stop runs an action file\'s actionunban for each ban, then actionstop; start runs actionstart and actionban again', (t) => {
  if (skipReason) return t.skip(skipReason);
  const dir = mkdtempSync(join(tmpdir(), 'f2b-lifecycle-af-'));
  try {
    const conf = join(dir, 'conf');
    mkdirSync(join(conf, 'action.d'), { recursive: true });
    const trail = join(dir, 'trail');
    writeFileSync(
      join(conf, 'action.d', 'trail.conf'),
      '[Definition]\nactionstart = echo start >> <trail>\nactionstop = echo stop >> <trail>\nactioncheck =\n' +
        'actionban = echo ban <ip> >> <trail>\nactionunban = echo unban <ip> >> <trail>\n\n[Init]\ntrail = /nonexistent\n',
    );
    const log = join(dir, 'auth.log');
    const lines = [];
    for (let i = 0; i < 5; i++) lines.push(sshdLine(`2026-03-01T11:59:0${i}Z`, `Failed password for root from 203.0.113.7 port 4${i}000 ssh2`));
    writeFileSync(log, lines.join('\n') + '\n');
    writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${log}\naction = trail[trail="${trail}"]\n`);
    ownLogIn(conf, dir);
    const args = (cmd: string[]) => [...cmd, '--config', conf, '--state', join(dir, 'state.json'), '--now', NOW];

    const scan = f2b(args([]));
    assert.equal(scan.code, 0, scan.stderr);
    assert.equal(readFileSync(trail, 'utf8'), 'start\nban 203.0.113.7\n');

    const stop = f2b(args(['stop']));
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, 'unban 203.0.113.7 in sshd (trail)\n');
    assert.equal(readFileSync(trail, 'utf8'), 'start\nban 203.0.113.7\nunban 203.0.113.7\nstop\n');

    const start = f2b(args(['start']));
    assert.equal(start.code, 0, start.stderr);
    assert.equal(start.stdout, 'restore 203.0.113.7 in sshd (trail)\n');
    assert.equal(readFileSync(trail, 'utf8'), 'start\nban 203.0.113.7\nunban 203.0.113.7\nstop\nstart\nban 203.0.113.7\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// When an action file's actionstart, actioncheck, actionrepair and actionstop run, across cron
// runs, as fail2ban runs them: a file without [Init?family=...] starts once for both address
// families (fail2ban: once, for no family); a failed actioncheck runs actionrepair where the
// file has one, else actionstop and a fresh actionstart; after either, every ban the state holds
// is applied again. Real /bin/sh, files in a temp directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enforce, stopActions } from '../../src/actions/index.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail } from '../../src/types.ts';
import { addBan, banIn, makeJail } from '../helpers/jails.ts';
import { tempDir } from '../helpers/temp.ts';

const NOW = 1_700_000_000;
const SHIPPED = join(import.meta.dirname, '../../rules/action.d');
const STOCK_DUMMY = '/etc/fail2ban/action.d/dummy.conf';

function actionDir(files: Record<string, string>): string {
  const dir = join(tempDir('f2b-af-start-'), 'action.d');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const run = (jail: Jail, state: State, decisions: Decision[], dir: string, now = NOW) =>
  enforce({ jails: [jail], state, decisions, now, dryRun: false, actionDirs: [dir, SHIPPED] });

test("fail2ban's stock dummy action starts once for IPv4 and IPv6, across runs, and stops once", { skip: existsSync(STOCK_DUMMY) ? false : `no ${STOCK_DUMMY} (Debian's fail2ban is not installed)` }, async () => {
  const dir = actionDir({});
  copyFileSync(STOCK_DUMMY, join(dir, 'dummy.conf'));
  const target = join(dir, '..', 'dummy.out');
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target } }]);
  const state = emptyState();
  const r1 = await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW)], dir);
  assert.deepEqual(r1.outcomes.map((o) => o.ok), [true]);
  const r2 = await run(jail, state, [addBan(state, 'sshd', '2001:db8::2', NOW + 60)], dir, NOW + 60);
  assert.deepEqual(r2.outcomes.map((o) => [o.ip, o.ok]), [['2001:db8::2', true]]);
  // One start line ("123", dummy's init), then one line per ban: not a second start for IPv6.
  assert.equal(readFileSync(target, 'utf8'), '123\n+192.0.2.2\n+2001:db8::2\n');
  assert.deepEqual(state.started.sshd, ['dummy']);

  const stopped = await stopActions({ jails: [jail], state, dryRun: false, actionDirs: [dir, SHIPPED] });
  assert.deepEqual(stopped.warnings, []);
  // dummy lifts each ban, then its one actionstop removes the file.
  assert.equal(existsSync(target), false);
  assert.deepEqual(state.started.sshd, []);
});

/** An action whose firewall is a flag file: check tests it, start and repair make it; a trail records what ran. */
function flagAction(dir: string, repair: string): { trail: string; flag: string; jail: Jail } {
  const trail = join(dir, '..', 'trail');
  const flag = join(dir, '..', 'flag');
  writeFileSync(
    join(dir, 'flag.conf'),
    '[Definition]\n' +
      'actionstart = touch <flag> && echo start >> <trail>\n' +
      'actionstop = rm -f <flag> && echo stop >> <trail>\n' +
      'actioncheck = test -e <flag>\n' +
      `actionrepair = ${repair}\n` +
      'actionban = echo ban <ip> >> <trail>\n' +
      'actionunban = echo unban <ip> >> <trail>\n' +
      '\n[Init]\ntrail = /nonexistent\nflag = /nonexistent\n',
  );
  return { trail, flag, jail: makeJail('sshd', [{ name: 'flag', options: { trail, flag } }]) };
}

async function breakAndBanAgain(repair: string): Promise<{ lines: string[]; state: State; flag: string }> {
  const dir = actionDir({});
  const { trail, flag, jail } = flagAction(dir, repair);
  const state = emptyState();
  await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW)], dir);
  rmSync(flag); // a reboot or a flush: what start made is gone
  const r = await run(jail, state, [addBan(state, 'sshd', '192.0.2.3', NOW + 60)], dir, NOW + 60);
  for (const o of r.outcomes) assert.equal(o.ok, true, `${o.ip}: ${o.error}`);
  return { lines: readFileSync(trail, 'utf8').trim().split('\n'), state, flag };
}

test('a failed actioncheck runs actionrepair (not actionstart), then every ban of the state is applied again', async () => {
  const { lines, flag } = await breakAndBanAgain('touch <flag> && echo repair >> <trail>');
  assert.deepEqual(lines, ['start', 'ban 192.0.2.2', 'repair', 'ban 192.0.2.2', 'ban 192.0.2.3']);
  assert.equal(existsSync(flag), true);
});

test('without actionrepair a failed actioncheck runs actionstop and a fresh actionstart, then every ban again', async () => {
  const { lines } = await breakAndBanAgain('');
  assert.deepEqual(lines, ['start', 'ban 192.0.2.2', 'stop', 'start', 'ban 192.0.2.2', 'ban 192.0.2.3']);
});

test('a repair that fails is followed by actionstart; a repair that cannot fix it and a failing start keep the bans pending', async () => {
  const { lines } = await breakAndBanAgain('echo repair-failed >> <trail>; false');
  assert.deepEqual(lines, ['start', 'ban 192.0.2.2', 'repair-failed', 'start', 'ban 192.0.2.2', 'ban 192.0.2.3']);

  // Nothing can bring it back: the bans wait, with the reason, for the next run (exit code 4).
  const dir = actionDir({});
  const { trail, flag, jail } = flagAction(dir, 'false');
  const state = emptyState();
  await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW)], dir);
  rmSync(flag);
  writeFileSync(join(dir, 'flag.local'), '[Definition]\nactionstart = false\n');
  const r = await run(jail, state, [addBan(state, 'sshd', '192.0.2.3', NOW + 60)], dir, NOW + 60);
  assert.deepEqual(r.outcomes.map((o) => [o.ip, o.ok]).sort(), [['192.0.2.2', false], ['192.0.2.3', false]]);
  assert.match(r.outcomes[0]!.error ?? '', /start failed/);
  assert.equal(banIn(state, 'sshd', '192.0.2.3')!.pending, 'ban');
  assert.equal(readFileSync(trail, 'utf8'), 'start\nban 192.0.2.2\n');
});

test('stop lifts the bans of an action file with actionflush in one command, then runs actionstop (as fail2ban stops)', async () => {
  const dir = actionDir({});
  const trail = join(dir, '..', 'trail');
  writeFileSync(
    join(dir, 'flushing.conf'),
    '[Definition]\nactionstart = echo start >> <trail>\nactionstop = echo stop >> <trail>\nactionflush = echo flush >> <trail>\n' +
      'actionban = echo ban <ip> >> <trail>\nactionunban = echo unban <ip> >> <trail>\n\n[Init]\ntrail = /nonexistent\n',
  );
  const jail = makeJail('sshd', [{ name: 'flushing', options: { trail } }]);
  const state = emptyState();
  await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW), addBan(state, 'sshd', '192.0.2.3', NOW), addBan(state, 'sshd', '2001:db8::2', NOW)], dir);
  const stopped = await stopActions({ jails: [jail], state, dryRun: false, actionDirs: [dir, SHIPPED] });
  assert.deepEqual(stopped.outcomes.map((o) => [o.ip, o.ok]), [['192.0.2.2', true], ['192.0.2.3', true], ['2001:db8::2', true]]);
  assert.equal(readFileSync(trail, 'utf8'), 'start\nban 192.0.2.2\nban 192.0.2.3\nban 2001:db8::2\nflush\nstop\n');
});

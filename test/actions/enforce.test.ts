// enforce() with the dummy backend (a file is its firewall): the life cycle every backend
// shares, without needing root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforce, stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { addBan, liftBan, makeJail, banIn, banIps } from '../helpers/jails.ts';

const NOW = 1_700_000_000;
// Safety net: should a firewall command ever run from these tests, aim it at a namespace
// that does not exist, so it fails instead of touching the host's firewall.
process.env.F2B_SCAN_NETNS = `f2b-scan-test-none-${process.pid}`;

function tempFile(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-dummy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'bans');
}

test('the dummy action writes one line per ban and unban', async (t) => {
  const file = tempFile(t);
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: file } }]);
  const state = emptyState();
  await enforce({ jails: [jail], state, decisions: [addBan(state, 'sshd', '192.0.2.2', NOW), addBan(state, 'sshd', '2001:db8::2', NOW)], now: NOW, dryRun: false, actionDirs: [] });
  await enforce({ jails: [jail], state, decisions: [liftBan(state, 'sshd', '192.0.2.2')], now: NOW + 600, dryRun: false, actionDirs: [] });
  assert.equal(readFileSync(file, 'utf8'), '+192.0.2.2\n+2001:db8::2\n-192.0.2.2\n');
});

test('when what start made is gone, the next run starts again and restores the bans', async (t) => {
  const file = tempFile(t);
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: file } }]);
  const state = emptyState();
  await enforce({ jails: [jail], state, decisions: [addBan(state, 'sshd', '192.0.2.2', NOW)], now: NOW, dryRun: false, actionDirs: [] });
  rmSync(file);
  const r = await enforce({ jails: [jail], state, decisions: [], now: NOW + 60, dryRun: false, actionDirs: [] });
  assert.deepEqual(r.outcomes.map((o) => [o.op, o.ip, o.ok]), [['restore', '192.0.2.2', true]]);
  assert.equal(readFileSync(file, 'utf8'), '+192.0.2.2\n');
});

test('an action f2b-scan does not have yet gives one warning per jail and the ban stays in the state', async () => {
  const jail = makeJail('sshd', [{ name: 'xarf-login-attack', options: { service: 'ssh' } }]);
  const state = emptyState();
  const decisions = [addBan(state, 'sshd', '192.0.2.2', NOW), addBan(state, 'sshd', '192.0.2.3', NOW)];
  const r = await enforce({ jails: [jail], state, decisions, now: NOW, dryRun: false, actionDirs: [] });
  assert.deepEqual(r.warnings, ['jail sshd: action xarf-login-attack: not supported yet']);
  assert.deepEqual(r.outcomes, []);
  assert.deepEqual(banIps(state, 'sshd'), ['192.0.2.2', '192.0.2.3']);
});

test('a jail without bans or decisions runs no action at all', async (t) => {
  const file = tempFile(t);
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: file } }]);
  const state = emptyState();
  const r = await enforce({ jails: [jail], state, decisions: [], now: NOW, dryRun: false, actionDirs: [] });
  assert.deepEqual(r, { outcomes: [], warnings: [] });
  assert.equal(existsSync(file), false);
  assert.deepEqual(state.started, {});
});

test('a misconfigured action keeps the ban pending with the reason', async () => {
  const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh;reboot' } }]);
  const state = emptyState();
  const r = await enforce({ jails: [jail], state, decisions: [addBan(state, 'sshd', '192.0.2.2', NOW)], now: NOW, dryRun: false, actionDirs: [] });
  assert.equal(r.outcomes.length, 1);
  assert.equal(r.outcomes[0]!.ok, false);
  assert.match(r.warnings[0]!, /jail sshd: port: "ssh;reboot" is not a port/);
  assert.equal(banIn(state, 'sshd', '192.0.2.2')!.pending, 'ban');
});

test('stop lifts the bans and removes what start made; the state keeps the bans for the next start', async (t) => {
  const file = tempFile(t);
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: file } }]);
  const state = emptyState();
  await enforce({ jails: [jail], state, decisions: [addBan(state, 'sshd', '192.0.2.2', NOW)], now: NOW, dryRun: false, actionDirs: [] });
  const r = await stopActions({ jails: [jail], state, dryRun: false });
  assert.deepEqual(r.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', '192.0.2.2', true]]);
  assert.equal(existsSync(file), false);
  assert.deepEqual(state.started.sshd, []);
  assert.ok(banIn(state, 'sshd', '192.0.2.2'));
  const again = await enforce({ jails: [jail], state, decisions: [], now: NOW, dryRun: false, actionDirs: [] });
  assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip]), [['restore', '192.0.2.2']]);
});

test('reconcile: an untouched firewall is left alone; one changed behind the state\'s back is made to agree again', async (t) => {
  const file = tempFile(t);
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: file } }]);
  const state = emptyState();
  const run = (decisions: Parameters<typeof enforce>[0]['decisions'], at: number) => enforce({ jails: [jail], state, decisions, now: at, dryRun: false, actionDirs: [] });
  const ops = (r: Awaited<ReturnType<typeof enforce>>) => r.outcomes.map((o) => [o.op, o.ip, o.ok]);

  assert.deepEqual(ops(await run([addBan(state, 'sshd', '192.0.2.2', NOW), addBan(state, 'sshd', '2001:db8::2', NOW)], NOW)), [['ban', '192.0.2.2', true], ['ban', '2001:db8::2', true]]);
  assert.ok(state.reconciled?.sshd?.dummy && state.reconciled.sshd['dummy/inet6'], 'what the firewall holds is remembered per family');
  // Quiet runs: nothing to do, nothing written.
  const before = readFileSync(file, 'utf8');
  assert.deepEqual(ops(await run([], NOW + 60)), []);
  assert.equal(readFileSync(file, 'utf8'), before);
  // A new ban of one family, then quiet again.
  assert.deepEqual(ops(await run([addBan(state, 'sshd', '198.51.100.3', NOW + 120)], NOW + 120)), [['ban', '198.51.100.3', true]]);
  assert.deepEqual(ops(await run([], NOW + 180)), []);
  // Someone lifts a ban by hand: the next run puts it back.
  writeFileSync(file, readFileSync(file, 'utf8') + '-192.0.2.2\n');
  assert.deepEqual(ops(await run([], NOW + 240)), [['restore', '192.0.2.2', true]]);
  // Someone adds an address the state does not ban: the next run takes it out.
  writeFileSync(file, readFileSync(file, 'utf8') + '+203.0.113.9\n');
  assert.deepEqual(ops(await run([], NOW + 300)), [['unban', '203.0.113.9', true]]);
  assert.deepEqual(ops(await run([], NOW + 360)), []);
  assert.deepEqual(banIps(state, 'sshd').sort(), ['192.0.2.2', '198.51.100.3', '2001:db8::2']);
});

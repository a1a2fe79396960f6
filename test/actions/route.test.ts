// route against the real `ip route` inside a private network namespace: a ban is an
// unreachable/blackhole/prohibit host route, so the server's replies never reach the
// attacker; the unban removes it; a reboot is repaired; jails never touch each other's
// routes or an administrator's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enforce, stopActions } from '../../src/actions/index.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail } from '../../src/types.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail } from '../helpers/jails.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('iproute2', ['ip']);
const NOW = 1_700_000_000;

function runOnce(jails: Jail[], state: State, decisions: Decision[]) {
  return enforce({ jails, state, decisions, now: NOW, dryRun: false, actionDirs: [] });
}

for (const [family, blocktype] of [
  [4, 'unreachable'],
  [6, 'unreachable'],
  [4, 'blackhole'],
  [6, 'prohibit'],
] as const) {
  test(`route[blocktype=${blocktype}]: a banned IPv${family} attacker gets no connection until the unban; another host does`, async (t) => {
    await withFirewallLab(t, skipReason, `rt${family}${blocktype.slice(0, 2)}`, [22], async (lab) => {
      const target = family === 4 ? lab.server.v4 : lab.server.v6;
      const attacker = family === 4 ? lab.attacker.v4 : lab.attacker.v6;
      const jail = makeJail('sshd', [{ name: 'route', options: { blocktype } }]);
      const state = emptyState();
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable before the ban');

      const banned = await runOnce([jail], state, [addBan(state, 'sshd', attacker, NOW)]);
      assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip, o.ok, o.error]), [['ban', attacker, true, undefined]]);
      assert.match(await lab.exec(lab.server.ns, 'ip', [`-${family}`, 'route', 'show', 'type', blocktype]), new RegExp(`^${blocktype} ${attacker}`));
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22, 800), false, 'blocked for the attacker');
      assert.equal(await tcpConnects(lab.other.ns, target, 22), true, 'another host still gets in');

      const lifted = await runOnce([jail], state, [liftBan(state, 'sshd', attacker)]);
      assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', attacker, true]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable again after the unban');
    });
  });
}

test('route: after a reboot drops the routes, the next run puts every ban back', async (t) => {
  await withFirewallLab(t, skipReason, 'rtboot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'route', options: {} }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)]);
    await lab.reboot();
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'the reboot opened the door');
    const again = await runOnce([jail], state, []);
    assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip, o.ok]), [
      ['restore', lab.attacker.v4, true],
      ['restore', lab.attacker.v6, true],
    ]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, 800), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22, 800), false);
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, [], 'a run with the routes in order changes nothing');
  });
});

test("route: a jail's run and stop leave other jails' routes and the administrator's own unreachable routes alone", async (t) => {
  await withFirewallLab(t, skipReason, 'rtmine', [22], async (lab) => {
    await lab.exec(lab.server.ns, 'ip', ['route', 'add', 'unreachable', '198.51.100.7']);
    const sshd = makeJail('sshd', [{ name: 'route', options: {} }]);
    const web = makeJail('web', [{ name: 'route', options: {} }]);
    const state = emptyState();
    await runOnce([sshd, web], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'web', '203.0.113.9', NOW)]);
    assert.deepEqual((await runOnce([sshd, web], state, [])).outcomes, [], 'neither jail takes the other one\'s route for a stray');
    await stopActions({ jails: [sshd], state, dryRun: false });
    const left = await lab.exec(lab.server.ns, 'ip', ['route', 'show', 'type', 'unreachable']);
    assert.match(left, /198\.51\.100\.7/);
    assert.match(left, /203\.0\.113\.9/);
    assert.doesNotMatch(left, /192\.0\.2\.2/);
  });
});

test('route: 10,000 bans in one run go in through ip -batch, in seconds', async (t) => {
  await withFirewallLab(t, skipReason, 'rtbulk', [], async () => {
    const jail = makeJail('sshd', [{ name: 'route', options: { blocktype: 'blackhole' } }]);
    const state = emptyState();
    const decisions: Decision[] = [];
    for (let i = 0; i < 5000; i++) {
      decisions.push(addBan(state, 'sshd', `198.18.${i >> 8}.${i & 255}`, NOW));
      decisions.push(addBan(state, 'sshd', `2001:db8:1::${(i + 1).toString(16)}`, NOW));
    }
    const t0 = performance.now();
    const r = await runOnce([jail], state, decisions);
    t.diagnostic(`route: 10000 bans applied in ${Math.round(performance.now() - t0)} ms`);
    assert.equal(r.outcomes.filter((o) => !o.ok).length, 0);
    assert.equal(r.outcomes.length, 10000);
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, []);
  });
});

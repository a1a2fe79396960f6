// route against the real `ip route` inside a private network namespace: a ban is an
// unreachable/blackhole/prohibit host route, so the server's replies never reach the
// attacker; the unban removes it; a reboot is repaired; jails never touch each other's
// routes or an administrator's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail } from '../helpers/jails.ts';
import { assertBanBlocksAndUnbanOpens, assertBulkBans, assertNextRunRestores, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('iproute2', ['ip']);

for (const [family, blocktype] of [
  [4, 'unreachable'],
  [6, 'unreachable'],
  [4, 'blackhole'],
  [6, 'prohibit'],
] as const) {
  test(`route[blocktype=${blocktype}]: a banned IPv${family} attacker gets no connection until the unban; another host does`, async (t) => {
    await withFirewallLab(t, skipReason, `rt${family}${blocktype.slice(0, 2)}`, [22], async (lab) => {
      const jail = makeJail('sshd', [{ name: 'route', options: { blocktype } }]);
      await assertBanBlocksAndUnbanOpens(lab, {
        jail,
        family,
        blockedTimeoutMs: 800,
        whileBanned: async (attacker) => {
          assert.match(await lab.exec(lab.server.ns, 'ip', [`-${family}`, 'route', 'show', 'type', blocktype]), new RegExp(`^${blocktype} ${attacker}`));
        },
      });
    });
  });
}

test('route: a CIDR range is one route to its prefix; the attacker inside it gets no connection until the unban', async (t) => {
  await withFirewallLab(t, skipReason, 'rtrange', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'route', options: {} }]);
    const state = emptyState();
    // A /30 around the attacker: longer than the lab's connected /24, so the kernel takes it.
    const banned = await runOnce([jail], state, [addBan(state, 'sshd', '192.0.2.0/30', NOW), addBan(state, 'sshd', '2001:db8::/126', NOW)]);
    assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip, o.ok, o.error]), [['ban', '192.0.2.0/30', true, undefined], ['ban', '2001:db8::/126', true, undefined]]);
    assert.match(await lab.exec(lab.server.ns, 'ip', ['-4', 'route', 'show', 'type', 'unreachable']), /^unreachable 192\.0\.2\.0\/30 /m);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, 800), false, 'IPv4 attacker inside the range blocked');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22, 800), false, 'IPv6 attacker inside the range blocked');
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, [], 'the next run finds both ranges in place');
    const lifted = await runOnce([jail], state, [liftBan(state, 'sshd', '192.0.2.0/30'), liftBan(state, 'sshd', '2001:db8::/126')]);
    assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', '192.0.2.0/30', true], ['unban', '2001:db8::/126', true]]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'IPv4 back after the unban');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), true, 'IPv6 back after the unban');
  });
});

test('route: after a reboot drops the routes, the next run puts every ban back', async (t) => {
  await withFirewallLab(t, skipReason, 'rtboot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'route', options: {} }]);
    await assertNextRunRestores(lab, { jail, state: emptyState(), disrupt: () => lab.reboot(), what: 'reboot', blockedTimeoutMs: 800 });
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
    await assertBulkBans(t, { jail: makeJail('sshd', [{ name: 'route', options: { blocktype: 'blackhole' } }]) });
  });
});

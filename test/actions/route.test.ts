// route against the real `ip route` inside a private network namespace: a ban is an
// unreachable/blackhole/prohibit host route, so the server's replies never reach the
// attacker; the unban removes it; a reboot is repaired; jails never touch each other's
// routes or an administrator's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, makeJail } from '../helpers/jails.ts';
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

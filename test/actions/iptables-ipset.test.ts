// iptables-ipset* against the real ipset and iptables inside a private network namespace:
// banned attackers' TCP connections fail, unbanned ones get through again, a reboot is
// repaired by the next run, and 10,000 bans go in as one `ipset restore`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState } from '../../src/state/schema.ts';
import { iptablesUnavailable, netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, makeJail, banIn, patchBan } from '../helpers/jails.ts';
import { assertAllPortsBlockedUntilUnban, assertBanBlocksAndUnbanOpens, assertBulkBans, assertNextRunRestores, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? iptablesUnavailable() ?? toolsUnavailable('ipset', ['ipset']);

for (const family of [4, 6] as const) {
  test(`iptables-ipset-proto6: a banned IPv${family} attacker cannot reach the jail's port until the unban; other ports and hosts still can`, async (t) => {
    await withFirewallLab(t, skipReason, `is${family}`, [22, 8080], async (lab) => {
      const jail = makeJail('sshd', [{ name: 'iptables-ipset-proto6', options: { port: 'ssh' } }]);
      const set = family === 4 ? 'f2b-sshd' : 'f2b-sshd6';
      await assertBanBlocksAndUnbanOpens(lab, {
        jail,
        family,
        bantime: 3600,
        blocked: [22],
        open: [8080],
        // The kernel would lift the ban by itself after one bantime, should cron stop.
        whileBanned: async (attacker) => {
          const saved = await lab.exec(lab.server.ns, 'ipset', ['save', set]);
          assert.match(saved, new RegExp(`add ${set} ${attacker.replace(/\./g, '\\.')} timeout (3[56]\\d\\d)`));
        },
      });
    });
  });
}

test('iptables-ipset-proto6-allports: a ban blocks every port over IPv4 and IPv6; a ban without end has no timeout', async (t) => {
  await withFirewallLab(t, skipReason, 'isall', [22, 8080], async (lab) => {
    const jail = makeJail('recidive', [{ name: 'iptables-ipset-proto6-allports', options: {} }]);
    await assertAllPortsBlockedUntilUnban(lab, {
      jail,
      ports: [22, 8080],
      // The IPv4 ban has no end.
      prepare: (state) => {
        patchBan(state, 'recidive', lab.attacker.v4, { until: null });
      },
      whileBanned: async () => {
        assert.match(await lab.exec(lab.server.ns, 'ipset', ['save', 'f2b-recidive']), /add f2b-recidive 192\.0\.2\.2 timeout 0/);
      },
    });
  });
});

test('iptables-ipset: after a reboot empties iptables and the ipsets, the next run puts every ban back', async (t) => {
  await withFirewallLab(t, skipReason, 'isboot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-ipset', options: { port: 'ssh', blocktype: 'DROP' } }]);
    await assertNextRunRestores(lab, {
      jail,
      state: emptyState(),
      afterBan: async () => assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, 800), false),
      disrupt: () => lab.reboot(),
      what: 'reboot',
      blockedTimeoutMs: 800,
    });
  });
});

test('iptables-ipset: 10,000 bans in one run go in as one ipset restore per family, in seconds', async (t) => {
  await withFirewallLab(t, skipReason, 'isbulk', [], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-ipset-proto6', options: { port: 'ssh' } }]);
    const count = async (set: string) => (await lab.exec(lab.server.ns, 'ipset', ['save', set])).split('\n').filter((l) => l.startsWith('add ')).length;
    await assertBulkBans(t, {
      jail,
      limitMs: 20_000,
      held: async () => {
        assert.equal(await count('f2b-sshd'), 5000);
        assert.equal(await count('f2b-sshd6'), 5000);
      },
    });
  });
});

test('iptables-ipset: a set fail2ban left behind (other maxelem) is taken over as it is, not an error', async (t) => {
  await withFirewallLab(t, skipReason, 'isold', [22], async (lab) => {
    await lab.exec(lab.server.ns, 'ipset', ['create', 'f2b-sshd', 'hash:ip', 'timeout', '0']);
    await lab.exec(lab.server.ns, 'ipset', ['add', 'f2b-sshd', '203.0.113.5']);
    const jail = makeJail('sshd', [{ name: 'iptables-ipset', options: { port: 'ssh' } }]);
    const state = emptyState();
    const r = await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW)]);
    // The old entry is not in the state: the run lifts it, and bans the attacker.
    assert.deepEqual(r.outcomes.map((o) => [o.op, o.ip, o.ok]), [
      ['unban', '203.0.113.5', true],
      ['ban', lab.attacker.v4, true],
    ]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
  });
});

test('iptables-ipset: a name too long for an ipset is refused with the action, jail and option named; the ban stays pending', async () => {
  const jail = makeJail('sshd', [{ name: 'iptables-ipset', options: { name: 'a-jail-name-far-too-long-for-ipset' } }]);
  const state = emptyState();
  const r = await runOnce([jail], state, [addBan(state, 'sshd', '192.0.2.2', NOW)]);
  assert.match(r.warnings.join('\n'), /action iptables-ipset of jail sshd: name: /);
  assert.equal(banIn(state, 'sshd', '192.0.2.2')!.pending, 'ban');
});

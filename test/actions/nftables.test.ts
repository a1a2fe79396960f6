// nftables* against the real nft inside a private network namespace: banned attackers'
// TCP connections fail, unbanned ones get through, a reboot is repaired by the next run,
// jails share one table without touching each other, and 10,000 bans are one transaction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, makeJail, banIn } from '../helpers/jails.ts';
import { assertAllPortsBlockedUntilUnban, assertBanBlocksAndUnbanOpens, assertBulkBans, assertNextRunRestores, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('nftables', ['nft']);

for (const family of [4, 6] as const) {
  test(`nftables-multiport: a banned IPv${family} attacker cannot reach the jail's ports until the unban; other ports and hosts still can`, async (t) => {
    await withFirewallLab(t, skipReason, `nf${family}`, [22, 2222, 8080], async (lab) => {
      const jail = makeJail('sshd', [{ name: 'nftables-multiport', options: { port: 'ssh,2222', protocol: 'tcp' } }]);
      await assertBanBlocksAndUnbanOpens(lab, { jail, family, blocked: [22, 2222], open: [8080] });
    });
  });
}

test('nftables-allports with blocktype drop: every port is closed to the attacker over IPv4 and IPv6, the unban opens them', async (t) => {
  await withFirewallLab(t, skipReason, 'nfall', [22, 8080], async (lab) => {
    const jail = makeJail('recidive', [{ name: 'nftables-allports', options: { blocktype: 'drop' } }]);
    await assertAllPortsBlockedUntilUnban(lab, {
      jail,
      ports: [22, 8080],
      blockedTimeoutMs: 800,
      whileBanned: async () => {
        assert.match(await lab.exec(lab.server.ns, 'nft', ['list', 'chain', 'inet', 'f2b-table', 'f2b-chain']), /hook input .*\n.*ip saddr @addr-set-recidive drop/);
      },
    });
  });
});

test('nftables: after a reboot empties the ruleset, the next run puts every ban back', async (t) => {
  await withFirewallLab(t, skipReason, 'nfboot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'nftables', options: { port: 'ssh' } }]);
    const state = emptyState();
    await assertNextRunRestores(lab, {
      jail,
      state,
      afterBan: async () => assert.deepEqual(state.started.sshd, ['nftables', 'nftables/inet6']),
      disrupt: () => lab.reboot(),
      what: 'reboot',
    });
  });
});

test('nftables: two jails share the table; stopping one lifts only its bans, stopping the last removes the table', async (t) => {
  await withFirewallLab(t, skipReason, 'nfshare', [22, 8080], async (lab) => {
    const sshd = makeJail('sshd', [{ name: 'nftables-multiport', options: { port: 'ssh' } }]);
    const web = makeJail('web', [{ name: 'nftables-multiport', options: { port: '8080' } }]);
    const state = emptyState();
    await runOnce([sshd, web], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'web', lab.attacker.v4, NOW)]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), false);

    const stopped = await stopActions({ jails: [sshd], state, dryRun: false });
    assert.deepEqual(stopped.outcomes.map((o) => [o.jail, o.op, o.ip, o.ok]), [['sshd', 'unban', lab.attacker.v4, true]]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'sshd stopped');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), false, 'web still bans');

    await stopActions({ jails: [web], state, dryRun: false });
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), true);
    assert.equal(await lab.exec(lab.server.ns, 'nft', ['list', 'tables']), '', 'nothing of ours is left');
  });
});

test('nftables: 10,000 bans in one run go in as one nft transaction per family, in seconds', async (t) => {
  await withFirewallLab(t, skipReason, 'nfbulk', [], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'nftables-multiport', options: { port: 'ssh' } }]);
    const count = async (set: string) => JSON.parse(await lab.exec(lab.server.ns, 'nft', ['-j', 'list', 'set', 'inet', 'f2b-table', set])).nftables[1].set.elem.length;
    await assertBulkBans(t, {
      jail,
      limitMs: 20_000,
      held: async () => {
        assert.equal(await count('addr-set-sshd'), 5000);
        assert.equal(await count('addr6-set-sshd'), 5000);
      },
    });
  });
});

test('nftables: an option that would add nft commands (blocktype with ";" or braces, port with a newline) is refused; the ban stays pending', async () => {
  const attempts: Record<string, string>[] = [{ blocktype: 'drop; flush ruleset' }, { blocktype: 'drop }' }, { port: 'ssh\nflush ruleset' }, { table: 'f2b table' }];
  for (const options of attempts) {
    const jail = makeJail('sshd', [{ name: 'nftables-multiport', options }]);
    const state = emptyState();
    const r = await runOnce([jail], state, [addBan(state, 'sshd', '192.0.2.2', NOW)]);
    assert.match(r.warnings.join('\n'), /action nftables-multiport of jail sshd: (blocktype|port|table): /, JSON.stringify(options));
    assert.equal(banIn(state, 'sshd', '192.0.2.2')!.pending, 'ban');
    assert.deepEqual(r.outcomes.map((o) => [o.op, o.ok]), [['ban', false]]);
  }
});

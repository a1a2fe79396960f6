// nftables* against the real nft inside a private network namespace: banned attackers'
// TCP connections fail, unbanned ones get through, a reboot is repaired by the next run,
// jails share one table without touching each other, and 10,000 bans are one transaction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enforce, stopActions } from '../../src/actions/index.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail } from '../../src/types.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail } from '../helpers/jails.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('nftables', ['nft']);
const NOW = 1_700_000_000;

function runOnce(jails: Jail[], state: State, decisions: Decision[]) {
  return enforce({ jails, state, decisions, now: NOW, dryRun: false, actionDirs: [] });
}

for (const family of [4, 6] as const) {
  test(`nftables-multiport: a banned IPv${family} attacker cannot reach the jail's ports until the unban; other ports and hosts still can`, async (t) => {
    await withFirewallLab(t, skipReason, `nf${family}`, [22, 2222, 8080], async (lab) => {
      const target = family === 4 ? lab.server.v4 : lab.server.v6;
      const attacker = family === 4 ? lab.attacker.v4 : lab.attacker.v6;
      const jail = makeJail('sshd', [{ name: 'nftables-multiport', options: { port: 'ssh,2222', protocol: 'tcp' } }]);
      const state = emptyState();
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable before the ban');

      const banned = await runOnce([jail], state, [addBan(state, 'sshd', attacker, NOW)]);
      assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip, o.ok, o.error]), [['ban', attacker, true, undefined]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), false, 'port 22 blocked for the attacker');
      assert.equal(await tcpConnects(lab.attacker.ns, target, 2222), false, 'port 2222 blocked for the attacker');
      assert.equal(await tcpConnects(lab.attacker.ns, target, 8080), true, 'a port outside the jail stays open');
      assert.equal(await tcpConnects(lab.other.ns, target, 22), true, 'another host still gets in');

      const lifted = await runOnce([jail], state, [liftBan(state, 'sshd', attacker)]);
      assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', attacker, true]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable again after the unban');
    });
  });
}

test('nftables-allports with blocktype drop: every port is closed to the attacker over IPv4 and IPv6, the unban opens them', async (t) => {
  await withFirewallLab(t, skipReason, 'nfall', [22, 8080], async (lab) => {
    const jail = makeJail('recidive', [{ name: 'nftables-allports', options: { blocktype: 'drop' } }]);
    const state = emptyState();
    const r = await runOnce([jail], state, [addBan(state, 'recidive', lab.attacker.v4, NOW), addBan(state, 'recidive', lab.attacker.v6, NOW)]);
    assert.deepEqual(r.outcomes.filter((o) => !o.ok), []);
    for (const host of [lab.server.v4, lab.server.v6]) {
      for (const port of [22, 8080]) assert.equal(await tcpConnects(lab.attacker.ns, host, port, 800), false, `${host}:${port} blocked`);
    }
    assert.match(await lab.exec(lab.server.ns, 'nft', ['list', 'chain', 'inet', 'f2b-table', 'f2b-chain']), /hook input .*\n.*ip saddr @addr-set-recidive drop/);
    await runOnce([jail], state, [liftBan(state, 'recidive', lab.attacker.v4), liftBan(state, 'recidive', lab.attacker.v6)]);
    for (const host of [lab.server.v4, lab.server.v6]) {
      for (const port of [22, 8080]) assert.equal(await tcpConnects(lab.attacker.ns, host, port), true, `${host}:${port} open again`);
    }
  });
});

test('nftables: after a reboot empties the ruleset, the next run puts every ban back', async (t) => {
  await withFirewallLab(t, skipReason, 'nfboot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'nftables', options: { port: 'ssh' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)]);
    assert.deepEqual(state.started.sshd, ['nftables', 'nftables/inet6']);
    await lab.reboot();
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'the reboot opened the door');

    const again = await runOnce([jail], state, []);
    assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip, o.ok]), [
      ['restore', lab.attacker.v4, true],
      ['restore', lab.attacker.v6, true],
    ]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), false);
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, [], 'a run with the firewall in order changes nothing');
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
    const state = emptyState();
    const decisions: Decision[] = [];
    // 198.18.0.0/15 is reserved for benchmarks (RFC 2544): no packet is sent to them anyway.
    for (let i = 0; i < 5000; i++) {
      decisions.push(addBan(state, 'sshd', `198.18.${i >> 8}.${i & 255}`, NOW));
      decisions.push(addBan(state, 'sshd', `2001:db8:1::${(i + 1).toString(16)}`, NOW));
    }
    const t0 = performance.now();
    const r = await runOnce([jail], state, decisions);
    const ms = performance.now() - t0;
    t.diagnostic(`nftables: 10000 bans applied in ${Math.round(ms)} ms`);
    assert.equal(r.outcomes.filter((o) => !o.ok).length, 0);
    assert.equal(r.outcomes.length, 10000);
    assert.ok(ms < 20_000, `took ${ms} ms`);
    const count = async (set: string) => JSON.parse(await lab.exec(lab.server.ns, 'nft', ['-j', 'list', 'set', 'inet', 'f2b-table', set])).nftables[1].set.elem.length;
    assert.equal(await count('addr-set-sshd'), 5000);
    assert.equal(await count('addr6-set-sshd'), 5000);
    const t1 = performance.now();
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, []);
    t.diagnostic(`nftables: reconcile of 10000 held bans in ${Math.round(performance.now() - t1)} ms`);
  });
});

test('nftables: an option that would add nft commands (blocktype with ";" or braces, port with a newline) is refused; the ban stays pending', async () => {
  const attempts: Record<string, string>[] = [{ blocktype: 'drop; flush ruleset' }, { blocktype: 'drop }' }, { port: 'ssh\nflush ruleset' }, { table: 'f2b table' }];
  for (const options of attempts) {
    const jail = makeJail('sshd', [{ name: 'nftables-multiport', options }]);
    const state = emptyState();
    const r = await runOnce([jail], state, [addBan(state, 'sshd', '192.0.2.2', NOW)]);
    assert.match(r.warnings.join('\n'), /action nftables-multiport of jail sshd: (blocktype|port|table): /, JSON.stringify(options));
    assert.equal(state.bans.sshd!['192.0.2.2']!.pending, 'ban');
    assert.deepEqual(r.outcomes.map((o) => [o.op, o.ok]), [['ban', false]]);
  }
});

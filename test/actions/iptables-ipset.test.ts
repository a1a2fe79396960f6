// iptables-ipset* against the real ipset and iptables inside a private network namespace:
// banned attackers' TCP connections fail, unbanned ones get through again, a reboot is
// repaired by the next run, and 10,000 bans go in as one `ipset restore`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enforce } from '../../src/actions/index.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail } from '../../src/types.ts';
import { iptablesUnavailable, netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail } from '../helpers/jails.ts';

const skipReason = netnsUnavailable() ?? iptablesUnavailable() ?? toolsUnavailable('ipset', ['ipset']);
const NOW = 1_700_000_000;

function runOnce(jails: Jail[], state: State, decisions: Decision[]) {
  return enforce({ jails, state, decisions, now: NOW, dryRun: false, actionDirs: [] });
}

for (const family of [4, 6] as const) {
  test(`iptables-ipset-proto6: a banned IPv${family} attacker cannot reach the jail's port until the unban; other ports and hosts still can`, async (t) => {
    await withFirewallLab(t, skipReason, `is${family}`, [22, 8080], async (lab) => {
      const target = family === 4 ? lab.server.v4 : lab.server.v6;
      const attacker = family === 4 ? lab.attacker.v4 : lab.attacker.v6;
      const jail = makeJail('sshd', [{ name: 'iptables-ipset-proto6', options: { port: 'ssh' } }]);
      const state = emptyState();
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable before the ban');

      const banned = await runOnce([jail], state, [addBan(state, 'sshd', attacker, NOW, 3600)]);
      assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip, o.ok, o.error]), [['ban', attacker, true, undefined]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), false, 'port 22 blocked for the attacker');
      assert.equal(await tcpConnects(lab.attacker.ns, target, 8080), true, 'a port outside the jail stays open');
      assert.equal(await tcpConnects(lab.other.ns, target, 22), true, 'another host still gets in');
      // The kernel would lift the ban by itself after one bantime, should cron stop.
      const set = family === 4 ? 'f2b-sshd' : 'f2b-sshd6';
      const saved = await lab.exec(lab.server.ns, 'ipset', ['save', set]);
      assert.match(saved, new RegExp(`add ${set} ${attacker.replace(/\./g, '\\.')} timeout (3[56]\\d\\d)`));

      const lifted = await runOnce([jail], state, [liftBan(state, 'sshd', attacker)]);
      assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', attacker, true]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable again after the unban');
    });
  });
}

test('iptables-ipset-proto6-allports: a ban blocks every port over IPv4 and IPv6; a ban without end has no timeout', async (t) => {
  await withFirewallLab(t, skipReason, 'isall', [22, 8080], async (lab) => {
    const jail = makeJail('recidive', [{ name: 'iptables-ipset-proto6-allports', options: {} }]);
    const state = emptyState();
    const decisions = [addBan(state, 'recidive', lab.attacker.v4, NOW), addBan(state, 'recidive', lab.attacker.v6, NOW)];
    state.bans.recidive![lab.attacker.v4]!.until = null;
    const r = await runOnce([jail], state, decisions);
    assert.deepEqual(r.outcomes.filter((o) => !o.ok), []);
    for (const host of [lab.server.v4, lab.server.v6]) {
      for (const port of [22, 8080]) assert.equal(await tcpConnects(lab.attacker.ns, host, port), false, `${host}:${port} blocked`);
    }
    assert.equal(await tcpConnects(lab.other.ns, lab.server.v4, 8080), true);
    assert.match(await lab.exec(lab.server.ns, 'ipset', ['save', 'f2b-recidive']), /add f2b-recidive 192\.0\.2\.2 timeout 0/);

    await runOnce([jail], state, [liftBan(state, 'recidive', lab.attacker.v4), liftBan(state, 'recidive', lab.attacker.v6)]);
    for (const host of [lab.server.v4, lab.server.v6]) {
      for (const port of [22, 8080]) assert.equal(await tcpConnects(lab.attacker.ns, host, port), true, `${host}:${port} open again`);
    }
  });
});

test('iptables-ipset: after a reboot empties iptables and the ipsets, the next run puts every ban back', async (t) => {
  await withFirewallLab(t, skipReason, 'isboot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-ipset', options: { port: 'ssh', blocktype: 'DROP' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, 800), false);

    await lab.reboot();
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'the reboot opened the door');

    const again = await runOnce([jail], state, []);
    assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip, o.ok]), [
      ['restore', lab.attacker.v4, true],
      ['restore', lab.attacker.v6, true],
    ]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, 800), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22, 800), false);
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, [], 'a run with the firewall in order changes nothing');
  });
});

test('iptables-ipset: 10,000 bans in one run go in as one ipset restore per family, in seconds', async (t) => {
  await withFirewallLab(t, skipReason, 'isbulk', [], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-ipset-proto6', options: { port: 'ssh' } }]);
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
    t.diagnostic(`iptables-ipset: 10000 bans applied in ${Math.round(ms)} ms`);
    assert.equal(r.outcomes.filter((o) => !o.ok).length, 0);
    assert.equal(r.outcomes.length, 10000);
    assert.ok(ms < 20_000, `took ${ms} ms`);
    const count = async (set: string) => (await lab.exec(lab.server.ns, 'ipset', ['save', set])).split('\n').filter((l) => l.startsWith('add ')).length;
    assert.equal(await count('f2b-sshd'), 5000);
    assert.equal(await count('f2b-sshd6'), 5000);
    const t1 = performance.now();
    assert.deepEqual((await runOnce([jail], state, [])).outcomes, []);
    t.diagnostic(`iptables-ipset: reconcile of 10000 held bans in ${Math.round(performance.now() - t1)} ms`);
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
  assert.equal(state.bans.sshd!['192.0.2.2']!.pending, 'ban');
});

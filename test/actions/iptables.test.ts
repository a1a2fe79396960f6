// The iptables backends against the real iptables/ip6tables inside a private network
// namespace: the attacker's TCP connections fail after a ban and work after the unban.
// Firewall commands reach the namespace through exec's F2B_SCAN_NETNS hook.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforce, type ActionOutcome } from '../../src/actions/index.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail } from '../../src/types.ts';
import { iptablesUnavailable, netnsUnavailable, tcpConnects, withFirewallLab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail } from '../helpers/jails.ts';

const skipReason = netnsUnavailable() ?? iptablesUnavailable();
const NOW = 1_700_000_000;

async function runOnce(jails: Jail[], state: State, decisions: Decision[], dryRun = false) {
  return enforce({ jails, state, decisions, now: NOW, dryRun, actionDirs: [] });
}

function failedOutcomes(outcomes: ActionOutcome[]): ActionOutcome[] {
  return outcomes.filter((o) => !o.ok);
}

for (const family of [4, 6] as const) {
  test(`iptables-multiport: a banned IPv${family} attacker cannot reach the jail's port until the unban; other ports and hosts still can`, async (t) => {
    await withFirewallLab(t, skipReason, `mp${family}`, [22, 8080], async (lab) => {
      const target = family === 4 ? lab.server.v4 : lab.server.v6;
      const attacker = family === 4 ? lab.attacker.v4 : lab.attacker.v6;
      const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh', protocol: 'tcp', chain: '<known/chain>' } }]);
      const state = emptyState();
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable before the ban');

      const banned = await runOnce([jail], state, [addBan(state, 'sshd', attacker, NOW)]);
      assert.deepEqual(failedOutcomes(banned.outcomes), []);
      assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip]), [['ban', attacker]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), false, 'port 22 blocked for the attacker');
      assert.equal(await tcpConnects(lab.attacker.ns, target, 8080), true, 'a port outside the jail stays open');
      const otherHost = family === 4 ? lab.server.v4 : lab.server.v6;
      assert.equal(await tcpConnects(lab.other.ns, otherHost, 22), true, 'another host still gets in');

      const lifted = await runOnce([jail], state, [liftBan(state, 'sshd', attacker)]);
      assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', attacker, true]]);
      assert.equal(await tcpConnects(lab.attacker.ns, target, 22), true, 'reachable again after the unban');
    });
  });
}

test('iptables-allports: a ban blocks every port for the attacker over IPv4 and IPv6, the unban opens them', async (t) => {
  await withFirewallLab(t, skipReason, 'all', [22, 8080], async (lab) => {
    const jail = makeJail('recidive', [{ name: 'iptables-allports', options: {} }], { protocol: 'tcp', port: '0:65535' });
    const state = emptyState();
    const decisions = [addBan(state, 'recidive', lab.attacker.v4, NOW), addBan(state, 'recidive', lab.attacker.v6, NOW)];
    const r = await runOnce([jail], state, decisions);
    assert.deepEqual(failedOutcomes(r.outcomes), []);
    for (const host of [lab.server.v4, lab.server.v6]) {
      for (const port of [22, 8080]) assert.equal(await tcpConnects(lab.attacker.ns, host, port), false, `${host}:${port} blocked`);
    }
    assert.equal(await tcpConnects(lab.other.ns, lab.server.v4, 8080), true);

    await runOnce([jail], state, [liftBan(state, 'recidive', lab.attacker.v4), liftBan(state, 'recidive', lab.attacker.v6)]);
    for (const host of [lab.server.v4, lab.server.v6]) {
      for (const port of [22, 8080]) assert.equal(await tcpConnects(lab.attacker.ns, host, port), true, `${host}:${port} open again`);
    }
  });
});

test('iptables (one port) with blocktype DROP blocks only that port', async (t) => {
  await withFirewallLab(t, skipReason, 'one', [22, 8080], async (lab) => {
    const jail = makeJail('web', [{ name: 'iptables', options: { port: '8080', blocktype: 'DROP' } }]);
    const state = emptyState();
    const r = await runOnce([jail], state, [addBan(state, 'web', lab.attacker.v4, NOW)]);
    assert.deepEqual(failedOutcomes(r.outcomes), []);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080, 800), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true);
    const rules = await lab.exec(lab.server.ns, 'iptables', ['-S', 'f2b-web']);
    assert.match(rules, /-A f2b-web -s 192\.0\.2\.2\/32 -j DROP/);
  });
});

test('after a reboot flushes the firewall, the next run puts every ban back (IPv4 and IPv6)', async (t) => {
  await withFirewallLab(t, skipReason, 'boot', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)]);
    assert.deepEqual(state.started.sshd, ['iptables-multiport', 'iptables-multiport/inet6']);

    await lab.flushFirewall();
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'the flush opened the door');

    const again = await runOnce([jail], state, []);
    assert.deepEqual(
      again.outcomes.map((o) => [o.op, o.ip, o.ok]),
      [
        ['restore', lab.attacker.v4, true],
        ['restore', lab.attacker.v6, true],
      ],
    );
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), false);

    const quiet = await runOnce([jail], state, []);
    assert.deepEqual(quiet.outcomes, [], 'a run with the firewall in order changes nothing');
  });
});

test('a rule for an address the state no longer holds is removed by the next run', async (t) => {
  await withFirewallLab(t, skipReason, 'stray', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', '192.0.2.77', NOW)]);
    // The state loses the attacker's ban without an unban decision (e.g. an older state file restored).
    delete state.bans.sshd![lab.attacker.v4];
    const r = await runOnce([jail], state, []);
    assert.deepEqual(r.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', lab.attacker.v4, true]]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true);
    assert.match(await lab.exec(lab.server.ns, 'iptables', ['-S', 'f2b-sshd']), /192\.0\.2\.77\/32/);
  });
});

test('a missing iptables binary leaves the ban pending with the error and command; the next run applies it', async (t) => {
  await withFirewallLab(t, skipReason, 'miss', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh' } }]);
    const state = emptyState();
    // A PATH with `ip` (for the namespace prefix) but no iptables.
    const bin = mkdtempSync(join(tmpdir(), 'f2b-nopath-'));
    symlinkSync(execFileSync('sh', ['-c', 'command -v ip']).toString().trim(), join(bin, 'ip'));
    const savedPath = process.env.PATH;
    process.env.PATH = bin;
    let first;
    try {
      first = await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW)]);
    } finally {
      process.env.PATH = savedPath;
      rmSync(bin, { recursive: true, force: true });
    }
    assert.equal(first.outcomes.length, 1);
    const o = first.outcomes[0]!;
    assert.equal(o.ok, false);
    assert.equal(o.op, 'ban');
    assert.match(o.error!, /iptables/);
    assert.match(o.command!, /iptables/);
    const rec = state.bans.sshd![lab.attacker.v4]!;
    assert.equal(rec.pending, 'ban', 'the ban is kept and owed');
    assert.match(rec.error!, /iptables/);

    const second = await runOnce([jail], state, []);
    assert.deepEqual(second.outcomes.map((x) => [x.op, x.ip, x.ok]), [['ban', lab.attacker.v4, true]]);
    assert.equal(state.bans.sshd![lab.attacker.v4]!.pending, undefined);
    assert.equal(state.bans.sshd![lab.attacker.v4]!.error, undefined);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
  });
});

test('a jail with chain = DOCKER-USER jumps from that chain instead of INPUT', async (t) => {
  await withFirewallLab(t, skipReason, 'chain', [22], async (lab) => {
    await lab.exec(lab.server.ns, 'iptables', ['-N', 'DOCKER-USER']);
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh', chain: '<known/chain>' } }], { chain: 'DOCKER-USER' });
    const state = emptyState();
    const r = await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW)]);
    assert.deepEqual(failedOutcomes(r.outcomes), []);
    assert.match(await lab.exec(lab.server.ns, 'iptables', ['-S', 'DOCKER-USER']), /-A DOCKER-USER -p tcp -m multiport --dports 22 -j f2b-sshd/);
    assert.doesNotMatch(await lab.exec(lab.server.ns, 'iptables', ['-S', 'INPUT']), /f2b-sshd/);
  });
});

test('--dry-run reports the bans it would make and touches neither the firewall nor the state', async (t) => {
  await withFirewallLab(t, skipReason, 'dry', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh' } }]);
    const state = emptyState();
    const decisions = [addBan(state, 'sshd', lab.attacker.v4, NOW)];
    const before = JSON.stringify(state);
    const r = await runOnce([jail], state, decisions, true);
    assert.deepEqual(r.outcomes, [
      {
        jail: 'sshd',
        ip: lab.attacker.v4,
        op: 'ban',
        ok: true,
        action: 'iptables-multiport',
        command: 'iptables -w -I f2b-sshd 1 -s 192.0.2.2/32 -j REJECT --reject-with icmp-port-unreachable',
      },
    ]);
    assert.equal(JSON.stringify(state), before);
    assert.doesNotMatch(await lab.exec(lab.server.ns, 'iptables', ['-S']), /f2b-/);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true);
  });
});

test('10,000 bans in one run go in as one batch per family, in well under a minute', async (t) => {
  await withFirewallLab(t, skipReason, 'bulk', [], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh' } }]);
    const state = emptyState();
    const decisions: Decision[] = [];
    // 198.18.0.0/15 is reserved for benchmarks (RFC 2544): never a real host, and no packet is sent.
    for (let i = 0; i < 5000; i++) {
      decisions.push(addBan(state, 'sshd', `198.18.${i >> 8}.${i & 255}`, NOW));
      decisions.push(addBan(state, 'sshd', `2001:db8:1::${(i + 1).toString(16)}`, NOW));
    }
    const t0 = performance.now();
    const r = await runOnce([jail], state, decisions);
    const ms = performance.now() - t0;
    t.diagnostic(`10000 bans applied in ${Math.round(ms)} ms`);
    assert.equal(failedOutcomes(r.outcomes).length, 0);
    assert.equal(r.outcomes.length, 10000);
    assert.ok(ms < 30_000, `took ${ms} ms`);
    const v4 = (await lab.exec(lab.server.ns, 'iptables', ['-S', 'f2b-sshd'])).split('\n').filter((l) => l.includes(' -s '));
    const v6 = (await lab.exec(lab.server.ns, 'ip6tables', ['-S', 'f2b-sshd'])).split('\n').filter((l) => l.includes(' -s '));
    assert.equal(v4.length, 5000);
    assert.equal(v6.length, 5000);
    const t1 = performance.now();
    const quiet = await runOnce([jail], state, []);
    t.diagnostic(`reconcile of 10000 held bans in ${Math.round(performance.now() - t1)} ms`);
    assert.deepEqual(quiet.outcomes, []);
  });
});

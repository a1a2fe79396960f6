// The iptables backends against the real iptables/ip6tables inside a private network
// namespace: the attacker's TCP connections fail after a ban and work after the unban.
// Firewall commands reach the namespace through exec's F2B_SCAN_NETNS hook.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionOutcome } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { iptablesUnavailable, netnsUnavailable, tcpConnects, withFirewallLab } from '../helpers/netns.ts';
import { addBan, makeJail, banIn, liftBan } from '../helpers/jails.ts';
import { assertAllPortsBlockedUntilUnban, assertBanBlocksAndUnbanOpens, assertBulkBans, assertNextRunRestores, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? iptablesUnavailable();

function failedOutcomes(outcomes: ActionOutcome[]): ActionOutcome[] {
  return outcomes.filter((o) => !o.ok);
}

for (const family of [4, 6] as const) {
  test(`iptables-multiport: a banned IPv${family} attacker cannot reach the jail's port until the unban; other ports and hosts still can`, async (t) => {
    await withFirewallLab(t, skipReason, `mp${family}`, [22, 8080], async (lab) => {
      const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh', protocol: 'tcp', chain: '<known/chain>' } }]);
      await assertBanBlocksAndUnbanOpens(lab, { jail, family, blocked: [22], open: [8080] });
    });
  });
}

test('iptables-allports: a ban blocks every port for the attacker over IPv4 and IPv6, the unban opens them', async (t) => {
  await withFirewallLab(t, skipReason, 'all', [22, 8080], async (lab) => {
    const jail = makeJail('recidive', [{ name: 'iptables-allports', options: {} }], { protocol: 'tcp', port: '0:65535' });
    await assertAllPortsBlockedUntilUnban(lab, { jail, ports: [22, 8080] });
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
    await assertNextRunRestores(lab, {
      jail,
      state,
      afterBan: async () => assert.deepEqual(state.started.sshd, ['iptables-multiport', 'iptables-multiport/inet6']),
      disrupt: () => lab.flushFirewall(),
      what: 'flush',
    });
  });
});

test('a rule for an address the state no longer holds is removed by the next run', async (t) => {
  await withFirewallLab(t, skipReason, 'stray', [22], async (lab) => {
    const jail = makeJail('sshd', [{ name: 'iptables-multiport', options: { port: 'ssh' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', '192.0.2.77', NOW)]);
    // The state loses the attacker's ban without an unban decision (e.g. an older state file restored).
    liftBan(state, 'sshd', lab.attacker.v4);
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
    const rec = banIn(state, 'sshd', lab.attacker.v4)!;
    assert.equal(rec.pending, 'ban', 'the ban is kept and owed');
    assert.match(rec.error!, /iptables/);

    const second = await runOnce([jail], state, []);
    assert.deepEqual(second.outcomes.map((x) => [x.op, x.ip, x.ok]), [['ban', lab.attacker.v4, true]]);
    assert.equal(banIn(state, 'sshd', lab.attacker.v4)!.pending, undefined);
    assert.equal(banIn(state, 'sshd', lab.attacker.v4)!.error, undefined);
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
    const rules = async (bin: string) => (await lab.exec(lab.server.ns, bin, ['-S', 'f2b-sshd'])).split('\n').filter((l) => l.includes(' -s '));
    await assertBulkBans(t, {
      jail,
      limitMs: 30_000,
      held: async () => {
        assert.equal((await rules('iptables')).length, 5000);
        assert.equal((await rules('ip6tables')).length, 5000);
      },
    });
  });
});

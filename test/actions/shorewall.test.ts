// shorewall against the real Shorewall (and Shorewall6) started inside a private network
// namespace. `ip netns exec` lays /etc/netns/<ns>/shorewall[6] over /etc/shorewall[6], and a
// `vardir` file there moves Shorewall's state to a temporary directory, so the host's
// configuration and /var/lib/shorewall are never touched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { addBan, makeJail, banIn } from '../helpers/jails.ts';
import { assertBanBlocksAndUnbanOpens, assertNextRunRestores, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('shorewall', ['shorewall']) ?? toolsUnavailable('shorewall6', ['shorewall6']);

/** A one-interface Shorewall that accepts everything on the lab's bridge. */
function configure(etc: string, product: 'shorewall' | 'shorewall6', vardir: string, rejectRule = true): void {
  const dir = join(etc, product);
  mkdirSync(dir, { recursive: true });
  const conf = `${product}.conf`;
  copyFileSync(`/etc/${product}/${conf}`, join(dir, conf));
  writeFileSync(join(dir, conf), readFileSync(join(dir, conf), 'utf8').replace(/^LOGFILE=.*$/m, 'LOGFILE=/dev/null'));
  writeFileSync(join(dir, 'zones'), `fw firewall\nnet ${product === 'shorewall' ? 'ipv4' : 'ipv6'}\n`);
  writeFileSync(join(dir, 'interfaces'), '?FORMAT 2\nnet br0\n');
  writeFileSync(join(dir, 'policy'), '$FW all ACCEPT\nnet all ACCEPT\nall all ACCEPT\n');
  // A REJECT rule makes Shorewall create its reject chain, which `shorewall reject` needs.
  writeFileSync(join(dir, 'rules'), rejectRule ? '?SECTION NEW\nREJECT net $FW tcp 9\n' : '');
  mkdirSync(join(vardir, product));
  writeFileSync(join(dir, 'vardir'), `VARDIR=${join(vardir, product)}\n`);
}

async function withShorewall(t: { skip(m: string): void }, tag: string, fn: (lab: Lab) => Promise<void>, rejectRule = true) {
  await withFirewallLab(t, skipReason, tag, [22], async (lab) => {
    const etc = join('/etc/netns', lab.server.ns);
    const vardir = mkdtempSync(join(tmpdir(), 'f2b-shorewall-'));
    try {
      configure(etc, 'shorewall', vardir, rejectRule);
      configure(etc, 'shorewall6', vardir, rejectRule);
      await lab.exec(lab.server.ns, 'shorewall', ['start']);
      await lab.exec(lab.server.ns, 'shorewall6', ['start']);
      await fn(lab);
    } finally {
      rmSync(etc, { recursive: true, force: true });
      rmSync(vardir, { recursive: true, force: true });
    }
  });
}

for (const family of [4, 6] as const) {
  test(`shorewall: a banned IPv${family} attacker is rejected by the dynamic blacklist until the unban; another host gets in`, async (t) => {
    await withShorewall(t, `sw${family}`, async (lab) => {
      await assertBanBlocksAndUnbanOpens(lab, { jail: makeJail('sshd', [{ name: 'shorewall', options: {} }]), family });
    });
  });
}

test('shorewall: after a flush empties the dynamic blacklist, the next run puts the jail\'s bans back; stop lifts them and leaves an admin\'s entry', async (t) => {
  await withShorewall(t, 'swboot', async (lab) => {
    const jail = makeJail('sshd', [{ name: 'shorewall', options: { blocktype: 'drop' } }]);
    const state = emptyState();
    await assertNextRunRestores(lab, {
      jail,
      state,
      // Shorewall keeps its blacklist over restart and reboot itself (saved in its VARDIR); what
      // loses it is a flush of the dynamic chain, by hand or by a tool.
      disrupt: async () => {
        await lab.exec(lab.server.ns, 'iptables', ['-F', 'dynamic']);
        await lab.exec(lab.server.ns, 'ip6tables', ['-F', 'dynamic']);
      },
      what: 'flush',
      blockedTimeoutMs: 800,
    });

    await lab.exec(lab.server.ns, 'shorewall', ['drop', '198.51.100.99']);
    const stopped = await stopActions({ jails: [jail], state, dryRun: false });
    assert.deepEqual(stopped.outcomes.map((o) => [o.op, o.ip, o.ok]), [
      ['unban', lab.attacker.v4, true],
      ['unban', lab.attacker.v6, true],
    ]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), true);
    const dynamic = await lab.exec(lab.server.ns, 'shorewall', ['show', 'dynamic']);
    assert.match(dynamic, /198\.51\.100\.99/, "the admin's entry stays");
    assert.doesNotMatch(dynamic, /240\.242\./, 'the start marker is gone');
  });
});

test('shorewall: where Shorewall silently ignores `reject` (no reject chain in its configuration), the ban is reported failed and stays pending', async (t) => {
  await withShorewall(
    t,
    'swnorej',
    async (lab) => {
      const jail = makeJail('sshd', [{ name: 'shorewall', options: {} }]);
      const state = emptyState();
      const r = await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW)]);
      assert.equal(r.outcomes.length, 1);
      assert.equal(r.outcomes[0]!.ok, false);
      assert.match(r.outcomes[0]!.error!, /left no entry in the dynamic blacklist/);
      assert.equal(banIn(state, 'sshd', lab.attacker.v4)!.pending, 'ban');
    },
    false,
  );
});

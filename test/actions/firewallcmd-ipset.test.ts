// firewallcmd-ipset against a real firewalld running inside a private network namespace,
// with its own D-Bus and configuration (helpers/firewalld.ts): the host's are untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { addBan, makeJail } from '../helpers/jails.ts';
import { assertBanBlocksAndUnbanOpens, NOW, runOnce } from '../helpers/ban-checks.ts';
import { startFirewalld, type Firewalld } from '../helpers/firewalld.ts';

const skipReason =
  netnsUnavailable() ?? toolsUnavailable('firewalld', ['firewalld', 'firewall-cmd']) ?? toolsUnavailable('dbus-daemon', ['dbus-daemon']) ?? toolsUnavailable('ipset', ['ipset']);

async function withFirewalld(t: { skip(m: string): void }, tag: string, fn: (lab: Lab) => Promise<void>) {
  await withFirewallLab(t, skipReason, tag, [22, 8080], async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'f2b-firewalld-'));
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    let fw: Firewalld | undefined;
    try {
      fw = await startFirewalld(lab.server.ns, dir);
      // The backend's firewall-cmd (run in this process) finds the lab's bus.
      process.env.DBUS_SYSTEM_BUS_ADDRESS = fw.bus;
      await fn(lab);
    } finally {
      await fw?.stop();
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const family of [4, 6] as const) {
  test(`firewallcmd-ipset: a banned IPv${family} attacker cannot reach the jail's port until the unban; another host can`, async (t) => {
    await withFirewalld(t, `fwd${family}`, async (lab) => {
      // Before the ban firewalld lets ssh in (the helper's first check).
      await assertBanBlocksAndUnbanOpens(lab, {
        jail: makeJail('sshd', [{ name: 'firewallcmd-ipset', options: { port: 'ssh' } }]),
        family,
        whileBanned: async () => {
          assert.match(await lab.exec(lab.server.ns, 'firewall-cmd', ['--direct', '--get-all-rules']), /INPUT_direct 0 -p tcp -m multiport --dports ssh -m set --match-set f2b-sshd6? src -j REJECT/);
        },
      });
    });
  });
}

test('firewallcmd-ipset: firewall-cmd --reload drops the direct rules; the next run puts them back; stop removes rules and sets', async (t) => {
  await withFirewalld(t, 'fwdboot', async (lab) => {
    const jail = makeJail('sshd', [{ name: 'firewallcmd-ipset', options: { port: 'ssh' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)]);
    await lab.exec(lab.server.ns, 'firewall-cmd', ['--reload']);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'the reload opened the door');

    const again = await runOnce([jail], state, []);
    assert.deepEqual(again.outcomes.filter((o) => !o.ok), []);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), false);

    await stopActions({ jails: [jail], state, dryRun: false });
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true);
    assert.equal(await lab.exec(lab.server.ns, 'firewall-cmd', ['--direct', '--get-all-rules']), '');
    assert.equal(await lab.exec(lab.server.ns, 'ipset', ['list', '-n']), '');
  });
});

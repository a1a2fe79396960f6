// ufw against the real ufw inside a private network namespace. `ip netns exec` lays
// /etc/netns/<ns>/ufw over /etc/ufw, so the namespace's ufw keeps its rules in a private
// copy and the host's /etc/ufw is never touched (sysctl.conf emptied: the lab needs none).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { addBan, makeJail } from '../helpers/jails.ts';
import { assertBanBlocksAndUnbanOpens, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('ufw', ['ufw']) ?? toolsUnavailable('iptables', ['iptables']);

async function withUfw(t: { skip(m: string): void }, tag: string, fn: (lab: Lab) => Promise<void>) {
  await withFirewallLab(t, skipReason, tag, [22, 8080], async (lab) => {
    const etc = join('/etc/netns', lab.server.ns);
    mkdirSync(etc, { recursive: true });
    try {
      cpSync('/etc/ufw', join(etc, 'ufw'), { recursive: true });
      writeFileSync(join(etc, 'ufw', 'sysctl.conf'), '');
      await lab.exec(lab.server.ns, 'ufw', ['--force', 'enable']);
      await lab.exec(lab.server.ns, 'ufw', ['allow', '22/tcp']);
      await lab.exec(lab.server.ns, 'ufw', ['allow', '8080/tcp']);
      await fn(lab);
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });
}

for (const family of [4, 6] as const) {
  test(`ufw: a banned IPv${family} attacker cannot reach the jail's port until the unban; other ports and hosts still can`, async (t) => {
    await withUfw(t, `ufw${family}`, async (lab) => {
      await assertBanBlocksAndUnbanOpens(lab, {
        jail: makeJail('sshd', [{ name: 'ufw', options: { port: 'ssh' } }]),
        family,
        blocked: [22],
        open: [8080],
        whileBanned: async (attacker) => {
          assert.match(await lab.exec(lab.server.ns, 'ufw', ['show', 'added']), new RegExp(`ufw reject from ${attacker} to any port 22 proto tcp comment 'f2b-scan sshd'`));
        },
        afterUnban: async () => assert.doesNotMatch(await lab.exec(lab.server.ns, 'ufw', ['show', 'added']), /f2b-scan/),
      });
    });
  });
}

test('ufw (all ports, blocktype deny): a rule deleted by hand is put back by the next run; stop removes only our rules', async (t) => {
  await withUfw(t, 'ufwback', async (lab) => {
    const jail = makeJail('recidive', [{ name: 'ufw', options: { blocktype: 'deny' } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'recidive', lab.attacker.v4, NOW), addBan(state, 'recidive', lab.attacker.v6, NOW)]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080, 800), false);
    await lab.exec(lab.server.ns, 'ufw', ['delete', 'deny', 'from', lab.attacker.v6]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 8080), true, 'the admin lifted it by hand');

    const again = await runOnce([jail], state, []);
    assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip, o.ok]), [['restore', lab.attacker.v6, true]]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 8080, 800), false);

    await stopActions({ jails: [jail], state, dryRun: false });
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), true);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 8080), true);
    const added = await lab.exec(lab.server.ns, 'ufw', ['show', 'added']);
    assert.doesNotMatch(added, /f2b-scan/);
    assert.match(added, /ufw allow 22\/tcp/, "the admin's rules stay");
    assert.equal(readFileSync('/etc/ufw/user.rules', 'utf8').includes('192.0.2.2'), false, "the host's ufw was never touched");
  });
});

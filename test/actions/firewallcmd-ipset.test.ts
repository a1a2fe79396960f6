// firewallcmd-ipset against a real firewalld running inside a private network namespace.
// firewalld talks D-Bus: the test starts its own dbus-daemon on a socket in a temporary
// directory (DBUS_SYSTEM_BUS_ADDRESS points firewalld and firewall-cmd at it) and gives
// firewalld a private configuration directory, so the host's bus and firewall are untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { addBan, makeJail } from '../helpers/jails.ts';
import { assertBanBlocksAndUnbanOpens, NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason =
  netnsUnavailable() ?? toolsUnavailable('firewalld', ['firewalld', 'firewall-cmd']) ?? toolsUnavailable('dbus-daemon', ['dbus-daemon']) ?? toolsUnavailable('ipset', ['ipset']);

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await gone;
}

async function withFirewalld(t: { skip(m: string): void }, tag: string, fn: (lab: Lab) => Promise<void>) {
  await withFirewallLab(t, skipReason, tag, [22, 8080], async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'f2b-firewalld-'));
    const bus = `unix:path=${join(dir, 'bus')}`;
    // The system bus configuration with our socket, no pid file, no user switch.
    const conf = readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
      .replace(/<listen>.*<\/listen>/, `<listen>${bus}</listen>`)
      .replace(/<pidfile>.*<\/pidfile>/, '')
      .replace(/<user>.*<\/user>/, '')
      .replace('<includedir>system.d</includedir>', '<includedir>/usr/share/dbus-1/system.d</includedir>');
    writeFileSync(join(dir, 'system.conf'), conf);
    mkdirSync(join(dir, 'firewalld'));
    copyFileSync('/etc/firewalld/firewalld.conf', join(dir, 'firewalld', 'firewalld.conf'));
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = bus;
    const dbus = spawn('dbus-daemon', [`--config-file=${join(dir, 'system.conf')}`, '--nofork'], { stdio: 'ignore' });
    let firewalld: ChildProcess | undefined;
    try {
      for (let i = 0; i < 50 && (await execa('test', ['-S', join(dir, 'bus')], { reject: false })).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      firewalld = spawn('ip', ['netns', 'exec', lab.server.ns, 'firewalld', '--nofork', '--nopid', '--system-config', join(dir, 'firewalld'), '--log-target', 'file', '--log-file', join(dir, 'firewalld.log')], { stdio: 'ignore' });
      let running = false;
      for (let i = 0; i < 60 && !running; i++) {
        running = (await execa('ip', ['netns', 'exec', lab.server.ns, 'firewall-cmd', '--state'], { reject: false })).exitCode === 0;
        if (!running) await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(running, 'firewalld came up in the namespace');
      await fn(lab);
    } finally {
      if (firewalld) await stopChild(firewalld);
      await stopChild(dbus);
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

// ban and unban against a real firewall: the CLI runs inside a private network namespace
// (`ip netns exec`), the jail uses iptables-multiport, and the attacker's connections show it.
// The ipset export loads with `ipset restore` inside a namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, scratch, type CliResult } from '../run/cli.ts';
import { createLab, iptablesUnavailable, netnsUnavailable, startTcpServer, tcpConnects, toolsUnavailable } from '../helpers/netns.ts';

const skipReason = netnsUnavailable() ?? iptablesUnavailable();

function nsConfig(): { conf: string; state: string } {
  const dir = scratch('f2b-ops-ns-');
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  writeFileSync(join(dir, 'auth.log'), '');
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n`);
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${join(dir, 'auth.log')}\nport = 22\nbanaction = iptables-multiport\nbanaction_allports = iptables-allports\nbantime = 1h\n`);
  return { conf, state: join(dir, 'state.json') };
}

/** The built CLI run inside a namespace, as an operator there would. */
function f2bIn(ns: string, args: string[], input?: string): CliResult {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 120_000, input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('ban blocks the attacker on the jail port through iptables-multiport; unban lets it back (IPv4 and IPv6)', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const lab = await createLab('opsban');
  const server = await startTcpServer(lab.server.ns, 22);
  try {
    const { conf, state } = nsConfig();
    const cli = (args: string[]) => f2bIn(lab.server.ns, [...args, '--config', conf, '--state', state]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true);

    const ban = cli(['ban', 'sshd', lab.attacker.v4, lab.attacker.v6]);
    assert.equal(ban.code, 0, ban.stderr);
    assert.match(ban.stdout, new RegExp(`^ban ${lab.attacker.v4} in sshd until `, 'm'));
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false, 'IPv4 blocked after ban');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), false, 'IPv6 blocked after ban');
    assert.equal(await tcpConnects(lab.other.ns, lab.server.v4, 22), true, 'another host still connects');
    assert.match(await lab.exec(lab.server.ns, 'iptables', ['-w', '-S']), new RegExp(`-A f2b-sshd -s ${lab.attacker.v4.replace(/\./g, '\\.')}/32 -j REJECT`));

    const status = JSON.parse(cli(['status', 'sshd', '--json']).stdout);
    assert.equal(status.jails[0].currentlyBanned, 2);

    const unban = cli(['unban', lab.attacker.v4]);
    assert.equal(unban.code, 0, unban.stderr);
    assert.equal(unban.stdout, `unban ${lab.attacker.v4} in sshd\n`);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'IPv4 back after unban');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), false, 'IPv6 still banned');

    const all = cli(['unban', '--all']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), true, 'IPv6 back after unban --all');

    // A CIDR range is one rule `-s a.b.c.d/n`; its unban finds that rule again in `iptables -S`.
    const range = cli(['ban', 'sshd', '192.0.2.0/28', '2001:db8::/120']);
    assert.equal(range.code, 0, range.stderr);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false, 'IPv4 blocked by the range');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), false, 'IPv6 blocked by the range');
    const unRange = cli(['unban', '192.0.2.0/28', '2001:db8::/120']);
    assert.equal(unRange.code, 0, unRange.stderr);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'IPv4 back after the range unban');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22), true, 'IPv6 back after the range unban');
  } finally {
    await server.stop();
    await lab.cleanup();
  }
});

test('the ipset export loads with ipset restore, each address and range with its remaining time', async (t) => {
  const why = skipReason ?? toolsUnavailable('ipset', ['ipset']);
  if (why) return t.skip(why);
  const lab = await createLab('opsipset');
  try {
    const { conf, state } = nsConfig();
    // dummy actions would do as well; the bans go into the state through the jail's iptables.
    const cli = (args: string[], now: string) => f2bIn(lab.server.ns, [...args, '--config', conf, '--state', state, '--now', now]);
    const banned = cli(['ban', 'sshd', '192.0.2.50', '2001:db8::50', '198.51.100.0/24', '2001:db8:bad::/48'], '2026-11-24T10:00:00Z');
    assert.equal(banned.code, 0, banned.stderr);
    const exported = cli(['export', '--format', 'ipset', '--set', 'fromhost'], '2026-11-24T10:30:00Z');
    assert.equal(exported.code, 0, exported.stderr);
    await lab.exec(lab.other.ns, 'ipset', ['restore'], exported.stdout);
    const v4 = await lab.exec(lab.other.ns, 'ipset', ['list', 'fromhost']);
    assert.match(v4, /^192\.0\.2\.50 timeout (1800|179\d)$/m);
    const v6 = await lab.exec(lab.other.ns, 'ipset', ['list', 'fromhost6']);
    assert.match(v6, /^2001:db8::50 timeout (1800|179\d)$/m);
    assert.match(v4, /^198\.51\.100\.0\/24 timeout (1800|179\d)$/m);
    assert.match(v6, /^2001:db8:bad::\/48 timeout (1800|179\d)$/m);
    // Loading it twice is harmless (-exist).
    await lab.exec(lab.other.ns, 'ipset', ['restore'], exported.stdout);
  } finally {
    await lab.cleanup();
  }
});

// CIDR ranges end to end, in a private network namespace with the real firewalls: host a
// imports a Spamhaus DROP list (ranges, an Expires header) into a jail banning through ipset
// (hash:net) and publishes it with --fleet; host b, whose fleet jail bans through nftables,
// takes the ranges from Redis into its interval sets. An attacker inside a range is dropped
// (IPv4 and IPv6), a host outside every range still gets in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN } from '../run/cli.ts';
import { commandExists, createLab, netnsUnavailable, startTcpServer, tcpConnects, type Lab } from '../helpers/netns.ts';
import { at } from './hosts.ts';
import { noRedis, RedisServer } from './redis-server.ts';
import { fleetHostIn } from './netns-fleet.ts';

/**
 * The attacker's second addresses, inside the DROP list's ranges, and the server addresses it
 * reaches them from (outside every range: ignoreself spares a range holding the host's own).
 */
const IN_RANGE = { v4: '198.51.100.66', v6: '2001:db8:bad::66', server4: '192.0.2.100', server6: '2001:db8::100' };

async function rangeAddresses(lab: Lab): Promise<void> {
  await lab.exec(lab.server.ns, 'ip', ['addr', 'add', `${IN_RANGE.server4}/32`, 'dev', 'br0']);
  await lab.exec(lab.server.ns, 'ip', ['-6', 'addr', 'add', `${IN_RANGE.server6}/128`, 'dev', 'br0', 'nodad']);
  await lab.exec(lab.server.ns, 'ip', ['route', 'add', '198.51.100.0/24', 'dev', 'br0']);
  await lab.exec(lab.server.ns, 'ip', ['-6', 'route', 'add', '2001:db8:bad::/48', 'dev', 'br0']);
  await lab.exec(lab.attacker.ns, 'ip', ['addr', 'add', `${IN_RANGE.v4}/32`, 'dev', 'eth0']);
  await lab.exec(lab.attacker.ns, 'ip', ['-6', 'addr', 'add', `${IN_RANGE.v6}/128`, 'dev', 'eth0', 'nodad']);
  // Towards these server addresses the attacker speaks from its in-range address.
  await lab.exec(lab.attacker.ns, 'ip', ['route', 'add', `${IN_RANGE.server4}/32`, 'dev', 'eth0', 'src', IN_RANGE.v4]);
  await lab.exec(lab.attacker.ns, 'ip', ['-6', 'route', 'add', `${IN_RANGE.server6}/128`, 'dev', 'eth0', 'src', IN_RANGE.v6]);
}

test('a DROP list with CIDR ranges: imported into ipset on a, published, banned through nftables on b', { timeout: 180_000 }, async (t) => {
  const why = netnsUnavailable() ?? (noRedis || null) ?? (['nft', 'ipset', 'iptables'].find((c) => !commandExists(c)) ? 'nft, ipset and iptables are needed (apt-get install nftables ipset iptables)' : null);
  if (why) return t.skip(why);
  const lab = await createLab('ranges');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-ranges-'));
  const redis = new RedisServer(6391, { netns: lab.server.ns });
  await redis.start();
  const server = await startTcpServer(lab.server.ns, 8080);
  try {
    await rangeAddresses(lab);
    const host = (name: string, jails: string) => fleetHostIn(dir, 6391, name, jails);
    const a = host('a', `[sshd]\nenabled = false\n\n[drop]\nenabled = false\nbanaction_allports = iptables-ipset-proto6-allports\naction = %(banaction_allports)s\n`);
    const b = host('b', `[DEFAULT]\nbanaction_allports = nftables-allports\n\n[sshd]\nenabled = false\n`);
    const cli = (h: { conf: string; state: string }, now: string, args: string[] = []) =>
      execa('ip', ['netns', 'exec', lab.server.ns, process.execPath, BIN, ...args, '--config', h.conf, '--state', h.state, '--now', now], { reject: false, env: { TZ: 'UTC' } });
    const reaches = () =>
      Promise.all([tcpConnects(lab.attacker.ns, IN_RANGE.server4, 8080), tcpConnects(lab.attacker.ns, IN_RANGE.server6, 8080), tcpConnects(lab.other.ns, lab.server.v4, 8080)]);

    const first = await cli(b, at(0));
  assert.equal(first.exitCode, 0, `b has run once: its cursor is set; ${first.stderr}`);
    assert.deepEqual(await reaches(), [true, true, true], 'before the ban every host gets in');

    const expires = new Date((Math.floor(Date.now() / 1000) + 86400) * 1000).toUTCString();
    const drop = join(dir, 'drop.txt');
    writeFileSync(drop, `; Spamhaus DROP List (test copy)\n; Expires: ${expires}\n198.51.100.0/24 ; SBL000001\n2001:db8:bad::/48 ; SBL000002\n`);
    const imp = await cli(a, at(10), ['import', drop, '--jail', 'drop', '--fleet']);
    assert.equal(imp.exitCode, 0, imp.stderr);
    assert.match(imp.stdout, /^ban 198\.51\.100\.0\/24 in drop until /m);
    assert.match(imp.stdout, /^publish 2 bans in drop to the fleet$/m);
    const set4 = await lab.exec(lab.server.ns, 'ipset', ['list', 'f2b-drop']);
    assert.match(set4, /Type: hash:net/);
    assert.match(set4, /^198\.51\.100\.0\/24 timeout \d+/m);
    assert.match(await lab.exec(lab.server.ns, 'ipset', ['list', 'f2b-drop6']), /^2001:db8:bad::\/48 timeout \d+/m);
    assert.deepEqual(await reaches(), [false, false, true], 'a drops the ranges, the other host gets in');

    // a lifts its bans here only; b's ranges come from the fleet.
    assert.equal((await cli(a, at(20), ['unban', '--all'])).exitCode, 0);
    assert.deepEqual(await reaches(), [true, true, true]);
    const rb = await cli(b, at(30), ['--json']);
    assert.equal(rb.exitCode, 0, rb.stderr);
    const imported = JSON.parse(rb.stdout).fleet.imported.map((x: { jail: string; ip: string }) => `${x.jail} ${x.ip}`);
    assert.deepEqual(imported, ['fleet 198.51.100.0/24', 'fleet 2001:db8:bad::/48']);
    const nft = await lab.exec(lab.server.ns, 'nft', ['list', 'set', 'inet', 'f2b-table', 'net-set-fleet']);
    assert.match(nft, /flags interval/);
    assert.match(nft, /198\.51\.100\.0\/24/);
    assert.match(await lab.exec(lab.server.ns, 'nft', ['list', 'set', 'inet', 'f2b-table', 'net6-set-fleet']), /2001:db8:bad::\/48/);
    assert.deepEqual(await reaches(), [false, false, true], 'b drops the ranges through nftables');
    // The next run reconciles without touching them (listed back as the same ranges).
    const again = await cli(b, at(40), ['--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).unbans, []);
    assert.deepEqual(await reaches(), [false, false, true]);
  } finally {
    await server.stop();
    await redis.close();
    await lab.cleanup();
  }
});

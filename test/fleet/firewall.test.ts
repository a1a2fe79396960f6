// A ban imported from the fleet lands in a real firewall: two hosts' runs inside a private
// network namespace share a Redis that runs inside it too; host b bans through nftables
// (all ports, the built-in `fleet` jail) and the attacker's connections stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, failedPasswords } from '../run/cli.ts';
import { commandExists, createLab, netnsUnavailable, startTcpServer, tcpConnects } from '../helpers/netns.ts';
import { noRedis, RedisServer } from './redis-server.ts';
import { fleetHostIn } from './netns-fleet.ts';
import { at } from './hosts.ts';
import { execa } from 'execa';


test('a ban made on host a reaches host b through Redis and b drops the attacker with nftables', { timeout: 120_000 }, async (t) => {
  const why = netnsUnavailable() ?? (noRedis || null) ?? (commandExists('nft') ? null : 'nft is not installed (apt-get install nftables)');
  if (why) return t.skip(why);
  const lab = await createLab('fleetfw');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-fleetfw-'));
  const redis = new RedisServer(6390, { netns: lab.server.ns });
  await redis.start();
  const server = await startTcpServer(lab.server.ns, 8080);
  try {
    const host = (name: string, jails: string) => fleetHostIn(dir, 6390, name, jails);
    const log = join(dir, 'auth.log');
    writeFileSync(log, failedPasswords(lab.attacker.v4, 5, at(0)).join('\n') + '\n');
    // a reads the log and bans with a dummy action; b has no sshd jail: the import lands in
    // the built-in fleet jail, which bans all ports with banaction_allports.
    const a = host('a', `[sshd]\nenabled = true\nlogpath = ${log}\naction = dummy[target="${join(dir, 'a.banned')}"]\n`);
    const b = host('b', `[DEFAULT]\nbanaction_allports = nftables-allports\n\n[sshd]\nenabled = false\n`);
    const cli = (h: { conf: string; state: string }, now: string) =>
      execa('ip', ['netns', 'exec', lab.server.ns, process.execPath, BIN, '--config', h.conf, '--state', h.state, '--now', now, '--json'], { reject: false, env: { TZ: 'UTC' } });

    assert.equal((await cli(b, at(0))).exitCode, 0);
    assert.ok(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), 'the attacker connects before the ban');
    const ra = await cli(a, at(60));
    assert.equal(ra.exitCode, 0, ra.stderr);
    assert.equal(JSON.parse(ra.stdout).fleet.published, 1);
    const rb = await cli(b, at(90));
    assert.equal(rb.exitCode, 0, rb.stderr);
    assert.deepEqual(JSON.parse(rb.stdout).fleet.imported, [{ jail: 'fleet', ip: lab.attacker.v4, until: at(660), from: 'a' }]);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), false, 'the attacker is dropped on b');
    assert.ok(await tcpConnects(lab.other.ns, lab.server.v4, 8080), 'another host still gets in');
    const ruleset = await lab.exec(lab.server.ns, 'nft', ['list', 'ruleset']);
    assert.match(ruleset, new RegExp(lab.attacker.v4.replace(/\./g, '\\.')));
    // When a's ban runs out, b lifts it too (its own copy carries a's expiry).
    const later = await cli(b, at(690));
    assert.equal(later.exitCode, 0, later.stderr);
    assert.deepEqual(JSON.parse(later.stdout).unbans, [{ jail: 'fleet', ip: lab.attacker.v4 }]);
    assert.ok(await tcpConnects(lab.attacker.ns, lab.server.v4, 8080), 'the attacker gets in again after the expiry');
  } finally {
    await server.stop();
    await redis.close();
    await lab.cleanup();
  }
});

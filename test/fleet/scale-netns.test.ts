// Scale, with the real firewall in a private network namespace: host a publishes 10,000 bans
// (`import --fleet` of a list), host b — Debian's stock banaction_allports, iptables-allports,
// one rule per address — takes them through its built-in fleet jail, which bans into an ipset
// instead. Its run is timed in CPU seconds against the same host's idle run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN } from '../run/cli.ts';
import { commandExists, createLab, netnsUnavailable } from '../helpers/netns.ts';
import { at } from './hosts.ts';
import { noRedis, RedisServer } from './redis-server.ts';
import { fleetHostIn } from './netns-fleet.ts';

const TIME = '/usr/bin/time';

test('10,000 fleet bans imported by a stock host land in one ipset, within 3 CPU seconds', { timeout: 300_000 }, async (t) => {
  const why = netnsUnavailable() ?? (noRedis || null) ?? (commandExists('ipset') && commandExists('iptables') ? null : 'ipset and iptables are needed') ?? (existsSync(TIME) ? null : 'GNU time (/usr/bin/time) is needed to count CPU seconds');
  if (why) return t.skip(why);
  const lab = await createLab('scale');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-scale-'));
  const redis = new RedisServer(6392, { netns: lab.server.ns });
  await redis.start();
  try {
    const host = (name: string, jails: string) => fleetHostIn(dir, 6392, name, jails);
    const a = host('a', `[sshd]\nenabled = false\n\n[list]\nenabled = false\naction = dummy[target="${join(dir, 'a.banned')}"]\n`);
    const b = host('b', `[sshd]\nenabled = false\n`); // banaction_allports: the shipped iptables-allports
    const cli = (h: { conf: string; state: string }, now: string, args: string[] = []) =>
      execa('ip', ['netns', 'exec', lab.server.ns, TIME, '-f', 'CPU %U %S', process.execPath, BIN, ...args, '--config', h.conf, '--state', h.state, '--now', now], { reject: false, env: { TZ: 'UTC' } });
    const cpu = (stderr: string) => {
      const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr)!;
      return Number(m[1]) + Number(m[2]);
    };

    assert.equal((await cli(b, at(0))).exitCode, 0);
    const idle = await cli(b, at(5), ['--json']);
    assert.equal(idle.exitCode, 0, idle.stderr);
    const list = join(dir, 'list.txt');
    const ips = Array.from({ length: 10_000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
    writeFileSync(list, ips.join('\n') + '\n');
    const pub = await cli(a, at(10), ['import', list, '--jail', 'list', '--bantime', '1h', '--fleet']);
    assert.equal(pub.exitCode, 0, pub.stderr);
    assert.match(pub.stdout, /^publish 10000 bans in list to the fleet$/m);

    const t0 = performance.now();
    const rb = await cli(b, at(20), ['--json']);
    const wall = performance.now() - t0;
    assert.equal(rb.exitCode, 0, rb.stderr);
    const summary = JSON.parse(rb.stdout);
    assert.equal(summary.fleet.imported.length, 10_000);
    assert.equal(summary.fleet.imported[0].jail, 'fleet');
    const set = await lab.exec(lab.server.ns, 'ipset', ['list', '-t', 'f2b-fleet']);
    assert.match(set, /Number of entries: 10000/);
    const rules = await lab.exec(lab.server.ns, 'iptables', ['-S']);
    assert.ok(rules.split('\n').length < 50, `no rule per address (${rules.split('\n').length} rules)`);
    const importCpu = cpu(rb.stderr);
    const idleCpu = cpu(idle.stderr);
    t.diagnostic(`b's run importing 10,000 bans into ipset: ${importCpu.toFixed(2)} CPU s (${(wall / 1000).toFixed(2)} s wall); its idle run: ${idleCpu.toFixed(2)} CPU s`);
    assert.ok(importCpu <= 3, `${importCpu} CPU s`);
  } finally {
    await redis.close();
    await lab.cleanup();
  }
});

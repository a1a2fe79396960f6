// The life cycle through the real CLI (bin/f2b-scan, built by `npm run build`) run inside
// the lab's server namespace, as the boot unit and an admin run it: a scan bans, `stop`
// lifts every ban and removes what start created, `start` puts the bans back, after a
// "reboot" too; a missing firewall tool is exit 4 with the command, and the ban stays.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { BIN, ownLogIn, REPO, sshdLine } from '../run/cli.ts';
import { readStateView } from '../helpers/state-view.ts';

const skipReason =
  netnsUnavailable() ??
  toolsUnavailable('nftables', ['nft']) ??
  toolsUnavailable('iproute2', ['ip']) ??
  (existsSync(join(REPO, 'dist', 'cli.js')) ? null : 'dist/cli.js is missing: run `npm run build` first');

const NOW = '2026-03-01T12:00:00Z';

interface Setup {
  dir: string;
  config: string;
  state: string;
}

function setup(lab: Lab): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-lifecycle-'));
  const config = join(dir, 'conf');
  mkdirSync(config);
  const log = join(dir, 'auth.log');
  const lines: string[] = [];
  for (const ip of [lab.attacker.v4, lab.attacker.v6]) {
    for (let i = 0; i < 5; i++) lines.push(sshdLine(`2026-03-01T11:59:0${i}Z`, `Failed password for root from ${ip} port 4${i}000 ssh2`));
  }
  writeFileSync(log, lines.join('\n') + '\n');
  // sshd through nftables, and a second jail on the same log through blackhole routes.
  writeFileSync(
    join(config, 'jail.local'),
    `[DEFAULT]\nbanaction = nftables-multiport\n\n[sshd]\nenabled = true\nlogpath = ${log}\n\n` +
      `[sshd-route]\nenabled = true\nfilter = sshd\nlogpath = ${log}\naction = route[blocktype=blackhole]\n`,
  );
  ownLogIn(config, dir);
  return { dir, config, state: join(dir, 'state.json') };
}

async function f2b(lab: Lab, s: Setup, args: string[], env: Record<string, string> = {}) {
  const r = await execa('ip', ['netns', 'exec', lab.server.ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, BIN, ...args, '--config', s.config, '--state', s.state, '--now', NOW], {
    reject: false,
    timeout: 60_000,
    env: { TZ: 'UTC' },
  });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const blocked = async (lab: Lab) => ({
  v4: !(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, 800)),
  v6: !(await tcpConnects(lab.attacker.ns, lab.server.v6, 22, 800)),
});

async function withSetup(t: { skip(m: string): void }, tag: string, fn: (lab: Lab, s: Setup) => Promise<void>) {
  await withFirewallLab(t, skipReason, tag, [22], async (lab) => {
    // The CLI runs inside the namespace itself: no F2B_SCAN_NETNS prefix.
    delete process.env.F2B_SCAN_NETNS;
    const s = setup(lab);
    try {
      const scan = await f2b(lab, s, []);
      assert.equal(scan.code, 0, scan.stderr);
      assert.deepEqual(await blocked(lab), { v4: true, v6: true }, 'the scan banned the attacker');
      await fn(lab, s);
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

const state = (s: Setup) => readStateView(s.state);

test('f2b-scan stop lifts every ban and removes the table and routes; start puts them back; the state keeps the bans', async (t) => {
  await withSetup(t, 'lcstop', async (lab, s) => {
    const stop = await f2b(lab, s, ['stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.deepEqual(stop.stdout.trim().split('\n').sort(), [
      `unban ${lab.attacker.v4} in sshd (nftables-multiport)`,
      `unban ${lab.attacker.v4} in sshd-route (route)`,
      `unban ${lab.attacker.v6} in sshd (nftables-multiport)`,
      `unban ${lab.attacker.v6} in sshd-route (route)`,
    ]);
    assert.deepEqual(await blocked(lab), { v4: false, v6: false });
    assert.equal(await lab.exec(lab.server.ns, 'nft', ['list', 'tables']), '', 'no table left');
    assert.equal(await lab.exec(lab.server.ns, 'ip', ['route', 'show', 'type', 'blackhole']), '', 'no route left');
    assert.deepEqual(Object.keys(state(s).bans.sshd).sort(), [lab.attacker.v4, lab.attacker.v6].sort());
    assert.deepEqual(state(s).started, { sshd: [], 'sshd-route': [] });

    const start = await f2b(lab, s, ['start']);
    assert.equal(start.code, 0, start.stderr);
    assert.deepEqual(start.stdout.trim().split('\n').sort(), [
      `restore ${lab.attacker.v4} in sshd (nftables-multiport)`,
      `restore ${lab.attacker.v4} in sshd-route (route)`,
      `restore ${lab.attacker.v6} in sshd (nftables-multiport)`,
      `restore ${lab.attacker.v6} in sshd-route (route)`,
    ]);
    assert.deepEqual(await blocked(lab), { v4: true, v6: true });
    assert.equal((await f2b(lab, s, ['start'])).stdout, '', 'a second start finds everything in place');
  });
});

test('f2b-scan stop <jail> touches only that jail; --dry-run first only says what it would lift', async (t) => {
  await withSetup(t, 'lcone', async (lab, s) => {
    const dry = await f2b(lab, s, ['stop', '--dry-run', 'sshd']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(dry.stdout.trim().split('\n'), [
      `would unban ${lab.attacker.v4} in sshd (nftables-multiport): nft delete element inet f2b-table addr-set-sshd '{ ${lab.attacker.v4} }'`,
      `would unban ${lab.attacker.v6} in sshd (nftables-multiport): nft delete element inet f2b-table addr6-set-sshd '{ ${lab.attacker.v6} }'`,
    ]);
    assert.deepEqual(await blocked(lab), { v4: true, v6: true }, 'the dry run changed nothing');

    const stop = await f2b(lab, s, ['stop', 'sshd']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout.trim().split('\n').length, 2);
    assert.match(await lab.exec(lab.server.ns, 'ip', ['route', 'show', 'type', 'blackhole']), /192\.0\.2\.2/);
    assert.deepEqual(await blocked(lab), { v4: true, v6: true }, 'the routes of sshd-route still block');
  });
});

test('after a reboot empties the firewall, f2b-scan start (the boot unit) restores every ban', async (t) => {
  await withSetup(t, 'lcboot', async (lab, s) => {
    await lab.reboot();
    assert.deepEqual(await blocked(lab), { v4: false, v6: false }, 'the reboot opened the door');
    const start = await f2b(lab, s, ['start']);
    assert.equal(start.code, 0, start.stderr);
    assert.equal(start.stdout.trim().split('\n').length, 4);
    assert.deepEqual(await blocked(lab), { v4: true, v6: true });
    assert.match(await lab.exec(lab.server.ns, 'nft', ['list', 'set', 'inet', 'f2b-table', 'addr6-set-sshd']), /2001:db8::2/);
  });
});

test('start --dry-run prints the commands it would run and changes neither the firewall nor the state', async (t) => {
  await withSetup(t, 'lcdry', async (lab, s) => {
    await lab.reboot();
    const before = readFileSync(s.state, 'utf8');
    const dry = await f2b(lab, s, ['start', '--dry-run', 'sshd']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(dry.stdout.trim().split('\n'), [
      `would restore ${lab.attacker.v4} in sshd (nftables-multiport): nft add element inet f2b-table addr-set-sshd '{ ${lab.attacker.v4} }'`,
      `would restore ${lab.attacker.v6} in sshd (nftables-multiport): nft add element inet f2b-table addr6-set-sshd '{ ${lab.attacker.v6} }'`,
    ]);
    assert.equal(readFileSync(s.state, 'utf8'), before);
    assert.equal(await lab.exec(lab.server.ns, 'nft', ['list', 'tables']), '');
  });
});

test('start without the nft program exits 4, names the command, and keeps the ban pending for the next run', async (t) => {
  await withSetup(t, 'lcfail', async (lab, s) => {
    await lab.reboot();
    // A PATH that has `ip` (the route jail works) but no nft.
    const bin = mkdtempSync(join(tmpdir(), 'f2b-nonft-'));
    try {
      const ip = (await execa('sh', ['-c', 'command -v ip'])).stdout.trim();
      await execa('ln', ['-s', ip, join(bin, 'ip')]);
      const start = await f2b(lab, s, ['start'], { PATH: bin });
      assert.equal(start.code, 4, start.stderr);
      assert.match(start.stderr, /f2b-scan: error: \[sshd\] restore 192\.0\.2\.2 failed: start failed: nft: command not found \(nft -f -/);
      assert.equal(state(s).bans.sshd![lab.attacker.v4]!.pending, 'ban');
      assert.deepEqual(await blocked(lab), { v4: true, v6: true }, 'the route jail did its part');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    const again = await f2b(lab, s, ['start']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(state(s).bans.sshd![lab.attacker.v4]!.pending, undefined);
    assert.match(await lab.exec(lab.server.ns, 'nft', ['list', 'set', 'inet', 'f2b-table', 'addr-set-sshd']), /192\.0\.2\.2/);
  });
});

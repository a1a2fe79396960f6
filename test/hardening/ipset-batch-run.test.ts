// Issue 16's ipset row, through the real CLI inside a private network namespace: `ban 0.0.0.0`
// once made `ipset restore` reject the jail's whole batch on every run, so no later ban of the
// jail was ever applied. Now the address is refused at the door, a state that still holds it
// drops it, and a batch ipset does reject applies every entry but the rejected one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, failedPasswords, scratch, type CliResult } from '../run/cli.ts';
import { createLab, iptablesUnavailable, netnsUnavailable, startTcpServer, tcpConnects, toolsUnavailable, type Lab } from '../helpers/netns.ts';
import { readStateView } from '../helpers/state-view.ts';

const skipReason = netnsUnavailable() ?? iptablesUnavailable() ?? toolsUnavailable('ipset', ['ipset']);

interface Setup {
  lab: Lab;
  dir: string;
  log: string;
  state: string;
  cli(args: string[]): CliResult;
}

async function withIpsetJail(t: { skip(m: string): void }, tag: string, fn: (s: Setup) => Promise<void>): Promise<void> {
  if (skipReason) return t.skip(skipReason);
  const lab = await createLab(tag);
  const server = await startTcpServer(lab.server.ns, 22);
  try {
    const dir = scratch('f2b-ipset-run-');
    const conf = join(dir, 'conf');
    mkdirSync(conf);
    const log = join(dir, 'auth.log');
    writeFileSync(log, '');
    writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n`);
    writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${log}\nport = 22\nmaxretry = 3\nfindtime = 1h\nbantime = 1h\naction = iptables-ipset-proto6[name=sshd, port=22]\n`);
    const state = join(dir, 'state.json');
    const cli = (args: string[]) => {
      const r = spawnSync('ip', ['netns', 'exec', lab.server.ns, process.execPath, BIN, ...args, '--config', conf, '--state', state], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
        timeout: 120_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    await fn({ lab, dir, log, state, cli });
  } finally {
    await server.stop();
    await lab.cleanup();
  }
}

const held = async (lab: Lab, set = 'f2b-sshd') => {
  const saved = await lab.exec(lab.server.ns, 'ipset', ['save', set]);
  return new Set([...saved.matchAll(new RegExp(`^add ${set} (\\S+)`, 'gm'))].map((m) => m[1]!));
};

test('ban sshd 0.0.0.0 is refused (exit 2); the next ban of the jail reaches ipset and blocks the attacker', async (t) => {
  await withIpsetJail(t, 'ipr1', async ({ lab, cli }) => {
    for (const ip of ['0.0.0.0', '::', '224.0.0.1', '255.255.255.255', '127.0.0.1']) {
      const r = cli(['ban', 'sshd', ip]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /is not a host address that can be banned/);
    }
    const r = cli(['ban', 'sshd', lab.attacker.v4]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await held(lab), new Set([lab.attacker.v4]));
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false, 'the attacker is blocked');
    assert.equal(await tcpConnects(lab.other.ns, lab.server.v4, 22), true, 'another host is not');
  });
});

test('a state still holding a pending ban of 0.0.0.0 (written before the rule): dropped with a warning, the log attacker is banned', async (t) => {
  await withIpsetJail(t, 'ipr2', async ({ lab, log, state, cli }) => {
    const now = Math.floor(Date.now() / 1000);
    const poison = { start: now - 60, until: now + 3600, failures: 0, count: 1, origin: 'manual', pending: 'ban', error: 'ipset: exit code 1: Null-valued element' };
    writeFileSync(state, JSON.stringify({ version: 1, files: {}, journals: {}, failures: {}, banHistory: {}, started: {}, fleet: { cursor: null, outbox: [] }, lastRun: now - 60, bans: { sshd: { '0.0.0.0': poison } } }));
    appendFileSync(log, failedPasswords(lab.attacker.v4, 3, new Date((now - 30) * 1000).toISOString()).join('\n') + '\n');
    const r = cli([]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /state: dropped 1 malformed entry \(bans\.sshd\.0\.0\.0\.0 \(unspecified\)\)/);
    assert.deepEqual(await held(lab), new Set([lab.attacker.v4]));
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
    assert.deepEqual(Object.keys(readStateView(state).bans.sshd!), [lab.attacker.v4]);
  });
});

test('a batch ipset rejects (a set fail2ban left, full at maxelem 2): the entries that fit are applied, the rejected one is pending with ipset\'s message and goes in once there is room', async (t) => {
  await withIpsetJail(t, 'ipr3', async ({ lab, state, cli }) => {
    // A set of the jail's name left by fail2ban serves as it is (ipset.ts ensureSet).
    await lab.exec(lab.server.ns, 'ipset', ['create', 'f2b-sshd', 'hash:ip', 'timeout', '0', 'maxelem', '2']);
    const [a, b, c] = ['198.51.100.7', '198.51.100.8', lab.attacker.v4];
    const r = cli(['ban', 'sshd', a, b, c]);
    assert.equal(r.code, 4, r.stderr);
    assert.deepEqual(await held(lab), new Set([a, b]));
    const errors = r.stderr.trim().split('\n').filter((l) => l.includes('error:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, new RegExp(`${c.replace(/\./g, '\\.')} failed: ipset: .*Hash is full`));
    const bans = readStateView(state).bans.sshd!;
    assert.equal(bans[a].pending, undefined, 'an applied ban is not pending');
    assert.equal(bans[b].pending, undefined);
    assert.equal(bans[c].pending, 'ban');

    assert.equal(cli(['unban', a]).code, 0);
    const next = cli([]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await held(lab), new Set([b, c]), 'the pending ban went in with the next run');
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false);
  });
});

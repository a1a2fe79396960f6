// The seed's scenario with real parts: a real sshd in a private network namespace logs
// to a syslog-format file, an attacker namespace fails 5 password logins with sshpass,
// ONE `bin/f2b-scan` run inside the server namespace bans it with iptables-multiport, and
// then the attacker cannot reach port 22 while another host still can.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createLab, iptablesUnavailable, netnsUnavailable, tcpConnects } from '../helpers/netns.ts';
import { failedPasswordLogin, sshdUnavailable, startSshd } from '../helpers/sshd.ts';
import { readStateView } from '../helpers/state-view.ts';
import { ownLogIn } from '../run/cli.ts';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bin = join(repo, 'bin', 'f2b-scan');
const skipReason = netnsUnavailable() ?? iptablesUnavailable() ?? sshdUnavailable();

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('after 5 failed ssh logins and one f2b-scan run the attacker cannot connect, another host still can', async (t) => {
  if (skipReason) {
    t.skip(skipReason);
    return;
  }
  assert.ok(existsSync(join(repo, 'dist', 'cli.js')), 'the CLI is built (npm run build)');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-e2e-sshd-'));
  const lab = await createLab('e2e');
  let sshd;
  try {
    sshd = await startSshd(lab.server.ns, dir);
    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, 'the attacker reaches sshd before the run');

    for (let i = 0; i < 5; i++) {
      // 255: ssh's "Permission denied" exit, passed on by sshpass.
      assert.notEqual(await failedPasswordLogin(lab.attacker.ns, lab.server.v4), 0, 'a wrong password never logs in');
    }
    await waitFor('5 failed logins in the log', () => (sshd!.log().match(/Failed password for .* from 192\.0\.2\.2 /g) ?? []).length >= 5);
    assert.match(sshd.log(), /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d server sshd\[\d+\]: Failed password for invalid user user from 192\.0\.2\.2 port \d+ ssh2$/m);

    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(
      join(config, 'jail.local'),
      [
        '[sshd]',
        'enabled = true',
        `logpath = ${sshd.logPath}`,
        'port = ssh',
        'maxretry = 5',
        'findtime = 10m',
        'bantime = 1h',
        'banaction = iptables-multiport',
        '',
      ].join('\n'),
    );
    ownLogIn(config, dir);
    const statePath = join(dir, 'state.json');
    // The whole CLI runs inside the server namespace, as cron would run it on the server.
    const env = { ...process.env };
    delete env.F2B_SCAN_NETNS;
    const run = await execa('ip', ['netns', 'exec', lab.server.ns, bin, '--config', config, '--state', statePath, '--json'], {
      reject: false,
      env,
      extendEnv: false,
      timeout: 60_000,
    });
    assert.equal(run.exitCode, 0, `f2b-scan exited ${run.exitCode}: ${run.stderr}\n${run.stdout}`);
    const summary = JSON.parse(run.stdout) as { bans: { jail: string; ip: string; failures: number }[] };
    assert.deepEqual(
      summary.bans.map((b) => [b.jail, b.ip]),
      [['sshd', lab.attacker.v4]],
    );
    assert.ok(summary.bans[0]!.failures >= 5);

    assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), false, 'the attacker is locked out of port 22');
    assert.equal(await tcpConnects(lab.other.ns, lab.server.v4, 22), true, 'another host still reaches sshd');
    const rules = (await execa('ip', ['netns', 'exec', lab.server.ns, 'iptables', '-w', '-S'])).stdout;
    assert.match(rules, /-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd/);
    assert.match(rules, /-A f2b-sshd -s 192\.0\.2\.2\/32 -j REJECT --reject-with icmp-port-unreachable/);

    const state = readStateView(statePath);
    assert.ok(state.bans.sshd?.[lab.attacker.v4], 'the ban is in the state file');
    assert.equal(state.bans.sshd![lab.attacker.v4]!.pending, undefined, 'and nothing is owed to the firewall');
  } finally {
    await sshd?.stop();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

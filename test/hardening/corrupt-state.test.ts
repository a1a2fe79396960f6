// A state file that cannot be read (torn by a full disk, edited by hand, written by a newer
// f2b-scan) must not stop the cron job, re-count old log lines, or drop the bans the firewall
// holds: it is moved aside, the run starts from a fresh state read from the end of each log,
// and the firewall's own listing gives the bans back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, dummyScenario, f2bAsync, failedPasswords, heldByDummy, readState, scratch, sshdConfig } from './helpers.ts';
import { iptablesUnavailable, netnsUnavailable } from '../helpers/netns.ts';

function lines(l: string[]): string {
  return l.join('\n') + '\n';
}

const NOW = '2026-11-24T12:00:00Z';
const LATER = '2026-11-24T12:05:00Z';

const damages: [string, (text: string) => string][] = [
  ['truncated mid-write', (t) => t.slice(0, Math.floor(t.length / 2))],
  ['not JSON at all', () => '\u0000\u0000garbage\u0000'],
  ['from a newer f2b-scan', (t) => JSON.stringify({ ...JSON.parse(t), version: 99 })],
];

for (const [what, damage] of damages) {
  test(`a state file ${what}: moved aside with a warning, old lines not re-counted, the firewall's bans recovered and kept`, { timeout: 60_000 }, async () => {
    const s = dummyScenario('maxretry = 3\nfindtime = 1d\nbantime = 1h\n');
    appendFileSync(s.log, failedPasswords('198.51.100.7', 3, '2026-11-24T11:50:00Z').join('\n') + '\n');
    // Two failures of another address: below maxretry, counted in the state about to be lost.
    appendFileSync(s.log, failedPasswords('203.0.113.9', 2, '2026-11-24T11:51:00Z').join('\n') + '\n');
    const first = await f2bAsync([...s.base, '--now', NOW]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual([...heldByDummy(s.banned)], ['198.51.100.7']);

    writeFileSync(s.state, damage(readFileSync(s.state, 'utf8')));
    const second = await f2bAsync([...s.base, '--json', '--now', NOW]);
    assert.equal(second.code, 0, second.stderr);
    const out = JSON.parse(second.stdout);
    const aside = readdirSync(s.dir).filter((n) => n.startsWith('state.json.corrupt-'));
    assert.equal(aside.length, 1, 'the bad file is kept aside for a post-mortem');
    assert.match(second.stderr, new RegExp(`^f2b-scan: warning: .*state\\.json: .*moved aside to .*${aside[0]!.replace(/[.]/g, '\\.')}`, 'm'));
    assert.deepEqual(out.files.map((f: { linesRead: number }) => f.linesRead), [0], 'the old log is not read again');
    assert.deepEqual(out.bans, [], 'nothing old re-counted: no new ban');
    assert.deepEqual(out.unbans, []);
    const state = readState(s.state);
    assert.deepEqual(Object.keys(state.bans.sshd ?? {}), ['198.51.100.7'], 'the firewall\'s ban is back in the state');
    assert.equal(state.bans.sshd!['198.51.100.7']!.until, Date.parse(NOW) / 1000 + 3600, 'kept for the jail\'s bantime from now');
    assert.deepEqual(state.failures.sshd ?? {}, {}, 'the lost failures are not made up');

    // The next run bans someone new: the recovered ban stays in the firewall beside it.
    appendFileSync(s.log, failedPasswords('198.51.100.8', 3, '2026-11-24T12:01:00Z').join('\n') + '\n');
    const third = await f2bAsync([...s.base, '--json', '--now', LATER]);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(JSON.parse(third.stdout).bans.map((b: { ip: string }) => b.ip), ['198.51.100.8']);
    assert.deepEqual(heldByDummy(s.banned), new Set(['198.51.100.7', '198.51.100.8']), 'the recovered ban was not lifted');
    assert.deepEqual(new Set(Object.keys(readState(s.state).bans.sshd ?? {})), heldByDummy(s.banned), 'firewall and state agree');
  });
}

test('a corrupt state with bans in iptables (network namespace): the rules are listed back into the state and kept', { timeout: 90_000 }, async (t) => {
  const why = netnsUnavailable() ?? iptablesUnavailable();
  if (why) return t.skip(why);
  const ns = `f2b-cs-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  const cleanup = () => { try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* gone */ } };
  process.once('exit', cleanup);
  try {
    const dir = scratch('f2b-cs-ipt-');
    const log = join(dir, 'auth.log');
    writeFileSync(log, lines([...failedPasswords('198.51.100.7', 3, '2026-11-24T11:55:00Z'), ...failedPasswords('2001:db8::7', 3, '2026-11-24T11:55:00Z')]));
    const conf = sshdConfig(dir, log, 'maxretry = 3\nfindtime = 1d\nbantime = 1h\nport = 22\nbanaction = iptables-multiport\nbanaction_allports = iptables-allports\n');
    const state = join(dir, 'state.json');
    const run = (now: string) => spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, '--config', conf, '--state', state, '--json', '--now', now], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    const held = () => {
      const v4 = execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-w', '-S', 'f2b-sshd'], { encoding: 'utf8' });
      const v6 = execFileSync('ip', ['netns', 'exec', ns, 'ip6tables', '-w', '-S', 'f2b-sshd'], { encoding: 'utf8' });
      return new Set([...`${v4}${v6}`.matchAll(/^-A f2b-sshd -s (\S+)\/(?:32|128) -j /gm)].map((m) => m[1]!));
    };
    const first = run(NOW);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(held(), new Set(['198.51.100.7', '2001:db8::7']));

    writeFileSync(state, '{"version": 1, "files": {');
    const second = run(NOW);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /moved aside/);
    assert.match(second.stderr, /recovered 2 ban\(s\) from the firewall/);
    assert.deepEqual(new Set(Object.keys(readState(state).bans.sshd ?? {})), new Set(['198.51.100.7', '2001:db8::7']));

    appendFileSync(log, lines(failedPasswords('198.51.100.8', 3, '2026-11-24T12:01:00Z')));
    const third = run(LATER);
    assert.equal(third.status, 0, third.stderr);
    assert.deepEqual(JSON.parse(third.stdout).unbans, [], 'nothing lifted');
    assert.deepEqual(held(), new Set(['198.51.100.7', '2001:db8::7', '198.51.100.8']));
    assert.deepEqual(new Set(Object.keys(readState(state).bans.sshd ?? {})), held(), 'firewall and state agree');
  } finally {
    cleanup();
  }
});

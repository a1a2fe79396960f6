// One rule for what an address is (src/net/host.ts), through the real CLI at every entry point:
// the command line refuses (exit 2), a log line, an import file or the state file is a counted
// warning (exit 5); nothing that is no host reaches the firewall, and the real attackers beside
// it are still banned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dummyScenario, f2bAsync, failedPasswords, heldByDummy, readState } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';
const NOT_HOSTS = ['0.0.0.0', '::', '224.0.0.1', '255.255.255.255', '127.0.0.1', '::1', 'ff02::1', '0.1.2.3'];

for (const ip of NOT_HOSTS) {
  test(`ban sshd ${ip}: refused in one line, exit 2, nothing banned or written`, async () => {
    const s = dummyScenario();
    const r = await f2bAsync(['ban', ...s.base, '--now', NOW, 'sshd', '198.51.100.7', ip]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^f2b-scan: .*${ip.replace(/\./g, '\\.')} is not a host address that can be banned \\(`));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    assert.deepEqual([...heldByDummy(s.banned)], [], 'the good address in the same command is not banned either: the command is refused whole');
  });
}

test('unban accepts any address, so nothing that once got in is stuck', async () => {
  const s = dummyScenario();
  const r = await f2bAsync(['unban', ...s.base, '--now', NOW, '0.0.0.0']);
  assert.notEqual(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /not a host address/);
});

test('log lines naming 0.0.0.0, ::, multicast or broadcast: not counted, one warning, exit 5; the real attacker is banned', async () => {
  const s = dummyScenario('maxretry = 3\n');
  const forged = ['0.0.0.0', '::', '224.0.0.1', '255.255.255.255', 'ff02::1'];
  appendFileSync(s.log, [...forged.flatMap((ip) => failedPasswords(ip, 4, '2026-11-24T11:59:00Z')), ...failedPasswords('203.0.113.9', 3, '2026-11-24T11:59:00Z')].join('\n') + '\n');
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 5, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans.map((b: { ip: string }) => b.ip), ['203.0.113.9']);
  assert.deepEqual([...heldByDummy(s.banned)], ['203.0.113.9']);
  for (const ip of forged) assert.ok(r.stderr.includes(ip), `${ip} is named in a warning: ${r.stderr}`);
  assert.match(r.stderr, /^f2b-scan: warning: \[sshd\] failures from addresses that are no host \(unspecified\) were not counted/m);
  const state = readState(s.state);
  for (const ip of forged) assert.equal(state.failures.sshd?.[ip], undefined, `${ip} is not kept as a failure`);
});

test('loopback in a log is ignored quietly (a local login failing is ordinary), exit 0', async () => {
  const s = dummyScenario('maxretry = 2\n');
  appendFileSync(s.log, failedPasswords('127.0.0.1', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const r = await f2bAsync([...s.base, '--json', '--now', NOW]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).bans, []);
});

test('a state file holding bans of 0.0.0.0 and 127.0.0.1: those are dropped with a warning (exit 5), the real ban is kept', async () => {
  const s = dummyScenario('bantime = 1h\n');
  const t = Date.parse(NOW) / 1000;
  const ban = { start: t - 60, until: t + 3600, failures: 3, count: 1, origin: 'log' };
  writeFileSync(s.state, JSON.stringify({
    version: 1, files: {}, journals: {}, banHistory: {}, started: {}, fleet: { cursor: null, outbox: [] }, lastRun: t - 60,
    failures: { sshd: { '0.0.0.0': { times: [t - 10], lines: [] }, '198.51.100.9': { times: [t - 10], lines: [] } } },
    bans: { sshd: { '0.0.0.0': ban, '127.0.0.1': ban, 'ff02::1': ban, '198.51.100.7': ban } },
  }));
  const r = await f2bAsync([...s.base, '--now', NOW]);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /^f2b-scan: warning: state: dropped 4 malformed entries \(.*0\.0\.0\.0 \(unspecified\)/m);
  assert.deepEqual([...heldByDummy(s.banned)], ['198.51.100.7'], 'the firewall gets the real ban back and nothing else');
  const state = readState(s.state);
  assert.deepEqual(Object.keys(state.bans.sshd ?? {}), ['198.51.100.7']);
  assert.deepEqual(Object.keys(state.failures.sshd ?? {}), ['198.51.100.9']);
  const again = await f2bAsync([...s.base, '--now', NOW]);
  assert.equal(again.code, 0, again.stderr);
});

test('import of a list with 0.0.0.0 and 224.0.0.1 in it: those skipped with a warning naming the line, the rest banned, exit 5', async () => {
  const s = dummyScenario();
  const list = join(s.dir, 'list.txt');
  writeFileSync(list, '198.51.100.7\n0.0.0.0\n224.0.0.1 # a group\n2001:db8::7\n');
  const r = await f2bAsync(['import', ...s.base, '--now', NOW, '--jail', 'sshd', list]);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /list\.txt:2: 0\.0\.0\.0 is not a host address that can be banned \(unspecified\)/);
  assert.match(r.stderr, /list\.txt:3: 224\.0\.0\.1 is not a host address that can be banned \(multicast\)/);
  assert.deepEqual(heldByDummy(s.banned), new Set(['198.51.100.7', '2001:db8::7']));
});

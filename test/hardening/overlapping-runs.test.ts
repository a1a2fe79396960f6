// Cron starts a run every minute whether or not the last one finished. Runs over the same
// state take turns through its lock: whatever the interleaving, every failure is counted
// exactly once and every ban made is kept, in the state and in the firewall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bannedInState, dummyScenario, f2bAsync, failedPasswords, heldByDummy, readState, REPO } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';
const ROUNDS = 15;
const RUNS = 3;

test(`${RUNS} runs started together, ${ROUNDS} times over, count every failure exactly once and lose no ban`, { timeout: 120_000 }, async () => {
  // maxretry 3: each round, 3 failures of a new address (banned once) and 1 of another
  // (counted once: were it counted by two runs, it would show 2 failures, by three a ban).
  const s = dummyScenario('maxretry = 3\nfindtime = 1d\nbantime = 1d\n');
  const t0 = Date.parse('2026-11-24T11:00:00Z');
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const at = new Date(t0 + r * 60_000).toISOString();
    appendFileSync(s.log, [...failedPasswords(`198.51.100.${r + 1}`, 3, at), ...failedPasswords(`203.0.113.${r + 1}`, 1, at)].join('\n') + '\n');
    const results = await Promise.all(Array.from({ length: RUNS }, () => f2bAsync([...s.base, '--json', '--now', NOW, '--lock-wait', '30'])));
    for (const res of results) assert.equal(res.code, 0, res.stderr);
    const outs = results.map((res) => JSON.parse(res.stdout) as { failures: { sshd: number }; bans: { ip: string }[] });
    assert.equal(outs.reduce((n, o) => n + o.failures.sshd, 0), 4, `round ${r}: the 4 new failures are counted once over the ${RUNS} runs`);
    assert.deepEqual(outs.flatMap((o) => o.bans.map((b) => b.ip)), [`198.51.100.${r + 1}`], `round ${r}: one ban, made by one run`);
  }
  const elapsed = performance.now() - started;

  const state = readState(s.state);
  const want = new Set(Array.from({ length: ROUNDS }, (_, r) => `198.51.100.${r + 1}`));
  assert.deepEqual(bannedInState(s.state), want, 'every ban is in the state');
  assert.deepEqual(heldByDummy(s.banned), want, 'every ban is in the firewall, nothing else');
  for (let r = 0; r < ROUNDS; r++) {
    assert.equal(state.failures.sshd?.[`203.0.113.${r + 1}`]?.attempts, 1, `203.0.113.${r + 1} has exactly one failure`);
  }
  assert.deepEqual(readdirSync(dirname(s.state)).filter((n) => n.includes('.lock')), [], 'no lock or lock temp file is left');
  console.log(`# ${ROUNDS} rounds of ${RUNS} overlapping runs: ${(elapsed / 1000).toFixed(1)} s`);
});

/** A process that takes the run lock the way a run does and holds it until killed. */
async function holdLock(statePath: string) {
  const code = `const { acquireLock } = await import(${JSON.stringify(`${REPO}/src/state/lock.ts`)});
    await acquireLock(${JSON.stringify(statePath)}, { waitMs: 0 }); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.on('exit', (c) => reject(new Error(`lock holder exited with ${c}`)));
    holder.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
  });
  return holder;
}

test('a run that cannot get the lock in time exits 3 with one line naming the holder, and changes nothing', { timeout: 60_000 }, async () => {
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, failedPasswords('198.51.100.20', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const holder = await holdLock(s.state);
  try {
    const t = performance.now();
    const res = await f2bAsync([...s.base, '--now', NOW, '--lock-wait', '0.5']);
    const waited = performance.now() - t;
    assert.equal(res.code, 3, res.stderr);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0]!, new RegExp(`^f2b-scan: another f2b-scan run \\(pid ${holder.pid}, since [^)]+\\) holds the lock .*state\\.json\\.lock; gave up after 0\\.5 s$`));
    assert.ok(waited >= 500, `it waited (${waited.toFixed(0)} ms)`);
    assert.equal(existsSync(s.state), false, 'no state written');
    assert.equal(existsSync(s.banned), false, 'no ban made');
  } finally {
    holder.kill('SIGKILL');
  }
});

test('a lock left by a run killed with SIGKILL is taken over by the next run', { timeout: 60_000 }, async () => {
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, failedPasswords('198.51.100.21', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const holder = await holdLock(s.state);
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  await sleep(50);
  assert.ok(existsSync(`${s.state}.lock`), 'the dead run left its lock');
  const res = await f2bAsync([...s.base, '--json', '--now', NOW, '--lock-wait', '0.5']);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout).bans.map((b: { ip: string }) => b.ip), ['198.51.100.21']);
  assert.deepEqual([...heldByDummy(s.banned)], ['198.51.100.21']);
  assert.equal(existsSync(`${s.state}.lock`), false, 'the lock is released after the run');
});

test('--lock-wait refuses a value that is not a number of seconds', async () => {
  const s = dummyScenario();
  const res = await f2bAsync([...s.base, '--now', NOW, '--lock-wait', 'soon']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /lock-wait/);
});

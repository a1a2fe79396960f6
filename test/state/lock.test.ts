import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, loadState } from '../../src/state/store.ts';
import { LockedError } from '../../src/util/errors.ts';
import { ticketCount } from '../../src/state/tickets.ts';
import { tempDir } from './helpers.ts';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/lock-holder.ts');

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function holding(statePath: string): Promise<ChildProcess> {
  const c = child(['hold', statePath]);
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    c.on('exit', (code) => reject(new Error(`holder exited (${code})`)));
  });
  return c;
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

/** Each "in" must be followed by the same pid's "out" before any other "in". */
function assertNeverBoth(log: string): number {
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  for (let i = 0; i < lines.length; i += 2) {
    const [pid, what] = lines[i]!.split(' ');
    assert.equal(what, 'in', `line ${i + 1}: ${lines[i]}`);
    assert.equal(lines[i + 1], `${pid} out`, `two holders at once around line ${i + 1}: ${lines.slice(i, i + 3).join(' | ')}`);
  }
  return lines.length / 2;
}

test('a second run waits for the lock, then gives up with LockedError naming the holder', async (t) => {
  const state = join(tempDir(t), 'state.json');
  const holder = await holding(state);
  t.after(() => holder.kill('SIGKILL'));
  const t0 = Date.now();
  await assert.rejects(acquireLock(state, { waitMs: 400 }), (e: unknown) => {
    assert.ok(e instanceof LockedError);
    assert.match(e.message, new RegExp(`another f2b-scan run \\(pid ${holder.pid}, since .*\\) holds the lock .*state\\.json\\.lock; gave up after 0\\.4 s`));
    return true;
  });
  assert.ok(Date.now() - t0 >= 400, 'it waited first');
});

test('a run waiting for the lock gets it as soon as the holder ends', async (t) => {
  const state = join(tempDir(t), 'state.json');
  const holder = await holding(state);
  setTimeout(() => holder.kill('SIGTERM'), 200);
  const release = await acquireLock(state, { waitMs: 5000 });
  await release();
  assert.ok(!existsSync(`${state}.lock`), 'released lock file is gone');
});

test('a lock left by a run killed with SIGKILL is taken over, and nothing of it is left behind', async (t) => {
  const dir = tempDir(t);
  const state = join(dir, 'state.json');
  writeFileSync(`${state}.lock.${deadPid()}.k1ll3d`, 'temp file of a run killed while taking the lock');
  const holder = await holding(state);
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const t0 = Date.now();
  const release = await acquireLock(state, { waitMs: 5000 });
  assert.ok(Date.now() - t0 < 1000, 'taken over at once, not after the wait');
  assert.equal(JSON.parse(readFileSync(`${state}.lock`, 'utf8')).pid, process.pid);
  await release();
  assert.deepEqual(readdirSync(dir), []);
});

test('a lock whose pid now belongs to another process (pid reused) is taken over', async (t) => {
  const state = join(tempDir(t), 'state.json');
  writeFileSync(`${state}.lock`, JSON.stringify({ pid: 1, start: '0', since: '2026-01-01T00:00:00Z' }));
  const release = await acquireLock(state, { waitMs: 300 });
  await release();
});

test('two runs started together never both hold the lock', { timeout: 90_000 }, async (t) => {
  const dir = tempDir(t);
  const state = join(dir, 'state.json');
  const log = join(dir, 'holders.log');
  const rounds = 30;
  const kids = [child(['rounds', state, log, String(rounds)]), child(['rounds', state, log, String(rounds)])];
  const codes = await Promise.all(kids.map(async (k) => (await once(k, 'exit'))[0]));
  assert.deepEqual(codes, [0, 0]);
  assert.equal(assertNeverBoth(log), 2 * rounds);
});

test('runs racing to take over the same stale lock never both hold it', { timeout: 90_000 }, async (t) => {
  const dir = tempDir(t);
  const state = join(dir, 'state.json');
  const log = join(dir, 'holders.log');
  const iterations = 20;
  for (let i = 0; i < iterations; i++) {
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: deadPid(), since: 'a killed run' }));
    const kids = [0, 1, 2].map(() => child(['rounds', state, log, '1']));
    const codes = await Promise.all(kids.map(async (k) => (await once(k, 'exit'))[0]));
    assert.deepEqual(codes, [0, 0, 0]);
  }
  assert.equal(assertNeverBoth(log), 3 * iterations);
});

test('two runs updating the same state together never lose each other\'s failures', { timeout: 90_000 }, async (t) => {
  const state = join(tempDir(t), 'state.json');
  const rounds = 30;
  const kids = [child(['update', state, String(rounds)]), child(['update', state, String(rounds)])];
  const codes = await Promise.all(kids.map(async (k) => (await once(k, 'exit'))[0]));
  assert.deepEqual(codes, [0, 0]);
  const { state: s, recovered } = await loadState(state);
  assert.equal(recovered, false);
  assert.equal(ticketCount(s, 'sshd'), 2 * rounds);
});

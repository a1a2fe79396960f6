// A lock is the process that took it (issue 16.8), through the real CLI: after a crash the pid
// in the lock can come back as some unrelated process (pid reuse). Before, every later run
// waited and exited 3, forever. The lock records the holder's start time (/proc/<pid>/stat);
// a live process with another start time, or one that started after the lock was written,
// is not the holder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dummyScenario, f2bAsync, failedPasswords, heldByDummy } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';

/** A live process that has nothing to do with f2b-scan, stopped when the test ends. */
function unrelatedProcess(t: { after(fn: () => void): void }): number {
  const p = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.after(() => p.kill('SIGKILL'));
  return p.pid!;
}

/** Its start time as the lock records it (field 22 of /proc/<pid>/stat). */
function startTicks(pid: number): string {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
}

test('a lock holding the pid of a live unrelated process (pid reused after a crash) is taken over: the run bans, exit 0', async (t) => {
  if (!existsSync('/proc/self/stat')) return t.skip('no /proc here: start times cannot be read');
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, failedPasswords('198.51.100.30', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const pid = unrelatedProcess(t);
  // What the crashed run wrote: its pid (now someone else's) and its own start time.
  const crashedStart = String(Number(startTicks(pid)) - 12345);
  writeFileSync(`${s.state}.lock`, JSON.stringify({ pid, start: crashedStart, since: '2026-11-24T11:00:00Z', host: hostname() }) + '\n');
  const r = await f2bAsync([...s.base, '--json', '--now', NOW, '--lock-wait', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...heldByDummy(s.banned)], ['198.51.100.30']);
  assert.equal(existsSync(`${s.state}.lock`), false, 'the lock is released after the run');
});

test('a lock of an older version (pid only, no start time) whose pid a process started since then holds: taken over', async (t) => {
  if (!existsSync('/proc/self/stat')) return t.skip('no /proc here: start times cannot be read');
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, failedPasswords('198.51.100.31', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const pid = unrelatedProcess(t);
  const lock = `${s.state}.lock`;
  writeFileSync(lock, JSON.stringify({ pid, since: '2026-11-24T11:00:00Z' }) + '\n');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(lock, hourAgo, hourAgo); // written an hour before this process started
  const r = await f2bAsync([...s.base, '--now', NOW, '--lock-wait', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...heldByDummy(s.banned)], ['198.51.100.31']);
});

test('a lock whose pid and start time are a live process is respected: exit 3, one line, nothing changed', async (t) => {
  if (!existsSync('/proc/self/stat')) return t.skip('no /proc here: start times cannot be read');
  const s = dummyScenario('maxretry = 3\n');
  appendFileSync(s.log, failedPasswords('198.51.100.32', 3, '2026-11-24T11:59:00Z').join('\n') + '\n');
  const pid = unrelatedProcess(t);
  writeFileSync(`${s.state}.lock`, JSON.stringify({ pid, start: startTicks(pid), since: '2026-11-24T11:59:59Z', host: hostname() }) + '\n');
  const r = await f2bAsync([...s.base, '--now', NOW, '--lock-wait', '0.3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`pid ${pid}`));
  assert.equal(existsSync(s.banned), false);
});

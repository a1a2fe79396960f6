// The run lock: one f2b-scan at a time per state file. The lock is `<state>.lock`, created atomically by
// hard-linking a fully written temp file (so a lock is never seen empty), holding the holder's pid, its
// process start time (/proc/<pid>/stat field 22) and when it was taken. A lock whose process is gone is
// taken over; so is one whose pid now names another process (pid reused after a crash): its start time
// differs from the one recorded, or, for a lock that records none (an older version's), the process
// started after the lock file was written, so it cannot be the run that wrote it.

import { link, lstat, mkdir, open, readFile, readdir, unlink, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockedError, withEnvironment } from '../util/errors.ts';
import { checkStatePath } from './state-path.ts';

export const DEFAULT_LOCK_WAIT_MS = 5000;
const POLL_MS = 50;
/** A lock file we cannot parse (not written by us) counts as stale once it is this old. */
const GARBAGE_GRACE_MS = 10_000;
/** A takeover guard left by a process killed during the takeover (microseconds) counts as stale after this. */
const GUARD_GRACE_MS = 2000;

interface LockInfo {
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks since boot): tells a reused pid from the holder. */
  start?: string;
  since?: string;
  host?: string;
}

interface Held {
  info?: LockInfo;
  ino: number;
  mtimeMs: number;
  text: string;
}

export function processStartTime(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** /proc reports start times in USER_HZ ticks, 100 per second on every Linux architecture Node runs on. */
const USER_HZ = 100;

/** The machine's boot time, epoch ms (`btime` of /proc/stat), or undefined without /proc. */
function bootTimeMs(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** When a process started, epoch ms (boot time + its start ticks), or undefined. */
function processStartedAtMs(pid: number): number | undefined {
  const ticks = processStartTime(pid);
  const boot = ticks === undefined ? undefined : bootTimeMs();
  return boot === undefined ? undefined : boot + (Number(ticks) * 1000) / USER_HZ;
}

/** Slack for `btime` being whole seconds and the clock being stepped a little. */
const STARTED_AFTER_SLACK_MS = 2000;

/** Whether the process that wrote the lock still runs. `writtenMs`: the lock file's mtime. */
function holderAlive(info: LockInfo, writtenMs?: number): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (info.host && info.host !== hostname()) return true; // another machine (shared disk): cannot tell, assume alive
  const start = processStartTime(info.pid);
  if (info.start && start) return start === info.start;
  // No start time recorded: a process that began after the lock was written did not write it.
  if (writtenMs !== undefined) {
    const startedAt = processStartedAtMs(info.pid);
    if (startedAt !== undefined && startedAt > writtenMs + STARTED_AFTER_SLACK_MS) return false;
  }
  return true;
}

async function readHeld(path: string): Promise<Held | undefined> {
  try {
    const st = await stat(path);
    const text = await readFile(path, 'utf8');
    let info: LockInfo | undefined;
    try {
      const v = JSON.parse(text) as LockInfo;
      if (Number.isInteger(v?.pid) && v.pid > 0) info = v;
    } catch { /* not ours: judged by age */ }
    return { info, ino: st.ino, mtimeMs: st.mtimeMs, text };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isStale(h: Held): boolean {
  return h.info ? !holderAlive(h.info, h.mtimeMs) : Date.now() - h.mtimeMs > GARBAGE_GRACE_MS;
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Remove a stale lock without racing another process doing the same: the takeover happens under a second
 * lock (the guard), and the lock is removed only if it is still the very stale one we looked at. Otherwise
 * two processes could both see the dead lock, one remove it and take a fresh one, and the other then remove
 * that fresh lock too.
 */
async function removeStale(lockPath: string, mine: string, stale: Held): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  if (!(await tryLink(mine, guard))) {
    const g = await readHeld(guard);
    // The guard's holder died during its takeover: clear it (only after a grace period, see GUARD_GRACE_MS).
    if (g && isStale(g) && Date.now() - g.mtimeMs > GUARD_GRACE_MS) await unlink(guard).catch(() => {});
    return false;
  }
  try {
    const now = await readHeld(lockPath);
    if (now && now.ino === stale.ino && now.text === stale.text) await unlink(lockPath).catch(() => {});
    return true;
  } finally {
    await unlink(guard).catch(() => {});
  }
}

/** Our temp files are `<lock>.<pid>.<random>`: remove those of processes killed before they cleaned up. */
async function removeLeftovers(lockPath: string): Promise<void> {
  const dir = dirname(lockPath);
  const prefix = `${basename(lockPath)}.`;
  let names: string[];
  try { names = await readdir(dir); } catch { return; }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-z]+$/.exec(n.slice(prefix.length));
    if (m && !holderAlive({ pid: Number(m[1]) })) await unlink(join(dir, n)).catch(() => {});
  }
}

function describeHolder(h: Held | undefined): string {
  if (!h?.info) return 'another process';
  const since = h.info.since ? `, since ${h.info.since}` : '';
  return `another f2b-scan run (pid ${h.info.pid}${since})`;
}

/**
 * Take the exclusive lock of the state at `statePath`, waiting up to `waitMs` for the holder to finish.
 * Throws LockedError naming the holder's pid when it does not. Returns the function that releases it.
 */
export async function acquireLock(statePath: string, opts: { waitMs?: number } = {}): Promise<() => Promise<void>> {
  const lockPath = `${statePath}.lock`;
  // A state path that is a directory, a FIFO or a device: one line, before a lock file lands beside it.
  await checkStatePath(statePath);
  // Not root, a read-only or full disk: one line naming the lock and the fix (exit 7).
  return withEnvironment('lock', lockPath, () => takeLock(statePath, lockPath, opts.waitMs ?? DEFAULT_LOCK_WAIT_MS));
}

async function takeLock(statePath: string, lockPath: string, waitMs: number): Promise<() => Promise<void>> {
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  await removeLeftovers(lockPath);
  const info: LockInfo = { pid: process.pid, start: processStartTime(process.pid), since: new Date().toISOString(), host: hostname() };
  const mine = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  const fh = await open(mine, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(info)}\n`);
  } finally {
    await fh.close();
  }
  const myIno = (await lstat(mine)).ino;
  const deadline = Date.now() + waitMs;
  let last: Held | undefined;
  try {
    for (;;) {
      if (await tryLink(mine, lockPath)) break;
      last = await readHeld(lockPath);
      if (!last) continue; // released between our link and our look: try again at once
      if (isStale(last) && (await removeStale(lockPath, mine, last))) continue;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new LockedError(`${describeHolder(last)} holds the lock ${lockPath}; gave up after ${(waitMs / 1000).toFixed(1)} s`);
      }
      await sleep(Math.min(POLL_MS, left));
    }
  } finally {
    await unlink(mine).catch(() => {});
  }

  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Remove the lock only while it is still ours (same inode as the file we linked).
    const st = await lstat(lockPath).catch(() => undefined);
    if (st && st.ino === myIno) await unlink(lockPath).catch(() => {});
  };
}

// The real peer: Debian's fail2ban-server doing the job f2b-scan does in one run — read a log,
// count failures, ban through a dummy action. It runs in the foreground with its own
// configuration directory in the bench's temporary directory: our fail2ban.conf (socket, pid
// file, log file there, `dbfile = :memory:`) and jail.conf (one jail, polling backend), with
// filter.d and action.d linked from the installed /etc/fail2ban (nothing of fail2ban is copied,
// let alone into the repo). It is done when its "Total failed" stops moving; its CPU time is
// the kernel's (utime + stime + the children it waited for: the dummy action's shells).

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { have } from './measure.mjs';

const ETC = '/etc/fail2ban';
const POLL_MS = 500;
// "Stopped moving": the same count this long. fail2ban's polling backend reads a file to its end
// in one go and then sleeps a second between looks, so a pause this long means it is through.
const STABLE_MS = 3000;
const GIVE_UP_MS = 15 * 60_000;
const TICK_MS = 10; // CLK_TCK is 100 on Linux

/** Why the peer cannot run here, or null. */
export function fail2banServerMissing() {
  for (const p of ['fail2ban-server', 'fail2ban-client']) if (!have(p)) return `${p} not found (Debian package fail2ban)`;
  for (const f of ['filter.d/sshd.conf', 'filter.d/common.conf', 'action.d/dummy.conf']) if (!existsSync(join(ETC, f))) return `${join(ETC, f)} missing (Debian package fail2ban)`;
  return null;
}

/**
 * One jail over `logFile` with the stock filter `filter` (e.g. "sshd"); `jailOptions` are
 * jail.conf lines (findtime, maxretry, bantime). Resolves { wallMs, cpuMs, rssMB, failed,
 * banned, runs: 1 } or throws with the reason.
 */
export async function measureFail2banServer(dir, { logFile, filter = 'sshd', jailOptions = [] }) {
  const conf = join(dir, 'fail2ban-server');
  rmSync(conf, { recursive: true, force: true });
  mkdirSync(conf, { recursive: true });
  for (const d of ['filter.d', 'action.d']) symlinkSync(join(ETC, d), join(conf, d));
  const sock = join(conf, 'f2b.sock');
  const pidFile = join(conf, 'f2b.pid');
  writeFileSync(join(conf, 'fail2ban.conf'), [
    '[Definition]',
    // INFO is Debian's default: fail2ban logs each "Found" failure, as it does in the field.
    'loglevel = INFO',
    `logtarget = ${join(conf, 'fail2ban.log')}`,
    'syslogsocket = auto',
    `socket = ${sock}`,
    `pidfile = ${pidFile}`,
    'dbfile = :memory:',
    'dbpurgeage = 1d',
    'allowipv6 = auto',
    '',
  ].join('\n'));
  writeFileSync(join(conf, 'jail.conf'), [
    '[bench]',
    'enabled = true',
    `filter = ${filter}`,
    'backend = polling',
    `logpath = ${logFile}`,
    ...jailOptions,
    `action = dummy[target="${join(conf, 'bans.dummy')}"]`,
    '',
  ].join('\n'));

  const t0 = process.hrtime.bigint();
  const server = spawn('fail2ban-server', ['-f', '-x', '-c', conf, '-s', sock, '-p', pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  let exited = null;
  server.on('exit', (code, sig) => { exited = sig ?? code; });
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = () => {
    const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // fields 14..17 of stat (utime stime cutime cstime) are 12..15 after the ") " split
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
  };
  const hwmMB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

  try {
    let last = null;
    let since = 0;
    let at = null; // { wallMs, cpuMs } when the final count was first seen
    for (;;) {
      await sleep(POLL_MS);
      if (exited !== null) throw new Error(`fail2ban-server exited (${exited}): ${stderr.trim().split('\n').at(-1) ?? ''}`);
      if (elapsed() > GIVE_UP_MS) throw new Error(`fail2ban-server: "Total failed" still moving after ${GIVE_UP_MS / 60000} minutes`);
      const status = await client(sock, ['status', 'bench']);
      if (!status) continue; // not up yet
      // Read after the answer: the count it gave was reached by then (an understatement of
      // its time would flatter fail2ban).
      const wallMs = elapsed();
      const cpu = cpuMs();
      const failed = Number(/Total failed:\s+(\d+)/.exec(status)?.[1]);
      const banned = Number(/Total banned:\s+(\d+)/.exec(status)?.[1]);
      if (failed !== last?.failed || banned !== last?.banned) {
        last = { failed, banned };
        since = wallMs;
        at = { wallMs, cpuMs: cpu };
      } else if (failed > 0 && wallMs - since >= STABLE_MS) {
        return { wallMs: at.wallMs, cpuMs: at.cpuMs, rssMB: hwmMB(), failed, banned, runs: 1 };
      }
    }
  } finally {
    await client(sock, ['stop']);
    for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
    if (exited === null) server.kill('SIGKILL');
  }
}

function client(sock, args) {
  return new Promise((resolve) => {
    execFile('fail2ban-client', ['-s', sock, ...args], { timeout: 30_000 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

// A real OpenSSH sshd inside a test namespace, logging to a file in syslog format
// (`Mon DD HH:MM:SS host sshd[pid]: message`) the way rsyslog writes /var/log/auth.log:
// sshd runs with -e and every stderr line gets the syslog header here.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const SSHD = '/usr/sbin/sshd';

/** Why a real sshd and sshpass cannot be used here, or null. */
export function sshdUnavailable(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is missing (Debian package openssh-server)`;
  for (const bin of ['ssh', 'ssh-keygen', 'sshpass']) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { stdio: 'pipe' });
    } catch {
      return `${bin} is not installed (Debian package ${bin === 'sshpass' ? 'sshpass' : 'openssh-client'})`;
    }
  }
  return null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The RFC 3164 timestamp syslog daemons write: local time, day padded with a space. */
export function syslogStamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export interface Sshd {
  logPath: string;
  /** The log's current text. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts sshd in `ns` listening on port 22 of every address, with its files in `dir`. */
export async function startSshd(ns: string, dir: string, hostname = 'server'): Promise<Sshd> {
  // Debian's sshd refuses to start without its privilege separation directory (the
  // packaged service creates it at boot; a container may not have it).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const key = join(dir, 'ssh_host_ed25519_key');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      'Port 22',
      'ListenAddress 0.0.0.0',
      'ListenAddress ::',
      `HostKey ${key}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication no',
      'PermitRootLogin no',
      'LogLevel INFO',
      // Half-open sessions of the tests end soon, not after the default two minutes.
      'LoginGraceTime 10',
      '',
    ].join('\n'),
  );
  const logPath = join(dir, 'auth.log');
  writeFileSync(logPath, '');

  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, SSHD, '-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let pending = '';
  let stopped = false;
  let ready: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    const stamp = syslogStamp(new Date());
    const text = lines
      .filter((l) => l.trim() !== '')
      .map((l) => `${stamp} ${hostname} sshd[${child.pid}]: ${l}\n`)
      .join('');
    // Per-connection sshd children may still write after stop(): their lines are not wanted.
    if (text && !stopped) appendFileSync(logPath, text);
    if (/Server listening on/.test(text)) ready();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const started = await Promise.race([
    listening.then(() => true),
    exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
  ]);
  if (!started) {
    child.kill('SIGTERM');
    throw new Error(`sshd did not start in ${ns}: ${readFileSync(logPath, 'utf8')}${pending}`);
  }
  return {
    logPath,
    log: () => readFileSync(logPath, 'utf8'),
    async stop() {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      // Connection children (their own sessions) keep the pipe open; Lab.cleanup() ends them.
      child.stderr!.destroy();
    },
  };
}

/** One password login attempt with a wrong password, as an attacker's script makes it. */
export async function failedPasswordLogin(ns: string, host: string, user = 'user'): Promise<number | undefined> {
  const r = await execa(
    'ip',
    [
      'netns', 'exec', ns,
      'sshpass', '-p', 'wrong',
      'ssh',
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'PreferredAuthentications=password',
      '-o', 'PubkeyAuthentication=no',
      '-o', 'NumberOfPasswordPrompts=1',
      '-o', 'ConnectTimeout=5',
      '-o', 'LogLevel=ERROR',
      `${user}@${host}`,
      'true',
    ],
    { reject: false, timeout: 20_000 },
  );
  return r.exitCode;
}

// Run the built CLI (bin/f2b-scan -> dist/) as a user would, in a scratch directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/f2b-scan');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function f2b(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', ...opts.env },
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function scratch(prefix = 'f2b-run-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Aim the own log of config dir `conf` at `dir`/own.log (f2b-scan.local [Definition]
 * logtarget): without it every non-dry run appends its Found/Ban lines to the machine's
 * /var/log/f2b-scan.log, the default. Returns the own log's path.
 */
export function ownLogIn(conf: string, dir: string): string {
  const own = join(dir, 'own.log');
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${own}\n`);
  return own;
}

/** A config dir whose jail.local enables sshd on `log` with the given extra lines; its own log is `dir`/own.log. */
export function sshdConfig(dir: string, log: string, extra = ''): string {
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${log}\n${extra}\n`);
  ownLogIn(conf, dir);
  return conf;
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let nextPid = 2000;

/**
 * An sshd syslog line at an ISO time (UTC; tests run the CLI with TZ=UTC). Each line gets its
 * own pid, as each connection has its own sshd process: sshd rules join lines of one pid.
 */
export function sshdLine(iso: string, message: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} host sshd[${nextPid++}]: ${message}`;
}

export function failedPasswords(ip: string, n: number, startIso: string, stepSeconds = 5): string[] {
  const t0 = Date.parse(startIso);
  return Array.from({ length: n }, (_, i) =>
    sshdLine(new Date(t0 + i * stepSeconds * 1000).toISOString(), `Failed password for root from ${ip} port ${40000 + i} ssh2`),
  );
}

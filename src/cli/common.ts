// Options every command shares, and how errors become one line and an exit code.

import { statSync } from 'node:fs';
import type { Options } from 'yargs';
import { asEnvironmentError, ConfigError, EXIT, LockedError, RuleError, UsageError } from '../util/errors.ts';
import { DEFAULT_CONFIG_DIR, DEFAULT_STATE_FILE } from '../util/paths.ts';

export const globalOptions = {
  // No yargs default: whether --config was given decides what a missing directory means.
  config: {
    type: 'string',
    describe: `configuration directory (fail2ban's layout: jail.conf/.local, jail.d, filter.d, action.d); searched before the shipped rules/ [default: ${DEFAULT_CONFIG_DIR}; when it does not exist, the shipped rules alone]`,
  },
  state: { type: 'string', default: DEFAULT_STATE_FILE, describe: 'state file' },
  now: { type: 'string', describe: 'the current time, ISO 8601 (tests, reports)' },
} as const satisfies Record<string, Options>;

/**
 * The configuration directory a command uses. Without --config: /etc/f2b-scan, and the shipped
 * rules alone when it does not exist. A --config that does not exist is a mistake (a typo would
 * otherwise run the shipped defaults without the admin's ignoreip and jails): a usage error,
 * except for the commands that create it (`mayCreate`: install, init).
 */
export function configDirOf(given: string | undefined, mayCreate = false): string {
  if (given === undefined) return DEFAULT_CONFIG_DIR;
  if (mayCreate) return given;
  let isDir = false;
  try {
    isDir = statSync(given).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`--config ${given}: cannot be read (${code})`);
    throw new UsageError(`--config ${given}: no such directory (without --config, ${DEFAULT_CONFIG_DIR} or the shipped rules are used)`);
  }
  if (!isDir) throw new UsageError(`--config ${given}: not a directory (it names the directory holding jail.conf/jail.local)`);
  return given;
}

/**
 * The words of an optional variadic positional (`[ip..]`). Declared with `default: undefined`
 * so that --help shows no "[default: []]"; yargs then hands over [undefined] when none is given.
 */
export function words(list: (string | number | undefined)[] | undefined): string[] {
  return (list ?? []).filter((w) => w !== undefined).map(String);
}

/** Parse --now, or the real clock. */
export function parseNow(now: string | undefined): number {
  if (now === undefined) return Date.now() / 1000;
  const ms = Date.parse(now);
  if (Number.isNaN(ms)) throw new UsageError(`--now: not an ISO 8601 time: ${now}`);
  // Ban ends (now + up to 100 years) must stay times a Date can hold.
  if (ms < 0 || ms >= Date.UTC(10000, 0, 1)) throw new UsageError(`--now: ${now} is outside the years 1970 to 9999`);
  return ms / 1000;
}

/** The documented exit code of an error (what failWith exits with). */
export function exitCodeOfError(err: unknown): number {
  if (err instanceof ConfigError || err instanceof RuleError || err instanceof UsageError) return EXIT.config;
  if (err instanceof LockedError) return EXIT.locked;
  // Not root, a read-only or full disk: the machine's doing, said in one line with the fix.
  if (asEnvironmentError(err)) return EXIT.environment;
  return EXIT.internal;
}

/** Print an error as one line and exit with its documented code. */
export function failWith(err: unknown): never {
  const e = err as Error;
  const code = exitCodeOfError(err);
  if (code === EXIT.internal) process.stderr.write(`f2b-scan: internal error: ${e?.stack ?? String(e)}\n`);
  else process.stderr.write(`f2b-scan: ${(asEnvironmentError(err) ?? e).message}\n`);
  process.exit(code);
}

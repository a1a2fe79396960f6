// Options every command shares, and how errors become one line and an exit code.

import type { Options } from 'yargs';
import { ConfigError, EXIT, LockedError, RuleError, UsageError } from '../util/errors.ts';

export const globalOptions = {
  config: {
    type: 'string',
    default: '/etc/f2b-scan',
    describe: "configuration directory (fail2ban's layout: jail.conf/.local, jail.d, filter.d, action.d); searched before the shipped rules/",
  },
  state: { type: 'string', default: '/var/lib/f2b-scan/state.json', describe: 'state file' },
  now: { type: 'string', describe: 'the current time, ISO 8601 (tests, reports)' },
} as const satisfies Record<string, Options>;

/** Parse --now, or the real clock. */
export function parseNow(now: string | undefined): number {
  if (now === undefined) return Date.now() / 1000;
  const ms = Date.parse(now);
  if (Number.isNaN(ms)) throw new UsageError(`--now: not an ISO 8601 time: ${now}`);
  return ms / 1000;
}

/** Print an error as one line and exit with its documented code. */
export function failWith(err: unknown): never {
  const e = err as Error;
  if (e instanceof ConfigError || e instanceof RuleError || e instanceof UsageError) {
    process.stderr.write(`f2b-scan: ${e.message}\n`);
    process.exit(EXIT.config);
  }
  if (e instanceof LockedError) {
    process.stderr.write(`f2b-scan: ${e.message}\n`);
    process.exit(EXIT.locked);
  }
  process.stderr.write(`f2b-scan: internal error: ${e?.stack ?? String(e)}\n`);
  process.exit(EXIT.internal);
}

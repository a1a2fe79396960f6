// The one place f2b-scan runs other programs: execa with an argument array (no shell, so
// nothing from a log is ever parsed as shell syntax), a timeout, and a result instead of
// an exception, so a failed firewall command becomes a pending ban, never a crash.
//
// Test hook: when F2B_SCAN_NETNS names a network namespace, every command runs inside it
// through `ip netns exec <ns>`. Tests use it to aim backends at a private namespace; the
// printable command then shows the prefix too, because that is what ran.

import { execa } from 'execa';
import { printableCommand } from './quote.ts';
import { isPermissionFailure } from '../util/errors.ts';

export interface RunOptions {
  /** Written to the command's standard input (iptables-restore batches, nft -f -). */
  input?: string;
  /** Killed (SIGTERM, then SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Extra environment variables, on top of the inherited ones. */
  env?: Record<string, string>;
}

export interface CommandResult {
  /** Exit code 0, not killed, binary found. */
  ok: boolean;
  /** Exit code; null when the program could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Shell-quoted command line, for messages and `--dry-run`. */
  command: string;
  /** One line saying why it failed (missing binary, timeout, exit code and first stderr line). */
  error?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The namespace prefix the F2B_SCAN_NETNS test hook asks for, if any. */
export function commandPrefix(): string[] {
  const ns = process.env.F2B_SCAN_NETNS;
  return ns ? ['ip', 'netns', 'exec', ns] : [];
}

/** Runs `cmd args...` without a shell and reports how it went; never throws for the command's own failure. */
export async function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const prefix = commandPrefix();
  const argv = [...prefix, cmd, ...args];
  const command = printableCommand(argv[0]!, argv.slice(1)) + (opts.input !== undefined ? ` <${describeInput(opts.input)}` : '');
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    forceKillAfterDelay: 2000,
    input: opts.input,
    // Stable, untranslated messages from the tools we parse.
    env: { LC_ALL: 'C', ...opts.env },
    stripFinalNewline: true,
  });
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  const code = typeof r.exitCode === 'number' ? r.exitCode : null;
  const ok = !r.failed && code === 0;
  const result: CommandResult = { ok, code, stdout, stderr, command };
  if (!ok) result.error = failureReason(cmd, r, code, stderr, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return result;
}

function describeInput(input: string): string {
  const lines = input.split('\n').filter((l) => l !== '').length;
  return ` (standard input: ${lines} line${lines === 1 ? '' : 's'})`;
}

function failureReason(
  cmd: string,
  r: { code?: string; timedOut?: boolean; signal?: string },
  code: number | null,
  stderr: string,
  timeoutMs: number,
): string {
  if (r.code === 'ENOENT') return `${cmd}: command not found`;
  if (r.code === 'EACCES') return `${cmd}: permission denied`;
  if (r.timedOut) return `${cmd}: timed out after ${timeoutMs} ms`;
  const first = stderr.split('\n').find((l) => l.trim() !== '')?.trim();
  const how = code !== null ? `exit code ${code}` : r.signal ? `killed by ${r.signal}` : `failed${r.code ? ` (${r.code})` : ''}`;
  // A firewall tool run by a user who is not root says so in its own words: add what to do.
  const fix = isPermissionFailure(first) ? '; run f2b-scan as root (changing the firewall needs root)' : '';
  return first ? `${cmd}: ${how}: ${first}${fix}` : `${cmd}: ${how}`;
}

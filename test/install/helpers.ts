// Running the built CLI (bin/f2b-scan -> dist/cli.js) the way an admin does, for the install tests.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(REPO, 'bin', 'f2b-scan');

/** Why the built CLI cannot be run, or null: `npm test` builds dist/ first. */
export function missingBuild(): string | null {
  return existsSync(join(REPO, 'dist', 'cli.js')) ? null : 'dist/cli.js is missing: run `npm run build` first';
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): Ran {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  delete env.F2B_SCAN_RULES; // find the shipped rules the way an installed copy does
  const r = spawnSync(opts.bin ?? BIN, args, { cwd: opts.cwd ?? tmpdir(), env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory removed after the test. */
export function tempDir(t: { after: (fn: () => void) => void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `f2b-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Shared pieces of the hardening tests: the real CLI started asynchronously (so runs can
// overlap and be killed), a scratch sshd jail on the dummy action, and readers for what the
// "firewall" (the dummy file) and the state file hold.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, scratch, sshdConfig, type CliResult } from '../run/cli.ts';
import { readStateView } from '../helpers/state-view.ts';
import type { StateView } from '../helpers/state-view.ts';

export { f2b, failedPasswords, ownLogIn, scratch, sshdConfig, sshdLine, REPO, BIN } from '../run/cli.ts';

/** Start the CLI without waiting for it. */
export function startF2b(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Wait for a started CLI; `signal` is set when it was killed. */
export function finished(child: ChildProcess): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

export async function f2bAsync(args: string[], env: Record<string, string> = {}) {
  return finished(startF2b(args, env));
}

export interface Scenario {
  dir: string;
  log: string;
  conf: string;
  state: string;
  /** The dummy action's file: the "firewall". */
  banned: string;
  /** `--config C --state S`. */
  base: string[];
}

/** An sshd jail over `auth.log` banning through the dummy action, with extra jail lines. */
export function dummyScenario(extra = '', prefix = 'f2b-hard-'): Scenario {
  const dir = scratch(prefix);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const banned = join(dir, 'banned.txt');
  const conf = sshdConfig(dir, log, `action = dummy[target="${banned}"]\n${extra}`);
  const state = join(dir, 'state.json');
  return { dir, log, conf, state, banned, base: ['--config', conf, '--state', state] };
}

/** The addresses the dummy file holds now (replay of its +/- lines). */
export function heldByDummy(file: string): Set<string> {
  const held = new Set<string>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return held;
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('+')) held.add(line.slice(1));
    else if (line.startsWith('-')) held.delete(line.slice(1));
  }
  return held;
}

export function readState(path: string): StateView {
  return readStateView(path);
}

/** Addresses banned in a jail according to the state file. */
export function bannedInState(path: string, jail = 'sshd'): Set<string> {
  return new Set(Object.keys(readState(path).bans[jail] ?? {}));
}

// What every operator command starts from: the configuration, and the state under the
// run lock (so a cron run and `f2b-scan ban` never overwrite each other's changes).
// A dry run takes no lock and writes nothing.

import { isoTime } from '../util/time-text.ts';
import { enforce, failedOutcomeLines, outcomesExitCode, type ActionOutcome } from '../actions/index.ts';
import { loadConfig, type LoadedConfig } from '../config/index.ts';
import { writeOwnLog, type LogRecord } from '../log/index.ts';
import { acquireLock, loadState, saveState } from '../state/store.ts';
import type { State } from '../state/schema.ts';
import type { Decision, Jail } from '../types.ts';
import { EXIT } from '../util/errors.ts';
import { missingJail } from '../run/select-jails.ts';
import { builtinRulesDir } from '../util/paths.ts';

export interface OpsOptions {
  configDir: string;
  statePath: string;
  /** Epoch seconds. */
  now: number;
  dryRun: boolean;
  lockWaitMs?: number;
}

/** What a command prints: stdout text, stderr lines, and its exit code. */
export interface OpsResult {
  output: string;
  /** One line each, printed as `f2b-scan: <line>` on stderr. */
  messages: string[];
  exitCode: number;
}

export interface Session {
  config: LoadedConfig;
  state: State;
  warnings: string[];
}

export async function withSession(opts: OpsOptions, fn: (s: Session) => Promise<OpsResult>, write = true): Promise<OpsResult> {
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir() });
  const release = opts.dryRun || !write ? async () => {} : await acquireLock(opts.statePath, { waitMs: opts.lockWaitMs });
  try {
    const loaded = await loadState(opts.statePath, { now: opts.now, readOnly: opts.dryRun || !write });
    const result = await fn({ config, state: loaded.state, warnings: [...config.warnings, ...loaded.warnings] });
    // What the checks of tables first read by the command found (the load vouched for them unread).
    result.messages.push(...loaded.late.warnings.map((w) => `warning: ${w}`));
    return result;
  } finally {
    await release();
  }
}

/** A jail of the configuration by name (enabled or not), or a one-line error. */
export function findJail(config: LoadedConfig, name: string): Jail {
  const j = config.jails.find((x) => x.name === name);
  if (!j) throw missingJail(name, config.configDir, config.skipped);
  return j;
}

/**
 * Make the firewall agree with the changed state for these decisions, then save the state and
 * write the own log. Returns the failed outcomes as messages and the exit code.
 */
export async function applyAndSave(
  s: Session,
  opts: OpsOptions,
  decisions: Decision[],
  records: LogRecord[],
): Promise<{ outcomes: ActionOutcome[]; messages: string[]; exitCode: number }> {
  const names = new Set(decisions.map((d) => d.jail));
  const jails = s.config.jails.filter((j) => names.has(j.name));
  const enforced = await enforce({ jails, state: s.state, decisions, now: opts.now, dryRun: opts.dryRun, actionDirs: s.config.actionDirs });
  const messages = [...enforced.warnings.map((w) => `warning: ${w}`)];
  messages.push(...failedOutcomeLines(enforced.outcomes).map((l) => `error: ${l}`));
  if (!opts.dryRun) {
    await saveState(opts.statePath, s.state);
    const ownLog = await writeOwnLog(s.config.main, records);
    messages.push(...ownLog.warnings.map((p) => `warning: ${p}`));
    // An own log the machine refuses (not root, read-only, full disk): exit 7, unless a ban failed.
    if (ownLog.environment && outcomesExitCode(enforced.outcomes) === EXIT.ok) return { outcomes: enforced.outcomes, messages, exitCode: EXIT.environment };
  }
  const exitCode = outcomesExitCode(enforced.outcomes);
  return { outcomes: enforced.outcomes, messages, exitCode };
}

export function iso(t: number | null): string {
  return t === null ? 'forever' : isoTime(t);
}

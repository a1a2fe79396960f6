// What failed actions tell the operator: one line each, and the exit code they make. An action
// file's command is a shell script of several lines: shown on one line, cut short, so a failure
// is never a screenful of script. A firewall that refused because the run is not root is the
// machine's doing (exit 7, "run f2b-scan as root"), not a failed action (exit 4).

import { EXIT, isPermissionFailure } from '../util/errors.ts';
import type { ActionOutcome } from './enforce.ts';

const MAX_COMMAND = 160;

/** A command as one short line: newlines become "; ", the rest is cut with "...". */
export function oneLineCommand(command: string): string {
  const flat = command.replace(/\s*\n\s*/g, '; ').trim();
  return flat.length > MAX_COMMAND ? `${flat.slice(0, MAX_COMMAND)}...` : flat;
}

/** `[jail] op ip failed: error (command)` for each failed outcome. */
export function failedOutcomeLines(outcomes: readonly ActionOutcome[]): string[] {
  return outcomes
    .filter((o) => !o.ok)
    .map((o) => `[${o.jail}] ${o.op} ${o.ip} failed: ${o.error ?? 'unknown error'}${o.command ? ` (${oneLineCommand(o.command)})` : ''}`);
}

/** 0 when every action went through; 7 when every failure was a refusal for lack of privileges; else 4. */
export function outcomesExitCode(outcomes: readonly ActionOutcome[]): number {
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return EXIT.ok;
  return failed.every((o) => isPermissionFailure(o.error)) ? EXIT.environment : EXIT.actionFailed;
}

// What a run leaves behind besides bans: the jail totals `status` shows, and the own log.
// Called by run.ts after the run's decisions are enforced (never in a dry run).

import type { IniStore } from '../config/store.ts';
import type { ActionOutcome } from '../actions/enforce.ts';
import { runRecords, writeOwnLog, type OwnLogResult } from '../log/index.ts';
import type { LogProblem } from '../log/target.ts';
import type { State } from '../state/schema.ts';
import type { Decision, Epoch, FileReport, RunSummary } from '../types.ts';
import { addFleetTotals, addTotals } from './totals.ts';

export async function recordRun(input: {
  main: IniStore;
  state: State;
  /** Failures counted per jail this run ("Total failed"). */
  failed: ReadonlyMap<string, number>;
  /** A problem met writing the own log's Found lines during the scan, told with the others. */
  foundProblem: LogProblem | null;
  /** What each file contributed (lines read per jail). */
  files: FileReport[];
  decisions: Decision[];
  outcomes: ActionOutcome[];
  /** The fleet step's exchange, with a fleet. */
  fleet?: RunSummary['fleet'];
  now: Epoch;
}): Promise<OwnLogResult> {
  if (input.fleet) addFleetTotals(input.state, input.fleet);
  for (const [jail, n] of input.failed) addTotals(input.state, jail, { failed: n });
  for (const d of input.decisions) addTotals(input.state, d.jail, d.kind === 'ban' ? { banned: 1 } : { unbanned: 1 });
  for (const f of input.files) addTotals(input.state, f.jail, { lines: f.linesRead });
  return writeOwnLog(input.main, runRecords(input), input.foundProblem);
}

// `f2b-scan start [jail]` and `f2b-scan stop [jail]`, the life cycle around the runs:
// start puts every live ban of the state back into the firewall (the boot unit runs it,
// after the services that load saved rules); stop lifts every ban the firewall holds and
// removes what start created. Neither reads a log or decides a ban: the state keeps its
// bans, so a stop followed by a start, or by the next run, puts them back.

import { loadConfig, type LoadedConfig } from '../config/index.ts';
import { enforce, failedOutcomeLines, outcomesExitCode, stopActions, type ActionOutcome } from '../actions/index.ts';
import { selectJails } from '../run/select-jails.ts';
import { acquireLock, loadState, saveState } from '../state/store.ts';
import type { State } from '../state/schema.ts';
import type { Jail } from '../types.ts';
import { banCount, bansOf, getBan, jailsWithBans, pendingBanKeys, setBan, updateBan } from '../state/bans.ts';
import { emptyState } from '../state/schema.ts';
import { EXIT } from '../util/errors.ts';
import { builtinRulesDir } from '../util/paths.ts';

export interface LifecycleOptions {
  configDir: string;
  statePath: string;
  /** Epoch seconds: bans that ended before this are not put back (the next run lifts them). */
  now: number;
  dryRun: boolean;
  /** Only these jails (default: see jailsToTouch). */
  jailNames?: string[];
  lockWaitMs?: number;
}

export interface LifecycleResult {
  /** One line per address and action, for stdout. */
  lines: string[];
  warnings: string[];
  /** One line per failed action, with the error and the command. */
  errors: string[];
  outcomes: ActionOutcome[];
  exitCode: number;
}

/**
 * Named jails (any, enabled or not), else every jail the state has business with: enabled
 * jails, and disabled ones that still hold bans or started actions, so nothing is left behind.
 */
function jailsToTouch(all: Jail[], state: State, names: string[] | undefined, configDir: string, skipped: LoadedConfig['skipped']): Jail[] {
  return selectJails(all, names, configDir, { skipped, byDefault: (j) => j.enabled || banCount(state, j.name) > 0 || (state.started[j.name] ?? []).length > 0 });
}

/**
 * The state as start sees it: only bans still in force. A real start works on the state itself
 * after lifting nothing (expired bans are the next run's business: they are left out of a copy
 * only in a dry run, where every ban it would put back is marked as owed).
 */
function liveBans(state: State, now: number, markPending: boolean): State {
  const view = emptyState();
  for (const jail of jailsWithBans(state)) {
    for (const [key, rec] of bansOf(state, jail)) {
      if (rec.until !== null && rec.until <= now) continue;
      setBan(view, jail, key, markPending ? { ...rec, pending: 'ban' } : rec);
    }
  }
  return { ...view, started: markPending ? structuredClone(state.started) : state.started };
}

function describe(o: ActionOutcome, dryRun: boolean): string {
  const verb = o.op === 'unban' ? 'unban' : 'restore';
  const via = o.action ? ` (${o.action})` : '';
  if (!o.ok) return `${verb} ${o.ip} in ${o.jail}${via} failed`;
  return `${dryRun ? 'would ' : ''}${verb} ${o.ip} in ${o.jail}${via}${dryRun && o.command ? `: ${o.command}` : ''}`;
}


async function withState<T>(opts: LifecycleOptions, fn: (state: State, jails: Jail[], warnings: string[], actionDirs: string[]) => Promise<T>): Promise<T> {
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir() });
  const warnings = [...config.warnings];
  // A dry run writes nothing, so it needs no lock.
  const release = opts.dryRun ? async () => {} : await acquireLock(opts.statePath, { waitMs: opts.lockWaitMs });
  try {
    const loaded = await loadState(opts.statePath, { now: opts.now, readOnly: opts.dryRun });
    warnings.push(...loaded.warnings);
    const jails = jailsToTouch(config.jails, loaded.state, opts.jailNames, opts.configDir, config.skipped);
    const result = await fn(loaded.state, jails, warnings, config.actionDirs);
    if (!opts.dryRun) await saveState(opts.statePath, loaded.state);
    return result;
  } finally {
    await release();
  }
}

function finish(outcomes: ActionOutcome[], warnings: string[], dryRun: boolean): LifecycleResult {
  const errors = failedOutcomeLines(outcomes);
  return {
    lines: outcomes.map((o) => describe(o, dryRun)),
    warnings,
    errors,
    outcomes,
    exitCode: outcomesExitCode(outcomes),
  };
}

/** Carry what enforce wrote on the view's bans (pending, error) back to the state. */
function syncPending(view: State, state: State): void {
  for (const jail of jailsWithBans(view)) {
    for (const key of new Set([...pendingBanKeys(view, jail), ...pendingBanKeys(state, jail)])) {
      const v = getBan(view, jail, key);
      const s = getBan(state, jail, key);
      if (v && s && (v.pending !== s.pending || v.error !== s.error)) updateBan(state, jail, key, { pending: v.pending, error: v.error });
    }
  }
}

/** Put the state's live bans back into the firewall, starting each backend where needed. */
export async function startBans(opts: LifecycleOptions): Promise<LifecycleResult> {
  return withState(opts, async (state, jails, warnings, actionDirs) => {
    const view = liveBans(state, opts.now, opts.dryRun);
    const r = await enforce({ jails, state: view, decisions: [], now: opts.now, dryRun: opts.dryRun, actionDirs });
    if (!opts.dryRun) syncPending(view, state);
    warnings.push(...r.warnings);
    return finish(r.outcomes, warnings, opts.dryRun);
  });
}

/** Lift every ban the firewall holds for the jails and remove chains, sets, tables, lines. */
export async function stopBans(opts: LifecycleOptions): Promise<LifecycleResult> {
  return withState(opts, async (state, jails, warnings, actionDirs) => {
    const r = await stopActions({ jails, state, dryRun: opts.dryRun, actionDirs });
    warnings.push(...r.warnings);
    return finish(r.outcomes, warnings, opts.dryRun);
  });
}

// One run, in the order of ARCHITECTURE.md: config, lock + state, read and match each
// jail's new lines, decide, enforce, save, release. Everything else lives in the stages.

import { isoTime } from '../util/time-text.ts';
import { loadConfig, placeOfKey, skippedLine, type LoadedConfig } from '../config/index.ts';
import { lazyStockFiles } from '../config/stock-files.ts';
import { enforce, failedOutcomeLines, outcomesExitCode, type ActionOutcome } from '../actions/index.ts';
import { checkPolicy, startPolicy } from '../policy/index.ts';
import { prepareIgnore } from './prepare-ignore.ts';
import { scanLogs, type ProgressSink, type ScanResult } from '../scan/scan.ts';
import { RunSink } from './run-sink.ts';
import { jailNeeds } from '../actions/needs.ts';
import { FoundLog, LEVELS, readLogSettings } from '../log/index.ts';
import { ignoredInputWarnings } from './ignored-warnings.ts';
import { freshNotices } from '../report/notices.ts';
import { recordRun } from '../ops/record-run.ts';
import { fleetTotalsOf, jailCounters } from '../ops/totals.ts';
import type { FleetStep } from './run-fleet.ts';
import { acquireLock, loadState, saveState, stateChanged } from '../state/store.ts';
import type { State } from '../state/schema.ts';
import { jailsWithBans } from '../state/bans.ts';
import type { Decision, Jail, RunSummary } from '../types.ts';
import { selectJails } from './select-jails.ts';
import { ConfigError, EXIT } from '../util/errors.ts';
import { builtinRulesDir } from '../util/paths.ts';

export interface RunOptions {
  configDir: string;
  statePath: string;
  /** Epoch seconds: the run's clock (--now or the real time). */
  now: number;
  dryRun: boolean;
  /** Only these jails (default: every enabled jail). */
  jailNames?: string[];
  lockWaitMs?: number;
  /** Nothing will be printed (--quiet): don't count warnings as told. */
  silent?: boolean;
  /** Progress display for a large backlog (the CLI passes one on a terminal). */
  progress?: (backlogBytes: number) => Promise<ProgressSink | null>;
  /** `unban --fleet`: unbans to publish to the other hosts. */
  fleetUnbans?: { jail: string; ip: string }[];
}

export interface RunResult {
  summary: RunSummary;
  outcomes: ActionOutcome[];
  exitCode: number;
  /** The warnings a cron run prints: those not printed in the last day (all of them in a dry run). */
  freshWarnings: string[];
}

export async function runScan(opts: RunOptions): Promise<RunResult> {
  // Disabled jails are resolved only if the state still holds bans of theirs (jailsToEnforce).
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir(), onlyEnabled: { named: opts.jailNames } });
  const warnings = [...config.warnings];
  // A bad bantime formula or ignorecommand in a jail's own section skips that jail (exit 2);
  // one from [DEFAULT] stops the run here, before any work.
  // A jail named with --jail that was skipped is left out like the others: its line below says why.
  const selected = selectJails(config.jails, opts.jailNames, opts.configDir, { skipped: config.skipped, leaveOutSkipped: true });
  const checked = checkPolicy(selected, (j, key) => placeOfKey(config.store, j.name, key));
  // With --jail, only the named jails' skips concern this run.
  const skippedHere = [...config.skipped].filter(([n]) => !opts.jailNames?.length || opts.jailNames.includes(n)).map(([n, e]) => skippedLine(n, e));
  const jails = checked.jails;
  warnings.push(...checked.warnings);

  // A dry run writes nothing, so it needs no lock and never waits for a real run.
  const release = opts.dryRun ? async () => {} : await acquireLock(opts.statePath, { waitMs: opts.lockWaitMs });
  try {
    const loaded = await loadState(opts.statePath, { now: opts.now, readOnly: opts.dryRun });
    warnings.push(...loaded.warnings);
    const state: State = loaded.state;
    // A state moved aside as corrupt knows no bans: take back those the firewall still holds.
    if (loaded.recovered) warnings.push(...(await (await import('./recover-bans.ts')).recoverBansFromFirewall({ jails, state, now: opts.now, actionDirs: config.actionDirs })));

    // With a fleet, imported bans of jails not enabled here land in the built-in `fleet` jail.
    const fleetMod = config.main.get('fleet', 'url')?.trim() ? await import('./run-fleet.ts') : null;
    const fleetJail = fleetMod?.fleetJail(config);
    const policyJails = fleetJail && !jails.some((j) => j.name === fleetJail.name) ? [...jails, fleetJail] : jails;

    // One pass: expired bans lifted and stale tickets forgotten first, then every failure is
    // folded into its ticket as the scan reads it, then the bans.
    // Ban counts are forgotten after fail2ban's dbpurgeage (negative: never).
    const historyAge = config.dbpurgeage.seconds < 0 ? null : config.dbpurgeage.seconds;
    const pass = startPolicy({ state, jails: policyJails, now: opts.now, needs: jailNeeds(config.actionDirs), historyAge });
    const logSettings = readLogSettings(config.main);
    const found = !opts.dryRun && logSettings.level <= LEVELS.INFO ? new FoundLog(logSettings.target, opts.now) : null;
    const sink = new RunSink(pass, found);
    const scanned = await scanLogs(
      {
        jails,
        state,
        now: opts.now,
        filterDirs: config.filterDirs,
        startAtEnd: loaded.recovered,
        progress: opts.progress,
        // Counting uses nothing older than findtime: a large backlog keeps no memory.
        dropOld: true,
        // Read (dpkg's checksums) only if a jail's log is missing.
        isStock: lazyStockFiles(config.builtinDir, config.configDir),
      },
      sink,
    );
    found?.flush();
    warnings.push(...scanned.warnings);
    // Jails skipped for a bad value in their own section count like jails skipped for their rule.
    scanned.errors.unshift(...skippedHere, ...checked.jailErrors);
    // ignorecommand runs only for the addresses this run is about to ban.
    const isIgnored = await prepareIgnore(policyJails, { candidates: pass.candidates(), warn: (m) => warnings.push(m) });
    const policy = pass.finish(isIgnored);
    warnings.push(...policy.warnings);
    const refused = ignoredInputWarnings(policy.ignored);
    warnings.push(...refused);
    const decisions = [...policy.decisions];

    let fleet: FleetStep | undefined;
    let fleetFailure: FleetFailure | null = null;
    if (fleetMod && fleetJail) {
      // Whatever goes wrong with the fleet (its settings, Redis, an entry nothing foresaw), this
      // run's own bans are still applied and the state (offsets, bans, outbox) still saved:
      // one bad entry once stopped every host's runs for good.
      try {
        const settings = fleetMod.fleetSettings(config);
        fleet = await fleetMod.fleetStep({ settings, state, jails: policyJails, decisions, now: opts.now, dryRun: opts.dryRun, isIgnored, fleetJail, unbans: opts.fleetUnbans, actionDirs: config.actionDirs });
        decisions.push(...fleet.decisions);
        warnings.push(...fleet.warnings);
      } catch (e) {
        fleetFailure = e instanceof ConfigError ? 'config' : 'internal';
        const why = e instanceof ConfigError ? e.message : `the fleet step failed (${describeError(e)})`;
        warnings.push(`fleet: ${why}; this run's own bans are applied and saved, nothing was exchanged`);
      }
    }

    const enforced = await enforce({
      jails: jailsToEnforce(config, policyJails, state, decisions, (w) => warnings.push(w)),
      state,
      decisions,
      now: opts.now,
      dryRun: opts.dryRun,
      actionDirs: config.actionDirs,
    });
    warnings.push(...enforced.warnings);
    let ownLogRefused = false;
    if (!opts.dryRun) {
      const recorded = await recordRun({ main: config.main, state, failed: sink.folded, foundProblem: found?.problem ?? null, files: scanned.files, decisions, outcomes: enforced.outcomes, fleet: fleet?.summary, now: opts.now });
      warnings.push(...recorded.warnings);
      ownLogRefused = recorded.environment;
    }

    // What the checks of tables first read during the run found (the load vouched for them unread).
    warnings.push(...loaded.late.warnings);
    const notices = freshNotices(warnings, state.notices, opts.now);
    if (!opts.dryRun) {
      if (!opts.silent) state.notices = notices.printed;
      // A run that changed nothing (the cron run of a quiet minute) leaves the file as it is:
      // writing a state of a million bans would be most of its cost.
      if (stateChanged(loaded, state)) {
        state.lastRun = opts.now;
        await saveState(opts.statePath, state);
      }
    }

    const summary = summarize(opts, decisions, scanned, warnings, enforced.outcomes);
    summary.totals = jailCounters(state, policyJails.map((j) => j.name), opts.now);
    if (fleet) summary.fleet = { ...fleet.summary, totals: fleetTotalsOf(state) };
    else if (fleetFailure) summary.fleet = { published: 0, imported: [], dropped: 0, error: warnings.find((w) => w.startsWith('fleet: '))!.slice(7) };
    const exitCode = exitCodeOf(
      enforced.outcomes,
      scanned.errors.length,
      scanned.inputProblems + refused.length + loaded.dropped + loaded.late.dropped + (fleet?.inputProblems ?? 0),
      fleetFailure ?? (fleet?.unreachable ? 'unreachable' : null),
      ownLogRefused,
    );
    const freshWarnings = opts.dryRun ? warnings : notices.fresh;
    // The heartbeat carries the exit code, so it goes last; it never changes the outcome.
    const beat = await fleet?.finish(exitCode).catch((e: unknown) => `heartbeat: ${describeError(e)}`);
    if (beat) {
      summary.warnings.push(`fleet: ${beat}`);
      freshWarnings.push(`fleet: ${beat}`);
    }
    return { summary, outcomes: enforced.outcomes, exitCode, freshWarnings };
  } finally {
    await release();
  }
}

function isoOrNull(t: number | null): string | null {
  return t === null ? null : isoTime(t);
}

function summarize(
  opts: RunOptions,
  decisions: Decision[],
  scanned: ScanResult,
  warnings: string[],
  outcomes: ActionOutcome[],
): RunSummary {
  const bans: RunSummary['bans'] = [];
  const unbans: RunSummary['unbans'] = [];
  for (const d of decisions) {
    // Bans imported from the fleet are listed in summary.fleet.imported, not twice.
    if (d.kind === 'ban' && d.origin === 'fleet') continue;
    if (d.kind === 'ban') bans.push({ jail: d.jail, ip: d.ip, failures: d.failures, until: isoOrNull(d.until) });
    else unbans.push({ jail: d.jail, ip: d.ip });
  }
  const errors = [...scanned.errors, ...failedOutcomeLines(outcomes)];
  return {
    now: opts.now,
    dryRun: opts.dryRun,
    bans,
    unbans,
    files: scanned.files,
    failures: scanned.perJail,
    warnings,
    errors,
  };
}

/**
 * The jails whose actions run: the run's own, plus any jail (disabled since, say) that still
 * holds bans in the state or has a decision, so its bans are reconciled and lifted on time.
 */
function jailsToEnforce(config: LoadedConfig, run: Jail[], state: State, decisions: Decision[], warn: (message: string) => void): Jail[] {
  const out = new Map(run.map((j) => [j.name, j]));
  const wanted = new Set([...jailsWithBans(state), ...decisions.map((d) => d.jail)]);
  for (const name of wanted) {
    if (out.has(name)) continue;
    const j = config.jailNamed(name, warn);
    if (j) out.set(name, j);
  }
  return [...out.values()];
}

/** How the fleet step failed, when it did: its own settings, Redis, or a bug. */
type FleetFailure = 'config' | 'unreachable' | 'internal';

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}`.replace(/\s+/g, ' ') : String(e);
}

function exitCodeOf(outcomes: ActionOutcome[], ruleErrors: number, inputProblems: number, fleet: FleetFailure | null, ownLogRefused: boolean): number {
  // A failed ban (4), or a firewall that refused a run that is not root (7).
  const actions = outcomesExitCode(outcomes);
  if (actions !== EXIT.ok) return actions;
  if (fleet === 'internal') return EXIT.internal;
  // A jail skipped for its rule, or bad fleet settings: the configuration needs fixing, though the run ran.
  if (ruleErrors > 0 || fleet === 'config') return EXIT.config;
  if (fleet === 'unreachable') return EXIT.fleetUnreachable;
  // The own log could not be written: not root, a read-only or full disk.
  if (ownLogRefused) return EXIT.environment;
  if (inputProblems > 0) return EXIT.inputWarning;
  return EXIT.ok;
}

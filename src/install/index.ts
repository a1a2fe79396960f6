// `f2b-scan install`: put the scheduling (systemd units or a cron.d line), the config
// directory with a commented jail.local and the state directory in place, or take them
// away again; on a live systemd machine, reload and enable the units too.

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { run } from '../exec/run.ts';
import { applyChanges, changesAnything, describeChanges, diffInstall, diffUninstall } from './apply.ts';
import { planInstall, runArgs, type PlannedItem, type Scheduler } from './plan.ts';
import { targetConfig, targetProgram, targetSandbox } from './target.ts';
import type { Change } from './apply.ts';
import { printableCommand } from '../exec/quote.ts';
import { readUnits, type Program } from './templates.ts';

export { planInstall, runArgs } from './plan.ts';
export { diffInstall, diffUninstall, applyChanges, describeChanges } from './apply.ts';
export { renderUnit, renderCron, defaultJailLocal, systemdWord, cronWord, packagingDir, UNIT_NAMES } from './templates.ts';

export interface InstallRequest {
  scheduler: Scheduler;
  /** Staging root; '' or undefined for the live system. */
  prefix?: string;
  dryRun: boolean;
  uninstall: boolean;
  configDir: string;
  statePath: string;
  /** The command the scheduled runs start (--command); default: see targetProgram(). */
  command?: string;
  /** Tests: the program outright. */
  program?: Program;
  /** Default: /run/systemd/system exists (systemd is PID 1). */
  systemdRunning?: boolean;
}

export interface InstallResult {
  output: string;
  exitCode: number;
}

const UNITS_TO_ENABLE = ['f2b-scan.timer', 'f2b-scan-restore.service'];

async function systemctl(args: string[], lines: string[]): Promise<boolean> {
  const r = await run('systemctl', args, { timeoutMs: 60_000 });
  lines.push(`${r.ok ? 'ran' : 'failed'}: ${r.command}${r.ok ? '' : ` (${r.error ?? r.stderr})`}`);
  return r.ok;
}

export async function runInstall(req: InstallRequest): Promise<InstallResult> {
  const prefix = req.prefix ? resolve(req.prefix) : '';
  for (const [flag, p] of [['--config', req.configDir], ['--state', req.statePath]] as const) {
    if (!isAbsolute(p)) return { output: `f2b-scan: install: ${flag} must be an absolute path (scheduled runs start in /): ${p}\n`, exitCode: 2 };
  }
  const target = req.program ? { program: req.program } : targetProgram({ prefix, command: req.command, args: runArgs(req.configDir, req.statePath) });
  const program = target.program;
  const config = targetConfig(prefix, req.configDir);
  const plan = (scheduler: Scheduler) =>
    planInstall({
      scheduler,
      prefix,
      program,
      configDir: req.configDir,
      statePath: req.statePath,
      units: scheduler === 'systemd' ? readUnits() : {},
      sandbox: scheduler === 'systemd' ? targetSandbox(config, req.configDir, req.statePath) : null,
    });
  const items = plan(req.scheduler);
  const live = !prefix && req.scheduler === 'systemd' && (req.systemdRunning ?? existsSync('/run/systemd/system'));
  const lines: string[] = [];
  let ok = true;
  const enableCmd = printableCommand('systemctl', ['enable', '--now', ...UNITS_TO_ENABLE]);

  if (req.uninstall) {
    const changes = diffUninstall(items);
    if (req.scheduler === 'systemd' && changes.some((c) => c.kind === 'remove' && c.item.path.endsWith('.timer'))) {
      // Stopping f2b-scan-restore.service runs `f2b-scan stop`: the firewall rules go first.
      if (live && !req.dryRun) ok = (await systemctl(['disable', '--now', ...UNITS_TO_ENABLE], lines)) && ok;
      else lines.push(`${live ? 'would run' : 'first, on the machine, run'}: ${printableCommand('systemctl', ['disable', '--now', ...UNITS_TO_ENABLE])}`);
    }
    if (req.scheduler === 'cron' && changes.some((c) => c.kind === 'remove' && c.item.path.endsWith('cron.d/f2b-scan'))) {
      lines.push("to take f2b-scan's rules out of the firewall, run: f2b-scan stop");
    }
    if (!req.dryRun) applyChanges(changes);
    lines.push(describeChanges(changes, { dryRun: req.dryRun, showContent: false }).trimEnd());
    if (!changesAnything(changes)) lines.push('nothing to remove');
    if (live && !req.dryRun && changesAnything(changes)) ok = (await systemctl(['daemon-reload'], lines)) && ok;
    return { output: lines.join('\n') + '\n', exitCode: ok ? 0 : 1 };
  }

  // The other schedule goes: cron and a timer both running the scan would do every minute twice.
  const other = otherSchedule(req.scheduler, plan(req.scheduler === 'systemd' ? 'cron' : 'systemd'));
  if (other.length) {
    const systemdLive = !prefix && (req.systemdRunning ?? existsSync('/run/systemd/system'));
    const what = req.scheduler === 'systemd' ? 'the /etc/cron.d/f2b-scan line' : 'the systemd units (f2b-scan.timer, f2b-scan.service, f2b-scan-restore.service)';
    lines.push(`${req.dryRun ? 'would remove' : 'removing'} ${what}: --${req.scheduler} replaces them (one schedule, not two)`);
    // The timer stops; the restore unit is disabled without being stopped (its stop would lift every ban).
    if (req.scheduler === 'cron' && systemdLive) {
      if (req.dryRun) lines.push(`would run: ${printableCommand('systemctl', ['disable', '--now', 'f2b-scan.timer'])}; ${printableCommand('systemctl', ['disable', 'f2b-scan-restore.service'])}`);
      else {
        ok = (await systemctl(['disable', '--now', 'f2b-scan.timer'], lines)) && ok;
        ok = (await systemctl(['disable', 'f2b-scan-restore.service'], lines)) && ok;
      }
    }
    if (!req.dryRun) applyChanges(other);
    lines.push(describeChanges(other, { dryRun: req.dryRun, showContent: false }).trimEnd());
    if (req.scheduler === 'cron' && systemdLive && !req.dryRun) ok = (await systemctl(['daemon-reload'], lines)) && ok;
  }

  const changes = diffInstall(items);
  if (!req.dryRun) applyChanges(changes);
  lines.push(describeChanges(changes, { dryRun: req.dryRun, showContent: req.dryRun }).trimEnd());
  const changed = changesAnything(changes);
  if (!changed) lines.push('nothing to change: already installed');
  if (target.note) lines.push(target.note);
  if (req.scheduler === 'systemd') {
    if (live && !req.dryRun && changed) {
      ok = (await systemctl(['daemon-reload'], lines)) && ok;
      ok = (await systemctl(['enable', '--now', ...UNITS_TO_ENABLE], lines)) && ok;
    } else if (live && req.dryRun) {
      lines.push(`would run: systemctl daemon-reload; ${enableCmd}`);
    } else if (!live) {
      lines.push(`${prefix ? 'on the target machine' : 'systemd is not running here; when it is'}, run: systemctl daemon-reload && ${enableCmd}`);
    }
  } else if (!prefix && !existsSync('/usr/sbin/cron') && !existsSync('/usr/sbin/crond')) {
    lines.push('note: no cron daemon found (Debian: apt-get install cron), or use --systemd');
  }
  return { output: lines.join('\n') + '\n', exitCode: ok ? 0 : 1 };
}

/** The files of the other scheduler that are there (its directories and the shared ones stay). */
function otherSchedule(scheduler: Scheduler, otherItems: PlannedItem[]): Change[] {
  const own = (path: string) => (scheduler === 'systemd' ? path.endsWith('/etc/cron.d/f2b-scan') : /\/etc\/systemd\/system\/f2b-scan[\w.-]*$/.test(path));
  return diffUninstall(otherItems.filter((i) => i.kind === 'file' && own(i.path))).filter((c) => c.kind === 'remove');
}

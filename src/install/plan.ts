// What an install consists of, as data: the files and directories under the prefix,
// each with its content and mode. Pure: install, uninstall and --dry-run all work
// from the same list, so they cannot disagree about what f2b-scan owns.

import { dirname, join } from 'node:path';
import {
  DEFAULT_CONFIG_DIR,
  DEFAULT_STATE_FILE,
  defaultJailLocal,
  renderCron,
  renderUnit,
  UNIT_NAMES,
  type Program,
} from './templates.ts';
import type { Sandbox } from './sandbox.ts';

export type Scheduler = 'systemd' | 'cron';

export interface PlannedDir {
  kind: 'dir';
  path: string;
  mode: number;
  /** Set the mode on an existing directory too (the state directory: root only). */
  enforceMode: boolean;
  /** Ours: uninstall removes it when nothing else is left in it. System directories are never removed. */
  removeIfEmpty: boolean;
}

export interface PlannedFile {
  kind: 'file';
  path: string;
  content: string;
  mode: number;
  /** replace: ours, rewritten when it differs; keep: the admin's once written (jail.local). */
  policy: 'replace' | 'keep';
}

export type PlannedItem = PlannedDir | PlannedFile;

export interface InstallOptions {
  scheduler: Scheduler;
  /** Staging root ('' for the live system). */
  prefix: string;
  program: Program;
  /** As the scheduled runs will see them (without the prefix). */
  configDir: string;
  statePath: string;
  /** Shipped unit templates by name (readUnits()). */
  units: Record<string, string>;
  /** What the service units may write (derived from the configuration); null: the templates' own. */
  sandbox: Sandbox | null;
}

/** Arguments every scheduled run needs: --config / --state when they are not the defaults. */
export function runArgs(configDir: string, statePath: string): string[] {
  const args: string[] = [];
  if (configDir !== DEFAULT_CONFIG_DIR) args.push('--config', configDir);
  if (statePath !== DEFAULT_STATE_FILE) args.push('--state', statePath);
  return args;
}

export function planInstall(o: InstallOptions): PlannedItem[] {
  const at = (p: string) => join(o.prefix || '/', p);
  const stateDir = dirname(o.statePath);
  const items: PlannedItem[] = [];
  if (o.scheduler === 'systemd') {
    items.push({ kind: 'dir', path: at('/etc/systemd/system'), mode: 0o755, enforceMode: false, removeIfEmpty: false });
    for (const name of UNIT_NAMES) {
      items.push({
        kind: 'file',
        path: at(`/etc/systemd/system/${name}`),
        content: renderUnit(o.units[name]!, o.program, name.endsWith('.service') ? o.sandbox : null),
        mode: 0o644,
        policy: 'replace',
      });
    }
  } else {
    items.push({ kind: 'dir', path: at('/etc/cron.d'), mode: 0o755, enforceMode: false, removeIfEmpty: false });
    items.push({ kind: 'file', path: at('/etc/cron.d/f2b-scan'), content: renderCron(o.program), mode: 0o644, policy: 'replace' });
  }
  items.push({ kind: 'dir', path: at(o.configDir), mode: 0o755, enforceMode: false, removeIfEmpty: true });
  items.push({ kind: 'file', path: join(at(o.configDir), 'jail.local'), content: defaultJailLocal(), mode: 0o644, policy: 'keep' });
  // The state holds who is banned and why: readable by root only.
  items.push({ kind: 'dir', path: at(stateDir), mode: 0o700, enforceMode: true, removeIfEmpty: true });
  return items;
}

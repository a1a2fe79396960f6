// What the scheduled runs will be on the machine being installed (this one, or an image
// under --prefix): the command that starts f2b-scan there, and the configuration whose
// jails decide the units' sandbox.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/index.ts';
import { metricsPath } from '../report/metrics-file.ts';
import { fleetJail } from '../run/run-fleet.ts';
import { builtinRulesDir } from '../util/paths.ts';
import { deriveSandbox, type Sandbox } from './sandbox.ts';
import type { Program } from './templates.ts';

/** Where npm's global bin directory puts the command: Debian's npm and nodejs.org's (/usr/local), NodeSource's (/usr). */
export const INSTALLED_COMMANDS = ['/usr/local/bin/f2b-scan', '/usr/bin/f2b-scan'];

export interface TargetProgram {
  program: Program;
  /** A line for the admin when the command was guessed (an image without f2b-scan in it yet). */
  note?: string;
}

/**
 * The command the units and the cron line start. Given (--command): that. Into an image
 * (--prefix): the f2b-scan installed in the image, by its path there. On this machine: this
 * very node and f2b-scan script (a global npm link stays a link), so the units run what the
 * admin ran.
 */
export function targetProgram(opts: { prefix: string; command?: string; args: string[] }): TargetProgram {
  if (opts.command) return { program: { script: opts.command, args: opts.args } };
  if (opts.prefix) {
    const found = INSTALLED_COMMANDS.find((c) => existsSync(join(opts.prefix, c)));
    if (found) return { program: { script: found, args: opts.args } };
    return {
      program: { script: INSTALLED_COMMANDS[0]!, args: opts.args },
      note: `note: ${INSTALLED_COMMANDS.join(' or ')} is not in ${opts.prefix} yet: the units start ${INSTALLED_COMMANDS[0]} (npm install -g puts it there with Debian's npm; --command names another)`,
    };
  }
  return { program: { node: process.execPath, script: resolve(process.argv[1] ?? 'f2b-scan'), args: opts.args } };
}

/** The configuration the scheduled runs will read: the image's under --prefix (the shipped rules alone when it has none). */
export function targetConfig(prefix: string, configDir: string): LoadedConfig {
  const dir = prefix ? join(prefix, configDir) : configDir;
  return loadConfig({ configDir: dir, builtinDir: builtinRulesDir() });
}

/** The sandbox of the service units for that configuration (its enabled jails, and the fleet's jail with a [fleet]). */
export function targetSandbox(config: LoadedConfig, configDir: string, statePath: string): Sandbox {
  const jails = config.jails.filter((j) => j.enabled);
  if (config.main.get('fleet', 'url')?.trim() && !jails.some((j) => j.name === 'fleet')) jails.push(fleetJail(config));
  const metrics = metricsPath(undefined, config.main, configDir);
  return deriveSandbox(config, jails, { stateDir: dirname(statePath), metricsFile: metrics });
}

// The body of `f2b-scan fleet status`: config and state in, text or JSON and an exit code out.

import { join, resolve } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { loadState } from '../state/store.ts';
import { ConfigError, EXIT } from '../util/errors.ts';
import { builtinRulesDir } from '../util/paths.ts';
import { readFleetSettings } from './settings.ts';
import { formatFleetStatus, readFleetStatus } from './status.ts';

export interface FleetStatusCommand {
  configDir: string;
  statePath: string;
  json: boolean;
}

export async function runFleetStatus(opts: FleetStatusCommand): Promise<{ output: string; warnings: string[]; exitCode: number }> {
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir() });
  const mainFile = join(resolve(opts.configDir), 'f2b-scan.conf');
  const settings = readFleetSettings(config.main, mainFile);
  if (!settings) {
    throw new ConfigError({ file: mainFile, section: 'fleet', key: 'url' }, 'not set: this host is in no fleet (see "Running a fleet" in the README)');
  }
  // Read-only: no lock, nothing saved.
  const { state, warnings } = await loadState(opts.statePath, { readOnly: true });
  const status = await readFleetStatus(settings, state);
  const output = opts.json ? JSON.stringify(status) + '\n' : formatFleetStatus(status);
  return {
    output,
    warnings: [...(settings.warnings ?? []), ...warnings],
    exitCode: status.error ? EXIT.fleetUnreachable : EXIT.ok,
  };
}

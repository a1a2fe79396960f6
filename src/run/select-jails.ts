// Which jails a command works on: the ones named on its command line, else a default set
// (the run: enabled jails; start/stop: also disabled ones that still hold bans).

import type { Jail } from '../types.ts';
import { ConfigError, formatPlace } from '../util/errors.ts';

export interface SelectOptions {
  /** The default set when no jail is named (default: the enabled ones). */
  byDefault?: (j: Jail) => boolean;
  /** Jails the configuration left out for a bad value in their own section (LoadedConfig.skipped). */
  skipped?: ReadonlyMap<string, ConfigError>;
  /**
   * A named jail that was skipped is left out instead of stopping the command: for the run and
   * the report, which show every skipped jail's line themselves (exit 2) and go on with the others.
   */
  leaveOutSkipped?: boolean;
}

/**
 * The named jails (enabled or not, in the order given), else every jail `byDefault` keeps.
 * A name the configuration does not have is a ConfigError: why it was skipped (file, section,
 * key) when it was, else "unknown jail" placed in the config directory.
 */
export function selectJails(all: Jail[], names: string[] | undefined, configDir: string, opts: SelectOptions = {}): Jail[] {
  const byDefault = opts.byDefault ?? ((j: Jail) => j.enabled);
  if (!names || names.length === 0) return all.filter(byDefault);
  const out: Jail[] = [];
  for (const n of names) {
    const j = all.find((x) => x.name === n);
    if (j) out.push(j);
    else if (!(opts.leaveOutSkipped && opts.skipped?.has(n))) throw missingJail(n, configDir, opts.skipped);
  }
  return out;
}

/** The error for a jail named on the command line that the configuration does not provide. */
export function missingJail(name: string, configDir: string, skipped?: ReadonlyMap<string, ConfigError>): ConfigError {
  const why = skipped?.get(name);
  if (!why) return new ConfigError({ file: configDir, section: name }, `unknown jail "${name}"`);
  // The skip's own place and reason, said as the run says it.
  return new ConfigError(why.place, `${why.message.slice(formatPlace(why.place).length + 2)} (jail [${name}] skipped)`);
}

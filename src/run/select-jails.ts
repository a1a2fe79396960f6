// Which jails a command works on: the ones named on its command line, else a default set
// (the run: enabled jails; start/stop: also disabled ones that still hold bans).

import type { Jail } from '../types.ts';
import { ConfigError } from '../util/errors.ts';

/**
 * The named jails (enabled or not, in the order given), else every jail `byDefault` keeps
 * (default: the enabled ones). An unknown name is a ConfigError placed in the config directory.
 */
export function selectJails(all: Jail[], names: string[] | undefined, configDir: string, byDefault: (j: Jail) => boolean = (j) => j.enabled): Jail[] {
  if (!names || names.length === 0) return all.filter(byDefault);
  return names.map((n) => {
    const j = all.find((x) => x.name === n);
    if (!j) throw new ConfigError({ file: configDir, section: n }, `unknown jail "${n}"`);
    return j;
  });
}

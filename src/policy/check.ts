// Policy settings checked when the configuration loads, so a bad bantime.formula or an
// ignorecommand that needs a shell fails `check-config` and the run up front, not a ban.
// A bad setting written in the jail's own section skips that jail alone (one line naming file,
// section and key; exit 2), as any bad value of a jail does; one the jail takes from [DEFAULT]
// concerns every jail and stops the run.

import type { Jail, Place } from '../types.ts';
import { parseIgnoreCommand } from '../exec/ignorecommand.ts';
import { ConfigError, formatPlace } from '../util/errors.ts';
import { checkBantimePolicy } from './bantime.ts';
import { parseIgnoreIp } from './ignore.ts';

export interface PolicyCheck {
  /** The jails that passed. */
  jails: Jail[];
  /** ignoreip entries that will be skipped. */
  warnings: string[];
  /** One line per jail left out for a bad setting in its own section. */
  jailErrors: string[];
}

/**
 * `placeOf` says where a jail's key was written (config's placeOfKey); without it every key
 * counts as the jail's own. Throws ConfigError for a bad setting that does not belong to one jail.
 */
export function checkPolicy(jails: Jail[], placeOf?: (jail: Jail, key: string) => Place): PolicyCheck {
  const out: PolicyCheck = { jails: [], warnings: [], jailErrors: [] };
  for (const j of jails) {
    try {
      checkBantimePolicy([j]);
      const cmd = j.ignorecommand?.trim();
      if (cmd) parseIgnoreCommand(cmd, placeOf?.(j, 'ignorecommand') ?? { file: j.source.file, section: j.name, key: 'ignorecommand' });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const written = e.place.key && placeOf ? placeOf(j, e.place.key) : e.place;
      if (written.section !== undefined && written.section !== j.name) {
        throw new ConfigError({ ...written, key: e.place.key }, e.message.slice(formatPlace(e.place).length + 2));
      }
      out.jailErrors.push(`${e.message} (jail [${j.name}] skipped)`);
      continue;
    }
    out.jails.push(j);
    for (const bad of parseIgnoreIp(j.ignoreip).bad) out.warnings.push(`[${j.name}] ignoreip ${bad}: not an address, CIDR range or host name; skipped`);
  }
  return out;
}

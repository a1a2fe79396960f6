// Policy settings checked when the configuration loads, so a bad bantime.formula or an
// ignorecommand that needs a shell fails `check-config` and the run up front (exit 2), not a ban.

import type { Jail } from '../types.ts';
import { parseIgnoreCommand } from '../exec/ignorecommand.ts';
import { checkBantimePolicy } from './bantime.ts';
import { parseIgnoreIp } from './ignore.ts';

/** Throws ConfigError for the first bad setting; returns warnings for ignoreip entries it will skip. */
export function checkPolicy(jails: Jail[]): string[] {
  checkBantimePolicy(jails);
  const warnings: string[] = [];
  for (const j of jails) {
    if (j.ignorecommand?.trim()) parseIgnoreCommand(j.ignorecommand.trim(), { file: j.source.file, section: j.name, key: 'ignorecommand' });
    for (const bad of parseIgnoreIp(j.ignoreip).bad) warnings.push(`[${j.name}] ignoreip ${bad}: not an address, CIDR range or host name; skipped`);
  }
  return warnings;
}

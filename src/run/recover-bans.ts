// After a corrupt state file was moved aside, the fresh state knows no bans, yet the firewall
// still holds the ones earlier runs made. Left alone, the next reconcile would lift them all
// (enforce removes what the state lacks). So before anything is decided, ask each jail's
// backends what they hold and take those bans back into the state: banned from now for the
// jail's bantime, as if the ban had just been made (its real start died with the old file).

import type { State } from '../state/schema.ts';
import type { BanRecord, Jail } from '../types.ts';
import { actionFileFor } from '../actions/action-file-find.ts';
import { startedKey } from '../actions/enforce.ts';
import { resolveActionParams } from '../actions/params.ts';
import { loadBackend } from '../actions/registry.ts';
import type { Family } from '../net/address.ts';
import { parseKeyOrRange } from '../net/key.ts';
import { hasBan, setBan } from '../state/bans.ts';
import { banDuration, banUntil } from '../policy/index.ts';

export interface RecoverInput {
  jails: Jail[];
  state: State;
  now: number;
  actionDirs: string[];
}

/**
 * Put the bans the firewall holds for `jails` into `state.bans` (origin 'log', start `now`).
 * Read-only towards the firewall. Backends that cannot list (mail, action files) are skipped.
 * Returns one warning per jail that got bans back, and per backend that could not be read.
 */
export async function recoverBansFromFirewall(input: RecoverInput): Promise<string[]> {
  const warnings: string[] = [];
  for (const jail of input.jails) {
    let recovered = 0;
    for (const ref of jail.actions) {
      // Action files (shell commands) cannot tell what they hold.
      if (actionFileFor(ref.name, input.actionDirs)) continue;
      const factory = await loadBackend(ref.name);
      if (!factory) continue;
      let backend;
      try {
        backend = factory({ ...resolveActionParams(ref, jail), jailOptions: jail.options });
      } catch {
        continue; // enforce reports an unusable action itself
      }
      if (!backend.list || !backend.enforcing) continue;
      for (const family of [4, 6] as Family[]) {
        let held: string[];
        try {
          if (!(await backend.check(family))) continue;
          held = await backend.list(family);
        } catch (e) {
          warnings.push(`[${jail.name}] cannot list the bans of action ${ref.name} to recover them: ${(e as Error).message}`);
          continue;
        }
        // What start made is there: the next run need not start it again.
        const started = (input.state.started[jail.name] ??= []);
        const key = startedKey(backend.action, family);
        if (!started.includes(key)) started.push(key);
        for (const text of held) {
          const key = parseKeyOrRange(text);
          if (key === null || hasBan(input.state, jail.name, key)) continue;
          const until = banUntil(input.now, banDuration(jail, 0).seconds);
          const rec: BanRecord = { start: input.now, until, failures: 0, count: 1, origin: 'log' };
          setBan(input.state, jail.name, key, rec);
          recovered++;
        }
      }
    }
    if (recovered > 0) {
      warnings.push(`[${jail.name}] recovered ${recovered} ban(s) from the firewall into the fresh state (each kept for the jail's bantime from now)`);
    }
  }
  return warnings;
}

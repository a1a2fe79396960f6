// Whether a jail's firewall can hold CIDR ranges. `ban`, `import` and the fleet ask before a
// range becomes a ban, so a jail whose actions hold host addresses only (hosts.deny, ufw,
// shorewall, action files) refuses it in one line instead of keeping a ban no firewall holds.

import type { Jail } from '../types.ts';
import { loadActionFile } from './action-file-find.ts';
import { rangeRefusal } from './enforce.ts';
import { resolveActionParams } from './params.ts';
import { loadBackend } from './registry.ts';

/** Null when every enforcing action of the jail holds ranges; else the one line saying which does not. */
export async function rangeRefusalFor(jail: Jail, actionDirs: string[], range: string): Promise<string | null> {
  for (const ref of jail.actions) {
    // An action file runs shell commands written for one address: never handed a range.
    if (await loadActionFile(ref, jail, actionDirs)) return rangeRefusal(`action file ${ref.name}`, range);
    const factory = await loadBackend(ref.name);
    if (!factory) continue; // not supported: enforce says so
    let backend;
    try {
      backend = factory({ ...resolveActionParams(ref, jail), jailOptions: jail.options });
    } catch {
      continue; // an unusable option: enforce says so
    }
    if (backend.enforcing && !backend.ranges) return rangeRefusal(ref.name, range);
  }
  return null;
}

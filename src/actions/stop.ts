// `f2b-scan stop [jail]`: lift every ban the firewall holds for the jails and remove what
// start created (chains, files). The state keeps its bans, so `f2b-scan start` (which is
// enforce with no decisions) or the next run puts them back.

import type { Jail } from '../types.ts';
import type { State } from '../state/schema.ts';
import type { ActionOutcome, EnforceResult } from './enforce.ts';
import { startedKey } from './enforce.ts';
import { resolveActionParams } from './params.ts';
import { loadBackend } from './registry.ts';
import { loadActionFile } from './action-file-find.ts';
import type { Family } from '../net/address.ts';
import { keyFamily, keyText } from '../net/key.ts';
import { banKeys } from '../state/bans.ts';

function stateBans(state: State, jail: string, family: Family): string[] {
  const out: string[] = [];
  for (const k of banKeys(state, jail)) if (keyFamily(k) === family) out.push(keyText(k));
  return out;
}

export async function stopActions(input: {
  jails: Jail[];
  state: State;
  dryRun: boolean;
  /** As in enforce: an action file in the user's action.d stops what it started, not the native backend. */
  actionDirs?: string[];
}): Promise<EnforceResult> {
  const outcomes: ActionOutcome[] = [];
  const warnings: string[] = [];
  for (const jail of input.jails) {
    const started = input.state.started[jail.name] ?? [];
    for (const ref of jail.actions) {
      const factory = (await loadActionFile(ref, jail, input.actionDirs ?? [])) ?? (await loadBackend(ref.name));
      if (!factory) continue;
      let backend;
      try {
        backend = factory({ ...resolveActionParams(ref, jail), jailOptions: jail.options });
      } catch (e) {
        warnings.push((e as Error).message);
        continue;
      }
      for (const family of [4, 6] as Family[]) {
        // One start for both families (sharedStart): lift both families' bans, then stop once.
        const key = startedKey(ref.name, backend.sharedStart ? 4 : family);
        if (!started.includes(key)) continue;
        const first = outcomes.length;
        // A firewall that cannot list its entries (shared blacklists such as shorewall's) is
        // told to lift the bans the state holds for the jail.
        const unlisted = !backend.list && backend.enforcing;
        const held = backend.list ? await backend.list(family).catch(() => []) : unlisted ? stateBans(input.state, jail.name, family) : [];
        for (const ip of held) {
          outcomes.push({ jail: jail.name, ip, op: 'unban', ok: true, command: backend.describeUnban(ip), action: ref.name });
        }
        if (input.dryRun) continue;
        if (unlisted && held.length > 0 && backend.flushAll) {
          // fail2ban's actionflush: every ban of the family lifted by one command.
          const r = await backend.flushAll(family);
          for (const o of outcomes.slice(first)) Object.assign(o, r.ok ? { command: r.command || o.command } : { ok: false, error: r.error, command: r.command });
        } else if (unlisted && held.length > 0) {
          const results = await backend.unban(family, held);
          for (const o of outcomes.slice(first)) {
            const r = results.get(o.ip);
            if (r && !r.ok) Object.assign(o, { ok: false, error: r.error, command: r.command });
          }
        }
        if (backend.sharedStart && family === 4) continue;
        const r = await backend.stop(family);
        if (!r.ok) {
          warnings.push(`jail ${jail.name}: action ${ref.name}: stop failed: ${r.error} (${r.command})`);
          for (const o of outcomes.slice(first)) Object.assign(o, { ok: false, error: r.error });
          continue;
        }
        started.splice(started.indexOf(key), 1);
        // A state from before sharedStart may still hold the IPv6 key of a shared start.
        if (backend.sharedStart && started.includes(startedKey(ref.name, 6))) started.splice(started.indexOf(startedKey(ref.name, 6)), 1);
      }
    }
  }
  return { outcomes, warnings };
}

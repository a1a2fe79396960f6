// What a jail's actions use of a failure besides the address: the matched lines (mail with
// lines, `<matches>` in an action file) and the user a rule captured (`<F-USER>` and other
// `<F-*>` tags). A run keeps lines and users in the state only for jails that use them: on a
// botnet wave that is most of the state's size and of the scan's allocations.

import { readFileSync } from 'node:fs';
import type { Jail } from '../types.ts';
import type { JailNeeds } from '../policy/index.ts';
import { actionFileFor } from './action-file-find.ts';
import { readActionFile } from './action-file-tags.ts';
import { MAIL_ACTIONS } from './mail-names.ts';

const LINE_TAG = /<(ip|ipjail)?matches>/;
const FIELD_TAG = /<F-[A-Za-z0-9_-]+>/;

/** What one action file (with its .local and includes) refers to; read once per file. */
function fileNeeds(file: string, cache: Map<string, JailNeeds>): JailNeeds {
  let n = cache.get(file);
  if (n) return n;
  n = { lines: false, user: false };
  try {
    for (const f of readActionFile(file).files) {
      const text = readFileSync(f, 'utf8');
      n.lines ||= LINE_TAG.test(text);
      n.user ||= FIELD_TAG.test(text);
    }
  } catch {
    // Unreadable here: enforce reports it; keep what the action might want.
    n = { lines: true, user: true };
  }
  cache.set(file, n);
  return n;
}

/** `(jail) => what its actions use`, for the policy (see JailNeeds). */
export function jailNeeds(actionDirs: readonly string[]): (jail: Jail) => JailNeeds {
  const cache = new Map<string, JailNeeds>();
  return (jail) => {
    const out: JailNeeds = { lines: false, user: false };
    for (const ref of jail.actions) {
      const file = actionFileFor(ref.name, actionDirs);
      if (file) {
        const n = fileNeeds(file, cache);
        out.lines ||= n.lines;
        out.user ||= n.user;
      } else if (MAIL_ACTIONS.get(ref.name) === 'lines') {
        out.lines = true;
      }
    }
    return out;
  };
}

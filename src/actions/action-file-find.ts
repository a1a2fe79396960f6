// Which implementation an action name gets. A file of that name in the user's action.d wins
// over f2b-scan's own backend (a customised fail2ban action keeps working); then the native
// backend; then a file in the shipped rules/action.d. `actionDirs` is ordered as the
// configuration gives it: the user's directory (or directories) first, the shipped one last.
// The file backend module loads only when a file is found.

import type { Jail, Ref } from '../types.ts';
import type { BackendFactory } from './backend.ts';
import { findActionFileIn } from './action-file-tags.ts';
import { knownActions } from './registry.ts';

/** The action file a name resolves to, or null when a native backend (or nothing) serves it. */
export function actionFileFor(name: string, actionDirs: readonly string[]): string | null {
  const userDirs = actionDirs.length > 1 ? actionDirs.slice(0, -1) : [];
  const own = findActionFileIn(name, userDirs);
  if (own) return own;
  if (knownActions().includes(name)) return null;
  return findActionFileIn(name, actionDirs.slice(userDirs.length));
}

/** A factory running the action file for `ref`, or null when the name is not served by a file. */
export async function loadActionFile(ref: Ref, jail: Jail, actionDirs: readonly string[]): Promise<BackendFactory | null> {
  const file = actionFileFor(ref.name, actionDirs);
  if (!file) return null;
  const { actionFileBackend } = await import('./action-file.ts');
  return (params) => actionFileBackend(file, ref, jail, params);
}

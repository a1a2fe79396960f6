// Where the shipped rules/ directory is, relative to this code wherever it was installed
// (the repository, dist/ bundle or a global npm install), never the current directory.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where an installed f2b-scan looks for its configuration and keeps its state. */
export const DEFAULT_CONFIG_DIR = '/etc/f2b-scan';
export const DEFAULT_STATE_FILE = '/var/lib/f2b-scan/state.json';

let cached: string | undefined;

export function builtinRulesDir(): string {
  if (process.env.F2B_SCAN_RULES) return process.env.F2B_SCAN_RULES;
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'rules', 'filter.d'))) return (cached = join(dir, 'rules'));
    dir = dirname(dir);
  }
  throw new Error('cannot find the shipped rules/ directory next to f2b-scan (set F2B_SCAN_RULES)');
}

// The regex analyzer recheck, loaded only when a regex must be judged. An installed f2b-scan
// carries it as dist/recheck.cjs (its pure JavaScript engine, bundled by scripts/build.mjs:
// about 3 MB instead of the 52 MB its native and Java helpers add); from the sources it is the
// npm package. Either way, recheck's native helper is used when it is installed beside
// f2b-scan (`npm install -g recheck-linux-x64`), and is only faster.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface RecheckDiagnostics {
  status: 'safe' | 'vulnerable' | 'unknown';
  complexity?: { type: string; degree?: number };
}

export interface Recheck {
  check(source: string, flags: string, params?: Record<string, unknown>): Promise<RecheckDiagnostics>;
  checkSync(source: string, flags: string, params?: Record<string, unknown>): RecheckDiagnostics;
}

let loaded: Recheck | undefined;

/** recheck's API; throws when neither the bundled copy nor the package is there. */
export function loadRecheck(): Recheck {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const bundled = fileURLToPath(new URL('./recheck.cjs', import.meta.url));
  loaded = (existsSync(bundled) ? require(bundled) : require('recheck')) as Recheck;
  return loaded;
}

// The cron run's own start, before any other code: bin/f2b-scan asks here first. A plain scan
// command line (fast-scan.ts) runs from dist/scan.cjs, the scan path as one CommonJS file,
// compiled with the V8 code cache the build made for it (dist/scan.cjs.cache). An idle run
// spends most of its CPU loading code: ~40 ES module chunks to find, link and compile. With
// one file and its bytecode ready, an idle run costs ~65 ms less CPU (README "Performance").
//
// Every other command line, or a dist/ without the bundle, is left to dist/cli.js (null).
// A cache that does not fit this node (another version, other V8 flags) is refused by V8
// itself: the bundle is then compiled as any script is.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { fastScanArgs, fastScanOptions } from './fast-scan.ts';
import type { runScanCommand } from './scan.ts';

/** dist/, where this file is built to (dist/fast-start.cjs). */
const DIST = dirname(fileURLToPath(import.meta.url));

const SCAN_BUNDLE = 'scan.cjs';
const SCAN_CACHE = 'scan.cjs.cache';

interface ScanBundle {
  runScanCommand: typeof runScanCommand;
}

export interface LoadedBundle {
  bundle: ScanBundle;
  script: Script;
  /** The cache was given and V8 refused it (undefined: none was given). */
  cacheRefused: boolean | undefined;
}

/** dist/scan.cjs compiled (with its cache when `useCache`) and run: its exports. */
export function loadScanBundle(dist = DIST, useCache = true): LoadedBundle {
  const file = join(dist, SCAN_BUNDLE);
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      cachedData = readFileSync(join(dist, SCAN_CACHE));
    } catch {
      // No cache (a build that could not make one): compiled without.
    }
  }
  // Node's own CommonJS wrapper, so the bundle runs as a module would; the cache is made from
  // this very text (warmScanCache), which V8 checks.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as ScanBundle };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dist);
  return { bundle: module.exports, script, cacheRefused: cachedData ? script.cachedDataRejected === true : undefined };
}

/** The scan of a plain scan command line, run from the bundle; null: not such a line, or no bundle. */
export function startScan(argv: readonly string[], dist = DIST): Promise<void> | null {
  const args = fastScanArgs(argv);
  if (!args || !existsSync(join(dist, SCAN_BUNDLE))) return null;
  const { runScanCommand } = loadScanBundle(dist).bundle;
  return runScanCommand(args, fastScanOptions(argv));
}

/**
 * For the build: runs each command line (a run that bans, then an idle one) from the bundle,
 * then writes the code cache of everything compiled so far, the functions a run calls included.
 */
export async function warmScanCache(argvs: readonly (readonly string[])[], dist = DIST): Promise<void> {
  const loaded = loadScanBundle(dist, false);
  for (const argv of argvs) {
    const args = fastScanArgs(argv);
    if (!args) throw new Error(`not a plain scan command line: ${argv.join(' ')}`);
    await loaded.bundle.runScanCommand(args);
    // A run that went wrong would cache the wrong functions: the build says so instead.
    if (process.exitCode) throw new Error(`the run exited ${process.exitCode}: f2b-scan ${argv.join(' ')}`);
  }
  writeFileSync(join(dist, SCAN_CACHE), loaded.script.createCachedData());
}

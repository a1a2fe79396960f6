// The cron run's fast start (src/cli/fast-start.ts), built beside the ES module bundle:
//   dist/fast-start.cjs   what bin/f2b-scan asks first (reads the command line, ~3 KB);
//   dist/scan.cjs         the scan path as one CommonJS file (Node 20 keeps no code cache for
//                         ES modules, and ~40 chunks cost an idle run most of its CPU);
//   dist/scan.cjs.cache   V8's code cache of it, made by running it over rules/demo's log, so
//                         the functions a run calls are compiled already.
// Measured on the bench's idle cron run: 199 -> 132 ms of CPU (node -e 0: 41 ms; README "Performance").
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A CommonJS file of its own for node 20 (re2js.cjs, the scan bundle). */
export const CJS = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning', metafile: true };

/**
 * `esm`: the ES module build's metafile (the worker threads' chunk is its file); `plugins`: the
 * same resolution as that build.
 */
export async function buildScanBundle(esm, plugins) {
  const worker = Object.keys(esm.outputs).find((o) => esm.outputs[o].entryPoint === 'src/scan/collect-worker.ts');
  if (!worker) throw new Error('build: no chunk for src/scan/collect-worker.ts in the ES module build');
  // A worker thread starts from that ES module chunk: this file holds no worker entry of its own.
  const workerUrl = {
    name: 'worker-url',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]scan[\\/]collect-worker\.ts$/ }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        const from = 'export const WORKER_URL = import.meta.url;';
        if (!src.includes(from)) throw new Error(`${args.path}: WORKER_URL changed; update scripts/scan-bundle.mjs`);
        return { contents: src.replace(from, `export const WORKER_URL = new URL(${JSON.stringify(`./${worker.split('/').pop()}`)}, __f2b_url).href;`), loader: 'ts' };
      });
    },
  };
  // import('node:...') becomes require(): a script (not a module) has no import() of its own,
  // and Node 20 loses a cached script's dynamic-import callback.
  const builtinsRequired = {
    name: 'builtins-required',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    },
  };
  const common = {
    ...CJS,
    // import.meta.url as an ES module would see it: this file's URL.
    define: { 'import.meta.url': '__f2b_url' },
    banner: { js: "const __f2b_url = require('node:url').pathToFileURL(__filename).href;" },
  };
  await build({ ...common, entryPoints: ['src/cli/fast-start.ts'], outfile: 'dist/fast-start.cjs', plugins: [...plugins, builtinsRequired] });
  await build({ ...common, entryPoints: ['src/cli/scan.ts'], outfile: 'dist/scan.cjs', plugins: [...plugins, builtinsRequired, workerUrl] });
  for (const f of ['dist/fast-start.cjs', 'dist/scan.cjs']) {
    const text = readFileSync(f, 'utf8');
    const left = /(?<![\w$.])import\(/.exec(text);
    if (left) throw new Error(`build: ${f} still has an import() (${text.slice(left.index, left.index + 60)}): a dependency esbuild did not bundle`);
  }
}

/**
 * dist/scan.cjs.cache, made in a fresh node by two runs over rules/demo/auth.log in a temporary
 * directory (its bans to a dummy action's file): one that bans, saves and logs, then an idle one
 * that reads the state back. A warning (and no cache) when it fails.
 */
export function warmScanCache() {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-build-'));
  try {
    writeFileSync(join(dir, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'f2b-scan.log')}\n`);
    writeFileSync(
      join(dir, 'jail.local'),
      `[sshd]\nenabled = true\nlogpath = ${resolve('rules/demo/auth.log')}\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\naction = dummy[target="${join(dir, 'bans')}"]\n`,
    );
    const argv = ['--config', dir, '--state', join(dir, 'state.json'), '--now', '2026-11-24T10:05:00Z', '--quiet'];
    const code = `require('./dist/fast-start.cjs').warmScanCache(${JSON.stringify([argv, argv])})`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    if (r.status !== 0) console.warn(`build: no code cache for dist/scan.cjs (${(r.stderr || r.stdout).trim().split('\n')[0]}): runs compile it`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

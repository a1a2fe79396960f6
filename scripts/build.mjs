// Bundles the CLI into dist/ with esbuild: one entry file plus chunks that a run
// loads only when it needs them (dynamic import() becomes a separate chunk), then
// writes the man page dist/f2b-scan.1 from the built CLI's own --help output.
//
// Not minified: measured on the idle cron run (nothing new in the logs), minifying
// changed neither wall nor CPU time (V8 parses lazily; the cost is evaluating yargs,
// not reading bytes), and unminified stack traces stay readable.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildScanBundle, CJS, warmScanCache } from './scan-bundle.mjs';

// Bundled, yargs no longer sits under node_modules, so its guess of "the program's
// package.json" (used by --version) would fall back to the current directory. Point it
// at our own package.json, one level above dist/, wherever the package was installed.
const yargsPackageRoot = {
  name: 'yargs-package-root',
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const from = "const mainFilename = __dirname.substring(0, __dirname.lastIndexOf('node_modules'));";
      if (!src.includes(from)) throw new Error(`${args.path}: yargs changed; update the yargs-package-root plugin`);
      const to = "const mainFilename = fileURLToPath(new URL('../package.json', import.meta.url));";
      return { contents: src.replace(from, to), loader: 'js' };
    });
  },
};

/**
 * The bundle carries the code of its dependencies (the installed package has none of its own):
 * their licences go with it, one notice per package the bundle took code from.
 */
function writeNotices(metafile, outFile) {
  const pkgs = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m) continue;
    const dir = input.slice(0, m.index + m[0].length);
    pkgs.set(dir, m[1]);
  }
  const out = ['f2b-scan bundles code of these packages; their licences follow.', ''];
  for (const [dir, name] of [...pkgs].sort((a, b) => a[1].localeCompare(b[1]))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
    out.push('='.repeat(72), `${name} ${pkg.version} (${pkg.license ?? 'see below'})`, '');
    out.push(file ? readFileSync(join(dir, file), 'utf8').trim() : `No licence file in the package; package.json says: ${pkg.license}`, '');
  }
  writeFileSync(outFile, out.join('\n'));
}

// re2js (270 KB) is a file of its own, dist/re2js.cjs, required the first time a rule needs a
// linear-time regex. Inside the rules' chunk, every run would parse it: measured on the idle cron
// run, 0.50 -> 0.48 G instructions and ~10 ms of CPU.
const re2jsApart = {
  name: 're2js-apart',
  setup(b) {
    b.onResolve({ filter: /^re2js$/ }, () => ({ path: './re2js.cjs', external: true }));
  },
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  plugins: [yargsPackageRoot, re2jsApart],
  metafile: true,
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __f2bRequire } from 'node:module'; const require = __f2bRequire(import.meta.url);" },
});

const re2 = await build({ ...CJS, entryPoints: [createRequire(import.meta.url).resolve('re2js')], outfile: 'dist/re2js.cjs' });

writeNotices({ inputs: { ...result.metafile.inputs, ...re2.metafile.inputs } }, 'dist/THIRD-PARTY-NOTICES.txt');

await buildScanBundle(result.metafile, [re2jsApart]);
warmScanCache();

const { writeManPage } = await import('./man.mjs');
writeManPage('dist/cli.js', 'dist/f2b-scan.1');

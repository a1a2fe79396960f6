// Bundles the CLI into dist/ with esbuild: one entry file plus chunks that a run
// loads only when it needs them (dynamic import() becomes a separate chunk), then
// writes the man page dist/f2b-scan.1 from the built CLI's own --help output.
//
// Not minified: measured on the idle cron run (nothing new in the logs), minifying
// changed neither wall nor CPU time (V8 parses lazily; the cost is evaluating yargs,
// not reading bytes), and unminified stack traces stay readable.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

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

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  plugins: [yargsPackageRoot],
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __f2bRequire } from 'node:module'; const require = __f2bRequire(import.meta.url);" },
});

const { writeManPage } = await import('./man.mjs');
writeManPage('dist/cli.js', 'dist/f2b-scan.1');

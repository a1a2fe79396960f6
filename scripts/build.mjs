// Bundles the CLI into dist/ with esbuild: one entry file plus chunks that a run
// loads only when it needs them (dynamic import() becomes a separate chunk).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

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
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __f2bRequire } from 'node:module'; const require = __f2bRequire(import.meta.url);" },
});

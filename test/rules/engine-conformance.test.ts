// fail2ban's own filters over fail2ban's annotated sample logs, scored by the shared
// score-samples.py through `f2b-scan test-rule --json`: the engine must read stock
// filters as fail2ban does (fail2ban 1.0.2 itself scores 1038/1048 = 99.0%).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = resolve(ROOT, '../shared/conformance');
const STOCK = join(SHARED, 'fail2ban-1.0.2');

/** A private bundle of the CLI (fast to start); tsx when the tree does not build right now. */
async function cliCommand(out: string): Promise<string> {
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: { cli: join(ROOT, 'src/cli/main.ts') },
      outdir: out,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    const entry = join(out, 'main.mjs');
    writeFileSync(entry, `process.env.F2B_SCAN_RULES ??= ${JSON.stringify(join(ROOT, 'rules'))};\nawait import('./cli.js');\n`);
    return `${process.execPath} ${entry}`;
  } catch {
    return `${process.execPath} --import tsx ${join(ROOT, 'src/cli/main.ts')}`;
  }
}

test('stock fail2ban filters score at least 99% on the annotated samples', { timeout: 600_000 }, async (t) => {
  const py = spawnSync('python3', ['--version']);
  if (py.error || py.status !== 0) return t.skip('python3 is not installed (score-samples.py needs it)');
  if (!existsSync(join(SHARED, 'score-samples.py'))) return t.skip(`no conformance material at ${SHARED}`);
  const out = mkdtempSync(join(tmpdir(), 'f2b-conf-cli-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const cli = await cliCommand(out);
  const r = spawnSync(
    'python3',
    [join(SHARED, 'score-samples.py'), '--cli', cli, '--filters', join(STOCK, 'filter.d'), '--samples', join(STOCK, 'samples')],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'Europe/Zurich' }, maxBuffer: 1 << 26 },
  );
  assert.equal(r.status, 0, r.stderr);
  const last = /(\d+)\/(\d+) lines \(([\d.]+)%\)\s*$/.exec(r.stdout);
  assert.ok(last, `no score line in:\n${r.stdout.slice(-2000)}`);
  const passed = Number(last[1]);
  const total = Number(last[2]);
  t.diagnostic(`score: ${passed}/${total}`);
  assert.ok(passed / total >= 0.99, `scored ${passed}/${total} (${((100 * passed) / total).toFixed(2)}%), below 99%:\n${r.stdout.slice(-3000)}`);
});

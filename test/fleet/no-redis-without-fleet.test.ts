// A run whose config has no [fleet] url loads no Redis code: each case runs in a child
// node under a loader hook that makes any ioredis module (installed or bundled) fail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const hook = join(root, 'test/fleet/fixtures/deny-ioredis.mjs');
const demo = join(root, 'rules/demo');

function node(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the hook really fails when ioredis is imported (importing the fleet stage trips it)', () => {
  const r = node(['--import', 'tsx', '--import', hook, 'test/fleet/fixtures/import-fleet.ts']);
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.err, /ioredis was loaded: file:\/\/.*node_modules\/ioredis\//);
});

test('the hook also fails on ioredis bundled by esbuild (as in dist/)', async () => {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-bundle-'));
  try {
    await build({
      entryPoints: [join(root, 'src/fleet/index.ts')],
      outfile: join(dir, 'fleet.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    const r = node(['--import', hook, join(dir, 'fleet.mjs')]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.err, /ioredis was loaded: file:\/\/.*fleet\.mjs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dry run through src/run.ts without [fleet] url loads no ioredis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-nofleet-'));
  try {
    const r = node(['--import', 'tsx', '--import', hook, 'test/fleet/fixtures/import-run.ts', demo, join(dir, 'state.json')]);
    assert.doesNotMatch(r.err, /ioredis was loaded/);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.ok(out.bans > 0, 'the demo run bans something, so it really ran');
    assert.equal(out.fleet, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dry run of the built CLI (dist/) without [fleet] url loads no ioredis chunk', (t) => {
  if (!existsSync(join(root, 'dist/cli.js'))) return t.skip('dist/ not built (npm run build; scripts/test.sh builds it first)');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-nofleet-'));
  try {
    const r = node(['--import', hook, 'bin/f2b-scan', '--config', demo, '--state', join(dir, 'state.json'), '--now', '2026-11-24T10:05:00Z', '--dry-run', '--json']);
    assert.doesNotMatch(r.err, /ioredis was loaded/);
    assert.equal(r.code, 0, r.err);
    assert.ok(JSON.parse(r.out).bans.length > 0, 'the demo run bans something, so it really ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

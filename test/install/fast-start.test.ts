// The cron run's fast start (src/cli/fast-start.ts): a plain scan line runs from dist/scan.cjs and
// its V8 code cache, without the ES module chunks; a cache V8 refuses, or no cache or bundle at
// all, gives the same run the slower way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, missingBuild, runCli, tempDir } from './helpers.ts';

const skip = missingBuild() ?? false;
const LOG = [
  'Nov 24 10:00:01 web1 sshd[5101]: Failed password for invalid user admin from 192.0.2.10 port 40100 ssh2',
  'Nov 24 10:00:05 web1 sshd[5102]: Failed password for root from 192.0.2.10 port 40102 ssh2',
  'Nov 24 10:00:07 web1 sshd[5104]: Failed password for root from 192.0.2.10 port 40106 ssh2',
  'Nov 24 10:00:09 web1 sshd[5103]: Invalid user oracle from 2001:db8::5 port 40104',
].join('\n') + '\n';

/** A copy of the package (bin, dist, rules) and a one-jail config over LOG, in `dir`. */
function packageCopy(dir: string): { bin: string; dist: string; args: string[] } {
  for (const p of ['bin', 'dist', 'rules', 'package.json']) cpSync(join(REPO, p), join(dir, 'pkg', p), { recursive: true });
  writeFileSync(join(dir, 'auth.log'), LOG);
  writeFileSync(join(dir, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${join(dir, 'auth.log')}\nmaxretry = 3\n`);
  const args = ['--config', dir, '--state', join(dir, 'state.json'), '--now', '2026-11-24T10:05:00Z', '--dry-run', '--json'];
  return { bin: join(dir, 'pkg', 'bin', 'f2b-scan'), dist: join(dir, 'pkg', 'dist'), args };
}

test('the code cache the build made is accepted by this node', { skip }, () => {
  const code = `const l = require(${JSON.stringify(join(REPO, 'dist', 'fast-start.cjs'))}).loadScanBundle(); console.log(JSON.stringify({ refused: l.cacheRefused, run: typeof l.bundle.runScanCommand }))`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // false: given and taken (undefined would say the build left no cache).
  assert.deepEqual(JSON.parse(r.stdout), { refused: false, run: 'function' });
});

test('a plain scan line runs from the CommonJS bundle alone; a bad, missing cache or bundle gives the same run', { skip, timeout: 120_000 }, (t) => {
  const dir = tempDir(t, 'fast-start');
  const { bin, dist, args } = packageCopy(dir);
  const expected = runCli(args, { bin });
  assert.equal(expected.code, 0, expected.stderr);
  assert.deepEqual(JSON.parse(expected.stdout).bans.map((b: { ip: string; failures: number }) => [b.ip, b.failures]), [['192.0.2.10', 3]]);

  // Without a single ES module chunk: the scan loaded none.
  const esm = readdirSync(dist).filter((f) => f.endsWith('.js'));
  assert.ok(esm.includes('cli.js'));
  const aside = join(dir, 'esm');
  for (const f of esm) cpSync(join(dist, f), join(aside, f));
  for (const f of esm) rmSync(join(dist, f));
  const alone = runCli(args, { bin });
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(alone.stdout, expected.stdout);
  // Another command does need them (the check above would pass on any path otherwise).
  assert.notEqual(runCli(['status', '--config', dir, '--state', join(dir, 'state.json')], { bin }).code, 0);
  for (const f of esm) cpSync(join(aside, f), join(dist, f));

  // A cache V8 refuses (here: not a cache at all), then none: compiled without, the same run.
  writeFileSync(join(dist, 'scan.cjs.cache'), 'not a V8 code cache');
  const refused = runCli(args, { bin });
  assert.equal(refused.code, 0, refused.stderr);
  assert.equal(refused.stdout, expected.stdout);
  rmSync(join(dist, 'scan.cjs.cache'));
  const uncached = runCli(args, { bin });
  assert.equal(uncached.stdout, expected.stdout);

  // No bundle (a dist/ from before it): the ES module CLI runs the scan.
  rmSync(join(dist, 'scan.cjs'));
  const modules = runCli(args, { bin });
  assert.equal(modules.code, 0, modules.stderr);
  assert.equal(modules.stdout, expected.stdout);
});

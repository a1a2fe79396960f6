// The shipped rules/jail.conf and rules/paths-common.conf as a user meets them: loaded
// through the configuration reader, checked by check-config, log paths found on both
// Debian-style and RHEL-style systems.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.ts';
import { runCheckConfig } from '../../src/ops/check-config-run.ts';
import { expandLogpaths } from '../../src/sources/glob.ts';

const builtinDir = join(fileURLToPath(new URL('../..', import.meta.url)), 'rules');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'f2b-lib-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('with no jail.local only the sshd jail is on, with 5 failures in 10 minutes banning for 10 minutes', (t) => {
  const cfg = loadConfig({ configDir: tempDir(t), builtinDir });
  const enabled = cfg.jails.filter((j) => j.enabled).map((j) => j.name);
  assert.deepEqual(enabled, ['sshd']);
  const sshd = cfg.jails.find((j) => j.name === 'sshd')!;
  assert.equal(sshd.maxretry, 5);
  assert.equal(sshd.findtime, 600);
  assert.equal(sshd.bantime, 600);
  assert.equal(sshd.filter.name, 'sshd');
  assert.equal(sshd.filter.options.mode, 'normal');
  assert.ok(cfg.jails.length >= 44, `${cfg.jails.length} jails`);
});

test('a jail.local that sets mode = aggressive in [sshd] reaches the sshd rule', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'jail.local'), '[sshd]\nmode = aggressive\n');
  const sshd = loadConfig({ configDir: dir, builtinDir }).jails.find((j) => j.name === 'sshd')!;
  assert.deepEqual(sshd.filter, { name: 'sshd', options: { mode: 'aggressive' } });
});

test('check-config passes with every shipped jail enabled', async (t) => {
  const dir = tempDir(t);
  const names = loadConfig({ configDir: dir, builtinDir }).jails.map((j) => j.name);
  writeFileSync(join(dir, 'jail.local'), names.map((n) => `[${n}]\nenabled = true\n`).join('\n'));
  const res = await runCheckConfig({ configDir: dir, builtinDir, now: Date.parse('2026-11-24T10:00:00Z') / 1000 });
  assert.deepEqual(res.problems, []);
  assert.match(res.summary, new RegExp(`${names.length} enabled jails`));
});

test("sshd's log is found under the Debian name, under the RHEL name, and warned about only when neither exists", async (t) => {
  const cfg = loadConfig({ configDir: tempDir(t), builtinDir });
  const [pattern] = cfg.jails.find((j) => j.name === 'sshd')!.logpath;
  assert.equal(pattern, '/var/log/{auth.log,secure}');
  for (const [file, expectFound] of [['auth.log', true], ['secure', true], [null, false]] as const) {
    const root = tempDir(t);
    mkdirSync(join(root, 'var/log'), { recursive: true });
    if (file) writeFileSync(join(root, 'var/log', file), '');
    const { files, warnings } = await expandLogpaths([root + pattern!]);
    assert.deepEqual(files, file ? [join(root, 'var/log', file)] : []);
    assert.equal(warnings.length, expectFound ? 0 : 1, warnings.join('; '));
  }
});

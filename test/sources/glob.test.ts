import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expandLogpaths } from '../../src/sources/files.ts';
import { tempDir } from './helpers.ts';

test('globs give absolute, sorted paths, each file once even when several globs or a symlink name it', async (t) => {
  const dir = tempDir(t);
  for (const n of ['b.log', 'a.log', 'c.txt']) writeFileSync(join(dir, n), 'x\n');
  symlinkSync(join(dir, 'a.log'), join(dir, 'z-link.log'));
  const r = await expandLogpaths([join(dir, '*.log'), join(dir, 'a.log'), join(dir, '[ab].log')]);
  assert.deepEqual(r.files, [join(dir, 'a.log'), join(dir, 'b.log')]);
  assert.deepEqual(r.warnings, []);
});

test('a glob that matches nothing and a missing plain path each give one warning naming them', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'auth.log'), '');
  const r = await expandLogpaths([join(dir, 'nginx/*.log'), join(dir, 'missing.log'), join(dir, 'auth.log')]);
  assert.deepEqual(r.files, [join(dir, 'auth.log')]);
  assert.deepEqual(r.warnings.sort(), [
    `logpath ${join(dir, 'missing.log')}: matches no file`,
    `logpath ${join(dir, 'nginx/*.log')}: matches no file`,
  ]);
});

test('a logpath that is a directory is skipped with a warning', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'apache2'));
  mkdirSync(join(dir, 'x.log'));
  const r = await expandLogpaths([join(dir, 'apache2'), join(dir, '*.log')]);
  assert.deepEqual(r.files, []);
  assert.deepEqual(r.warnings, [
    `logpath ${join(dir, 'apache2')}: is a directory, not a log file; skipped`,
    `logpath ${join(dir, 'x.log')}: is a directory, not a log file; skipped`,
  ]);
});

test('a symlink loop and a dangling symlink are warnings, not a hang or a crash', async (t) => {
  const dir = tempDir(t);
  symlinkSync(join(dir, 'loop-b.log'), join(dir, 'loop-a.log'));
  symlinkSync(join(dir, 'loop-a.log'), join(dir, 'loop-b.log'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.log'));
  mkdirSync(join(dir, 'sub'));
  symlinkSync(dir, join(dir, 'sub', 'up')); // a directory cycle for **
  writeFileSync(join(dir, 'sub', 'real.log'), '');
  const r = await expandLogpaths([join(dir, '*.log'), join(dir, '**/real.log')]);
  assert.deepEqual(r.files, [join(dir, 'sub', 'real.log')]);
  assert.deepEqual(r.warnings, [
    `logpath ${join(dir, 'dangling.log')}: is a dangling symlink`,
    `logpath ${join(dir, 'loop-a.log')}: symlink loop; skipped`,
    `logpath ${join(dir, 'loop-b.log')}: symlink loop; skipped`,
  ]);
});

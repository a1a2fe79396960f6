import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync, renameSync, copyFileSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { read, tempDir } from './helpers.ts';

test('rename-and-create rotation: lines written to the old file just before it are still read, then the new file', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'a1\na2\n');
  const first = await read(log);
  appendFileSync(log, 'a3 just before rotation\na4 unterminated at rotation');
  renameSync(log, `${log}.1`);
  writeFileSync(log, 'b1\nb2\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['a3 just before rotation', 'a4 unterminated at rotation', 'b1', 'b2']);
  assert.equal(second.rotatedFrom, `${log}.1`);
  assert.deepEqual(second.warnings, []);
  const third = await read(log, second.cursor);
  assert.equal(third.bytesRead, 0);
  assert.equal(third.rotatedFrom, undefined);
});

test('rotation to a date-stamped name (dateext) is followed too', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'secure');
  writeFileSync(log, 'x1\n');
  const first = await read(log);
  appendFileSync(log, 'x2\n');
  renameSync(log, `${log}-20261124`);
  writeFileSync(log, 'y1\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['x2', 'y1']);
  assert.equal(second.rotatedFrom, `${log}-20261124`);
});

test('a rotated file already compressed is not read: the loss is reported and the new file read from the start', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'a1\n');
  const first = await read(log);
  appendFileSync(log, 'a2\n');
  renameSync(log, `${log}.1.gz`); // stands in for a compressed copy: same inode, but a name we do not read
  writeFileSync(log, 'b1\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['b1']);
  assert.equal(second.warnings.length, 1);
  assert.match(second.warnings[0]!, /auth\.log: was replaced \(rotated\).*lost/);
});

test('between rotation and the new file appearing, the rotated file is followed and finished later', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'a1\n');
  const first = await read(log);
  appendFileSync(log, 'a2\n');
  renameSync(log, `${log}.1`);
  const during = await read(log, first.cursor);
  assert.deepEqual(during.lines, ['a2']);
  appendFileSync(`${log}.1`, 'a3 written by the daemon before it reopened\n');
  writeFileSync(log, 'b1\n');
  const after = await read(log, during.cursor);
  assert.deepEqual(after.lines, ['a3 written by the daemon before it reopened', 'b1']);
});

test('copytruncate: lines written just before the copy are read from the copy, then the truncated file from 0', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'a1\na2\n');
  const first = await read(log);
  appendFileSync(log, 'a3 just before rotation\n');
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
  appendFileSync(log, 'b1\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['a3 just before rotation', 'b1']);
  assert.equal(second.rotatedFrom, `${log}.1`);
  assert.deepEqual(second.warnings, []);
});

test('copytruncate after which the log grew past the old offset is still noticed (same inode, larger size)', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'a1\n');
  const first = await read(log);
  appendFileSync(log, 'a2\n');
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
  appendFileSync(log, 'b1 a much longer line than before\nb2\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['a2', 'b1 a much longer line than before', 'b2']);
  assert.equal(second.rotatedFrom, `${log}.1`);
});

test('a log truncated to a smaller size with no copy is read again from the start, with a warning', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'a1\na2\na3\n');
  const first = await read(log);
  writeFileSync(log, 'c1\n'); // same inode, truncated and rewritten
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['c1']);
  assert.equal(second.warnings.length, 1);
  assert.match(second.warnings[0]!, /shrank below the last offset \(3 < 9\).*reading from the start/);
});

test('an inode reused by an unrelated file after the log was deleted is not mistaken for the log', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'auth.log');
  writeFileSync(log, 'old line 1\nold line 2\n');
  const first = await read(log);
  unlinkSync(log);
  // Whether or not the filesystem hands out the same inode, the content differs: read from the start.
  writeFileSync(log, 'brand new file, longer than the old one\nsecond\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['brand new file, longer than the old one', 'second']);
});

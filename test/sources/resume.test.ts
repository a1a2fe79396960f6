import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync, utimesSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { read, tempDir } from './helpers.ts';

test('a second run over an unchanged log reads 0 bytes and does not open it', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, 'one\ntwo\nthree\n');
  utimesSync(log, 1000, 1000);
  const first = await read(log);
  assert.deepEqual(first.lines, ['one', 'two', 'three']);
  assert.equal(first.bytesRead, 14);
  assert.equal(first.cursor.offset, 14);

  // Same inode, size and mtime but other bytes: had the reader opened the file, it would see the changed
  // head and read it again from the start. It must trust the stat alone.
  writeFileSync(log, 'ONE\nTWO\nTHREE\n');
  utimesSync(log, 1000, 1000);
  const second = await read(log, first.cursor);
  assert.equal(second.bytesRead, 0);
  assert.equal(second.linesRead, 0);
  assert.deepEqual(second.lines, []);
  assert.deepEqual(second.cursor, first.cursor);
  assert.deepEqual(second.warnings, []);
});

test('lines appended after a run are the only ones read by the next run', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, 'a\nb\n');
  const first = await read(log);
  appendFileSync(log, 'c\nd\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['c', 'd']);
  assert.equal(second.bytesRead, 4);
  assert.equal(second.cursor.offset, 8);
  const third = await read(log, second.cursor);
  assert.equal(third.bytesRead, 0);
});

test('a partial last line waits for the next run and is then read whole', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, 'complete\nhalf a li');
  const first = await read(log);
  assert.deepEqual(first.lines, ['complete']);
  assert.equal(first.cursor.offset, 9);
  const again = await read(log, first.cursor);
  assert.deepEqual(again.lines, [], 'still unterminated: nothing new');
  appendFileSync(log, 'ne\nnext\n');
  const second = await read(log, again.cursor);
  assert.deepEqual(second.lines, ['half a line', 'next']);
  assert.equal(second.cursor.offset, statSync(log).size);
});

test('CRLF line endings are read without the carriage return', async (t) => {
  const log = join(tempDir(t), 'iis.log');
  writeFileSync(log, 'first\r\nsecond\r\n\r\nlast\n');
  const r = await read(log);
  assert.deepEqual(r.lines, ['first', 'second', '', 'last']);
});

test('an empty file reads nothing, warns nothing, and its first lines are read later', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, '');
  const first = await read(log);
  assert.equal(first.bytesRead, 0);
  assert.deepEqual(first.warnings, []);
  appendFileSync(log, 'hello\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['hello']);
});

test('after state recovery an unknown file starts at its end: old lines are not counted again', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, 'old 1\nold 2\npartial');
  const first = await read(log, undefined, { startAtEnd: true });
  assert.deepEqual(first.lines, []);
  assert.equal(first.cursor.offset, 12, 'stops before the unterminated line');
  appendFileSync(log, ' done\nnew\n');
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, ['partial done', 'new']);
});

test('a large log is read completely, in order, across read chunks', async (t) => {
  const log = join(tempDir(t), 'big.log');
  const n = 200_000;
  const lines = Array.from({ length: n }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
  writeFileSync(log, lines.join('\n') + '\n');
  const r = await read(log);
  assert.equal(r.linesRead, n);
  assert.equal(r.lines[0], lines[0]);
  assert.equal(r.lines[n - 1], lines[n - 1]);
  assert.ok(r.lines.every((l, i) => l === lines[i]));
  assert.equal(r.cursor.offset, statSync(log).size);
});

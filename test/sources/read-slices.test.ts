import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { read, tempDir } from './helpers.ts';

// The reader decodes a read buffer in small slices that end at line ends: whatever the line
// lengths and characters, every line comes back whole and in order.
test('lines of any length and any characters come back whole and in order across read and decode slices', async (t) => {
  const dir = tempDir(t);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 120 }),
          fc.string({ unit: 'grapheme', minLength: 3000, maxLength: 9000 }),
          fc.constant('é'.repeat(2047) + '€'),
        ).map((s) => s.replace(/[\r\n]/g, ' ')),
        { minLength: 1, maxLength: 60 },
      ),
      async (lines) => {
        const log = join(dir, `log-${run++}`);
        writeFileSync(log, lines.join('\n') + '\n');
        const r = await read(log);
        assert.deepEqual(r.lines, lines);
        assert.deepEqual(r.warnings, []);
      },
    ),
    { numRuns: 60 },
  );
});

test('a 3 MB log of 4 KiB-ish lines is read line for line (the buffer refills mid-line)', async (t) => {
  const log = join(tempDir(t), 'big.log');
  const lines = Array.from({ length: 800 }, (_, i) => `${i} ` + 'x'.repeat(3000 + ((i * 37) % 2000)));
  writeFileSync(log, lines.join('\n') + '\n');
  const r = await read(log);
  assert.equal(r.lines.length, lines.length);
  assert.ok(r.lines.every((l, i) => l === lines[i]));
});

// Every row of ../shared/conformance/dates.jsonl: fail2ban 1.0.2's reading of real log lines.
import { NOW } from './zurich.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDateReader } from '../../src/time/index.ts';

const DATA = fileURLToPath(new URL('../../../shared/conformance/dates.jsonl', import.meta.url));

interface Row {
  line: string;
  epoch: number | null;
  matched: string | null;
}

const rows: Row[] = existsSync(DATA)
  ? readFileSync(DATA, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Row)
  : [];

test('the conformance data is there', (t) => {
  if (rows.length === 0) return t.skip(`no ${DATA} on this machine`);
  assert.ok(rows.length >= 30);
});

for (const [i, row] of rows.entries()) {
  test(`dates.jsonl row ${i + 1} reads as fail2ban does: ${row.line.slice(0, 60)}`, () => {
    const hit = createDateReader({ now: NOW }).read(row.line);
    if (row.epoch === null) {
      // no date, or a date's text that is no real date (then the line has no time either)
      assert.ok(hit === null || Number.isNaN(hit.time), 'no time');
      return;
    }
    assert.ok(hit !== null, 'a date is found');
    assert.equal(Math.floor(hit.time), Math.floor(row.epoch), 'same instant to the second');
    assert.equal(row.line.slice(hit.start, hit.end), row.matched, 'same date text cut out');
  });
}

test('one reader fed all rows in turn (learning formats as it goes) reads each as a fresh one does', (t) => {
  if (rows.length === 0) return t.skip('no conformance data');
  const reader = createDateReader({ now: NOW });
  for (const row of rows) {
    const hit = reader.read(row.line);
    const got = hit === null || Number.isNaN(hit.time) ? null : [Math.floor(hit.time), row.line.slice(hit.start, hit.end)];
    const want = row.epoch === null ? null : [Math.floor(row.epoch), row.matched];
    assert.deepEqual(got, want, row.line);
  }
});

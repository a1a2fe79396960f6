// A changed table is saved as columns made from its live raw rows and its overlay
// (src/state/table.ts columns()): whatever was set, taken, changed or deleted, the columns
// hold exactly the records the table answers, each once, extras on the right rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Table } from '../../src/state/table.ts';
import { TICKET_CODEC } from '../../src/state/codecs.ts';
import { summaryOf } from '../../src/state/table-text.ts';
import type { Ticket } from '../../src/state/schema.ts';

const noCheck = { screen() {}, row: () => () => null };

/** A small deterministic generator (the same cases on every run). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** IPv6 keys, IPv4 and IPv6 ranges among IPv4 ones: what a table's summary counts apart. */
const keyOf = (k: number) =>
  k % 7 === 0 ? `2001:db8::${k.toString(16)}` : k % 11 === 0 ? `198.51.${k % 256}.0/24` : k % 13 === 0 ? `2001:db8:${k.toString(16)}::/48` : k;

test('the columns of a changed table hold exactly its records, extras on their rows, whatever the changes', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const n = Math.floor(r() * 60);
    const ticket = (i: number): Ticket => ({ first: i, last: i + 1, retry: 1, attempts: 1, ...(r() < 0.3 ? { lines: [`line ${i}`] } : {}) });
    const seedTable = new Table(TICKET_CODEC);
    for (let i = 0; i < n; i++) seedTable.set(keyOf(i), ticket(i));
    const t = Table.load(TICKET_CODEC, JSON.parse(JSON.stringify(seedTable.columns())), noCheck, () => {});
    for (let op = 0; op < 30; op++) {
      const k = Math.floor(r() * (n + 10));
      const key = keyOf(k);
      const what = r();
      if (what < 0.3) t.set(key, ticket(1000 + op));
      else if (what < 0.55) {
        const rec = t.take(key);
        if (rec) {
          rec.retry++;
          if (r() < 0.5) rec.lines = ['changed'];
          else delete rec.lines;
        }
      } else if (what < 0.8) t.delete(key);
      else if (!t.has(key)) t.insertNew(key, ticket(2000 + op));
    }
    const expected = new Map([...t.entries()]);
    const back = Table.load(TICKET_CODEC, JSON.parse(JSON.stringify(t.columns())), noCheck, () => {});
    assert.equal(back.size, expected.size, `seed ${seed}`);
    assert.deepEqual(new Map([...back.entries()]), expected, `seed ${seed}`);
    // The saved summary (its overlay's rows counted as they were encoded) is that of the columns saved.
    const saved = JSON.parse([...t.jsonPieces()].join('')) as Record<string, unknown>;
    assert.deepEqual({ rows: saved.rows, keys: saved.keys, min: saved.min, xf: saved.xf }, summaryOf(t.columns(), TICKET_CODEC.early), `seed ${seed}`);
  }
});

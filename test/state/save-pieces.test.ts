// A large state is written in pieces (json-chunks.ts), never as one string: the file must still
// be exactly the JSON of the state, and read back the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadState, saveState } from '../../src/state/store.ts';
import { setBan } from '../../src/state/bans.ts';
import { ticketCount } from '../../src/state/tickets.ts';
import { escapedPieces } from '../../src/state/table-text.ts';
import { bigState, tempDir } from './helpers.ts';

test('a state of 40,000 tickets with lines, IPv6 bans and odd text is saved as exactly its JSON and loads back', async (t) => {
  const path = join(tempDir(t), 'state.json');
  const s = bigState(40_000);
  setBan(s, 'web "1"', '2001:db8::7', { start: 1764026000, until: null, failures: 3, count: 2, origin: 'manual', error: 'quote " and \\ and \u2028' });
  s.notices = { 'a warning with "quotes"': 1764026000.25 };
  s.fleet.epoch = undefined;
  await saveState(path, s);
  const text = readFileSync(path, 'utf8');
  assert.equal(text, JSON.stringify(s));
  const r = await loadState(path, { now: 1764030000 });
  assert.deepEqual(r.warnings, []);
  assert.equal(ticketCount(r.state, 'sshd'), 40_000);
  assert.equal(JSON.stringify(r.state), text);
});

test('tables loaded and not changed are written back in pieces as exactly the text read, odd text included', async (t) => {
  const path = join(tempDir(t), 'state.json');
  const s = bigState(3_000);
  setBan(s, 'sshd', '2001:db8::7', { start: 1764026000, until: null, failures: 3, count: 2, origin: 'manual', error: 'emoji \u{1F600} quote " \\ \u2028 lone \ud800 end' });
  await saveState(path, s);
  const first = readFileSync(path, 'utf8');
  const r = await loadState(path, { now: 1764030000 });
  r.state.notices = { 'a small change': 1764030000 };
  await saveState(path, r.state);
  const again = readFileSync(path, 'utf8');
  assert.equal(again, JSON.stringify(r.state));
  assert.equal(again.replace(/,"notices":\{[^}]*\}/, ''), first.replace(/,"notices":\{[^}]*\}/, ''));
});

test('a text escaped in slices is the text escaped whole, wherever the slices end (surrogate pairs kept together)', () => {
  const s = 'a\u{1F600}"\\\u{1F601}\u{1F602}b\ud800c\udc00\n\u2028' + '\u{1F603}'.repeat(5);
  const plain = '{"key":["2001:db8::1"],"x":{"0":{"lines":["say \\"hi\\" \\\\ back"]}}}';
  for (const text of [s, plain]) {
    for (let size = 1; size <= 6; size++) assert.equal([...escapedPieces(text, size)].join(''), JSON.stringify(text).slice(1, -1), `slices of ${size}`);
  }
});

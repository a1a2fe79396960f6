// A large state is written in pieces (json-chunks.ts), never as one string: the file must still
// be exactly the JSON of the state (with its index of tables last, state-text.ts), and read back the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadState, saveState } from '../../src/state/store.ts';
import { setBan } from '../../src/state/bans.ts';
import { ticketCount } from '../../src/state/tickets.ts';
import { bigState, splitIndex, tempDir } from './helpers.ts';

test('a state of 40,000 tickets with lines, IPv6 bans and odd text is saved as exactly its JSON and loads back', async (t) => {
  const path = join(tempDir(t), 'state.json');
  const s = bigState(40_000);
  setBan(s, 'web "1"', '2001:db8::7', { start: 1764026000, until: null, failures: 3, count: 2, origin: 'manual', error: 'quote " and \\ and \u2028' });
  s.notices = { 'a warning with "quotes"': 1764026000.25 };
  s.fleet.epoch = undefined;
  await saveState(path, s);
  const { body, spans } = splitIndex(readFileSync(path, 'utf8'));
  assert.equal(body, JSON.stringify(s));
  assert.equal(spans.length, 4, 'bans and tickets of sshd, bans of web "1", the history (empty)');
  const r = await loadState(path, { now: 1764030000 });
  assert.deepEqual(r.warnings, []);
  assert.equal(ticketCount(r.state, 'sshd'), 40_000);
  assert.equal(JSON.stringify(r.state), body);
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
  const again = splitIndex(readFileSync(path, 'utf8'));
  assert.equal(again.body, JSON.stringify(r.state));
  const notices = /,"notices":\{[^}]*\}/;
  assert.equal(again.body.replace(notices, ''), splitIndex(first).body.replace(notices, ''));
});

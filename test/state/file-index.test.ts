// The state file ends with an index of where each table's columns are (src/state/state-text.ts):
// a load parses the rest and keeps the columns as text until a run asks for their rows. The
// index is only a hint: one that does not fit the text makes the load read the file as a whole,
// as before, and a table whose text no longer matches its hash is never trusted for its summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadState, saveState, type LoadedState } from '../../src/state/store.ts';
import { parseIndexed } from '../../src/state/state-text.ts';
import { migrateState } from '../../src/state/migrate.ts';
import { setBan, banKeyCounts } from '../../src/state/bans.ts';
import { setTicket, ticketCount } from '../../src/state/tickets.ts';
import { whyNotBannableKey } from '../../src/net/host.ts';
import { viewOf } from '../helpers/state-view.ts';
import { bigState, splitIndex, tempDir } from './helpers.ts';

const NOW = 1764030000;

/** A state of two jails, non-ASCII log lines in the first jail's tickets (before every other table). */
function twoJails() {
  const s = bigState(300);
  setTicket(s, 'aaa', 192 * 2 ** 24 + 5, { first: NOW - 50, last: NOW - 40, retry: 2, attempts: 2, lines: ['Nov 24 user «jürgen» 😀 from 192.0.0.5 said "cols":{"key":[1]}'] });
  setBan(s, 'aaa', '2001:db8::9', { start: NOW - 60, until: NOW + 600, failures: 5, count: 1, origin: 'log' });
  setBan(s, 'zzz', 198 * 2 ** 24 + 7, { start: NOW - 60, until: NOW + 900, failures: 5, count: 1, origin: 'manual', error: 'ünïcödé' });
  return s;
}

async function savedText(dir: string): Promise<{ path: string; text: string }> {
  const path = join(dir, 'state.json');
  await saveState(path, twoJails());
  return { path, text: readFileSync(path, 'utf8') };
}

/** What the file says when read as a whole, ignoring its index (the path every older file takes). */
function asWhole(text: string) {
  return migrateState(JSON.parse(text), { now: NOW, keyCheck: whyNotBannableKey });
}

/** Everything a load gives, every table's rows read (and what their checks found then). */
function everything(r: Pick<LoadedState, 'state' | 'warnings'> & { late?: LoadedState['late'] }) {
  const view = viewOf(r.state);
  return { view, warnings: [...r.warnings, ...(r.late?.warnings ?? [])] };
}

test('a file read through its index holds what it holds read as a whole, non-ASCII lines before its tables included', async (t) => {
  const { path, text } = await savedText(tempDir(t));
  assert.notEqual(Buffer.byteLength(text), text.length, 'byte and character offsets differ');
  const { spans } = splitIndex(text);
  assert.equal(spans.length, 6, 'sshd bans and tickets, aaa bans and tickets, zzz bans, history');
  assert.notEqual(parseIndexed(text), null, 'the index fits');
  const r = await loadState(path, { now: NOW });
  assert.deepEqual(r.warnings, []);
  assert.notEqual(r.baseline, null, 'nothing to write back');
  assert.deepEqual(everything(r), everything(asWhole(text)));
});

test('an index pointing inside a string, past the end, or at tables swapped is not used: the file is read as a whole', async (t) => {
  const { path, text } = await savedText(tempDir(t));
  const { body, spans } = splitIndex(text);
  const withIndex = (list: unknown) => `${body.slice(0, -1)},"spans":${JSON.stringify(list)}}`;
  const inString = text.indexOf('{\\"key\\":[1]}');
  assert.ok(inString > 0);
  const lies: [string, string][] = [
    ['inside a string', withIndex([[inString, inString + 13]])],
    ['past the end', withIndex(spans.map(([s], i) => [s, i === 2 ? text.length + 10 : spans[i]![1]]))],
    ['entries swapped', withIndex([spans[1], spans[0], ...spans.slice(2)])],
    ['a span one character short', withIndex(spans.map(([s, e], i) => [s, i === 0 ? e - 1 : e]))],
    ['not numbers', withIndex([['a', 'b']])],
    // Two tables swapped in the text, the index left as written.
    ['the tables swapped', (() => {
      const [a, b] = [spans[0]!, spans[2]!];
      return text.slice(0, a[0]) + text.slice(b[0], b[1]) + text.slice(a[1], b[0]) + text.slice(a[0], a[1]) + text.slice(b[1]);
    })()],
  ];
  // A table the index leaves out is parsed with the rest: the index still serves the others.
  lies.push(['one table left out', withIndex(spans.slice(1))]);
  for (const [what, lie] of lies) {
    if (what !== 'one table left out') assert.equal(parseIndexed(lie), null, what);
    writeFileSync(path, lie);
    const r = await loadState(path, { now: NOW });
    assert.equal(r.recovered, false, what);
    assert.deepEqual(everything(r), everything(asWhole(lie)), what);
  }
});

test('a table edited by hand under an index that still fits is checked in full before its summary answers', async (t) => {
  const { path, text } = await savedText(tempDir(t));
  const { spans } = splitIndex(text);
  // The first ban of zzz (ends at NOW + 900) made to end long ago, the same length: the index still fits, the hash does not.
  const zzz = spans[4]!;
  const cols = text.slice(zzz[0], zzz[1]);
  const edited = cols.replace(String(NOW + 900), String(NOW - 10_000));
  assert.notEqual(edited, cols);
  const lie = text.slice(0, zzz[0]) + edited + text.slice(zzz[1]);
  assert.notEqual(parseIndexed(lie), null);
  writeFileSync(path, lie);
  const r = await loadState(path, { now: NOW });
  // The summary still says the ban ends at NOW + 900; the rows say it ended: the rows win.
  assert.equal(r.state.jails.get('zzz')!.bans.keysAtOrBelow('until', (b) => b.until, NOW).length, 1);
  assert.deepEqual(banKeyCounts(r.state, 'zzz'), { v4: 1, v6: 0, ranges: 0 });
  // Written back with a true summary and a hash that matches.
  await saveState(path, r.state);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(file.jails.zzz.bans.min.until, NOW - 10_000);
  const again = await loadState(path, { now: NOW });
  assert.deepEqual(everything(again), everything(asWhole(lie)));
});

test('a table whose text is broken under an index that fits loses its rows with a warning, never the rest of the state', async (t) => {
  const { path, text } = await savedText(tempDir(t));
  const { spans } = splitIndex(text);
  const zzz = spans[4]!;
  // A comma made a semicolon inside the columns: the text is no JSON any more.
  const at = text.indexOf(',', zzz[0] + 10);
  const lie = `${text.slice(0, at)};${text.slice(at + 1)}`;
  assert.notEqual(parseIndexed(lie), null);
  writeFileSync(path, lie);
  const r = await loadState(path, { now: NOW });
  assert.equal(r.recovered, false);
  assert.equal(r.state.jails.get('zzz')!.bans.size, 0);
  assert.equal(r.late.warnings.length, 1);
  assert.match(r.late.warnings[0]!, /^state: table bans\.zzz could not be read \(.*\); its rows were dropped$/);
  assert.equal(ticketCount(r.state, 'sshd'), 300, 'the other tables are kept');
  // The next save writes a file that is JSON again.
  await saveState(path, r.state);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).jails.zzz, undefined);
});

test('a version 3 file of the previous layout (each table\'s columns one escaped string) loads, and is written back in the new one', async (t) => {
  const { path, text } = await savedText(tempDir(t));
  // What the previous writer made of the same state: JSON.stringify with `cols` a string, no index.
  const old = JSON.parse(splitIndex(text).body);
  for (const j of Object.values(old.jails) as Record<string, { cols: unknown }>[]) for (const tb of Object.values(j)) tb.cols = JSON.stringify(tb.cols);
  old.history.cols = JSON.stringify(old.history.cols);
  const oldText = JSON.stringify(old);
  writeFileSync(path, oldText);
  const r = await loadState(path, { now: NOW });
  assert.deepEqual(r.warnings, []);
  assert.notEqual(r.baseline, null, 'its hashes match: nothing to write back');
  assert.deepEqual(everything(r), everything(asWhole(text)));
  // Any save writes the new layout; an untouched table's text is the same columns.
  await saveState(path, r.state);
  assert.equal(readFileSync(path, 'utf8'), text);
});

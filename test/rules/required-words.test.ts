// A failregex is not run on a line missing one of the words every match of it holds
// (needles.ts requiredWords). That shortcut must never change what a rule finds: each shipped
// rule, on every line of its annotated sample, reports the same with it as without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadFilter, createMatcher, translatePyRegex } from '../../src/rules/index.ts';
import { FILTER_DIR, SAMPLES_DIR, SAMPLE_NOW, SAMPLE_ZONE, readSample, shippedRules } from '../helpers/samples.ts';

test('the required words of a regex: every word of its one alternative that it cannot skip, the best first', () => {
  const js = translatePyRegex(String.raw`^(?:fatal: )?Timeout before authentication for (?P<ip>\S+)(?: port \d+)?(?: \[preauth\])?$`);
  assert.deepEqual(js.words, ['authentication', 'Timeout', 'before'], 'not "fatal", "port" or "preauth" (optional), not "for" (most lines hold it)');
  assert.ok(js.regex.test('Timeout before authentication for 192.0.2.1 port 22'));
  assert.deepEqual(translatePyRegex(String.raw`^Received disconnect from (?P<ip>\S+):\s*11:.*\[preauth\]$`).needles, ['preauth'], 'the needle is the word the end of every sshd session does not write');
  assert.deepEqual(translatePyRegex(String.raw`^(?:Failed|Invalid) user \S+`).words, [], 'two alternatives: no word is in every match');
  assert.deepEqual(translatePyRegex(String.raw`(?i)^Failed login`).words, [], 'case-insensitive: the words may be written otherwise');
});

for (const name of shippedRules()) {
  test(`rule ${name}: the same matches with and without the required-word shortcut on its sample`, (t) => {
    if (!existsSync(join(SAMPLES_DIR, name))) return t.skip('no sample log');
    let shortcuts = 0;
    for (const { key, options, lines } of readSample(name)) {
      const fast = loadFilter({ name, options }, { searchDirs: [FILTER_DIR] });
      const slow = loadFilter({ name, options }, { searchDirs: [FILTER_DIR] });
      // The same rule without the words: a fresh copy of each compiled regex, words left out.
      slow.failregex = slow.failregex.map((r) => ({ ...r, words: [] }));
      shortcuts += fast.failregex.reduce((n, r) => n + (r.words.length), 0);
      const a = createMatcher(fast, { now: SAMPLE_NOW, timezone: SAMPLE_ZONE });
      const b = createMatcher(slow, { now: SAMPLE_NOW, timezone: SAMPLE_ZONE });
      lines.forEach((l, i) => assert.deepEqual(a.push(l.line), b.push(l.line), `${key} line ${i + 1}: ${l.line.slice(0, 120)}`));
    }
    if (shortcuts === 0) t.diagnostic('no failregex of this rule has required words');
  });
}

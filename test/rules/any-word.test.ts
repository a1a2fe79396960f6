// The prefilter decides which lines a rule reads at all: a line holding one of the rule's words
// must never be skipped, and one holding none of them is skipped. Random word sets (shared
// beginnings, words inside words, regex metacharacters, astral characters) against random lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anyWordRegex } from '../../src/rules/any-word.ts';

const ALPHABET = ['a', 'b', 'c', 'D', '.', '-', '|', '\\', '(', '[', '💥', ' '];

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

test('the prefilter finds a line exactly when it holds one of the words', () => {
  const r = rng(15);
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]!).join('');
  let hits = 0;
  for (let round = 0; round < 300; round++) {
    const words = Array.from({ length: 1 + Math.floor(r() * 8) }, () => pick(1 + Math.floor(r() * 4)));
    const re = anyWordRegex(words);
    for (let k = 0; k < 40; k++) {
      const line = pick(Math.floor(r() * 14));
      const want = words.some((w) => line.includes(w));
      assert.equal(re.test(line), want, `${JSON.stringify(words)} on ${JSON.stringify(line)} (${re.source})`);
      if (want) hits++;
    }
  }
  assert.ok(hits > 1000 && hits < 11000, `both kinds of line were tried (${hits} of 12000 held a word)`);
});

test("sshd's words: a failure line passes, a cron line does not", () => {
  const re = anyWordRegex(['uthentication', 'authentication', 'Failed', 'Disconnecting', 'Disconnected', 'preauth', 'publickey']);
  assert.ok(re.test('Nov 23 12:00:00 srv1 sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2'));
  assert.ok(re.test('Nov 23 12:00:00 srv1 sshd[1]: Disconnected from 192.0.2.1 port 22 [preauth]'));
  assert.ok(!re.test('Nov 23 12:00:00 srv1 CRON[2]: pam_unix(cron:session): session opened for user root'));
});

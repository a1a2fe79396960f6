// shellQuote (src/exec): whatever a log line holds, the shell reads back exactly that text
// and runs nothing. Checked against the real /bin/sh.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { shellQuote } from '../../src/exec/quote.ts';
import { run } from '../../src/exec/run.ts';

function echoedBySh(word: string): string {
  return execFileSync('/bin/sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });
}

test('a user name with $(...), backticks, ; and quotes comes back from sh unchanged', () => {
  for (const s of ["$(touch /tmp/pwned)", '`id`', 'a; rm -rf /', "it's", '"x" \\ \n y', '', '-n']) {
    assert.equal(echoedBySh(shellQuote(s)), s);
  }
});

test('any text round-trips through sh', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')), (s) => {
      assert.equal(echoedBySh(shellQuote(s)), s);
    }),
    { numRuns: 200 },
  );
});

test('a command that cannot start is a result with the reason, not an exception', async () => {
  const r = await run('f2b-scan-no-such-program', ['x'], { timeoutMs: 2000 });
  assert.equal(r.ok, false);
  assert.equal(r.error, 'f2b-scan-no-such-program: command not found');
  assert.equal(r.command, 'f2b-scan-no-such-program x');
});

test('a command that runs too long is stopped at the timeout', async () => {
  const t0 = Date.now();
  const r = await run('sleep', ['10'], { timeoutMs: 200 });
  assert.equal(r.ok, false);
  assert.match(r.error!, /timed out after 200 ms/);
  assert.ok(Date.now() - t0 < 3000);
});

// Log values put into action file commands: whatever a log line holds, /bin/sh prints it
// back exactly and runs nothing of it, bare, in "double" quotes, in 'single' quotes, inside
// $( ) and backticks. Checked with the real /bin/sh, for hand-picked and random values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { execa } from 'execa';
import { insertLogValues } from '../../src/actions/action-file-shell.ts';

/** One printf per quoting context; each prints the value between \036 and \037. */
const TEMPLATE = [
  `printf '\\036%s\\037' <F-USER>`,
  `printf '\\036%s\\037' "<F-USER>"`,
  `printf '\\036%s\\037' 'user <F-USER>'`,
  `printf '\\036%s\\037' "$(printf '%s' "<F-USER>")"`,
  'printf \'\\036%s\\037\' "`printf \'%s\' "<F-USER>"`"',
  `# a comment that says <F-USER> and don't`,
  `printf '\\036%s\\037' <matches>`,
].join('\n');

async function runTemplate(user: string): Promise<string[]> {
  const { script, env } = insertLogValues(TEMPLATE, (tag) => (tag === 'F-USER' || tag === 'matches' ? user : undefined));
  const r = await execa('/bin/sh', ['-c', script], { env, reject: false });
  assert.equal(r.exitCode, 0, `${r.stderr}\n${script}`);
  return [...r.stdout.matchAll(/\x1e([^]*?)\x1f/g)].map((m) => m[1]!);
}

function expected(user: string): string[] {
  // Backtick substitution strips trailing newlines, as it would for any text.
  const stripped = user.replace(/\n+$/, '');
  return [user, user, `user ${user}`, stripped, stripped, user];
}

test('a user name full of shell syntax prints back unchanged in every quoting and creates no file', async (t) => {
  const pwned = `/tmp/pwned-shell-${process.pid}`;
  rmSync(pwned, { force: true });
  t.after(() => rmSync(pwned, { force: true }));
  const user = `$(touch ${pwned}) \`touch ${pwned}\`;touch ${pwned} && touch ${pwned} | '"\\ $HOME <ip> \${PATH}`;
  assert.deepEqual(await runTemplate(user), expected(user));
  assert.equal(existsSync(pwned), false);
});

test('random log values (quotes, $, backticks, backslashes, newlines, tags) always print back exactly', async () => {
  const chars = fc.constantFrom(...'ab $(){}`\'"\\;&|<>*?~#!\n\t%=-_F'.split(''));
  await fc.assert(
    fc.asyncProperty(fc.array(chars, { maxLength: 40 }).map((a) => a.join('')), async (user) => {
      assert.deepEqual(await runTemplate(user), expected(user));
    }),
    { numRuns: 150 },
  );
});

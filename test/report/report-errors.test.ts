// A jail that could not be analysed is an error in every report format, never a quiet
// "0 failures" or a passing JUnit case; --fail-on makes it fail the CI job.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { spawnSync } from 'node:child_process';
import { BIN, f2b, failedPasswords, scratch } from '../run/cli.ts';

const NOW = '2026-11-24T12:00:00Z';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = scratch('f2b-report-err-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'conf');
  mkdirSync(join(conf, 'filter.d'), { recursive: true });
  const log = join(dir, 'auth.log');
  writeFileSync(log, failedPasswords('192.0.2.10', 2, '2026-11-24T11:00:00Z').join('\n') + '\n');
  // A rule with a loop that backtracks exponentially and a lookahead (no linear engine takes it): refused.
  writeFileSync(join(conf, 'filter.d', 'bad.conf'), '[Definition]\nfailregex = ^(\\w+\\s?)+(?! as root) from <HOST>$\n');
  writeFileSync(
    join(conf, 'jail.local'),
    `[sshd]\nenabled = true\nlogpath = ${log}\n\n[bad]\nenabled = true\nlogpath = ${log}\n\n[nolog]\nenabled = true\nfilter = sshd\nlogpath = ${join(dir, 'missing.log')}\n`,
  );
  return { dir, conf, run: (args: string[]) => f2b(['report', '--config', conf, '--now', NOW, ...args]) };
}

test('a refused rule and a missing log are errors in JSON, JUnit, markdown, HTML and text, and --fail-on exits 1', (t) => {
  const s = setup(t);
  // JSON: schema-valid, with the errors named.
  const json = s.run(['--format', 'json']);
  assert.equal(json.code, 0, 'without --fail-on the report is made and the exit code is 0');
  assert.match(json.stderr, /^f2b-scan: error: \[bad\] not analysed: .*bad\.conf:2: rule bad: regex refused/m);
  assert.match(json.stderr, /^f2b-scan: error: \[nolog\] not analysed: \S+jail\.local:\d+: logpath \S+missing\.log: matches no file$/m);
  const a = JSON.parse(json.stdout) as { errors: { jail: string }[]; jails: { name: string; errors: string[] }[] };
  const schema = JSON.parse(readFileSync(new URL('../../src/report/analysis.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv.default({ allErrors: true, formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/ } });
  assert.ok(ajv.validate(schema, a), JSON.stringify(ajv.errors));
  assert.deepEqual(a.errors.map((e) => e.jail).sort(), ['bad', 'nolog']);
  assert.deepEqual(a.jails.find((j) => j.name === 'sshd')!.errors, []);

  // JUnit: an <error> test case per jail not analysed; the counts say so.
  const junit = s.run(['--format', 'junit']);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit.stdout);
  assert.equal(doc.testsuites.errors, '2');
  const suites = [doc.testsuites.testsuite].flat();
  for (const name of ['bad', 'nolog']) {
    const suite = suites.find((x: { name: string }) => x.name === name);
    assert.equal(suite.errors, '1', name);
    const cases = [suite.testcase].flat();
    assert.equal(cases.length, 1, `${name}: no passing case beside the error`);
    assert.equal(cases[0].error.type, 'not-analysed');
    assert.match(cases[0].error.message, new RegExp(`^${name} could not be analysed: `));
  }

  // Markdown: a red-marked table of what was not analysed, and a line in each jail.
  const md = s.run(['--format', 'markdown']).stdout;
  assert.match(md, /^> \[!CAUTION\]\n> 2 jails could not be analysed: the report is incomplete\.$/m);
  assert.match(md, /^\| 🔴 \*\*bad\*\* \| .*regex refused/m);
  assert.match(md, /^🔴 \*\*Not analysed:\*\* \S+jail\.local:\d+: logpath \S+missing\.log: matches no file$/m);

  // HTML: a red row each (checked for its colour in Chromium by html-browser.test.ts).
  const html = s.run(['--format', 'html']).stdout;
  assert.match(html, /<tr class="error" data-jail="bad"><td>bad<\/td><td>[^<]*regex refused/);
  assert.match(html, /<tr class="error" data-jail="nolog">/);
  assert.match(html, /<p class="error">Not analysed: /);

  // Text.
  assert.match(s.run(['--format', 'text']).stdout, /^\[bad\] .*\n {2}NOT ANALYSED: .*regex refused/m);

  // --fail-on: a CI job fails when a jail could not be looked at, even with nothing to ban.
  assert.equal(s.run(['--format', 'json', '--fail-on', 'ban']).code, 1);
  assert.equal(s.run(['--format', 'json', '--fail-on', 'match']).code, 1);
  assert.equal(s.run(['--format', 'json', '--fail-on', 'never']).code, 0);
});

test('an unreadable log (the report run by a user who may not read it) is an error, not 0 lines', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody');
  const s = setup(t);
  const secret = join(s.dir, 'secret.log');
  writeFileSync(secret, failedPasswords('192.0.2.10', 6, '2026-11-24T11:00:00Z').join('\n') + '\n');
  chmodSync(secret, 0o600); // root's
  const conf = join(s.dir, 'conf2');
  mkdirSync(conf);
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${secret}\n`);
  chmodSync(s.dir, 0o755);
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, 'report', '--config', conf, '--now', NOW, '--format', 'json', '--fail-on', 'match'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  if (r.status === null || /cannot|EACCES/.test(r.stderr) && !r.stdout) return t.skip(`the CLI cannot run as nobody here: ${(r.stderr || String(r.error)).split('\n')[0]}`);
  assert.equal(r.status, 1, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.deepEqual(a.errors.map((e: { jail: string }) => e.jail), ['sshd']);
  assert.match(a.errors[0].message, /secret\.log: permission denied/i);
  assert.match(r.stderr, /^f2b-scan: error: \[sshd\] not analysed: \S+secret\.log: permission denied/im);
});

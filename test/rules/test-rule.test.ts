import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

function f2b(args: string[], input?: string) {
  const r = spawnSync(CLI[0]!, [...CLI.slice(1), ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup(): { dir: string; filter: string; log: string } {
  const dir = tempDir('f2b-test-rule-');
  mkdirSync(join(dir, 'filter.d'));
  const filter = join(dir, 'filter.d', 'demo.conf');
  writeFileSync(
    filter,
    `[Definition]
failregex = ^\\s*\\S+ demo\\[\\d+\\]: Failed password for <F-USER>\\S+</F-USER> from <HOST>$
            ^\\s*\\S+ demo\\[\\d+\\]: Bad client <HOST>$
ignoreregex = from 192\\.0\\.2\\.250$
`,
  );
  const log = join(dir, 'auth.log');
  writeFileSync(
    log,
    [
      'Aug 14 09:00:00 box demo[1]: Failed password for root from 192.0.2.1',
      'Aug 14 09:00:01 box demo[1]: Accepted password for bob from 192.0.2.2',
      'Aug 14 09:00:02 box demo[1]: Bad client 2001:db8::5',
      'Aug 14 09:00:03 box demo[1]: Failed password for admin from 192.0.2.250',
      'Aug 14 09:00:04.5 box demo[1]: Bad client attacker.example.net',
    ].join('\n') + '\n',
  );
  return { dir, filter, log };
}

test('test-rule --json prints exactly the contract: filter, lines, matched, ignored, missed', () => {
  const { filter, log } = setup();
  const r = f2b(['test-rule', filter, log, '--json', '--now', '2005-08-14T10:00:00Z']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    filter: 'demo',
    lines: 5,
    matched: [
      { line: 1, time: Date.parse('2005-08-14T09:00:00Z') / 1000, host: '192.0.2.1', user: 'root', regex: 0 },
      { line: 3, time: Date.parse('2005-08-14T09:00:02Z') / 1000, host: '2001:db8::5', regex: 1 },
      { line: 5, time: Date.parse('2005-08-14T09:00:04.5Z') / 1000, host: 'attacker.example.net', regex: 1 },
    ],
    ignored: [4],
    missed: 1,
  });
});

test('test-rule finds a rule by name in --config/filter.d and reads the log from stdin', () => {
  const { dir } = setup();
  const r = f2b(['test-rule', 'demo', '-', '--config', dir, '--json', '--now', '2005-08-14T10:00:00Z'], 'Aug 14 09:00:02 box demo[1]: Bad client 192.0.2.9\n');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out).matched.map((m: { host: string }) => m.host), ['192.0.2.9']);
});

test('test-rule passes --filter-option values to the rule like name[key=value]', () => {
  const { dir, log } = setup();
  const f = join(dir, 'filter.d', 'opt.conf');
  writeFileSync(f, '[Definition]\nfailregex = ^\\s*\\S+ demo\\[\\d+\\]: <verb> password for \\S+ from <HOST>$\nverb = Failed\n');
  const r = f2b(['test-rule', f, log, '--json', '--now', '2005-08-14T10:00:00Z', '--filter-option', 'verb=Accepted']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out).matched.map((m: { line: number }) => m.line), [2]);
});

test('test-rule without --json reports hits per regex, the line counts and the missed lines', () => {
  const { filter, log } = setup();
  const r = f2b(['test-rule', filter, log, '--print-missed', '--now', '2005-08-14T10:00:00Z']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\|\s+1\) \[2\] \^\\s\*\\S\+ demo/);
  assert.match(r.out, /\|\s+2\) \[2\] /);
  assert.match(r.out, /Lines: 5 lines, 1 ignored, 3 matched, 1 missed/);
  assert.match(r.out, /lines\/s\]/);
  assert.match(r.out, /Missed line\(s\):\n\|  Aug 14 09:00:01 box demo\[1\]: Accepted password for bob/);
});

test('test-rule with a broken rule exits 2 with one line naming file and line', () => {
  const { dir, log } = setup();
  const f = join(dir, 'broken.conf');
  writeFileSync(f, '[Definition]\nfailregex = ^Failed (from <HOST>\n');
  const r = f2b(['test-rule', f, log, '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err, new RegExp(`^f2b-scan: ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: bad regex: missing \\), unterminated subpattern`));
  assert.equal(r.err.trim().split('\n').length, 1);
});

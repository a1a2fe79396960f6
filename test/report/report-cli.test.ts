// `f2b-scan report` through the real CLI over a fixed log with a fixed --now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { f2b, failedPasswords, scratch, sshdLine } from '../run/cli.ts';

const NOW = '2026-11-24T12:00:00Z';
const dir = scratch('f2b-report-');
const log = join(dir, 'auth.log');
writeFileSync(
  log,
  [
    ...failedPasswords('192.0.2.10', 6, '2026-11-24T09:00:00Z', 30),
    sshdLine('2026-11-24T09:30:00Z', 'Accepted publickey for deploy from 198.51.100.200 port 50000 ssh2: ED25519 SHA256:abc'),
    ...failedPasswords('198.51.100.23', 3, '2026-11-24T10:00:00Z', 60),
    ...failedPasswords('2001:db8::bad', 5, '2026-11-24T11:00:00Z', 10),
  ].join('\n') + '\n',
);
// An empty configuration directory: the shipped rules alone.
mkdirSync(join(dir, 'empty'));
const base = ['report', '--rule', 'sshd', '--log', log, '--now', NOW, '--config', join(dir, 'empty')];

test('JSON: schema-valid, with totals and the addresses that would be banned', () => {
  const r = f2b([...base, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const schema = JSON.parse(readFileSync(new URL('../../src/report/analysis.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv.default({ allErrors: true, formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/ } });
  assert.ok(ajv.validate(schema, structuredClone(doc)), JSON.stringify(ajv.errors));
  assert.deepEqual(doc.totals, { lines: 15, matches: 14, addresses: 3, wouldBan: 2 });
  assert.deepEqual(doc.jails[0].wouldBan, [
    { ip: '192.0.2.10', at: '2026-11-24T09:02:00Z', failures: 6 },
    { ip: '2001:db8::bad', at: '2026-11-24T11:00:40Z', failures: 5 },
  ]);
});

test('JUnit: a failing testcase per address that would be banned, parsed back as XML', () => {
  const r = f2b([...base, '--format', 'junit']);
  assert.equal(r.code, 0, r.stderr);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
  const suite = doc.testsuites.testsuite;
  assert.equal(suite.name, 'sshd');
  assert.equal(suite.failures, '2');
  assert.deepEqual([suite.testcase].flat().map((c: { name: string }) => c.name), ['192.0.2.10', '2001:db8::bad']);
});

test('markdown: a table row per address', () => {
  const r = f2b([...base, '--format', 'markdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\| 15 \| 14 \| 3 \| 2 \|$/m);
  assert.match(r.stdout, /^\| 198\.51\.100\.23 \| 3 \| 2026-11-24T10:00:00Z \| 2026-11-24T10:02:00Z \| — \|$/m);
});

test('HTML and text land where asked, without colour when not on a terminal', () => {
  const out = join(dir, 'r.html');
  const r = f2b([...base, '--format', 'html', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(readFileSync(out, 'utf8'), /<svg class="timeline"/);
  const t = f2b([...base]);
  assert.doesNotMatch(t.stdout, /\x1b\[/);
  assert.match(t.stdout, /192\.0\.2\.10 +6 .* would ban at 2026-11-24T09:02:00Z/);
});

test('--fail-on ban and match set the exit code for CI; --since narrows the period', () => {
  assert.equal(f2b([...base, '--format', 'json', '--fail-on', 'ban']).code, 1);
  assert.equal(f2b([...base, '--format', 'json', '--fail-on', 'match']).code, 1);
  const late = f2b([...base, '--format', 'json', '--fail-on', 'ban', '--since', '2026-11-24T09:45:00Z', '--until', '2026-11-24T10:30:00Z']);
  assert.equal(late.code, 0, 'only the three failures of 198.51.100.23 are in the period');
  assert.equal(JSON.parse(late.stdout).totals.matches, 3);
});

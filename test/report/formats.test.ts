import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { simulateBans } from '../../src/report/analysis.ts';
import { formatReport } from '../../src/report/formats.ts';
import { fixtureAnalysis } from './fixture.ts';

test('the policy simulation bans at the maxretry-th failure inside findtime and counts again after', () => {
  assert.deepEqual(simulateBans([0, 10, 20, 30, 40], 5, 600), [40]);
  assert.deepEqual(simulateBans([0, 10, 20, 30], 5, 600), []);
  assert.deepEqual(simulateBans([0, 700, 1400, 2100, 2800], 2, 600), []);
  assert.deepEqual(simulateBans([0, 1, 2, 3, 4, 5], 3, 600), [2, 5]);
});

test('the JSON report follows its published schema and counts who would be banned', () => {
  const a = fixtureAnalysis();
  const json = JSON.parse(formatReport(a, 'json', { colour: false }));
  const schema = JSON.parse(readFileSync(new URL('../../src/report/analysis.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv.default({ allErrors: true, formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/ } });
  const valid = ajv.validate(schema, structuredClone(json));
  assert.ok(valid, JSON.stringify(ajv.errors));
  assert.deepEqual(json.totals, { lines: 47, matches: 14, addresses: 3, wouldBan: 2 });
  const sshd = json.jails[0];
  assert.deepEqual(sshd.wouldBan.map((b: { ip: string }) => b.ip), ['192.0.2.10', '2001:db8::bad']);
  assert.equal(sshd.addresses[0].ip, '192.0.2.10');
  assert.equal(sshd.addresses[0].wouldBanAt, '2026-11-24T09:02:00Z');
  assert.equal(sshd.addresses.find((r: { ip: string }) => r.ip === '198.51.100.23').wouldBanAt, null);
});

test('JUnit output parses back as XML with one failing testcase per address that would be banned', () => {
  const xml = formatReport(fixtureAnalysis(), 'junit', { colour: false });
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const suites = doc.testsuites.testsuite;
  assert.equal(doc.testsuites.failures, '2');
  assert.equal(suites.length, 2);
  const sshd = suites.find((s: { name: string }) => s.name === 'sshd');
  const cases = [sshd.testcase].flat();
  assert.deepEqual(cases.map((c: { name: string }) => c.name), ['192.0.2.10', '2001:db8::bad']);
  assert.match(cases[0].failure['#text'], /Failed password for root from 192\.0\.2\.10/);
  const quiet = suites.find((s: { name: string }) => s.name === 'nginx-http-auth');
  assert.equal(quiet.failures, '0');
  assert.equal(quiet.testcase.name, 'no address would be banned');
});

test('markdown has the totals row and one table row per address, with log text unable to break the table', () => {
  const md = formatReport(fixtureAnalysis(), 'markdown', { colour: false });
  assert.match(md, /^\| 47 \| 14 \| 3 \| 2 \|$/m);
  const rows = md.split('\n').filter((l) => /^\| (192\.0\.2\.10|198\.51\.100\.23|2001:db8::bad) \|/.test(l));
  assert.equal(rows.length, 3);
  assert.match(rows[0]!, /^\| 192\.0\.2\.10 \| 6 \| 2026-11-24T09:00:00Z \| 2026-11-24T09:02:30Z \| 2026-11-24T09:02:00Z \|$/);
  assert.match(md, /### nginx-http-auth\n\n.*\n\nNo failures\./);
});

test('text output has colour only when asked (a TTY)', () => {
  const a = fixtureAnalysis();
  assert.doesNotMatch(formatReport(a, 'text', { colour: false }), /\x1b\[/);
  assert.match(formatReport(a, 'text', { colour: true }), /\x1b\[1m/);
});

test('the HTML report is self-contained and escapes log text', () => {
  const html = formatReport(fixtureAnalysis(), 'html', { colour: false });
  assert.doesNotMatch(html, /<script|https?:\/\//);
  assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
  assert.doesNotMatch(html, /<b>x<\/b>/);
  assert.equal((html.match(/<svg class="timeline"/g) ?? []).length, 1);
});

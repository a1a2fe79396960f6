// Every number bounded (issue 16.3): each place this code reads a time or a duration from data
// (the configuration, an import file, a ban about to be printed or mailed) is fed NaN, ±Infinity,
// 1e300, -1, "" and null. None throws; each refuses, drops, caps or says "invalid time".
// (Times read from the state file: test/state/; from the fleet: test/fleet/.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkedDuration, MAX_BAN_SECONDS } from '../../src/config/duration.ts';
import { isoSeconds, isoTime } from '../../src/util/time-text.ts';
import { formatTime } from '../../src/actions/mail-message.ts';
import { importedUntil } from '../../src/ops/import-times.ts';
import { parseImport } from '../../src/ops/import-parse.ts';
import { banDuration, banUntil } from '../../src/policy/bantime.ts';
import { jailWithDefaults } from '../helpers/jails.ts';

const NOW = 1_795_000_000;
const WEEK = 7 * 86400;
const BAD_NUMBERS = [NaN, Infinity, -Infinity, 1e300, -1e300];
const BAD_TEXTS = ['NaN', 'Infinity', '-Infinity', '1e300', '9'.repeat(400), '9999999999999999', '', 'null', '-1'];

test('a duration in the configuration: not finite, negative where not allowed, beyond 100 years -> a message, never a number', () => {
  for (const text of BAD_TEXTS) {
    const forBantime = checkedDuration(text, true);
    const forFindtime = checkedDuration(text, false);
    if (text === '-1') {
      assert.equal(forBantime, -1, 'bantime = -1 is fail2ban\'s ban without end');
      assert.equal(forFindtime, '"-1" must not be negative');
      continue;
    }
    assert.equal(typeof forBantime, 'string', `bantime = ${text}`);
    assert.equal(typeof forFindtime, 'string', `findtime = ${text}`);
  }
  assert.match(String(checkedDuration('9999999999999999', true)), /^"9999999999999999" is beyond 100 years; write e\.g\. 1w, or -1 for no end$/);
  assert.equal(checkedDuration('100y', false), MAX_BAN_SECONDS);
  assert.match(String(checkedDuration('101y', false)), /beyond 100 years/);
});

test('a time printed from data never throws: NaN, ±Infinity, 1e300 read "(invalid time ...)"', () => {
  for (const t of BAD_NUMBERS) {
    assert.match(isoTime(t), /^\(invalid time /, String(t));
    assert.match(isoSeconds(t), /^\(invalid time /, String(t));
    assert.match(formatTime(t), /invalid time/, String(t));
  }
  assert.equal(isoTime(-1), '1969-12-31T23:59:59.000Z');
  assert.equal(isoSeconds(NOW), '2026-11-18T11:06:40Z');
});

test('an import file\'s end time: absurd ones dropped, for-good and over-long ones cut to maxtime', () => {
  for (const t of [NaN, Infinity, -Infinity, 1e300]) assert.ok('dropped' in importedUntil(t, NOW, WEEK), String(t));
  assert.deepEqual(importedUntil(-1e300, NOW, WEEK), { until: -1e300, capped: false }, 'in the past: the caller skips it as run out');
  assert.deepEqual(importedUntil(null, NOW, WEEK), { until: NOW + WEEK, capped: true });
  assert.deepEqual(importedUntil(NOW + 30 * 86400, NOW, WEEK), { until: NOW + WEEK, capped: true });
  assert.deepEqual(importedUntil(NOW + 3600, NOW, WEEK), { until: NOW + 3600, capped: false });
  assert.deepEqual(importedUntil(-1, NOW, WEEK), { until: -1, capped: false });
});

test('an import file\'s "until" and "timeout" fields of every bad kind: a problem line each, never an exception', () => {
  const values = ['"NaN"', '"Infinity"', '""', '"null"', '{}', '[]', 'true', '"1e300"'];
  const json = JSON.stringify({ f2bScanExport: 1, bans: [] }).replace('[]', '[' + values.map((v, i) => `{"ip":"198.51.100.${i + 1}","until":${v}}`).join(',') + ']');
  const r = parseImport(json, 'bans.json', NOW);
  assert.equal(r.entries.length, 0, JSON.stringify(r.entries));
  assert.equal(r.problems.length, values.length);
  // The readers drop an end beyond 100 years themselves (import-entry.ts entryUntil); importedUntil bounds the rest.
  const big = parseImport('{"bans":[{"ip":"198.51.100.9","until":1e300},{"ip":"198.51.100.10","until":null},{"ip":"198.51.100.11","until":-1}]}', 'b.json', NOW);
  assert.deepEqual(big.entries.map((e) => e.until), [null, -1]);
  assert.match(big.problems.join('\n'), /b\.json: entry 1: "until" is more than 100 years ahead/);
  const ipset = parseImport('add s 198.51.100.1 timeout NaN\nadd s 198.51.100.2 timeout -1\nadd s 198.51.100.3 timeout 1e300\nadd s 198.51.100.4 timeout \n', 's.ipset', NOW);
  assert.equal(ipset.problems.length, 4, ipset.problems.join('\n'));
  assert.deepEqual(ipset.entries, []);
});

test('bantime.increment whose growth leaves every bound (fail2ban\'s own arithmetic): the ban still ends within 100 years', () => {
  const jail = jailWithDefaults('sshd', { bantime: 3600, increment: { enabled: true, factor: 1e300, overalljails: false } });
  const d = banDuration(jail, 5, () => 0);
  assert.ok(d.seconds! > MAX_BAN_SECONDS, 'the length is fail2ban\'s (test/policy/fail2ban-compare.test.ts)');
  assert.equal(banUntil(NOW, d.seconds), NOW + MAX_BAN_SECONDS);
  assert.equal(banUntil(NOW, Infinity), NOW + MAX_BAN_SECONDS);
  assert.equal(banUntil(NOW, 3600), NOW + 3600);
  assert.equal(banUntil(NOW, null), null);
  assert.match(isoTime(banUntil(NOW, 1e300)!), /^2126-/);
});

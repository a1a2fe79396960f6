import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/config/index.ts';
import { ConfigError } from '../../src/util/errors.ts';

const at = { file: 'jail.local', line: 4, section: 'sshd', key: 'bantime' };

test('plain seconds and fail2ban unit forms', () => {
  const cases: [string, number][] = [
    ['600', 600],
    ['10m', 600],
    ['1h', 3600],
    ['1d', 86400],
    ['1w', 604800],
    ['1mo', 30.4375 * 86400], // a twelfth of a year, as fail2ban
    ['1y', 365.25 * 86400],
    ['30s', 30],
    ['2 hours', 7200],
    ['1 day', 86400],
    ['5min', 300],
    ['2 weeks', 14 * 86400],
    ['1.5h', 5400],
    ['48h', 172800],
    ['1M', 60],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text, at), seconds, text);
});

test('combined durations add up: "1d 2h 30m", "1d12h"', () => {
  assert.equal(parseDuration('1d 2h 30m', at), 86400 + 7200 + 1800);
  assert.equal(parseDuration('1d12h', at), 86400 + 43200);
  assert.equal(parseDuration('1h -10m', at), 3000);
});

test('simple arithmetic as fail2ban evaluates it: 3600*24, (1h+1m)*2', () => {
  assert.equal(parseDuration('3600*24', at), 86400);
  assert.equal(parseDuration('(1h + 1m) * 2', at), 7320);
  assert.equal(parseDuration('1d/2', at), 43200);
});

test('a negative duration (bantime = -1) is negative: banned for good', () => {
  assert.equal(parseDuration('-1', at), -1);
  assert.ok(parseDuration('-1d', at) < 0);
});

test('text that is not a duration names file, line, section and key', () => {
  for (const bad of ['soon', '', '10 parsecs', '1/0', '(1h', '1h)', '*2', '1e5']) {
    assert.throws(
      () => parseDuration(bad, at),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith('jail.local:4 [sshd] bantime: ') && e.message.includes('not a duration'),
      bad,
    );
  }
});

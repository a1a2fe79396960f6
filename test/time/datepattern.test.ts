// `datepattern` as filters and jails write it (after INI interpolation turned %% into %).
import { readDate, utc, zurich, NOW } from './zurich.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDateReader } from '../../src/time/index.ts';
import { RuleError } from '../../src/util/errors.ts';

const T = zurich(2005, 1, 23, 21, 59, 59);

function at(line: string, datepattern: string, timezone?: string) {
  return readDate(line, timezone === undefined ? { datepattern } : { datepattern, timezone });
}

test('%Y %m %d %H %M %S read a plain numeric date', () => {
  assert.deepEqual(at('2005-01-23 21:59:59 x', '^%Y-%m-%d %H:%M:%S'), { time: T, text: '2005-01-23 21:59:59' });
});

test('numeric directives accept unpadded values', () => {
  assert.equal(at('2005-1-3 1:2:3 x', '^%Y-%m-%d %H:%M:%S')?.time, zurich(2005, 1, 3, 1, 2, 3));
});

test('%y reads a two-digit year (00-68 → 20xx, 69-99 → 19xx as strptime does)', () => {
  assert.equal(at('05-01-23 x', '^%y-%m-%d')?.time, zurich(2005, 1, 23));
  // fail2ban 1.0.2 reads 89 as 2089; a log line from 2089 is not plausible
  assert.equal(at('89-01-23 x', '^%y-%m-%d')?.time, zurich(1989, 1, 23));
});

test('%b %B month names and %a %A weekday names, in any case', () => {
  assert.equal(at('Sun 23 jan 2005 21:59:59 x', '%a %d %b %Y %H:%M:%S')?.time, T);
  assert.equal(at('Sunday January 23 2005 21:59:59 x', '%A %B %d %Y %H:%M:%S')?.time, T);
  assert.equal(at('SUNDAY JANUARY 23 2005 21:59:59 x', '%A %B %d %Y %H:%M:%S')?.time, T);
});

test('%I and %p read a 12-hour clock (12 AM is midnight, 12 PM noon)', () => {
  assert.equal(at('2005-01-23 09:59:59 PM x', '%Y-%m-%d %I:%M:%S %p')?.time, T);
  assert.equal(at('2005-01-23 12:00:00 AM x', '%Y-%m-%d %I:%M:%S %p')?.time, zurich(2005, 1, 23, 0));
  assert.equal(at('2005-01-23 12:00:00 pm x', '%Y-%m-%d %I:%M:%S %p')?.time, zurich(2005, 1, 23, 12));
});

test('%f reads fractions of a second', () => {
  assert.equal(at('2005-01-23 21:59:59.5 x', '%Y-%m-%d %H:%M:%S\\.%f')?.time, T + 0.5);
  assert.equal(at('21:59:59.123456 2005-01-23 x', '^%H:%M:%S\\.%f %Y-%m-%d')?.time, T + 0.123456);
});

test('%z reads Z, UTC, GMT, ±hh, ±hhmm and ±hh:mm', () => {
  const dp = '%Y-%m-%d %H:%M:%S %z';
  assert.equal(at('2005-01-23 21:59:59 Z x', dp)?.time, utc(2005, 1, 23, 21, 59, 59));
  assert.equal(at('2005-01-23 21:59:59 GMT x', dp)?.time, utc(2005, 1, 23, 21, 59, 59));
  assert.equal(at('2005-01-23 21:59:59 -05 x', dp)?.time, utc(2005, 1, 24, 2, 59, 59));
  assert.equal(at('2005-01-23 21:59:59 +0530 x', dp)?.time, utc(2005, 1, 23, 16, 29, 59));
  assert.equal(at('2005-01-23 21:59:59 +05:30 x', dp)?.time, utc(2005, 1, 23, 16, 29, 59));
});

test('%Z reads zone abbreviations', () => {
  const dp = '%d.%m.%Y %H:%M:%S %Z';
  assert.equal(at('23.01.2005 21:59:59 PST x', dp)?.time, utc(2005, 1, 24, 5, 59, 59));
  assert.equal(at('23.01.2005 21:59:59 CET x', dp)?.time, T);
  assert.equal(at('23.01.2005 21:59:59 utc x', dp)?.time, utc(2005, 1, 23, 21, 59, 59));
});

test('%j reads the day of the year', () => {
  assert.equal(at('2005 023 21:59:59 x', '%Y %j %H:%M:%S')?.time, T);
  assert.equal(at('2004 366 00:00:00 x', '%Y %j %H:%M:%S')?.time, zurich(2004, 12, 31));
});

test('%s reads epoch seconds', () => {
  assert.deepEqual(at('t=1106513999 x', 't=%s'), { time: 1106513999, text: 't=1106513999' });
  assert.deepEqual(at('t=1106513999 x', 't=(%s)'), { time: 1106513999, text: '1106513999' });
});

test('%Ex… forms demand the exact width: %ExY %Exm %Exd %ExH %ExM %ExS', () => {
  const exact = '%ExY%Exm%Exd%ExH%ExM%ExS';
  assert.equal(at('20050123215959 x', exact)?.time, T);
  assert.equal(at('2005-01-23 09:05:07 x', '^%ExY-%Exm-%Exd %ExH:%ExM:%ExS')?.time, zurich(2005, 1, 23, 9, 5, 7));
  assert.equal(at('2005-1-23 09:05:07 x', '^%ExY-%Exm-%Exd %ExH:%ExM:%ExS'), null);
  assert.equal(at('2005-01-23 9:05:07 x', '^%ExY-%Exm-%Exd %ExH:%ExM:%ExS'), null);
  assert.equal(at('2005-01-23 9:05:07 x', '^%Y-%m-%d %H:%M:%S')?.time, zurich(2005, 1, 23, 9, 5, 7));
  assert.equal(at('1999-01-23 x', '^%ExY-%Exm-%Exd'), null, '%ExY is a year of this century');
});

test('%k and %l read hours padded with a space', () => {
  assert.equal(at('2005-01-23  9:59:59 x', '%Y-%m-%d %k:%M:%S')?.time, zurich(2005, 1, 23, 9, 59, 59));
  assert.equal(at('2005-01-23  9:59:59 PM x', '%Y-%m-%d %l:%M:%S %p')?.time, T);
});

test('%% is a literal percent sign', () => {
  assert.equal(at('100% 2005-01-23 21:59:59 x', '^100%% %Y-%m-%d %H:%M:%S')?.time, T);
});

test('a datepattern is a regex: Python named groups and back-references work', () => {
  const dp = '^%ExY(?P<_sep>[-/.])%m(?P=_sep)%d[T ]%H:%M:%S';
  assert.equal(at('2005/01/23 21:59:59 x', dp)?.time, T);
  assert.equal(at('2005/01-23 21:59:59 x', dp), null);
});

test('a plain group marks the date text inside a longer regex', () => {
  assert.deepEqual(at('host [pid 1] [23/Jan/2005 21:59:59] x', '^[^\\[]*\\[[^\\]]*\\] \\[(%d/%b/%Y %H:%M:%S)\\]'), { time: T, text: '23/Jan/2005 21:59:59' });
});

test('without a group the whole match is the date text, as the rule engine cuts it', () => {
  assert.deepEqual(at('L 23/01/2005 - 21:59:59: x', '^L %d/%m/%Y - %H:%M:%S'), { time: T, text: 'L 23/01/2005 - 21:59:59' });
});

test('word boundaries are added around a pattern, {UNB} removes them', () => {
  assert.equal(at('x2005-01-23 21:59:59 y', '%Y-%m-%d %H:%M:%S'), null);
  assert.equal(at('x2005-01-23 21:59:59 y', '{UNB}%Y-%m-%d %H:%M:%S')?.time, T);
  assert.equal(at('2005-01-23 21:59:591 y', '{UNB}%Y-%m-%d %H:%M:%S')?.text, '2005-01-23 21:59:59');
});

test('** at either end of a pattern drops the boundary on that side', () => {
  assert.equal(at('x2005-01-23 21:59:59 y', '**%Y-%m-%d %H:%M:%S')?.time, T);
  assert.equal(at('x2005-01-23 21:59:59 y', '%Y-%m-%d %H:%M:%S**'), null);
});

test('{^LN-BEG} anchors a pattern at the line start, after at most two non-word characters', () => {
  assert.equal(at('[[2005-01-23 21:59:59] x', '{^LN-BEG}%Y-%m-%d %H:%M:%S')?.text, '2005-01-23 21:59:59');
  assert.equal(at('ab 2005-01-23 21:59:59 x', '{^LN-BEG}%Y-%m-%d %H:%M:%S'), null);
});

test('{^LN-BEG} alone is the default set, only at the line start', () => {
  assert.equal(at('Jan 23 21:59:59 host x', '{^LN-BEG}')?.time, T);
  assert.equal(at('host: Jan 23 21:59:59 x', '{^LN-BEG}'), null);
  assert.equal(at('host: Jan 23 21:59:59 x', '{DEFAULT}')?.time, T);
});

test('{DEFAULT} and an empty datepattern are the default set', () => {
  assert.equal(at('[23/Jan/2005:21:59:59 +0100] x', '{DEFAULT}')?.time, T);
  assert.equal(at('[23/Jan/2005:21:59:59 +0100] x', '')?.time, T);
});

test('{DATE} stands for each default form inside a pattern', () => {
  const dp = '^[^\\[]*\\[({DATE})';
  assert.deepEqual(at('php: [Jan 23 21:59:59] x', dp), { time: T, text: 'Jan 23 21:59:59' });
  assert.deepEqual(at('php: [2005-01-23 21:59:59] x', dp), { time: T, text: '2005-01-23 21:59:59' });
  assert.equal(at('Jan 23 21:59:59 x', dp), null);
  assert.deepEqual(at('<34>1 2005-01-23T21:59:59Z host x', '^<\\d+>\\d+\\s+{DATE}'), { time: utc(2005, 1, 23, 21, 59, 59), text: '<34>1 2005-01-23T21:59:59Z' });
  assert.equal(at('[1106513999] nsd: x', '^{DATE}')?.text, '1106513999');
});

test('{NONE}: lines have no date and take now, with nothing cut out', () => {
  const reader = createDateReader({ now: NOW, datepattern: '{NONE}' });
  const hit = reader.read('2005-01-23 21:59:59 a date that is ignored');
  assert.deepEqual([hit?.time, hit?.start, hit?.end], [NOW, 0, 0]);
  const empty = reader.read('');
  assert.deepEqual([empty?.time, empty?.start, empty?.end], [NOW, 0, 0]);
});

test('EPOCH reads epoch seconds at the line start, in [brackets] or in audit(…)', () => {
  assert.deepEqual(at('1106513999.500 x', 'EPOCH'), { time: 1106513999.5, text: '1106513999.500' });
  assert.deepEqual(at('1106513999.5 x', 'EPOCH'), { time: 1106513999, text: '1106513999' }, 'fractions have 3 to 6 digits');
  assert.deepEqual(at('[1106513999] x', 'EPOCH'), { time: 1106513999, text: '1106513999' });
  assert.equal(at('[1106513999 x', '{^LN-BEG}EPOCH'), null, 'at the line start an open bracket needs its closing one');
  assert.equal(at('<1106513999> x', '{^LN-BEG}EPOCH')?.time, 1106513999);
  assert.equal(at('<1106513999> x', 'EPOCH'), null);
  assert.equal(at('x 1106513999 y', 'EPOCH'), null);
  assert.equal(at('msg=audit(1106513999.123:7): x', 'EPOCH')?.time, 1106513999.123);
  assert.equal(at('1106513999123 x', 'EPOCH'), null, 'milliseconds are LEPOCH');
});

test('LEPOCH also reads milliseconds and microseconds', () => {
  assert.equal(at('1106513999 x', 'LEPOCH')?.time, 1106513999);
  assert.equal(at('1106513999123 x', 'LEPOCH')?.time, 1106513999.123);
  assert.equal(at('1106513999123456 x', 'LEPOCH')?.time, 1106513999.123456);
});

test('TAI64N reads a daemontools label, {^LN-BEG}TAI64N only at the start', () => {
  assert.equal(at('@4000000041f4104f1dcd6500 x', 'TAI64N')?.time, 1106513999.5);
  assert.equal(at('x @4000000041f4104f00000000 y', 'TAI64N')?.time, 1106513999);
  assert.equal(at('x @4000000041f4104f00000000 y', '{^LN-BEG}TAI64N'), null);
});

test('ISO8601 reads ISO dates', () => {
  assert.equal(at('x 2005-01-23T21:59:59+01:00 y', 'ISO8601')?.time, T);
});

test('several patterns on separate lines: the leftmost date of any of them', () => {
  const dp = '^%Y:%m:%d-%H:%M:%S\n{^LN-BEG}EPOCH\n^\\[%d/%b/%Y %H:%M:%S\\]';
  const reader = createDateReader({ now: NOW, datepattern: dp });
  assert.equal(reader.read('2005:01:23-21:59:59 x')?.time, T);
  assert.equal(reader.read('1106513999 x')?.time, 1106513999);
  assert.equal(reader.read('[23/Jan/2005 21:59:59] x')?.time, T);
  assert.equal(reader.read('Jan 23 21:59:59 x'), null, 'the default set is not included');
});

test('a pattern that reads no field marks a continuation line: it takes the previous line\'s time', () => {
  const dp = '^%b %d, %ExY %I:%M:%S %p\n^WARNING:()**\n{^LN-BEG}';
  const reader = createDateReader({ now: NOW, datepattern: dp });
  assert.equal(reader.read('Apr 15, 2005 8:34:08 PM org.slf4j.impl.JCLLoggerAdapter warn')?.time, zurich(2005, 4, 15, 20, 34, 8));
  const hit = reader.read('WARNING: Authentication attempt from 192.0.2.0 for user "null" failed.');
  assert.equal(hit?.time, zurich(2005, 4, 15, 20, 34, 8));
  assert.equal(hit?.start, hit?.end, 'nothing is cut out of the line');
});

test('a bad datepattern is a RuleError naming the place and the directive', () => {
  const place = { file: '/etc/fail2ban/filter.d/x.conf', line: 12, key: 'datepattern' };
  assert.throws(
    () => createDateReader({ now: NOW, datepattern: '^%Y-%m-%d %Q', place }),
    (e: unknown) => e instanceof RuleError && e.message.startsWith('/etc/fail2ban/filter.d/x.conf:12 datepattern:') && e.message.includes('%Q'),
  );
  assert.throws(() => createDateReader({ now: NOW, datepattern: '^(%Y', place }), RuleError);
  assert.throws(() => createDateReader({ now: NOW, datepattern: '%d %d', place }), RuleError);
  assert.throws(() => createDateReader({ now: NOW, datepattern: '%Ex', place }), /%Ex/);
  assert.throws(() => createDateReader({ now: NOW, datepattern: '(?(x)a|b)%Y', place }), /conditional/);
});

test('the second pattern line is named when it is the bad one', () => {
  assert.throws(
    () => createDateReader({ now: NOW, datepattern: '{^LN-BEG}\n^%Y-%q' }),
    (e: unknown) => e instanceof RuleError && e.message.includes('"^%Y-%q"') && e.message.includes('%q'),
  );
});

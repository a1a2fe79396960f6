// Property tests (issue "Hardening", item 6): whatever a log or a configuration holds, reading
// dates never crashes a run, and a bad datepattern is always reported as a rule error.
import { NOW } from './zurich.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDateReader, compileDatePattern } from '../../src/time/index.ts';
import { Detector } from '../../src/time/detector.ts';
import { Clock } from '../../src/time/fields.ts';
import { systemZone } from '../../src/time/zone.ts';

/** The detector itself, without the safety net createDateReader puts around it. */
function bareReader(datepattern: string | undefined) {
  const c = compileDatePattern(datepattern);
  return new Detector(c.templates, new Clock(systemZone(), NOW), c.tiesMatter);
}
import { RuleError } from '../../src/util/errors.ts';

/** Text that looks like dates often, so the parsers' edges get exercised, not only their rejections. */
const dateish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'Jan', 'Feb', ' ', '  ', ':', '-', '/', '.', ',', 'T', 'Z', '+', '+01:00', '-0500', 'UTC', 'CET', 'PM', 'am',
        '2005', '20', '05', '1', '23', '59', '60', '99', '000', '1106513999', '@4000000041f4104f', '[', ']',
        'audit(', '"ts":', 'time=', 'Sun', '\t', '<', '>', '@', '\u00e9', '\ud800', '1106513999123',
      ),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

const PATTERNS = [undefined, '{^LN-BEG}', 'EPOCH', 'LEPOCH', 'TAI64N', '^%Y-%m-%d %H:%M:%S', '%b %d %H:%M:%S', '^[^\\[]*\\[({DATE})', '%j %y %I %p %Z %z %s', '^WARNING:()**'];

test('no line makes read throw, whatever the datepattern', () => {
  for (const datepattern of PATTERNS.filter((p) => p !== '{NONE}')) {
    const learned = bareReader(datepattern);
    fc.assert(
      fc.property(fc.oneof(dateish, fc.string({ maxLength: 80, unit: 'binary' })), (line) => {
        for (const reader of [learned, bareReader(datepattern)]) {
          const hit = reader.read(line);
          if (hit !== null) {
            assert.ok(Number.isFinite(hit.time) || Number.isNaN(hit.time), "an instant, or NaN for a date that is no real date");
            assert.ok(0 <= hit.start && hit.start <= hit.end && hit.end <= Math.max(line.length, 0));
          }
        }
      }),
      { numRuns: 300 },
    );
  }
});

test('no datepattern makes createDateReader throw anything but a RuleError', () => {
  const piece = fc.oneof(
    fc.constantFrom('%Y', '%m', '%d', '%H', '%M', '%S', '%Ex', '%ExY', '%k', '%', '%%', '(', ')', '(?P<x>', '(?P=x)', '[', ']', '\\',
      '{DATE}', '{^LN-BEG}', '{UNB}', '{NONE}', '{DEFAULT}', 'EPOCH', '**', '\n', '(?i)', '(?(', '*', '+', '?', '{2,1}', '$', '^'),
    fc.string({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (datepattern) => {
      try {
        const reader = createDateReader({ now: NOW, datepattern, place: { file: 'f.conf', key: 'datepattern' } });
        reader.read('Jan 23 21:59:59 2005-01-23 21:59:59 x');
      } catch (e) {
        assert.ok(e instanceof RuleError, `${String(e)} for ${JSON.stringify(datepattern)}`);
        assert.match(e.message, /^f\.conf datepattern: /);
      }
    }),
    { numRuns: 2000 },
  );
});

const digits = (n: number) => fc.array(fc.constantFrom('0', '1', '2', '3', '5', '9'), { minLength: n, maxLength: n }).map((a) => a.join(''));
/** Mostly what logs hold, sometimes an edge: the readers must agree on both. */
const usually = <T,>(common: fc.Arbitrary<T>, edge: fc.Arbitrary<T>) => fc.oneof({ arbitrary: common, weight: 12 }, { arbitrary: edge, weight: 1 });
const num = (max: number) => fc.integer({ min: 1, max }).map((n) => String(n).padStart(2, '0'));
const edgeNum = fc.constantFrom('00', '24', '31', '32', '60', '61', '99', '9', ' 9', '1x');
const tail = usually(fc.constantFrom(' host x', ' ', '', ']'), fc.constantFrom('x', '.', ' 2005 host', ' 20055', ' 2035 x', ',5', '.1234567 x', 'Z', 'Zx', ' UTC', ' GMT x', '_'));

const syslogLike = fc
  .tuple(usually(fc.constantFrom('', 'Sun '), fc.constantFrom('sun ', 'Xyz ', 'Sun  ')), usually(fc.constantFrom('Jan', 'Feb', 'Dec'), fc.constantFrom('feb', 'DEC', 'Foo')),
    usually(num(31), fc.oneof(edgeNum, fc.constantFrom(' 3', ' 0', '3'))), usually(fc.constant(' '), fc.constant('  ')),
    usually(num(23), edgeNum), usually(num(59), edgeNum), usually(num(59), edgeNum),
    usually(fc.oneof(fc.constant(''), digits(3).map((d) => '.' + d), digits(6).map((d) => '.' + d)), fc.oneof(digits(1).map((d) => '.' + d), digits(7).map((d) => '.' + d), fc.constant('.'))), tail)
  .map(([w, mon, d, s2, h, m, s, frac, t]) => `${w}${mon} ${d}${s2}${h}:${m}:${s}${frac}${t}`);

const isoLike = fc
  .tuple(usually(fc.constantFrom('2005', '2019'), fc.constantFrom('1999', '20x5', '2035', '2099')), usually(fc.constantFrom('-', '/', '.'), fc.constant('_')),
    usually(num(12), edgeNum), usually(num(28), edgeNum),
    usually(fc.constantFrom('T', ' '), fc.constantFrom('  ', 't', '   ')), usually(num(23), edgeNum), usually(num(59), edgeNum), usually(num(59), edgeNum),
    usually(fc.oneof(fc.constant(''), fc.tuple(fc.constantFrom('.', ','), fc.integer({ min: 1, max: 9 })).map(([c, n]) => c + '7'.repeat(n))), fc.constantFrom('.', ',', '.1234567', ',12345678', '.1234567890')),
    usually(fc.constantFrom('', ' '), fc.constantFrom('\t', '  ')),
    usually(fc.constantFrom('', 'Z', '+01', '+0100', '+01:00', '-05:30'), fc.constantFrom('UTC', 'GMT', '+25', '+1', '+01:0', '-0099', 'z', '+0100x', 'Zulu')),
    tail)
  .map(([y, sep, mo, d, t, h, m, s, frac, ws, z, rest]) => `${y}${sep}${mo}${sep === '_' ? '-' : sep}${d}${t}${h}:${m}:${s}${frac}${ws}${z}${rest}`);

const apacheLike = fc
  .tuple(usually(fc.constantFrom('192.0.2.1 - - [', '[', 'x '), fc.constantFrom('', 'x', '192.0.2.100 - bob [')),
    usually(num(31), edgeNum), usually(fc.constantFrom('/', '-'), fc.constantFrom('.', '')), usually(fc.constantFrom('Jan', 'feb', 'DEC'), fc.constantFrom('Foo', 'Ja')),
    usually(fc.constantFrom('2005', '2019'), fc.constantFrom('1999', '205', '2035')), usually(fc.constantFrom(':', ' '), fc.constantFrom('', '  ', 'T')),
    usually(num(23), edgeNum), usually(num(59), edgeNum), usually(num(59), edgeNum),
    usually(fc.constantFrom('', '.02', '.123456'), fc.constantFrom('.', '.1234567')),
    usually(fc.constantFrom(' +0100', ' -0800', ''), fc.constantFrom(' Z', ' UTC', ' +01:00', ' +01', ' +0100x', '  +0100', ' +2500')),
    usually(fc.constantFrom('] "GET / HTTP/1.1" 401 1', ' x', ''), fc.constantFrom('x', '.', '_')))
  .map(([pre, d, sep, mon, y, t, h, m, s, frac, z, rest]) => `${pre}${d}${sep}${mon}${sep === '' ? '/' : sep}${y}${t}${h}:${m}:${s}${frac}${z}${rest}`);

test('the hand-written syslog, ISO and access-log readers read exactly what the template regexes read', () => {
  const primed = (first: string) => {
    const r = bareReader(undefined);
    r.read(first);
    return r;
  };
  const cases = [
    [syslogLike, 'Jan 23 21:59:59 host x'],
    [isoLike, '2005-01-23 21:59:59 host x'],
    [apacheLike, '192.0.2.1 - - [23/Jan/2005:21:59:59 +0100] "GET / HTTP/1.1" 401 1'],
  ] as const;
  for (const [gen, first] of cases) {
    fc.assert(
      fc.property(gen, (line) => {
        const fast = primed(first).read(line); // learned: tries the hand-written reader first
        const slow = bareReader(undefined).read(line); // fresh: the regexes alone
        assert.deepEqual(fast && { ...fast }, slow && { ...slow }, JSON.stringify(line));
      }),
      { numRuns: 3000 },
    );
  }
});

test('a reader that learned from earlier lines reads each line as a fresh reader does', () => {
  const line = fc.oneof(syslogLike, isoLike, apacheLike, dateish,
    fc.tuple(fc.oneof(syslogLike, isoLike, apacheLike), fc.constantFrom(' ', ' y ', ' [', '"ts":', ' Sun '), fc.oneof(syslogLike, isoLike, apacheLike)).map(([a, s, b]) => a + s + b));
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
      const learned = bareReader(undefined);
      for (const l of lines) {
        const a = learned.read(l);
        const b = bareReader(undefined).read(l);
        assert.deepEqual(a && { ...a }, b && { ...b }, JSON.stringify(l));
      }
    }),
    { numRuns: 1500 },
  );
});

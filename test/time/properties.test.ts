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
            assert.ok(Number.isFinite(hit.time));
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

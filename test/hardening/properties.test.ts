// Property tests of the ReDoS guard and of filter loading as a whole: whatever a filter file
// holds, loading it ends in a filter or a one-line RuleError/ConfigError with a place, never
// a crash; the classic exponential shapes are always refused; the screen reads any text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadFilter } from '../../src/rules/index.ts';
import { assertNoCatastrophicBacktracking, judge, provablyUnambiguous, suspectLoops } from '../../src/rules/redos.ts';
import { ConfigError, RuleError } from '../../src/util/errors.ts';

const ATOMS = ['a', 'b', '\\w', '\\d', '\\s', '\\S', '.', '[a-z]', '[^"]', '[\\]]', '\\(', ' ', 'x'];
const QUANTS = ['', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?'];

/** Random valid JS regex sources built from atoms, groups, alternation and quantifiers. */
const regexSource: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS)).map(([a, q]) => a + q),
    fc.tuple(fc.array(tie('node'), { minLength: 1, maxLength: 3 }), fc.constantFrom('(?:', '(', '(?=', '(?!'), fc.constantFrom(...QUANTS))
      .map(([parts, open, q]) => `${open}${parts.join('')})${open.startsWith('(?=') || open.startsWith('(?!') ? '' : q}`),
    fc.tuple(tie('node'), tie('node')).map(([l, r]) => `(?:${l}|${r})`),
  ),
})).node as fc.Arbitrary<string>;

test('the loop screen reads any text without throwing, and names only loops that compile or are skipped', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 80 }), regexSource), (src) => {
      for (const l of suspectLoops(src)) assert.equal(typeof l.source, 'string');
    }),
    { numRuns: 3000 },
  );
});

test('the guard on any regex either passes or throws a RuleError naming the rule', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(regexSource, (src) => {
      const re = new RegExp(src);
      try {
        assertNoCatastrophicBacktracking(re, { file: 'p.conf', line: 1 }, 'prop');
      } catch (e) {
        assert.ok(e instanceof RuleError, String(e));
        assert.match(e.message, /^p\.conf:1: rule prop: regex refused/);
      }
    }),
    { numRuns: 150 },
  );
});

test('a loop of a loop over the same characters is always refused: (?:c+)+, (?:c*)*, (?:c|c)+, (?:c+\\s?)+', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.constantFrom('a', '\\w', '\\d', '[a-z]', '\\S', '[^ ]'), fc.constantFrom('(?:C+)+', '(?:C*)*', '(?:C|C)+', '(?:C+C?)+', '(?:C+\\s?)+'), fc.constantFrom('^x ', 'x', ''), (c, shape, prefix) => {
      const src = `${prefix}${shape.replaceAll('C', c)} from y$`;
      assert.throws(() => assertNoCatastrophicBacktracking(new RegExp(src), { file: 'p.conf', line: 2 }, 'bad'), RuleError, src);
    }),
    { numRuns: 60 },
  );
});

const FILTER_PIECES = [
  '[Definition]\n', '[INCLUDES]\n', 'before = common.conf\n', 'failregex = ', 'ignoreregex = ', 'prefregex = ', '\n', '\n  ',
  '<HOST>', '<ADDR>', '<F-USER>', '</F-USER>', '<F-CONTENT>', '</F-CONTENT>', '%(x)s', 'x = ', '(', ')', '(?P<a>', '(?P=a)',
  '\\', '\\s+', '.*', '+', '*', '?', '|', '[', ']', '^', '$', 'Failed ', 'from ', 'maxlines = ', '2', 'datepattern = ', '%Y', '{',
];

test('a filter file of any content loads, or fails with one RuleError/ConfigError line, never a crash', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-prop-filter-'));
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...FILTER_PIECES), { maxLength: 30 }).map((a) => a.join('')), (text) => {
      writeFileSync(join(dir, 'p.conf'), text);
      try {
        loadFilter({ name: 'p', options: {} }, { searchDirs: [dir] });
      } catch (e) {
        assert.ok(e instanceof RuleError || e instanceof ConfigError, `threw ${String(e)} for ${JSON.stringify(text)}`);
        assert.ok(!(e as Error).message.includes('\n'), `one line: ${(e as Error).message}`);
      }
    }),
    { numRuns: 1500 },
  );
});

test('a loop the separator rule calls unambiguous is never one recheck finds exponential', { timeout: 120_000 }, () => {
  const LITERALS = ['a', 'x', ' ', ',', '=', '\\[', '\\]', '-'];
  const anyAtoms = fc.array(fc.tuple(fc.constantFrom(...ATOMS, ...LITERALS), fc.constantFrom(...QUANTS)).map(([a, q]) => a + q), { minLength: 2, maxLength: 5 });
  // Shaped like real loops (separator, then parts each followed by a fixed character), so that
  // many pass the rule and recheck gets to judge them; some break it in small ways.
  const shaped = fc.tuple(fc.constantFrom(...LITERALS), fc.array(fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS), fc.constantFrom(...LITERALS)), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([sep, parts, prefix]) => {
      const inner = parts.map(([a, q, l]) => a + q + l);
      return prefix ? [sep, ...inner] : [...inner, sep];
    });
  const flat = fc.oneof(anyAtoms, shaped, shaped);
  let proven = 0;
  fc.assert(
    fc.property(flat, fc.constantFrom('*', '+', '*?'), (atoms, q) => {
      const body = atoms.join('');
      if (!provablyUnambiguous(body, '')) return;
      proven++;
      assert.notEqual(judge(`^(?:${body})${q}$`, ''), 'exponential', body);
    }),
    { numRuns: 600 },
  );
  assert.ok(proven > 50, `only ${proven} bodies were proven: the property tested little`);
});

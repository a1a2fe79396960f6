// Property tests of the ReDoS guard and of filter loading as a whole: whatever a filter file
// holds, loading it ends in a filter or a one-line RuleError/ConfigError with a place, never
// a crash; the classic exponential shapes never run on the backtracking engine; the screen
// reads any text; the loop analysis agrees with an independent analyzer (recheck).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadFilter } from '../../src/rules/index.ts';
import { createRequire } from 'node:module';
import { loopIsExponential } from '../../src/rules/ambiguity.ts';
import { chooseEngine } from '../../src/rules/engine-choice.ts';
import { LinearRegex } from '../../src/rules/linear-regex.ts';
import { provablyUnambiguous, suspectLoops } from '../../src/rules/redos.ts';
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

test('every regex gets an engine that compiles it, or a reason: never a crash', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(regexSource, (src) => {
      const c = chooseEngine(new RegExp(src));
      if (c.kind === 'linear') new LinearRegex(c.source, '', c.lookbehind, false);
      else if (c.kind === 'atomic-rounds') new RegExp(c.source);
      else if (c.kind === 'refused') assert.match(c.why, /loop/);
    }),
    { numRuns: 300 },
  );
});

test('a loop of a loop over the same characters never runs on the backtracking engine: (?:c+)+, (?:c*)*, (?:c|c)+, (?:c+\\s?)+', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.constantFrom('a', '\\w', '\\d', '[a-z]', '\\S', '[^ ]'), fc.constantFrom('(?:C+)+', '(?:C*)*', '(?:C|C)+', '(?:C+C?)+', '(?:C+\\s?)+'), fc.constantFrom('^x ', 'x', ''), (c, shape, prefix) => {
      const src = `${prefix}${shape.replaceAll('C', c)} from y$`;
      assert.equal(chooseEngine(new RegExp(src)).kind, 'linear', src);
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

type RecheckSync = (s: string, f: string, p?: Record<string, unknown>) => { status: string; complexity?: { type: string } };
function recheckAutomaton(): RecheckSync | null {
  try {
    return (createRequire(import.meta.url)('recheck') as { checkSync: RecheckSync }).checkSync;
  } catch {
    return null;
  }
}

test('the loop analysis agrees with recheck (automaton checker) on random loops; the quick separator rule is never wrong', { timeout: 300_000 }, (t) => {
  const checkSync = recheckAutomaton();
  if (!checkSync) return t.skip('recheck is not installed (it is an optional dependency)');
  const LITERALS = ['a', 'x', ' ', ',', '=', '\\[', '\\]', '-'];
  const anyAtoms = fc.array(fc.tuple(fc.constantFrom(...ATOMS, ...LITERALS), fc.constantFrom(...QUANTS)).map(([a, q]) => a + q), { minLength: 2, maxLength: 5 });
  // Shaped like real loops (separator, then parts each followed by a fixed character), so that
  // many are safe; some break the shape in small ways.
  const shaped = fc.tuple(fc.constantFrom(...LITERALS), fc.array(fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS), fc.constantFrom(...LITERALS)), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([sep, parts, prefix]) => {
      const inner = parts.map(([a, q, l]) => a + q + l);
      return prefix ? [sep, ...inner] : [...inner, sep];
    });
  const alternated = fc.tuple(anyAtoms, anyAtoms).map(([a, b]) => [`(?:${a.join('')}|${b.join('')})`]);
  const flat = fc.oneof(anyAtoms, shaped, shaped, alternated);
  let safe = 0;
  let dangerous = 0;
  let stricter = 0;
  fc.assert(
    fc.property(flat, fc.constantFrom('*', '+', '*?'), (atoms, q) => {
      const body = atoms.join('');
      const ours = loopIsExponential(body, '');
      if (provablyUnambiguous(body, '')) assert.equal(ours, false, `the separator rule proved ${body}, the automaton disagrees`);
      const d = checkSync(`^(?:${body})${q}$`, '', { checker: 'automaton', timeout: null });
      if (d.status === 'unknown') return;
      const theirs = d.status === 'vulnerable' && d.complexity?.type === 'exponential';
      // Never safe where recheck finds an attack. The other way round is allowed: recheck judges
      // the loop followed by the end of the line (`(?:.\s*|aa)*$` always matches, so it never
      // backtracks), we judge the loop in any context (followed by " from <HOST>" it would).
      if (theirs) assert.equal(ours, true, `loop (?:${body})${q}: recheck finds it exponential, we do not`);
      if (theirs) dangerous++;
      else if (ours === false) safe++;
      else stricter++;
    }),
    { numRuns: 400 },
  );
  assert.ok(safe > 50 && dangerous > 50, `safe ${safe}, dangerous ${dangerous}: the property tested little`);
  assert.ok(stricter < (safe + dangerous) / 5, `${stricter} loops dangerous for us only (against ${safe} safe, ${dangerous} dangerous for both)`);
});

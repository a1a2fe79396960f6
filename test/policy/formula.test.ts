// bantime.formula: fail2ban's Python expressions, evaluated without eval. Supported ones give
// Python's numbers; anything else is refused with a message naming the formula and the token.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { compileFormula } from '../../src/policy/formula.ts';
import { DEFAULT_FORMULA } from '../../src/policy/bantime.ts';
import { ConfigError } from '../../src/util/errors.ts';

const place = { file: '/etc/f2b-scan/jail.local', section: 'sshd', key: 'bantime.formula' };
const vars = { banTime: 600, banCount: 3, banFactor: 1 };
const ev = (f: string, v = vars) => compileFormula(f, place).evaluate(v);

test("fail2ban's default formula doubles per ban and stops growing at 2^20", () => {
  assert.equal(ev(DEFAULT_FORMULA, { banTime: 600, banCount: 1, banFactor: 1 }), 1200);
  assert.equal(ev(DEFAULT_FORMULA, { banTime: 600, banCount: 4, banFactor: 2 }), 600 * 16 * 2);
  assert.equal(ev(DEFAULT_FORMULA, { banTime: 60, banCount: 50, banFactor: 1 }), 60 * 2 ** 20);
});

test('Python operator rules: precedence, floor division, modulo sign, power, chained comparisons', () => {
  const cases: [string, number][] = [
    ['-2**2', -4],
    ['2**-1', 0.5],
    ['2**3**2', 512],
    ['7//-2', -4],
    ['-7 % 3', 2],
    ['7 / 2', 3.5],
    ['1 << 3 + 1', 16],
    ['1 < 2 < 3', 1],
    ['3 > 2 > 2', 0],
    ['1 if 0 else 2 if 0 else 3', 3],
    ['not 0 and 5', 5],
    ['0 or 7', 7],
    ['round(2.5) + round(3.5)', 6],
    ['int(-2.7) + abs(-1)', -1],
    ['min(5, banTime, 7) + max(ban.Count, banCount)', 8],
    ['0x10 + 1_000 + .5 + 1e2', 1116.5],
    ['math.log(8, 2) + math.sqrt(16) + math.floor(2.5) + math.ceil(2.1)', 3 + 4 + 2 + 3],
    ['6 & 3 | 8 ^ 1', (6 & 3) | (8 ^ 1)],
  ];
  for (const [f, want] of cases) assert.equal(ev(f), want, f);
});

test('refused formulas name themselves and the token refused', () => {
  const refused: [string, string][] = [
    ["__import__('os')", '"__import__"'],
    ['ban.Time.__class__', '"ban.Time.__class__"'],
    ["open('x')", '"open"'],
    ['lambda: 1', '"lambda"'],
    ['ban.Time if 1 else exec("id")', '"exec"'],
    ['().__class__', '")"'],
    ['(1).real', '"."'],
    ['math.os', '"math.os"'],
    ['globals()', '"globals"'],
    ['ban.Time * [2][0]', '"["'],
    ['"a" * 3', '""a""'],
    ['ban', '"ban"'],
    ['ban.Time +', '"end of formula"'],
    ['min(1)', '"min"'],
  ];
  for (const [f, token] of refused) {
    assert.throws(
      () => compileFormula(f, place),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, f);
        assert.ok(e.message.startsWith(`/etc/f2b-scan/jail.local [sshd] bantime.formula: formula "${f}": ${token}`), e.message);
        return true;
      },
    );
  }
});

test('a math error while evaluating is a ConfigError naming the formula and the values', () => {
  assert.throws(() => ev('ban.Time / (ban.Count - 3)'), /formula "ban\.Time \/ \(ban\.Count - 3\)": division by zero \(ban\.Time=600, ban\.Count=3/);
  assert.throws(() => ev('1.5 << 1'), /<< needs whole numbers/);
  assert.throws(() => ev('math.log(0)'), ConfigError);
});

test('a formula nested too deep or too long is refused, not a stack overflow', () => {
  assert.throws(() => compileFormula('('.repeat(5000) + '1' + ')'.repeat(5000), place), ConfigError);
  assert.throws(() => compileFormula('-'.repeat(900) + '1', place), ConfigError);
  assert.throws(() => compileFormula('1+'.repeat(600) + '1', place), /longer than 1000/);
});

const TOKENS = ['ban.Time', 'ban.Count', 'banFactor', 'ban', '.', '__class__', '(', ')', '[', ']', ',', '+', '-', '*', '/', '//', '%', '**', '<<', '>>', '<', '==', 'if', 'else', 'and', 'not', 'min', 'max', 'math.exp', 'math.log', 'int', 'round', 'open', "'x'", '"', '1', '0', '2.5', '1e308', '0x', '_', 'lambda', ':', '\\', '\0', '😀'];

test('property: any input either evaluates to a number or fails with a ConfigError', () => {
  const input = fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join(' ')), fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join('')));
  const nums = fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double({ noNaN: false }));
  fc.assert(
    fc.property(input, nums, nums, nums, (text, t, c, f) => {
      try {
        const v = compileFormula(text, place).evaluate({ banTime: t, banCount: c, banFactor: f });
        return typeof v === 'number';
      } catch (e) {
        return e instanceof ConfigError;
      }
    }),
    { numRuns: 3000 },
  );
});

// Differential check against Python itself: generated expressions from the supported subset
// must give python3's value (or fail where Python raises).
function exprArb(): fc.Arbitrary<string> {
  const { int, num } = fc.letrec<{ int: string; num: string }>((tie) => ({
    int: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: 0, max: 20 }).map(String),
      fc.constantFrom('ban.Count', 'ban.Time'),
      fc.tuple(tie('int'), fc.constantFrom('+', '-', '*'), tie('int')).map(([a, o, b]) => `(${a} ${o} ${b})`),
      fc.tuple(tie('int'), fc.constantFrom('<<', '>>'), fc.integer({ min: 0, max: 20 })).map(([a, o, b]) => `(${a} ${o} ${b})`),
      fc.tuple(tie('int'), fc.constantFrom('&', '|', '^'), tie('int')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    ),
    num: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('int'),
      fc.constantFrom('banFactor', '0.5', '2.25', '1e3'),
      fc.tuple(tie('num'), fc.constantFrom('+', '-', '*', '/', '//', '%'), tie('num')).map(([a, o, b]) => `(${a} ${o} ${b})`),
      fc.tuple(tie('num'), fc.constantFrom('**'), fc.integer({ min: -2, max: 3 })).map(([a, o, b]) => `(${a} ${o} ${b})`),
      fc.tuple(tie('num'), fc.constantFrom('<', '<=', '==', '!=', '>'), tie('num')).map(([a, o, b]) => `(${a} ${o} ${b})`),
      fc.tuple(tie('num'), tie('num'), tie('num')).map(([a, c, b]) => `(${a} if ${c} else ${b})`),
      fc.tuple(fc.constantFrom('min', 'max'), tie('num'), tie('num')).map(([f, a, b]) => `${f}(${a}, ${b})`),
      fc.tuple(fc.constantFrom('abs', 'float', 'int', 'round', 'math.floor', 'math.ceil'), tie('num')).map(([f, a]) => `${f}(${a})`),
      tie('num').map((a) => `-${a}`),
    ),
  }));
  void int;
  return num;
}

test('generated formulas give the same value as python3', (t) => {
  const py = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' });
  if (py.status !== 0) return t.skip('python3 is not installed');
  const exprs = fc.sample(exprArb(), { numRuns: 400, seed: 20261124 });
  const script = `
import sys, json, math
class Ban:
    Time = 600
    Count = 3
out = []
for e in json.load(sys.stdin):
    try:
        v = eval(e, {'__builtins__': {'min': min, 'max': max, 'abs': abs, 'float': float, 'int': int, 'round': round}, 'math': math},
                 {'ban': Ban, 'banFactor': 1.5, 'banTime': 600, 'banCount': 3})
        out.append(repr(float(v)) if not isinstance(v, complex) else 'error')
    except OverflowError:
        out.append('inf')
    except Exception:
        out.append('error')
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(exprs), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want: string[] = JSON.parse(r.stdout);
  let compared = 0;
  for (const [i, e] of exprs.entries()) {
    let got: number | 'error';
    try {
      got = compileFormula(e, place).evaluate({ banTime: 600, banCount: 3, banFactor: 1.5 });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      got = 'error';
    }
    const w = want[i]!;
    if (w === 'inf' || (typeof got === 'number' && !Number.isFinite(got))) continue; // Python ints do not overflow; doubles do
    if (w === 'error') {
      assert.equal(got, 'error', `${e}: python raised, we gave ${got}`);
      continue;
    }
    assert.notEqual(got, 'error', `${e}: python gave ${w}, we refused`);
    const wn = Number(w);
    assert.ok(Math.abs((got as number) - wn) <= 1e-9 * Math.max(1, Math.abs(wn)), `${e}: python ${w}, ours ${got}`);
    compared++;
  }
  assert.ok(compared > 200, `only ${compared} values compared`);
});

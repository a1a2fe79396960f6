import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { translatePyRegex } from '../../src/rules/pyregex.ts';
import { RuleError } from '../../src/util/errors.ts';

/** The named groups a Python pattern captures on a line, as the engine reads them. */
function groups(py: string, line: string, multiline = false): Record<string, string> | null {
  const js = translatePyRegex(py, { multiline });
  const m = js.regex.exec(line);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const [name, list] of js.groups) {
    if (name.startsWith('__')) continue;
    for (const j of list) {
      const v = m.groups?.[j];
      if (v !== undefined) {
        out[name] = v;
        break;
      }
    }
  }
  return out;
}

test('(?P<name>...) captures under its name and (?P=name) matches the same text again', () => {
  assert.deepEqual(groups(String.raw`user (?P<u>\w+) retried (?P=u)`, 'user bob retried bob'), { u: 'bob' });
  assert.equal(groups(String.raw`user (?P<u>\w+) retried (?P=u)\b`, 'user bob retried alice'), null);
});

test('a leading (?i) makes the whole rule case-insensitive', () => {
  const js = translatePyRegex('(?i)^login failed');
  assert.equal(js.flags.includes('i'), true);
  assert.ok(js.regex.test('LOGIN FAILED'));
});

test('a scoped (?i:...) or a mid-pattern (?i) ignores case only where it applies', () => {
  assert.ok(translatePyRegex('SASL (?i:login) failed').regex.test('SASL LoGiN failed'));
  assert.ok(!translatePyRegex('SASL (?i:login) failed').regex.test('sasl login failed'));
  // postfix.conf writes ((?i)LOGIN|PLAIN|...): Python 3.11 refuses it, we scope it to the group
  const js = translatePyRegex('SASL ((?i)LOGIN|PLAIN) authentication failed');
  assert.ok(js.regex.test('SASL login authentication failed'));
  assert.ok(js.regex.test('SASL Plain authentication failed'));
  assert.ok(!js.regex.test('sasl login authentication failed'));
});

test('case-insensitive character classes and ranges take both cases', () => {
  assert.ok(translatePyRegex('(?i:[a-c]x)').regex.test('BX'));
  assert.ok(translatePyRegex('(?i:[q]x)').regex.test('QX'));
});

test('\\A and \\Z anchor the whole text, also in multi-line mode', () => {
  assert.ok(translatePyRegex(String.raw`\Afoo\Z`).regex.test('foo'));
  const ml = translatePyRegex(String.raw`\Afoo$`, { multiline: true });
  assert.ok(ml.regex.test('foo\nbar'));
  assert.ok(!ml.regex.test('bar\nfoo'));
  const z = translatePyRegex(String.raw`^bar\Z`, { multiline: true });
  assert.ok(z.regex.test('foo\nbar'));
  assert.ok(!z.regex.test('bar\nfoo'));
});

test("a conditional group (?(name)yes|no) follows whether the group took part, as sshd's rule needs", () => {
  const py = String.raw`^Failed \S+ for (?P<cond_inv>invalid user )?(?P<user>(?P<cond_user>\S+)|(?(cond_inv)(?:(?! from ).)*?|[^:]+)) from (?P<ip>\S+)(?: port \d+)?(?: ssh\d*)?(?(cond_user): |(?:(?:(?! from ).)*)$)`;
  assert.deepEqual(groups(py, 'Failed password for root from 192.0.2.1 port 22 ssh2'), { user: 'root', ip: '192.0.2.1' });
  assert.deepEqual(groups(py, 'Failed password for invalid user a b from 192.0.2.2 port 22 ssh2'), {
    cond_inv: 'invalid user ',
    user: 'a b',
    ip: '192.0.2.2',
  });
  // With a single-word user the rule insists on ": " after the address (the key digest follows).
  assert.deepEqual(groups(py, 'Failed publickey for bob from 192.0.2.3 port 22 ssh2: RSA xx'), {
    user: 'bob',
    cond_user: 'bob',
    ip: '192.0.2.3',
  });
});

test('atomic groups and possessive quantifiers never give back what they took', () => {
  assert.ok(!translatePyRegex('a(?>bc|b)c$').regex.test('abc'));
  assert.ok(translatePyRegex('a(?>bc|b)c$').regex.test('abcc'));
  assert.ok(!translatePyRegex('^a*+a').regex.test('aaa'));
});

test("Python's literal forms: {,n}, a leading ] in a set, (?#comments)", () => {
  assert.ok(translatePyRegex('^x{,2}y$').regex.test('xxy'));
  assert.ok(!translatePyRegex('^x{,2}y$').regex.test('xxxy'));
  assert.ok(translatePyRegex('^[]a]+$').regex.test(']a]'));
  assert.ok(translatePyRegex('^a(?#why)b$').regex.test('ab'));
});

test('a pattern Python would reject is a RuleError naming where it was written', () => {
  const place = { file: '/etc/f2b-scan/filter.d/x.conf', line: 7 };
  for (const bad of ['a(b', 'a)b', '[a-', '(?P<1x>a)', '*a', '(?P=nope)', '\\q', 'a{3,1}']) {
    assert.throws(
      () => translatePyRegex(bad, { place }),
      (e: unknown) => e instanceof RuleError && e.message.startsWith('/etc/f2b-scan/filter.d/x.conf:7: bad regex'),
      bad,
    );
  }
});

test('every match of a rule holds one of its needle words (the prefilter is safe)', () => {
  const js = translatePyRegex(String.raw`^(?:error: )?Failed (?:password|publickey) for \S+ from (?P<ip>\S+)`);
  assert.deepEqual(js.needles.sort(), ['password', 'publickey']);
  for (const line of ['Failed password for a from b', 'error: Failed publickey for a from b']) {
    assert.ok(js.regex.test(line) && js.needles.some((n) => line.includes(n)));
  }
  const alt = translatePyRegex(String.raw`^[iI](?:llegal|nvalid) user \S+`);
  assert.deepEqual(alt.needles.sort(), ['llegal', 'nvalid']);
});

test('translation of arbitrary text either works or is a RuleError, never anything else', () => {
  const alphabet = fc.constantFrom(...'()[]{}?*+|\\^$.:-=!<>Pia0123,sSdDwWbAZxu#'.split(''), 'a', '(?P<', '(?(', '(?P=', '(?i)', '(?>', '\\');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')), fc.boolean(), (src, multiline) => {
      try {
        const js = translatePyRegex(src, { multiline });
        assert.ok(js.regex instanceof RegExp);
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
      }
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (src) => {
      try {
        translatePyRegex(src);
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

test('a dot matches anything but a newline, as in Python: a U+2028 or CR in a user name does not dodge a rule', () => {
  const js = translatePyRegex(String.raw`^Failed for .* from (?P<ip>\S+)$`);
  assert.ok(js.regex.test('Failed for a\u2028b from 192.0.2.1'));
  assert.ok(js.regex.test('Failed for a\rb from 192.0.2.1'));
  assert.ok(!js.regex.test('Failed for a\nb from 192.0.2.1'));
  assert.ok(translatePyRegex('(?s)^a.b$').regex.test('a\nb'));
});

test('in multi-line mode ^ and $ stop at newlines only', () => {
  const js = translatePyRegex('^b$', { multiline: true });
  assert.ok(js.regex.test('a\nb\nc'));
  assert.ok(!js.regex.test('a\rb'));
  assert.ok(!js.regex.test('a\u2028b'));
});

// Property tests: whatever text a configuration holds, the reader fails only with a
// ConfigError (a one-line message with a place), never with a crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIni, splitList, splitNameOptions, splitRefs } from '../../src/config/ini.ts';
import { IniStore } from '../../src/config/store.ts';
import { parseDuration, tryParseDuration } from '../../src/config/duration.ts';
import { ConfigError } from '../../src/util/errors.ts';

/** Text made of the pieces the INI dialect gives meaning to, so runs hit the interesting paths. */
const PIECES = [
  '[', ']', '[DEFAULT]', '[INCLUDES]', '[sshd]', '[a]', '=', ':', '\n', '\n', '\n  ', ' ', '\t', ';', ' ;', '#', '%', '%%',
  '%(', ')s', '%(a)s', '%(b)s', '%(__name__)s', '%(known/a)s', '%(default/b)s', '%(sshd/a)s', '%(nope)s', 'a', 'b',
  'A', 'known/', 'before', 'after', '"', "'", ',', '\r', '\uFEFF', '__proto__', 'constructor', 'x', '1',
];
const iniText = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((a) => a.join('')),
  fc.string({ maxLength: 200 }),
);

function onlyConfigErrors(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `threw ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'the message is one line');
  }
}

test('parseIni reads any text without throwing', () => {
  fc.assert(
    fc.property(iniText, (text) => {
      const { sections, problems } = parseIni(text, 'x.conf');
      for (const p of problems) assert.ok(p.line >= 1);
      assert.ok(sections instanceof Map);
    }),
    { numRuns: 2000 },
  );
});

test('IniStore on any text fails only with a ConfigError, for every key of every section', () => {
  fc.assert(
    fc.property(iniText, iniText, (a, b) => {
      const s = new IniStore();
      s.addText(a, 'jail.conf');
      s.addText(b, 'jail.local');
      for (const section of [...s.sections(), 'DEFAULT']) {
        for (const key of s.keys(section)) onlyConfigErrors(() => s.get(section, key));
        onlyConfigErrors(() => s.expand(section, a));
      }
    }),
    { numRuns: 1000 },
  );
});

test('splitNameOptions, splitRefs and splitList never throw', () => {
  const refText = fc.oneof(
    fc.array(fc.constantFrom('a', 'b', '[', ']', '=', ',', '"', "'", ' ', '\n', 'x=1', '<known/chain>', '__proto__'), {
      maxLength: 40,
    }).map((p) => p.join('')),
    fc.string({ maxLength: 100 }),
  );
  fc.assert(
    fc.property(refText, (text) => {
      const r = splitNameOptions(text);
      if (r) assert.equal(typeof r.name, 'string');
      for (const item of splitRefs(text)) splitNameOptions(item);
      splitList(text);
    }),
    { numRuns: 3000 },
  );
});

test('options written as name[k="v", ...] read back as written (trimmed, as fail2ban)', () => {
  const key = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,8}$/);
  const value = fc.string({ maxLength: 12 }).filter((v) => !v.includes('"'));
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.dictionary(key, value, { maxKeys: 5 }), (name, options) => {
      const text = `${name}[${Object.entries(options).map(([k, v]) => `${k}="${v}"`).join(', ')}]`;
      const trimmed = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, v.trim()]));
      assert.deepEqual(splitNameOptions(text), { name, options: trimmed });
      assert.deepEqual(splitRefs(`${text}\n${text}`), [text, text].map((x) => x.replace(/\s+/g, (m) => m)));
    }),
  );
});

test('a duration is a number or a ConfigError, never a crash', () => {
  const durText = fc.oneof(
    fc.array(fc.constantFrom('1', '10', '.5', 'm', 'h', 'd', 'mo', 'y', 'w', ' ', '-', '+', '*', '/', '(', ')', 'x'), {
      maxLength: 12,
    }).map((p) => p.join('')),
    fc.string({ maxLength: 30 }),
  );
  fc.assert(
    fc.property(durText, (text) => {
      const v = tryParseDuration(text);
      assert.ok(typeof v === 'string' || Number.isFinite(v));
      onlyConfigErrors(() => parseDuration(text, { file: 'jail.local', section: 's', key: 'bantime' }));
    }),
    { numRuns: 3000 },
  );
});

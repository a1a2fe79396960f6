// Differential tests: random configurations read by f2b-scan and by fail2ban 1.0.2's own
// reader (Debian's python3-fail2ban), value by value. Where fail2ban refuses a value
// (an unknown or looping reference) we may be more lenient; where it gives a value we
// must give the same one.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseIni, splitNameOptions, splitRefs } from '../../src/config/ini.ts';
import { IniStore } from '../../src/config/store.ts';
import { tryParseDuration } from '../../src/config/duration.ts';

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => {
  try {
    execFileSync(p, ['-c', 'import fail2ban.client.configparserinc'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const NO_FAIL2BAN = "fail2ban's Python package is not installed: nothing to compare with";

/** Run fail2ban's reader over cases written to files; returns its JSON answer. */
function fail2ban<T>(t: TestContext, cases: string[][], script: string): T[] {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-diff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = cases.map((layers, i) =>
    layers.map((text, j) => {
      const f = join(dir, `c${i}_${j}.conf`);
      writeFileSync(f, text);
      return f;
    }),
  );
  const prelude = 'import json, sys\nfrom fail2ban.client.configparserinc import SafeConfigParserWithIncludes as P\n';
  const out = execFileSync(PYTHON!, ['-c', prelude + script], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out);
}

test('INI text reads into the same sections, keys and values as fail2ban reads it', (t) => {
  if (!PYTHON) return t.skip(NO_FAIL2BAN);
  const value = fc
    .array(fc.constantFrom('v', 'w x', ';', ' ;c', '#', ' #c', '%%', '"', ':', '=', '[', ']', ' ', '\t'), { maxLength: 6 })
    .map((a) => a.join(''));
  const line = fc.oneof(
    fc.tuple(fc.constantFrom('k', 'x', 'K', 'a b', 'x.y'), fc.constantFrom(' = ', '=', ': ', ' =', ':'), value).map(
      ([k, s, v]) => k + s + v,
    ),
    fc.tuple(fc.constantFrom(' ', '  ', '\t'), value).map(([i, v]) => i + v),
    fc.constantFrom('', ' ', '# c', '; c', '  # c', '  ; c', '[a]', '[b]', '[DEFAULT]', '[b] # the b jail', ' [b]'),
  );
  const texts = fc.sample(
    fc.array(line, { minLength: 1, maxLength: 12 }).map((a) => '[a]\n' + a.join('\n') + '\n'),
    { numRuns: 1500, seed: 42 },
  );
  const theirs = fail2ban<Record<string, Record<string, string>> | null>(
    t,
    texts.map((x) => [x]),
    `out = []
for [f] in json.load(sys.stdin):
    p = P(strict=False)
    try:
        p.read_string(open(f).read())
        o = {s: {k: v for k, v in p._sections[s].items() if k != '__name__'} for s in p._sections}
        if p._defaults: o['DEFAULT'] = dict(p._defaults)
        out.append(o)
    except Exception:
        out.append(None)
print(json.dumps(out))`,
  );
  let compared = 0;
  texts.forEach((text, i) => {
    const { sections, problems } = parseIni(text, 'x.conf');
    const expected = theirs[i]!;
    if (expected === null) {
      assert.ok(problems.length > 0, `fail2ban refuses, we should report a problem:\n${text}`);
      return;
    }
    assert.deepEqual(problems, [], text);
    const ours: Record<string, Record<string, string>> = {};
    for (const [name, keys] of sections) {
      if (name === 'DEFAULT' && keys.size === 0) continue;
      ours[name] = Object.fromEntries([...keys].map(([k, e]) => [k, e.value]));
    }
    assert.deepEqual(ours, expected, text);
    compared++;
  });
  t.diagnostic(`compared ${compared} files with fail2ban`);
  assert.ok(compared > 500, `compared ${compared} files`);
});

test('layered %(x)s, %(known/x)s, %(default/x)s, %(section/x)s and %(__name__)s resolve as fail2ban resolves them', (t) => {
  if (!PYTHON) return t.skip(NO_FAIL2BAN);
  const piece = fc.constantFrom(
    '%(k)s', '%(x)s', '%(y)s', '%(known/k)s', '%(known/x)s', '%(default/k)s', '%(default/y)s', '%(a/k)s', '%(b/x)s',
    '%(__name__)s', 'v', 'w', ' ', '-',
  );
  const kv = fc.tuple(fc.constantFrom('k', 'x', 'y'), fc.array(piece, { minLength: 1, maxLength: 3 })).map(
    ([k, v]) => `${k} = ${v.join('')}`,
  );
  // fail2ban refuses a section or key written twice in one file: keep them unique.
  const keys = fc.uniqueArray(kv, { maxLength: 3, selector: (l) => l[0] });
  const section = fc.tuple(fc.constantFrom('[a]', '[b]', '[DEFAULT]'), keys).map(([h, l]) => [h, ...l].join('\n'));
  const layer = fc
    .uniqueArray(section, { minLength: 1, maxLength: 3, selector: (s) => s.split('\n')[0] })
    .map((s) => s.join('\n') + '\n');
  const cases = fc.sample(fc.array(layer, { minLength: 1, maxLength: 3 }), { numRuns: 3000, seed: 7 });
  const theirs = fail2ban<Record<string, string | null> | null>(
    t,
    cases,
    `out = []
for files in json.load(sys.stdin):
    p = P(strict=False)
    try:
        p.read(files)
    except Exception:
        out.append(None)  # e.g. a section written twice in one file
        continue
    o = {}
    for s in ['a', 'b']:
        if not p.has_section(s): continue
        for k in ['k', 'x', 'y']:
            if not p.has_option(s, k): continue
            try:
                o[s + '.' + k] = p.get(s, k)
            except Exception:
                o[s + '.' + k] = None
    out.append(o)
print(json.dumps(out))`,
  );
  let compared = 0;
  cases.forEach((layers, i) => {
    const store = new IniStore();
    layers.forEach((text, j) => store.addText(text, `c${i}_${j}.conf`));
    for (const [where, expected] of Object.entries(theirs[i] ?? {})) {
      if (expected === null) continue; // fail2ban refuses it; we may be lenient
      const [section, key] = where.split('.') as [string, string];
      let ours: string | undefined;
      assert.doesNotThrow(() => (ours = store.get(section, key)), `${where} in\n${layers.join('~~\n')}`);
      assert.equal(ours, expected, `${where} in\n${layers.join('~~\n')}`);
      compared++;
    }
  });
  t.diagnostic(`compared ${compared} values with fail2ban`);
  assert.ok(compared > 200, `compared ${compared} values`);
});

test('name[k=v, ...] reads as fail2ban reads it, wherever fail2ban accepts the text', (t) => {
  if (!PYTHON) return t.skip(NO_FAIL2BAN);
  const value = fc.oneof(
    fc.constantFrom('ssh', 'tcp', '', ' x ', '<known/chain>', '0:65535', 'a b', '-', '%(x)s'),
    fc.constantFrom('"ssh, 2222"', '" [q] "', "'single'", '"x', "'", '""', '"a"b'),
    fc.array(fc.constantFrom('a', '[', ']', '=', ',', '"', "'", ' ', '\n'), { maxLength: 4 }).map((a) => a.join('')),
  );
  const option = fc.tuple(fc.constantFrom('port', 'k', 'name', 'x.y', 'a-b', 'bad key', ''), value).map(([k, v]) => `${k}=${v}`);
  const group = fc.array(option, { maxLength: 4 }).chain((opts) =>
    fc.constantFrom(', ', ',', ' , ', '\n').map((sep) => opts.join(sep)),
  );
  const texts = fc.sample(
    fc.tuple(fc.constantFrom('sshd', 'iptables-multiport', ' name '), fc.array(group, { minLength: 1, maxLength: 2 })).map(
      ([n, groups]) => `${n}[${groups.join('][')}]`,
    ),
    { numRuns: 4000, seed: 3 },
  );
  const out = execFileSync(
    PYTHON,
    [
      '-c',
      `import json, sys
from fail2ban.helpers import extractOptions
out = []
for s in json.load(sys.stdin):
    try:
        n, o = extractOptions(s)
        out.append([n.strip(), o])
    except Exception:
        out.append(None)
print(json.dumps(out))`,
    ],
    { input: JSON.stringify(texts), encoding: 'utf8' },
  );
  const theirs: ([string, Record<string, string>] | null)[] = JSON.parse(out);
  let compared = 0;
  texts.forEach((text, i) => {
    const expected = theirs[i];
    if (!expected) return; // fail2ban refuses it; we may be lenient
    assert.deepEqual(splitNameOptions(text), { name: expected[0], options: expected[1] }, JSON.stringify(text));
    compared++;
  });
  t.diagnostic(`compared ${compared} option lists with fail2ban`);
  assert.ok(compared > 1000, `compared ${compared}`);
});

test('an action list splits into the same entries as fail2ban splits it', (t) => {
  if (!PYTHON) return t.skip(NO_FAIL2BAN);
  const entry = fc.oneof(
    fc.constantFrom('hostsdeny', 'iptables-multiport[port="ssh", protocol="tcp"]', 'x[a=1][b=2]', 'mail [dest="a b"]'),
    fc.constantFrom('sendmail-whois[name=SSH,\n   dest="root, admin"]', "y[k='v w']", 'z[k=a b]', 'w[]', 'v[k="[x]"]'),
  );
  const sep = fc.constantFrom('\n', ' ', '\n   ', '  ', '\n\n');
  const lists = fc.sample(
    fc.array(fc.tuple(entry, sep), { minLength: 1, maxLength: 4 }).map((a) => a.map(([e, s]) => e + s).join('')),
    { numRuns: 1500, seed: 11 },
  );
  const out = execFileSync(
    PYTHON,
    [
      '-c',
      `import json, sys
from fail2ban.helpers import splitWithOptions
print(json.dumps([[a.strip() for a in splitWithOptions(s) if a.strip()] for s in json.load(sys.stdin)]))`,
    ],
    { input: JSON.stringify(lists), encoding: 'utf8' },
  );
  const theirs: string[][] = JSON.parse(out);
  lists.forEach((list, i) => {
    const ours = splitRefs(list).map((r) => splitNameOptions(r));
    const expected = theirs[i]!.map((r) => splitNameOptions(r));
    assert.deepEqual(ours, expected, JSON.stringify(list));
  });
});

test('durations read as fail2ban reads them, wherever fail2ban gives a number', (t) => {
  if (!PYTHON) return t.skip(NO_FAIL2BAN);
  const piece = fc.constantFrom(
    '1', '10', '2', '0', '.5', '1.5', 'm', 'h', 'd', 'w', 'mo', 'y', 's', 'min', 'hours', 'days', 'week', 'sec', 'mm', 'hh',
    'dd', 'ww', 'yy', 'ss', 'M', 'H', 'D', ' ', '  ', '-', '+', '*', '(', ')',
  );
  const quantity = fc
    .tuple(fc.constantFrom('1', '10', '2', '.5', '1.5', '-1', '(1+2)'), fc.constantFrom('', ' '), piece)
    .map(([n, sp, u]) => n + sp + u);
  const structured = fc
    .array(fc.tuple(quantity, fc.constantFrom(' ', '', '+', ' - ', '*', '/2 ')), { minLength: 1, maxLength: 4 })
    .map((a) => a.map(([q, op]) => q + op).join('').trim());
  const loose = fc.array(piece, { minLength: 1, maxLength: 7 }).map((a) => a.join(''));
  const texts = fc.sample(fc.oneof(structured, loose), { numRuns: 4000, seed: 5 });
  const out = execFileSync(
    PYTHON,
    [
      '-c',
      `import json, sys
from fail2ban.server.mytime import MyTime
out = []
for s in json.load(sys.stdin):
    try:
        v = MyTime.str2seconds(s)
        out.append(v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
    except Exception:
        out.append(None)
print(json.dumps(out))`,
    ],
    { input: JSON.stringify(texts), encoding: 'utf8' },
  );
  const theirs: (number | null)[] = JSON.parse(out);
  let compared = 0;
  texts.forEach((text, i) => {
    const expected = theirs[i];
    if (expected === null || expected === undefined) return;
    // fail2ban rewrites text into Python: in "1w.5" the unit's factor swallows ".5". Not a duration anyone writes.
    // Python's ** and // operators are not durations anyone writes either.
    if (/[a-z]\./i.test(text) || /\*\s*\*|\/\s*\//.test(text)) return;
    const ours = tryParseDuration(text);
    assert.equal(typeof ours, 'number', `${JSON.stringify(text)}: fail2ban reads ${expected}, we say ${ours}`);
    assert.ok(Math.abs((ours as number) - expected) < 1e-6, `${JSON.stringify(text)}: fail2ban ${expected}, ours ${ours}`);
    compared++;
  });
  t.diagnostic(`compared ${compared} durations with fail2ban`);
  assert.ok(compared > 500, `compared ${compared}`);
});

// The shipped rule library (rules/filter.d) against its own annotated sample logs
// (test/samples/<rule>, fail2ban's failJSON format): every line annotated as a failure is
// reported with that host, time (and user, where annotated), every other line is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadFilter, createMatcher } from '../../src/rules/index.ts';
import { README, withCatalogue } from '../../scripts/rule-catalogue.ts';
import { FILTER_DIR as filterDir, SAMPLES_DIR as samplesDir, ROOT as root, SAMPLE_ZONE as ZONE, SAMPLE_NOW as NOW, readSample, normHost, shippedRules, zurichEpoch } from '../helpers/samples.ts';

const rules = shippedRules();

test('every shipped rule has an annotated sample log', () => {
  const missing = rules.filter((r) => !existsSync(join(samplesDir, r)));
  assert.deepEqual(missing, []);
});

test('every shipped rule says in one line what it catches (# description:, read by list-filters)', () => {
  const without = rules.filter((r) => {
    const head = readFileSync(join(filterDir, `${r}.conf`), 'utf8').split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('#')));
    return !head.some((l) => /^# description: \S.{9,}/.test(l));
  });
  assert.deepEqual(without, []);
});

test('the catalogue in rules/filter.d/README.md is the one the rules and samples give (scripts/rule-catalogue.ts)', () => {
  const readme = readFileSync(README, 'utf8');
  const expected = withCatalogue(readme, rules);
  assert.ok(expected !== null, 'the catalogue markers are missing from rules/filter.d/README.md');
  assert.ok(expected === readme, 'rules/filter.d/README.md is out of date: run node --import tsx scripts/rule-catalogue.ts');
  assert.ok(readme.includes(`${rules.length} rules.`));
});

test('every jail in rules/jail.conf names a rule that ships', () => {
  const text = readFileSync(join(root, 'rules', 'jail.conf'), 'utf8');
  const jails = [...text.matchAll(/^\[([^\]]+)\]/gm)].map((m) => m[1]!).filter((j) => j !== 'DEFAULT' && j !== 'INCLUDES');
  const filterOf = (jail: string): string => {
    const sect = text.split(/^\[/m).find((s) => s.startsWith(`${jail}]`)) ?? '';
    const f = /^filter\s*=\s*([\w-]+)/m.exec(sect);
    return f ? f[1]! : jail;
  };
  const unknown = jails.filter((j) => !rules.includes(filterOf(j)));
  assert.deepEqual(unknown, []);
  assert.ok(jails.length >= rules.length, `${jails.length} jails for ${rules.length} rules`);
});

for (const name of rules) {
  test(`rule ${name} reports exactly the failures annotated in test/samples/${name}`, (t) => {
    if (!existsSync(join(samplesDir, name))) return t.skip('no sample log');
    const problems: string[] = [];
    let checked = 0;
    for (const { key, options, lines } of readSample(name)) {
      const filter = loadFilter({ name, options }, { searchDirs: [filterDir] });
      const matcher = createMatcher(filter, { now: NOW, timezone: ZONE });
      lines.forEach((exp, i) => {
        const got = matcher.push(exp.line)[0];
        checked++;
        const where = `${key} line ${i + 1}: ${exp.line.slice(0, 120)}`;
        if (!exp.match) {
          if (got) problems.push(`${where}\n    reported ${got.host}, expected nothing`);
          return;
        }
        if (!got) return void problems.push(`${where}\n    missed`);
        if (exp.host !== undefined && normHost(got.host) !== normHost(exp.host)) problems.push(`${where}\n    host ${got.host}, expected ${exp.host}`);
        if (exp.user !== undefined && got.user !== exp.user) problems.push(`${where}\n    user ${JSON.stringify(got.user)}, expected ${JSON.stringify(exp.user)}`);
        if (exp.time !== undefined && (got.time === null || Math.floor(got.time) !== zurichEpoch(exp.time))) {
          problems.push(`${where}\n    time ${got.time}, expected ${zurichEpoch(exp.time)} (${exp.time})`);
        }
      });
    }
    assert.ok(checked > 0, 'the sample has lines');
    assert.deepEqual(problems, []);
  });
}

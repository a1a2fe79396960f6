import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function checkConfig(configDir: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'check-config', '--config', configDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A config dir with one enabled jail `web` using filter `web` (options as given). */
function configWith(filterText: string, filterRef = 'web'): string {
  const dir = tempDir('f2b-check-');
  mkdirSync(join(dir, 'filter.d'));
  const log = join(dir, 'web.log');
  writeFileSync(log, '');
  writeFileSync(
    join(dir, 'jail.conf'),
    `[DEFAULT]
maxretry = 5
findtime = 10m
bantime = 1h
banaction = iptables-multiport

[web]
enabled = true
filter = ${filterRef}
logpath = ${log}
port = http,https
`,
  );
  writeFileSync(join(dir, 'filter.d', 'web.conf'), filterText);
  return dir;
}

test('check-config passes a sound configuration with a one-line summary', () => {
  const dir = configWith('[Definition]\nfailregex = ^\\s*\\S+ web: denied <HOST>$\n');
  const r = checkConfig(dir);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, 'configuration OK: 1 enabled jail (web), 1 rule, 1 regexes compiled\n');
});

test('check-config names the file and line of a broken regex in a rule', () => {
  const dir = configWith('[Definition]\nfailregex = ^ok <HOST>$\n            ^broken (<HOST>\n');
  const r = checkConfig(dir);
  assert.equal(r.code, 2);
  const first = r.out.split('\n')[0]!;
  assert.match(first, new RegExp(`^${join(dir, 'filter.d', 'web.conf').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: bad regex: missing \\), unterminated subpattern: "\\^broken \\(<HOST>"$`));
  assert.match(r.out, /^1 problem found$/m);
});

test('check-config reports a rule without <HOST> and an unknown filter as problems, an option the rule does not use as a warning', () => {
  const noHost = checkConfig(configWith('[Definition]\nfailregex = ^login failed$\n'));
  assert.equal(noHost.code, 2);
  assert.match(noHost.out, /web\.conf:2: failregex has no <HOST>/);

  const unknown = checkConfig(configWith('[Definition]\nfailregex = ^x <HOST>$\n', 'nosuchrule'));
  assert.equal(unknown.code, 2);
  assert.match(unknown.out, /jail\.conf:9: \[web\] filter: unknown filter 'nosuchrule'/);

  // fail2ban ignores an option a filter does not use: the run goes on, check-config warns.
  const option = checkConfig(configWith('[Definition]\nfailregex = ^x <HOST>$\nmode = normal\n', 'web[mode=ddos, colour=red]'));
  assert.equal(option.code, 0, option.out + option.err);
  assert.match(option.err, /warning: .*jail\.conf:9: \[web\] filter: option 'colour' is not used by rule web/);
  assert.doesNotMatch(option.err, /'mode'/);
});

test('check-config flags a log path that is not a readable file', () => {
  const dir = configWith('[Definition]\nfailregex = ^x <HOST>$\n');
  writeFileSync(join(dir, 'jail.local'), `[web]\nlogpath = ${dir}\n`);
  const r = checkConfig(dir);
  assert.equal(r.code, 2);
  assert.match(r.out, /jail\.local:2: \[web\] logpath .*: is a directory/);
});

test('check-config passes the shipped rules', () => {
  const r = checkConfig(join(ROOT, 'rules'));
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^configuration OK: \d+ enabled jails? \(.*sshd.*\)/);
});

const STOCK = '/etc/fail2ban';
const noStock = existsSync(join(STOCK, 'jail.conf')) ? false : "Debian's fail2ban package is not installed (no /etc/fail2ban)";

test("check-config on Debian's untouched /etc/fail2ban exits 0, and findings in its stock files are notes", { skip: noStock }, () => {
  const r = checkConfig(STOCK);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^configuration OK: /);
  assert.doesNotMatch(r.err, /warning: .*filter\.d/);
});

test("check-config with all 91 jails of Debian's jail.conf enabled: exit 0 well under a minute, the same verdict every time, risky loops named as notes", { skip: noStock, timeout: 180_000 }, (t) => {
  const dir = tempDir('f2b-check-stock-');
  cpSync(STOCK, dir, { recursive: true });
  writeFileSync(join(dir, 'jail.local'), '[DEFAULT]\nenabled = true\n');
  const runs = [0, 1].map(() => {
    const t = performance.now();
    const r = checkConfig(dir);
    return { ...r, ms: performance.now() - t };
  });
  for (const r of runs) {
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^configuration OK: 91 enabled jails/);
    assert.ok(r.ms < 60_000, `check-config took ${r.ms.toFixed(0)} ms`);
  }
  assert.equal(runs[0]!.out + runs[0]!.err, runs[1]!.out + runs[1]!.err, 'two runs, two verdicts');
  t.diagnostic(`check-config, 91 jails enabled: ${runs.map((r) => `${(r.ms / 1000).toFixed(2)} s`).join(', ')} wall (target 60 s)`);
  const notes = runs[0]!.err.split('\n').filter((l) => l.includes(' note: '));
  for (const name of ['apache-modsecurity', 'assp', 'domino-smtp', 'exim', 'dovecot', 'grafana']) {
    assert.ok(notes.some((l) => l.includes(`filter.d/${name}.conf`) && l.includes('runs on RE2')), `${name}: ${notes.join('\n')}`);
  }
  // Nothing but missing logs is left for a user to act on.
  const warnings = runs[0]!.err.split('\n').filter((l) => l.includes(' warning: '));
  assert.deepEqual(warnings.filter((l) => !/matches no file/.test(l)), []);
});

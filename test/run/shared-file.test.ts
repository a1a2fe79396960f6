import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, f2b, scratch } from './cli.ts';

interface DryRun { failures: Record<string, number>; bans: { jail: string; ip: string; failures: number }[] }

/** A dry run of every jail of `conf` together, and `scan` to run one jail alone. */
function dryRuns(dir: string, conf: string): { together: DryRun; scan: (state: string, only?: string) => DryRun } {
  const scan = (state: string, only?: string): DryRun => {
    const r = f2b(['--config', conf, '--state', join(dir, state), '--now', '2026-11-24T12:00:00Z', '--json', '--dry-run', ...(only ? ['--jail', only] : [])]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as DryRun;
  };
  return { together: scan('together.json'), scan };
}

/** A jail's bans as "ip failures", sorted. */
const bansOf = (s: DryRun, jail: string) => s.bans.filter((b) => b.jail === jail).map((b) => `${b.ip} ${b.failures}`).sort();

// Jails that read one file share each line's date cut, prefilter and regex results (rules/line-memo.ts); each
// must still find exactly what it finds reading the file alone.
test('five jails over one auth.log find, each, what that jail finds alone', () => {
  const dir = scratch();
  const log = join(dir, 'auth.log');
  execFileSync(process.execPath, [join(REPO, 'bench/generate.mjs'), 'auth', '30000', log, '--seed', '5']);
  const jails = [
    ['sshd', 'sshd'],
    ['sshd-ddos', 'sshd[mode=ddos]'],
    ['sshd-extra', 'sshd[mode=extra]'],
    ['sshd-aggressive', 'sshd[mode=aggressive]'],
    ['pam-generic', 'pam-generic'],
  ];
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  writeFileSync(
    join(conf, 'jail.local'),
    jails.map(([name, filter]) => `[${name}]\nenabled = true\nfilter = ${filter}\nlogpath = ${log}\nfindtime = 1d\nmaxretry = 3\n`).join('\n'),
  );
  const { together, scan } = dryRuns(dir, conf);
  let total = 0;
  for (const [name] of jails) {
    const alone = scan(`${name}.json`, name);
    assert.equal(together.failures[name], alone.failures[name], `${name}: failures`);
    assert.deepEqual(bansOf(together, name), bansOf(alone, name), `${name}: bans`);
    total += together.bans.filter((b) => b.jail === name).length;
  }
  // The modes differ: the comparison is worth something only if they found different things.
  assert.ok(total > 0, 'the log has bans');
  assert.notEqual(together.failures.sshd, together.failures['sshd-aggressive'], 'aggressive mode finds more than normal');
});

// Jails on the same rule share one matcher (scan/read-file.ts SharedMatch; `sshd[mode=normal]` is
// `sshd` written otherwise): each still gets every failure, counted by its own findtime and maxretry.
test('two jails on one rule over one file (other maxretry, findtime) each ban as they would alone', () => {
  const dir = scratch();
  const log = join(dir, 'auth.log');
  execFileSync(process.execPath, [join(REPO, 'bench/generate.mjs'), 'auth', '20000', log, '--seed', '9']);
  const jails: [string, string, string][] = [
    ['sshd', 'sshd', 'findtime = 1d\nmaxretry = 3'],
    ['sshd-slow', 'sshd', 'findtime = 10m\nmaxretry = 8'],
    ['sshd-again', 'sshd[mode=normal]', 'findtime = 1d\nmaxretry = 3'],
  ];
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'jail.local'), jails.map(([name, filter, extra]) => `[${name}]\nenabled = true\nfilter = ${filter}\nlogpath = ${log}\n${extra}\n`).join('\n'));
  const { together, scan } = dryRuns(dir, conf);
  for (const [name] of jails) {
    const alone = scan(`${name}.json`, name);
    assert.equal(together.failures[name], alone.failures[name], `${name}: failures`);
    assert.deepEqual(bansOf(together, name), bansOf(alone, name), `${name}: bans`);
  }
  assert.equal(together.failures.sshd, together.failures['sshd-slow'], 'the same rule finds the same failures');
  assert.notDeepEqual(bansOf(together, 'sshd'), bansOf(together, 'sshd-slow'), 'their own maxretry and findtime decide');
  assert.ok(bansOf(together, 'sshd').length > 0, 'the log has bans');
});

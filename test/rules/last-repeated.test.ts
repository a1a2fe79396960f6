// sysklogd and busybox syslogd fold a run of identical messages into "last message repeated N
// times", a line of its own with its own date: it stands for N more copies of the line before.
// The line is read behind its date and header (it had been read with the date still on, so a
// dated line -- every real one -- repeated nothing). Only a failure right before is repeated,
// and only the syslog daemon's own line counts: a client cannot write one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMatcherWith, loadFilter } from '../../src/rules/index.ts';
import { createDateReader } from '../../src/time/index.ts';
import type { RuleMatch } from '../../src/types.ts';
import { f2b, scratch, sshdConfig } from '../run/cli.ts';

const FILTERS = join(import.meta.dirname, '../../rules/filter.d');
const NOW = Date.parse('2026-12-01T12:00:00Z') / 1000;
const sshd = loadFilter({ name: 'sshd', options: {} }, { searchDirs: [FILTERS] });
const FAILED = 'sshd[100]: Failed password for root from 192.0.2.10 port 4000 ssh2';

function matchAll(lines: string[]): RuleMatch[][] {
  const m = createMatcherWith(sshd, createDateReader({ now: NOW, timezone: 'UTC' }));
  return lines.map((l) => m.push(l));
}

const FORMS: Record<string, (date: string, rest: string) => string> = {
  'classic syslog': (d, r) => `${d} srv1 ${r}`,
  'no host name': (d, r) => `${d} ${r}`,
  '<PRI> prefix': (d, r) => `<38>${d} srv1 ${r}`,
};

for (const [form, make] of Object.entries(FORMS)) {
  test(`${form}: "last message repeated 3 times" after a failure counts it 3 more times, at its own date`, () => {
    const found = matchAll([make('Dec  1 10:00:00', FAILED), make('Dec  1 10:00:07', 'last message repeated 3 times')]);
    assert.equal(found[0]!.length, 1);
    assert.equal(found[1]!.length, 1, 'the repeat line is a failure');
    const r = found[1]![0]!;
    assert.equal(r.host, '192.0.2.10');
    assert.equal(r.repeat, 3);
    assert.equal(r.time, Date.parse('2026-12-01T10:00:07Z') / 1000);
  });
}

test('"last message repeated" after a line that is no failure repeats nothing', () => {
  const found = matchAll([
    'Dec  1 10:00:00 srv1 sshd[100]: Accepted publickey for deploy from 192.0.2.20 port 4000 ssh2: ED25519 SHA256:x',
    'Dec  1 10:00:07 srv1 last message repeated 3 times',
  ]);
  assert.deepEqual(found[1], []);
});

test('a client cannot write the repeat: the words inside a user name multiply nothing', () => {
  const found = matchAll([
    'Dec  1 10:00:00 srv1 sshd[100]: Invalid user last message repeated 9 times from 192.0.2.30 port 4000',
    'Dec  1 10:00:01 srv1 sshd[101]: Invalid user x last message repeated 9 times from 192.0.2.31 port 4000',
  ]);
  assert.deepEqual(found.map((f) => f.map((r) => [r.host, r.repeat ?? 1])), [[['192.0.2.30', 1]], [['192.0.2.31', 1]]]);
});

test('the CLI bans on a failure and its "last message repeated" line (1 + 3 = maxretry 4), not on 1 + 2; two jails on the file alike', () => {
  for (const [n, banned] of [[3, true], [2, false]] as const) {
    const dir = scratch('f2b-lastrep-');
    const log = join(dir, 'auth.log');
    writeFileSync(log, `Dec  1 10:00:00 srv1 ${FAILED}\nDec  1 10:00:07 srv1 last message repeated ${n} times\n`);
    // A second jail on the file: the jails then match it together (rules/matcher-group.ts).
    const conf = sshdConfig(dir, log, `maxretry = 4\nfindtime = 1h\n\n[sshd-aggressive]\nenabled = true\nfilter = sshd[mode=aggressive]\nlogpath = ${log}\nmaxretry = 4\nfindtime = 1h`);
    const r = f2b(['--config', conf, '--state', join(dir, 'state.json'), '--now', '2026-12-01T10:01:00Z', '--dry-run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { bans: { ip: string }[]; failures: Record<string, number> };
    assert.deepEqual(out.failures, { sshd: 1 + n, 'sshd-aggressive': 1 + n });
    assert.deepEqual(out.bans.map((b) => b.ip), banned ? ['192.0.2.10', '192.0.2.10'] : []);
  }
});

// sshd's lines of one connection share an id (F-MLFID: host and pid). fail2ban merges them in a
// cache of 100 connections that live 5 minutes (Filter.mlfidCache); f2b-scan's SessionCache must
// merge the same way, or it counts a login as a failure (an innocent ban) or misses failures.
// Differential: the same logs through fail2ban-regex (Debian's package; its cache clock set to
// the log's dates, as fail2ban-server reading a live log sees it: fail2ban-regex-live.py) and
// through f2b-scan's matcher, both with Debian's /etc/fail2ban/filter.d/sshd.conf: the same
// failures, address and time, in the same order. The logs: the two cases the bench found (a reused pid logging in
// after more than 100 other connections; a second user name making "Connection closed" count),
// and seeded random logs of many interleaved connections with reused pids.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMatcher, loadFilter } from '../../src/rules/index.ts';
import { tempDir } from '../helpers/temp.ts';
import { line, sessions, T0 } from '../helpers/sshd-sessions.ts';

const FILTERS = '/etc/fail2ban/filter.d';
const REGEX = '/usr/bin/fail2ban-regex';
const skip = !existsSync(join(FILTERS, 'sshd.conf')) || !existsSync(REGEX) ? "Debian's fail2ban is not installed (no fail2ban-regex or filter.d/sshd.conf)" : false;


type Failure = [ip: string, time: number];

const LIVE = join(import.meta.dirname, 'fail2ban-regex-live.py');

/** fail2ban-regex's failures; `live`: with the cache's clock following the log, as fail2ban-server reads it. */
function fail2banRegex(file: string, live: boolean): Failure[] {
  const args = ['-o', 'row', file, join(FILTERS, 'sshd.conf')];
  const out = live
    ? execFileSync('/usr/bin/python3', [LIVE, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : execFileSync(REGEX, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').flatMap((l) => {
    const m = /^\['([^']+)',\s+([\d.]+),/.exec(l);
    return m ? [[m[1]!, Number(m[2])] as Failure] : [];
  });
}

function f2bScan(lines: string[]): Failure[] {
  const filter = loadFilter({ name: 'sshd', options: {} }, { searchDirs: [FILTERS] });
  const matcher = createMatcher(filter, { now: T0 + 86_400, timezone: 'UTC' });
  return lines.flatMap((l) => matcher.push(l)).map((m) => [m.ip ?? m.host, m.time ?? NaN] as Failure);
}

/** f2b-scan's failures, checked against fail2ban reading live (and against plain fail2ban-regex too, with `plain`). */
function compare(name: string, lines: string[], plain = false): Failure[] {
  const file = join(tempDir('f2b-mlfid-'), `${name}.log`);
  writeFileSync(file, lines.join('\n') + '\n');
  const ours = f2bScan(lines);
  const live = fail2banRegex(file, true);
  assert.deepEqual(ours, live, `${name}: f2b-scan ${ours.length} failures, fail2ban (live clock) ${live.length}`);
  if (plain) assert.deepEqual(ours, fail2banRegex(file, false), `${name}: plain fail2ban-regex`);
  return ours;
}

test("a reused pid's login after more than 100 other connections is no failure (fail2ban's cache forgot the attacker)", { skip }, () => {
  const lines = [line(T0, 4242, 'Invalid user admin from 203.0.113.66 port 40000')];
  // 120 other connections, each one failure, within 4.5 minutes.
  for (let i = 0; i < 120; i++) lines.push(line(T0 + 1 + i * 2, 5000 + i, `Failed password for root from 198.51.100.${i + 1} port 4${i} ssh2`));
  lines.push(line(T0 + 270, 4242, 'Accepted publickey for deploy from 2001:db8:1::10 port 52000 ssh2: ED25519 SHA256:abc'));
  const ours = compare('accepted', lines, true);
  assert.equal(ours.some(([ip]) => ip === '2001:db8:1::10'), false, 'the login is not a failure');
  assert.equal(ours.length, 121);
});

test('a reused pid within the cache: a second user name makes "Connection closed by authenticating user" a failure of the first address', { skip }, () => {
  const ours = compare('closed', [
    line(T0, 2870, 'Invalid user pi85 from 198.19.160.48 port 14647'),
    line(T0 + 123, 2870, 'Connection closed by authenticating user root 2001:db8:5c47:e110::c315 port 37778 [preauth]'),
  ], true);
  assert.deepEqual(ours.map(([ip]) => ip), ['198.19.160.48', '198.19.160.48']);
});

test('a connection older than 5 minutes is forgotten: its pid comes back as a new connection', { skip }, () => {
  compare('expired', [
    line(T0, 77, 'Invalid user a from 192.0.2.1 port 1'),
    line(T0 + 400, 77, 'Failed password for b from 192.0.2.2 port 2 ssh2'),
    line(T0 + 401, 77, 'Accepted password for b from 192.0.2.2 port 2 ssh2'),
  ]);
});

test('seeded logs of many interleaved connections with reused pids: the same failures as fail2ban-regex', { skip }, () => {
  let failures = 0;
  for (const seed of [1, 2, 3]) failures += compare(`sessions-${seed}`, sessions(seed, 3000)).length;
  // The logs hold enough failures (and merges) to mean something.
  assert.ok(failures > 1500, `${failures} failures`);
});

/** A merge's result as groups and lines (null: not a failure). */
function merged(c: { merge(id: string, g: Record<string, string>, lines: string[], time: number | null): Record<string, string> | null; reported: string[] }, id: string, g: Record<string, string>, lines: string[], time: number | null) {
  const groups = c.merge(id, g, lines, time);
  return groups === null ? null : { groups, lines: c.reported };
}

test('lines without a date still join their connection (the cache keeps time from the last dated line)', async () => {
  const { SessionCache } = await import('../../src/rules/failure.ts');
  const c = new SessionCache();
  assert.equal(c.merge(' h sshd[1]: ', { nofail: 'publickey', ip4: '192.0.2.1', user: 'a' }, ['l1'], null), null);
  assert.deepEqual(merged(c, ' h sshd[1]: ', { user: 'b' }, ['l2'], null), { groups: { ip4: '192.0.2.1', user: 'b' }, lines: ['l1', 'l2'] });
});

test('a connection begun on undated lines is still held when the first dated line comes (its 5 minutes start there)', async () => {
  const { SessionCache } = await import('../../src/rules/failure.ts');
  const c = new SessionCache();
  const T = Date.parse('2026-11-24T10:00:00Z') / 1000;
  // A failure without the address waits for the connection's closing line, which is dated.
  assert.equal(c.merge('s1', { user: 'joe' }, ['401'], null), null);
  assert.deepEqual(merged(c, 's1', { nofail: 'closed', mlfforget: 'closed', ip4: '192.0.2.1' }, ['closed'], T), { groups: { user: 'joe', ip4: '192.0.2.1' }, lines: ['401', 'closed'] });
  // Made undated, stamped by the first dated line (another connection's): forgotten 5 minutes after it.
  const closedAt = (t: number) => {
    const d = new SessionCache();
    assert.equal(d.merge('s2', { user: 'ann' }, ['401'], null), null);
    assert.equal(d.merge('s3', { user: 'bob' }, ['401'], T), null);
    return merged(d, 's2', { nofail: 'closed', mlfforget: 'closed', ip4: '192.0.2.2' }, ['closed'], t);
  };
  assert.deepEqual(closedAt(T + 299), { groups: { user: 'ann', ip4: '192.0.2.2' }, lines: ['401', 'closed'] });
  assert.equal(closedAt(T + 301), null);
});

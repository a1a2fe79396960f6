// Jails whose rules read a line alike (sshd's modes; postfix's) share one file's matching in a
// MatcherGroup (rules/matcher-group.ts): while their verdicts agree only one of them takes the lines
// in. Differential: every rule of a combination must find, line for line, exactly what its own
// matcher finds reading the file alone (the same failures, failregex index, lines, times, users),
// over seeded logs of interleaved sshd connections with reused pids and lines only some modes count.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { join } from 'node:path';
import { createMatcherWith, loadFilter, LineMemo, type Filter } from '../../src/rules/index.ts';
import { matchesOf, matchJails } from '../../src/scan/match-groups.ts';
import { createDateReader } from '../../src/time/index.ts';
import type { RuleMatch } from '../../src/types.ts';
import { mulberry32 } from '../helpers/random.ts';
import { line, sessions, T0 } from '../helpers/sshd-sessions.ts';
import { tempDir } from '../helpers/temp.ts';

const FILTERS = join(import.meta.dirname, '../../rules/filter.d');
const NOW = T0 + 86_400;

const load = (name: string, mode?: string): Filter => loadFilter({ name, options: mode ? { mode } : {} }, { searchDirs: [FILTERS] });

/** Each rule's matcher alone: every line's matches. */
function alone(filters: Filter[], lines: string[]): RuleMatch[][][] {
  return filters.map((f) => {
    const m = createMatcherWith(f, createDateReader({ now: NOW, timezone: 'UTC' }));
    return lines.map((l) => m.push(l));
  });
}

/** The rules together as a file's scan runs them (scan/match-groups.ts): one date reader and memo, a group per groupKeyOf. */
function together(filters: Filter[], lines: string[]): { found: RuleMatch[][][]; groups: number; leaders: number } {
  const memo = new LineMemo();
  const reader = createDateReader({ now: NOW, timezone: 'UTC' });
  const placed = matchJails(filters, (f) => f, () => ({ key: 'utc', reader }), memo);
  const found: RuleMatch[][][] = filters.map(() => []);
  lines.forEach((l, n) => filters.forEach((f, i) => found[i]!.push([...matchesOf(placed.get(f)!, l, n)])));
  const runs = new Set([...placed.values()].map((jm) => jm.run));
  return { found, groups: runs.size, leaders: [...runs].reduce((k, run) => k + run.group.leaders, 0) };
}

/** sessions() with what only some modes count, lines of other programs, undated and repeated lines. */
function mixedLog(seed: number, count: number): string[] {
  const r = mulberry32(seed);
  const base = sessions(seed, count);
  const out: string[] = [];
  const ip = () => `192.0.2.${1 + Math.floor(r() * 30)}`;
  for (const l of base) {
    const date = l.slice(0, l.indexOf(' '));
    const t = Math.floor(Date.parse(date) / 1000);
    const pid = 1000 + Math.floor(r() * 260);
    const x = r();
    if (x < 0.05) out.push(line(t, pid, `Did not receive identification string from ${ip()} port ${40000 + pid}`));
    else if (x < 0.08) out.push(line(t, pid, `Unable to negotiate with ${ip()} port ${40000 + pid}: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]`));
    else if (x < 0.11) out.push(line(t, pid, 'error: kex_exchange_identification: Connection closed by remote host'));
    else if (x < 0.13) out.push(line(t, pid, `Timeout before authentication for ${ip()} port ${40000 + pid}`));
    else if (x < 0.16) out.push(line(t, pid, `Received disconnect from ${ip()} port ${40000 + pid}:14: No supported authentication methods available [preauth]`));
    else if (x < 0.19) out.push(`${date} srv1 CRON[${pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`);
    else if (x < 0.21) out.push(l.slice(date.length + 1)); // no date: the last date seen
    else if (x < 0.23) out.push(`srv1 last message repeated ${2 + Math.floor(r() * 3)} times`); // read without a date
    else if (x < 0.25) out.push(l.replace(/sshd\[(\d+)\]: /, 'sshd[$1]: message repeated 2 times: [ ') + ']');
    else if (x < 0.27) out.push(JSON.stringify({ log: `${l.slice(date.length + 1)}\n`, stream: 'stderr', time: date })); // a Docker record
    out.push(l);
  }
  return out;
}

function assertSame(names: string[], filters: Filter[], lines: string[]): number {
  const a = alone(filters, lines);
  const t = together(filters, lines);
  names.forEach((name, i) => {
    for (let n = 0; n < lines.length; n++) assert.deepEqual(t.found[i]![n], a[i]![n], `${name}, line ${n + 1}: ${lines[n]}`);
  });
  return t.groups;
}

const SSHD_MODES = ['normal', 'ddos', 'extra', 'aggressive'];

test("sshd's four modes and pam-generic over one log: each finds what it finds alone, line for line", () => {
  const names = [...SSHD_MODES.map((m) => `sshd[mode=${m}]`), 'pam-generic'];
  const filters = [...SSHD_MODES.map((m) => load('sshd', m)), load('pam-generic')];
  for (const seed of [1, 2, 3]) {
    const lines = mixedLog(seed, 4000);
    const groups = assertSame(names, filters, lines);
    assert.equal(groups, 2, 'the sshd modes are one group, pam-generic another');
  }
  // The modes differ on these logs: otherwise the comparison proves little.
  const lines = mixedLog(1, 4000);
  const counts = alone(filters, lines).map((per) => per.flat().length);
  assert.equal(new Set(counts.slice(0, 4)).size, 4, `every mode finds its own number of failures: ${counts}`);
});

test('modes that agree for a while and then part (the first ddos line comes late) still find what they find alone', () => {
  const filters = SSHD_MODES.map((m) => load('sshd', m));
  const lines = sessions(7, 3000);
  const late = line(T0 + 20_000, 4321, 'Did not receive identification string from 192.0.2.9 port 4242');
  const mixed = [...lines.slice(0, 2000), late, ...lines.slice(2000), ...mixedLog(8, 1000)];
  assertSame(SSHD_MODES, filters, mixed);
});

test('runs of lines no rule looks at, taken in at once, before undated and repeated lines: each finds what it finds alone', () => {
  const names = [...SSHD_MODES.map((m) => `sshd[mode=${m}]`), 'pam-generic'];
  const filters = [...SSHD_MODES.map((m) => load('sshd', m)), load('pam-generic')];
  const r = mulberry32(21);
  const out: string[] = [];
  const quietTimes = new Set<number>();
  let t = T0;
  for (const l of mixedLog(21, 3000)) {
    // 0 to 11 lines no prefilter passes, each a second later: an undated line after them takes
    // the newest of their dates (the matchers keep the last four they dropped).
    const k = Math.floor(r() * r() * 12);
    for (let q = 0; q < k; q++) {
      t += 1 + Math.floor(r() * 3);
      quietTimes.add(t);
      out.push(`${new Date(t * 1000).toISOString()} srv1 kernel: [ ${q}.5] eth0: link is up ${q}`);
    }
    const x = r();
    if (k > 0 && x < 0.15) out.push(l.replace(/^\S+ /, '')); // undated
    else if (k > 0 && x < 0.2) out.push('srv1 last message repeated 2 times'); // after a dropped line: no repeat
    else out.push(l);
  }
  assertSame(names, filters, out);
  // The comparison proves little unless undated failures took a dropped line's date.
  const times = alone([filters[3]!], out)[0]!.flat().map((m) => m.time);
  assert.ok(times.filter((x) => x !== null && quietTimes.has(x)).length > 20, 'undated failures dated by the dropped lines before them');
});

test('a line one mode counts and another only ends the connection on: both forget it, each reports its own, repeats after it too', () => {
  // "Connection closed by authenticating user ... [preauth]" is a failure for ddos and aggressive,
  // the end of the connection for normal and extra; "Disconnected from invalid user" the other way
  // round. Either way the connection is forgotten, so the modes stay in one lockstep and a follower
  // reports its own failure from the connection as it was (pending failures, users tried); a
  // "last message repeated" line right after repeats the failure of its own mode, dated or not.
  const names = [...SSHD_MODES.map((m) => `sshd[mode=${m}]`), 'pam-generic'];
  const filters = [...SSHD_MODES.map((m) => load('sshd', m)), load('pam-generic')];
  // Connections that only differ there ("Connection reset by" without [preauth] is ddos's own end).
  const plain = sessions(32, 4000).filter((l) => !l.includes('Connection reset by'));
  assertSame(names, filters, plain);
  assert.equal(together(filters, plain).leaders, 1 + 1, 'one leader for the sshd modes, one for pam-generic');
  const r = mulberry32(31);
  const out: string[] = [];
  for (const l of [...plain, ...mixedLog(31, 2000)]) {
    out.push(l);
    if (/Connection closed by authenticating|Disconnected from invalid/.test(l) && r() < 0.5) {
      const date = l.slice(0, l.indexOf(' '));
      out.push(r() < 0.5 ? `${date} srv1 last message repeated ${2 + Math.floor(r() * 3)} times` : 'srv1 last message repeated 2 times');
    }
  }
  assertSame(names, filters, out);
  // The modes part on those lines: ddos counts them, normal does not; and only ddos repeats them.
  const [normal, ddos] = alone(filters.slice(0, 2), out).map((per) => per.flat());
  const closed = (m: RuleMatch) => m.lines.some((x) => x.includes('Connection closed by authenticating'));
  assert.ok(ddos!.filter(closed).length > 30 && normal!.filter(closed).length < ddos!.filter(closed).length / 2, 'ddos counts the closed lines, normal hardly');
  const repeats = (ms: RuleMatch[]) => ms.filter((m) => m.lines[0]!.includes('last message repeated')).length;
  assert.ok(repeats(ddos!) > repeats(normal!) + 10, 'repeats of ddos-only failures');
});

test('the same rule twice in one group (sshd and sshd[mode=normal]) and a mode alone', () => {
  assertSame(['sshd', 'normal', 'aggressive'], [load('sshd'), load('sshd', 'normal'), load('sshd', 'aggressive')], mixedLog(11, 3000));
});

test("postfix's modes over a mail log: each finds what it finds alone", () => {
  const modes = ['normal', 'rbl', 'auth', 'errors', 'ddos', 'aggressive'];
  const r = mulberry32(5);
  const msgs = [
    (a: string) => `postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[${a}]: 554 5.7.1 <x@example.org>: Relay access denied; from=<a@b.c> to=<x@example.org> proto=ESMTP helo=<x>`,
    (a: string) => `postfix/smtpd[1234]: warning: unknown[${a}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
    (a: string) => `postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[${a}]: 554 5.7.1 Service unavailable; Client host [${a}] blocked using zen.spamhaus.org; from=<a@b.c> to=<x@example.org> proto=ESMTP helo=<x>`,
    (a: string) => `postfix/smtpd[1234]: too many errors after AUTH from unknown[${a}]`,
    (a: string) => `postfix/smtpd[1234]: lost connection after EHLO from unknown[${a}]`,
    (a: string) => `postfix/smtpd[1234]: connect from unknown[${a}]`,
  ];
  const lines = Array.from({ length: 3000 }, (_, n) => `${new Date((T0 + n) * 1000).toISOString().replace('Z', '+00:00')} mx1 ${msgs[Math.floor(r() * msgs.length)]!(`198.51.100.${1 + Math.floor(r() * 50)}`)}`);
  assertSame(modes, modes.map((m) => load('postfix', m)), lines);
});

test('a rule whose own failregex comes first on a line the other rule matches later: its own index and groups', () => {
  const dir = tempDir('f2b-group-rules-');
  // Both read the line alike (no prefregex); "admin" lists a narrower regex before the shared one.
  const shared = String.raw`^\s*<HOST> "POST /login[^"]*" 401`;
  writeFileSync(join(dir, 'web-login.conf'), `[Definition]\nfailregex = ${shared}\n`);
  writeFileSync(join(dir, 'web-admin.conf'), `[Definition]\nfailregex = ^\\s*<HOST> "POST /login\\?user=<F-USER>admin</F-USER>" 401\n            ${shared}\n`);
  const rule = (name: string) => loadFilter({ name, options: {} }, { searchDirs: [dir] });
  const r = mulberry32(3);
  const lines = Array.from({ length: 400 }, (_, n) => {
    const who = `203.0.113.${1 + Math.floor(r() * 9)}`;
    const path = r() < 0.3 ? '/login?user=admin' : '/login';
    return `${new Date((T0 + n) * 1000).toISOString()} ${who} "POST ${path}" ${r() < 0.8 ? 401 : 200}`;
  });
  const [login, admin] = alone([rule('web-login'), rule('web-admin')], lines).map((per) => per.flat());
  assert.ok(login!.length > 50 && admin!.some((m) => m.regex === 0) && admin!.some((m) => m.regex === 1), 'both regexes of web-admin match some lines');
  assertSame(['web-login', 'web-admin'], [rule('web-login'), rule('web-admin')], lines);
  assertSame(['web-admin', 'web-login'], [rule('web-admin'), rule('web-login')], lines);
});

test('matchers are objects V8 keeps fast: a group reads several of their properties per line', () => {
  // An object literal with getters of its own is a dictionary in V8 (each property read a hash
  // look-up); the matchers of five jails on one file read classify, take, agrees... every line.
  setFlagsFromString('--allow-natives-syntax');
  const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
  const reader = createDateReader({ now: NOW, timezone: 'UTC' });
  const memo = new LineMemo();
  const matchers = SSHD_MODES.map((m) => createMatcherWith(load('sshd', m), reader, memo));
  for (const m of matchers) assert.ok(hasFastProperties(m), 'a matcher in dictionary mode');
  assert.equal(matchers[0]!.stats.lines, 0, 'stats still read through the prototype');
});

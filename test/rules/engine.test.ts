import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMatcher, loadFilter, type Filter } from '../../src/rules/index.ts';
import { RuleError } from '../../src/util/errors.ts';
import type { RuleMatch } from '../../src/types.ts';
import { tempDir } from '../helpers/temp.ts';

const NOW = Date.parse('2005-08-14T10:00:00Z') / 1000;

/** A filter.d directory holding the given files. */
function filterDir(files: Record<string, string>): string {
  const dir = tempDir('f2b-rules-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function load(files: Record<string, string>, name: string, options: Record<string, string> = {}): Filter {
  return loadFilter({ name, options }, { searchDirs: [filterDir(files)] });
}

function run(filter: Filter, lines: string[]): RuleMatch[] {
  const m = createMatcher(filter, { now: NOW, timezone: 'UTC' });
  return lines.flatMap((l) => m.push(l));
}

const COMMON = `
[DEFAULT]
_daemon = \\S*
__prefix = \\s*\\S+ <_daemon>(?:\\[\\d+\\])?:\\s+
`;

test('<HOST> reports IPv4, IPv6 and host names as written, with the address normalised', () => {
  const f = load({ 'demo.conf': '[Definition]\nfailregex = ^\\s*\\S+ demo: bad login from <HOST>$\n' }, 'demo');
  const got = run(f, [
    'Aug 14 09:00:00 box demo: bad login from 192.0.2.1',
    'Aug 14 09:00:01 box demo: bad login from 2001:DB8:0:0::7',
    'Aug 14 09:00:02 box demo: bad login from attacker.example.org',
    'Aug 14 09:00:03 box demo: bad login from ::ffff:198.51.100.4',
    'Aug 14 09:00:04 box demo: good login from 192.0.2.9',
    'Aug 14 09:00:05 box demo: bad login from ::FFFF:198.51.100.5',
  ]);
  assert.deepEqual(
    got.map((r) => [r.lineNo, r.host, r.ip]),
    [
      [1, '192.0.2.1', '192.0.2.1'],
      [2, '2001:DB8:0:0::7', '2001:db8::7'],
      [3, 'attacker.example.org', null],
      [4, '198.51.100.4', '198.51.100.4'],
      [6, '198.51.100.5', '198.51.100.5'],
    ],
  );
  assert.equal(got[0]!.time, Date.parse('2005-08-14T09:00:00Z') / 1000);
});

test('the date is cut out of the line before matching, so rules anchor on what follows it', () => {
  const f = load({ 'd.conf': '[Definition]\nfailregex = ^\\[\\] denied <HOST>$\n' }, 'd');
  const got = run(f, ['[2005-08-14 09:30:00] denied 192.0.2.5']);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.time, Date.parse('2005-08-14T09:30:00Z') / 1000);
});

test('a line without a date takes the last date, even from a line the prefilter dropped unread', () => {
  // java.util.logging (Guacamole in catalina.out) and Erlang's error_logger (ejabberd 2.x) write
  // the date on a line of its own, which holds none of the rule's words.
  const f = load({ 'jul.conf': '[Definition]\nfailregex = ^WARNING: Authentication attempt from <HOST> failed\\.$\n' }, 'jul');
  const got = run(f, [
    'Aug 14, 2005 9:00:00 AM org.example.Auth warn',
    'WARNING: Authentication attempt from 192.0.2.1 failed.',
    'Aug 14, 2005 9:00:05 AM org.example.Other info',
    'INFO: something else',
    'WARNING: Authentication attempt from 192.0.2.2 failed.',
  ]);
  assert.deepEqual(got.map((m) => [m.host, m.time]), [
    ['192.0.2.1', Date.parse('2005-08-14T09:00:00Z') / 1000],
    ['192.0.2.2', Date.parse('2005-08-14T09:00:05Z') / 1000],
  ]);
});

test('includes, .local overrides, [Init] values and jail options all feed <tag> substitution', () => {
  const files = {
    'common.conf': COMMON,
    'svc.conf': `[INCLUDES]
before = common.conf
[Init]
verb = rejected
[Definition]
_daemon = svc
failregex = ^<__prefix><verb> <F-USER>\\S+</F-USER> from <HOST>$
`,
    'svc.local': '[Definition]\n_daemon = svcd\n',
  };
  const base = load(files, 'svc');
  assert.equal(base.files.length, 3);
  const lines = ['Aug 14 09:00:00 box svcd[1]: rejected bob from 192.0.2.1', 'Aug 14 09:00:00 box svcd[1]: refused eve from 192.0.2.2'];
  assert.deepEqual(run(base, lines).map((r) => [r.host, r.user]), [['192.0.2.1', 'bob']]);
  const opt = load(files, 'svc', { verb: 'refused' });
  assert.deepEqual(run(opt, lines).map((r) => [r.host, r.user]), [['192.0.2.2', 'eve']]);
});

test('mode switching picks the failregex set named by <mode>, as sshd[mode=aggressive] does', () => {
  const files = {
    'm.conf': `[Definition]
normal-re = ^\\s*\\S+ m: auth failed from <HOST>$
ddos-re = ^\\s*\\S+ m: flood from <HOST>$
aggressive-re = <normal-re>
                <ddos-re>
failregex = <<mode>-re>
mode = normal
`,
  };
  const lines = ['Aug 14 09:00:00 box m: auth failed from 192.0.2.1', 'Aug 14 09:00:00 box m: flood from 192.0.2.2'];
  assert.deepEqual(run(load(files, 'm'), lines).map((r) => r.host), ['192.0.2.1']);
  assert.deepEqual(run(load(files, 'm', { mode: 'ddos' }), lines).map((r) => r.host), ['192.0.2.2']);
  assert.deepEqual(run(load(files, 'm', { mode: 'aggressive' }), lines).map((r) => [r.host, r.regex]), [
    ['192.0.2.1', 0],
    ['192.0.2.2', 1],
  ]);
});

test('prefregex cuts the common prefix and failregexes only see its <F-CONTENT>', () => {
  const f = load(
    {
      'p.conf': `[Definition]
prefregex = ^\\s*\\S+ p\\[\\d+\\]: <F-CONTENT>.+</F-CONTENT>$
failregex = ^Failed for <F-USER>\\S+</F-USER> from <HOST>$
`,
    },
    'p',
  );
  const got = run(f, ['Aug 14 09:00:00 box p[12]: Failed for root from 192.0.2.1', 'Aug 14 09:00:00 box q[12]: Failed for root from 192.0.2.2']);
  assert.deepEqual(got.map((r) => [r.host, r.user]), [['192.0.2.1', 'root']]);
});

test('ignoreregex drops a failure the failregex found', () => {
  const f = load(
    {
      'i.conf': `[Definition]
failregex = ^\\s*\\S+ i: fail from <HOST>
ignoreregex = from 192\\.0\\.2\\.250
`,
    },
    'i',
  );
  const m = createMatcher(f, { now: NOW, timezone: 'UTC' });
  const got = ['Aug 14 09:00:00 box i: fail from 192.0.2.250', 'Aug 14 09:00:00 box i: fail from 192.0.2.1'].flatMap((l) => m.push(l));
  assert.deepEqual(got.map((r) => r.host), ['192.0.2.1']);
  assert.deepEqual(m.stats.ignoredLines, [1]);
  assert.equal(m.stats.ignoreregexHits[0], 1);
});

test('a multi-line rule matches across lines within maxlines and reports on the line that completes it', () => {
  const files = {
    'ml.conf': `[Definition]
failregex = ^\\s*\\S+ ml\\[(?P<pid>\\d+)\\]: connect from <HOST>$<SKIPLINES>^\\s*\\S+ ml\\[(?P=pid)\\]: auth failed$
maxlines = 4
`,
  };
  const f = load(files, 'ml');
  const got = run(f, [
    'Aug 14 09:00:00 box ml[1]: connect from 192.0.2.1',
    'Aug 14 09:00:01 box ml[2]: connect from 192.0.2.2',
    'Aug 14 09:00:02 box other: noise',
    'Aug 14 09:00:03 box ml[1]: auth failed',
  ]);
  assert.deepEqual(got.map((r) => [r.lineNo, r.host, r.lines.length]), [[4, '192.0.2.1', 2]]);
  // The first line falls out of the buffer when maxlines is smaller than the gap.
  const short = loadFilter({ name: 'ml', options: {} }, { searchDirs: [filterDir(files)], jailMaxlines: 2 });
  assert.equal(
    run(short, ['Aug 14 09:00:00 box ml[1]: connect from 192.0.2.1', 'Aug 14 09:00:02 box other: noise', 'Aug 14 09:00:03 box ml[1]: auth failed']).length,
    0,
  );
});

const SESSION = {
  's.conf': `[Definition]
prefregex = ^<F-MLFID>\\s*\\S+ s\\[\\d+\\]:</F-MLFID> <F-CONTENT>.+</F-CONTENT>$
failregex = ^<F-NOFAIL>Connection from</F-NOFAIL> <HOST>
            ^probe without address
            ^<F-NOFAIL>soft fail</F-NOFAIL> for <F-USER>\\S+</F-USER> from <HOST>
            ^<F-MLFFORGET><F-MLFGAINED>Accepted</F-MLFGAINED></F-MLFFORGET> for <F-USER>\\S+</F-USER> from <HOST>
            ^<F-NOFAIL><F-MLFFORGET>Closed</F-MLFFORGET></F-NOFAIL> by <HOST>
`,
};

test('F-MLFID: a failure without an address is charged to the address its session named', () => {
  const got = run(load(SESSION, 's'), [
    'Aug 14 09:00:00 box s[7]: Connection from 192.0.2.7 port 1',
    'Aug 14 09:00:00 box s[8]: Connection from 192.0.2.8 port 1',
    'Aug 14 09:00:01 box s[7]: probe without address',
  ]);
  assert.deepEqual(got.map((r) => [r.lineNo, r.host]), [[3, '192.0.2.7']]);
});

test('F-MLFID: a failure before any address waits for the session to name one', () => {
  const got = run(load(SESSION, 's'), ['Aug 14 09:00:01 box s[9]: probe without address', 'Aug 14 09:00:02 box s[9]: Closed by 192.0.2.9']);
  assert.deepEqual(got.map((r) => [r.lineNo, r.host, r.lines.length]), [[2, '192.0.2.9', 2]]);
});

test('F-NOFAIL and F-MLFGAINED: soft failures of a session that then logs in are not failures', () => {
  const got = run(load(SESSION, 's'), [
    'Aug 14 09:00:00 box s[3]: soft fail for bob from 192.0.2.3',
    'Aug 14 09:00:01 box s[3]: Accepted for bob from 192.0.2.3',
  ]);
  assert.deepEqual(got, []);
});

test('F-MLFID: trying a second user name in one session turns the soft failures into failures', () => {
  const got = run(load(SESSION, 's'), [
    'Aug 14 09:00:00 box s[4]: soft fail for root from 192.0.2.4',
    'Aug 14 09:00:01 box s[4]: soft fail for admin from 192.0.2.4',
    'Aug 14 09:00:02 box s[4]: Accepted for guest from 192.0.2.4',
  ]);
  assert.deepEqual(got.map((r) => [r.lineNo, r.user]), [
    [2, 'admin'],
    [3, 'guest'],
  ]);
});

test('F-MLFFORGET: a closed session is forgotten, a later failure of the same id needs its own address', () => {
  const got = run(load(SESSION, 's'), [
    'Aug 14 09:00:00 box s[5]: Connection from 192.0.2.5 port 1',
    'Aug 14 09:00:01 box s[5]: Closed by 192.0.2.5',
    'Aug 14 09:00:02 box s[5]: probe without address',
  ]);
  assert.deepEqual(got, []);
});

test('F-ID identifies the failure when a rule has no address', () => {
  const f = load({ 'id.conf': '[Definition]\nfailregex = ^\\s*\\S+ id: token <F-ID>\\w+</F-ID> rejected$\n' }, 'id');
  assert.deepEqual(run(f, ['Aug 14 09:00:00 box id: token abc123 rejected']).map((r) => [r.host, r.ip]), [['abc123', null]]);
});

test('datepattern from the filter decides which text is the date', () => {
  const f = load({ 'dp.conf': '[Definition]\nfailregex = ^ denied <HOST>$\ndatepattern = ^when=%%Y-%%m-%%dT%%H:%%M:%%S\n' }, 'dp');
  assert.deepEqual(run(f, ['when=2005-08-14T08:00:00 denied 192.0.2.6']).map((r) => r.time), [Date.parse('2005-08-14T08:00:00Z') / 1000]);
});

test('a bad failregex is a RuleError naming the file and line it was written on', () => {
  const dir = filterDir({ 'bad.conf': '[Definition]\n\nfailregex = ^ok <HOST>$\n            ^broken (<HOST>\n' });
  assert.throws(
    () => loadFilter({ name: 'bad', options: {} }, { searchDirs: [dir] }),
    (e: unknown) => e instanceof RuleError && e.message.startsWith(`${join(dir, 'bad.conf')}:4: bad regex`),
  );
});

test('a failregex without <HOST> is refused with its place', () => {
  const dir = filterDir({ 'nohost.conf': '[Definition]\nfailregex = ^login failed$\n' });
  assert.throws(
    () => loadFilter({ name: 'nohost', options: {} }, { searchDirs: [dir] }),
    (e: unknown) => e instanceof RuleError && e.message.startsWith(`${join(dir, 'nohost.conf')}:2: failregex has no <HOST>`),
  );
});

test('an unknown filter name says where it looked', () => {
  const dir = filterDir({});
  assert.throws(() => loadFilter({ name: 'nope', options: {} }, { searchDirs: [dir] }), /nope: unknown filter \(looked in /);
});

test('options the filter never mentions are listed for check-config', () => {
  const f = load({ 'o.conf': '[Definition]\nfailregex = ^x <HOST>\nmode = normal\n' }, 'o', { mode: 'ddos', colour: 'red' });
  assert.deepEqual(f.unknownOptions, ['colour']);
});

test('lines the prefilter rejects cost nothing: no date is read for them', () => {
  const f = load({ 'pf.conf': '[Definition]\nfailregex = ^\\s*\\S+ pf: Failed login from <HOST>$\n' }, 'pf');
  assert.ok(f.prefilter);
  const m = createMatcher(f, { now: NOW, timezone: 'UTC' });
  for (let i = 0; i < 1000; i++) m.push('Aug 14 09:00:00 box cron[1]: session opened for user root');
  m.push('Aug 14 09:00:00 box pf: Failed login from 192.0.2.1');
  assert.equal(m.stats.missed, 1000);
  assert.equal(m.stats.noDate + [...m.stats.dateHits.values()].reduce((a, b) => a + b, 0), 1);
});

test('<SUBNET> reports the network the rule names, address/prefix', () => {
  const f = load({ 'sn.conf': '[Definition]\nfailregex = ^\\s*\\S+ sn: blocked net <SUBNET>$\n' }, 'sn');
  assert.deepEqual(run(f, ['Aug 14 09:00:00 box sn: blocked net 192.0.2.0/24', 'Aug 14 09:00:00 box sn: blocked net [2001:db8::]']).map((r) => [r.host, r.ip]), [
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['2001:db8::', '2001:db8::'],
  ]);
});

test('F-MLFID: a session id seen again much later is a new connection, not the old one', () => {
  const got = run(load(SESSION, 's'), [
    'Aug 14 08:00:00 box s[6]: Connection from 192.0.2.6 port 1',
    'Aug 14 09:00:00 box s[6]: probe without address',
    'Aug 14 09:00:01 box s[6]: Closed by 198.51.100.6',
  ]);
  assert.deepEqual(got.map((r) => [r.lineNo, r.host]), [[3, '198.51.100.6']]);
});

test('a jail may set the standard filter keys as options (maxlines, datepattern...)', () => {
  const f = load({ 'k.conf': '[Definition]\nfailregex = ^x <HOST>\n' }, 'k', { maxlines: '3' });
  assert.equal(f.maxlines, 3);
  assert.deepEqual(f.unknownOptions, []);
});

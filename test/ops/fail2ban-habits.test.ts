// The commands a fail2ban user reaches for, through the built CLI: `banned <ip>...`
// (fail2ban-client banned), `dump [jail]` (fail2ban-client -d), `list-filters`, and a one-line
// regex test (`test-rule --line`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opsScratch } from './helpers.ts';

function scratchWithCleanup(t: { after: (fn: () => void) => void }, jailLines = '') {
  const s = opsScratch(jailLines, 'f2b-habits-');
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  return s;
}

test('banned <ip>... names each jail that bans the address, until when and why; an address nobody bans says so', (t) => {
  const s = scratchWithCleanup(t);
  appendFileSync(join(s.conf, 'jail.local'), `[recidive]\nenabled = true\nlogpath = ${s.auth}\nbantime = -1\naction = dummy[target="${join(s.dir, 'recidive.dummy')}"]\n`);
  assert.equal(s.cli(['ban', 'sshd', '192.0.2.7', '2001:db8::7']).code, 0);
  assert.equal(s.cli(['ban', 'recidive', '192.0.2.7'], '2026-11-24T10:30:00Z').code, 0);

  // Spelled as an admin might paste them: IPv4-mapped, upper-case IPv6 with zeros.
  const r = s.cli(['banned', '::ffff:192.0.2.7', '2001:DB8:0::7', '198.51.100.9'], '2026-11-24T10:45:00Z');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      '192.0.2.7 banned in recidive for good (manual)',
      '192.0.2.7 banned in sshd until 2026-11-24T11:00:00Z (manual)',
      '2001:db8::7 banned in sshd until 2026-11-24T11:00:00Z (manual)',
      '198.51.100.9 not banned',
      '',
    ].join('\n'),
  );
  const json = JSON.parse(s.cli(['banned', '192.0.2.7', '--json'], '2026-11-24T10:45:00Z').stdout);
  assert.deepEqual(json, [
    {
      ip: '192.0.2.7',
      bans: [
        { jail: 'recidive', until: null, origin: 'manual', pending: false },
        { jail: 'sshd', until: '2026-11-24T11:00:00Z', origin: 'manual', pending: false },
      ],
    },
  ]);
  // Once the hour is over, sshd's ban no longer counts (the next run lifts it); recidive's stays.
  assert.equal(s.cli(['banned', '192.0.2.7'], '2026-11-24T11:00:01Z').stdout, '192.0.2.7 banned in recidive for good (manual)\n');

  const bad = s.cli(['banned', '192.0.2.300']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'f2b-scan: banned: not an IP address: "192.0.2.300"\n');
});

test('dump prints every enabled jail as a run resolves it: rule file and regexes, times, actions and what runs them; secrets masked', (t) => {
  const s = scratchWithCleanup(t, 'maxretry = 3\nfindtime = 10m\n');
  // A mail action with an SMTP password, and a fleet whose URL holds one.
  mkdirSync(join(s.conf, 'jail.d'));
  writeFileSync(
    join(s.conf, 'jail.d', 'mail.local'),
    `[sshd]\naction = dummy[target="${s.dummy}"]\n         sendmail-whois[dest=security@example.org, smtp.pass=hunter2]\n`,
    { flag: 'w' },
  );
  appendFileSync(join(s.conf, 'f2b-scan.local'), '[fleet]\nurl = rediss://fleet:s3cret@redis.example.net:6380/0\nkey_file = fleet.key\n');
  const r = s.cli(['dump']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout;
  assert.match(text, /^\[sshd\]\n# from \S+\/rules\/jail\.conf:\d+\nenabled = true\nfilter = sshd\[mode=normal\]\n/m);
  assert.match(text, /^#   rule file: \S+\/rules\/filter\.d\/common-syslog\.conf\n#\s+\S+\/rules\/filter\.d\/sshd\.conf$/m);
  // The regexes with the filter's own tags filled in (fail2ban's <HOST> stays for the engine).
  assert.match(text, /^failregex = \^.*<HOST>/m);
  assert.match(text, /^ {12}\^\[Ii\]\(\?:nvalid\|llegal\) user <F-USER>\.\*<\/F-USER> from <HOST>/m);
  assert.match(text, /^maxretry = 3$/m);
  assert.match(text, /^findtime = 600$/m);
  assert.match(text, /^bantime = 3600$/m);
  assert.match(text, new RegExp(`^logpath = ${s.auth}$`, 'm'));
  // Each action with the options it gets (the jail's port, protocol, chain included).
  assert.match(text, /^action = dummy\[port=ssh, protocol=tcp, chain=INPUT, target=\S+sshd\.dummy, name=sshd\] {4}# f2b-scan's own backend$/m);
  assert.match(text, /^ {9}sendmail-whois\[.*dest=security@example\.org, smtp\.pass=\*\*\*, name=sshd\] {4}# f2b-scan's own backend$/m);
  assert.match(text, /^\[fleet\]\nurl = rediss:\/\/fleet:\*\*\*@redis\.example\.net:6380\/0\nkey_file = fleet\.key$/m);
  assert.doesNotMatch(text, /hunter2|s3cret/);
  // Only enabled jails, unless one is named.
  assert.doesNotMatch(text, /^\[nginx-http-auth\]$/m);
  const one = s.cli(['dump', 'nginx-http-auth', '--json']);
  assert.equal(one.code, 0, one.stderr);
  const d = JSON.parse(one.stdout);
  assert.deepEqual(d.jails.map((j: { name: string; enabled: boolean }) => [j.name, j.enabled]), [['nginx-http-auth', false]]);
  assert.match(d.jails[0].filter.file, /filter\.d\/nginx-http-auth\.conf$/);
  assert.ok(d.jails[0].filter.failregex.length > 0);
  assert.equal(d.fleet.url, 'rediss://fleet:***@redis.example.net:6380/0');
  const json = JSON.parse(s.cli(['dump', '--json']).stdout);
  assert.deepEqual(json.jails[0].actions.map((a: { name: string; runs: string }) => [a.name, a.runs]), [['dummy', 'native'], ['sendmail-whois', 'native']]);
  assert.equal(json.jails[0].maxretry, 3);
  assert.ok(json.files.some((f: string) => f.endsWith('jail.d/mail.local')));

  const unknown = s.cli(['dump', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown jail "nope"/);
});

test('list-filters: the configuration\'s rules and the shipped ones, one line each with what it catches and the jails using it', (t) => {
  const s = scratchWithCleanup(t);
  mkdirSync(join(s.conf, 'filter.d'));
  writeFileSync(join(s.conf, 'filter.d', 'myapp.conf'), '# My app\n#\n# description: failed logins of myapp (its own log)\n\n[Definition]\nfailregex = ^login failed from <HOST>$\n');
  // A file other rules include is no rule of its own.
  writeFileSync(join(s.conf, 'filter.d', 'myapp-common.conf'), '# pieces for myapp rules\n[Definition]\n_daemon = myapp\n');
  // The admin's own sshd.conf shadows the shipped one.
  writeFileSync(join(s.conf, 'filter.d', 'sshd.conf'), '# Fail2Ban filter for openssh\n#\n# more text\n[Definition]\nfailregex = ^Failed password for .* from <HOST>\n');
  const r = s.cli(['list-filters']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const line = (name: string) => lines.find((l) => l.startsWith(`${name} `));
  assert.match(line('myapp')!, /^myapp +config +failed logins of myapp \(its own log\)$/);
  assert.match(line('sshd')!, /^sshd +config +Fail2Ban filter for openssh {2}\[enabled: sshd\]$/);
  assert.equal(line('myapp-common'), undefined);
  assert.equal(line('common-syslog'), undefined, 'shipped include files are not listed');
  assert.match(line('nginx-http-auth')!, /^nginx-http-auth +shipped +\S.{10,}/);
  assert.equal(lines.filter((l) => l.startsWith('sshd ')).length, 1);
  assert.ok(lines.length >= 40, `${lines.length} rules`);
  assert.ok(lines.every((l) => !/\(no description\)$/.test(l) || l.includes('config')), 'every shipped rule says what it catches');
  const json = JSON.parse(s.cli(['list-filters', '--json']).stdout);
  const mine = json.find((f: { name: string }) => f.name === 'myapp');
  assert.deepEqual({ ...mine, file: undefined }, { name: 'myapp', file: undefined, origin: 'config', description: 'failed logins of myapp (its own log)', jails: [] });
});

test('test-rule --line tests one line (or a few) without a log file', (t) => {
  const s = scratchWithCleanup(t);
  const line = 'Nov 24 10:00:01 web1 sshd[4242]: Invalid user admin from 192.0.2.7 port 40100';
  const r = s.cli(['test-rule', 'sshd', '--line', line, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.lines, 1);
  assert.deepEqual(j.matched.map((m: { host: string; user?: string }) => [m.host, m.user]), [['192.0.2.7', 'admin']]);
  const text = s.cli(['test-rule', 'sshd', '--line', line, '--line', 'Nov 24 10:00:02 web1 CRON[1]: session opened']);
  assert.match(text.stdout, /^Use {6}log file : --line \(2 lines\)$/m);
  assert.match(text.stdout, /^Lines: 2 lines, 0 ignored, 1 matched, 1 missed$/m);
  for (const args of [['test-rule', 'sshd'], ['test-rule', 'sshd', s.auth, '--line', line]]) {
    const bad = s.cli(args);
    assert.equal(bad.code, 2, args.join(' '));
    assert.match(bad.stderr, /^f2b-scan: test-rule: /);
  }
});

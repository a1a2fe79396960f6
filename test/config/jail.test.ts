import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/util/errors.ts';
import { BUILTIN, tree } from './helpers.ts';

function load(t: Parameters<typeof tree>[0], local: string, extra: Record<string, string> = {}) {
  const builtinDir = tree(t, BUILTIN);
  const configDir = tree(t, { 'jail.local': local, ...extra });
  return { ...loadConfig({ configDir, builtinDir }), local: join(configDir, 'jail.local') };
}

test('every jail key reaches the typed Jail', (t) => {
  const { jails, local } = load(
    t,
    [
      '[web]',
      'enabled = true',
      'filter = nginx-http-auth[mode=aggressive, extra="a, b"]',
      'logpath = /var/log/nginx/*error.log',
      '          /srv/*/logs/error.log tail',
      'ignoreip = 127.0.0.1/8 ::1, 192.0.2.0/24',
      '           gateway.example.org',
      'ignoreself = false',
      'ignorecommand = /usr/local/bin/is-friend <ip>',
      'maxretry = 3',
      'findtime = 1h',
      'bantime = -1',
      'bantime.increment = true',
      'bantime.factor = 2',
      'bantime.formula = ban.Time * banFactor',
      'bantime.multipliers = 1 5 30 60',
      'bantime.maxtime = 5w',
      'bantime.rndtime = 10m',
      'bantime.overalljails = yes',
      'backend = polling',
      'usedns = no',
      'logencoding = utf-8',
      'logtimezone = UTC',
      'datepattern = ^%%Y-%%m-%%d %%H:%%M:%%S',
      'journalmatch = _SYSTEMD_UNIT=nginx.service',
      'maxlines = 2',
      'port = http,https',
      'destemail = admin@example.org',
      '',
    ].join('\n'),
  );
  const web = jails.find((j) => j.name === 'web')!;
  assert.equal(web.enabled, true);
  assert.deepEqual(web.filter, { name: 'nginx-http-auth', options: { mode: 'aggressive', extra: 'a, b' } });
  assert.deepEqual(web.logpath, ['/var/log/nginx/*error.log', '/srv/*/logs/error.log']);
  assert.deepEqual(web.ignoreip, ['127.0.0.1/8', '::1', '192.0.2.0/24', 'gateway.example.org']);
  assert.equal(web.ignoreself, false);
  assert.equal(web.ignorecommand, '/usr/local/bin/is-friend <ip>');
  assert.equal(web.maxretry, 3);
  assert.equal(web.findtime, 3600);
  assert.equal(web.bantime, -1);
  assert.deepEqual(web.increment, {
    enabled: true,
    factor: 2,
    formula: 'ban.Time * banFactor',
    multipliers: [1, 5, 30, 60],
    maxtime: 5 * 7 * 86400,
    rndtime: 600,
    overalljails: true,
  });
  assert.equal(web.backend, 'polling');
  assert.equal(web.usedns, 'no');
  assert.equal(web.logencoding, 'utf-8');
  assert.equal(web.logtimezone, 'UTC');
  assert.equal(web.datepattern, '^%Y-%m-%d %H:%M:%S');
  assert.equal(web.journalmatch, '_SYSTEMD_UNIT=nginx.service');
  assert.equal(web.maxlines, 2);
  assert.deepEqual(web.actions, [
    { name: 'iptables-multiport', options: { port: 'http,https', protocol: 'tcp', chain: '<known/chain>' } },
  ]);
  assert.equal(web.options.port, 'http,https');
  assert.equal(web.options.destemail, 'admin@example.org');
  assert.equal(web.options.protocol, 'tcp');
  assert.deepEqual(web.source, { file: local, line: 1, section: 'web' });
});

test('a jail that sets nothing gets the DEFAULT values and fail2ban defaults', (t) => {
  const { jails, warnings } = load(t, '[plain]\nenabled = true\nlogpath = /p.log\n');
  const j = jails.find((x) => x.name === 'plain')!;
  assert.deepEqual(
    { filter: j.filter, maxretry: j.maxretry, findtime: j.findtime, bantime: j.bantime, backend: j.backend, usedns: j.usedns },
    { filter: { name: 'plain', options: {} }, maxretry: 5, findtime: 600, bantime: 600, backend: 'auto', usedns: 'warn' },
  );
  assert.deepEqual(j.ignoreip, []);
  assert.equal(j.ignoreself, true);
  assert.equal(j.logencoding, 'auto');
  assert.equal(j.increment.enabled, false);
  assert.equal(j.maxlines, undefined);
  assert.deepEqual(warnings, []);
});

test('an action list mixes %(action_)s, names with options and continuation lines', (t) => {
  const { jails } = load(
    t,
    '[sshd]\naction = %(action_)s[blocktype=REJECT,\n            actionstart_on_demand=false]\n   sendmail-whois[name=SSH, dest="me@example.org, you@example.org"]\n   hostsdeny\n',
  );
  assert.deepEqual(jails[0]!.actions, [
    {
      name: 'iptables-multiport',
      options: { port: 'ssh', protocol: 'tcp', chain: '<known/chain>', blocktype: 'REJECT', actionstart_on_demand: 'false' },
    },
    { name: 'sendmail-whois', options: { name: 'SSH', dest: 'me@example.org, you@example.org' } },
    { name: 'hostsdeny', options: {} },
  ]);
});

function throwsAt(fn: () => unknown, re: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

test('maxretry = abc in an enabled jail skips that jail alone: one line naming file, line, section and key', (t) => {
  const c = load(t, '[sshd]\n\nmaxretry = abc\n');
  assert.ok(!c.jails.some((j) => j.name === 'sshd'), 'the jail is left out');
  assert.equal(c.jailErrors.length, 1);
  assert.match(c.jailErrors[0]!, /jail\.local:3 \[sshd\] maxretry: "abc" is not a whole number \(jail \[sshd\] skipped\)$/);
});

test('findtime = soon in an enabled jail is an error at its place, and only that jail is skipped', (t) => {
  const c = load(t, '[sshd]\nfindtime = soon\n[other]\nenabled = true\nfilter = sshd\n');
  assert.match(c.jailErrors.join('\n'), /jail\.local:2 \[sshd\] findtime: "soon" is not a duration/);
  assert.ok(c.jails.some((j) => j.name === 'other' && j.enabled));
});

test('enabled = maybe is an error: we cannot tell whether to run the jail', (t) => {
  throwsAt(() => load(t, '[sshd]\nenabled = maybe\n'), /jail\.local:2 \[sshd\] enabled: "maybe" is not a boolean/);
});

test('a bad value inherited from DEFAULT names DEFAULT and the jail that uses it', (t) => {
  throwsAt(
    () => load(t, '[DEFAULT]\nbantime = forever\n'),
    /jail\.local:2 \[DEFAULT\] bantime: "forever" is not a duration.*\(for jail \[sshd\]\)$/,
  );
});

/** The jail is skipped with one error line matching `re`. */
function skipsWith(t: Parameters<typeof tree>[0], local: string, re: RegExp) {
  const c = load(t, local);
  assert.ok(!c.jails.some((j) => j.name === 'sshd'), 'the jail is left out');
  assert.equal(c.jailErrors.length, 1, c.jailErrors.join('\n'));
  assert.match(c.jailErrors[0]!, re);
}

test('an unknown %(name)s in an enabled jail is an error naming where it was written (the jail is skipped)', (t) => {
  skipsWith(t, '[sshd]\nlogpath = %(nope_log)s\n', /jail\.local:2 \[sshd\] logpath: unknown reference %\(nope_log\)s \(jail \[sshd\] skipped\)$/);
  skipsWith(t, '[sshd]\nport = %(nope)s\n', /jail\.local:2 \[sshd\] port: unknown reference %\(nope\)s \(jail \[sshd\] skipped\)$/);
});

test('an action that is not name[k=v] in an enabled jail is an error (the jail is skipped)', (t) => {
  skipsWith(t, '[sshd]\naction = iptables[port="ssh"\n', /jail\.local:2 \[sshd\] action: cannot read/);
});

test('bad values in a disabled jail are warnings; the jail gets defaults and the load goes on', (t) => {
  const { jails, warnings, local } = load(
    t,
    '[old]\nenabled = false\nmaxretry = abc\nfindtime = soon\nlogpath = %(nope)s\naction = x[y\n',
  );
  const old = jails.find((j) => j.name === 'old')!;
  assert.equal(old.enabled, false);
  assert.equal(old.maxretry, 3); // fail2ban's built-in default
  assert.equal(old.findtime, 600);
  assert.deepEqual(old.logpath, []);
  assert.deepEqual(old.actions, []);
  assert.deepEqual(warnings, [
    `${local}:6 [old] action: cannot read "x[y" as name[key=value, ...]`,
    `${local}:5 [old] logpath: unknown reference %(nope)s`,
    `${local}:3 [old] maxretry: "abc" is not a whole number`,
    `${local}:4 [old] findtime: "soon" is not a duration (unknown unit "soon"); write seconds or e.g. 10m, 1h, 1d, 1w`,
  ]);
  assert.equal(jails.find((j) => j.name === 'sshd')!.enabled, true);
});

test('an unsupported backend or usedns in an enabled jail is a warning, not a crash', (t) => {
  const { jails, warnings, local } = load(t, '[sshd]\nbackend = fancy\nusedns = sometimes\n');
  assert.equal(jails[0]!.backend, 'fancy');
  assert.equal(jails[0]!.usedns, 'warn');
  assert.deepEqual(warnings, [
    `${local}:2 [sshd] backend: backend "fancy" is not supported, files are read by polling`,
    `${local}:3 [sshd] usedns: usedns "sometimes" is not one of yes, warn, no, raw; using warn`,
  ]);
});

test('systemd[journalflags=1] and pyinotify backends are accepted silently', (t) => {
  const { warnings } = load(t, '[sshd]\nbackend = systemd[journalflags=1]\n[b]\nenabled = true\nlogpath = /b\nbackend = pyinotify\n');
  assert.deepEqual(warnings, []);
});

test('an unreadable line in an enabled jail is an error; in a disabled one a warning', (t) => {
  throwsAt(() => load(t, '[sshd]\nport ssh\n'), /jail\.local:2 \[sshd\]: cannot read this line: "port ssh"$/);
  const { warnings } = load(t, '[other]\nport ssh\n');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /jail\.local:2 \[other\]: cannot read this line: "port ssh" \(line ignored\)$/);
});

test('options left unused (an action_ wanting an unset API key) do not break the load', (t) => {
  const { jails, warnings } = load(t, '[DEFAULT]\naction_blocklist = bl[apikey="%(blocklist_apikey)s"]\n');
  assert.deepEqual(warnings, []);
  assert.equal(jails[0]!.options.action_blocklist, undefined);
  assert.equal(jails[0]!.options.port, 'ssh');
});

test('a bad DEFAULT value with only disabled jails using it is one warning, not one per jail', (t) => {
  const builtinDir = tree(t, BUILTIN);
  const configDir = tree(t, {
    'jail.conf': '[DEFAULT]\nmaxretry = lots\nlogpath = %(nope)s\n[a]\n[b]\n[c]\n',
  });
  const { warnings } = loadConfig({ configDir, builtinDir });
  const file = join(configDir, 'jail.conf');
  assert.deepEqual(warnings, [
    `${file}:3 [DEFAULT] logpath: unknown reference %(nope)s (jails using it are disabled)`,
    `${file}:2 [DEFAULT] maxretry: "lots" is not a whole number (jails using it are disabled)`,
  ]);
});

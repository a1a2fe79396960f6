// The stock fail2ban 1.0.2 configuration must read unchanged: that is how a fail2ban user migrates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadConfig, parseDuration } from '../../src/config/index.ts';
import { BUILTIN, tree } from './helpers.ts';

const STOCK = resolve(import.meta.dirname, '../../../shared/conformance/fail2ban-1.0.2');
const SSHD_SAMPLE = join(STOCK, 'samples', 'sshd');
const haveStock = existsSync(join(STOCK, 'jail.conf'));

/** A writable copy of the stock configuration (without the samples) plus `jailLocal`. */
function stockCopy(t: Parameters<typeof tree>[0], jailLocal: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-stock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(STOCK, dir, { recursive: true, filter: (src) => basename(src) !== 'samples' });
  writeFileSync(join(dir, 'jail.local'), jailLocal);
  return dir;
}

test('the stock fail2ban 1.0.2 configuration loads: every jail resolves, none enabled, no warnings', (t) => {
  if (!haveStock) return t.skip(`no stock configuration at ${STOCK}`);
  const cfg = loadConfig({ configDir: STOCK, builtinDir: tree(t, BUILTIN) });
  assert.equal(cfg.jails.length, 91);
  assert.deepEqual(cfg.warnings, []);
  assert.deepEqual(cfg.jails.filter((j) => j.enabled), []);
  for (const j of cfg.jails) {
    assert.ok(j.filter.name, `${j.name} has a filter`);
    assert.ok(j.actions.length >= 1, `${j.name} has an action`);
    assert.ok(j.logpath.length >= 1, `${j.name} has a logpath`);
    assert.ok(j.maxretry > 0 && j.findtime > 0 && j.bantime > 0, j.name);
  }
  const byName = new Map(cfg.jails.map((j) => [j.name, j]));
  assert.deepEqual(byName.get('postfix-rbl')!.filter, { name: 'postfix', options: { mode: 'rbl' } });
  assert.deepEqual(byName.get('pass2allow-ftp')!.filter, { name: 'apache-pass', options: { knocking_url: '/knocking/' } });
  assert.deepEqual(byName.get('php-url-fopen')!.logpath, ['/var/log/nginx/*access.log', '/var/log/apache2/*access.log']);
  assert.equal(byName.get('recidive')!.bantime, 7 * 86400);
  assert.equal(byName.get('apache-fakegooglebot')!.ignorecommand, `${STOCK}/filter.d/ignorecommands/apache-fakegooglebot <ip>`);
});

test('the stock configuration with a jail.local enabling sshd gives fail2ban\'s sshd jail', (t) => {
  if (!haveStock) return t.skip(`no stock configuration at ${STOCK}`);
  const dir = stockCopy(t, `[sshd]\nenabled = true\nlogpath = ${SSHD_SAMPLE}\n`);
  const cfg = loadConfig({ configDir: dir, builtinDir: tree(t, BUILTIN) });
  assert.deepEqual(cfg.warnings, []);
  const enabled = cfg.jails.filter((j) => j.enabled);
  assert.deepEqual(enabled.map((j) => j.name), ['sshd']);
  const sshd = enabled[0]!;
  assert.deepEqual(sshd.filter, { name: 'sshd', options: { mode: 'normal' } });
  assert.deepEqual(sshd.actions, [
    { name: 'iptables-multiport', options: { port: 'ssh', protocol: 'tcp', chain: '<known/chain>' } },
  ]);
  assert.deepEqual(sshd.logpath, [SSHD_SAMPLE]);
  assert.equal(sshd.bantime, 600);
  assert.equal(sshd.findtime, 600);
  assert.equal(sshd.maxretry, 5);
  assert.equal(sshd.backend, 'auto');
  assert.equal(sshd.usedns, 'warn');
  assert.equal(sshd.options.port, 'ssh');
  assert.equal(sshd.options.maxmatches, '5');
  assert.equal(sshd.options.sender, 'root@<fq-hostname>');
});

test('the stock action_mwl sends mail with the jail\'s log paths', (t) => {
  if (!haveStock) return t.skip(`no stock configuration at ${STOCK}`);
  const dir = stockCopy(t, `[sshd]\nenabled = true\naction = %(action_mwl)s\n`);
  const sshd = loadConfig({ configDir: dir, builtinDir: tree(t, BUILTIN) }).jails.find((j) => j.name === 'sshd')!;
  assert.deepEqual(sshd.actions, [
    { name: 'iptables-multiport', options: { port: 'ssh', protocol: 'tcp', chain: '<known/chain>' } },
    {
      name: 'sendmail-whois-lines',
      options: { sender: 'root@<fq-hostname>', dest: 'root@localhost', logpath: '/var/log/auth.log', chain: '<known/chain>' },
    },
  ]);
});

/** fail2ban's own reading of a configuration (`fail2ban-client -d`), as JSON. */
function fail2banDump(dir: string): unknown[][] {
  const dump = execFileSync('fail2ban-client', ['-c', dir, '-d'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const json = execFileSync(
    'python3',
    ['-c', 'import sys,ast,json; print(json.dumps([ast.literal_eval(l) for l in sys.stdin if l.startswith("[")]))'],
    { input: dump, encoding: 'utf8' },
  );
  return JSON.parse(json);
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canCompare = () =>
  hasCommand('fail2ban-client') && hasCommand('python3') && existsSync('/etc/fail2ban/fail2ban.conf');
const NO_FAIL2BAN = 'fail2ban (Debian package) not installed: nothing to compare with';

/** Load `dir` with f2b-scan and with fail2ban, and compare every enabled jail key by key. */
function assertSameAsFail2ban(t: Parameters<typeof tree>[0], dir: string): number {
  copyFileSync('/etc/fail2ban/fail2ban.conf', join(dir, 'fail2ban.conf'));
  const theirs = new Map<string, { set: Record<string, unknown>; actions: Record<string, string>[] }>();
  for (const cmd of fail2banDump(dir)) {
    const [verb, jail, what] = cmd as [string, string, string];
    if (verb === 'add') theirs.set(jail, { set: {}, actions: [] });
    const j = theirs.get(jail);
    if (!j) continue;
    if (verb === 'set') j.set[what] = what === 'addignoreip' ? cmd.slice(3) : cmd[3];
    if (verb === 'multi-set' && what === 'action') {
      const opts: Record<string, string> = {};
      for (const [k, v] of cmd[4] as [string, string][]) if (!(k in opts)) opts[k] = String(v);
      j.actions.push(opts);
    }
  }

  const ours = loadConfig({ configDir: dir, builtinDir: tree(t, BUILTIN) });
  assert.deepEqual(ours.warnings, []);
  const enabled = ours.jails.filter((j) => j.enabled);
  assert.deepEqual(enabled.map((j) => j.name), [...theirs.keys()]);
  const here = { file: 'fail2ban-client -d' };
  const seconds = (v: unknown) => (v === undefined ? undefined : parseDuration(String(v), here));
  for (const j of enabled) {
    const f = theirs.get(j.name)!;
    assert.equal(j.maxretry, f.set.maxretry, `${j.name} maxretry`);
    assert.equal(j.findtime, seconds(f.set.findtime), `${j.name} findtime`);
    assert.equal(j.bantime, seconds(f.set.bantime), `${j.name} bantime`);
    assert.equal(j.usedns, f.set.usedns, `${j.name} usedns`);
    assert.equal(j.logencoding, f.set.logencoding, `${j.name} logencoding`);
    assert.equal(j.ignorecommand ?? '', f.set.ignorecommand, `${j.name} ignorecommand`);
    assert.deepEqual(j.ignoreip, f.set.addignoreip ?? [], `${j.name} ignoreip`);
    assert.equal(j.options.maxmatches, String(f.set.maxmatches), `${j.name} maxmatches`);
    assert.equal(j.increment.enabled, f.set['bantime.increment'] ?? false, `${j.name} bantime.increment`);
    if (f.set['bantime.factor'] !== undefined) assert.equal(j.increment.factor, Number(f.set['bantime.factor']));
    if (f.set['bantime.multipliers'] !== undefined) {
      assert.deepEqual(j.increment.multipliers, String(f.set['bantime.multipliers']).split(/\s+/).map(Number));
    }
    assert.equal(j.increment.maxtime, seconds(f.set['bantime.maxtime']), `${j.name} bantime.maxtime`);
    assert.equal(j.increment.rndtime, seconds(f.set['bantime.rndtime']), `${j.name} bantime.rndtime`);
    assert.equal(j.actions.length, f.actions.length, `${j.name} number of actions`);
    j.actions.forEach((a, i) => {
      for (const [k, v] of Object.entries(a.options)) assert.equal(v, f.actions[i]![k], `${j.name} action ${a.name} ${k}`);
    });
  }
  return enabled.length;
}

test('every stock jail, enabled, reads as fail2ban 1.0.2 itself reads it', (t) => {
  if (!haveStock) return t.skip(`no stock configuration at ${STOCK}`);
  if (!canCompare()) return t.skip(NO_FAIL2BAN);
  const names = loadConfig({ configDir: STOCK, builtinDir: tree(t, BUILTIN) }).jails.map((j) => j.name);
  const log = join(tmpdir(), `f2b-stock-${process.pid}.log`);
  writeFileSync(log, '');
  t.after(() => rmSync(log, { force: true }));
  const dir = stockCopy(t, names.map((n) => `[${n}]\nenabled = true\nlogpath = ${log}\n`).join(''));
  assert.equal(assertSameAsFail2ban(t, dir), 91);
});

test('a typical jail.local with jail.d overrides, known/ and section/ references reads as fail2ban reads it', (t) => {
  if (!haveStock) return t.skip(`no stock configuration at ${STOCK}`);
  if (!canCompare()) return t.skip(NO_FAIL2BAN);
  const log = join(tmpdir(), `f2b-stock-${process.pid}-b.log`);
  writeFileSync(log, '');
  t.after(() => rmSync(log, { force: true }));
  const dir = stockCopy(
    t,
    [
      '[DEFAULT]',
      'banaction = iptables-allports',
      'bantime = 1h',
      'ignoreip = 127.0.0.1/8, ::1 192.0.2.0/24',
      '[sshd]',
      'enabled = true',
      `logpath = ${log}`,
      'port = ssh,2222',
      'action = %(known/action)s',
      '         %(action_mw)s',
      'ignoreip = %(known/ignoreip)s 198.51.100.7',
      'bantime.increment = true',
      'bantime.factor = 2',
      'bantime.multipliers = 1 2 4',
      'bantime.maxtime = 1w',
      '[dropbear]',
      'enabled = true',
      `logpath = ${log}`,
      'port = %(sshd/port)s',
      'maxretry = %(sshd/maxretry)s',
      '[nsd]',
      'enabled = true',
      `logpath = ${log}`,
      'port = 5353',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'jail.d'));
  writeFileSync(join(dir, 'jail.d', 'a.conf'), '[sshd]\nmaxretry = 2\nbantime.rndtime = 5m\n');
  writeFileSync(join(dir, 'jail.d', 'b.local'), '[sshd]\nfindtime = 2h\n');
  assert.equal(assertSameAsFail2ban(t, dir), 3);
});

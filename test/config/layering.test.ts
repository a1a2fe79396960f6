import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { BUILTIN, tree } from './helpers.ts';

test('layers override in fail2ban order: jail.conf < jail.d/*.conf < jail.local < jail.d/*.local', (t) => {
  const builtinDir = tree(t, BUILTIN);
  const configDir = tree(t, {
    'jail.conf': '[DEFAULT]\nmaxretry = 1\nfindtime = 1m\nbantime = 1m\n[sshd]\nenabled = true\nlogpath = /conf.log\n',
    'jail.d/b.conf': '[sshd]\nmaxretry = 3\nlogpath = /b.conf.log\n',
    'jail.d/a.conf': '[sshd]\nmaxretry = 2\nfindtime = 2m\nlogpath = /a.conf.log\n',
    'jail.local': '[sshd]\nmaxretry = 4\nbantime = 4m\n',
    'jail.d/z.local': '[sshd]\nmaxretry = 6\n',
    'jail.d/y.local': '[sshd]\nmaxretry = 5\nfindtime = 5m\n',
  });
  const { jails } = loadConfig({ configDir, builtinDir });
  const sshd = jails.find((j) => j.name === 'sshd')!;
  assert.equal(sshd.maxretry, 6); // z.local is read last
  assert.equal(sshd.findtime, 300); // y.local beats a.conf
  assert.equal(sshd.bantime, 240); // jail.local beats jail.conf's DEFAULT
  assert.deepEqual(sshd.logpath, ['/b.conf.log']); // b.conf after a.conf
});

test("the user's jail.conf replaces the shipped one; without it the shipped one is the base", (t) => {
  const builtinDir = tree(t, BUILTIN);
  const withOwn = tree(t, { 'jail.conf': '[web]\nenabled = true\nlogpath = /w.log\n' });
  assert.deepEqual(
    loadConfig({ configDir: withOwn, builtinDir }).jails.map((j) => j.name),
    ['web'],
  );
  const localOnly = tree(t, { 'jail.local': '[sshd]\nmaxretry = 2\n[web]\nlogpath = /w.log\n' });
  const cfg = loadConfig({ configDir: localOnly, builtinDir });
  assert.deepEqual(cfg.jails.map((j) => j.name), ['sshd', 'web']);
  assert.equal(cfg.jails[0]!.maxretry, 2);
  assert.equal(cfg.jails[0]!.enabled, true);
  assert.equal(cfg.jails[1]!.enabled, false);
});

test('a config directory that does not exist runs the shipped rules alone, with a warning', (t) => {
  const builtinDir = tree(t, BUILTIN);
  const configDir = join(builtinDir, 'no-such-dir');
  const cfg = loadConfig({ configDir, builtinDir });
  assert.deepEqual(cfg.jails.map((j) => [j.name, j.enabled]), [['sshd', true]]);
  assert.equal(cfg.warnings.length, 1);
  assert.match(cfg.warnings[0]!, /no-such-dir: configuration directory not found/);
});

test('filter.d and action.d are searched in the user directory first, then the shipped rules', (t) => {
  const builtinDir = tree(t, BUILTIN);
  const configDir = tree(t, { 'jail.local': '' });
  const cfg = loadConfig({ configDir, builtinDir });
  assert.deepEqual(cfg.filterDirs, [join(configDir, 'filter.d'), join(builtinDir, 'filter.d')]);
  assert.deepEqual(cfg.actionDirs, [join(configDir, 'action.d'), join(builtinDir, 'action.d')]);
  assert.equal(cfg.configDir, configDir);
  assert.equal(cfg.builtinDir, builtinDir);
});

test('f2b-scan.conf/.local are read from the shipped rules then the user directory', (t) => {
  const builtinDir = tree(t, { ...BUILTIN, 'f2b-scan.conf': '[Definition]\nlogtarget = SYSLOG\n[fleet]\nurl =\n' });
  const configDir = tree(t, {
    'f2b-scan.conf': '[fleet]\nurl = redis://127.0.0.1:6379\n',
    'f2b-scan.local': '[Definition]\nlogtarget = /var/log/f2b-scan.log\n',
  });
  const { main } = loadConfig({ configDir, builtinDir });
  assert.equal(main.get('fleet', 'url'), 'redis://127.0.0.1:6379');
  assert.equal(main.get('Definition', 'logtarget'), '/var/log/f2b-scan.log');
  const empty = loadConfig({ configDir: tree(t, {}), builtinDir: tree(t, BUILTIN) });
  assert.deepEqual(empty.main.sections(), []);
});

test('jails come in file order, enabled or not; DEFAULT and INCLUDES are not jails', (t) => {
  const builtinDir = tree(t, BUILTIN);
  const configDir = tree(t, {
    'jail.conf': '[INCLUDES]\nbefore = paths.conf\n[DEFAULT]\nx = 1\n[b]\n[a]\nenabled = true\nlogpath = /a\n[c]\n',
    'paths.conf': '[DEFAULT]\ny = 2\n',
    'jail.local': '[d]\n[b]\nenabled = yes\nlogpath = /b\n',
  });
  const { jails } = loadConfig({ configDir, builtinDir });
  assert.deepEqual(jails.map((j) => [j.name, j.enabled]), [['b', true], ['a', true], ['c', false], ['d', false]]);
});

test('%(known/action)s in jail.local extends the action jail.conf gave', (t) => {
  const builtinDir = tree(t, BUILTIN);
  const configDir = tree(t, { 'jail.local': '[sshd]\naction = %(known/action)s\n         sendmail[dest="root@localhost"]\n' });
  const sshd = loadConfig({ configDir, builtinDir }).jails[0]!;
  assert.deepEqual(sshd.actions, [
    { name: 'iptables-multiport', options: { port: 'ssh', protocol: 'tcp', chain: '<known/chain>' } },
    { name: 'sendmail', options: { dest: 'root@localhost' } },
  ]);
});

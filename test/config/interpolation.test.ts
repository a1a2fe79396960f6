import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IniStore } from '../../src/config/store.ts';
import { ConfigError } from '../../src/util/errors.ts';

function layers(...texts: string[]): IniStore {
  const s = new IniStore();
  texts.forEach((t, i) => s.addText(t, `layer${i}.conf`));
  return s;
}

test('a jail inherits what it does not set from [DEFAULT]', () => {
  const s = layers('[DEFAULT]\nmaxretry = 5\nbantime = 10m\n[sshd]\nmaxretry = 3\n');
  assert.equal(s.get('sshd', 'maxretry'), '3');
  assert.equal(s.get('sshd', 'bantime'), '10m');
});

test("DEFAULT's action_ is interpolated with the jail's own banaction and port", () => {
  const s = layers(
    '[DEFAULT]\nbanaction = iptables-multiport\nport = 0:65535\n' +
      'action_ = %(banaction)s[port="%(port)s", name=%(__name__)s]\naction = %(action_)s\n' +
      '[sshd]\nport = ssh\n[openhab]\nbanaction = iptables-allports\n',
  );
  assert.equal(s.get('sshd', 'action'), 'iptables-multiport[port="ssh", name=sshd]');
  assert.equal(s.get('openhab', 'action'), 'iptables-allports[port="0:65535", name=openhab]');
});

test('%(__name__)s is the name of the jail asking', () => {
  const s = layers('[DEFAULT]\nfilter = %(__name__)s[mode=%(mode)s]\nmode = normal\n[sshd]\n[postfix]\nmode = more\n');
  assert.equal(s.get('sshd', 'filter'), 'sshd[mode=normal]');
  assert.equal(s.get('postfix', 'filter'), 'postfix[mode=more]');
});

test('%(default/x)s is DEFAULT\'s raw value, read in the jail\'s context (stock nsd jail)', () => {
  const s = layers(
    '[DEFAULT]\nport = 0:65535\naction_ = ban[port="%(port)s"]\naction = %(action_)s\n' +
      '[nsd]\nport = 53\naction_ = %(default/action_)s[name=%(__name__)s-tcp]\n',
  );
  assert.equal(s.get('nsd', 'action'), 'ban[port="53"][name=nsd-tcp]');
});

test('%(known/x)s is the value the earlier layers gave the key', () => {
  const s = layers(
    '[DEFAULT]\naction = ban\n[sshd]\nignoreip = 127.0.0.1\n',
    '[sshd]\naction = %(known/action)s\n         mail\nignoreip = %(known/ignoreip)s 192.0.2.7\n',
  );
  assert.equal(s.get('sshd', 'action'), 'ban\nmail');
  assert.equal(s.get('sshd', 'ignoreip'), '127.0.0.1 192.0.2.7');
});

test('%(section/x)s reads another section, falling back to DEFAULT', () => {
  const s = layers('[DEFAULT]\nport = 1\n[a]\nlogpath = /a.log\n[b]\nlogpath = %(a/logpath)s\nport = %(a/port)s\n');
  assert.equal(s.get('b', 'logpath'), '/a.log');
  assert.equal(s.get('b', 'port'), '1');
});

test('%% is a literal percent sign', () => {
  const s = layers('[x]\ndatepattern = %%Y-%%m-%%d\n');
  assert.equal(s.get('x', 'datepattern'), '%Y-%m-%d');
});

test('an unknown %(name)s names the file, line, section and key where it was written', () => {
  const s = layers('[DEFAULT]\nmaxretry = 5\n', '[sshd]\nport = ssh\nbantime = %(nope)s\n');
  assert.throws(
    () => s.get('sshd', 'bantime'),
    (e: unknown) => e instanceof ConfigError && e.message === 'layer1.conf:3 [sshd] bantime: unknown reference %(nope)s',
  );
});

test('an unknown reference in DEFAULT says which jail asked', () => {
  const s = layers('[DEFAULT]\naction = %(missing)s\n[sshd]\n');
  assert.throws(() => s.get('sshd', 'action'), /^ConfigError: layer0.conf:2 \[DEFAULT\] action: unknown reference %\(missing\)s \(for \[sshd\]\)$/);
});

test('a reference loop is an error, not a hang', () => {
  const s = layers('[x]\na = %(b)s\nb = %(a)s\n');
  assert.throws(() => s.get('x', 'a'), /interpolation too deep/);
});

test('keys named like Object properties are ordinary keys', () => {
  const s = layers('[x]\nconstructor = 1\ntostring = %(constructor)s\n');
  assert.equal(s.get('x', 'tostring'), '1');
  assert.equal(s.get('x', 'hasownproperty'), undefined);
  assert.equal(s.get('x', 'a', { constructor: 'v' }), undefined);
});

test('[INCLUDES] before is read first, after last, both relative to the including file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-inc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'paths-common.conf'), '[DEFAULT]\nsshd_log = /var/log/auth.log\nport = 1\n');
  writeFileSync(join(dir, 'sub', 'paths-after.conf'), '[DEFAULT]\nport = 3\n');
  writeFileSync(
    join(dir, 'sub', 'jail.conf'),
    '[INCLUDES]\nbefore = paths-common.conf\nafter = paths-after.conf\n        paths-missing.local\n[DEFAULT]\nport = 2\n[sshd]\nlogpath = %(sshd_log)s\n',
  );
  const s = new IniStore();
  s.addFile(join(dir, 'sub', 'jail.conf'));
  assert.equal(s.get('sshd', 'logpath'), '/var/log/auth.log');
  assert.equal(s.get('sshd', 'port'), '3');
  assert.equal(s.hasSection('INCLUDES'), false);
});

test('a file that includes itself is a config error, not a hang', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-inc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.conf'), '[INCLUDES]\nbefore = b.conf\n');
  writeFileSync(join(dir, 'b.conf'), '[INCLUDES]\nbefore = a.conf\n');
  const s = new IniStore();
  assert.throws(() => s.addFile(join(dir, 'a.conf')), (e: unknown) => e instanceof ConfigError && /include loop/.test(e.message));
});

test('references that fan out in a loop fail fast with a ConfigError', () => {
  const s = layers('[x]\na = %(b)s%(b)s%(b)s%(b)s\nb = %(a)s%(a)s%(a)s%(a)s\n');
  const started = Date.now();
  assert.throws(() => s.get('x', 'a'), ConfigError);
  assert.ok(Date.now() - started < 1000);
});

test('references that double a value 30 times fail instead of filling memory', () => {
  const keys = Array.from({ length: 30 }, (_, i) => `v${i + 1} = %(v${i})s%(v${i})s`).join('\n');
  const s = layers(`[x]\nv0 = xxxxxxxxxxxxxxxx\n${keys}\n`);
  assert.throws(() => s.get('x', 'v30'), ConfigError);
});

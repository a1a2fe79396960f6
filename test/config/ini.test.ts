import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIni, splitList, splitNameOptions, splitRefs } from '../../src/config/ini.ts';
import { IniStore } from '../../src/config/store.ts';

function store(text: string): IniStore {
  const s = new IniStore();
  s.addText(text, 'jail.local');
  return s;
}

test('a value continued on indented lines is one multi-line value', () => {
  const s = store('[sshd]\nlogpath = /var/log/auth.log\n          /var/log/secure\nport = ssh\n');
  assert.equal(s.get('sshd', 'logpath'), '/var/log/auth.log\n/var/log/secure');
  assert.equal(s.get('sshd', 'port'), 'ssh');
});

test('full-line # and ; comments are skipped, also between continuation lines', () => {
  const s = store('# top\n[sshd]\n; about port\nport = ssh\nlogpath = /a\n# a comment inside\n   /b\n');
  assert.equal(s.get('sshd', 'port'), 'ssh');
  assert.equal(s.get('sshd', 'logpath'), '/a\n/b');
});

test('an inline comment needs a space before the ;, a # inside a value is kept', () => {
  const s = store('[sshd]\nport = ssh ; the usual port\nignoreip = 127.0.0.1;10.0.0.1\nfailregex = ^x#y$\n');
  assert.equal(s.get('sshd', 'port'), 'ssh');
  assert.equal(s.get('sshd', 'ignoreip'), '127.0.0.1;10.0.0.1');
  assert.equal(s.get('sshd', 'failregex'), '^x#y$');
});

test('keys are case-insensitive and may use ":"; sections keep their case', () => {
  const s = store('[SSHd]\nMaxRetry: 3\n');
  assert.equal(s.get('SSHd', 'maxretry'), '3');
  assert.equal(s.hasSection('sshd'), false);
});

test('a file starting with a byte-order mark reads its first section', () => {
  const { sections, problems } = parseIni('\uFEFF[sshd]\nport = ssh\n', 'jail.local');
  assert.deepEqual(problems, []);
  assert.equal(sections.get('sshd')?.get('port')?.value, 'ssh');
});

test('an unreadable line is reported with its file, line and section', () => {
  const { problems } = parseIni('[sshd]\nport = ssh\nthis is not a key\n', 'jail.local');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.line, 3);
  assert.equal(problems[0]!.section, 'sshd');
  assert.equal(problems[0]!.file, 'jail.local');
});

test('filter options: sshd[mode=aggressive]', () => {
  assert.deepEqual(splitNameOptions('sshd[mode=aggressive]'), { name: 'sshd', options: { mode: 'aggressive' } });
  assert.deepEqual(splitNameOptions('  sshd  '), { name: 'sshd', options: {} });
});

test('action options with quotes keep commas and brackets inside the quotes', () => {
  const r = splitNameOptions(
    `iptables-multiport[name=SSH, port="ssh,2222", protocol='tcp', chain="<known/chain>", msg="a [b], c"]`,
  );
  assert.deepEqual(r, {
    name: 'iptables-multiport',
    options: { name: 'SSH', port: 'ssh,2222', protocol: 'tcp', chain: '<known/chain>', msg: 'a [b], c' },
  });
});

test('two option groups name[a][b] merge, the later one wins (the stock nsd jail)', () => {
  const r = splitNameOptions('iptables-multiport[port="53", protocol="tcp"][name=nsd-tcp, protocol="udp"]');
  assert.deepEqual(r, { name: 'iptables-multiport', options: { port: '53', protocol: 'udp', name: 'nsd-tcp' } });
});

test('text that is not name[k=v] is refused, not guessed', () => {
  for (const bad of ['', 'a b', 'x[y', 'x[novalue]', 'x[k="v" junk]', '[k=v]', 'x[a=1]y']) {
    assert.equal(splitNameOptions(bad), null, bad);
  }
});

test('an option key named __proto__ is an ordinary key', () => {
  const r = splitNameOptions('x[__proto__=1, constructor=2]');
  assert.equal(Object.getPrototypeOf(r!.options), Object.prototype);
  assert.equal(r!.options['__proto__' as string], '1');
  assert.equal(r!.options.constructor as unknown, '2');
});

test('an action list splits at newlines and spaces, not inside brackets or quotes', () => {
  const value = 'iptables-multiport[port="ssh", protocol="tcp"]\nsendmail-whois[dest="a b", sender=x]  hostsdeny\nx [a=1]';
  assert.deepEqual(splitRefs(value), [
    'iptables-multiport[port="ssh", protocol="tcp"]',
    'sendmail-whois[dest="a b", sender=x]',
    'hostsdeny',
    'x[a=1]',
  ]);
});

test('an action continued over lines inside its brackets is one entry', () => {
  const value = 'iptables[blocktype=RETURN,\nactionstart_on_demand=false]\nmail';
  assert.deepEqual(splitRefs(value), ['iptables[blocktype=RETURN, actionstart_on_demand=false]', 'mail']);
  assert.deepEqual(splitList(value), ['iptables[blocktype=RETURN, actionstart_on_demand=false]', 'mail']);
});

test('text after a section header is ignored, as Python does: [sshd] # my jail', () => {
  const s = store('[sshd] # my jail\nport = ssh\n');
  assert.equal(s.get('sshd', 'port'), 'ssh');
  assert.deepEqual(s.problems, []);
});

test('a key written twice in one file: the last one wins', () => {
  const s = store('[sshd]\nport = 1\nport = 2\n');
  assert.equal(s.get('sshd', 'port'), '2');
  assert.equal(s.entry('sshd', 'port')!.line, 3);
});

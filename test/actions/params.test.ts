// How an action's options are found: the Ref's own over the jail's, `<known/...>` and empty
// meaning the backend's default, and values that would break a batch refused with a reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveActionParams } from '../../src/actions/index.ts';
import { iptablesConfig, jumpRules, banBatch } from '../../src/actions/iptables-rules.ts';
import { makeJail } from '../helpers/jails.ts';

test('options written in the action override the jail, <known/chain> and empty values fall back to defaults', () => {
  const ref = { name: 'iptables-multiport', options: { port: '"ssh"', protocol: 'tcp', chain: '<known/chain>', blocktype: '' } };
  const jail = makeJail('sshd', [ref], { port: '0:65535', chain: 'DOCKER-USER', blocktype: 'DROP', protocol: 'udp', logpath: '/var/log/auth.log' });
  const p = resolveActionParams(ref, jail);
  assert.deepEqual(p, {
    jail: 'sshd',
    action: 'iptables-multiport',
    options: { port: 'ssh', protocol: 'tcp', chain: 'DOCKER-USER', blocktype: 'DROP', name: 'sshd' },
  });
});

test('the jail stock config (chain = <known/chain>, no blocktype) gives INPUT and REJECT', () => {
  const ref = { name: 'iptables-multiport', options: { port: 'http,https', protocol: 'tcp', chain: '<known/chain>' } };
  const cfg = iptablesConfig(resolveActionParams(ref, makeJail('nginx-http-auth', [ref], { chain: '<known/chain>' })), 'multiport');
  assert.equal(cfg.chain, 'INPUT');
  assert.equal(cfg.target, 'f2b-nginx-http-auth');
  assert.deepEqual(jumpRules(cfg), [['-p', 'tcp', '-m', 'multiport', '--dports', 'http,https', '-j', 'f2b-nginx-http-auth']]);
  assert.equal(
    banBatch(cfg, 6, ['2001:db8::2']),
    '*filter\n-I f2b-nginx-http-auth 1 -s 2001:db8::2/128 -j REJECT --reject-with icmp6-port-unreachable\nCOMMIT\n',
  );
});

test('a name option renames the chain, and several protocols give one jump each', () => {
  const ref = { name: 'iptables-multiport', options: { name: 'SSH', port: '22,2222', protocol: 'tcp,udp' } };
  const cfg = iptablesConfig(resolveActionParams(ref, makeJail('sshd', [ref])), 'multiport');
  assert.deepEqual(jumpRules(cfg).map((r) => r.join(' ')), [
    '-p tcp -m multiport --dports 22,2222 -j f2b-SSH',
    '-p udp -m multiport --dports 22,2222 -j f2b-SSH',
  ]);
});

test('a value that would add a line to an iptables-restore batch is refused, naming the jail and key', () => {
  const ref = { name: 'iptables-multiport', options: { chain: 'INPUT\n-F INPUT' } };
  assert.throws(
    () => iptablesConfig(resolveActionParams(ref, makeJail('sshd', [ref])), 'multiport'),
    /action iptables-multiport of jail sshd: chain: .* is not an iptables chain name/,
  );
  const bt = { name: 'iptables-allports', options: { blocktype: 'DROP\nCOMMIT' } };
  assert.throws(() => iptablesConfig(resolveActionParams(bt, makeJail('sshd', [bt])), 'allports'), /blocktype/);
});

test('a jail name too long for an iptables chain is refused with the limit', () => {
  const ref = { name: 'iptables-multiport', options: {} };
  assert.throws(
    () => iptablesConfig(resolveActionParams(ref, makeJail('a-jail-name-that-is-far-too-long', [ref])), 'multiport'),
    /at most 28 characters/,
  );
});

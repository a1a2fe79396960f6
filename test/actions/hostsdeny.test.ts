// hostsdeny against a real tcp-wrappers (libwrap) service: socat's `tcpwrap` option makes
// a server in the lab namespace consult our hosts.deny for every connection, as sshd built
// with libwrap does. A banned attacker's connection is closed before the greeting; after
// the unban the greeting comes. The file keeps every other line and changes atomically.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforce, stopActions } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { netnsUnavailable, tcpGreeting, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail, banIn } from '../helpers/jails.ts';
import { NOW, runOnce } from '../helpers/ban-checks.ts';

const skipReason = netnsUnavailable() ?? toolsUnavailable('socat', ['socat']);
const PORT = 2222;

/** socat listeners (IPv4 and IPv6) that greet with "hello" unless tcp-wrappers denies the client. */
async function wrappedServer(lab: Lab, dir: string): Promise<() => Promise<void>> {
  writeFileSync(join(dir, 'hosts.allow'), '');
  const opts = `fork,reuseaddr,tcpwrap=sshd,allow-table=${join(dir, 'hosts.allow')},deny-table=${join(dir, 'hosts.deny')}`;
  const children: ChildProcess[] = [];
  for (const listen of [`TCP4-LISTEN:${PORT},${opts}`, `TCP6-LISTEN:${PORT},ipv6only=1,${opts}`]) {
    children.push(spawn('ip', ['netns', 'exec', lab.server.ns, 'socat', listen, 'SYSTEM:echo hello'], { stdio: 'ignore' }));
  }
  for (let i = 0; i < 50 && (await tcpGreeting(lab.attacker.ns, lab.server.v4, PORT, 300)) === null; i++) await new Promise((r) => setTimeout(r, 100));
  return async () => {
    for (const c of children) {
      if (c.exitCode !== null) continue;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await gone;
    }
  };
}

async function withWrappedLab(t: { skip(m: string): void }, tag: string, fn: (lab: Lab, file: string) => Promise<void>) {
  await withFirewallLab(t, skipReason, tag, [], async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'f2b-hostsdeny-'));
    const stop = await wrappedServer(lab, dir);
    try {
      await fn(lab, join(dir, 'hosts.deny'));
    } finally {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const greets = async (lab: Lab, ns: string, host: string) => (await tcpGreeting(ns, host, PORT)) === 'hello';

for (const family of [4, 6] as const) {
  test(`hostsdeny: a banned IPv${family} attacker is turned away by tcp-wrappers until the unban; another host is served`, async (t) => {
    await withWrappedLab(t, `hd${family}`, async (lab, file) => {
      const target = family === 4 ? lab.server.v4 : lab.server.v6;
      const attacker = family === 4 ? lab.attacker.v4 : lab.attacker.v6;
      writeFileSync(file, '# written by hand\nsshd: 198.51.100.1\n');
      const jail = makeJail('sshd', [{ name: 'hostsdeny', options: { file, daemon_list: 'sshd' } }]);
      const state = emptyState();
      assert.equal(await greets(lab, lab.attacker.ns, target), true, 'served before the ban');

      const banned = await runOnce([jail], state, [addBan(state, 'sshd', attacker, NOW)]);
      assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip, o.ok, o.error]), [['ban', attacker, true, undefined]]);
      const entry = family === 4 ? `sshd: ${attacker}` : `sshd: [${attacker}]`;
      assert.equal(readFileSync(file, 'utf8'), `# written by hand\nsshd: 198.51.100.1\n# f2b-scan sshd\n${entry}\n`);
      assert.equal(await greets(lab, lab.attacker.ns, target), false, 'turned away after the ban');
      assert.equal(await greets(lab, lab.other.ns, target), true, 'another host is served');

      const lifted = await runOnce([jail], state, [liftBan(state, 'sshd', attacker)]);
      assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', attacker, true]]);
      assert.equal(readFileSync(file, 'utf8'), '# written by hand\nsshd: 198.51.100.1\n', 'only our lines went');
      assert.equal(await greets(lab, lab.attacker.ns, target), true, 'served again after the unban');
    });
  });
}

test('hostsdeny: the file is replaced in one rename with its mode kept; the same ban twice is one line; stop removes only this jail\'s lines', async (t) => {
  await withWrappedLab(t, 'hdfile', async (lab, file) => {
    writeFileSync(file, 'ALL: 203.0.113.50\n');
    chmodSync(file, 0o640);
    // A reader that opened the file before the change keeps reading the old version, whole.
    const reader = openSync(file, 'r');
    const sshd = makeJail('sshd', [{ name: 'hostsdeny', options: { file } }]);
    const web = makeJail('web', [{ name: 'hostsdeny', options: { file } }]);
    const state = emptyState();
    try {
      await runOnce([sshd, web], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'web', lab.attacker.v6, NOW)]);
      assert.notEqual(statSync(file).ino, fstatSync(reader).ino, "a new file took the old one's place");
      assert.equal(readFileSync(reader, 'utf8'), 'ALL: 203.0.113.50\n');
    } finally {
      closeSync(reader);
    }
    assert.equal(statSync(file).mode & 0o777, 0o640);
    // A second ban decision for an address the file already holds changes nothing.
    const text = readFileSync(file, 'utf8');
    await enforce({ jails: [sshd], state, decisions: [addBan(state, 'sshd', lab.attacker.v4, NOW)], now: NOW, dryRun: false, actionDirs: [] });
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(await greets(lab, lab.attacker.ns, lab.server.v4), false);

    await stopActions({ jails: [sshd], state, dryRun: false });
    assert.equal(readFileSync(file, 'utf8'), `ALL: 203.0.113.50\n# f2b-scan web\nALL: [${lab.attacker.v6}]\n`);
    assert.equal(await greets(lab, lab.attacker.ns, lab.server.v4), true, 'sshd stopped');
    assert.equal(await greets(lab, lab.attacker.ns, lab.server.v6), false, 'web still bans over IPv6');
  });
});

test('hostsdeny: lines removed from the file by hand are put back by the next run', async (t) => {
  await withWrappedLab(t, 'hdback', async (lab, file) => {
    const jail = makeJail('sshd', [{ name: 'hostsdeny', options: { file } }]);
    const state = emptyState();
    await runOnce([jail], state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)]);
    writeFileSync(file, '');
    assert.equal(await greets(lab, lab.attacker.ns, lab.server.v4), true);
    const again = await runOnce([jail], state, []);
    assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip, o.ok]), [
      ['restore', lab.attacker.v4, true],
      ['restore', lab.attacker.v6, true],
    ]);
    assert.equal(await greets(lab, lab.attacker.ns, lab.server.v4), false);
    assert.equal(await greets(lab, lab.attacker.ns, lab.server.v6), false);
  });
});

test('hostsdeny: a daemon_list with a colon is refused with the action, jail and option named', () => {
  const state = emptyState();
  const jail = makeJail('sshd', [{ name: 'hostsdeny', options: { file: '/nonexistent/hosts.deny', daemon_list: 'sshd: ALL' } }]);
  return runOnce([jail], state, [addBan(state, 'sshd', '192.0.2.2', NOW)]).then((r) => {
    assert.match(r.warnings.join('\n'), /action hostsdeny of jail sshd: daemon_list: "sshd: ALL" is not a tcp-wrappers daemon list/);
    assert.equal(banIn(state, 'sshd', '192.0.2.2')!.pending, 'ban');
  });
});

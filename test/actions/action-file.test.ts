// fail2ban action files run as fail2ban runs them. The stock iptables-multiport.conf,
// nftables.conf and hostsdeny.conf are copied (at run time, never into the repo) from the
// fail2ban 1.0.2 reference into a temp config directory's action.d, where they take
// precedence over f2b-scan's native backends of the same name, and are checked against the
// real firewall in a private network namespace. Log values with shell syntax in them go
// through stock and custom shell actions without running anything.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforce, type ActionOutcome } from '../../src/actions/index.ts';
import { actionFileFor } from '../../src/actions/action-file-find.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail, Ref } from '../../src/types.ts';
import { iptablesUnavailable, netnsUnavailable, tcpConnects, toolsUnavailable, withFirewallLab, type Lab } from '../helpers/netns.ts';
import { addBan, liftBan, makeJail, banIn } from '../helpers/jails.ts';

// ../shared beside the repository (the conformance data), not a path of one machine.
const STOCK = join(import.meta.dirname, '../../../shared/conformance/fail2ban-1.0.2/action.d');
const SHIPPED = new URL('../../rules/action.d', import.meta.url).pathname;
const NOW = 1_700_000_000;
const PORT = 2222;

function haveStock(t: TestContext): boolean {
  if (existsSync(STOCK)) return true;
  t.skip(`no fail2ban reference action files at ${STOCK}`);
  return false;
}

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A config dir whose action.d holds the named stock files, unchanged; returns the action dirs. */
function stockActionDirs(t: TestContext, files: string[]): string[] {
  const dir = join(tempDir(t, 'f2b-actiond-'), 'action.d');
  mkdirSync(dir);
  for (const f of files) copyFileSync(join(STOCK, f), join(dir, f));
  return [dir, SHIPPED];
}

/** A lab with a server on PORT, unless namespaces or `need` (why a tool is missing) say no. */
function withLab(t: TestContext, tag: string, need: string | null, fn: (lab: Lab) => Promise<void>): Promise<void> {
  return withFirewallLab(t, netnsUnavailable() ?? need, tag, [PORT], fn);
}

const run = (jail: Jail, state: State, decisions: Decision[], actionDirs: string[], now = NOW) =>
  enforce({ jails: [jail], state, decisions, now, dryRun: false, actionDirs });

const failed = (outcomes: ActionOutcome[]) => outcomes.filter((o) => !o.ok);

/** Ban both attacker addresses, check they are blocked, reboot, check again, unban, check open. */
async function banRebootUnban(lab: Lab, ref: Ref, actionDirs: string[], reboot: () => Promise<void>): Promise<void> {
  const jail = makeJail('sshd', [ref]);
  const state = emptyState();
  for (const target of [lab.server.v4, lab.server.v6]) {
    assert.equal(await tcpConnects(lab.attacker.ns, target, PORT), true, `attacker reaches ${target} before the ban`);
  }
  const banned = await run(jail, state, [addBan(state, 'sshd', lab.attacker.v4, NOW), addBan(state, 'sshd', lab.attacker.v6, NOW)], actionDirs);
  assert.deepEqual(failed(banned.outcomes), []);
  // The stock file ran (through the shell), not f2b-scan's native backend of that name.
  for (const o of banned.outcomes) assert.match(o.command ?? '', /\/bin\/sh -c /);
  for (const target of [lab.server.v4, lab.server.v6]) {
    assert.equal(await tcpConnects(lab.attacker.ns, target, PORT), false, `attacker blocked from ${target}`);
    assert.equal(await tcpConnects(lab.other.ns, target, PORT), true, `another host still reaches ${target}`);
  }

  await reboot();
  assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, PORT), true, 'the reboot lifted the ban');
  const back = await run(jail, state, [], actionDirs, NOW + 60);
  assert.deepEqual(failed(back.outcomes), []);
  assert.deepEqual(back.outcomes.map((o) => o.op).sort(), ['restore', 'restore']);
  for (const target of [lab.server.v4, lab.server.v6]) {
    assert.equal(await tcpConnects(lab.attacker.ns, target, PORT), false, `blocked from ${target} again after the reboot`);
  }

  const lifted = await run(jail, state, [liftBan(state, 'sshd', lab.attacker.v4), liftBan(state, 'sshd', lab.attacker.v6)], actionDirs, NOW + 600);
  assert.deepEqual(failed(lifted.outcomes), []);
  for (const target of [lab.server.v4, lab.server.v6]) {
    assert.equal(await tcpConnects(lab.attacker.ns, target, PORT), true, `attacker reaches ${target} after the unban`);
  }
}

test('stock iptables-multiport.conf in the config dir blocks the attacker (IPv4 and IPv6), comes back after a reboot, and unbans', async (t) => {
  if (!haveStock(t)) return;
  await withLab(t, 'afipt', iptablesUnavailable(), async (lab) => {
    const dirs = stockActionDirs(t, ['iptables-multiport.conf', 'iptables.conf']);
    await banRebootUnban(lab, { name: 'iptables-multiport', options: { port: String(PORT), protocol: 'tcp' } }, dirs, () => lab.flushFirewall());
  });
});

test('stock nftables.conf in the config dir blocks the attacker (IPv4 and IPv6), comes back after a reboot, and unbans', async (t) => {
  if (!haveStock(t)) return;
  await withLab(t, 'afnft', toolsUnavailable('nftables', ['nft']), async (lab) => {
    const dirs = stockActionDirs(t, ['nftables.conf']);
    await banRebootUnban(lab, { name: 'nftables', options: { port: String(PORT) } }, dirs, async () => {
      await lab.exec(lab.server.ns, 'nft', ['flush', 'ruleset']);
    });
  });
});

test('stock hostsdeny.conf with file= writes IPv4 and [IPv6] lines and the unban removes only its own line', async (t) => {
  if (!haveStock(t)) return;
  const dirs = stockActionDirs(t, ['hostsdeny.conf']);
  const file = join(tempDir(t, 'f2b-hostsdeny-'), 'hosts.deny');
  writeFileSync(file, '# local policy\nsshd: 198.51.100.7\n');
  const jail = makeJail('sshd', [{ name: 'hostsdeny', options: { file, daemon_list: 'sshd' } }]);
  const state = emptyState();
  const banned = await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW), addBan(state, 'sshd', '2001:db8::2', NOW)], dirs);
  assert.deepEqual(failed(banned.outcomes), []);
  assert.equal(readFileSync(file, 'utf8'), '# local policy\nsshd: 198.51.100.7\nsshd: 192.0.2.2\nsshd: [2001:db8::2]\n');
  await run(jail, state, [liftBan(state, 'sshd', '192.0.2.2')], dirs, NOW + 600);
  assert.equal(readFileSync(file, 'utf8'), '# local policy\nsshd: 198.51.100.7\nsshd: [2001:db8::2]\n');
});

/** A fake `whois` first in PATH: stock mail actions call it, and no whois server is reachable. */
function fakeWhois(t: TestContext): void {
  const dir = tempDir(t, 'f2b-whois-');
  writeFileSync(join(dir, 'whois'), '#!/bin/sh\necho "fake whois for $1"\n');
  chmodSync(join(dir, 'whois'), 0o755);
  const before = process.env.PATH;
  process.env.PATH = `${dir}:${before}`;
  t.after(() => {
    process.env.PATH = before;
  });
}

function pwnedFile(t: TestContext): string {
  const pwned = `/tmp/pwned-${process.pid}`;
  rmSync(pwned, { force: true });
  t.after(() => rmSync(pwned, { force: true }));
  return pwned;
}

test('stock sendmail-whois-matches.conf: a user name with $( ), backticks and ; lands in the mail as text and runs nothing', async (t) => {
  if (!haveStock(t)) return;
  fakeWhois(t);
  const pwned = pwnedFile(t);
  const dirs = stockActionDirs(t, ['sendmail-whois-matches.conf', 'sendmail-common.conf', 'mail-whois-common.conf']);
  const mailbox = join(tempDir(t, 'f2b-mailbox-'), 'mail');
  // The stock action unchanged; only its mail command (an [Init] option) points at a file.
  const jail = makeJail('sshd', [{ name: 'sendmail-whois-matches', options: { mailcmd: `cat >> ${mailbox}`, dest: 'root@example.org' } }]);
  const state = emptyState();
  const user = `$(touch ${pwned}) \`touch ${pwned}\`;touch ${pwned};'"`;
  const line = `Nov 14 22:13:01 host sshd[1]: Invalid user ${user} from 192.0.2.2 port 22`;
  const d = addBan(state, 'sshd', '192.0.2.2', NOW);
  if (d.kind === 'ban') d.lines = [line];
  const r = await run(jail, state, [d], dirs);
  assert.deepEqual(failed(r.outcomes), []);
  const mail = readFileSync(mailbox, 'utf8');
  assert.ok(mail.includes(line), `the mail holds the line unchanged:\n${mail}`);
  // actionstart mailed "started" first, as in fail2ban; then the ban.
  assert.match(mail, /Subject: \[Fail2Ban\] sshd: started on [^]*Subject: \[Fail2Ban\] sshd: banned 192\.0\.2\.2 from /);
  assert.match(mail, /fake whois for 192\.0\.2\.2/);
  assert.match(mail, /after\n5 attempts against sshd/);
  assert.equal(existsSync(pwned), false, `${pwned} was created: a command ran`);
});

test('<F-USER> and <matches> keep their exact text bare, in "double" and in \'single\' quotes, and run nothing', async (t) => {
  const pwned = pwnedFile(t);
  const dir = join(tempDir(t, 'f2b-actiond-'), 'action.d');
  mkdirSync(dir);
  const out = join(dir, 'out');
  // Our own action, one tag per line in each quoting a shell command can have.
  writeFileSync(
    join(dir, 'echo-user.conf'),
    [
      '[Definition]',
      'actionban = printf "%%s\\n" <F-USER> >> <out>',
      '            printf "%%s\\n" "user=<F-USER>" >> <out>',
      "            printf '%%s\\n' 'user=<F-USER>' >> <out>",
      '            printf "%%s\\n" "$(echo "<F-USER>")" >> <out>',
      '            printf "%%s\\n" <matches> >> <out>',
      '            echo "<greeting> <ip> <failures> <family>" >> <out>',
      '[Init]',
      'greeting = hello',
      '',
    ].join('\n'),
  );
  const user = `$(touch ${pwned}) \`touch ${pwned}\`;touch ${pwned}; 'x' "y" \\z`;
  const jail = makeJail('sshd', [{ name: 'echo-user', options: { out, greeting: '<known/greeting> world' } }]);
  const state = emptyState();
  const d = addBan(state, 'sshd', '2001:db8::2', NOW);
  if (d.kind === 'ban') Object.assign(d, { lines: [`line with ${user}`], user });
  const r = await run(jail, state, [d], [dir, SHIPPED]);
  assert.deepEqual(failed(r.outcomes), []);
  assert.equal(
    readFileSync(out, 'utf8'),
    [user, `user=${user}`, `user=${user}`, user, `line with ${user}`, 'hello world 2001:db8::2 5 inet6', ''].join('\n'),
  );
  assert.equal(existsSync(pwned), false, `${pwned} was created: a command ran`);
});

test('an action file command that fails keeps the ban pending with the command and its error', async (t) => {
  const dir = join(tempDir(t, 'f2b-actiond-'), 'action.d');
  mkdirSync(dir);
  writeFileSync(join(dir, 'broken.conf'), '[Definition]\nactionban = echo "no firewall here" >&2; exit 3\n');
  const jail = makeJail('sshd', [{ name: 'broken', options: {} }]);
  const state = emptyState();
  const r = await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW)], [dir, SHIPPED]);
  assert.equal(r.outcomes.length, 1);
  assert.equal(r.outcomes[0]!.ok, false);
  assert.equal(r.outcomes[0]!.error, '/bin/sh: exit code 3: no firewall here');
  assert.match(r.outcomes[0]!.command!, /^\/bin\/sh -c /);
  assert.equal(banIn(state, 'sshd', '192.0.2.2')!.pending, 'ban');
});

test('a ban put back after a reboot does not run an action with norestored = 1', async (t) => {
  const dir = join(tempDir(t, 'f2b-actiond-'), 'action.d');
  mkdirSync(dir);
  const out = join(dir, 'out');
  writeFileSync(join(dir, 'notify.conf'), `[Definition]\nnorestored = 1\nactionstart = touch ${out}\nactioncheck = test -e ${out}\nactionban = echo "<ip> restored=<restored>" >> ${out}\n`);
  const jail = makeJail('sshd', [{ name: 'notify', options: {} }]);
  const state = emptyState();
  await run(jail, state, [addBan(state, 'sshd', '192.0.2.2', NOW)], [dir, SHIPPED]);
  rmSync(out); // "reboot": actioncheck fails, start runs again, the ban is put back
  const r = await run(jail, state, [], [dir, SHIPPED], NOW + 60);
  assert.deepEqual(r.outcomes.map((o) => [o.op, o.ok]), [['restore', true]]);
  assert.equal(readFileSync(out, 'utf8'), '');
});

test('which implementation a name gets: a file in the config dir beats native, native beats the shipped action.d', (t) => {
  const user = join(tempDir(t, 'f2b-user-'), 'action.d');
  const shipped = join(tempDir(t, 'f2b-shipped-'), 'action.d');
  mkdirSync(user);
  mkdirSync(shipped);
  for (const f of ['iptables-multiport.conf', 'custom.conf']) writeFileSync(join(user, f), '[Definition]\n');
  for (const f of ['dummy.conf', 'other.conf']) writeFileSync(join(shipped, f), '[Definition]\n');
  const dirs = [user, shipped];
  assert.equal(actionFileFor('iptables-multiport', dirs), join(user, 'iptables-multiport.conf'));
  assert.equal(actionFileFor('custom', dirs), join(user, 'custom.conf'));
  assert.equal(actionFileFor('dummy', dirs), null, 'native dummy wins over the shipped file');
  assert.equal(actionFileFor('other', dirs), join(shipped, 'other.conf'));
  assert.equal(actionFileFor('iptables-allports', dirs), null);
  assert.equal(actionFileFor('../etc/passwd', dirs), null);
});

// Ban mails (action_mw / action_mwl) received by a real SMTP server on 127.0.0.1. whois is a
// fake script put first in PATH (whois servers are not reachable from a test, and a test must
// not depend on what a registry answers), or absent, or too slow.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforce } from '../../src/actions/index.ts';
import { emptyState } from '../../src/state/schema.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Decision, Jail, Ref } from '../../src/types.ts';
import type { State } from '../../src/state/schema.ts';
import { addBan, makeJail, banIn, patchBan } from '../helpers/jails.ts';
import { startSmtpServer, type SmtpLab } from '../helpers/smtp.ts';

const NOW = 1_700_000_000;
// ../shared beside the repository (the conformance data), not a path of one machine.
const STOCK = join(import.meta.dirname, '../../../shared/conformance/fail2ban-1.0.2');
const ORIGINAL_PATH = process.env.PATH ?? '/usr/bin:/bin';

type T = { after: (fn: () => unknown) => void };

function tempDir(t: T, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function smtp(t: T, opts?: Parameters<typeof startSmtpServer>[0]): Promise<SmtpLab> {
  const lab = await startSmtpServer(opts);
  t.after(() => lab.stop());
  return lab;
}

/** Puts a `whois` script first in PATH (or an empty directory: no whois at all). */
function fakeWhois(t: T, script: string | null): void {
  const dir = tempDir(t, 'f2b-whois-');
  if (script !== null) {
    writeFileSync(join(dir, 'whois'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, 'whois'), 0o755);
  }
  process.env.PATH = script === null ? dir : `${dir}:${ORIGINAL_PATH}`;
  t.after(() => {
    process.env.PATH = ORIGINAL_PATH;
  });
}

/** A jail with the dummy firewall (file in a temp dir) and a mail action, mailing to `lab`. */
function mailJail(t: T, lab: SmtpLab, mail: Ref, jailOptions: Record<string, string> = {}): { jail: Jail; bans: string } {
  const bans = join(tempDir(t, 'f2b-mail-'), 'bans');
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: bans } }, mail], {
    destemail: 'admin@example.org',
    sender: 'f2b@example.org',
    sendername: 'f2b-scan test',
    mta: 'smtp',
    'smtp.host': '127.0.0.1',
    'smtp.port': String(lab.port),
    ...jailOptions,
  });
  return { jail, bans };
}

function ban(state: State, ip: string, lines: string[], now = NOW): Decision {
  const d = addBan(state, 'sshd', ip, now);
  if (d.kind === 'ban') d.lines = lines;
  patchBan(state, 'sshd', ip, { lines: lines });
  return d;
}

const run = (jail: Jail, state: State, decisions: Decision[], now = NOW) =>
  enforce({ jails: [jail], state, decisions, now, dryRun: false, actionDirs: [] });

test('action_mwl: the mail names the jail, the address, the failures, the ban time, whois and the log lines', async (t) => {
  const lab = await smtp(t);
  fakeWhois(t, 'echo "NetName: TEST-NET-1 (fake whois for $1)"');
  const { jail } = mailJail(t, lab, { name: 'sendmail-whois-lines', options: { dest: 'security@example.org', sender: 'f2b@example.org' } });
  const state = emptyState();
  const lines = ['Nov 14 22:13:01 host sshd[1]: Failed password for root from 192.0.2.2 port 22 ssh2', 'Nov 14 22:13:05 host sshd[1]: Failed password for admin from 192.0.2.2 port 22 ssh2'];
  const r = await run(jail, state, [ban(state, '192.0.2.2', lines)]);

  const [mail] = await lab.waitFor(1);
  assert.equal(mail!.headers.get('from'), '"f2b-scan test" <f2b@example.org>');
  // The action option dest= (as the stock action_mwl passes it) wins over the jail's destemail.
  assert.equal(mail!.headers.get('to'), 'security@example.org');
  assert.deepEqual(mail!.envelopeTo, ['security@example.org']);
  assert.equal(mail!.headers.get('subject'), '[f2b-scan] sshd: banned 192.0.2.2');
  assert.match(mail!.text, /Failures: +5\n/);
  assert.match(mail!.text, /in the jail sshd/);
  assert.match(mail!.text, /Ban time: +10m \(until 2023-11-14 22:23:20 UTC\)/);
  assert.match(mail!.text, /NetName: TEST-NET-1 \(fake whois for 192\.0\.2\.2\)/);
  for (const l of lines) assert.ok(mail!.text.includes(l), `mail has the line ${l}`);
  const outcome = r.outcomes.find((o) => o.action === 'sendmail-whois-lines');
  assert.equal(outcome?.ok, true);
  assert.match(outcome!.command!, /mail to security@example\.org via smtp:\/\/127\.0\.0\.1:\d+: \[f2b-scan\] sshd: banned 192\.0\.2\.2/);
});

test('without a whois program the mail says so and still goes out', async (t) => {
  const lab = await smtp(t);
  fakeWhois(t, null);
  const { jail } = mailJail(t, lab, { name: 'sendmail-whois', options: {} });
  const state = emptyState();
  await run(jail, state, [ban(state, '192.0.2.2', [])]);
  const [mail] = await lab.waitFor(1);
  assert.equal(mail!.headers.get('to'), 'admin@example.org');
  assert.match(mail!.text, /No whois information: whois: command not found\./);
});

test('a whois that hangs is cut off after whois.timeout and the mail says it timed out', async (t) => {
  const lab = await smtp(t);
  fakeWhois(t, 'exec sleep 30');
  const { jail } = mailJail(t, lab, { name: 'mail-whois', options: {} }, { 'whois.timeout': '1' });
  const state = emptyState();
  const started = Date.now();
  await run(jail, state, [ban(state, '192.0.2.2', [])]);
  const [mail] = await lab.waitFor(1);
  assert.ok(Date.now() - started < 8000, 'the run did not wait for whois');
  assert.match(mail!.text, /No whois information: whois: timed out after 1000 ms\./);
});

test('shell metacharacters in a logged user name reach the mail as text and run nothing', async (t) => {
  const lab = await smtp(t);
  fakeWhois(t, 'echo "fake whois"');
  const pwned = `/tmp/pwned-${process.pid}`;
  rmSync(pwned, { force: true });
  t.after(() => rmSync(pwned, { force: true }));
  const { jail } = mailJail(t, lab, { name: 'sendmail-whois-lines', options: {} });
  const state = emptyState();
  const line = `Nov 14 22:13:01 host sshd[1]: Invalid user $(touch ${pwned}) \`touch ${pwned}\`;touch ${pwned} from 192.0.2.2 port 22`;
  await run(jail, state, [ban(state, '192.0.2.2', [line])]);
  const [mail] = await lab.waitFor(1);
  assert.ok(mail!.text.includes(line), 'the line is in the mail, unchanged');
  assert.equal(existsSync(pwned), false, `${pwned} was created: a command ran`);
});

test('several bans of one run make one mail per jail: "banned 3 addresses"', async (t) => {
  const lab = await smtp(t);
  fakeWhois(t, 'echo "fake whois for $1"');
  const { jail } = mailJail(t, lab, { name: 'sendmail-whois', options: {} });
  const state = emptyState();
  const decisions = ['192.0.2.2', '2001:db8::2', '192.0.2.3'].map((ip) => ban(state, ip, []));
  const r = await run(jail, state, decisions);
  await lab.waitFor(1);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(lab.received.length, 1);
  const mail = lab.received[0]!;
  assert.equal(mail.headers.get('subject'), '[f2b-scan] sshd: banned 3 addresses');
  for (const ip of ['192.0.2.2', '2001:db8::2', '192.0.2.3']) {
    assert.ok(mail.text.includes(`==== ${ip} ====`), `a section for ${ip}`);
    assert.ok(mail.text.includes(`fake whois for ${ip}`), `whois for ${ip}`);
  }
  assert.deepEqual(
    r.outcomes.filter((o) => o.action === 'sendmail-whois').map((o) => [o.ip, o.ok]),
    [
      ['192.0.2.2', true],
      ['192.0.2.3', true],
      ['2001:db8::2', true],
    ],
  );
});

test('a ban put back after a reboot, or retried after a firewall failure, sends no second mail', async (t) => {
  const lab = await smtp(t);
  fakeWhois(t, 'echo whois');
  const { jail, bans } = mailJail(t, lab, { name: 'sendmail', options: {} });
  const state = emptyState();
  await run(jail, state, [ban(state, '192.0.2.2', [])]);
  await lab.waitFor(1);

  rmSync(bans); // the dummy firewall's "reboot"
  const restored = await run(jail, state, [], NOW + 60);
  assert.deepEqual(
    restored.outcomes.filter((o) => o.action === 'dummy').map((o) => [o.op, o.ip, o.ok]),
    [['restore', '192.0.2.2', true]],
  );

  // A firewall that cannot ban (its file would live under a plain file): the ban stays
  // pending and is retried next run.
  const blocker = join(tempDir(t, 'f2b-mail-'), 'not-a-dir');
  writeFileSync(blocker, '');
  const broken = makeJail('sshd', [{ name: 'dummy', options: { target: join(blocker, 'bans') } }, jail.actions[1]!], jail.options);
  await run(broken, state, [ban(state, '192.0.2.3', [])], NOW + 120);
  await lab.waitFor(2);
  assert.equal(banIn(state, 'sshd', '192.0.2.3')!.pending, 'ban');
  await run(broken, state, [], NOW + 180);
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual(
    lab.received.map((m) => m.headers.get('subject')),
    ['[f2b-scan] sshd: banned 192.0.2.2', '[f2b-scan] sshd: banned 192.0.2.3'],
  );
});

test('a mail that cannot be sent is reported, and the ban stands', async (t) => {
  const lab = await smtp(t);
  await lab.stop(); // nothing listens on the port any more
  fakeWhois(t, null);
  const { jail, bans } = mailJail(t, lab, { name: 'sendmail-whois-lines', options: {} });
  const state = emptyState();
  const r = await run(jail, state, [ban(state, '192.0.2.2', [])]);
  assert.equal(readFileSync(bans, 'utf8'), '+192.0.2.2\n');
  assert.equal(banIn(state, 'sshd', '192.0.2.2')!.pending, undefined);
  const mail = r.outcomes.find((o) => o.action === 'sendmail-whois-lines');
  assert.equal(mail?.ok, false);
  assert.match(mail!.error!, /^mail not sent: smtp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
});

test('smtp.user and smtp.pass log in to the SMTP server', async (t) => {
  const lab = await smtp(t, { users: { alerts: 's3cret' } });
  fakeWhois(t, null);
  const { jail } = mailJail(t, lab, { name: 'sendmail', options: {} }, { 'smtp.user': 'alerts', 'smtp.pass': 's3cret' });
  const state = emptyState();
  await run(jail, state, [ban(state, '192.0.2.2', [])]);
  const [mail] = await lab.waitFor(1);
  assert.equal(mail!.user, 'alerts');
  assert.equal(mail!.headers.get('subject'), '[f2b-scan] sshd: banned 192.0.2.2');
});

test('mta = sendmail hands the mail to the sendmail program', async (t) => {
  const dir = tempDir(t, 'f2b-sendmail-');
  const sendmail = join(dir, 'sendmail');
  writeFileSync(sendmail, `#!/bin/sh\necho "$@" > ${dir}/args\ncat > ${dir}/message\n`);
  chmodSync(sendmail, 0o755);
  fakeWhois(t, 'echo "fake whois"');
  const jail = makeJail('sshd', [{ name: 'sendmail-whois', options: { dest: 'root@example.org' } }], {
    sender: 'f2b@example.org',
    mta: 'sendmail',
    'sendmail.path': sendmail,
  });
  const state = emptyState();
  const r = await run(jail, state, [ban(state, '192.0.2.2', [])]);
  assert.equal(r.outcomes[0]?.ok, true, r.outcomes[0]?.error);
  const message = readFileSync(join(dir, 'message'), 'utf8');
  assert.match(message, /^Subject: \[f2b-scan\] sshd: banned 192\.0\.2\.2$/m);
  assert.match(message, /^To: root@example\.org$/m);
  assert.match(readFileSync(join(dir, 'args'), 'utf8'), /root@example\.org/);
});

test('a jail with the stock action = %(action_mwl)s and mta = smtp bans and mails with whois and lines', async (t) => {
  if (!existsSync(join(STOCK, 'jail.conf'))) return t.skip(`no stock fail2ban configuration at ${STOCK}`);
  const lab = await smtp(t);
  fakeWhois(t, 'echo "fake whois for $1"');
  // fail2ban's own jail.conf, read unchanged from a temp config dir (never copied into the repo).
  const conf = tempDir(t, 'f2b-conf-');
  for (const f of ['jail.conf', 'paths-common.conf', 'paths-debian.conf']) copyFileSync(join(STOCK, f), join(conf, f));
  const bans = join(conf, 'bans');
  mkdirSync(join(conf, 'action.d'));
  writeFileSync(
    join(conf, 'jail.local'),
    [
      '[DEFAULT]',
      'mta = smtp',
      'destemail = security@example.org',
      'sender = f2b@example.org',
      `smtp.host = 127.0.0.1`,
      `smtp.port = ${lab.port}`,
      `banaction = dummy[target=${bans}]`,
      '[sshd]',
      'enabled = true',
      'action = %(action_mwl)s',
      `logpath = ${join(conf, 'auth.log')}`,
      '',
    ].join('\n'),
  );
  const config = loadConfig({ configDir: conf, builtinDir: new URL('../../rules', import.meta.url).pathname });
  const jail = config.jails.find((j) => j.name === 'sshd' && j.enabled)!;
  assert.deepEqual(
    jail.actions.map((a) => a.name),
    ['dummy', 'smtp-whois-lines'],
  );
  const state = emptyState();
  const line = 'Nov 14 22:13:01 host sshd[1]: Failed password for root from 192.0.2.2 port 22 ssh2';
  const r = await enforce({ jails: [jail], state, decisions: [ban(state, '192.0.2.2', [line])], now: NOW, dryRun: false, actionDirs: config.actionDirs });
  assert.deepEqual(r.warnings, []);
  const [mail] = await lab.waitFor(1);
  assert.equal(mail!.headers.get('to'), 'security@example.org');
  assert.equal(mail!.headers.get('subject'), '[f2b-scan] sshd: banned 192.0.2.2');
  assert.ok(mail!.text.includes('fake whois for 192.0.2.2'));
  assert.ok(mail!.text.includes(line));
  assert.equal(readFileSync(bans, 'utf8'), '+192.0.2.2\n');
});

test('a run with nothing to mail loads no nodemailer', async () => {
  // A separate process, so other tests' mails do not count: CommonJS modules that ESM
  // imported show up in require.cache.
  const script = `
    import { createRequire } from 'node:module';
    import { enforce } from ${JSON.stringify(new URL('../../src/actions/index.ts', import.meta.url).pathname)};
    import { emptyState } from ${JSON.stringify(new URL('../../src/state/schema.ts', import.meta.url).pathname)};
    import { makeJail } from ${JSON.stringify(new URL('../helpers/jails.ts', import.meta.url).pathname)};
    const jail = makeJail('sshd', [{ name: 'sendmail-whois-lines', options: {} }], { mta: 'smtp' });
    await enforce({ jails: [jail], state: emptyState(), decisions: [], now: 1, dryRun: false, actionDirs: [] });
    const cache = createRequire(import.meta.url).cache;
    console.log(Object.keys(cache).filter((k) => k.includes('/node_modules/nodemailer/')).length);`;
  const { execa } = await import('execa');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-lazy-'));
  try {
    writeFileSync(join(dir, 'probe.mts'), script);
    const r = await execa(process.execPath, ['--import', 'tsx', join(dir, 'probe.mts')], { cwd: new URL('../..', import.meta.url).pathname });
    assert.equal(r.stdout.trim(), '0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unusable mail setting is one clear message and the ban still stands', async (t) => {
  const bans = join(tempDir(t, 'f2b-mail-'), 'bans');
  const jail = makeJail('sshd', [{ name: 'dummy', options: { target: bans } }, { name: 'sendmail-whois', options: {} }], { mta: 'smtp', 'smtp.port': 'twenty-five' });
  const state = emptyState();
  const r = await run(jail, state, [ban(state, '192.0.2.2', [])]);
  assert.deepEqual(r.warnings, ['action sendmail-whois of jail sshd: smtp.port: "twenty-five" is not a port number']);
  assert.equal(readFileSync(bans, 'utf8'), '+192.0.2.2\n');
});

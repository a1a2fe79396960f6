// Differential test: every stock action file of Debian's fail2ban package, rendered and driven
// by fail2ban's own CommandAction (fail2ban-action-oracle.py, Python, from the package) and by
// f2b-scan's action-file backend, for an IPv4 and an IPv6 ban: the same commands, the same text,
// the same number of times. Nothing runs: both sides hand each command to a recorder.
// Skipped with the reason where Debian's fail2ban is not installed.
//
// A jail's life, as each program lives it:
//   fail2ban: start; ban 192.0.2.2; ban 2001:db8::2; consistency check; unban both; stop.
//   f2b-scan (enforce's order, one backend per cron run): run 1 starts and bans per family
//     (a family-free action is started once and checked for the second family), run 2 checks
//     and unbans per family, `f2b-scan stop` stops (once for a family-free action).
// Compared: every actionstart, actionban, actionunban and actionstop command in order; the set
// of actioncheck commands (f2b-scan checks at every run, fail2ban when something failed or on
// its own schedule). Then a stop with the bans held (actionflush or one actionunban each, then
// actionstop), and a broken firewall: a ban fails and so does the check that follows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { actionFileFor } from '../../src/actions/action-file-find.ts';
import { actionFileBackend, type ShellRunner } from '../../src/actions/action-file.ts';
import { resolveActionParams } from '../../src/actions/params.ts';
import type { Backend, BanItem } from '../../src/actions/backend.ts';
import type { Family } from '../../src/net/address.ts';
import type { Jail, Ref } from '../../src/types.ts';
import { tempDir } from '../helpers/temp.ts';

const STOCK = '/etc/fail2ban';
const PYTHON = '/usr/bin/python3';
const ORACLE = join(import.meta.dirname, 'fail2ban-action-oracle.py');
const SHIPPED = join(import.meta.dirname, '../../rules');
const HOST = 'host.example.org';
const NOW = 1_700_000_100;
const START = 1_700_000_000;

function whyNoFail2ban(): string | null {
  if (!existsSync(join(STOCK, 'action.d', 'iptables.conf'))) return `Debian's fail2ban is not installed (no ${STOCK}/action.d)`;
  try {
    execFileSync(PYTHON, ['-c', 'import fail2ban.server.action'], { stdio: 'ignore' });
  } catch {
    return `${PYTHON} cannot import fail2ban (the python3 part of Debian's fail2ban package)`;
  }
  return null;
}
const skip = whyNoFail2ban() ?? false;

// Log values are plain words on both sides, so fail2ban writes them into the command as they
// are (it escapes only shell syntax) and f2b-scan's environment references can be read back.
const LOG = { matches: 'LOGmatches', user: 'LOGuser' };

/** Jails of the test's jail.local: one per stock action file, and the stock compositions. */
function jailLocal(): string {
  // *-common.conf are pieces other files include ([INCLUDES]), not actions.
  const files = readdirSync(join(STOCK, 'action.d')).filter((f) => f.endsWith('.conf') && !f.endsWith('-common.conf')).sort();
  const jail = (name: string, body: string) =>
    `[${name}]\nenabled = true\nfilter = sshd\nlogpath = /var/log/auth.log\nbackend = polling\n${body}\n\n`;
  let text = files.map((f) => jail(`t-${f.slice(0, -5)}`, `action = ${f.slice(0, -5)}`)).join('');
  // jail.conf's own shortcuts, with the options they pass.
  text += jail('mwl-fw', 'banaction = firewallcmd-rich-rules\nport = ssh,2222\naction = %(action_mwl)s');
  text += jail('mw-nft', 'banaction = nftables[type=allports]\naction = %(action_mw)s');
  text += jail('xarf', 'action = %(action_xarf)s');
  text += jail('cf', 'cfemail = me@example.org\ncfapikey = KEY\naction = %(action_cf_mwl)s');
  text += jail('bl', 'blocklist_de_apikey = KEY\naction = %(action_blocklist_de)s\n         %(action_abuseipdb)s[abuseipdb_apikey=KEY, abuseipdb_category=18]');
  text += jail('opts', 'action = iptables-multiport[name=ssh, port="ssh,2222", protocol=tcp, chain=DOCKER-USER]\n         hostsdeny[file=/etc/hosts.deny, daemon_list=sshd]\n         shorewall-ipset-proto6[port=2222]');
  text += jail('ipset', 'banaction = iptables-ipset-proto6-allports\nbantime = 1h\naction = %(action_)s\n         iptables-ipset[type=allports, chain=FORWARD]');
  return text;
}

type Step = [op: string, cmd: string];
interface OracleAction {
  python?: true;
  life: Step[];
  broken: Step[];
  stopHeld: Step[];
}

function oracle(basedir: string): Record<string, Record<string, OracleAction>> {
  const tickets = [
    { ip: '192.0.2.2', family: 'inet4', 'ip-rev': '2.2.0.192.' },
    { ip: '2001:db8::2', family: 'inet6', 'ip-rev': '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.' },
  ].map((t) => ({
    ...t,
    fid: t.ip,
    failures: 5,
    time: START,
    bantime: 600,
    bancount: 1,
    restored: 0,
    matches: LOG.matches,
    ipmatches: LOG.matches,
    ipjailmatches: LOG.matches,
    ipfailures: 5,
    ipjailfailures: 5,
    'F-*': { user: LOG.user },
  }));
  const out = execFileSync(PYTHON, [ORACLE], {
    input: JSON.stringify({ basedir, now: NOW, host: HOST, tickets }),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out);
}

const ITEMS: BanItem[] = ['192.0.2.2', '2001:db8::2'].map((ip) => ({
  ip,
  failures: 5,
  start: START,
  until: START + 600,
  lines: [LOG.matches],
  restore: false,
  retry: false,
  user: LOG.user,
  count: 1,
}));

/** f2b-scan's script with each log value put back where its environment reference stands. */
function readBack(script: string, env: Record<string, string>): string {
  let s = script;
  for (const [name, value] of Object.entries(env)) {
    s = s.split(`'"\${${name}}"'`).join(value).split(`"\${${name}}"`).join(value).split(`\${${name}}`).join(value);
  }
  return s;
}

/** fail2ban writes a plain word bare or in double quotes; f2b-scan's references are quoted. */
const unquoteLog = (s: string) => s.replace(/"(LOG\w+)"/g, '$1');

function backendOf(file: string, ref: Ref, jail: Jail): Backend {
  return actionFileBackend(file, ref, jail, { ...resolveActionParams(ref, jail), jailOptions: jail.options }, { host: HOST });
}

/** Drives f2b-scan's backend through the jail's life as enforce and stop would. */
async function f2bLife(file: string, ref: Ref, jail: Jail, fail: (cmd: string) => boolean = () => false) {
  const steps: Step[] = [];
  const shell: ShellRunner = async (script, env, _timeout, key) => {
    const cmd = readBack(script, env);
    steps.push([key, cmd]);
    return fail(cmd) ? { ok: false, command: cmd, error: 'exit code 1' } : { ok: true, command: cmd };
  };
  const make = () => actionFileBackend(file, ref, jail, { ...resolveActionParams(ref, jail), jailOptions: jail.options }, { shell, host: HOST });
  const at = async <T>(_name: string, fn: () => Promise<T>): Promise<T> => fn();
  return { steps, make, at };
}

function byOp(steps: Step[], op: string): string[] {
  return steps.filter((s) => s[0] === op).map((s) => unquoteLog(s[1]));
}

async function lifeOfF2b(file: string, ref: Ref, jail: Jail): Promise<Step[]> {
  const { steps, make, at } = await f2bLife(file, ref, jail);
  const families: Family[] = [4, 6];
  // Run 1: bans; a shared start is recorded once, so the second family is checked instead.
  let b: Backend = make();
  for (const f of families) {
    if (f === 6 && b.sharedStart) await at('actioncheck', () => b.check(f));
    else await at('actionstart', () => b.start(f));
    await at('actionban', () => b.ban(f, [ITEMS[f === 4 ? 0 : 1]!]));
  }
  // Run 2: check, unban.
  b = make();
  for (const f of families) {
    await at('actioncheck', () => b.check(f));
    await at('actionunban', () => b.unban(f, [ITEMS[f === 4 ? 0 : 1]!.ip]));
  }
  // f2b-scan stop.
  b = make();
  for (const f of families) if (!b.sharedStart || f === 6) await at('actionstop', () => b.stop(f));
  return steps;
}

/** Run 1 bans both addresses; then `f2b-scan stop` (stop.ts's order) with the bans held. */
async function stopHeldOfF2b(file: string, ref: Ref, jail: Jail): Promise<Step[]> {
  const { steps, make } = await f2bLife(file, ref, jail);
  let b: Backend = make();
  for (const f of [4, 6] as Family[]) {
    if (f === 6 && b.sharedStart) await b.check(f);
    else await b.start(f);
    await b.ban(f, [ITEMS[f === 4 ? 0 : 1]!]);
  }
  const first = steps.length;
  b = make();
  for (const f of [4, 6] as Family[]) {
    if (b.flushAll) await b.flushAll(f);
    else await b.unban(f, [ITEMS[f === 4 ? 0 : 1]!.ip]);
    if (!b.sharedStart || f === 6) await b.stop(f);
  }
  return steps.slice(first);
}

/**
 * The broken firewall: run 1 bans 192.0.2.2, its ban fails and the check after it fails; run 2
 * finds the check failing again and repairs (actionrepair, else actionstop + actionstart) and bans.
 */
async function brokenOfF2b(file: string, ref: Ref, jail: Jail, banCmd: string, checkCmd: string): Promise<Step[]> {
  let failures = [banCmd, checkCmd, checkCmd];
  const { steps, make, at } = await f2bLife(file, ref, jail, (cmd) => {
    const i = failures.indexOf(cmd);
    if (i < 0) return false;
    failures = failures.filter((_, k) => k !== i);
    return true;
  });
  let b = make();
  await at('actionstart', () => b.start(4));
  const first = steps.length;
  const [r] = (await at('actionban', () => b.ban(4, [ITEMS[0]!]))).values();
  b = make();
  if (!r!.ok && !(await at('actioncheck', () => b.check(4)))) await at('actionstart', () => b.start(4));
  if (!r!.ok) await at('actionban', () => b.ban(4, [ITEMS[0]!]));
  return steps.slice(first);
}

/** The operations after the first failure and its check, checks left out: what recovered. */
function recovery(steps: Step[]): string[] {
  return steps.slice(2).filter((s) => s[0] !== 'actioncheck').map((s) => `${s[0]}: ${unquoteLog(s[1])}`);
}

/**
 * fail2ban's recovery with one known fault put right: for an action without [Init?family=...]
 * (stock: pf) it runs actionstop but never actionstart again (its start was recorded for "no
 * family" and counts as done), so the check keeps failing; f2b-scan starts it after the stop.
 */
function recoveryAsIntended(steps: Step[], perFamily: boolean, start: string | undefined): string[] {
  const r = recovery(steps);
  const stop = r.findIndex((s) => s.startsWith('actionstop: '));
  if (perFamily || stop < 0 || start === undefined || r.some((s) => s.startsWith('actionstart: '))) return r;
  return [...r.slice(0, stop + 1), `actionstart: ${unquoteLog(start)}`, ...r.slice(stop + 1)];
}

test("every stock action file runs the same commands as fail2ban's CommandAction, for IPv4 and IPv6", { skip }, async (t) => {
  const dir = tempDir('f2b-action-render-');
  cpSync(STOCK, dir, { recursive: true });
  writeFileSync(join(dir, 'jail.local'), jailLocal());
  const theirs = oracle(dir);
  const config = loadConfig({ configDir: dir, builtinDir: SHIPPED });
  assert.deepEqual(config.jailErrors, []);

  const problems: string[] = [];
  let compared = 0;
  for (const [jailName, actions] of Object.entries(theirs)) {
    const jail = config.jails.find((j) => j.name === jailName && j.enabled);
    assert.ok(jail, `f2b-scan has the enabled jail ${jailName}`);
    const names = Object.keys(actions);
    assert.equal(jail.actions.length, names.length, `${jailName}: actions ${jail.actions.map((r) => r.name).join(', ')} vs ${names.join(', ')}`);
    for (const [i, ref] of jail.actions.entries()) {
      const expected = actions[names[i]!]!;
      const file = actionFileFor(ref.name, config.actionDirs);
      if (expected.python) {
        assert.equal(file, null, `${ref.name}: a Python action in fail2ban`);
        continue;
      }
      assert.ok(file !== null && file.startsWith(dir), `${jailName}: ${ref.name} is read from the stock action.d (got ${file})`);
      const where = `${jailName}: ${ref.name}`;
      const ours = await lifeOfF2b(file, ref, jail);
      for (const op of ['actionstart', 'actionban', 'actionunban', 'actionstop']) {
        const a = byOp(ours, op);
        const e = byOp(expected.life, op);
        if (JSON.stringify(a) !== JSON.stringify(e)) problems.push(`${where} ${op}:\n  f2b-scan: ${JSON.stringify(a)}\n  fail2ban: ${JSON.stringify(e)}`);
      }
      const checks = (steps: Step[]) => [...new Set(byOp(steps, 'actioncheck'))].sort();
      if (JSON.stringify(checks(ours)) !== JSON.stringify(checks(expected.life))) {
        problems.push(`${where} actioncheck:\n  f2b-scan: ${JSON.stringify(checks(ours))}\n  fail2ban: ${JSON.stringify(checks(expected.life))}`);
      }
      // Stopping with bans held: the same flush (or unbans) and stop.
      const held = await stopHeldOfF2b(file, ref, jail);
      for (const op of ['actionflush', 'actionunban', 'actionstop']) {
        const a = byOp(held, op);
        const e = byOp(expected.stopHeld, op);
        if (JSON.stringify(a) !== JSON.stringify(e)) problems.push(`${where} stop with bans held, ${op}:\n  f2b-scan: ${JSON.stringify(a)}\n  fail2ban: ${JSON.stringify(e)}`);
      }
      // The broken firewall: the same first two steps, then the same recovery.
      const [ban, check] = expected.broken;
      if (ban && check && check[0] === 'actioncheck') {
        const broken = await brokenOfF2b(file, ref, jail, ban[1], check[1]);
        const same = JSON.stringify(broken.slice(0, 2).map((s) => s[0])) === JSON.stringify(['actionban', 'actioncheck']);
        const start = expected.life.find((s) => s[0] === 'actionstart')?.[1];
        const intended = recoveryAsIntended(expected.broken, !backendOf(file, ref, jail).sharedStart, start);
        if (!same || JSON.stringify(recovery(broken)) !== JSON.stringify(intended)) {
          problems.push(`${where} broken firewall:\n  f2b-scan: ${JSON.stringify(broken)}\n  fail2ban: ${JSON.stringify(expected.broken)}`);
        }
      }
      compared++;
    }
  }
  assert.deepEqual(problems, [], `${problems.length} difference(s)`);
  // Every stock command action of the package was compared (one jail each, plus the compositions).
  assert.ok(compared >= 70, `compared ${compared} actions`);
  t.diagnostic(`${compared} actions of ${Object.keys(theirs).length} jails compared with fail2ban's CommandAction: identical`);
});

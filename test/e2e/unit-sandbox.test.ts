// The units `install --systemd` writes, run as systemd would run them: the service's own
// read-only file system (its ProtectSystem, ReadWritePaths, PrivateTmp, rebuilt in a mount
// namespace: see helpers/unit-sandbox.ts), its NoNewPrivileges and capability bounding set,
// inside a lab network namespace. A configuration using every native backend and the mail
// actions: the first run bans each jail's attacker through its action, the run an hour
// later lifts every ban — with the unit's exit code 0 and nothing refused by the sandbox.
// The unit starts the command npm installed from the packed tarball (/usr/local/bin/f2b-scan
// in the view), never the checkout: the checkout may live under /tmp, which PrivateTmp hides.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { createLab, netnsUnavailable, startTcpServer, toolsUnavailable, type Lab, type TcpServer } from '../helpers/netns.ts';
import { openUnitSandbox, unitViewUnavailable, type Sandbox } from '../helpers/unit-sandbox.ts';
import { startFirewalld } from '../helpers/firewalld.ts';
import { failedPasswords } from '../run/cli.ts';
import { REPO, missingBuild, runCli, tempDir } from '../install/helpers.ts';
import { tmpdir } from 'node:os';

const NOW = '2026-11-24T10:05:00Z';
const LATER = '2026-11-24T11:10:00Z';

interface Case {
  jail: string;
  /** The jail's action line. */
  action: string;
  /** The attacker address this jail's log accuses (the attacker namespace holds them all). */
  ip: string;
  /** Whether the ban shows as a refused TCP connection to the server's port 22. */
  blocks: boolean;
  /** Why the machine cannot run this backend, or null. */
  missing: string | null;
}

/** A TCP connection from `ns`, from source address `from`, to host:port: does it open? */
async function connectsFrom(ns: string, from: string, host: string, port: number): Promise<boolean> {
  const script = `const s=require('net').connect({host:process.argv[1],port:+process.argv[2],localAddress:process.argv[3]});
const t=setTimeout(()=>{s.destroy();process.exit(3)},1500);s.on('connect',()=>{clearTimeout(t);s.destroy();process.exit(0)});s.on('error',()=>process.exit(2));`;
  const r = await execa('ip', ['netns', 'exec', ns, process.execPath, '-e', script, host, String(port), from], { reject: false, timeout: 8000 });
  return r.exitCode === 0;
}

function jailLocal(cases: Case[], logDir: string): string {
  const out = ['[DEFAULT]', 'maxretry = 2', 'findtime = 10m', 'bantime = 1h', 'mta = sendmail', 'destemail = root@localhost', 'sender = f2b-scan@localhost', 'whois.timeout = 1', '', '[sshd]', 'enabled = false', ''];
  for (const c of cases) out.push(`[${c.jail}]`, 'enabled = true', 'filter = sshd', `logpath = ${logDir}/${c.jail}.log`, `action = ${c.action}`, '');
  return out.join('\n');
}

/** The plain backends and the mail actions, each jail with an attacker address of its own. */
function plainCases(): Case[] {
  const ipt = toolsUnavailable('iptables', ['iptables', 'ip6tables', 'iptables-restore']);
  return [
    { jail: 'ipt', action: 'iptables-multiport[port=22]', ip: '192.0.2.10', blocks: true, missing: ipt },
    { jail: 'ipta', action: 'iptables-allports', ip: '192.0.2.11', blocks: true, missing: ipt },
    { jail: 'iptset', action: 'iptables-ipset-proto6[port=22]', ip: '192.0.2.12', blocks: true, missing: ipt ?? toolsUnavailable('ipset', ['ipset']) },
    { jail: 'nft', action: 'nftables-multiport[port=22]', ip: '192.0.2.13', blocks: true, missing: toolsUnavailable('nftables', ['nft']) },
    { jail: 'nfta', action: 'nftables-allports', ip: '192.0.2.14', blocks: true, missing: toolsUnavailable('nftables', ['nft']) },
    { jail: 'rte', action: 'route[blocktype=blackhole]', ip: '192.0.2.15', blocks: true, missing: null },
    { jail: 'tcpw', action: 'hostsdeny[daemon_list=sshd]', ip: '192.0.2.16', blocks: false, missing: null },
    { jail: 'dmy', action: 'dummy', ip: '192.0.2.17', blocks: false, missing: null },
    // Mail through the machine's sendmail: postfix queues it in /var/spool/postfix/maildrop.
    { jail: 'mail', action: 'sendmail-whois-lines', ip: '192.0.2.18', blocks: false, missing: toolsUnavailable('postfix', ['/usr/sbin/sendmail', 'postcat']) },
  ];
}

let packed: string | undefined;
after(() => {
  if (packed) rmSync(packed, { recursive: true, force: true });
});

/**
 * f2b-scan as an admin installs it: the tarball `npm pack` makes of this build (its scripts not
 * run again: dist/ is shared by the tests running beside this one), installed by
 * `npm install -g` into a /usr/local of its own. Made once for the file; returns that usr/local.
 */
function installedPackage(): string {
  if (!packed) {
    packed = mkdtempSync(join(tmpdir(), 'f2b-sbx-pkg-'));
    const npm = (args: string[], cwd: string) => {
      const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout: 180_000 });
      assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.error?.message ?? ''}\n${r.stderr}`);
      return r.stdout;
    };
    const tgz = npm(['pack', '--ignore-scripts', '--pack-destination', packed], REPO).trim().split('\n').at(-1)!;
    npm(['install', '-g', '--prefix', join(packed, 'usr', 'local'), '--prefer-offline', join(packed, tgz)], packed);
  }
  return join(packed, 'usr', 'local');
}

/** The image install writes from: its configuration, and the units it derives. */
function installUnits(t: { after: (fn: () => void) => void }, cases: Case[]): { image: string; unit: string; conf: string; logs: string; usrLocal: string } {
  const image = tempDir(t, 'sbx-image');
  const conf = join(image, 'etc', 'f2b-scan');
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'jail.local'), jailLocal(cases, '/var/log/f2b-sbx'));
  writeFileSync(join(conf, 'f2b-scan.local'), '[Definition]\nlogtarget = /var/log/f2b-scan.log\n');
  const logs = join(image, 'logs');
  mkdirSync(logs);
  for (const c of cases) writeFileSync(join(logs, `${c.jail}.log`), failedPasswords(c.ip, 3, '2026-11-24T10:00:00Z').join('\n') + '\n');
  // The image holds the installed command, so the units start it: /usr/local/bin/f2b-scan.
  const usrLocal = installedPackage();
  cpSync(usrLocal, join(image, 'usr', 'local'), { recursive: true, verbatimSymlinks: true });
  const r = runCli(['install', '--systemd', '--prefix', image]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /^note:/m);
  const unit = readFileSync(join(image, 'etc/systemd/system/f2b-scan.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/f2b-scan /m);
  return { image, conf, logs, unit, usrLocal };
}

/** Shell run in the view before it is made read-only: the configuration and logs in place, the state directory. */
function setupScript(conf: string, logs: string, usrLocal: string): string {
  return [
    `cp -a '${usrLocal}/.' /usr/local/`,
    `mkdir -p /etc/f2b-scan /var/log/f2b-sbx /var/lib/f2b-scan && cp -r '${conf}/.' /etc/f2b-scan/ && cp '${logs}'/*.log /var/log/f2b-sbx/`,
    'chmod 700 /var/lib/f2b-scan',
    // The host may have a hosts.deny of its own: the jail writes into the overlay's copy.
    'touch /etc/hosts.deny',
  ].join('\n');
}

async function withLab(fn: (lab: Lab, servers: TcpServer[]) => Promise<void>, addresses: string[]): Promise<void> {
  const lab = await createLab('sbx');
  const servers: TcpServer[] = [];
  try {
    for (const ip of addresses) execFileSync('ip', ['-n', lab.attacker.ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    servers.push(await startTcpServer(lab.server.ns, 22));
    await fn(lab, servers);
  } finally {
    for (const s of servers) await s.stop();
    await lab.cleanup();
  }
}

/**
 * Install the units for these jails, build their view with `extraSetup` (a firewall's own
 * configuration, started in the lab), and run the unit twice: every ban, then every unban.
 */
async function banAndUnbanInUnit(
  t: { after: (fn: () => void) => void; diagnostic: (m: string) => void },
  all: Case[],
  extraSetup = '',
  /** Started in the lab before the view (a firewall daemon); returns the environment the unit gets, and its stop. */
  daemon?: (lab: Lab) => Promise<{ env: Record<string, string>; stop: () => Promise<void> }>,
): Promise<void> {
  const cases = all.filter((c) => !c.missing);
  for (const c of all.filter((x) => x.missing)) t.diagnostic(`not run: ${c.jail} (${c.action}): ${c.missing}`);
  if (cases.length === 0) return;
  const { unit, conf, logs, usrLocal } = installUnits(t, cases);
  await withLab(async (lab) => {
    let sbx: Sandbox | undefined;
    const started = daemon ? await daemon(lab) : { env: {}, stop: async () => {} };
    try {
      sbx = await openUnitSandbox(lab.server.ns, unit, `${setupScript(conf, logs, usrLocal)}\n${extraSetup}`);
      // The view is the unit's: outside ReadWritePaths nothing can be written.
      assert.notEqual(sbx.inspect(['touch', '/usr/f2b-sbx-probe']).code, 0, '/usr is read-only');
      assert.notEqual(sbx.inspect(['touch', '/var/lib/f2b-sbx-probe']).code, 0, '/var/lib is read-only but for the state');

      for (const c of cases.filter((x) => x.blocks)) assert.equal(await connectsFrom(lab.attacker.ns, c.ip, lab.server.v4, 22), true, `${c.ip} gets in before`);
      const first = sbx.runUnit(['--now', NOW, '--verbose'], started.env);
      assert.equal(first.code, 0, `the unit's run failed:\n${first.stdout}\n${first.stderr}`);
      assert.doesNotMatch(first.stderr, /EROFS|read-only file system|EACCES|EPERM/i, first.stderr);
      for (const c of cases) assert.match(first.stdout, new RegExp(`^ban ${c.ip.replace(/\./g, '\\.')} in ${c.jail}: `, 'm'), `${c.jail}: ${first.stdout}`);
      for (const c of cases.filter((x) => x.blocks)) assert.equal(await connectsFrom(lab.attacker.ns, c.ip, lab.server.v4, 22), false, `${c.jail} keeps ${c.ip} out`);
      if (cases.some((c) => c.jail === 'tcpw')) assert.match(sbx.inspect(['cat', '/etc/hosts.deny']).stdout, /^sshd: 192\.0\.2\.16$/m);
      if (cases.some((c) => c.jail === 'dmy')) assert.match(sbx.inspect(['cat', '/run/f2b-scan/dmy.dummy']).stdout, /^\+192\.0\.2\.17$/m);
      if (cases.some((c) => c.jail === 'mail')) {
        const queued = sbx.inspect(['sh', '-c', 'for f in /var/spool/postfix/maildrop/*; do postcat -q "$f" 2>/dev/null || postcat "$f"; done']);
        assert.match(queued.stdout, /Subject: \[f2b-scan\] mail: banned 192\.0\.2\.18/, queued.stdout + queued.stderr);
      }
      // Its own log and the state were written where the unit allows.
      const own = sbx.inspect(['tail', '-n', '40', '/var/log/f2b-scan.log']).stdout;
      assert.match(own, new RegExp(`NOTICE +\\[${cases[0]!.jail}\\] Ban ${cases[0]!.ip.replace(/\./g, '\\.')}`), own);
      assert.equal(sbx.inspect(['test', '-s', '/var/lib/f2b-scan/state.json']).code, 0);

      const later = sbx.runUnit(['--now', LATER, '--verbose'], started.env);
      assert.equal(later.code, 0, `the unit's second run failed:\n${later.stdout}\n${later.stderr}`);
      for (const c of cases) assert.match(later.stdout, new RegExp(`^unban ${c.ip.replace(/\./g, '\\.')} in ${c.jail}$`, 'm'), `${c.jail}: ${later.stdout}`);
      for (const c of cases.filter((x) => x.blocks)) assert.equal(await connectsFrom(lab.attacker.ns, c.ip, lab.server.v4, 22), true, `${c.jail} lets ${c.ip} back`);
      if (cases.some((c) => c.jail === 'tcpw')) assert.doesNotMatch(sbx.inspect(['cat', '/etc/hosts.deny']).stdout, /192\.0\.2\.16/);
    } finally {
      await sbx?.close();
      await started.stop();
    }
  }, cases.map((c) => c.ip));
}

function unitSkip(): string | null {
  return missingBuild() ?? netnsUnavailable() ?? unitViewUnavailable();
}

test('the systemd units run iptables, ipset, nftables, route, hostsdeny, dummy and sendmail mail inside their sandbox: ban, then unban', { timeout: 300_000 }, async (t) => {
  const skip = unitSkip();
  if (skip) return t.skip(skip);
  await banAndUnbanInUnit(t, plainCases());
});

test('the systemd units run ufw inside their sandbox: ban, then unban', { timeout: 300_000 }, async (t) => {
  const skip = unitSkip() ?? toolsUnavailable('ufw', ['ufw']);
  if (skip) return t.skip(skip);
  // ufw on in the lab, its rules in the view's /etc/ufw (the host's own ufw untouched).
  const setup = [': > /etc/ufw/sysctl.conf', 'ufw --force enable >/dev/null', 'ufw allow 22/tcp >/dev/null'].join('\n');
  await banAndUnbanInUnit(t, [{ jail: 'ufw', action: 'ufw[port=22]', ip: '192.0.2.20', blocks: true, missing: null }], setup);
});

test('the systemd units run shorewall inside their sandbox: ban, then unban', { timeout: 300_000 }, async (t) => {
  const skip = unitSkip() ?? toolsUnavailable('shorewall', ['shorewall', 'shorewall6']);
  if (skip) return t.skip(skip);
  // A one-interface Shorewall (and Shorewall6) accepting everything on the lab's bridge; its
  // state in the view's /var/lib/shorewall[6], where the unit must let it write.
  const conf = (p: string, fam: string) =>
    [
      `sed -i 's/^LOGFILE=.*/LOGFILE=\\/dev\\/null/' /etc/${p}/${p}.conf`,
      `printf 'fw firewall\\nnet ${fam}\\n' > /etc/${p}/zones`,
      `printf '?FORMAT 2\\nnet br0\\n' > /etc/${p}/interfaces`,
      `printf '$FW all ACCEPT\\nnet all ACCEPT\\nall all ACCEPT\\n' > /etc/${p}/policy`,
      `printf '?SECTION NEW\\nREJECT net $FW tcp 9\\n' > /etc/${p}/rules`,
      `${p} start >/dev/null`,
    ].join('\n');
  await banAndUnbanInUnit(t, [{ jail: 'shw', action: 'shorewall', ip: '192.0.2.21', blocks: true, missing: null }], `${conf('shorewall', 'ipv4')}\n${conf('shorewall6', 'ipv6')}`);
});

test('the systemd units run firewallcmd-ipset against firewalld inside their sandbox: ban, then unban', { timeout: 300_000 }, async (t) => {
  const skip = unitSkip() ?? toolsUnavailable('firewalld', ['firewalld', 'firewall-cmd']) ?? toolsUnavailable('dbus-daemon', ['dbus-daemon']) ?? toolsUnavailable('ipset', ['ipset']);
  if (skip) return t.skip(skip);
  await banAndUnbanInUnit(t, [{ jail: 'fwd', action: 'firewallcmd-ipset[port=22]', ip: '192.0.2.22', blocks: true, missing: null }], '', async (lab) => {
    // Its bus socket under /run: the unit's PrivateTmp hides /tmp.
    const dir = mkdtempSync('/run/f2b-fwd-');
    const fw = await startFirewalld(lab.server.ns, dir).catch((e) => {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    });
    return {
      env: { DBUS_SYSTEM_BUS_ADDRESS: fw.bus },
      stop: async () => {
        await fw.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

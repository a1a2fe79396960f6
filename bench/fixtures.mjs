// The benchmark's inputs, all written into one temporary directory: seeded logs from
// generate.mjs (the same seed gives the same bytes) and the jail.local of each scenario.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GENERATOR = new URL('./generate.mjs', import.meta.url).pathname;
/** Every generated log ends here; scans use it as --now so findtime windows are full. */
export const LOG_END = '2026-11-24T12:00:00Z';

/** Generate a log unless it is already there (a rerun with --keep reuses the directory). */
export function log(dir, kind, lines, name, seed = 42, extra = []) {
  const file = join(dir, name);
  if (!existsSync(file)) execFileSync(process.execPath, [GENERATOR, kind, String(lines), file, '--seed', String(seed), '--end', LOG_END, ...extra]);
  return { file, lines, bytes: statSync(file).size };
}

/**
 * Where the attack logs end: this hour. fail2ban-server, their peer, has no --now: it counts a
 * line only within findtime (1 day) of the real clock and reads a syslog date without a year
 * as this year's. The logs span the 20 hours before this, so all of them still count an hour on.
 */
export const ATTACK_END = new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString();
const STAMP = ATTACK_END.slice(0, 13).replace(/[-T]/g, '');

/** The distributed attack (generate.mjs attack): `pool` 0 = a fresh address on most failures. */
export function attackLog(dir, lines, pool = 0) {
  const name = `attack-${lines}${pool ? `-pool${pool}` : ''}-${STAMP}.log`;
  const file = join(dir, name);
  const args = [GENERATOR, 'attack', String(lines), file, '--seed', '15', '--end', ATTACK_END, '--span', '20', ...(pool ? ['--pool', String(pool)] : [])];
  if (!existsSync(file)) writeFileSync(`${file}.json`, execFileSync(process.execPath, args));
  const { addresses } = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
  return { file, lines, bytes: statSync(file).size, addresses };
}

/** The knobs of every attack scenario, ours and fail2ban-server's alike (issue 15: findtime 1 day). */
export const ATTACK_JAIL = ['findtime = 1d', 'maxretry = 5', 'bantime = 1d'];

function writeConfig(dir, text) {
  mkdirSync(dir, { recursive: true });
  // The shipped jail.conf enables sshd on /var/log/auth.log: every scenario says what it reads.
  const head = text.startsWith('[sshd]\n') ? '' : '[sshd]\nenabled = false\n\n';
  writeFileSync(join(dir, 'jail.local'), head + text);
  // The run's own log (INFO, as fail2ban-server's peer logs) goes to the scenario's directory,
  // not to the machine's /var/log/f2b-scan.log, the default.
  writeFileSync(join(dir, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'f2b-scan.log')}\n`);
  return dir;
}

function jail(name, { filter, files, extra = '' }) {
  return [
    `[${name}]`,
    'enabled = true',
    'backend = auto',
    ...(filter ? [`filter = ${filter}`] : []),
    `logpath = ${files.join('\n          ')}`,
    extra,
    '',
  ].join('\n');
}

/** One jail (sshd) over one auth.log. */
export function sshdConfig(dir, file) {
  return writeConfig(join(dir, 'cfg-sshd'), jail('sshd', { files: [file] }));
}

/** The sshd jail of the attack scenarios; bans go to a dummy file (a real run, no firewall). */
export function attackConfig(dir, name, file) {
  const cfg = join(dir, `cfg-${name}`);
  return writeConfig(cfg, jail('sshd', { files: [file], extra: [...ATTACK_JAIL, `action = dummy[target="${join(cfg, 'bans.dummy')}"]`].join('\n') }));
}

/**
 * Five jails over one auth.log: sshd in its four modes and pam-generic, as a host that wants
 * every kind of ssh failure banned configures it.
 */
export const FIVE_JAILS = [
  ['sshd', null],
  ['sshd-ddos', 'sshd[mode=ddos]'],
  ['sshd-extra', 'sshd[mode=extra]'],
  ['sshd-aggressive', 'sshd[mode=aggressive]'],
  ['pam-generic', null],
];

export function fiveJailsConfig(dir, file) {
  const text = FIVE_JAILS.map(([name, filter]) => jail(name, { filter, files: [file] })).join('\n');
  return writeConfig(join(dir, 'cfg-five'), text);
}

/** The ten jails of the "ten jails over ten files" scenario: [jail name, filter, log kind, seed]. */
export const TEN_JAILS = [
  ['sshd', null, 'auth', 1],
  ['sshd-aggressive', 'sshd[mode=aggressive]', 'auth', 2],
  ['pam-generic', null, 'auth', 3],
  ['nginx-http-auth', null, 'nginx-error', 4],
  ['nginx-limit-req', null, 'nginx-error', 5],
  ['nginx-botsearch', null, 'nginx', 6],
  ['nginx-bad-request', null, 'nginx', 7],
  ['postfix', null, 'mail', 8],
  ['postfix-sasl', 'postfix[mode=auth]', 'mail', 9],
  ['dovecot', null, 'mail', 10],
];

export function tenJails(dir, linesEach) {
  const logs = [];
  let text = '';
  for (const [name, filter, kind, seed] of TEN_JAILS) {
    const l = log(dir, kind, linesEach, `ten-${name}.log`, seed);
    logs.push(l);
    // A real run (not --dry-run), as from cron: bans go to dummy files, never the firewall.
    text += jail(name, { filter, files: [l.file], extra: `action = dummy[target="${join(dir, `ten-${name}.dummy`)}"]` });
  }
  return { config: writeConfig(join(dir, 'cfg-ten'), text), logs };
}

/**
 * The idle cron run: the same ten jails, five small files each (50 files), plain paths as
 * most logpaths are. Bans go to dummy files in the directory: the first run (which makes
 * the state) must not touch the real firewall.
 */
export function idleJails(dir, linesEach = 2000) {
  let text = '';
  const logs = [];
  for (const [name, filter, kind, seed] of TEN_JAILS) {
    const files = [];
    for (let k = 0; k < 5; k++) {
      const l = log(dir, kind, linesEach, `idle-${name}-${k}.log`, seed * 100 + k);
      logs.push(l);
      files.push(l.file);
    }
    text += jail(name, { filter, files, extra: `action = dummy[target="${join(dir, `idle-${name}.dummy`)}"]` });
  }
  return { config: writeConfig(join(dir, 'cfg-idle'), text), logs };
}

/**
 * 10,000 attackers with one failure each (maxretry = 1): one run bans them all. Addresses
 * are documentation ones (TEST-NET-1..3, 2001:db8::/32); the run happens in its own network
 * namespace anyway.
 */
export function bansLog(dir, count = 10000) {
  const file = join(dir, `bans-${count}.log`);
  if (!existsSync(file)) {
    const lines = [];
    const nets = ['192.0.2', '198.51.100', '203.0.113'];
    for (let i = 0; i < count; i++) {
      const ip = i < 3 * 254 ? `${nets[i % 3]}.${1 + Math.floor(i / 3)}` : `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
      const s = String(i % 60).padStart(2, '0');
      lines.push(`Nov 24 11:59:${s} srv1 sshd[${1000 + i}]: Failed password for root from ${ip} port 22 ssh2`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
  }
  return file;
}

export function bansConfig(dir, backend, file) {
  // The ipset backend is reached through fail2ban's action names (iptables-ipset*).
  return writeConfig(join(dir, `cfg-bans-${backend}`), jail('bench', {
    filter: 'sshd',
    files: [file],
    extra: `maxretry = 1\nfindtime = 1h\nbantime = 1h\nport = ssh\nbanaction = ${backend}\nbanaction_allports = ${backend}`,
  }));
}

/**
 * A list of `count` distinct addresses for `import`, one a line. `testNet`: only documentation
 * addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, then 2001:db8::/32), for the rows
 * that load a firewall; else the attack's ranges (198.18.0.0/15 first, then 2001:db8::/32).
 */
export function banList(dir, count, testNet) {
  const file = join(dir, `list-${count}${testNet ? '-testnet' : ''}.txt`);
  if (!existsSync(file)) {
    const v4 = testNet
      ? ['192.0.2', '198.51.100', '203.0.113'].flatMap((net) => Array.from({ length: 254 }, (_, i) => `${net}.${i + 1}`))
      : Array.from({ length: 1 << 17 }, (_, n) => `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`).filter((a) => !a.endsWith('.0') && !a.endsWith('.255'));
    const out = [];
    for (let i = 0; i < count; i++) {
      const j = i - v4.length;
      out.push(j < 0 ? v4[i] : `2001:db8:${(j >> 16).toString(16)}:${(j & 0xffff).toString(16)}::1`);
    }
    writeFileSync(file, out.join('\n') + '\n');
  }
  return file;
}

/**
 * The state of a busy day, made by a real run over this log: 100,000 addresses with two
 * failures each (tracked, under maxretry) and 20,000 with five (banned), all within the last
 * 20 hours before LOG_END, IPv4 (198.18.0.0/15) and IPv6 mixed as in the attack.
 */
export function trackedLog(dir, tracked = 100_000, banned = 20_000) {
  const file = join(dir, `tracked-${tracked}-${banned}.log`);
  if (!existsSync(file)) {
    const end = Date.parse(LOG_END);
    const addr = (i) => (i % 3 === 0 ? `198.${18 + ((i / 3) >> 16)}.${((i / 3) >> 8) & 0xff}.${(i / 3) & 0xff}` : `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::2`);
    // Each address's failures one after another, addresses spread over the 20 hours.
    const events = [];
    for (let i = 0; i < tracked + banned; i++) for (let k = 0; k < (i < tracked ? 2 : 5); k++) events.push(i);
    const step = (20 * 3600_000) / events.length;
    const lines = events.map((i, n) => `${syslogStamp(end - 20 * 3600_000 + n * step)} srv1 sshd[${1000 + (n % 60000)}]: Failed password for root from ${addr(i)} port ${1024 + (n % 60000)} ssh2`);
    writeFileSync(file, lines.join('\n') + '\n');
  }
  return { file, lines: null, bytes: statSync(file).size };
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function syslogStamp(ms) {
  const d = new Date(ms);
  const p2 = (n) => String(n).padStart(2, '0');
  return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** One sshd jail with the attack knobs and a dummy action over `files`, for the state scenarios. */
export function stateJailConfig(dir, name, file, extra = []) {
  const cfg = join(dir, `cfg-${name}`);
  return writeConfig(cfg, jail('sshd', { files: [file], extra: [...ATTACK_JAIL, ...extra, `action = dummy[target="${join(cfg, 'bans.dummy')}"]`].join('\n') }));
}

/** A log with nothing to ban in it: the file of the jails whose state comes from `import`. */
export function quietLog(dir) {
  const file = join(dir, 'quiet.log');
  if (!existsSync(file)) writeFileSync(file, `${syslogStamp(Date.parse(LOG_END) - 60_000)} srv1 CRON[1234]: pam_unix(cron:session): session closed for user root\n`);
  return file;
}

/** Every filter the bench's jails use, over one tiny log: the run that warms the regex verdicts. */
export function warmConfig(dir) {
  const file = quietLog(dir);
  const jails = [...FIVE_JAILS, ...TEN_JAILS.filter(([name]) => !FIVE_JAILS.some(([n]) => n === name))];
  return writeConfig(join(dir, 'cfg-warm'), jails.map(([name, filter]) => jail(name, { filter, files: [file] })).join('\n'));
}

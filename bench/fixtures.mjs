// The benchmark's inputs, all written into one temporary directory: seeded logs from
// generate.mjs (the same seed gives the same bytes) and the jail.local of each scenario.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GENERATOR = new URL('./generate.mjs', import.meta.url).pathname;
/** Every generated log ends here; scans use it as --now so findtime windows are full. */
export const LOG_END = '2026-11-24T12:00:00Z';

/** Generate a log unless it is already there (a rerun with --keep reuses the directory). */
export function log(dir, kind, lines, name, seed = 42) {
  const file = join(dir, name);
  if (!existsSync(file)) execFileSync(process.execPath, [GENERATOR, kind, String(lines), file, '--seed', String(seed), '--end', LOG_END]);
  return { file, lines, bytes: statSync(file).size };
}

function writeConfig(dir, text) {
  mkdirSync(dir, { recursive: true });
  // The shipped jail.conf enables sshd on /var/log/auth.log: every scenario says what it reads.
  const head = text.startsWith('[sshd]\n') ? '' : '[sshd]\nenabled = false\n\n';
  writeFileSync(join(dir, 'jail.local'), head + text);
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

// What `f2b-scan install` writes: the systemd units shipped in packaging/systemd with
// the command line of this installation put in, the /etc/cron.d line, and the
// commented jail.local. Pure text functions; only packagingDir() and readUnits() read files.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from './sandbox.ts';

/** The unit files, in the order they are written. */
export const UNIT_NAMES = ['f2b-scan.service', 'f2b-scan.timer', 'f2b-scan-restore.service'] as const;

/** The path the shipped units name the program by; replaced by the real command line. */
export const UNIT_PLACEHOLDER = '/usr/local/bin/f2b-scan';

export { DEFAULT_CONFIG_DIR, DEFAULT_STATE_FILE } from '../util/paths.ts';

/** packaging/systemd next to this code (repository, dist/ bundle or an npm install). */
export function packagingDir(): string {
  if (process.env.F2B_SCAN_PACKAGING) return process.env.F2B_SCAN_PACKAGING;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'packaging', 'systemd');
    if (existsSync(join(p, 'f2b-scan.service'))) return p;
    dir = dirname(dir);
  }
  throw new Error('cannot find packaging/systemd next to f2b-scan (set F2B_SCAN_PACKAGING)');
}

export function readUnits(dir = packagingDir()): Record<string, string> {
  return Object.fromEntries(UNIT_NAMES.map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

/** How the scheduled runs start f2b-scan: the node binary and the f2b-scan script, absolute. */
export interface Program {
  /** Absent: the script is the command itself (its #!/usr/bin/env node line finds node). */
  node?: string;
  script: string;
  /** Extra arguments every scheduled run gets (--config, --state when not the defaults). */
  args: string[];
}

/**
 * One word of a systemd command line. systemd splits on spaces and expands `%x`
 * specifiers and `$VAR`, so those are escaped; anything unusual gets double quotes.
 */
export function systemdWord(s: string): string {
  const e = s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@%+=:,./$-]+$/.test(e) ? e : `"${e.replace(/(["\\])/g, '\\$1')}"`;
}

/** One word for /bin/sh in a crontab line; cron also turns an unescaped % into a newline. */
export function cronWord(s: string): string {
  const q = /^[A-Za-z0-9_@+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
  return q.replace(/%/g, '\\%');
}

/** One comment line per reason, with the paths it needs (the MTA spools share one). */
function sandboxComments(sandbox: Sandbox): string[] {
  const byWhy = new Map<string, string[]>();
  for (const p of sandbox.paths) byWhy.set(p.why, [...(byWhy.get(p.why) ?? []), p.path]);
  return [...byWhy].map(([why, paths]) => `#   ${paths.join(', ')}: ${why}`);
}

/** The command words of a program (node and script, or the script alone). */
export function programWords(program: Program): string[] {
  return program.node ? [program.node, program.script] : [program.script];
}

/**
 * The shipped unit with `/usr/local/bin/f2b-scan <cmd>` replaced by this installation's
 * command, and (service units) the sandbox derived from the configuration: ProtectSystem and
 * ReadWritePaths with a comment line per writable place saying why.
 */
export function renderUnit(template: string, program: Program, sandbox: Sandbox | null): string {
  const cmd = programWords(program).map(systemdWord).join(' ');
  const extra = program.args.map(systemdWord).join(' ');
  const lines = template.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = /^(Exec\w+=)(\S+)(.*)$/.exec(line);
    if (m && m[2] === UNIT_PLACEHOLDER) {
      out.push(`${m[1]}${cmd}${m[3]}${extra ? ' ' + extra : ''}`);
      continue;
    }
    if (sandbox && line.startsWith('ProtectSystem=')) {
      if (sandbox.protectSystem !== 'strict') {
        out.push('# Loosened from strict: what these actions write cannot be known beforehand.', ...sandbox.loosened.map((l) => `#   ${l}`));
      }
      out.push(`ProtectSystem=${sandbox.protectSystem}`);
      continue;
    }
    if (sandbox && line.startsWith('ReadWritePaths=')) {
      // The template's comment above the line is replaced too.
      while (out.length && out[out.length - 1]!.startsWith('#') && !out[out.length - 1]!.startsWith('# Loosened')) out.pop();
      out.push(
        '# Writable in the read-only system, derived by `f2b-scan install` from the enabled jails\' actions',
        '# (run it again after changing them). "-": may be missing on this machine.',
        ...sandboxComments(sandbox),
        `ReadWritePaths=${sandbox.paths.map((p) => (p.optional ? '-' : '') + systemdWord(p.path)).join(' ')}`,
      );
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

export function renderCron(program: Program): string {
  const cmd = programWords(program).map(cronWord).join(' ');
  const extra = program.args.map(cronWord).join(' ');
  const tail = extra ? ' ' + extra : '';
  return [
    '# f2b-scan: scan the logs every minute; at boot, put the recorded bans back into the firewall.',
    '# Written by `f2b-scan install --cron`; `f2b-scan install --cron --uninstall` removes it.',
    '# A run prints nothing unless it banned something or went wrong (cron mails what it prints).',
    'SHELL=/bin/sh',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `* * * * * root ${cmd} scan${tail}`,
    `@reboot root ${cmd} start${tail}`,
    '',
  ].join('\n');
}

/** The commented jail.local `install` puts in a new configuration directory. */
export function defaultJailLocal(): string {
  return `# f2b-scan: your changes to the shipped jails (jail.conf next to the f2b-scan package).
#
# Files are read in this order, each overriding the one before:
#   jail.conf, jail.d/*.conf, jail.local (this file), jail.d/*.local
# The format is fail2ban's: an existing fail2ban jail.local works here as it is.
# \`f2b-scan init\` looks at this machine's logs and suggests which jails to enable.
# Check the result with: f2b-scan --dry-run

[DEFAULT]
# never ban these (add your own networks, space separated)
#ignoreip = 127.0.0.1/8 ::1 192.0.2.0/24

# an address with maxretry failures within findtime is banned for bantime
#bantime  = 10m
#findtime = 10m
#maxretry = 5

# the firewall: iptables-multiport (default), nftables-multiport, ...
#banaction = iptables-multiport

# [sshd] is enabled by the shipped jail.conf; turn it off with
#[sshd]
#enabled = false

# enable another jail:
#[nginx-http-auth]
#enabled = true
`;
}

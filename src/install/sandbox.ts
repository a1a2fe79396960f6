// What the scheduled unit's sandbox must let f2b-scan write, derived from the configuration
// it will run: ProtectSystem=strict makes the whole file system read-only, so each place an
// enabled jail's actions write to is listed in ReadWritePaths, with why. An action file
// (fail2ban's action.d) runs commands nobody can foresee: with one, the sandbox is loosened to
// ProtectSystem=true (/usr and /boot read-only, the rest writable), and the unit says why.

import { dirname } from 'node:path';
import type { LoadedConfig } from '../config/index.ts';
import { actionFileFor } from '../actions/action-file-find.ts';
import { resolveActionParams } from '../actions/params.ts';
import { MAIL_ACTIONS } from '../actions/mail-names.ts';
import { readMailSettings } from '../actions/mail-settings.ts';
import { parseTarget } from '../log/target.ts';
import type { Jail, Ref } from '../types.ts';

export interface WritablePath {
  /** An absolute path; `optional`: it may be missing on this machine (systemd's "-" prefix). */
  path: string;
  optional: boolean;
  /** Why the unit lets f2b-scan write there (a comment line in the unit). */
  why: string;
}

export interface Sandbox {
  protectSystem: 'strict' | 'true';
  paths: WritablePath[];
  /** Why ProtectSystem is loosened (action files), one line each. */
  loosened: string[];
}

/** The spool directories of the MTAs Debian packages: sendmail(8) of each writes its queue there. */
export const MTA_SPOOLS = ['/var/spool/postfix', '/var/spool/exim4', '/var/spool/mqueue', '/var/spool/mqueue-client', '/var/spool/nullmailer'];

/** Where the native backends write besides the network stack (ipset, nftables, route: nowhere). */
function backendPaths(ref: Ref, jail: Jail): WritablePath[] {
  const name = ref.name;
  const params = resolveActionParams(ref, jail);
  const of = (action: string) => `${action} of [${jail.name}]`;
  // iptables (and ufw and shorewall, which run it) take the lock /run/xtables.lock.
  const xtables: WritablePath = { path: '/run', optional: false, why: `${of(name)}: iptables takes its lock /run/xtables.lock` };
  if (name.startsWith('iptables') || name === 'firewallcmd-ipset') return [xtables];
  if (name === 'hostsdeny') {
    const file = params.options.file ?? '/etc/hosts.deny';
    return [{ path: dirname(file), optional: false, why: `${of(name)} rewrites ${file} through a temporary file beside it` }];
  }
  if (name === 'ufw') return [{ path: '/etc/ufw', optional: false, why: `${of(name)}: ufw keeps its rules in /etc/ufw/user*.rules` }, xtables];
  if (name === 'shorewall') {
    return [
      { path: '/var/lib/shorewall', optional: true, why: `${of(name)}: shorewall keeps its state (the dynamic blacklist) in /var/lib/shorewall` },
      { path: '/var/lib/shorewall6', optional: true, why: `${of(name)}: shorewall6 likewise for IPv6` },
      xtables,
    ];
  }
  if (name === 'dummy') {
    const file = params.options.target ?? params.options.file ?? `/run/f2b-scan/${jail.name}.dummy`;
    return [{ path: dirname(file), optional: false, why: `${of(name)} writes ${file}` }];
  }
  return [];
}

function mailPaths(name: string, ref: Ref, jail: Jail): WritablePath[] {
  const params = { ...resolveActionParams(ref, jail), jailOptions: jail.options };
  let mta: string;
  try {
    mta = readMailSettings(params).mta;
  } catch {
    return []; // a bad mail setting is the run's error to report, not the sandbox's
  }
  if (mta !== 'sendmail') return [];
  return MTA_SPOOLS.map((path) => ({ path, optional: true, why: `${name} of [${jail.name}] hands mail to sendmail, which queues it in its MTA's spool` }));
}

/** The sandbox for these jails (the enabled ones of the configuration), the state and the own log. */
export function deriveSandbox(config: LoadedConfig, jails: Jail[], opts: { stateDir: string; metricsFile?: string | null }): Sandbox {
  const paths: WritablePath[] = [{ path: opts.stateDir, optional: false, why: 'the state and its lock' }];
  const target = parseTarget(config.main.get('Definition', 'logtarget'), config.main.get('Definition', 'syslogsocket'));
  if (target.kind === 'file') paths.push({ path: dirname(target.path), optional: false, why: `f2b-scan's own log ${target.path} (logtarget)` });
  if (opts.metricsFile) paths.push({ path: dirname(opts.metricsFile), optional: true, why: `the metrics file ${opts.metricsFile}` });
  const loosened: string[] = [];
  for (const jail of jails) {
    for (const ref of jail.actions) {
      const file = actionFileFor(ref.name, config.actionDirs);
      if (file) {
        loosened.push(`${ref.name} of [${jail.name}] runs the commands of ${file}, which may write anywhere`);
        continue;
      }
      if (MAIL_ACTIONS.has(ref.name)) paths.push(...mailPaths(ref.name, ref, jail));
      else paths.push(...backendPaths(ref, jail));
    }
  }
  return { protectSystem: loosened.length ? 'true' : 'strict', paths: collapse(paths), loosened };
}

/** One entry per directory, none below another it already holds; the reasons of both kept. */
function collapse(paths: WritablePath[]): WritablePath[] {
  const byPath = new Map<string, WritablePath>();
  for (const p of paths) {
    const seen = byPath.get(p.path);
    if (!seen) byPath.set(p.path, { ...p });
    else {
      seen.optional &&= p.optional;
      if (!seen.why.split('; ').includes(p.why)) seen.why += `; ${p.why}`;
    }
  }
  const all = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const under = (child: string, parent: string) => parent === '/' || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
  const kept: WritablePath[] = [];
  for (const p of all) {
    const parent = all.find((q) => q !== p && !q.optional && under(p.path, q.path));
    if (!parent) kept.push(p);
    else if (!parent.why.split('; ').includes(p.why)) parent.why += `; ${p.why}`;
  }
  return kept;
}

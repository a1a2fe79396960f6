// `f2b-scan status [jail] [--json]`: fail2ban-client status from the state file: the jails,
// and per jail the files with their offsets (or the journal cursor), failures now and in
// total, bans now (with expiry) and in total. Reads only: no lock, nothing written.

import { isoTime } from '../util/time-text.ts';
import type { LoadedConfig } from '../config/index.ts';
import type { State } from '../state/schema.ts';
import type { Jail } from '../types.ts';
import { findJail, withSession, type OpsOptions, type OpsResult } from './session.ts';
import { totalsOf } from './totals.ts';
import { compareKeys, keyText } from '../net/key.ts';
import { banCount, bansOf } from '../state/bans.ts';
import { ticketsSince } from '../state/tickets.ts';

export interface JailStatus {
  name: string;
  enabled: boolean;
  backend: string;
  files: { path: string; offset: number; size: number }[];
  journal: { cursor: string } | null;
  currentlyFailed: number;
  totalFailed: number;
  currentlyBanned: number;
  totalBanned: number;
  banned: { ip: string; start: string; until: string | null; origin: string; pending: boolean }[];
}

export interface Status {
  now: string;
  jails: JailStatus[];
}

const isoOrNull = (t: number | null) => (t === null ? null : isoTime(t));

export function jailStatus(jail: Jail, state: State, now: number): JailStatus {
  const own = <T>(r: Record<string, T>) => (Object.hasOwn(r, jail.name) ? r[jail.name] : undefined);
  const files = Object.entries(own(state.files) ?? {}).map(([path, c]) => ({ path, offset: c.offset, size: c.size }));
  const bans = [...bansOf(state, jail.name)].filter(([, b]) => b.until === null || b.until > now).sort(([a], [b]) => compareKeys(a, b));
  const totals = totalsOf(state, jail.name);
  return {
    name: jail.name,
    enabled: jail.enabled,
    backend: jail.backend,
    files,
    journal: own(state.journals) ?? null,
    currentlyFailed: ticketsSince(state, jail.name, now - jail.findtime),
    totalFailed: totals.failed,
    currentlyBanned: bans.length,
    totalBanned: totals.banned,
    banned: bans.map(([key, b]) => ({ ip: keyText(key), start: isoTime(b.start), until: isoOrNull(b.until), origin: b.origin, pending: b.pending === 'ban' })),
  };
}

/** The enabled jails, and any other that still holds bans. */
function shownJails(config: LoadedConfig, state: State): Jail[] {
  return config.jails.filter((j) => j.enabled || banCount(state, j.name) > 0);
}

export function buildStatus(config: LoadedConfig, state: State, now: number, jailName?: string): Status {
  const jails = jailName ? [findJail(config, jailName)] : shownJails(config, state);
  return { now: isoTime(now), jails: jails.map((j) => jailStatus(j, state, now)) };
}

export function formatJailStatus(j: JailStatus): string {
  const where =
    j.journal || j.backend.startsWith('systemd')
      ? `Journal cursor:\t${j.journal?.cursor ?? '(none yet)'}`
      : `File list:\t${j.files.map((f) => `${f.path} (offset ${f.offset})`).join(' ')}`;
  const banned = j.banned.map((b) => `${b.ip} (until ${b.until ?? 'forever'}${b.pending ? ', pending' : ''})`).join(' ');
  return [
    `Status for the jail: ${j.name}`,
    '|- Filter',
    `|  |- Currently failed:\t${j.currentlyFailed}`,
    `|  |- Total failed:\t${j.totalFailed}`,
    `|  \`- ${where}`,
    '`- Actions',
    `   |- Currently banned:\t${j.currentlyBanned}`,
    `   |- Total banned:\t${j.totalBanned}`,
    `   \`- Banned IP list:\t${banned}`,
  ].join('\n');
}

export function formatStatus(s: Status, one: boolean): string {
  if (one) return formatJailStatus(s.jails[0]!) + '\n';
  return formatOverview(s.jails.map((j) => j.name));
}

/** `status` without a jail: the jails' names, as fail2ban-client prints them. */
function formatOverview(names: string[]): string {
  return ['Status', `|- Number of jail:\t${names.length}`, `\`- Jail list:\t${names.join(', ')}`].join('\n') + '\n';
}

export async function runStatus(opts: Omit<OpsOptions, 'dryRun'> & { jail?: string; json: boolean }): Promise<OpsResult> {
  return withSession(
    { ...opts, dryRun: true },
    async (s) => {
      let output: string;
      if (!opts.json && opts.jail === undefined) {
        // The overview names the jails only: a state of a million bans builds no record for it.
        output = formatOverview(shownJails(s.config, s.state).map((j) => j.name));
      } else {
        const status = buildStatus(s.config, s.state, opts.now, opts.jail);
        output = opts.json ? JSON.stringify(status) + '\n' : formatStatus(status, opts.jail !== undefined);
      }
      return { output, messages: s.warnings.map((w) => `warning: ${w}`), exitCode: 0 };
    },
    false,
  );
}

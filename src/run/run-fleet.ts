// The fleet step of a run: publish this run's own bans, import other hosts' bans and
// unbans as decisions. Loaded (with the Redis client) only when [fleet] url is set.

import { join } from 'node:path';
import type { LoadedConfig } from '../config/index.ts';
import { resolveJail } from '../config/jail.ts';
import { exchange, readFleetSettings } from '../fleet/index.ts';
import type { State } from '../state/schema.ts';
import type { BanRecord, Decision, Jail, RunSummary } from '../types.ts';
import { parseKey } from '../net/key.ts';
import { deleteBan, getBan, setBan } from '../state/bans.ts';

/** The built-in jail for imported bans whose jail is not enabled here: all ports. */
export const FLEET_JAIL = 'fleet';

export interface FleetStep {
  decisions: Decision[];
  summary: NonNullable<RunSummary['fleet']>;
  warnings: string[];
  unreachable: boolean;
}

export async function fleetStep(input: {
  config: LoadedConfig;
  state: State;
  jails: Jail[];
  decisions: Decision[];
  now: number;
  dryRun: boolean;
  isIgnored: (jail: Jail, ip: string) => string | null;
  /** Where imported bans of jails not enabled here go (see fleetJail()). */
  fleetJail: Jail;
  unbans?: { jail: string; ip: string }[];
}): Promise<FleetStep> {
  const settings = readFleetSettings(input.config.main, join(input.config.configDir, 'f2b-scan.conf'))!;
  const warnings = [...(settings.warnings ?? [])];
  // Only this host's own bans go out: imported ones are never published again (no echo).
  const own = input.decisions.flatMap((d) =>
    d.kind === 'ban' && d.origin !== 'fleet' ? [{ jail: d.jail, ip: d.ip, start: d.start, until: d.until, failures: d.failures }] : [],
  );
  const res = await exchange(settings, input.state, own, { dryRun: input.dryRun, now: input.now, unbans: input.unbans });
  if (res.error) warnings.push(`fleet: ${res.error}`);
  if (res.cursorWarning) warnings.push(`fleet: ${res.cursorWarning}`);
  if (res.dropped > 0) {
    const why = Object.entries(res.droppedReasons ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    warnings.push(`fleet: dropped ${res.dropped} entries${why ? ` (${why})` : ''}`);
  }

  // Into the enabled jail of the same name, else the built-in all-ports jail.
  const byName = new Map(input.jails.map((j) => [j.name, j]));
  const jailFor = (name: string): Jail => byName.get(name) ?? input.fleetJail;

  const decisions: Decision[] = [];
  const imported: NonNullable<RunSummary['fleet']>['imported'] = [];
  for (const u of res.unbans) {
    const jail = jailFor(u.jail);
    const key = parseKey(u.ip);
    const ban = key === null ? undefined : getBan(input.state, jail.name, key);
    // Only bans that came from the fleet, and not a newer one than the unban.
    if (key === null || !ban || ban.origin !== 'fleet' || ban.start > u.at) continue;
    if (!input.dryRun) deleteBan(input.state, jail.name, key);
    decisions.push({ kind: 'unban', jail: jail.name, ip: u.ip, reason: 'fleet' });
  }
  for (const b of res.imported) {
    const jail = jailFor(b.jail);
    if (input.isIgnored(jail, b.ip)) continue;
    const key = parseKey(b.ip);
    if (key === null) continue;
    const have = getBan(input.state, jail.name, key);
    if (have && (have.until === null || (b.until !== null && have.until >= b.until))) continue;
    const record: BanRecord = { start: b.start, until: b.until, failures: b.failures, count: have?.count ?? 1, origin: 'fleet', from: b.from };
    if (!input.dryRun) setBan(input.state, jail.name, key, record);
    decisions.push({ kind: 'ban', jail: jail.name, ip: b.ip, failures: b.failures, start: b.start, until: b.until, count: record.count, origin: 'fleet', from: b.from, lines: [] });
    imported.push({ jail: jail.name, ip: b.ip, until: b.until === null ? null : new Date(b.until * 1000).toISOString(), from: b.from });
  }
  return {
    decisions,
    summary: { published: res.published, imported, dropped: res.dropped, error: res.error },
    warnings,
    unreachable: res.error !== null,
  };
}

/** The jail named `fleet`: a [fleet] section of jail.local, else [DEFAULT] banning on all ports. */
export function fleetJail(config: LoadedConfig): Jail {
  const configured = config.jails.find((j) => j.name === FLEET_JAIL);
  if (configured) return { ...configured, logpath: [] };
  const jail = resolveJail(config.store, FLEET_JAIL, true, []);
  const allports = config.store.get('DEFAULT', 'banaction_allports')?.trim() || 'iptables-allports';
  return { ...jail, logpath: [], actions: [{ name: allports, options: {} }] };
}

// The fleet step of a run: publish this run's own bans, import other hosts' bans and
// unbans as decisions. Loaded (with the Redis client) only when [fleet] url is set.
// Whatever the fleet sends, this step only ever adds decisions: the run has made its own
// before, and applies and saves them whether this step works or not (see run.ts).

import { join } from 'node:path';
import type { LoadedConfig } from '../config/index.ts';
import { resolveJail } from '../config/jail.ts';
import { exchange, finishWithHeartbeat, readFleetSettings, type FleetExchangeResult, type FleetSettings } from '../fleet/index.ts';
import type { State } from '../state/schema.ts';
import type { BanRecord, Decision, Jail, RunSummary } from '../types.ts';
import { rangeRefusalFor } from '../actions/index.ts';
import { programInstalled } from '../exec/which.ts';
import { isRangeText } from '../net/cidr.ts';
import { parseKeyOrRange } from '../net/key.ts';
import { deleteBan, getBan, jailsWithBans, setBan } from '../state/bans.ts';

/** The built-in jail for imported bans whose jail is not enabled here: all ports. */
export const FLEET_JAIL = 'fleet';

export interface FleetStep {
  decisions: Decision[];
  summary: NonNullable<RunSummary['fleet']>;
  warnings: string[];
  unreachable: boolean;
  /** Entries dropped (bad signature, values or times, replayed): input warnings, exit 5. */
  inputProblems: number;
  /** At the run's end: write this host's heartbeat (exit code included) and close the connection. An error line or null. */
  finish(exitCode: number): Promise<string | null>;
}

/** [fleet] of f2b-scan.conf/.local; throws the ConfigError that names file, section and key. */
export function fleetSettings(config: LoadedConfig): FleetSettings {
  return readFleetSettings(config.main, join(config.configDir, 'f2b-scan.conf'))!;
}

/** Epoch seconds as ISO text; a time no Date can hold reads as null rather than throwing. */
function isoOrNull(t: number | null): string | null {
  if (t === null) return null;
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

interface FleetStepInput {
  settings: FleetSettings;
  state: State;
  jails: Jail[];
  decisions: Decision[];
  now: number;
  dryRun: boolean;
  isIgnored: (jail: Jail, ip: string) => string | null;
  /** Where imported bans of jails not enabled here go (see fleetJail()). */
  fleetJail: Jail;
  unbans?: { jail: string; ip: string }[];
  /** The configuration's action.d directories: whether a jail's firewall holds ranges. */
  actionDirs: string[];
}

export async function fleetStep(input: FleetStepInput): Promise<FleetStep> {
  const { settings } = input;
  const warnings = [...(settings.warnings ?? [])];
  // Only this host's own bans go out: imported ones are never published again (no echo).
  const own = input.decisions.flatMap((d) =>
    d.kind === 'ban' && d.origin !== 'fleet' ? [{ jail: d.jail, ip: d.ip, start: d.start, until: d.until, failures: d.failures }] : [],
  );
  // A dry run leaves no heartbeat: it writes nothing anywhere.
  const res = await exchange(settings, input.state, own, { dryRun: input.dryRun, now: input.now, unbans: input.unbans, keepOpen: !input.dryRun });
  try {
    // Ranges only into jails whose firewall holds them (ipset, nftables, iptables, route).
    const refusals = new Map<string, string | null>();
    for (const b of res.imported) {
      if (!isRangeText(b.ip)) continue;
      const jail = input.jails.find((j) => j.name === b.jail) ?? input.fleetJail;
      if (!refusals.has(jail.name)) refusals.set(jail.name, await rangeRefusalFor(jail, input.actionDirs, b.ip));
    }
    return afterExchange(input, res, warnings, refusals);
  } catch (e) {
    res.connection?.disconnect(); // else the open socket would keep the process alive
    throw e;
  }
}

/** Turn what the exchange read into decisions and state changes; the FleetStep. */
function afterExchange(input: FleetStepInput, res: FleetExchangeResult, warnings: string[], refusals: Map<string, string | null>): FleetStep {
  const { settings } = input;
  // Into the enabled jail of the same name, else the built-in all-ports jail.
  const byName = new Map(input.jails.map((j) => [j.name, j]));
  const jailFor = (name: string): Jail => byName.get(name) ?? input.fleetJail;

  // A range for a jail whose firewall holds hosts only: dropped like any entry this host cannot use.
  res.imported = res.imported.filter((b) => {
    const why = isRangeText(b.ip) ? refusals.get(jailFor(b.jail).name) : null;
    if (!why) return true;
    res.dropped++;
    res.droppedReasons['range not held here'] = (res.droppedReasons['range not held here'] ?? 0) + 1;
    return false;
  });
  if (res.error) warnings.push(`fleet: ${res.error}`);
  if (res.cursorWarning) warnings.push(`fleet: ${res.cursorWarning}`);
  if (res.dropped > 0) {
    const why = Object.entries(res.droppedReasons ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    warnings.push(`fleet: dropped ${res.dropped} entr${res.dropped === 1 ? 'y' : 'ies'}${why ? ` (${why})` : ''}`);
  }

  const held = (jail: string, ip: string): BanRecord | undefined => {
    const key = parseKeyOrRange(ip);
    return key === null ? undefined : getBan(input.state, jail, key);
  };

  // Everything is worked out first and written to the state in one go at the end, so a
  // surprise half-way leaves the state as the run's own decisions made it.
  const decisions: Decision[] = [];
  const writes: { jail: string; ip: string; record: BanRecord | null }[] = [];
  const imported: NonNullable<RunSummary['fleet']>['imported'] = [];
  for (const u of res.unbans) {
    // `*`: every jail that holds the address here.
    const jails = u.jail === '*' ? jailsWithBans(input.state) : [jailFor(u.jail).name];
    for (const jail of jails) {
      const ban = held(jail, u.ip);
      // The stream is read in order, so a ban held here came before this unban: it is lifted,
      // whatever the two hosts' clocks said. Only what the fleet brought is lifted (README).
      if (!ban) continue;
      if (ban.origin === 'fleet') {
        writes.push({ jail, ip: u.ip, record: null });
        decisions.push({ kind: 'unban', jail, ip: u.ip, reason: 'fleet' });
      } else if (ban.ownUntil !== undefined) {
        // A local ban a fleet ban had lengthened goes back to its own end.
        const { ownUntil, from: _from, ...own } = ban;
        if (ownUntil <= input.now) {
          writes.push({ jail, ip: u.ip, record: null });
          decisions.push({ kind: 'unban', jail, ip: u.ip, reason: 'fleet' });
        } else writes.push({ jail, ip: u.ip, record: { ...own, until: ownUntil } });
      }
    }
  }
  for (const b of res.imported) {
    const jail = jailFor(b.jail);
    if (input.isIgnored(jail, b.ip)) continue;
    const have = held(jail.name, b.ip);
    const running = have && (have.until === null || have.until > input.now);
    if (running && (have.until === null || (b.until !== null && have.until >= b.until))) continue;
    if (running && have.origin !== 'fleet') {
      // This host's own ban (its lines, its origin) stays; the fleet only lengthens it.
      writes.push({ jail: jail.name, ip: b.ip, record: { ...have, until: b.until, ownUntil: have.ownUntil ?? have.until!, from: b.from } });
      continue;
    }
    const record: BanRecord = { start: b.start, until: b.until, failures: b.failures, count: have?.count ?? 1, origin: 'fleet', from: b.from };
    writes.push({ jail: jail.name, ip: b.ip, record });
    decisions.push({ kind: 'ban', jail: jail.name, ip: b.ip, failures: b.failures, start: b.start, until: b.until, count: record.count, origin: 'fleet', from: b.from, lines: [] });
    imported.push({ jail: jail.name, ip: b.ip, until: isoOrNull(b.until), from: b.from });
  }
  if (!input.dryRun) {
    for (const w of writes) {
      const key = parseKeyOrRange(w.ip);
      if (key === null) continue;
      if (w.record) setBan(input.state, w.jail, key, w.record);
      else deleteBan(input.state, w.jail, key);
    }
  }
  return {
    decisions,
    summary: {
      published: res.published,
      imported,
      dropped: res.dropped,
      droppedReasons: res.droppedReasons,
      capped: res.capped,
      awaiting: res.awaiting,
      outbox: res.outbox,
      lag: res.lag,
      error: res.error,
    },
    warnings,
    unreachable: res.error !== null,
    inputProblems: res.dropped,
    async finish(exitCode) {
      if (!res.connection) return null;
      return finishWithHeartbeat(res.connection, settings.stream, settings.host, {
        clock: input.now,
        exit: exitCode,
        lag: res.lag,
        outbox: res.outbox,
        published: res.published,
        imported: imported.length,
        dropped: res.dropped,
        publishes: settings.signingKey !== null,
      });
    },
  };
}

/** Actions that hold one firewall rule per address: thousands of fleet bans belong in a set. */
const RULE_PER_ADDRESS = new Set(['iptables-allports', 'iptables-multiport', 'iptables']);

/**
 * The jail named `fleet`: a [fleet] section of jail.local, else [DEFAULT]'s banaction_allports,
 * all ports — in a set: where that action keeps one iptables rule per address (the stock
 * iptables-allports), ipset when it is installed, else nftables (`installed` asks the machine).
 */
export function fleetJail(config: LoadedConfig, installed: (program: string) => boolean = programInstalled): Jail {
  const configured = config.jailNamed(FLEET_JAIL);
  if (configured) return { ...configured, logpath: [] };
  const jail = resolveJail(config.store, FLEET_JAIL, true, []);
  let allports = config.store.get('DEFAULT', 'banaction_allports')?.trim() || 'iptables-allports';
  if (RULE_PER_ADDRESS.has(allports)) {
    if (installed('ipset')) allports = 'iptables-ipset-proto6-allports';
    else if (installed('nft')) allports = 'nftables-allports';
  }
  return { ...jail, logpath: [], actions: [{ name: allports, options: {} }] };
}

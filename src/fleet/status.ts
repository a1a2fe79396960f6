// `f2b-scan fleet status`: the fleet as this host sees it, from the stream's two ends and the
// hosts' heartbeats — a few commands whatever the stream's length (the whole stream is never
// read), changing nothing.

import { isoTime } from '../util/time-text.ts';
import type { State } from '../state/schema.ts';
import { epochKey } from './cursor.ts';
import { idTime, parseId } from './entry.ts';
import { readHeartbeats, redisTime, type Heartbeat } from './heartbeat.ts';
import { connectRedis, describe, FleetUnreachable, where } from './redis.ts';
import type { FleetSettings } from './settings.ts';
import { streamInfo } from './stream.ts';

/** A host whose last heartbeat is older than this (on Redis's clock) is marked silent. */
export const SILENT_AFTER = 5 * 60;

export interface HostStatus extends Omit<Heartbeat, 'at' | 'clock'> {
  host: string;
  /** Its last run (Redis's clock), ISO 8601. */
  lastRun: string;
  /** No heartbeat for more than five minutes. */
  silent: boolean;
  /** Its clock minus Redis's at its last run, seconds: far off, its entries are refused. */
  clockOffset: number;
  /** Listed in this host's trusted_keys (its entries are acted on here). */
  trusted: boolean;
}

export interface FleetStatus {
  url: string;
  stream: string;
  host: string;
  /** Entries in the stream (0 when it does not exist yet). */
  length: number;
  first: { id: string; time: string } | null;
  last: { id: string; time: string } | null;
  epoch: string | null;
  cursor: string | null;
  /** Seconds between the last entry and this host's cursor (null: no cursor, or no stream). */
  lagSeconds: number | null;
  /** Every host that ran since the heartbeats began, read-only ones included; by name. */
  hosts: HostStatus[];
  /** Bans and unbans waiting in this host's state to be published. */
  outbox: number;
  /** Redis unreachable: the rest is what the state alone knows. */
  error: string | null;
}

const iso = (seconds: number) => isoTime(seconds);

export async function readFleetStatus(settings: FleetSettings, state: State): Promise<FleetStatus> {
  const cursor = typeof state.fleet.cursor === 'string' && parseId(state.fleet.cursor) ? state.fleet.cursor : null;
  const status: FleetStatus = {
    url: where(settings),
    stream: settings.stream,
    host: settings.host,
    length: 0,
    first: null,
    last: null,
    epoch: null,
    cursor,
    lagSeconds: null,
    hosts: [],
    outbox: Array.isArray(state.fleet.outbox) ? state.fleet.outbox.length : 0,
    error: null,
  };
  let redis;
  try {
    redis = await connectRedis(settings);
  } catch (e) {
    status.error = e instanceof FleetUnreachable ? e.message : describe(e as Error);
    return status;
  }
  try {
    const [info, beats, epoch, now] = await Promise.all([
      streamInfo(redis, settings.stream),
      readHeartbeats(redis, settings.stream),
      redis.call('GET', epochKey(settings.stream)) as Promise<string | null>,
      redisTime(redis),
    ]);
    status.epoch = epoch;
    if (info) {
      status.length = info.length;
      if (info.firstId) status.first = { id: info.firstId, time: iso(idTime(info.firstId)) };
      if (info.lastId) status.last = { id: info.lastId, time: iso(idTime(info.lastId)) };
      if (cursor && info.lastId) status.lagSeconds = Math.max(0, Math.round(idTime(info.lastId) - idTime(cursor)));
    }
    status.hosts = [...beats]
      .map(([host, b]) => ({
        host,
        lastRun: iso(b.at),
        silent: now - b.at > SILENT_AFTER,
        clockOffset: Math.round(b.clock - b.at),
        trusted: settings.trusted.has(host),
        exit: b.exit,
        lag: b.lag,
        outbox: b.outbox,
        published: b.published,
        imported: b.imported,
        dropped: b.dropped,
        publishes: b.publishes,
      }))
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  } catch (e) {
    status.error = `Redis at ${status.url}: ${describe(e as Error)}`;
  } finally {
    redis.disconnect();
  }
  return status;
}

export function formatFleetStatus(s: FleetStatus): string {
  const lines: string[] = [];
  lines.push(`fleet: stream ${s.stream} at ${s.url}, this host is ${s.host}`);
  if (s.error) lines.push(`error: ${s.error}`);
  else {
    lines.push(`entries: ${s.length}${s.last ? '' : ' (nothing published yet)'}${s.epoch ? `, epoch ${s.epoch}` : ''}`);
    if (s.first) lines.push(`first: ${s.first.id} (${s.first.time})`);
    if (s.last) lines.push(`last: ${s.last.id} (${s.last.time})`);
    lines.push(`cursor: ${s.cursor ?? '(none: the next run reads the whole stream)'}${s.lagSeconds !== null ? `, ${s.lagSeconds} s behind the last entry` : ''}`);
    lines.push(s.hosts.length ? `hosts (${s.hosts.length}):` : 'hosts: none has run yet');
    for (const h of s.hosts) {
      const marks = [h.silent ? 'SILENT' : '', h.publishes ? '' : 'read-only', h.trusted || !h.publishes ? '' : 'not trusted here', Math.abs(h.clockOffset) > 60 ? `clock ${h.clockOffset > 0 ? '+' : ''}${h.clockOffset} s` : '']
        .filter(Boolean)
        .join(', ');
      lines.push(
        `  ${h.host}  last run ${h.lastRun}  exit ${h.exit}  published ${h.published}  imported ${h.imported}  dropped ${h.dropped}  outbox ${h.outbox}  lag ${h.lag ?? '-'}${marks ? `  [${marks}]` : ''}`,
      );
    }
  }
  lines.push(`outbox: ${s.outbox} waiting to be published`);
  return lines.join('\n') + '\n';
}

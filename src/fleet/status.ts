// `f2b-scan fleet status`: what the stream holds and where this host stands in it.
// Reads the whole stream once (it is capped by maxlen), changes nothing.

import type { State } from '../state/schema.ts';
import { compareIds, decodeEntry, idTime } from './entry.ts';
import { connectRedis, describe, FleetUnreachable } from './redis.ts';
import { redactUrl, type FleetSettings } from './settings.ts';
import { range, streamInfo } from './stream.ts';

export interface FleetStatus {
  url: string;
  stream: string;
  host: string;
  /** Entries in the stream (0 when it does not exist yet). */
  length: number;
  first: { id: string; time: string } | null;
  last: { id: string; time: string } | null;
  cursor: string | null;
  /** Entries after this host's cursor: what its next run will read. */
  lag: number;
  /** Hosts with a validly signed entry in the stream, latest first. */
  hosts: { host: string; entries: number; lastId: string; lastTime: string }[];
  /** Entries whose signature (or content) does not check out with our keys. */
  invalid: number;
  /** Bans and unbans waiting in this host's state to be published. */
  outbox: number;
  /** Redis unreachable: the rest is what the state alone knows. */
  error: string | null;
}

const BATCH = 1000;
const iso = (id: string) => new Date(idTime(id) * 1000).toISOString();

export async function readFleetStatus(settings: FleetSettings, state: State, now = Date.now() / 1000): Promise<FleetStatus> {
  const status: FleetStatus = {
    url: redactUrl(settings.url),
    stream: settings.stream,
    host: settings.host,
    length: 0,
    first: null,
    last: null,
    cursor: state.fleet.cursor,
    lag: 0,
    hosts: [],
    invalid: 0,
    outbox: state.fleet.outbox.length,
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
    const info = await streamInfo(redis, settings.stream);
    if (!info) return status;
    status.length = info.length;
    if (info.firstId) status.first = { id: info.firstId, time: iso(info.firstId) };
    if (info.lastId) status.last = { id: info.lastId, time: iso(info.lastId) };
    const hosts = new Map<string, { entries: number; lastId: string }>();
    let from = '-';
    for (;;) {
      const batch = await range(redis, settings.stream, from, BATCH);
      for (const [id, fields] of batch) {
        if (state.fleet.cursor === null || compareIds(id, state.fleet.cursor) > 0) status.lag++;
        const d = decodeEntry(id, fields, { trusted: settings.trusted, skew: settings.skew });
        if (!d.ok) {
          status.invalid++;
          continue;
        }
        const h = hosts.get(d.host) ?? { entries: 0, lastId: id };
        h.entries++;
        h.lastId = id;
        hosts.set(d.host, h);
      }
      if (batch.length < BATCH) break;
      from = `(${batch[batch.length - 1]![0]}`;
    }
    status.hosts = [...hosts]
      .map(([host, h]) => ({ host, entries: h.entries, lastId: h.lastId, lastTime: iso(h.lastId) }))
      .sort((a, b) => compareIds(b.lastId, a.lastId));
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
    lines.push(`entries: ${s.length}${s.last ? '' : ' (nothing published yet)'}`);
    if (s.first) lines.push(`first: ${s.first.id} (${s.first.time})`);
    if (s.last) lines.push(`last: ${s.last.id} (${s.last.time})`);
    lines.push(`cursor: ${s.cursor ?? '(none: the next run reads the whole stream)'}, ${s.lag} entries behind`);
    if (s.invalid) lines.push(`invalid entries (bad signature or content, ignored): ${s.invalid}`);
    lines.push(s.hosts.length ? 'hosts:' : 'hosts: none yet');
    for (const h of s.hosts) lines.push(`  ${h.host}  last ${h.lastTime}  (${h.entries} entries)`);
  }
  lines.push(`outbox: ${s.outbox} waiting to be published`);
  return lines.join('\n') + '\n';
}

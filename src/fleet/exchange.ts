// One run's exchange with the fleet: queue this run's bans and unbans in the state's
// outbox, publish the whole outbox in one pipelined batch of signed entries, then read
// every entry after the stored cursor, the way a jail reads a log file after its stored
// offset. The cursor moves in the in-memory state only; the run saves it with everything
// else (atomically), so a crash re-reads entries rather than skipping them.

import { normalizeTarget } from '../net/cidr.ts';
import type { OutboxEntry, State } from '../state/schema.ts';
import { Consensus } from './consensus.ts';
import { startingPoint } from './cursor.ts';
import { decodeEntry, encodeEntry, idTime, PUBLISH_BATCH, type DropReason } from './entry.ts';
import { connectRedis, describe, FleetUnreachable, where, type Redis } from './redis.ts';
import type { FleetSettings } from './settings.ts';
import { addAll, readAfter } from './stream.ts';

export interface NewBan {
  jail: string;
  ip: string;
  start: number;
  until: number | null;
  failures: number;
}

export interface ImportedBan {
  jail: string;
  ip: string;
  /** Capped by maxtime; null: for good. */
  until: number | null;
  /** When the publisher signed the entry (its clock). */
  start: number;
  failures: number;
  /** The publishing host. */
  from: string;
}

/** An unban lifts what came before it in the stream (stream order, never the hosts' clocks). */
export interface ImportedUnban {
  /** A jail, or `*`: every jail. */
  jail: string;
  ip: string;
  from: string;
}

export interface FleetExchangeResult {
  /** Bans and unbans written to the stream by this exchange. */
  published: number;
  /** Bans from other hosts, still running; at most one per (jail, ip): the latest word. */
  imported: ImportedBan[];
  /** Unbans from other hosts whose latest word on (jail, ip) was an unban. */
  unbans: ImportedUnban[];
  /** Entries (or items of one) not acted on: bad signature, unknown host, bad value or time, a replayed copy. */
  dropped: number;
  droppedReasons: Partial<Record<DropReason, number>>;
  /** Valid bans from others that had already run out (nothing to do). */
  expired: number;
  /** Bans seen from fewer hosts than min_hosts so far: remembered, not imported. */
  awaiting: number;
  /** Imported bans whose end `maxtime` brought forward (a ban for good included). */
  capped: number;
  /** Entries read from the stream (own and others', valid or not). */
  read: number;
  /** Outbox entries still waiting after this exchange (dry run: that would be waiting). */
  outbox: number;
  /** Stream entries after this host's cursor once the exchange ended; null: not read (import = no, or an error). */
  lag: number | null;
  /** Redis unreachable or a command failed: one line. The run still bans locally. */
  error: string | null;
  /** Reading could not go on from the cursor (trimmed, new epoch, failover): one line. */
  cursorWarning?: string;
  /** The open connection, with `keepOpen` when Redis was reached: the caller disconnects it. */
  connection?: Redis;
}

export interface ExchangeOptions {
  dryRun: boolean;
  /** Epoch seconds. */
  now: number;
  /** Unbans to publish (`f2b-scan unban --fleet`); jail `*`: every jail. */
  unbans?: { jail: string; ip: string }[];
  /** Leave the connection open in `result.connection` (a run writes its heartbeat at its end). */
  keepOpen?: boolean;
}

/** XREAD COUNT: entries per round trip. */
const BATCH = 200;

export async function exchange(
  settings: FleetSettings,
  state: State,
  newBans: NewBan[],
  opts: ExchangeOptions,
): Promise<FleetExchangeResult> {
  const result: FleetExchangeResult = {
    published: 0,
    imported: [],
    unbans: [],
    dropped: 0,
    droppedReasons: {},
    expired: 0,
    awaiting: 0,
    capped: 0,
    read: 0,
    outbox: 0,
    lag: null,
    error: null,
  };

  // A host without a private key only reads: it queues nothing it could never sign.
  const queued = settings.signingKey ? toOutbox(settings, newBans, opts) : [];
  // A dry run works on a copy: it neither queues nor clears anything in the state.
  let outbox = opts.dryRun ? [...state.fleet.outbox, ...queued] : capOutbox(state.fleet.outbox.concat(queued), settings.maxlen);
  if (!opts.dryRun) state.fleet.outbox = outbox;
  result.outbox = outbox.length;

  let redis: Redis;
  try {
    redis = await connectRedis(settings);
  } catch (e) {
    result.error = e instanceof FleetUnreachable ? e.message : describe(e as Error);
    return result;
  }
  try {
    if (!opts.dryRun && outbox.length > 0 && settings.signingKey) {
      outbox = await publish(redis, settings, outbox.filter((o) => !isOver(o, opts.now)), opts.now, result);
      state.fleet.outbox = outbox;
      result.outbox = outbox.length;
    }
    if (settings.import) await importSince(redis, settings, state, opts, result);
  } catch (e) {
    result.error ??= `Redis at ${where(settings)}: ${describe(e as Error)}`;
  }
  if (opts.keepOpen) result.connection = redis;
  else redis.disconnect();
  return result;
}

function publishes(settings: FleetSettings, jail: string): boolean {
  return settings.publish === 'all' || settings.publish.includes(jail);
}

function toOutbox(settings: FleetSettings, bans: NewBan[], opts: ExchangeOptions): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const b of bans) {
    const ip = normalizeTarget(b.ip);
    if (!ip || !publishes(settings, b.jail)) continue;
    out.push({ op: 'ban', jail: b.jail, ip, start: b.start, until: b.until, failures: b.failures, queuedAt: opts.now });
  }
  // An unban asked for with --fleet goes out whatever `publish` says: the admin asked for it.
  for (const u of opts.unbans ?? []) {
    const ip = normalizeTarget(u.ip);
    if (!ip) continue;
    out.push({ op: 'unban', jail: u.jail, ip, start: opts.now, until: null, failures: 0, queuedAt: opts.now });
  }
  return out;
}

/**
 * A ban that ran out while Redis was away is not worth sending; an entry a hand-edited state
 * made unusable (no address, a time that is no number) would only be dropped by every reader.
 */
function isOver(o: OutboxEntry, now: number): boolean {
  if (typeof o.ip !== 'string' || !normalizeTarget(o.ip)) return true;
  return o.op === 'ban' && o.until !== null && !(Number.isFinite(o.until) && o.until > now);
}

/** Keep the outbox no longer than the stream would keep anyway (Redis away for weeks). */
function capOutbox(outbox: OutboxEntry[], maxlen: number): OutboxEntry[] {
  return maxlen > 0 && outbox.length > maxlen ? outbox.slice(outbox.length - maxlen) : outbox;
}

/**
 * Publish in one pipelined round trip, PUBLISH_BATCH items to a signed entry; what failed
 * stays in the returned outbox. Each entry is signed with `now` as its start: readers refuse
 * a start far from the stream id's time (a replayed copy), so a ban that waited in the
 * outbox goes out dated when it is sent.
 */
async function publish(redis: Redis, settings: FleetSettings, outbox: OutboxEntry[], now: number, result: FleetExchangeResult): Promise<OutboxEntry[]> {
  const chunks: OutboxEntry[][] = [];
  for (let i = 0; i < outbox.length; i += PUBLISH_BATCH) chunks.push(outbox.slice(i, i + PUBLISH_BATCH));
  const encoded = chunks.map((chunk) =>
    encodeEntry(
      {
        host: settings.host,
        start: now,
        items: chunk.map((o) => ({ op: o.op, jail: o.jail, ip: o.ip, until: o.op === 'ban' ? o.until : null, failures: o.failures })),
      },
      settings.signingKey!,
    ),
  );
  const replies = await addAll(redis, settings.stream, settings.maxlen, encoded);
  const left: OutboxEntry[] = [];
  replies.forEach((r, i) => {
    if ('id' in r) result.published += chunks[i]!.length;
    else {
      left.push(...chunks[i]!);
      result.error ??= `publishing to ${settings.stream}: ${describe(r.error)}`;
    }
  });
  return left;
}

async function importSince(
  redis: Redis,
  settings: FleetSettings,
  state: State,
  opts: ExchangeOptions,
  result: FleetExchangeResult,
): Promise<void> {
  const start = await startingPoint(redis, settings.stream, state, opts.dryRun);
  const info = start.info;
  if (start.warning) result.cursorWarning = start.warning;
  if (!opts.dryRun && start.epoch) state.fleet.epoch = start.epoch;
  if (!info) {
    result.lag = 0;
    return; // nobody has published yet
  }
  let cursor = start.cursor;

  // Signatures of the entries read lately: a copy of one added to the stream again (a replay,
  // which needs write access to Redis but no key) is never acted on a second time, so a ban
  // an unban has superseded stays lifted. Kept until no copy could pass the clock check.
  const seen = loadSeen(state.fleet.seen);
  const consensus = new Consensus(settings.minHosts, opts.now, state.fleet.sightings);
  // The latest word per (jail, ip) wins: a ban then an unban leaves nothing banned.
  const latest = new Map<string, { kind: 'ban'; ban: ImportedBan } | { kind: 'unban'; unban: ImportedUnban }>();
  const drop = (reason: DropReason) => {
    result.dropped++;
    result.droppedReasons[reason] = (result.droppedReasons[reason] ?? 0) + 1;
  };
  const take = (id: string, fields: unknown) => {
    const d = decodeEntry(id, fields, { trusted: settings.trusted, skew: settings.skew });
    if (!d.ok) return drop(d.reason);
    if (d.host === settings.host) return; // our own: never re-imported (no echo)
    const sig = d.sig.slice(0, SEEN_SIG_CHARS);
    // Read again after a failover: what was seen is not news, and not a replay either.
    if (seen.has(sig)) return start.rereading ? undefined : drop('seen before');
    seen.set(sig, Math.ceil(d.start + settings.skew));
    for (const r of d.items) {
      if (!r.ok) {
        drop(r.reason);
        continue;
      }
      const e = r.item;
      const k = `${e.jail}\u0000${e.ip}`;
      if (e.op === 'unban') {
        if (e.jail === '*') for (const [key, v] of latest) if (v.kind === 'ban' && v.ban.ip === e.ip) latest.delete(key);
        consensus.forget(e.jail, e.ip);
        latest.delete(k); // re-insert: the map keeps the order of each pair's latest word
        latest.set(k, { kind: 'unban', unban: { jail: e.jail, ip: e.ip, from: d.host } });
        continue;
      }
      let until = e.until;
      if (settings.maxtime !== null && (until === null || until > d.start + settings.maxtime)) {
        until = d.start + settings.maxtime;
        result.capped++;
      }
      if (until !== null && until <= opts.now) {
        result.expired++; // over already: changes nothing here
        continue;
      }
      if (!consensus.agree(e.jail, e.ip, d.host, until)) {
        result.awaiting++;
        continue;
      }
      latest.delete(k);
      latest.set(k, { kind: 'ban', ban: { jail: e.jail, ip: e.ip, until, start: d.start, failures: e.failures, from: d.host } });
    }
  };
  try {
    for (;;) {
      const batch = await readAfter(redis, settings.stream, cursor, BATCH);
      for (const [id, fields] of batch) {
        // The cursor passes every entry, good or bad: one poison entry is never read twice.
        cursor = id;
        result.read++;
        try {
          take(id, fields);
        } catch {
          drop('bad value'); // a shape nothing above foresaw: skipped like any bad entry
        }
      }
      if (batch.length < BATCH) break;
    }
    result.lag = 0;
  } finally {
    // What was read is returned and its cursor kept even when a later batch failed.
    for (const v of latest.values()) {
      if (v.kind === 'ban') result.imported.push(v.ban);
      else result.unbans.push(v.unban);
    }
    if (!opts.dryRun) {
      if (result.read > 0) state.fleet.cursor = cursor;
      // Redis's clock, as far as this host can tell: the newest id it has seen.
      const redisNow = Math.max(idTime(cursor) || 0, info.lastGeneratedId ? idTime(info.lastGeneratedId) || 0 : 0);
      state.fleet.seen = saveSeen(seen, redisNow);
      const sightings = consensus.save();
      if (sightings) state.fleet.sightings = sightings;
      else delete state.fleet.sightings;
    }
  }
}

/** Characters of a signature kept to recognise a copy: 96 bits, no accidental collision. */
const SEEN_SIG_CHARS = 16;

function loadSeen(stored: unknown): Map<string, number> {
  const m = new Map<string, number>();
  if (typeof stored !== 'object' || stored === null) return m;
  for (const [sig, until] of Object.entries(stored)) if (typeof until === 'number' && Number.isFinite(until)) m.set(sig, until);
  return m;
}

/** The signatures a copy could still come back with: start + skew not yet past on Redis's clock. */
function saveSeen(seen: Map<string, number>, redisNow: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [sig, until] of seen) if (until >= redisNow) out[sig] = until;
  return out;
}

// Each run leaves its host's heartbeat in a small hash beside the stream (`<stream>:hosts`,
// one field per host), so `fleet status` sees every host — read-only ones too — from one
// HGETALL instead of reading and verifying the whole stream. Heartbeats are not signed:
// they inform the operator, nothing acts on them.

import { describe, type Redis } from './redis.ts';

export interface Heartbeat {
  /** When the run ended, on Redis's clock (epoch seconds): what "silent" is measured on. */
  at: number;
  /** The host's own clock at that moment: far from `at`, its entries will be refused. */
  clock: number;
  /** The run's exit code. */
  exit: number;
  /** Stream entries after its cursor when the run ended; null: it does not read (import = no). */
  lag: number | null;
  outbox: number;
  published: number;
  imported: number;
  dropped: number;
  /** Whether the host can publish (has a key_file). */
  publishes: boolean;
}

export const heartbeatKey = (stream: string) => `${stream}:hosts`;

/** Redis's clock, epoch seconds. */
export async function redisTime(redis: Redis): Promise<number> {
  const [s, us] = (await redis.call('TIME')) as [string, string];
  return Number(s) + Number(us) / 1e6;
}

export async function writeHeartbeat(redis: Redis, stream: string, host: string, beat: Omit<Heartbeat, 'at'>): Promise<void> {
  const at = Math.floor(await redisTime(redis));
  await redis.call('HSET', heartbeatKey(stream), host, JSON.stringify({ ...beat, at }));
}

/** Every host's last heartbeat; a value that is not one of ours is skipped. */
export async function readHeartbeats(redis: Redis, stream: string): Promise<Map<string, Heartbeat>> {
  const flat = (await redis.call('HGETALL', heartbeatKey(stream))) as string[];
  const out = new Map<string, Heartbeat>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const beat = parseHeartbeat(flat[i + 1]!);
    if (beat) out.set(flat[i]!, beat);
  }
  return out;
}

function parseHeartbeat(text: string): Heartbeat | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const n = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null);
  const at = n('at');
  if (at === null) return null;
  return {
    at,
    clock: n('clock') ?? at,
    exit: n('exit') ?? -1,
    lag: n('lag'),
    outbox: n('outbox') ?? 0,
    published: n('published') ?? 0,
    imported: n('imported') ?? 0,
    dropped: n('dropped') ?? 0,
    publishes: o.publishes === true,
  };
}

/** Write the heartbeat on a connection the exchange left open, then close it: an error line or null. */
export async function finishWithHeartbeat(redis: Redis, stream: string, host: string, beat: Omit<Heartbeat, 'at'>): Promise<string | null> {
  try {
    await writeHeartbeat(redis, stream, host, beat);
    return null;
  } catch (e) {
    return `heartbeat not written to ${heartbeatKey(stream)}: ${describe(e as Error)}`;
  } finally {
    redis.disconnect();
  }
}

// Where this run starts reading the stream: after its stored cursor, unless the stream it
// read before is gone. Failover must never skip silently: a new epoch (Redis replaced or
// emptied), a cursor past the stream's last id (the stream made anew), or a cursor entry that
// is no longer there while newer ids exist (a promoted replica that never got it, whose new
// ids may sort below the cursor) each give one warning and a re-read from the oldest entry;
// a stream trimmed past the cursor gives a warning that entries may have been missed.

import { randomBytes } from 'node:crypto';
import type { State } from '../state/schema.ts';
import { compareIds, parseId } from './entry.ts';
import type { Redis } from './redis.ts';
import { streamInfo, type StreamInfo } from './stream.ts';

/** The key beside the stream holding its epoch: a random id written once, when missing. */
export const epochKey = (stream: string) => `${stream}:epoch`;

export interface StartingPoint {
  /** Read entries after this id ('0-0': from the oldest). */
  cursor: string;
  info: StreamInfo | null;
  /** The stream's epoch now (null: the stream does not exist yet). */
  epoch: string | null;
  /** One line when reading cannot go on from the stored cursor. */
  warning?: string;
  /** Reading again what this host read before: copies of entries it saw are not news. */
  rereading: boolean;
}

/** `dryRun`: write nothing, not even a missing epoch. */
export async function startingPoint(redis: Redis, stream: string, state: State, dryRun: boolean): Promise<StartingPoint> {
  let stored = state.fleet.cursor;
  let warning: string | undefined;
  if (stored !== null && !parseId(String(stored))) {
    warning = `fleet cursor ${JSON.stringify(stored)} in the state is not a stream id; reading ${stream} from the oldest entry`;
    stored = null;
  }
  // Three questions in one round trip: the stream's ends, its epoch, the cursor's entry.
  const [info, epochNow, atCursor] = await Promise.all([
    streamInfo(redis, stream),
    redis.call('GET', epochKey(stream)) as Promise<string | null>,
    stored === null ? Promise.resolve(null) : (redis.call('XRANGE', stream, stored, stored) as Promise<unknown[]>),
  ]);
  if (!info) return { cursor: '0-0', info, epoch: null, rereading: false, ...(warning ? { warning } : {}) };
  const epoch = epochNow ?? (dryRun ? null : await createEpoch(redis, stream));
  const before = typeof state.fleet.epoch === 'string' ? state.fleet.epoch : null;
  const fromOldest = (why: string): StartingPoint => ({ cursor: '0-0', info, epoch, rereading: true, warning: `${why}; reading ${stream} again from the oldest entry` });

  if (stored === null) return { cursor: '0-0', info, epoch, rereading: false, ...(warning ? { warning } : {}) };
  if (before !== null && epoch !== null && epoch !== before) {
    return fromOldest(`the fleet stream's epoch changed (${before} -> ${epoch}): Redis was replaced or emptied since this host's last read`);
  }
  if (info.lastGeneratedId && compareIds(stored, info.lastGeneratedId) > 0) {
    // Ids only grow, so a cursor ahead of the stream means it was deleted and made anew.
    return fromOldest(`fleet cursor ${stored} is past the last entry of ${stream} (${info.lastGeneratedId}): the stream was made anew, or a failover lost what this host read last`);
  }
  if (info.firstId && compareIds(stored, info.firstId) < 0) {
    if (info.entriesAdded === null || info.entriesAdded > info.length) {
      warning = `fleet cursor ${stored} is older than the first entry of ${stream} (${info.firstId}): the stream was trimmed while this host was away and entries may have been missed; reading from the oldest entry`;
    }
    return { cursor: stored, info, epoch, rereading: false, ...(warning ? { warning } : {}) };
  }
  if (Array.isArray(atCursor) && atCursor.length === 0) {
    return fromOldest(`the entry at fleet cursor ${stored} is gone from ${stream} (a failover to a replica that never got it?)`);
  }
  return { cursor: stored, info, epoch, rereading: false, ...(warning ? { warning } : {}) };
}

/** The first reader after the stream appeared names its epoch; a racing reader's name wins if it was first. */
async function createEpoch(redis: Redis, stream: string): Promise<string> {
  const mine = randomBytes(8).toString('hex');
  await redis.call('SET', epochKey(stream), mine, 'NX');
  return ((await redis.call('GET', epochKey(stream))) as string | null) ?? mine;
}

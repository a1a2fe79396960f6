// The few stream commands the fleet uses (XADD, XREAD, XRANGE, XINFO STREAM), typed.
// Only these, so Valkey, a managed Redis or Sentinel work the same.

import type { Redis } from './redis.ts';

export type RawEntry = [id: string, fields: string[]];

export interface StreamInfo {
  length: number;
  firstId: string | null;
  lastId: string | null;
  lastGeneratedId: string | null;
  /** Entries ever added (Redis 7+); more than length means entries were trimmed or deleted. */
  entriesAdded: number | null;
  first: RawEntry | null;
  last: RawEntry | null;
}

/** XINFO STREAM, or null when the stream does not exist yet. */
export async function streamInfo(redis: Redis, stream: string): Promise<StreamInfo | null> {
  let raw: unknown[];
  try {
    raw = (await redis.call('XINFO', 'STREAM', stream)) as unknown[];
  } catch (e) {
    if (/no such key/i.test((e as Error).message)) return null;
    throw e;
  }
  const m = new Map<string, unknown>();
  for (let i = 0; i + 1 < raw.length; i += 2) m.set(String(raw[i]), raw[i + 1]);
  const first = (m.get('first-entry') as RawEntry | null) ?? null;
  const last = (m.get('last-entry') as RawEntry | null) ?? null;
  const added = m.get('entries-added');
  return {
    length: Number(m.get('length') ?? 0),
    firstId: first?.[0] ?? null,
    lastId: last?.[0] ?? null,
    lastGeneratedId: (m.get('last-generated-id') as string | undefined) ?? null,
    entriesAdded: added === undefined ? null : Number(added),
    first,
    last,
  };
}

/** Up to `count` entries after `after` (exclusive). */
export async function readAfter(redis: Redis, stream: string, after: string, count: number): Promise<RawEntry[]> {
  const res = (await redis.call('XREAD', 'COUNT', String(count), 'STREAMS', stream, after)) as [string, RawEntry[]][] | null;
  return res?.[0]?.[1] ?? [];
}

/** Up to `count` entries from `from` (inclusive; '-' for the oldest), oldest first. */
export async function range(redis: Redis, stream: string, from: string, count: number): Promise<RawEntry[]> {
  return (await redis.call('XRANGE', stream, from, '+', 'COUNT', String(count))) as RawEntry[];
}

/** XADD every entry in one pipelined round trip; per entry its new id or its error. */
export async function addAll(
  redis: Redis,
  stream: string,
  maxlen: number,
  entries: string[][],
): Promise<({ id: string } | { error: Error })[]> {
  const p = redis.pipeline();
  const trim = maxlen > 0 ? ['MAXLEN', '~', String(maxlen)] : [];
  for (const fields of entries) p.xadd(stream, ...trim, '*', ...fields);
  const results = (await p.exec()) ?? [];
  return entries.map((_, i) => {
    const r = results[i];
    if (!r) return { error: new Error('no reply') };
    const [err, id] = r;
    return err ? { error: err } : { id: String(id) };
  });
}

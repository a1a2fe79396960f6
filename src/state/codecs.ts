// How bans, failure tickets and ban histories are laid out in columns (see table.ts), and the
// checks each row passes when a file is loaded (times: see times.ts).
//
//   bans     key start until failures count origin   x: from pending error lines
//   tickets  key first last retry attempts          x: times lines user
//   history  key count last bantime jails

import type { BanOrigin, BanRecord } from '../types.ts';
import { isCanonicalV6, isKeyValue } from '../net/key.ts';
import type { BanHistory, Ticket } from './schema.ts';
import type { Codec, Columns, RowCheck, TableCheck } from './table.ts';
import { isUnicastV6Key, screenCounts, screenExtras, screenIndexes, screenKeys, screenTimes, type Suspects } from './screens.ts';
import { judgeTime, MAX_AHEAD, sanitizeCount } from './times.ts';

const ORIGINS: readonly BanOrigin[] = ['log', 'manual', 'fleet', 'import'];

type Extras = Record<string, unknown> | undefined;
const col = (c: Columns, name: string) => c[name] as unknown[];

export const BAN_CODEC: Codec<BanRecord> = {
  columns: ['start', 'until', 'failures', 'count', 'origin'],
  early: ['until'],
  decode(c, i, x) {
    const r: BanRecord = {
      start: col(c, 'start')[i] as number,
      until: col(c, 'until')[i] as number | null,
      failures: col(c, 'failures')[i] as number,
      count: col(c, 'count')[i] as number,
      origin: ORIGINS[col(c, 'origin')[i] as number] ?? 'log',
    };
    if (x) {
      // Optional fields live in the extras: those we know are checked, others (a field a newer
      // part of the program added) pass through as they are.
      for (const k in x) if (!(k in r)) (r as unknown as Record<string, unknown>)[k] = x[k];
      if (x.from !== undefined && typeof x.from !== 'string') delete r.from;
      if (x.pending !== undefined && x.pending !== 'ban') delete r.pending;
      if (x.error !== undefined && typeof x.error !== 'string') delete r.error;
      if (x.ownUntil !== undefined && typeof x.ownUntil !== 'number') delete r.ownUntil;
      if (x.lines !== undefined) {
        if (Array.isArray(x.lines)) r.lines = x.lines.filter((l): l is string => typeof l === 'string');
        else delete r.lines;
      }
    }
    return r;
  },
  encode(r, values) {
    let extras: Extras;
    for (const k in r) {
      if (BAN_DENSE.has(k)) continue;
      const v = (r as unknown as Record<string, unknown>)[k];
      if (v === undefined || (k === 'lines' && Array.isArray(v) && v.length === 0)) continue;
      (extras ??= {})[k] = v;
    }
    values[0] = r.start;
    values[1] = r.until;
    values[2] = r.failures;
    values[3] = r.count;
    values[4] = Math.max(0, ORIGINS.indexOf(r.origin));
    return extras;
  },
};
const BAN_DENSE = new Set(['start', 'until', 'failures', 'count', 'origin']);

export const TICKET_CODEC: Codec<Ticket> = {
  columns: ['first', 'last', 'retry', 'attempts'],
  early: ['last'],
  decode(c, i, x) {
    const t: Ticket = {
      first: col(c, 'first')[i] as number,
      last: col(c, 'last')[i] as number,
      retry: col(c, 'retry')[i] as number,
      attempts: col(c, 'attempts')[i] as number,
    };
    if (x) {
      if (Array.isArray(x.times)) t.times = x.times as number[];
      if (Array.isArray(x.lines)) t.lines = x.lines.filter((l): l is string => typeof l === 'string');
      if (typeof x.user === 'string') t.user = x.user;
    }
    return t;
  },
  encode(t, values) {
    let extras: Extras;
    if (t.times !== undefined || (t.lines && t.lines.length > 0) || t.user !== undefined) {
      extras = {};
      if (t.times !== undefined) extras.times = t.times;
      if (t.lines && t.lines.length > 0) extras.lines = t.lines;
      if (t.user !== undefined) extras.user = t.user;
    }
    values[0] = t.first;
    values[1] = t.last;
    values[2] = t.retry;
    values[3] = t.attempts;
    return extras;
  },
};

export const HISTORY_CODEC: Codec<BanHistory> = {
  columns: ['count', 'last', 'bantime', 'jails'],
  early: ['last'],
  decode(c, i) {
    const h: BanHistory = {
      count: col(c, 'count')[i] as number,
      last: col(c, 'last')[i] as number,
      jails: col(c, 'jails')[i] as Record<string, number>,
    };
    const b = col(c, 'bantime')[i];
    if (typeof b === 'number') h.bantime = b;
    return h;
  },
  encode(h, values) {
    values[0] = h.count;
    values[1] = h.last;
    values[2] = h.bantime ?? null;
    values[3] = h.jails;
    return undefined;
  },
};

/** Problems a row check reports: a capped value (the row stays) or nothing. */
export interface CheckSink {
  cap(where: string, field: string): void;
  /** A part of a row was unusable and left out (the row stays). */
  drop(where: string, why: string): void;
  repaired(): void;
}

export type KeyCheck = (k: number | string) => string | null;

/**
 * Why a key read from the file may not stay. Keys this program wrote are canonical: an IPv6
 * key is its own canonical text (one fast parse tells), and only text starting with `::` or
 * `ff` can be an address that may never be banned; ranges and anything odd get the full check.
 */
function keyProblem(k: unknown, keyCheck: KeyCheck): string | null {
  if (!isKeyValue(k)) return 'not an address key';
  if (typeof k === 'number') return keyCheck(k);
  if (k.includes('/')) return keyCheck(k);
  if (isUnicastV6Key(k)) return null;
  return isCanonicalV6(k) ? keyCheck(k) : 'not an address key';
}

/**
 * The load checks of each table: a screen (screens.ts) finds the rows that need the full check
 * of the row. `keyCheck` says why a key may not stay (an address that may not be banned), `now`
 * is the clock the "ahead" limit counts from.
 */
export function banCheck(now: number, where: string, sink: CheckSink, keyCheck: KeyCheck): TableCheck {
  const limit = now + MAX_AHEAD;
  const screen = (c: Columns, s: Suspects) => {
    screenKeys(c.key, keyCheck, s);
    screenTimes(col(c, 'start'), limit, false, s);
    screenTimes(col(c, 'until'), limit, true, s);
    screenCounts(col(c, 'failures'), s);
    screenCounts(col(c, 'count'), s);
    screenIndexes(col(c, 'origin'), ORIGINS.length - 1, s);
    screenExtras(c, s);
  };
  return { screen, row: banRow(now, where, sink, keyCheck) };
}

function banRow(now: number, where: string, sink: CheckSink, keyCheck: KeyCheck): RowCheck {
  return (c) => {
    const keys = c.key;
    const start = col(c, 'start');
    const until = col(c, 'until');
    const failures = col(c, 'failures');
    const count = col(c, 'count');
    const origin = col(c, 'origin');
    const xs = c.x;
    return (i) => {
      const kp = keyProblem(keys[i], keyCheck);
      if (kp) return kp;
      const s = judgeTime(start[i], now);
      if (s === 'bad') return `start ${String(start[i])}`;
      if (s === 'ahead') {
        start[i] = now;
        sink.cap(where, 'start');
      }
      if (until[i] !== null) {
        const u = judgeTime(until[i], now);
        if (u === 'bad') return `until ${String(until[i])}`;
        if (u === 'ahead') {
          until[i] = now + MAX_AHEAD;
          sink.cap(where, 'until');
        }
      }
      const x = xs?.[i];
      if (x && x.ownUntil !== undefined) {
        const v = judgeTime(x.ownUntil, now);
        if (v === 'bad') {
          delete x.ownUntil;
          sink.drop(where, 'ownUntil');
        } else if (v === 'ahead') {
          x.ownUntil = now + MAX_AHEAD;
          sink.cap(where, 'ownUntil');
        }
      }
      const f = failures[i];
      const n = count[i];
      const o = origin[i];
      if (typeof f !== 'number' || !(f >= 0) || f === Infinity || typeof n !== 'number' || !(n >= 0) || n === Infinity || typeof o !== 'number' || ORIGINS[o] === undefined) {
        failures[i] = sanitizeCount(f, 0);
        count[i] = sanitizeCount(n, 1);
        origin[i] = typeof o === 'number' && ORIGINS[o] !== undefined ? o : 0;
        sink.repaired();
      }
      return null;
    };
  };
}

export function ticketCheck(now: number, where: string, sink: CheckSink, keyCheck: KeyCheck): TableCheck {
  const limit = now + MAX_AHEAD;
  const screen = (c: Columns, s: Suspects) => {
    screenKeys(c.key, keyCheck, s);
    const first = col(c, 'first');
    const last = col(c, 'last');
    screenTimes(first, limit, false, s);
    screenTimes(last, limit, false, s);
    // A first failure after the last is repaired by the full check.
    for (let i = 0; i < first.length; i++) if ((first[i] as number) > (last[i] as number)) s.mark(i);
    screenCounts(col(c, 'retry'), s);
    screenCounts(col(c, 'attempts'), s);
    screenExtras(c, s);
  };
  return { screen, row: ticketRow(now, where, sink, keyCheck) };
}

function ticketRow(now: number, where: string, sink: CheckSink, keyCheck: KeyCheck): RowCheck {
  return (c) => {
    const keys = c.key;
    const first = col(c, 'first');
    const last = col(c, 'last');
    const retry = col(c, 'retry');
    const attempts = col(c, 'attempts');
    const xs = c.x;
    return (i) => {
      const kp = keyProblem(keys[i], keyCheck);
      if (kp) return kp;
      const f = judgeTime(first[i], now);
      if (f === 'bad') return `first ${String(first[i])}`;
      if (f === 'ahead') {
        first[i] = now;
        sink.cap(where, 'first');
      }
      const l = judgeTime(last[i], now);
      if (l === 'bad') return `last ${String(last[i])}`;
      if (l === 'ahead') {
        last[i] = now;
        sink.cap(where, 'last');
      }
      if ((first[i] as number) > (last[i] as number)) {
        first[i] = last[i];
        sink.repaired();
      }
      const r = retry[i];
      if (typeof r !== 'number' || !(r >= 0) || r === Infinity) return `retry ${String(r)}`;
      const a = attempts[i];
      if (typeof a !== 'number' || !(a >= 0) || a === Infinity) return `attempts ${String(a)}`;
      const x = xs?.[i];
      if (x && x.times !== undefined) {
        const times = Array.isArray(x.times) ? x.times : [];
        const good = times.filter((t) => judgeTime(t, now) === 'ok') as number[];
        if (good.length !== times.length) {
          x.times = good;
          sink.drop(where, `${times.length - good.length} failure time(s)`);
        }
      }
      return null;
    };
  };
}

export function historyCheck(now: number, where: string, sink: CheckSink, keyCheck: KeyCheck): TableCheck {
  const screen = (c: Columns, s: Suspects) => {
    screenKeys(c.key, keyCheck, s);
    screenTimes(col(c, 'last'), now + MAX_AHEAD, false, s);
    screenCounts(col(c, 'count'), s);
    const bantime = col(c, 'bantime');
    // A length, not a time: up to MAX_AHEAD; null and -1 (for good) mean something.
    for (let i = 0; i < bantime.length; i++) {
      const b = bantime[i];
      if (b === null || b === -1 || (typeof b === 'number' && b >= 0 && b <= MAX_AHEAD)) continue;
      s.mark(i);
    }
    const jails = col(c, 'jails');
    for (let i = 0; i < jails.length; i++) if (!isCountsByJail(jails[i])) s.mark(i);
  };
  return { screen, row: historyRow(now, where, sink, keyCheck) };
}

/** A history row's bans per jail: an object of finite numbers. */
function isCountsByJail(j: unknown): boolean {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return false;
  for (const k in j) {
    const v = (j as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  }
  return true;
}

function historyRow(now: number, where: string, sink: CheckSink, keyCheck: KeyCheck): RowCheck {
  return (c) => {
    const keys = c.key;
    const last = col(c, 'last');
    const count = col(c, 'count');
    const bantime = col(c, 'bantime');
    const jails = col(c, 'jails');
    return (i) => {
      const kp = keyProblem(keys[i], keyCheck);
      if (kp) return kp;
      const l = judgeTime(last[i], now);
      if (l === 'bad') return `last ${String(last[i])}`;
      if (l === 'ahead') {
        last[i] = now;
        sink.cap(where, 'last');
      }
      const n = count[i];
      if (typeof n !== 'number' || !(n >= 0) || n === Infinity) return `count ${String(n)}`;
      const b = bantime[i];
      if (b !== null && b !== -1) {
        const v = judgeTime(b, 0);
        if (v === 'bad') {
          bantime[i] = null;
          sink.drop(where, `bantime ${String(b)}`);
        } else if (v === 'ahead') {
          bantime[i] = MAX_AHEAD;
          sink.cap(where, 'bantime');
        }
      }
      if (!isCountsByJail(jails[i])) {
        jails[i] = {};
        sink.repaired();
      }
      return null;
    };
  };
}

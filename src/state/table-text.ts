// How a table is kept in the state file (version 3): its columns as JSON, beside a summary of
// what a run asks of a table without its rows, and a hash over both.
//
//   {"rows":N,"keys":[v4,v6,ranges],"min":{"until":t},"xf":{"pending":n},"cols":{"key":[...],...},"hash":"..."}
//
// Why: the file's index (state-text.ts) lets a load cut each table's columns out as a slice of
// the text without parsing them; an idle run (no ban due, no ticket stale, nothing read) answers
// from the summary and never parses the rows. The hash is what lets a run trust the summary: a
// table edited by hand, cut short or written by anyone but us does not match, and is parsed
// and checked in full before its summary answers anything (migrate.ts). A table no one
// touched is written back as it was read. An older writer kept `cols` as one escaped string of
// the same text (and the same hash); such a table is still read, and written back as above.

import { createHash } from 'node:crypto';
import type { Columns } from './table.ts';
import { jsonChunks, type TextSpans } from './json-chunks.ts';

/** What a run may ask of a table without its rows. */
export interface TableSummary {
  rows: number;
  /** Keys of IPv4, of IPv6, and how many of them are ranges. */
  keys: [number, number, number];
  /** Per summarised column: its smallest number (null: it holds none). */
  min: Record<string, number | null>;
  /** Per field of the sparse extras (`x`): how many rows hold it. */
  xf: Record<string, number>;
}

/** A table as the file holds it, `cols` the columns' JSON text. */
export interface StoredTable extends TableSummary {
  cols: string;
  hash: string;
}

const HASH = 'sha256';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The summary of columns that hold only live, checked rows. */
export function summaryOf(cols: Columns, early: readonly string[]): TableSummary {
  const keys: [number, number, number] = [0, 0, 0];
  // keyFamily and isRangeKey (net/key.ts), inlined: this runs over every key of each table saved.
  const ks = cols.key;
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i]!;
    if (typeof k === 'number') keys[0]++;
    else {
      keys[k.includes(':') ? 1 : 0]++;
      if (k.includes('/')) keys[2]++;
    }
  }
  const min: Record<string, number | null> = {};
  for (const c of early) {
    let m = Infinity;
    for (const v of cols[c] as unknown[]) if (typeof v === 'number' && v < m) m = v;
    min[c] = m === Infinity ? null : m;
  }
  const xf: Record<string, number> = {};
  for (const r in cols.x ?? {}) {
    for (const f in cols.x![r]) xf[f] = (Object.hasOwn(xf, f) ? xf[f]! : 0) + 1;
  }
  return { rows: cols.key.length, keys, min, xf };
}

/** The summary's own text, the one the hash covers (field order fixed). */
function summaryText(s: TableSummary): string {
  return JSON.stringify({ rows: s.rows, keys: s.keys, min: s.min, xf: s.xf });
}

/** The hash that vouches for a summary and a columns' text together. */
export function hashOf(summary: TableSummary, text: string): string {
  return createHash(HASH).update(summaryText(summary)).update(text).digest('hex');
}

/** The stored form of `cols` for JSON.stringify (the columns as they are): the same JSON storedPieces writes. */
export function storedForm(cols: Columns, early: readonly string[]): Omit<StoredTable, 'cols'> & { cols: Columns } {
  const s = summaryOf(cols, early);
  return { ...s, cols, hash: hashOf(s, JSON.stringify(cols)) };
}

/**
 * The JSON text of a table in pieces, without making the columns' text as one string (a table
 * of a million bans is 40 MB of it): each piece is hashed as it comes. `spans` gets where the
 * columns' text begins and ends.
 */
export function* storedPieces(cols: Columns, early: readonly string[], spans?: TextSpans): Generator<string> {
  const st = summaryText(summaryOf(cols, early));
  const h = createHash(HASH).update(st);
  yield `${st.slice(0, -1)},"cols":`;
  const start = spans?.pos ?? 0;
  for (const piece of jsonChunks(cols)) {
    h.update(piece);
    yield piece;
  }
  spans?.list.push([start, spans.pos]);
  yield `,"hash":"${h.digest('hex')}"}`;
}

/**
 * The JSON text of a stored table as it was read, field by field in the order read (a field
 * added by hand stays where it was): its columns' text is written as it is, never copied.
 */
export function* storedTextPieces(t: StoredTable, spans?: TextSpans): Generator<string> {
  let out = '{';
  for (const k of Object.keys(t)) {
    out += `${out === '{' ? '' : ','}${JSON.stringify(k)}:`;
    const v = (t as unknown as Record<string, unknown>)[k];
    if (k !== 'cols') {
      out += JSON.stringify(v);
      continue;
    }
    yield out;
    const start = spans?.pos ?? 0;
    yield v as string;
    spans?.list.push([start, spans.pos]);
    out = '';
  }
  yield `${out}}`;
}

/** A stored table's summary when it has the shape we write (the hash not checked yet); else null. */
export function summaryShape(v: unknown, early: readonly string[]): TableSummary | null {
  if (!isObj(v) || typeof v.hash !== 'string') return null;
  const { rows, keys, min, xf } = v;
  if (!isCount(rows) || !Array.isArray(keys) || keys.length !== 3 || !keys.every(isCount)) return null;
  if (keys[0] + keys[1] !== rows || keys[2] > rows) return null;
  if (!isObj(min) || !early.every((c) => Object.hasOwn(min, c) && (min[c] === null || (typeof min[c] === 'number' && (min[c] as number) >= 0)))) return null;
  if (!isObj(xf) || !Object.values(xf).every(isCount)) return null;
  return { rows, keys: keys as [number, number, number], min: min as TableSummary['min'], xf: xf as TableSummary['xf'] };
}

/**
 * The summary of a stored table, when its hash says we wrote the summary and the columns
 * together and nothing changed them since; null for anything else (the table is then parsed
 * and checked in full).
 */
export function trustedSummary(v: unknown, early: readonly string[]): TableSummary | null {
  if (!isObj(v) || typeof v.cols !== 'string') return null;
  const s = summaryShape(v, early);
  return s !== null && hashOf(s, v.cols) === v.hash ? s : null;
}

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
import type { AddrKey } from '../net/key.ts';
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

/**
 * The summary of columns that hold only live, checked rows. `counted`: the last rows, counted
 * already as a save encoded them (Table.columns); only the rows before them are gone over here.
 */
export function summaryOf(cols: Columns, early: readonly string[], counted?: RowCounts): TableSummary {
  const keys: [number, number, number] = counted ? [counted.keys[0], counted.keys[1], counted.keys[2]] : [0, 0, 0];
  const ks = cols.key;
  const from = ks.length - (counted?.rows ?? 0);
  for (let i = 0; i < from; i++) countKey(keys, ks[i]!);
  const min: Record<string, number | null> = {};
  for (let e = 0; e < early.length; e++) {
    const col = cols[early[e]!] as unknown[];
    let m = counted ? counted.min[e]! : Infinity;
    for (let i = 0; i < from; i++) {
      const v = col[i];
      if (typeof v === 'number' && v < m) m = v;
    }
    min[early[e]!] = m === Infinity ? null : m;
  }
  const xf: Record<string, number> = {};
  for (const r in cols.x ?? {}) {
    for (const f in cols.x![r]) xf[f] = (Object.hasOwn(xf, f) ? xf[f]! : 0) + 1;
  }
  return { rows: cols.key.length, keys, min, xf };
}

/** Keys and smallest early values of rows counted one at a time, as a save encodes them. */
export interface RowCounts {
  /** How many rows were counted: the last ones of the columns. */
  rows: number;
  /** IPv4 keys, IPv6 keys, ranges. */
  keys: [number, number, number];
  /** Per early column, in order: its smallest number (Infinity: none). */
  min: number[];
}

/** Count a key into [IPv4, IPv6, ranges]: keyFamily and isRangeKey (net/key.ts), inlined. */
export function countKey(keys: [number, number, number], k: AddrKey): void {
  if (typeof k === 'number') keys[0]++;
  else {
    keys[k.includes(':') ? 1 : 0]++;
    if (k.includes('/')) keys[2]++;
  }
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
export function* storedPieces(cols: Columns, early: readonly string[], spans?: TextSpans, summary = summaryOf(cols, early)): Generator<string> {
  const st = summaryText(summary);
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

// How a table is kept in the state file (version 3): its columns as one JSON text, beside a
// summary of what a run asks of a table without its rows, and a hash over both.
//
//   {"rows":N,"keys":[v4,v6,ranges],"min":{"until":t},"xf":{"pending":n},"cols":"{\"key\":[...],...}","hash":"..."}
//
// Why: loading the state then parses one string per table, not 100,000 rows, and an idle run
// (no ban due, no ticket stale, nothing read) answers from the summary and never parses the
// rows. The hash is what lets a load trust the summary: a table edited by hand, cut short or
// written by anyone but us does not match, and is parsed and checked at once (migrate.ts).
// A table no one touched is written back as it was read, byte for byte.

import { createHash } from 'node:crypto';
import type { Columns } from './table.ts';
import { jsonChunks } from './json-chunks.ts';

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

/** A table as the file holds it. */
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

/** The stored form of `cols` (for JSON.stringify): the same text storedPieces makes. */
export function storedForm(cols: Columns, early: readonly string[]): StoredTable {
  const s = summaryOf(cols, early);
  const text = JSON.stringify(cols);
  const hash = createHash(HASH).update(summaryText(s)).update(text).digest('hex');
  return { ...s, cols: text, hash };
}

/**
 * The JSON text of storedForm(cols) in pieces, without making the columns' text as one string
 * (a table of a million bans is 40 MB of it): each piece is hashed and escaped as it comes.
 */
export function* storedPieces(cols: Columns, early: readonly string[]): Generator<string> {
  const st = summaryText(summaryOf(cols, early));
  const h = createHash(HASH).update(st);
  yield `${st.slice(0, -1)},"cols":"`;
  for (const piece of jsonChunks(cols)) {
    h.update(piece);
    // Pieces end between values, never inside a string: escaped one by one they make the escaped whole.
    yield escapeText(piece);
  }
  yield `","hash":"${h.digest('hex')}"}`;
}

/**
 * The JSON text of a stored table as it was read (toJSON's form), in pieces: its columns' text
 * (40 MB for a million bans) is escaped a slice at a time, not copied whole.
 */
export function* storedTextPieces(t: StoredTable): Generator<string> {
  // Field by field in the order read (a field added by hand stays where it was).
  let out = '{';
  for (const k of Object.keys(t)) {
    out += `${out === '{' ? '' : ','}${JSON.stringify(k)}:`;
    const v = (t as unknown as Record<string, unknown>)[k];
    if (k !== 'cols') {
      out += JSON.stringify(v);
      continue;
    }
    yield `${out}"`;
    yield* escapedPieces(v as string);
    out = '"';
  }
  yield `${out}}`;
}

/** JSON.stringify(s) without its quotes, in pieces of about `size` characters; a surrogate pair is never split. */
export function* escapedPieces(s: string, size = 1 << 20): Generator<string> {
  for (let i = 0; i < s.length; ) {
    let j = Math.min(s.length, i + size);
    const c = s.charCodeAt(j - 1);
    // A high surrogate at the end of a slice would be escaped alone (\ud83d) instead of kept with its pair.
    if (j < s.length && c >= 0xd800 && c <= 0xdbff) j = j - 1 > i ? j - 1 : j + 1;
    yield escapeText(s.slice(i, j));
    i = j;
  }
}

/** What JSON.stringify escapes in a text besides `"` and `\`: control characters, surrogates (lone ones). */
const ODD = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify(s) without its quotes. A table's text is JSON made by JSON.stringify: it holds
 * no control character and no lone surrogate, so two plain replaces do (a quarter of the cost
 * of JSON.stringify on 14 MB of columns); any other text takes JSON.stringify.
 */
function escapeText(s: string): string {
  if (ODD.test(s)) return JSON.stringify(s).slice(1, -1);
  return (s.includes('\\') ? s.replaceAll('\\', '\\\\') : s).replaceAll('"', '\\"');
}

/**
 * The summary of a stored table, when its hash says we wrote the summary and the columns
 * together and nothing changed them since; null for anything else (the table is then parsed
 * and checked in full).
 */
export function trustedSummary(v: unknown, early: readonly string[]): TableSummary | null {
  if (!isObj(v) || typeof v.cols !== 'string' || typeof v.hash !== 'string') return null;
  const { rows, keys, min, xf } = v;
  if (!isCount(rows) || !Array.isArray(keys) || keys.length !== 3 || !keys.every(isCount)) return null;
  if (keys[0] + keys[1] !== rows || keys[2] > rows) return null;
  if (!isObj(min) || !early.every((c) => Object.hasOwn(min, c) && (min[c] === null || (typeof min[c] === 'number' && (min[c] as number) >= 0)))) return null;
  if (!isObj(xf) || !Object.values(xf).every(isCount)) return null;
  const s: TableSummary = { rows, keys: keys as [number, number, number], min: min as TableSummary['min'], xf: xf as TableSummary['xf'] };
  const hash = createHash(HASH).update(summaryText(s)).update(v.cols).digest('hex');
  return hash === v.hash ? s : null;
}

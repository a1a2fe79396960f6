// A table of the state file: one record per address key, stored in columns (an array of keys,
// an array per field) rather than an object per address, and kept lazy in memory.
//
// Why lazy: a run that changes nothing must not pay for what the state holds (100,000 tracked
// addresses, 1,000,000 bans). A table is not even parsed until a run asks for its rows
// (table-text.ts): its summary answers counts and "is anything due" once the file's hash
// vouches for it, and it is written back as it was read. Once parsed, the columns are kept as
// they are ("raw"); a record is built only when someone asks for that key. Changes live in an
// overlay map (copy on write per entry): `set` puts the new record there and marks the raw row
// dead, `delete` marks it dead. Saving writes the raw columns back untouched when nothing
// changed, else the live raw rows (column by column) plus the overlay. Point look-ups scan the
// key column (Array#indexOf, a few ms for a million keys) until enough of them were made to
// pay for a key -> row index.
//
// Sparse fields (a ban's error, a ticket's lines) live in one column `x`: an object from row
// number to the record's extras, so the 99% of rows without any cost nothing.

import type { AddrKey } from '../net/key.ts';
import { Suspects } from './screens.ts';
import { countKey, storedForm, storedPieces, storedTextPieces, summaryOf, type RowCounts, type StoredTable, type TableSummary } from './table-text.ts';
import type { TextSpans } from './json-chunks.ts';

/** The columns of a table as JSON holds them: `key`, one array per dense field, `x` extras by row. */
export interface Columns {
  key: AddrKey[];
  x?: Record<string, Record<string, unknown>>;
  [column: string]: unknown[] | Record<string, Record<string, unknown>> | undefined;
}

/** How one record type is laid out in columns. */
export interface Codec<R> {
  /** The dense columns besides `key`, in file order. */
  readonly columns: readonly string[];
  /** Numeric columns whose smallest value the file's summary holds (table-text.ts): what tells a run nothing is due. */
  readonly early: readonly string[];
  /** The record in raw row `i` (`extras`: the row's entry of `x`, if any). */
  decode(cols: Columns, i: number, extras: Record<string, unknown> | undefined): R;
  /**
   * The record's dense values into `values`, in `columns` order; returns its extras (undefined:
   * none). One `values` array serves every record of a save: no object per record.
   */
  encode(rec: R, values: unknown[]): Record<string, unknown> | undefined;
}

/**
 * The load check of a table's columns: given them once, it returns the check of row `i`, which
 * may repair values in place (a time capped) and says why the row must go, or null to keep it.
 */
export type RowCheck = (cols: Columns) => (i: number) => string | null;

/** A table's load check: `screen` marks the rows that need `row` (screens.ts); the others pass as they are. */
export interface TableCheck {
  screen(cols: Columns, suspects: Suspects): void;
  row: RowCheck;
}

/** The file's columns do not form a table (missing column, lengths differ): the file is unreadable. */
export class ColumnsError extends Error {}

/** Look-ups by scanning before a key index is built (an idle run makes a handful). */
const SCANS_BEFORE_INDEX = 8;

export class Table<R> {
  private keys: AddrKey[];
  private cols: Columns;
  private n: number;
  /** Raw rows deleted or replaced by the overlay. */
  private dead: Uint8Array | null = null;
  private deadCount = 0;
  private index: Map<AddrKey, number> | null = null;
  private scans = 0;
  /** Records set since load, by key (they shadow raw rows). */
  private readonly over = new Map<AddrKey, R>();
  /** Rows a load check dropped or repaired: the file must be written back even if nothing else changes. */
  private repaired = false;
  /**
   * A table read from the file and not parsed yet: its summary answers what it can, `open`
   * parses and checks the rows the first time anything else is asked. `trust`, until asked
   * once, checks the hash the summary was read under (null: already checked).
   */
  private deferred: { summary: TableSummary; open: () => Table<R>; trust: (() => boolean) | null } | null = null;
  /** The table as the file held it, while it still says the same: written back as it was (dropped at the first change). */
  private stored: StoredTable | null = null;

  constructor(private readonly codec: Codec<R>, raw?: Columns) {
    this.cols = raw ?? emptyColumns(codec);
    this.keys = this.cols.key;
    this.n = this.keys.length;
  }

  /**
   * A table from a file's columns: their shape is checked (ColumnsError), then every row the
   * check's screen doubts goes through its row check; the rows it refuses are dropped and
   * reported through `dropped(key, why)`.
   */
  static load<R>(codec: Codec<R>, raw: unknown, check: TableCheck, dropped: (key: unknown, why: string) => void): Table<R> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ColumnsError('is not an object of columns');
    const cols = raw as Columns;
    if (!Array.isArray(cols.key)) throw new ColumnsError('has no key column');
    const n = cols.key.length;
    for (const c of codec.columns) {
      const col = cols[c];
      if (!Array.isArray(col) || col.length !== n) throw new ColumnsError(`column ${c} is missing or not ${n} long`);
    }
    if (cols.x !== undefined && (typeof cols.x !== 'object' || cols.x === null || Array.isArray(cols.x))) throw new ColumnsError('column x is not an object');
    if (cols.x) {
      for (const r in cols.x) {
        const e = cols.x[r];
        if (!/^\d+$/.test(r) || Number(r) >= n || typeof e !== 'object' || e === null || Array.isArray(e)) delete cols.x[r];
      }
    }
    const t = new Table(codec, cols);
    const suspects = new Suspects(n);
    check.screen(cols, suspects);
    if (suspects.marked) {
      const checkRow = check.row(cols);
      const rows = suspects.rows;
      for (let i = 0; i < n; i++) {
        if (rows[i] === 0) continue;
        const why = checkRow(i);
        if (why === null) continue;
        t.kill(i);
        dropped(cols.key[i], why);
      }
    }
    t.repaired = t.deadCount > 0;
    return t;
  }

  /**
   * A table whose rows stay unparsed until first asked for: `stored` is what the file held,
   * `summary` its summary, `open` parses and checks the rows (as Table.load); `trust` says
   * whether the hash vouches for the summary, asked the first time the summary would answer
   * (null: it was checked already).
   */
  static deferred<R>(codec: Codec<R>, stored: StoredTable, summary: TableSummary, open: () => Table<R>, trust: (() => boolean) | null = null): Table<R> {
    const t = new Table(codec);
    t.deferred = { summary, open, trust };
    t.stored = stored;
    return t;
  }

  /**
   * The summary of a table still unparsed, once its hash vouches for it; null when the rows are
   * parsed. A summary its hash does not vouch for (a table edited by hand) is never used: the
   * rows are parsed and checked now, and written back with a true summary.
   */
  private summary(): TableSummary | null {
    const d = this.deferred;
    if (d === null) return null;
    if (d.trust !== null) {
      const ok = d.trust();
      d.trust = null;
      if (!ok) {
        this.ready();
        this.repaired = true;
        this.stored = null;
        return null;
      }
    }
    return d.summary;
  }

  /** Parse a deferred table's rows now (every read of rows and every change asks this first). */
  private ready(): void {
    const d = this.deferred;
    if (d === null) return;
    this.deferred = null;
    const t = d.open();
    this.cols = t.cols;
    this.keys = t.keys;
    this.n = t.n;
    this.dead = t.dead;
    this.deadCount = t.deadCount;
    this.repaired = t.repaired;
    if (this.repaired) this.stored = null;
  }

  /** A load check changed a value in place: write the file back. */
  markRepaired(): void {
    this.repaired = true;
  }

  get size(): number {
    const s = this.summary();
    if (s !== null) return s.rows + this.over.size;
    return this.n - this.deadCount + this.over.size;
  }

  /** Keys of IPv4 and of IPv6 (ranges counted in their family), and how many are ranges. */
  keyCounts(): { v4: number; v6: number; ranges: number } {
    const s = this.over.size === 0 ? this.summary() : null;
    const keys: [number, number, number] = s !== null ? s.keys : [0, 0, 0];
    // Counted as the summary counts them.
    if (s === null) for (const k of this.keyList()) countKey(keys, k);
    const [v4, v6, ranges] = keys;
    return { v4, v6, ranges };
  }

  /**
   * The summary's smallest value of `column` while the rows are unparsed (null: none holds a
   * number); undefined once parsed or when the summary does not hold that column.
   */
  private summaryMin(column: string): number | null | undefined {
    const s = this.over.size === 0 ? this.summary() : null;
    if (s === null) return undefined;
    const m = s.min;
    return Object.hasOwn(m, column) ? m[column] : undefined;
  }

  /** Nothing changed since load (a save can write the raw columns as they are). */
  get pristine(): boolean {
    return this.over.size === 0 && this.deadCount === 0;
  }

  /** Something changed since load, or a load check repaired the file. */
  get changed(): boolean {
    return !this.pristine || this.repaired;
  }

  private buildIndex(): Map<AddrKey, number> {
    const m = new Map<AddrKey, number>();
    for (let i = 0; i < this.n; i++) {
      if (this.dead?.[i]) continue;
      // A key written twice (a hand-edited file): the first row wins, the others go.
      if (m.has(this.keys[i]!)) this.kill(i);
      else m.set(this.keys[i]!, i);
    }
    return m;
  }

  /** The live raw row holding `key`, or -1. */
  private row(key: AddrKey): number {
    this.ready();
    if (this.n === 0) return -1;
    if (!this.index && ++this.scans > SCANS_BEFORE_INDEX) this.index = this.buildIndex();
    if (this.index) {
      const i = this.index.get(key);
      return i === undefined || this.dead?.[i] ? -1 : i;
    }
    for (let i = this.keys.indexOf(key); i !== -1; i = this.keys.indexOf(key, i + 1)) if (!this.dead?.[i]) return i;
    return -1;
  }

  private kill(i: number): void {
    this.stored = null;
    this.dead ??= new Uint8Array(this.n);
    if (this.dead[i]) return;
    this.dead[i] = 1;
    this.deadCount++;
  }

  private decodeRow(i: number): R {
    return this.codec.decode(this.cols, i, this.cols.x?.[i]);
  }

  /** The record of `key` (a fresh object for a raw row: change it through `set`). */
  get(key: AddrKey): R | undefined {
    const o = this.over.get(key);
    if (o !== undefined) return o;
    const i = this.row(key);
    return i < 0 ? undefined : this.decodeRow(i);
  }

  has(key: AddrKey): boolean {
    return this.over.has(key) || this.row(key) >= 0;
  }

  set(key: AddrKey, rec: R): void {
    this.stored = null;
    if (!this.over.has(key)) {
      const i = this.row(key);
      if (i >= 0) this.kill(i);
    }
    this.over.set(key, rec);
  }

  /**
   * The record of `key` moved into the overlay, so the caller may change it in place (the saved
   * file gets the changed object). Undefined when there is none.
   */
  take(key: AddrKey): R | undefined {
    const o = this.over.get(key);
    if (o !== undefined) return o;
    const i = this.row(key);
    if (i < 0) return undefined;
    const r = this.decodeRow(i);
    this.kill(i);
    this.over.set(key, r);
    return r;
  }

  /** Add a record for a key the caller knows is absent (it just asked): no second look-up. */
  insertNew(key: AddrKey, rec: R): void {
    this.ready();
    this.stored = null;
    this.over.set(key, rec);
  }

  delete(key: AddrKey): boolean {
    if (this.over.delete(key)) return true;
    const i = this.row(key);
    if (i < 0) return false;
    this.kill(i);
    return true;
  }

  /** Every (key, record); raw rows are decoded one at a time as the iteration reaches them. */
  *entries(): IterableIterator<[AddrKey, R]> {
    this.ready();
    for (let i = 0; i < this.n; i++) if (!this.dead?.[i]) yield [this.keys[i]!, this.decodeRow(i)];
    yield* this.over.entries();
  }

  /** Every key, without building records. */
  *keyList(): IterableIterator<AddrKey> {
    this.ready();
    for (let i = 0; i < this.n; i++) if (!this.dead?.[i]) yield this.keys[i]!;
    yield* this.over.keys();
  }

  /**
   * Calls `fn(extras, key)` for every record that has extras (the sparse `x` column), without
   * visiting the others: raw rows from `x`, overlay records through `pick` (undefined: none).
   * With `field`, only extras holding it are asked for: unparsed rows none of which holds it
   * (the summary says) are not parsed.
   */
  eachExtras(pick: (rec: R) => Record<string, unknown> | undefined, fn: (extras: Record<string, unknown>, key: AddrKey) => void, field?: string): void {
    const s = field !== undefined && this.over.size === 0 ? this.summary() : null;
    if (s !== null && !((s.xf[field!] ?? 0) > 0)) return;
    this.ready();
    const x = this.cols.x;
    if (x) {
      for (const r in x) {
        const i = Number(r);
        if (!this.dead?.[i]) fn(x[r]!, this.keys[i]!);
      }
    }
    for (const [k, rec] of this.over) {
      const e = pick(rec);
      if (e !== undefined) fn(e, k);
    }
  }

  /**
   * Keys whose numeric `column` value is at or below `bound` (strictly below with `strict`); null
   * values never are. Raw rows are read from the column, overlay records through `pick`. A plain
   * loop without a callback per row: it runs over every address of the state on each run.
   */
  keysAtOrBelow(column: string, pick: (rec: R) => number | null, bound: number, strict = false): AddrKey[] {
    const m = this.summaryMin(column);
    if (m === null || (m !== undefined && (strict ? m >= bound : m > bound))) return [];
    this.ready();
    const out: AddrKey[] = [];
    const col = this.cols[column] as (number | null)[];
    const keys = this.keys;
    const dead = this.dead;
    for (let i = 0; i < this.n; i++) {
      const v = col[i]!;
      if (v === null || (strict ? v >= bound : v > bound)) continue;
      if (dead === null || dead[i] === 0) out.push(keys[i]!);
    }
    // forEach, not for-of over entries: no [key, record] array per overlay row.
    this.over.forEach((r, k) => {
      const v = pick(r);
      if (v !== null && (strict ? v < bound : v <= bound)) out.push(k);
    });
    return out;
  }

  /** How many records have a numeric `column` value above `bound` (null counts: no end). */
  countAbove(column: string, pick: (rec: R) => number | null, bound: number): number {
    const m = this.summaryMin(column);
    if (m === null || (m !== undefined && m > bound)) return this.size;
    this.ready();
    let n = 0;
    const col = this.cols[column] as (number | null)[];
    const dead = this.dead;
    for (let i = 0; i < this.n; i++) {
      const v = col[i]!;
      if ((v === null || v > bound) && (dead === null || dead[i] === 0)) n++;
    }
    for (const r of this.over.values()) {
      const v = pick(r);
      if (v === null || v > bound) n++;
    }
    return n;
  }

  /** Drop every record. */
  clear(): void {
    this.deferred = null;
    this.stored = null;
    this.over.clear();
    this.cols = emptyColumns(this.codec);
    this.keys = this.cols.key;
    this.n = 0;
    this.dead = null;
    this.deadCount = 0;
    this.index = null;
    this.repaired = true;
  }

  /** The table as the file holds it (table-text.ts), for JSON.stringify: what was read, when nothing changed. */
  toJSON(): ReturnType<typeof storedForm> {
    this.summary();
    if (!this.changed && this.stored !== null) return { ...this.stored, cols: JSON.parse(this.stored.cols) as Columns };
    return storedForm(this.columns(), this.codec.early);
  }

  /**
   * The JSON text of toJSON() in pieces (json-chunks.ts): a large table never as one string.
   * `spans` gets where its columns are (the file's index, state-text.ts).
   */
  *jsonPieces(spans?: TextSpans): Generator<string> {
    // An unparsed table is written back as read only if its hash vouches for it (else it is parsed, checked and written anew).
    this.summary();
    if (!this.changed && this.stored !== null) {
      yield* storedTextPieces(this.stored, spans);
      return;
    }
    const early = this.codec.early;
    const counts: RowCounts = { rows: 0, keys: [0, 0, 0], min: early.map(() => Infinity) };
    const cols = this.columns(counts);
    yield* storedPieces(cols, early, spans, summaryOf(cols, early, counts));
  }

  /**
   * The live rows as columns: the raw ones untouched when nothing changed. With `counts`, the
   * overlay's rows are counted there for the summary as they are encoded: a loop of its own over
   * a fresh table's 60,000 rows, run once per save, ran mostly unoptimised.
   */
  columns(counts?: RowCounts): Columns {
    this.ready();
    if (this.pristine) return this.cols;
    const out = emptyColumns(this.codec);
    const names = this.codec.columns;
    const n = this.n;
    const dead = this.dead;
    // Column by column (a copy of the live part of each array), then the overlay's rows.
    const live = (col: unknown[]): unknown[] => {
      if (dead === null) return col.slice(0, n);
      const kept: unknown[] = [];
      for (let i = 0; i < n; i++) if (dead[i] === 0) kept.push(col[i]);
      return kept;
    };
    out.key = live(this.keys) as AddrKey[];
    for (const c of names) out[c] = live(this.cols[c] as unknown[]);
    const x: Record<string, Record<string, unknown>> = {};
    let extras = 0;
    const rawX = this.cols.x;
    if (rawX !== undefined) {
      // A row's new number: its old one less the dead rows before it.
      let shift: Int32Array | null = null;
      if (dead !== null) {
        shift = new Int32Array(n);
        for (let i = 0, d = 0; i < n; i++) {
          shift[i] = d;
          d += dead[i]!;
        }
      }
      for (const r in rawX) {
        const i = Number(r);
        if (dead !== null && dead[i] !== 0) continue;
        x[shift === null ? i : i - shift[i]!] = rawX[r]!;
        extras++;
      }
    }
    let rows = out.key.length;
    const values: unknown[] = names.map(() => null);
    const outCols = names.map((c) => out[c] as unknown[]);
    const codec = this.codec;
    const keys = out.key;
    const earlyAt = codec.early.map((c) => names.indexOf(c));
    const keyCounts = counts?.keys;
    const mins = counts?.min;
    if (counts) counts.rows = this.over.size;
    this.over.forEach((r, k) => {
      const extrasOfRow = codec.encode(r, values);
      keys.push(k);
      for (let c = 0; c < outCols.length; c++) outCols[c]!.push(values[c]);
      if (keyCounts !== undefined) {
        countKey(keyCounts, k);
        for (let e = 0; e < earlyAt.length; e++) {
          const v = values[earlyAt[e]!];
          if (typeof v === 'number' && v < mins![e]!) mins![e] = v;
        }
      }
      if (extrasOfRow !== undefined) {
        x[rows] = extrasOfRow;
        extras++;
      }
      rows++;
    });
    if (extras > 0) out.x = x;
    return out;
  }
}

export function emptyColumns(codec: Codec<unknown>): Columns {
  const c: Columns = { key: [] };
  for (const name of codec.columns) c[name] = [];
  return c;
}

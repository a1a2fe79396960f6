// Which rows of a table need the full load check (codecs.ts). A file this program wrote holds
// sane values in nearly every row: one tight loop per column (no call per row and value) marks
// the rows that hold anything else, and only those go through the full check, which decides
// what to drop, cap or repair. A loop only ever marks more than it must, never fewer.

import { isCanonicalV6 } from '../net/key.ts';
import type { Columns } from './table.ts';

/** Marks rows that need the full check; `marked` says whether any does. */
export class Suspects {
  readonly rows: Uint8Array;
  marked = false;

  constructor(n: number) {
    this.rows = new Uint8Array(n);
  }

  mark(i: number): void {
    this.rows[i] = 1;
    this.marked = true;
  }
}

/**
 * A state's IPv6 key that no key check refuses: canonical text whose first group is neither 0
 * (`::`, `::1`) nor ffxx (multicast). The screen below and the full check (codecs.ts keyProblem)
 * both ask this, so they cannot disagree on which keys pass unasked.
 */
export function isUnicastV6Key(k: string): boolean {
  if (!isCanonicalV6(k)) return false;
  const c0 = k.charCodeAt(0);
  return c0 !== 58 && !(c0 === 102 && k.charCodeAt(1) === 102);
}

/** Keys that certainly pass: an IPv4 number `keyCheck` accepts, or isUnicastV6Key. Ranges and everything else are marked. */
export function screenKeys(keys: unknown[], keyCheck: (k: number) => string | null, s: Suspects): void {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k === 'number') {
      if (Number.isInteger(k) && k >= 0 && k <= 0xffffffff && keyCheck(k) === null) continue;
    } else if (typeof k === 'string' && isUnicastV6Key(k)) continue;
    s.mark(i);
  }
}

/** Times from 0 to `limit` pass (and null where it means something). */
export function screenTimes(col: unknown[], limit: number, nullable: boolean, s: Suspects): void {
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (typeof v === 'number' ? v >= 0 && v <= limit : v === null && nullable) continue;
    s.mark(i);
  }
}

/** Counts: non-negative finite numbers. */
export function screenCounts(col: unknown[], s: Suspects): void {
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (typeof v === 'number' && v >= 0 && v !== Infinity) continue;
    s.mark(i);
  }
}

/** Whole numbers from 0 to `max` (an index into a list of names). */
export function screenIndexes(col: unknown[], max: number, s: Suspects): void {
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) continue;
    s.mark(i);
  }
}

/** Rows with extras (the sparse `x` column): few, and their fields are checked one by one. */
export function screenExtras(cols: Columns, s: Suspects): void {
  const x = cols.x;
  if (!x) return;
  for (const r in x) {
    const i = Number(r);
    if (i < s.rows.length) s.mark(i);
  }
}
